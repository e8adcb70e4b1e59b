"""Who takes part: volunteers, residents mobilised, meetings, councils and service events."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select

from data_access import schema
from data_access.database import Database
from data_access.domain import EVENT_KINDS
from data_access.scope import Scope
from data_access.sql import date_filter, place_filter

E, VM, CP, CO = schema.participation_events, schema.volunteer_months, schema.courtesy_plans, schema.compounds


def volunteer_totals(db: Database, scope: Scope) -> pd.DataFrame:
    """One row: new volunteers and residents newly taking part in the period."""
    stmt = select(
        func.coalesce(func.sum(VM.c.new_volunteers), 0).label("new_volunteers"),
        func.coalesce(func.sum(VM.c.residents_taking_part), 0).label("residents_taking_part"),
    ).where(place_filter(VM.c.community_code, scope), date_filter(VM.c.month, scope.period))
    return db.frame(stmt)


def events_by_kind(db: Database, scope: Scope) -> pd.DataFrame:
    """Events per kind (every kind listed), participants, and issues settled by councils."""
    stmt = (
        select(
            E.c.kind,
            func.count().label("events"),
            func.coalesce(func.sum(E.c.participants), 0).label("participants"),
            func.coalesce(func.sum(E.c.issues_settled), 0).label("issues_settled"),
        )
        .where(place_filter(E.c.community_code, scope), date_filter(E.c.held_on, scope.period))
        .group_by(E.c.kind)
    )
    found = db.frame(stmt).set_index("kind")
    frame = pd.DataFrame({"kind": EVENT_KINDS})
    for col in ("events", "participants", "issues_settled"):
        frame[col] = frame["kind"].map(found[col]).fillna(0).astype(int)
    return frame


def courtesy_plan_count(db: Database, scope: Scope) -> int:
    """Volunteer courtesy plans (礼遇计划) in force by the period's end: a district-wide list."""
    return int(db.scalar(select(func.count()).where(CP.c.started_on <= scope.period.end)))


def party_base(db: Database, scope: Scope) -> pd.DataFrame:
    """One row: compounds, those with a party branch, party members, retired members transferred in."""
    stmt = select(
        func.count().label("compounds"),
        func.coalesce(func.sum(case((CO.c.has_party_branch, 1), else_=0)), 0).label("with_party_branch"),
        func.coalesce(func.sum(CO.c.party_members), 0).label("party_members"),
        func.coalesce(func.sum(CO.c.retired_members_transferred), 0).label("retired_members_transferred"),
    ).where(place_filter(CO.c.community_code, scope))
    return db.frame(stmt)
