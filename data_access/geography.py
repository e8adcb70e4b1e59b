"""Streets, communities and the span of the data (start and as-of date)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select

from data_access import schema
from data_access.database import Database
from data_access.scope import Scope
from data_access.sql import place_filter

S, C = schema.streets, schema.communities


def streets(db: Database, scope: Scope | None = None) -> pd.DataFrame:
    """The streets a viewer may pick: all of them, or only a street role's own."""
    stmt = select(S.c.code, S.c.name, S.c.name_en, S.c.population, S.c.lat, S.c.lon).order_by(S.c.code)
    if scope is not None and scope.role_street:
        stmt = stmt.where(S.c.code == scope.role_street)
    return db.frame(stmt)


def communities(db: Database, scope: Scope | None = None) -> pd.DataFrame:
    """Communities in the scope's street (all if none), with their street's name."""
    stmt = (
        select(
            C.c.code, C.c.name, C.c.street_code, S.c.name.label("street_name"),
            C.c.population, C.c.households, C.c.is_pilot, C.c.lat, C.c.lon,
        )
        .join(S, S.c.code == C.c.street_code)
        .order_by(C.c.street_code, C.c.code)
    )
    if scope is not None:
        stmt = stmt.where(place_filter(C.c.code, scope.without_community()))
    return db.frame(stmt)


def street_of(communities: pd.DataFrame) -> dict[str, str]:
    """Community code -> street code, from a frame of :func:`communities`. Built from plain lists:
    iterating a column of Arrow strings goes element by element, which a city's communities feel on
    every rerun."""
    return dict(zip(communities["code"].tolist(), communities["street_code"].tolist(), strict=True))


def scope_population(db: Database, scope: Scope) -> int:
    """Residents in the scope, the denominator of every per-1,000 figure."""
    stmt = select(func.coalesce(func.sum(C.c.population), 0)).where(place_filter(C.c.code, scope))
    return int(db.scalar(stmt))


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def scan_range(scalar) -> tuple[date, date] | None:
    """(first, last) date of the activity tables, each found with ``scalar(statement)``; None if empty."""
    firsts = [schema.requests.c.submitted_at, schema.projects.c.applied_on, schema.safety_months.c.month]
    lasts = [schema.requests.c.submitted_at, schema.requests.c.resolved_at, schema.requests.c.closed_at,
             schema.micro_wishes.c.fulfilled_at, schema.participation_events.c.held_on,
             schema.fund_entries.c.entry_date, schema.resource_uses.c.used_on, schema.project_milestones.c.done_on]
    first = [d for d in (_as_date(scalar(select(func.min(c)))) for c in firsts) if d]
    last = [d for d in (_as_date(scalar(select(func.max(c)))) for c in lasts) if d]
    if not first or not last:
        return None
    return min(first), max(last)


def data_range(db: Database) -> tuple[date, date]:
    """(first, last) date found in the activity tables.

    The last one is the dashboard's reference ("as of") date: never the wall
    clock, so a demo of old data is never blank. The loader and the importer record both in
    ``dataset_info`` (data_access.summaries), so this is one lookup, not a scan of every dated table.
    """
    info = db.dataset_info()
    if "data_start" in info and "reference_date" in info:
        return date.fromisoformat(info["data_start"]), date.fromisoformat(info["reference_date"])
    found = scan_range(db.scalar)
    if found is None:
        raise LookupError("the database holds no dated records")
    return found
