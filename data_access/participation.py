"""Who takes part: volunteers, residents mobilised, meetings, councils and service events."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import and_, case, func, select

from data_access import schema, summary_rows
from data_access.database import Database
from data_access.domain import (
    EVENT_CONVENIENCE_SERVICE,
    EVENT_COUNCIL_SESSION,
    EVENT_EDUCATION,
    EVENT_JOINT_MEETING,
    EVENT_KINDS,
    EVENT_VOLUNTEER_SERVICE,
    PARTNER_MERCHANT_KIND,
    PARTNER_SOCIAL_ORG_KIND,
)
from data_access.scope import Scope
from data_access.sql import date_filter, month_of, month_starts, place_filter
from data_access.units import breakdown_level, unit_map

E, VM, CP, CO = schema.participation_events, schema.volunteer_months, schema.courtesy_plans, schema.compounds


def _summary_row(db: Database, scope: Scope, columns: list[str]) -> pd.DataFrame:
    """One row of these participation summary columns for the scope's unit and span (zeros if none)."""
    row = summary_rows.participation_rows(db, scope)
    if not len(row):
        return pd.DataFrame([dict.fromkeys(columns, 0)])
    return row[columns].reset_index(drop=True)


def volunteer_totals(db: Database, scope: Scope) -> pd.DataFrame:
    """One row: new volunteers and residents newly taking part in the period."""
    if summary_rows.covered(db, scope.period):
        return _summary_row(db, scope, ["new_volunteers", "residents_taking_part"])
    stmt = select(
        func.coalesce(func.sum(VM.c.new_volunteers), 0).label("new_volunteers"),
        func.coalesce(func.sum(VM.c.residents_taking_part), 0).label("residents_taking_part"),
    ).where(place_filter(VM.c.community_code, scope), date_filter(VM.c.month, scope.period))
    return db.frame(stmt)


def events_by_kind(db: Database, scope: Scope) -> pd.DataFrame:
    """Events per kind (every kind listed), participants, and issues settled by councils."""
    if summary_rows.covered(db, scope.period):
        row = _summary_row(db, scope, schema.PARTICIPATION_MEASURES + schema.PARTICIPATION_KIND_MEASURES).iloc[0]
        return pd.DataFrame({"kind": EVENT_KINDS,
                             "events": [int(row[EVENT_COLUMNS[k]]) for k in EVENT_KINDS],
                             "participants": [int(row[f"{EVENT_COLUMNS[k]}_participants"]) for k in EVENT_KINDS],
                             "issues_settled": [int(row[f"{EVENT_COLUMNS[k]}_issues"]) for k in EVENT_KINDS]})
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


PU, C = schema.partner_units, schema.communities

#: column names of the event kinds in per-unit and per-month frames
EVENT_COLUMNS = {
    EVENT_JOINT_MEETING: "joint_meetings",
    EVENT_COUNCIL_SESSION: "council_sessions",
    EVENT_CONVENIENCE_SERVICE: "convenience_services",
    EVENT_VOLUNTEER_SERVICE: "volunteer_services",
    EVENT_EDUCATION: "education_activities",
}
#: figures shown per 1,000 residents
PER_1000 = ["new_volunteers", "active_volunteers", "residents_taking_part", *EVENT_COLUMNS.values(),
            "issues_settled", "caring_merchants", "social_organisations"]


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _last_month(db: Database, scope: Scope):
    """The latest volunteer month inside the period: active volunteers are a stock read there."""
    return db.scalar(select(func.max(VM.c.month)).where(date_filter(VM.c.month, scope.period)))


def participation_totals(db: Database, scope: Scope) -> pd.DataFrame:
    """One row of the participation headline figures for the scope and period.

    Flows (new volunteers, residents, events) are counted within the period;
    active volunteers in its last month; caring merchants and social
    organisations as a stock at its end; courtesy plans district-wide.
    """
    if summary_rows.covered(db, scope.period):
        row = _summary_row(db, scope, schema.PARTICIPATION_MEASURES)
        return row.assign(courtesy_plans=courtesy_plan_count(db, scope))
    flows = volunteer_totals(db, scope)
    last = _last_month(db, scope)
    flows["active_volunteers"] = int(db.scalar(
        select(func.coalesce(func.sum(VM.c.active_volunteers), 0))
        .where(place_filter(VM.c.community_code, scope), VM.c.month == last)
    ) or 0) if last is not None else 0
    partners = db.frame(select(
        _count_if(PU.c.kind == PARTNER_MERCHANT_KIND).label("caring_merchants"),
        _count_if(PU.c.kind == PARTNER_SOCIAL_ORG_KIND).label("social_organisations"),
        _count_if(and_(PU.c.kind == PARTNER_MERCHANT_KIND, PU.c.joined_on >= scope.period.start))
        .label("new_caring_merchants"),
        _count_if(and_(PU.c.kind == PARTNER_SOCIAL_ORG_KIND, PU.c.joined_on >= scope.period.start))
        .label("new_social_organisations"),
    ).where(place_filter(PU.c.community_code, scope), PU.c.joined_on <= scope.period.end))
    events = events_by_kind(db, scope).set_index("kind")
    row = pd.concat([flows, partners], axis=1)
    for kind, column in EVENT_COLUMNS.items():
        row[column] = int(events.loc[kind, "events"])
    row["issues_settled"] = int(events["issues_settled"].sum())
    row["event_participants"] = int(events["participants"].sum())
    row["courtesy_plans"] = courtesy_plan_count(db, scope)
    return row


