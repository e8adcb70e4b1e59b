"""Resident requests and micro wishes: volumes, resolution and time to resolve.

Figures follow a cohort rule: a period's requests are those *submitted* in it;
"resolved" counts those of them resolved by the reference date. Times are in
days from submission to resolution.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, case, func, select

from data_access import schema
from data_access.database import Database
from data_access.domain import REQUEST_CHANNEL_PLATFORM
from data_access.scope import Scope
from data_access.sql import datetime_filter, days_between, month_of, percentile_select, place_filter, ratio

R, W = schema.requests, schema.micro_wishes


def _in_scope(scope: Scope):
    return [place_filter(R.c.community_code, scope), datetime_filter(R.c.submitted_at, scope.period)]


def request_totals(db: Database, scope: Scope) -> pd.DataFrame:
    """One row: received, resolved (all channels and 平安码上办 alone), open, rate, median and p90 days,
    satisfaction."""
    counts = select(
        func.count().label("received"),
        func.count(R.c.resolved_at).label("resolved"),
        func.coalesce(
            func.sum(case((and_(R.c.channel == REQUEST_CHANNEL_PLATFORM, R.c.resolved_at.is_not(None)), 1), else_=0)),
            0,
        ).label("platform_resolved"),
        ratio(func.count(R.c.resolved_at), func.count()).label("resolution_rate"),
        func.avg(R.c.satisfaction).label("satisfaction"),
    ).where(*_in_scope(scope))
    frame = db.frame(counts)
    durations = select(days_between(R.c.submitted_at, R.c.resolved_at).label("days")).where(
        *_in_scope(scope), R.c.resolved_at.is_not(None)
    )
    pct = db.frame(percentile_select(durations, "days", [], [50, 90]))
    frame["open"] = frame["received"] - frame["resolved"]
    frame["median_days"] = pct["p50"].iloc[0] if len(pct) else None
    frame["p90_days"] = pct["p90"].iloc[0] if len(pct) else None
    return frame


def requests_by_channel(db: Database, scope: Scope) -> pd.DataFrame:
    """received and resolved per channel (平安码上办, 智慧平安服务站, 居民谈心)."""
    stmt = (
        select(
            R.c.channel,
            func.count().label("received"),
            func.count(R.c.resolved_at).label("resolved"),
        )
        .where(*_in_scope(scope))
        .group_by(R.c.channel)
        .order_by(func.count().desc())
    )
    return db.frame(stmt)


def requests_by_month(db: Database, scope: Scope) -> pd.DataFrame:
    """Requests received per month of submission, and how many of them were resolved."""
    month = month_of(R.c.submitted_at).label("month")
    stmt = (
        select(month, func.count().label("received"), func.count(R.c.resolved_at).label("resolved"))
        .where(*_in_scope(scope))
        .group_by(month)
        .order_by(month)
    )
    return db.frame(stmt)


def wish_totals(db: Database, scope: Scope) -> pd.DataFrame:
    """One row: micro wishes posted in the period, claimed and fulfilled, median days to fulfil."""
    where = [place_filter(W.c.community_code, scope), datetime_filter(W.c.posted_at, scope.period)]
    frame = db.frame(
        select(
            func.count().label("posted"),
            func.count(W.c.claimed_at).label("claimed"),
            func.count(W.c.fulfilled_at).label("fulfilled"),
        ).where(*where)
    )
    durations = select(days_between(W.c.posted_at, W.c.fulfilled_at).label("days")).where(
        *where, W.c.fulfilled_at.is_not(None)
    )
    pct = db.frame(percentile_select(durations, "days", [], [50]))
    frame["median_days_to_fulfil"] = pct["p50"].iloc[0] if len(pct) else None
    return frame
