"""The 10-dimension evaluation of streets and communities and its composite score.

The composite follows Boston's CityScore: each dimension's score over its
target (target over score where lower is better), capped so one excellent
dimension cannot hide a weak one, then averaged with the dimension weights over
the dimensions that have a score. 100 means "on target".
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Float, and_, case, cast, func, select

from data_access import schema, summary_rows
from data_access.database import Database
from data_access.scope import Scope
from data_access.sql import capped, place_filter
from data_access.units import unit_map

ES, ED, C, S = schema.evaluation_scores, schema.evaluation_dimensions, schema.communities, schema.streets

#: a dimension counts for at most 120% of its target
COMPOSITE_CAP = 1.2


def evaluation_years(db: Database) -> list[int]:
    """The years with scores, in order. Asked several times a view: each next year is read as the year
    index's next entry (a recursive query, a few index probes), where a DISTINCT reads every score's entry."""
    years = select(func.min(ES.c.year).label("year")).cte("years", recursive=True)
    later = ES.alias("later")
    years = years.union_all(select(select(func.min(later.c.year)).where(later.c.year > years.c.year)
                                   .scalar_subquery()).where(years.c.year.is_not(None)))
    return [int(y) for (y,) in db.rows(select(years.c.year).where(years.c.year.is_not(None)).order_by(years.c.year))]


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


def _composite():
    return (100.0 * func.sum(ED.c.weight * _achievement()) / func.sum(ED.c.weight)).label("composite")


def composite_select():
    """Every unit's composite per year: what the loader's composite summary holds."""
    return (select(ES.c.unit_level, ES.c.unit_code, ES.c.year, _composite(),
                   func.count(ES.c.score).label("dimensions_scored"))
            .join(ED, ED.c.code == ES.c.dimension_code)
            .group_by(ES.c.unit_level, ES.c.unit_code, ES.c.year))


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
    if summary_rows.covered(db, None):
        summary = schema.evaluation_composite_summary
        stmt = (select(unit.c.code, unit.c.name, unit.c.street_code, summary.c.composite, summary.c.dimensions_scored)
                .join(summary, and_(summary.c.unit_code == unit.c.code, summary.c.unit_level == level,
                                    summary.c.year == year)))
    else:
        stmt = (
            select(unit.c.code, unit.c.name, unit.c.street_code, _composite(), func.count(ES.c.score).label(
                "dimensions_scored"))
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


def street_standing(db: Database, scope: Scope, year: int | None = None) -> pd.DataFrame:
    """Every street's composite and rank (code, composite, rank, year), whatever the viewer's role.

    A street office ranks among all the streets (issue 22): composite_scores at street level shows a
    street role its own street alone, so its rank would always read 1 of 1. This gives the other
    streets' composite and rank only, nothing else of theirs.
    """
    district = Scope(scope.period)
    year = year if year is not None else evaluation_year(db, district)
    return composite_scores(db, district, "street", year)[["code", "composite", "rank", "year"]]


# --- scorecards: how a composite is built -------------------------------------------

PR, CO, SM, PI = schema.property_ratings, schema.compounds, schema.safety_months, schema.project_indicators

#: a dimension whose score moved less than this many points counts as stable
STABLE_TOLERANCE = 0.5


def unit_in_scope(db: Database, scope: Scope, level: str, code: str) -> bool:
    """Whether a street or community may be shown to this scope's viewer (role limits hold)."""
    if level == "community":
        stmt = select(func.count()).where(C.c.code == code, place_filter(C.c.code, scope.without_community()))
    else:
        stmt = select(func.count()).where(S.c.code == code)
        if scope.role_street:
            stmt = stmt.where(S.c.code == scope.role_street)
    return bool(db.scalar(stmt))