def participation_by_month(db: Database, scope: Scope) -> pd.DataFrame:
    """Per month: new and active volunteers, residents taking part, and events of each kind."""
    frame = pd.DataFrame({"month": month_starts(scope.period.start, scope.period.end)})
    whole_months = scope.period.start.day == 1 and (scope.period.end + timedelta(days=1)).day == 1
    if whole_months and summary_rows.covered(db, scope.period):
        rows = summary_rows.participation_month_rows(db, scope, frame["month"].iloc[0], frame["month"].iloc[-1])
        frame = frame.merge(rows, on="month", how="left")
        return frame.fillna(0).astype({c: int for c in frame.columns if c != "month"})
    month = month_of(VM.c.month).label("month")
    volunteers = db.frame(
        select(month, func.sum(VM.c.new_volunteers).label("new_volunteers"),
               func.sum(VM.c.active_volunteers).label("active_volunteers"),
               func.sum(VM.c.residents_taking_part).label("residents_taking_part"))
        .where(place_filter(VM.c.community_code, scope), date_filter(VM.c.month, scope.period))
        .group_by(month)
    )
    event_month = month_of(E.c.held_on).label("month")
    events = db.frame(
        select(event_month, *[_count_if(E.c.kind == kind).label(col) for kind, col in EVENT_COLUMNS.items()],
               func.coalesce(func.sum(E.c.issues_settled), 0).label("issues_settled"))
        .where(place_filter(E.c.community_code, scope), date_filter(E.c.held_on, scope.period))
        .group_by(event_month)
    )
    frame = frame.merge(volunteers, on="month", how="left").merge(events, on="month", how="left")
    return frame.fillna(0).astype({c: int for c in frame.columns if c != "month"})


def participation_by_unit(db: Database, scope: Scope) -> pd.DataFrame:
    """Per unit (streets for the district, communities below): the participation figures and residents."""
    units = unit_map(scope)
    frame = db.frame(
        select(units.c.unit_code, units.c.unit_name, func.sum(units.c.population).label("population"))
        .group_by(units.c.unit_code, units.c.unit_name).order_by(units.c.unit_code)
    )
    measured = ["new_volunteers", "residents_taking_part", "active_volunteers", *EVENT_COLUMNS.values(),
                "issues_settled", "caring_merchants", "social_organisations"]
    if summary_rows.covered(db, scope.period):
        rows = summary_rows.participation_rows(db, scope, breakdown_level(scope))
        return _per_1000(frame.merge(rows[["unit_code", *measured]], on="unit_code", how="left"))
    last = _last_month(db, scope)
    parts = [
        select(units.c.unit_code, func.sum(VM.c.new_volunteers).label("new_volunteers"),
               func.sum(VM.c.residents_taking_part).label("residents_taking_part"))
        .join(units, units.c.community_code == VM.c.community_code)
        .where(date_filter(VM.c.month, scope.period)).group_by(units.c.unit_code),
        select(units.c.unit_code, func.sum(VM.c.active_volunteers).label("active_volunteers"))
        .join(units, units.c.community_code == VM.c.community_code)
        .where(VM.c.month == last).group_by(units.c.unit_code),
        select(units.c.unit_code, *[_count_if(E.c.kind == kind).label(col) for kind, col in EVENT_COLUMNS.items()],
               func.coalesce(func.sum(E.c.issues_settled), 0).label("issues_settled"))
        .join(units, units.c.community_code == E.c.community_code)
        .where(date_filter(E.c.held_on, scope.period)).group_by(units.c.unit_code),
        select(units.c.unit_code, _count_if(PU.c.kind == PARTNER_MERCHANT_KIND).label("caring_merchants"),
               _count_if(PU.c.kind == PARTNER_SOCIAL_ORG_KIND).label("social_organisations"))
        .join(units, units.c.community_code == PU.c.community_code)
        .where(PU.c.joined_on <= scope.period.end).group_by(units.c.unit_code),
    ]
    for stmt in parts:
        frame = frame.merge(db.frame(stmt), on="unit_code", how="left")
    return _per_1000(frame)


def _per_1000(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as integers (zero where a unit has none) and each per 1,000 residents."""
    for column in PER_1000:
        if column not in frame:
            frame[column] = 0
        frame[column] = frame[column].fillna(0).astype(int)
        frame[f"{column}_per_1000"] = 1000.0 * frame[column] / frame["population"].where(frame["population"] > 0)
    return frame


def courtesy_plans(db: Database, scope: Scope) -> pd.DataFrame:
    """The volunteer courtesy plans in force by the period's end (a district-wide list)."""
    stmt = (
        select(CP.c.code, CP.c.name, CP.c.domain, CP.c.provider, CP.c.started_on)
        .where(CP.c.started_on <= scope.period.end)
        .order_by(CP.c.started_on, CP.c.code)
    )
    return db.frame(stmt)


def party_base_by_unit(db: Database, scope: Scope) -> pd.DataFrame:
    """Per unit: compounds, those with a party branch, party members (and per compound), retired members in."""
    units = unit_map(scope)
    stmt = (
        select(
            units.c.unit_code, units.c.unit_name, func.count().label("compounds"),
            _count_if(CO.c.has_party_branch).label("with_party_branch"),
            func.coalesce(func.sum(CO.c.party_members), 0).label("party_members"),
            func.coalesce(func.sum(CO.c.retired_members_transferred), 0).label("retired_members_transferred"),
        )
        .join(units, units.c.community_code == CO.c.community_code)
        .group_by(units.c.unit_code, units.c.unit_name)
        .order_by(units.c.unit_code)
    )
    frame = db.frame(stmt)
    frame["branch_coverage"] = frame["with_party_branch"] / frame["compounds"].where(frame["compounds"] > 0)
    frame["members_per_compound"] = frame["party_members"] / frame["compounds"].where(frame["compounds"] > 0)
    return frame
