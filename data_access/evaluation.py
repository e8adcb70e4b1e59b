"""The 10-dimension evaluation of streets and communities and its composite score.

The composite follows Boston's CityScore: each dimension's score over its
target (target over score where lower is better), capped so one excellent
dimension cannot hide a weak one, then averaged with the dimension weights over
the dimensions that have a score. 100 means "on target".
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Float, and_, case, cast, func, select

from data_access import schema
from data_access.database import Database
from data_access.scope import Scope
from data_access.sql import capped, place_filter

ES, ED, C, S = schema.evaluation_scores, schema.evaluation_dimensions, schema.communities, schema.streets

#: a dimension counts for at most 120% of its target
COMPOSITE_CAP = 1.2


def evaluation_years(db: Database) -> list[int]:
    return [int(y) for y in db.frame(select(ES.c.year).distinct().order_by(ES.c.year))["year"]]


def evaluation_year(db: Database, scope: Scope) -> int | None:
    """The evaluation year a period reads: the last one ending within it, else the latest before."""
    years = [y for y in evaluation_years(db) if y <= scope.period.end.year]
    return years[-1] if years else None


def dimensions(db: Database) -> pd.DataFrame:
    """The 10 dimensions with definition, direction, weight and target."""
    return db.frame(select(ED).order_by(ED.c.seq))


def _achievement():
    raw = case(
        (ED.c.direction == "lower", cast(ED.c.target, Float) / func.nullif(ES.c.score, 0)),
        else_=cast(ES.c.score, Float) / func.nullif(ED.c.target, 0),
    )
    return capped(raw, COMPOSITE_CAP)


def composite_scores(db: Database, scope: Scope, level: str = "community", year: int | None = None) -> pd.DataFrame:
    """Composite (0–120) per street or community in the scope's street, ranked, for one year.

    At community level the scope's community is not applied: the ranking needs
    its neighbours. Columns: code, name, street_code, composite, rank, year.
    """
    year = year if year is not None else evaluation_year(db, scope)
    columns = ["code", "name", "street_code", "composite", "dimensions_scored", "rank", "year"]
    if year is None:
        return pd.DataFrame(columns=columns)
    if level == "community":
        unit = select(C.c.code, C.c.name, C.c.street_code).where(place_filter(C.c.code, scope.without_community()))
    else:
        unit = select(S.c.code, S.c.name, S.c.code.label("street_code"))
        if scope.role_street:
            unit = unit.where(S.c.code == scope.role_street)
    unit = unit.subquery("unit")
    composite = (100.0 * func.sum(ED.c.weight * _achievement()) / func.sum(ED.c.weight)).label("composite")
    stmt = (
        select(unit.c.code, unit.c.name, unit.c.street_code, composite,
               func.count(ES.c.score).label("dimensions_scored"))
        .select_from(unit)
        .join(ES, and_(ES.c.unit_code == unit.c.code, ES.c.unit_level == level, ES.c.year == year))
        .join(ED, ED.c.code == ES.c.dimension_code)
        .group_by(unit.c.code, unit.c.name, unit.c.street_code)
    )
    frame = db.frame(stmt)
    frame = frame.sort_values(["composite", "code"], ascending=[False, True]).reset_index(drop=True)
    frame["rank"] = range(1, len(frame) + 1)
    frame["year"] = year
    return frame[columns]