def composite_breakdown(db: Database, scope: Scope, level: str, code: str, year: int) -> pd.DataFrame:
    """Every dimension's step towards one unit's composite, so it can be rebuilt by hand.

    Per dimension: score, target, direction, ratio (score ÷ target, or target ÷
    score where lower is better), the ratio capped at COMPOSITE_CAP, weight, and
    the weighted contribution = 100 × weight × capped ÷ (sum of the weights of the
    scored dimensions). The composite is the sum of the contributions. A dimension
    with no score has no ratio and no contribution, and its weight is left out.
    """
    columns = ["code", "seq", "name", "name_en", "score", "target", "direction", "ratio", "capped_ratio",
               "weight", "scored_weight", "contribution"]
    if not unit_in_scope(db, scope, level, code):
        return pd.DataFrame(columns=columns)
    scores = (
        select(ES.c.dimension_code, ES.c.score)
        .where(ES.c.unit_level == level, ES.c.unit_code == code, ES.c.year == year)
        .subquery("unit_scores")
    )
    raw = case(
        (ED.c.direction == "lower", cast(ED.c.target, Float) / func.nullif(scores.c.score, 0)),
        else_=cast(scores.c.score, Float) / func.nullif(ED.c.target, 0),
    )
    scored_weight = func.sum(case((scores.c.score.is_not(None), ED.c.weight))).over()
    stmt = (
        select(
            ED.c.code, ED.c.seq, ED.c.name, ED.c.name_en, scores.c.score, ED.c.target, ED.c.direction,
            raw.label("ratio"), capped(raw, COMPOSITE_CAP).label("capped_ratio"), ED.c.weight,
            scored_weight.label("scored_weight"),
            (100.0 * ED.c.weight * capped(raw, COMPOSITE_CAP) / func.nullif(scored_weight, 0)).label("contribution"),
        )
        .select_from(ED)
        .outerjoin(scores, scores.c.dimension_code == ED.c.code)
        .order_by(ED.c.seq)
    )
    return db.frame(stmt)[columns]


def dimension_averages(db: Database, level: str, year: int) -> pd.DataFrame:
    """The district average score per dimension over every street (or community): the radar's reference."""
    stmt = (
        select(ED.c.code, cast(func.avg(ES.c.score), Float).label("average"))
        .join(ES, and_(ES.c.dimension_code == ED.c.code, ES.c.unit_level == level, ES.c.year == year))
        .group_by(ED.c.code)
    )
    return db.frame(stmt)


def league_table(db: Database, scope: Scope, level: str = "community", year: int | None = None) -> pd.DataFrame:
    """Composite ranking with the rank the year before and the change (positive: moved up)."""
    year = year if year is not None else evaluation_year(db, scope)
    current = composite_scores(db, scope, level, year)
    columns = list(current.columns) + ["previous_rank", "rank_change"]
    if current.empty:
        return pd.DataFrame(columns=columns)
    current["previous_rank"] = pd.NA
    if year - 1 in evaluation_years(db):
        before = composite_scores(db, scope, level, year - 1).set_index("code")["rank"]
        current["previous_rank"] = current["code"].map(before)
    current["previous_rank"] = current["previous_rank"].astype("Int64")
    current["rank_change"] = current["previous_rank"] - current["rank"]
    return current[columns]


def _scope_scores(scope: Scope):
    """The evaluated unit(s) standing for the scope: its community, its street, or all streets."""
    if scope.community:
        return and_(ES.c.unit_level == "community", ES.c.unit_code == scope.community,
                    place_filter(ES.c.unit_code, scope))
    street = scope.effective_street
    if street:
        return and_(ES.c.unit_level == "street", ES.c.unit_code == street)
    return ES.c.unit_level == "street"


