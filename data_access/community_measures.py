"""Per-unit figures for the community map: one row per street or community of a scope.

The map colours units (the district's streets, or one street's communities) by a
measure. Every count is aggregated in SQL per unit; the per-1,000 and share
figures divide those aggregates by the unit's residents. Units with no rows keep
their place with zero counts (or NULL where a rate has no denominator), so the
map can tell "no data" from "low".

Levels: ``district`` (one row for the whole scope), ``street`` (one per street)
and ``community`` (one per community of the scope's street, all of them at
district scope). The scope's community is never applied here: a map needs its
neighbours. Role limits still hold through :func:`place_filter`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Integer, and_, cast, func, literal, select

from data_access import evaluation, schema, summary_rows
from data_access.database import Database
from data_access.domain import PROJECT_COMPLETED
from data_access.scope import Scope
from data_access.sql import date_filter, datetime_filter, days_between, percentile_select, place_filter

C, S = schema.communities, schema.streets
R, P, U, VM, V = schema.requests, schema.projects, schema.resource_uses, schema.volunteer_months, schema.venues

LEVELS = ("district", "street", "community")
DISTRICT_CODE = "440307"

#: the columns :func:`unit_measures` returns, in order
MEASURE_COLUMNS = [
    "code", "name", "street_code", "street_name", "population", "lat", "lon",
    "requests", "resolved", "requests_per_1000", "resolution_rate", "median_days",
    "projects", "projects_completed", "projects_completed_share", "composite",
    "resources_used", "new_volunteers", "volunteers_per_1000",
]


def _unit_key(level: str):
    if level == "community":
        return C.c.code
    if level == "street":
        return C.c.street_code
    if level == "district":
        return literal(DISTRICT_CODE)
    raise ValueError(f"unknown level {level!r}")


def _grouped(db: Database, level: str, table, scope: Scope, when, columns: dict) -> pd.DataFrame:
    """``{name: (aggregate, column_name)}`` per unit, for the table's rows in the scope and period."""
    place = place_filter(table.c.community_code, scope.without_community())
    rows = (
        select(_unit_key(level).label("unit"), *[table.c[col].label(col) for _, col in columns.values()])
        .select_from(table.join(C, C.c.code == table.c.community_code))
        .where(place, when)
        .subquery("rows")
    )
    stmt = select(rows.c.unit, *[agg(rows.c[col]).label(name) for name, (agg, col) in columns.items()])
    return db.frame(stmt.group_by(rows.c.unit))


def _units(db: Database, scope: Scope, level: str) -> pd.DataFrame:
    """The units with their names, residents and label point."""
    place = place_filter(C.c.code, scope.without_community())
    if level == "community":
        stmt = (
            select(C.c.code, C.c.name, C.c.street_code, S.c.name.label("street_name"), C.c.population,
                   C.c.lat, C.c.lon)
            .join(S, S.c.code == C.c.street_code)
            .where(place)
            .order_by(C.c.code)
        )
        return db.frame(stmt)
    if level == "street":
        population = (
            select(C.c.street_code, func.sum(C.c.population).label("population"))
            .where(place).group_by(C.c.street_code).subquery("street_population")
        )
        stmt = (
            select(S.c.code, S.c.name, S.c.code.label("street_code"), S.c.name.label("street_name"),
                   population.c.population, S.c.lat, S.c.lon)
            .join(population, population.c.street_code == S.c.code)
            .order_by(S.c.code)
        )
        return db.frame(stmt)
    population = db.scalar(select(func.coalesce(func.sum(C.c.population), 0)).where(place))
    return pd.DataFrame([{"code": DISTRICT_CODE, "name": "", "street_code": None, "street_name": None,
                          "population": int(population), "lat": None, "lon": None}])


def _median_days(db: Database, scope: Scope, level: str) -> pd.DataFrame:
    place = place_filter(R.c.community_code, scope.without_community())
    durations = (
        select(_unit_key(level).label("unit"), days_between(R.c.submitted_at, R.c.resolved_at).label("days"))
        .select_from(R.join(C, C.c.code == R.c.community_code))
        .where(place, datetime_filter(R.c.submitted_at, scope.period), R.c.resolved_at.is_not(None))
    )
    wrapped = select(durations.subquery("durations"))
    return db.frame(percentile_select(wrapped, "days", ["unit"], [50])).rename(columns={"p50": "median_days"})