def dimension_trend(db: Database, scope: Scope) -> pd.DataFrame:
    """Each dimension's score per evaluation year for the scope (the average of the streets for the district)."""
    stmt = (
        select(ED.c.code, ED.c.seq, ED.c.name, ED.c.name_en, ED.c.direction, ED.c.target, ES.c.year,
               cast(func.avg(ES.c.score), Float).label("score"))
        .join(ES, ES.c.dimension_code == ED.c.code)
        .where(_scope_scores(scope))
        .group_by(ED.c.code, ED.c.seq, ED.c.name, ED.c.name_en, ED.c.direction, ED.c.target, ES.c.year)
        .order_by(ED.c.seq, ES.c.year)
    )
    return db.frame(stmt)


def dimension_changes(db: Database, scope: Scope, year: int | None = None) -> pd.DataFrame:
    """Per dimension: the score the year before, this year, the change, and improved / stable / declined.

    The change is read in the dimension's good direction; within ±STABLE_TOLERANCE points it is stable.
    """
    columns = ["code", "seq", "name", "name_en", "direction", "previous", "current", "change", "status"]
    year = year if year is not None else evaluation_year(db, scope)
    trend = dimension_trend(db, scope)
    if year is None or trend.empty:
        return pd.DataFrame(columns=columns)
    keys = ["code", "seq", "name", "name_en", "direction"]
    wide = trend.pivot_table(index=keys, columns="year", values="score").reset_index()
    wide["current"] = wide[year] if year in wide else float("nan")
    wide["previous"] = wide[year - 1] if year - 1 in wide else float("nan")
    wide["change"] = wide["current"] - wide["previous"]
    good = wide["change"].where(wide["direction"] != "lower", -wide["change"])
    wide["status"] = "stable"
    wide.loc[good >= STABLE_TOLERANCE, "status"] = "improved"
    wide.loc[good <= -STABLE_TOLERANCE, "status"] = "declined"
    wide.loc[wide["change"].isna(), "status"] = "unknown"
    return wide.sort_values("seq")[columns].reset_index(drop=True)


def improved_or_stable_share(changes: pd.DataFrame) -> float | None:
    """The headline: the share of the compared dimensions that improved or held."""
    compared = changes.loc[changes["status"] != "unknown"]
    if compared.empty:
        return None
    return float(compared["status"].isin(["improved", "stable"]).mean())


# --- property-management star ratings -------------------------------------------------


def rating_years(db: Database) -> list[int]:
    return [int(y) for y in db.frame(select(PR.c.year).distinct().order_by(PR.c.year))["year"]]


def rating_year(db: Database, scope: Scope) -> int | None:
    """The rating year a period reads: the last one up to the period's end."""
    years = [y for y in rating_years(db) if y <= scope.period.end.year]
    return years[-1] if years else None


def rating_distribution(db: Database, scope: Scope, year: int) -> pd.DataFrame:
    """Rated compounds per unit (street, or community below the district) and star level."""
    units = unit_map(scope)
    stmt = (
        select(units.c.unit_code, units.c.unit_name, PR.c.stars, func.count().label("compounds"))
        .select_from(PR)
        .join(CO, CO.c.code == PR.c.compound_code)
        .join(units, units.c.community_code == CO.c.community_code)
        .where(PR.c.year == year)
        .group_by(units.c.unit_code, units.c.unit_name, PR.c.stars)
        .order_by(units.c.unit_code, PR.c.stars)
    )
    return db.frame(stmt)


def company_rating_changes(db: Database, scope: Scope, year: int) -> pd.DataFrame:
    """Per property company: compounds rated and average stars the year before and this year, and the move."""
    columns = ["company", "compounds", "previous_stars", "stars", "change", "movement"]
    stmt = (
        select(PR.c.company, PR.c.year, func.count().label("compounds"),
               cast(func.avg(PR.c.stars), Float).label("stars"))
        .join(CO, CO.c.code == PR.c.compound_code)
        .where(place_filter(CO.c.community_code, scope), PR.c.year.in_([year - 1, year]))
        .group_by(PR.c.company, PR.c.year)
    )
    frame = db.frame(stmt)
    now = frame.loc[frame["year"] == year].set_index("company")
    if now.empty:
        return pd.DataFrame(columns=columns)
    before = frame.loc[frame["year"] == year - 1].set_index("company")["stars"]
    out = pd.DataFrame({"company": now.index, "compounds": now["compounds"].to_numpy(),
                        "stars": now["stars"].to_numpy()})
    out["previous_stars"] = out["company"].map(before)
    out["change"] = out["stars"] - out["previous_stars"]
    out["movement"] = "same"
    out.loc[out["change"] > 0, "movement"] = "up"
    out.loc[out["change"] < 0, "movement"] = "down"
    out.loc[out["change"].isna(), "movement"] = "new"
    return out.sort_values(["change", "company"], ascending=[False, True])[columns].reset_index(drop=True)


def ratings_and_disputes(db: Database, scope: Scope, year: int) -> pd.DataFrame:
    """Per community: average stars of its rated compounds and property disputes per 1,000 households that year."""
    ratings = (
        select(CO.c.community_code, cast(func.avg(PR.c.stars), Float).label("average_stars"),
               func.count().label("rated_compounds"))
        .join(CO, CO.c.code == PR.c.compound_code)
        .where(PR.c.year == year, place_filter(CO.c.community_code, scope))
        .group_by(CO.c.community_code)
        .subquery("ratings")
    )
    disputes = (
        select(SM.c.community_code, func.sum(SM.c.property_disputes).label("property_disputes"))
        .where(SM.c.month.between(date(year, 1, 1), date(year, 12, 31)), place_filter(SM.c.community_code, scope))
        .group_by(SM.c.community_code)
        .subquery("disputes")
    )
    stmt = (
        select(C.c.code, C.c.name, C.c.households, ratings.c.average_stars, ratings.c.rated_compounds,
               func.coalesce(disputes.c.property_disputes, 0).label("property_disputes"),
               (1000.0 * func.coalesce(disputes.c.property_disputes, 0) / func.nullif(C.c.households, 0))
               .label("disputes_per_1000_households"))
        .join(ratings, ratings.c.community_code == C.c.code)
        .outerjoin(disputes, disputes.c.community_code == C.c.code)
        .order_by(C.c.code)
    )
    return db.frame(stmt)


def disputes_by_star_level(per_community: pd.DataFrame) -> pd.DataFrame:
    """Communities grouped by their average stars rounded to a whole star: mean disputes per 1,000 households."""
    columns = ["star_level", "communities", "disputes_per_1000_households"]
    if per_community.empty:
        return pd.DataFrame(columns=columns)
    level = (per_community["average_stars"] + 0.5).astype(float).floordiv(1).astype(int)
    grouped = per_community.assign(star_level=level).groupby("star_level").agg(
        communities=("code", "count"), disputes_per_1000_households=("disputes_per_1000_households", "mean"))
    return grouped.reset_index()[columns]


# --- glossary ------------------------------------------------------------------------


def indicator_glossary(db: Database) -> pd.DataFrame:
    """Every evaluation dimension and project acceptance indicator with its definition, target and weight."""
    dims = db.frame(select(ED.c.code, ED.c.seq, ED.c.name, ED.c.name_en, ED.c.description, ED.c.data_source,
                           ED.c.direction, ED.c.target, ED.c.weight, ED.c.assumed).order_by(ED.c.seq))
    dims.insert(0, "kind", "dimension")
    dims["max_score"] = float("nan")
    inds = db.frame(select(PI.c.code, PI.c.seq, PI.c.name, PI.c.name_en, PI.c.description, PI.c.direction,
                           PI.c.target, PI.c.weight, PI.c.max_score, PI.c.assumed).order_by(PI.c.seq))
    inds.insert(0, "kind", "project_indicator")
    inds["data_source"] = None
    frame = pd.concat([dims, inds[dims.columns]], ignore_index=True)
    frame["assumed"] = frame["assumed"].astype(bool)
    return frame