def _request_measures(db: Database, scope: Scope, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Requests, resolved and median days per unit: from the span summary when it covers the period."""
    if not summary_rows.covered(db, scope.period):
        requests = _grouped(db, level, R, scope, datetime_filter(R.c.submitted_at, scope.period), {
            "requests": (_count, "id"),
            "resolved": (_count, "resolved_at"),
        })
        return requests, _median_days(db, scope, level)
    whole = scope.without_community()
    if level == "district":
        rows = summary_rows.span_rows(db, whole).assign(unit_code=DISTRICT_CODE)
    else:
        rows = summary_rows.span_rows(db, whole, level=level)
    rows = rows.rename(columns={"unit_code": "unit", "received": "requests"})
    return rows[["unit", "requests", "resolved"]], rows[["unit", "median_days"]]


def _count(col):
    return func.count(col)


def _sum(col):
    return func.coalesce(func.sum(col), 0)


def unit_measures(db: Database, scope: Scope, level: str = "community") -> pd.DataFrame:
    """The map's measures per unit (see :data:`MEASURE_COLUMNS`).

    requests: submitted in the period; resolution_rate: of those, resolved by the reference date;
    median_days: submission to resolution; projects: applied for in the period, completed = status
    完成 today; composite: the evaluation composite of the period's evaluation year (streets and
    communities only); resources_used: resource and service uses in the period; new_volunteers:
    volunteers recruited in the period. Per-1,000 figures divide by the unit's residents.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    units = _units(db, scope, level)
    period = scope.period
    requests, medians = _request_measures(db, scope, level)
    if summary_rows.covered(db, period):
        counts = summary_rows.unit_rows(db, scope.without_community(), level)
        if level == "district":
            counts = counts.assign(unit_code=DISTRICT_CODE)
        others = [counts.rename(columns={"unit_code": "unit"})[
            ["unit", "projects", "projects_completed", "resources_used", "new_volunteers"]]]
    else:
        others = [
            _grouped(db, level, P, scope, date_filter(P.c.applied_on, period), {"projects": (_count, "code")}),
            _grouped(db, level, P, scope, and_(date_filter(P.c.applied_on, period), P.c.status == PROJECT_COMPLETED),
                     {"projects_completed": (_count, "code")}),
            _grouped(db, level, U, scope, date_filter(U.c.used_on, period), {"resources_used": (_count, "id")}),
            _grouped(db, level, VM, scope, date_filter(VM.c.month, period),
                     {"new_volunteers": (_sum, "new_volunteers")}),
        ]

    frame = units.set_index("code")
    for part in (requests, *others, medians):  # aligned on the unit code (cheaper than merges, same result)
        part = part.set_index("unit")
        for column in part.columns:
            frame[column] = part[column].reindex(frame.index)
    frame = frame.reset_index()
    for col in ("requests", "resolved", "projects", "projects_completed", "resources_used", "new_volunteers"):
        frame[col] = frame[col].fillna(0).astype(int)
    population = frame["population"].astype(float).where(frame["population"] > 0)
    frame["requests_per_1000"] = frame["requests"] / population * 1000
    frame["volunteers_per_1000"] = frame["new_volunteers"] / population * 1000
    frame["resolution_rate"] = frame["resolved"] / frame["requests"].where(frame["requests"] > 0)
    frame["projects_completed_share"] = frame["projects_completed"] / frame["projects"].where(frame["projects"] > 0)
    frame["median_days"] = frame["median_days"].astype(float)

    if level in ("street", "community"):
        scores = evaluation.composite_scores(db, scope.without_community(), level=level)
        frame = frame.merge(scores[["code", "composite"]], on="code", how="left")
    else:
        frame["composite"] = float("nan")
    frame["composite"] = frame["composite"].astype(float)
    return frame[MEASURE_COLUMNS].reset_index(drop=True)


def request_hotspots(db: Database, scope: Scope, cell_deg: float = 0.005) -> pd.DataFrame:
    """Requests of the scope and period counted per grid cell of ``cell_deg`` degrees.

    Only cell counts leave the database, never request rows. Columns: lat, lon (the cell's
    centre), requests. Cell indexes are computed in an inner query and grouped in the outer one.
    """
    place = place_filter(R.c.community_code, scope)
    cells = (
        select(
            cast(func.round(R.c.lat / cell_deg), Integer).label("lat_cell"),
            cast(func.round(R.c.lon / cell_deg), Integer).label("lon_cell"),
        )
        .where(place, datetime_filter(R.c.submitted_at, scope.period))
        .subquery("cells")
    )
    stmt = (
        select(cells.c.lat_cell, cells.c.lon_cell, func.count().label("requests"))
        .group_by(cells.c.lat_cell, cells.c.lon_cell)
        .order_by(cells.c.lat_cell, cells.c.lon_cell)
    )
    frame = db.frame(stmt)
    frame["lat"] = frame["lat_cell"].astype(float) * cell_deg
    frame["lon"] = frame["lon_cell"].astype(float) * cell_deg
    return frame[["lat", "lon", "requests"]]


def venue_points(db: Database, scope: Scope) -> pd.DataFrame:
    """Shared venues open by the period's end in the scope's street (all at district scope)."""
    stmt = (
        select(V.c.code, V.c.name, V.c.kind, V.c.community_code, C.c.name.label("community_name"),
               V.c.opening_hours, V.c.lat, V.c.lon)
        .join(C, C.c.code == V.c.community_code)
        .where(place_filter(V.c.community_code, scope.without_community()), V.c.opened_on <= scope.period.end)
        .order_by(V.c.code)
    )
    return db.frame(stmt)
