"""The monthly and weekly bulletin (民生诉求办理情况通报): streets or communities ranked on a composite.

A bulletin is a snapshot as at its cut-off: the last day of its month or ISO week, or the
data's as-of date when that is earlier. Every status is read from the status history up to
the cut-off, so re-running a bulletin later on the same data gives the same figures.

Per unit (street, or community within a street), over the requests *submitted* in the period:

* 受理量 ``received``: the requests submitted in the period (up to the cut-off);
* 响应率 ``response_rate``: share accepted (first status past 待受理 other than 已退回) within the
  category's response target in hours (``config/bulletin.toml``), by the cut-off;
* 办结率 ``resolution_rate``: share whose latest status by the cut-off is 已办结 or 已关闭;
* 按时办结率 ``on_time_rate``: of the requests *due* by the cut-off (resolved by then, or still open
  with their category's target days, ``config/request_targets.toml``, already past), the share
  resolved no later than the target (exactly at the target counts as on time), measured to the
  latest 已办结 (or the 已关闭 when no 已办结 was recorded). A request submitted days before the
  cut-off and not yet due does not count against its unit: the snapshot judges only what fell due;
* 满意率 ``satisfaction_rate``: among the rated requests resolved by the cut-off, the share
  rated 4 or 5; 不满意数 ``dissatisfied``: rated 1 or 2;
* 退回/重办 ``returned_reopened``: requests returned (已退回) or reopened (a status other than a
  closure after a resolution) by the cut-off;
* 综合得分 ``composite``: Σ weight × rate ÷ Σ weight × 100 over the rates the unit has.

Counts and rates are computed in SQL. The summary refresh keeps every month's and ISO week's counts per
community at its cut-off (``bulletin_count_summary``, built and patched by data_access/summaries.py with
:func:`community_counts`), so a bulletin, its streaks and a year of comparison are sums of a few thousand
stored rows; a period at another cut-off, or other definitions, are counted from the raw rows (on
PostgreSQL several periods in one statement, each request's history read through a LATERAL subquery;
on SQLite one statement per period, see period_counts). Ranks, streaks and lists are arithmetic on
those rows. A street role sees its communities and, among the streets, only the other streets'
composite and rank.

Command line: ``python -m data_access.bulletin --period 2023-10 --level street --out FILE.xlsx``.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import pandas as pd
from sqlalchemy import DateTime, Float, and_, bindparam, case, func, literal, or_, select

from data_access import schema
from data_access.database import Database
from data_access.domain import REQUEST_CATEGORIES, REQUEST_RETURNED
from data_access.geography import data_range
from data_access.requests import Targets, load_request_targets
from data_access.scope import DISTRICT_ROLE, STREET_ROLE_PREFIX
from data_access.sql import days_between, ratio
from data_access.summary_rows import SUMMARY_VERSION

R, H, C, S = schema.requests, schema.request_status_history, schema.communities, schema.streets
B = schema.bulletin_count_summary

CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "bulletin.toml"
LEVELS = ("street", "community")
#: the four rates of the composite, in the order the bulletin prints them
MEASURES = ("response_rate", "resolution_rate", "on_time_rate", "satisfaction_rate")
RESOLVED_STATUSES = ("已办结", "已关闭")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
#: how many earlier periods a streak looks back at most
MAX_STREAK_LOOKBACK = 60


class BulletinError(ValueError):
    """Bad input (period, level, street): the message is Chinese, for the reader."""


# --- configuration -----------------------------------------------------------------------


@dataclass(frozen=True)
class BulletinConfig:
    """The definitions of config/bulletin.toml as a hashable value (a cache key)."""

    response_hours: tuple[tuple[str, float], ...]  # (category, hours) ... plus ("*", default)
    weights: tuple[tuple[str, float], ...]  # (measure, weight) in MEASURES order
    min_requests: int = 20
    red_list_size: int = 3
    floors: tuple[tuple[str, float], ...] = ()  # (measure, floor share)

    @property
    def default_hours(self) -> float:
        return dict(self.response_hours)["*"]

    def weight(self, measure: str) -> float:
        return dict(self.weights).get(measure, 0.0)


def load_bulletin_config(path: Path | str | None = None) -> BulletinConfig:
    """Read config/bulletin.toml (or ``path``); raise BulletinError (Chinese) on a bad value."""
    with open(path or CONFIG_FILE, "rb") as f:
        raw = tomllib.load(f)
    response = raw.get("response", {})
    default = float(response.get("default_hours", 24))
    named = {str(k): float(v) for k, v in response.get("categories", {}).items()}
    if any(v <= 0 for v in [default, *named.values()]):
        raise BulletinError("通报配置错误：响应时限（小时）必须为正数")
    hours = {c: named.get(c, default) for c in REQUEST_CATEGORIES} | named
    weights_raw = raw.get("weights", {})
    weights = tuple((m, float(weights_raw.get(m, 0))) for m in MEASURES)
    if any(w < 0 for _, w in weights) or sum(w for _, w in weights) <= 0:
        raise BulletinError("通报配置错误：权重不能为负，且合计必须大于0")
    ranking = raw.get("ranking", {})
    floors = tuple((m, float(v)) for m, v in raw.get("floors", {}).items() if m in MEASURES)
    if any(not 0 <= v <= 1 for _, v in floors):
        raise BulletinError("通报配置错误：黑榜底线须为0到1之间的比例")
    return BulletinConfig(
        response_hours=tuple(sorted(hours.items())) + (("*", default),),
        weights=weights,
        min_requests=int(ranking.get("min_requests", 20)),
        red_list_size=int(ranking.get("red_list_size", 3)),
        floors=floors,
    )


# --- periods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BulletinPeriod:
    """A calendar month (``2023-10``) or an ISO week (``2023-W42``), inclusive dates."""

    key: str
    kind: str  # "month" or "week"
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year if self.kind == "month" else self.start.isocalendar()[0]

    @property
    def number(self) -> int:
        """The month (1-12) or the ISO week number."""
        return self.start.month if self.kind == "month" else self.start.isocalendar()[1]

    def previous(self) -> BulletinPeriod:
        if self.kind == "month":
            return month_period(self.start - timedelta(days=1))
        return week_period(self.start - timedelta(days=7))


def month_period(day: date) -> BulletinPeriod:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return BulletinPeriod(f"{start.year:04d}-{start.month:02d}", "month", start, end)


def week_period(day: date) -> BulletinPeriod:
    year, week, weekday = day.isocalendar()
    start = day - timedelta(days=weekday - 1)
    return BulletinPeriod(f"{year:04d}-W{week:02d}", "week", start, start + timedelta(days=6))


def parse_bulletin_period(key: str) -> BulletinPeriod:
    """``2023-10`` or ``2023-W42``; BulletinError with a Chinese message otherwise."""
    key = str(key or "").strip()
    month, week = _MONTH.match(key), _WEEK.match(key)
    try:
        if month:
            return month_period(date(int(month[1]), int(month[2]), 1))
        if week:
            return week_period(date.fromisocalendar(int(week[1]), int(week[2]), 1))
    except ValueError:
        pass
    raise BulletinError(f"通报时段“{key}”无效：月份请写成 2023-10，周请写成 2023-W42（ISO周）")


def period_options(data_start: date, reference: date, kind: str) -> list[BulletinPeriod]:
    """Every month or ISO week the data covers, newest first."""
    make = month_period if kind == "month" else week_period
    options, current = [], make(reference)
    while current.end >= data_start:
        options.append(current)
        current = current.previous()
    return options


def month_for(key: str, data_start: date, reference: date) -> BulletinPeriod | None:
    """The month a show slide or a briefing names: ``2023-10`` itself (when the data covers it), or
    for ``all``, a year or a quarter (the app's period keys) the latest *complete* month of that
    period up to the data's as-of date (the period's last month, cut off at the as-of date, when no
    month of it is complete yet). None when the key is malformed or outside the data.
    """
    from data_access.scope import parse_period  # light: the scope module has no database code

    key = str(key or "").strip()
    if _MONTH.match(key):
        try:
            month = parse_bulletin_period(key)
        except BulletinError:
            return None
        return month if month.start <= reference and month.end >= data_start else None
    period = parse_period(key, data_start, reference)
    if period is None:
        return None
    until = min(period.end, reference)
    month = month_period(until)
    if month.end > until and month.previous().end >= max(period.start, data_start):
        month = month.previous()
    return month


def cutoff_date(period: BulletinPeriod, reference: date) -> date:
    """The bulletin's cut-off: the period's last day, or the data's as-of date when earlier."""
    return min(period.end, reference)


# --- the SQL -----------------------------------------------------------------------------


def _category_value(category, values: tuple[tuple[str, float], ...], default: float):
    named = [(k, v) for k, v in values if k != "*"]
    if not named:
        return literal(default, Float)
    return case(*[(category == k, v) for k, v in named], else_=default)


def _unit_filter(level: str, street: str | None):
    """A street's communities; every unit of the level when ``street`` is None."""
    if level == "community" and street is not None:
        return C.c.street_code == street
    return literal(True)


def unit_counts(db: Database, period: BulletinPeriod, cutoff: date, level: str, street: str | None,
                config: BulletinConfig, targets: Targets) -> pd.DataFrame:
    """Per unit with requests: received and the numerators of every measure, and the rates, from SQL.

    Rows of units with no request in the period are absent (the caller lists every unit).
    """
    counts = period_counts(db, [(period, cutoff)], level, street, config, targets)
    return counts.get(period.key, _empty_counts())


COUNT_COLUMNS = ("received", "responded", "resolved", "on_time", "due", "rated", "satisfied", "dissatisfied",
                 "returned", "reopened", "returned_reopened")


def _empty_counts() -> pd.DataFrame:
    """unit_counts of a period with no request: the columns, no row."""
    return pd.DataFrame({"code": pd.Series(dtype=object), **{c: pd.Series(dtype="int64") for c in COUNT_COLUMNS},
                         **{m: pd.Series(dtype=float) for m in MEASURES}})


def _bounds(period: BulletinPeriod, cutoff: date) -> tuple[datetime, datetime]:
    """The period's requests: submitted from its first day to the end of its cut-off day (exclusive)."""
    return datetime.combine(period.start, time.min), datetime.combine(cutoff + timedelta(days=1), time.min)


def _by_span(value, spans: list[tuple[datetime, datetime, object]]):
    """The result of the span [start, end) holding ``value`` (which the caller's WHERE keeps inside one):
    a balanced tree of CASEs over the spans sorted by start, so a value costs log2(spans) comparisons,
    not one per span."""
    spans = sorted(spans, key=lambda s: s[0])
    if len(spans) == 1:
        return spans[0][2]
    middle = len(spans) // 2
    return case((value < spans[middle][0], _by_span(value, spans[:middle])),
                else_=_by_span(value, spans[middle:]))


def _rates(sums: dict) -> list:
    """The four rates from the counts' sums (expressions by COUNT_COLUMNS name)."""
    return [ratio(sums["responded"], sums["received"]).label("response_rate"),
            ratio(sums["resolved"], sums["received"]).label("resolution_rate"),
            ratio(sums["on_time"], sums["due"]).label("on_time_rate"),
            ratio(sums["satisfied"], sums["rated"]).label("satisfaction_rate")]


def _unit_totals(rows, rates: bool = True) -> list:
    """Per group of the per-request flag rows ``rows``: received, every flag's sum and (``rates``) the four rates."""
    sums = {name: func.count() if name == "received" else func.sum(rows.c[name]) for name in COUNT_COLUMNS}
    return [*(sums[name].label(name) for name in COUNT_COLUMNS), *(_rates(sums) if rates else [])]


def _history_facts() -> list:
    """What a request's history up to the cut-off says, as aggregates over its rows: the last status's seq,
    the first and last resolution, the last open status, acceptance, resolution and closing times, a return."""
    resolved = H.c.status.in_(RESOLVED_STATUSES)
    return [
        func.max(H.c.seq).label("last_seq"),
        func.max(case((resolved, H.c.seq))).label("last_resolved_seq"),
        func.min(case((resolved, H.c.seq))).label("first_resolved_seq"),
        func.max(case((~resolved, H.c.seq))).label("last_open_seq"),
        func.min(case((H.c.status.not_in(("待受理", REQUEST_RETURNED)), H.c.changed_at))).label("accepted"),
        func.max(case((H.c.status == "已办结", H.c.changed_at))).label("resolved_at"),
        func.min(case((H.c.status == "已关闭", H.c.changed_at))).label("closed_at"),
        func.max(case((H.c.status == REQUEST_RETURNED, 1), else_=0)).label("returned"),
    ]


def _flags(row, facts, cut, config: BulletinConfig, targets: Targets) -> list:
    """One 0/1 flag per counted measure of a request: ``row`` has its submitted_at, category and satisfaction,
    ``facts`` the _history_facts of its history up to the cut-off, ``cut`` the end of its cut-off day."""
    resolved_at = func.coalesce(facts.resolved_at, facts.closed_at)
    is_resolved = and_(facts.last_resolved_seq.is_not(None), facts.last_resolved_seq == facts.last_seq)
    response_s = func.round(days_between(row.submitted_at, facts.accepted) * 86400)
    resolve_s = func.round(days_between(row.submitted_at, resolved_at) * 86400)
    since_s = func.round(days_between(row.submitted_at, cut) * 86400)  # submission to the cut-off's end
    hours = _category_value(row.category, config.response_hours, config.default_hours)
    days = _category_value(row.category, targets, dict(targets).get("*", 7.0))
    rated = and_(is_resolved, row.satisfaction.is_not(None))
    reopened = and_(facts.first_resolved_seq.is_not(None), facts.last_open_seq > facts.first_resolved_seq)

    def flag(condition):
        return case((condition, 1), else_=0)

    return [
        flag(and_(facts.accepted.is_not(None), response_s <= hours * 3600)).label("responded"),
        flag(is_resolved).label("resolved"),
        flag(and_(is_resolved, resolve_s <= days * 86400)).label("on_time"),
        flag(or_(is_resolved, since_s > days * 86400)).label("due"),
        flag(rated).label("rated"),
        flag(and_(rated, row.satisfaction >= 4)).label("satisfied"),
        flag(and_(rated, row.satisfaction <= 2)).label("dissatisfied"),
        flag(reopened).label("reopened"),
        flag(facts.returned == 1).label("returned"),
        flag(or_(facts.returned == 1, reopened)).label("returned_reopened"),
    ]


def _one_period_statement(period: BulletinPeriod, cutoff: date, level: str, street: str | None,
                          config: BulletinConfig, targets: Targets):
    """unit_counts of one period as one statement: the history of the period's requests (``request_id IN``)
    grouped per request, then joined to them (SQLite walks the history's primary key in id order)."""
    start, end = _bounds(period, cutoff)
    unit = (C.c.street_code if level == "street" else C.c.code).label("unit")
    in_period = [R.c.submitted_at >= start, R.c.submitted_at < end, _unit_filter(level, street)]
    ids = select(R.c.id).select_from(R.join(C, C.c.code == R.c.community_code)).where(*in_period)
    history = (
        select(H.c.request_id, *_history_facts())
        .where(H.c.changed_at < end, H.c.request_id.in_(ids))
        .group_by(H.c.request_id)
        .subquery("hist")
    )
    rows = (
        select(unit, *_flags(R.c, history.c, literal(end), config, targets))
        .select_from(R.join(C, C.c.code == R.c.community_code).outerjoin(history, history.c.request_id == R.c.id))
        .where(*in_period)
        .subquery("flags")
    )
    return select(rows.c.unit.label("code"), *_unit_totals(rows)).group_by(rows.c.unit).order_by(rows.c.unit)


def _periods_of(spans: Sequence[tuple[BulletinPeriod, date]]):
    """For periods that do not overlap: (which period's key a request's submission falls in, the end of that
    period's cut-off day, the conditions keeping the requests of some period), as expressions of the request."""
    bounds = sorted(((p.key, *_bounds(p, cutoff)) for p, cutoff in spans), key=lambda b: b[1])
    if any(b[1] < a[2] for a, b in pairwise(bounds)):
        raise ValueError("period_counts: the periods overlap")
    which = _by_span(R.c.submitted_at, [(start, end, literal(key)) for key, start, end in bounds])
    cut = _by_span(R.c.submitted_at, [(start, end, literal(end, DateTime())) for _, start, end in bounds])
    where = [R.c.submitted_at >= bounds[0][1], R.c.submitted_at < max(b[2] for b in bounds)]
    if any(a[2] != b[1] for a, b in pairwise(bounds)):  # a gap between two periods: not in either
        where.append(or_(*[and_(R.c.submitted_at >= start, R.c.submitted_at < end) for _, start, end in bounds]))
    return which, cut, where


def community_counts(spans: Sequence[tuple[BulletinPeriod, date]], config: BulletinConfig, targets: Targets,
                     by_ids: bool = False, every_period: bool = False):
    """The counts (no rates) per period, community and its street of the requests submitted in ``spans``
    ((period, cut-off), not overlapping), or (``by_ids``) of those among the ``ids`` parameter given at
    execution: what ``bulletin_count_summary`` holds. The summary refresh builds it whole with this
    (``every_period``: the spans cover the data), recounts a few periods, and patches it with the counts
    of an import's changed requests before and after (one statement for every import: compiled once).
    One pass over the requests in id order, each joined to its history up to its own cut-off through
    the history's primary key and grouped per request, so SQLite sorts nothing."""
    which, cut, where = _periods_of(spans)
    if by_ids:
        where.append(R.c.id.in_(bindparam("ids", expanding=True)))
    elif not every_period:  # the periods' requests by the submission-time index, then looked up in id order
        where.append(R.c.id.in_(select(R.c.id).where(*where)))
    per_request = (
        select(R.c.id, which.label("period"), R.c.community_code, R.c.submitted_at, R.c.category,
               R.c.satisfaction, cut.label("cut"), *_history_facts())
        .select_from(R.outerjoin(H, and_(H.c.request_id == R.c.id, H.c.changed_at < cut)))
        .where(*where)
        .group_by(R.c.id)
        .subquery("per_request")
    )
    q = per_request.c
    rows = select(q.period, q.community_code, *_flags(q, q, q.cut, config, targets)).subquery("flags")
    counts = (select(rows.c.period, rows.c.community_code, *_unit_totals(rows, rates=False))
              .group_by(rows.c.period, rows.c.community_code).subquery("counts"))
    # the street joined to the groups, not to every request: grouped by id alone, SQLite walks the requests'
    # primary key in order and sorts nothing
    return (select(counts.c.period, counts.c.community_code, C.c.street_code,
                   *(counts.c[name] for name in COUNT_COLUMNS))
            .join_from(counts, C, C.c.code == counts.c.community_code))


def counts_fingerprint(config: BulletinConfig, targets: Targets) -> str:
    """What the stored counts depend on besides the data: the response hours and the target days."""
    return hashlib.sha1(repr((config.response_hours, tuple(targets))).encode("utf-8")).hexdigest()[:16]


def _stored_counts(db: Database, spans: Sequence[tuple[BulletinPeriod, date]], level: str, street: str | None,
                   config: BulletinConfig, targets: Targets) -> tuple[dict[str, pd.DataFrame], list]:
    """(period_counts of the spans ``bulletin_count_summary`` holds, the other spans). It holds every period at
    its standard cut-off (its last day, or the reference date when earlier) as of the stored reference date,
    with the definitions it was built with (counts_fingerprint); anything else is counted from the raw rows."""
    info = db.dataset_info()
    if (info.get("summary_version") != SUMMARY_VERSION or "reference_date" not in info
            or info.get("bulletin_counts") != counts_fingerprint(config, targets)):
        return {}, list(spans)
    reference = date.fromisoformat(info["reference_date"])
    held = [(p, cutoff) for p, cutoff in spans if cutoff == cutoff_date(p, reference)]
    if not held:
        return {}, list(spans)
    unit = (B.c.street_code if level == "street" else B.c.community_code).label("code")
    where = [B.c.kind.in_(sorted({p.kind for p, _c in held})), B.c.period_key.in_([p.key for p, _c in held])]
    if level == "community" and street is not None:
        where.append(B.c.street_code == street)
    sums = {name: func.sum(B.c[name]) for name in COUNT_COLUMNS}
    stmt = (select(B.c.period_key.label("period"), unit, *[sums[name].label(name) for name in COUNT_COLUMNS],
                   *_rates(sums))
            .where(*where).group_by(B.c.period_key, unit).order_by(B.c.period_key, unit))
    return _by_period(db.frame(stmt)), [span for span in spans if span not in held]


def _long(counts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """period_counts' frames as one, with a ``period`` column (the reverse of _by_period)."""
    if not counts:
        return _empty_counts().assign(period=pd.Series(dtype=object))
    return pd.concat([frame.assign(period=key) for key, frame in counts.items()], ignore_index=True)


def _by_period(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """{period: its rows without the period column} of a frame with a ``period`` column."""
    periods = frame.pop("period")
    return {key: frame.take(rows).reset_index(drop=True) for key, rows in periods.groupby(periods).indices.items()}


def period_counts(db: Database, spans: Sequence[tuple[BulletinPeriod, date]], level: str, street: str | None,
                  config: BulletinConfig, targets: Targets) -> dict[str, pd.DataFrame]:
    """unit_counts of several periods (``(period, cut-off)``, not overlapping): {period key: frame}.

    The periods the summary holds at these cut-offs and definitions are sums of its community rows
    (_stored_counts). The others are counted from the raw rows. Each request belongs to at most one
    period, and its status history is read up to that period's cut-off, so on PostgreSQL one pass over
    the periods' requests, each joined to its own history through the history's primary key
    (request_id, seq), gives every period's snapshot: a page's current period, the months a streak looks
    back at and a year of comparison are one statement, not one each. Periods with no request are absent.
    """
    if not spans:
        return {}
    out, spans = _stored_counts(db, spans, level, street, config, targets)
    if not spans:
        return out
    if db.engine.dialect.name != "postgresql":
        # SQLite: one statement per period, whose plan needs no sort (measured at city scale: the one
        # statement of every period below took half as long again)
        for period, cutoff in spans:
            frame = db.frame(_one_period_statement(period, cutoff, level, street, config, targets))
            if not frame.empty:
                out[period.key] = frame
        return out
    which, cut, where = _periods_of(spans)
    where.append(_unit_filter(level, street))
    unit = (C.c.street_code if level == "street" else C.c.code).label("unit")
    facts = _history_facts()
    # one row per request: its period, unit and the facts of its history up to its period's cut-off, read
    # through the history's primary key (request_id, seq). Left to choose, PostgreSQL's planner hashes the
    # whole history (8.4 million rows at city scale) for one month's requests.
    history = select(*facts).where(H.c.request_id == R.c.id, H.c.changed_at < cut).lateral("history")
    per_request = (
        select(R.c.id, which.label("period"), unit, R.c.submitted_at, R.c.category, R.c.satisfaction,
               cut.label("cut"), *[history.c[f.name] for f in facts])
        .select_from(R.join(C, C.c.code == R.c.community_code).join(history, literal(True)))
        .where(*where)
        .subquery("per_request")
    )
    q = per_request.c
    rows = select(q.period, q.unit, *_flags(q, q, q.cut, config, targets)).subquery("flags")
    stmt = (
        select(rows.c.period, rows.c.unit.label("code"), *_unit_totals(rows))
        .group_by(rows.c.period, rows.c.unit)
        .order_by(rows.c.period, rows.c.unit)
    )
    out.update(_by_period(db.frame(stmt)))
    return out


def unit_list(db: Database, level: str, street: str | None) -> pd.DataFrame:
    """code, name (and street_code) of every street, or of every community of ``street``."""
    if level == "street":
        return db.frame(select(S.c.code, S.c.name, S.c.name_en).order_by(S.c.code))
    return db.frame(select(C.c.code, C.c.name, C.c.street_code).where(C.c.street_code == street).order_by(C.c.code))


# --- ranking -----------------------------------------------------------------------------


def composite_score(row: dict, config: BulletinConfig) -> float | None:
    """Σ weight × rate ÷ Σ weight × 100 over the rates the unit has (None: no rate at all)."""
    total = weights = 0.0
    for measure, weight in config.weights:
        value = row.get(measure)
        if value is None or (isinstance(value, float) and math.isnan(value)) or not weight:
            continue
        total += weight * float(value)
        weights += weight
    return total / weights * 100 if weights else None


def ranked_table(units: pd.DataFrame, counts: pd.DataFrame, config: BulletinConfig) -> pd.DataFrame:
    """Every unit with its counts, rates, composite, rank (or the reason it has none)."""
    frame = units.merge(counts, on="code", how="left")
    count_columns = ["received", "responded", "resolved", "on_time", "due", "rated", "satisfied", "dissatisfied",
                     "returned", "reopened", "returned_reopened"]
    frame[count_columns] = frame[count_columns].fillna(0).astype(int)
    for measure in MEASURES:
        frame[measure] = pd.to_numeric(frame[measure], errors="coerce").astype(float)
    frame["composite"] = [composite_score(row, config) for row in frame[list(MEASURES)].to_dict("records")]
    eligible = (frame["received"] >= config.min_requests) & frame["composite"].notna()
    scores = frame["composite"].where(eligible).round(6)
    frame["rank"] = scores.rank(method="min", ascending=False).astype("Int64")
    frame["ranked"] = eligible
    frame["unranked_reason"] = [
        None if ok else ("no_requests" if n == 0 else "below_min")
        for ok, n in zip(eligible, frame["received"], strict=True)
    ]
    order = frame.assign(_r=frame["rank"].astype(float).fillna(math.inf), _s=-frame["composite"].fillna(-1))
    order = order.sort_values(["_r", "_s", "code"], kind="mergesort")
    return order.drop(columns=["_r", "_s"]).reset_index(drop=True)


def _ranks(frame: pd.DataFrame) -> dict[str, int]:
    return {c: int(r) for c, r in zip(frame["code"], frame["rank"], strict=True) if not pd.isna(r)}


def failing_measures(row: dict, config: BulletinConfig) -> list[str]:
    """The measures of a unit below their floor (a missing rate never fails)."""
    failing = []
    for measure, floor in config.floors:
        value = row.get(measure)
        if value is not None and not (isinstance(value, float) and math.isnan(value)) and value < floor:
            failing.append(measure)
    return failing


# --- the bulletin ------------------------------------------------------------------------


@dataclass
class Bulletin:
    """One bulletin: its period, cut-off, level and the ranked table, red and black lists."""

    period: BulletinPeriod
    cutoff: date
    level: str
    street: str | None  # the street of a community bulletin
    street_name: str | None
    role: str
    config: BulletinConfig
    targets: Targets
    table: pd.DataFrame  # one row per unit, ranked first (see ranked_table), plus change and streaks
    red: pd.DataFrame  # best red_list_size ranked units: code, name, rank, composite
    black: pd.DataFrame  # units below a floor: code, name, rank, composite, failing (list of measures)
    previous_key: str | None
    data_start: date
    reference: date
    hidden: list[str] = field(default_factory=list)  # codes whose measures the role may not see

    @property
    def title_values(self) -> dict:
        return {"year": self.period.year, "number": self.period.number, "street": self.street_name or ""}


def _role_street(role: str) -> str | None:
    return role[len(STREET_ROLE_PREFIX):] if role.startswith(STREET_ROLE_PREFIX) else None


def _period_tables(db: Database, periods: Sequence[BulletinPeriod], reference: date, level: str, street: str | None,
                   config: BulletinConfig, targets: Targets, units: pd.DataFrame):
    """The ranked table of each period in turn, read as the caller asks: on PostgreSQL in batches (one
    statement each) of the current and previous periods, then 1, 2, 4 … 16 earlier ones, so a streak
    that ends early reads at most twice the periods it needs; on SQLite one period at a time, unless the
    summary holds the periods at these cut-offs (then in batches too: sums of stored rows)."""
    held = _stored_counts(db, [(periods[0], cutoff_date(periods[0], reference))], level, street, config,
                          targets)[1] == []
    grow = held or db.engine.dialect.name == "postgresql"
    done, size = 0, 2 if grow else 1
    while done < len(periods):
        batch = periods[done:done + size]
        counts = period_counts(db, [(p, cutoff_date(p, reference)) for p in batch], level, street, config, targets)
        for p in batch:
            yield ranked_table(units, counts[p.key] if p.key in counts else _empty_counts(), config)
        done += len(batch)
        size = (1 if done == 2 else min(2 * len(batch), 16)) if grow else 1


def build_bulletin(db: Database, period_key: str, level: str = "street", street: str | None = None,
                   role: str = DISTRICT_ROLE, *, config: BulletinConfig | None = None,
                   targets: Targets | None = None, reference: date | None = None) -> Bulletin:
    """The bulletin of a month or ISO week for the streets, or for the communities of one street.

    A street role always gets its own street's communities (``street`` is ignored) and, at
    street level, every street's composite and rank but only its own street's measures.
    """
    if level not in LEVELS:
        raise BulletinError(f"通报层级“{level}”无效：请选择 street（街道）或 community（社区）")
    period = parse_bulletin_period(period_key)
    config = config or load_bulletin_config()
    targets = targets if targets is not None else load_request_targets()
    data_start, as_of = data_range(db)
    reference = reference or as_of
    if period.start > reference or period.end < data_start:
        raise BulletinError(f"通报时段 {period.key} 不在数据范围内（{data_start} 至 {reference}）")
    role_street = _role_street(role)
    if level == "community":
        street = role_street or street
        if not street:
            raise BulletinError("社区通报须指定街道（--street 街道代码）")
    streets = unit_list(db, "street", None)
    if level == "community" and street not in set(streets["code"]):
        raise BulletinError(f"街道代码“{street}”不存在")
    street_name = streets.set_index("code")["name"].get(street) if street else None
    units = unit_list(db, level, street)

    previous = period.previous()
    earlier_periods, step = [], previous
    while len(earlier_periods) < MAX_STREAK_LOOKBACK and step.end >= data_start:
        earlier_periods.append(step)
        step = step.previous()
    tables = _period_tables(db, [period, *earlier_periods], reference, level, street, config, targets, units)
    table = next(tables)
    # rank change and streaks: walk back while some unit's streak is still running
    current_first = set(table.loc[table["rank"] == 1, "code"])
    current_last = _last_codes(table)
    first_run = {c: 1 for c in current_first}
    last_run = {c: 1 for c in current_last}
    prev_ranks: dict[str, int] | None = None
    for depth, earlier in enumerate(tables):
        if depth == 0:
            prev_ranks = _ranks(earlier)
        first_now = set(earlier.loc[earlier["rank"] == 1, "code"])
        last_now = _last_codes(earlier)
        current_first &= first_now
        current_last &= last_now
        for code in current_first:
            first_run[code] += 1
        for code in current_last:
            last_run[code] += 1
        if not current_first and not current_last:
            break
    ranks_now = _ranks(table)
    table["previous_rank"] = [prev_ranks.get(c) if prev_ranks else None for c in table["code"]]
    table["rank_change"] = [
        (prev_ranks[c] - ranks_now[c]) if prev_ranks and c in prev_ranks and c in ranks_now else None
        for c in table["code"]
    ]
    table["first_streak"] = [first_run.get(c, 0) for c in table["code"]]
    table["last_streak"] = [last_run.get(c, 0) for c in table["code"]]
    for column in ("previous_rank", "rank_change"):
        table[column] = table[column].astype("Int64")

    ranked = table[table["ranked"]]
    red = ranked[ranked["rank"] <= config.red_list_size][["code", "name", "rank", "composite"]].reset_index(drop=True)
    black_rows = []
    for row in ranked.to_dict("records"):
        failing = failing_measures(row, config)
        if failing:
            black_rows.append({"code": row["code"], "name": row["name"], "rank": row["rank"],
                               "composite": row["composite"], "failing": failing,
                               **{m: row[m] for m in MEASURES}})
    black = pd.DataFrame(black_rows, columns=["code", "name", "rank", "composite", "failing", *MEASURES])

    hidden: list[str] = []
    if role_street and level == "street":
        hidden = [c for c in table["code"] if c != role_street]
        table = mask_other_units(table, hidden)
        black = black[~black["code"].isin(hidden)].reset_index(drop=True)
    return Bulletin(period=period, cutoff=cutoff_date(period, reference), level=level, street=street,
                    street_name=street_name, role=role, config=config, targets=targets, table=table, red=red,
                    black=black, previous_key=previous.key if prev_ranks is not None else None,
                    data_start=data_start, reference=reference, hidden=hidden)


def _last_codes(frame: pd.DataFrame) -> set[str]:
    ranked = frame[frame["ranked"]]
    if len(ranked) < 2:  # one ranked unit is first, not last
        return set()
    return set(ranked.loc[ranked["rank"] == ranked["rank"].max(), "code"])


#: the columns another street's row keeps for a street role
PUBLIC_COLUMNS = ("code", "name", "name_en", "composite", "rank", "ranked", "unranked_reason", "previous_rank",
                  "rank_change", "first_streak", "last_streak")


def mask_other_units(table: pd.DataFrame, hidden: Sequence[str]) -> pd.DataFrame:
    """Blank every measure of the hidden units (counts and rates), keeping name, composite and rank."""
    table = table.copy()
    mask = table["code"].isin(list(hidden))
    for column in table.columns:
        if column in PUBLIC_COLUMNS:
            continue
        table[column] = table[column].astype(object)
        table.loc[mask, column] = None
    return table


# --- comparison ---------------------------------------------------------------------------

DISTRICT_CODE = "district"


def _with_rates(frame: pd.DataFrame, config: BulletinConfig) -> pd.DataFrame:
    frame = frame.copy()

    def share(num, den):
        return [n / d if d else float("nan") for n, d in zip(frame[num], frame[den], strict=True)]

    frame["response_rate"] = share("responded", "received")
    frame["resolution_rate"] = share("resolved", "received")
    frame["on_time_rate"] = share("on_time", "due")
    frame["satisfaction_rate"] = share("satisfied", "rated")
    frame["composite"] = [composite_score(row, config) for row in frame[list(MEASURES)].to_dict("records")]
    return frame


def comparison_units(db: Database, level: str, street: str | None, role: str = DISTRICT_ROLE) -> pd.DataFrame:
    """The units a viewer may compare: code, name (and the district as a whole for the district role).

    A street role compares its own street's communities, or its own street alone at street level:
    no other street's measures.
    """
    role_street = _role_street(role)
    if level == "community":
        street = role_street or street
        if not street:
            raise BulletinError("社区对比须指定街道")
    units = unit_list(db, level, street)[["code", "name"]]
    if role_street and level == "street":
        units = units[units["code"] == role_street]
    if not role_street:
        units = pd.concat([pd.DataFrame([{"code": DISTRICT_CODE, "name": "龙岗区"}]), units], ignore_index=True)
    return units.reset_index(drop=True)


def compare_units(db: Database, codes: Sequence[str], period_key: str, level: str = "street",
                  street: str | None = None, role: str = DISTRICT_ROLE, months: int = 13, *,
                  config: BulletinConfig | None = None, targets: Targets | None = None,
                  reference: date | None = None) -> pd.DataFrame:
    """Every bulletin measure and the composite of up to four units, month by month up to ``period_key``.

    Rows: period, code, name and the measures, for the ``months`` months ending at the period (13: the
    same month a year earlier included; months before the data are left out). Each month is read as
    its own bulletin would (snapshot at its cut-off).
    Units the viewer may not see (comparison_units) are refused with a Chinese message.
    """
    period = parse_bulletin_period(period_key)
    if period.kind != "month":
        raise BulletinError("对比分析按月进行：请选择月份（如 2023-10）")
    codes = list(dict.fromkeys(codes))
    if not 1 <= len(codes) <= 4:
        raise BulletinError("请选择1至4个单位进行对比")
    config = config or load_bulletin_config()
    targets = targets if targets is not None else load_request_targets()
    data_start, as_of = data_range(db)
    reference = reference or as_of
    allowed = comparison_units(db, level, street, role)
    if level == "community":
        street = _role_street(role) or street
    unknown = [c for c in codes if c not in set(allowed["code"])]
    if unknown:
        raise BulletinError(f"无法对比：单位 {'、'.join(unknown)} 不存在或不在您的查看范围内")
    names = dict(zip(allowed["code"], allowed["name"], strict=True))
    units = unit_list(db, level, street)
    district_streets = unit_list(db, "street", None) if DISTRICT_CODE in codes else None
    steps, step = [], period
    for _ in range(months):
        if step.end < data_start or step.start > reference:
            break
        steps.append(step)
        step = step.previous()
    spans = [(p, cutoff_date(p, reference)) for p in steps]
    # every month in one statement (and the district's streets in one more at community level)
    all_counts = period_counts(db, spans, level, street, config, targets)
    if district_streets is not None and level != "street":
        whole_counts = period_counts(db, spans, "street", None, config, targets)
    else:
        whole_counts = all_counts
    columns = ["period", "code", "name", "received", "responded", "resolved", "on_time", "due", "rated", "satisfied",
               "dissatisfied", "returned_reopened", *MEASURES, "composite"]
    if not steps:
        return pd.DataFrame(columns=columns)
    keys, chosen = [p.key for p in steps], set(codes)
    shown = [c for c in units["code"] if c in chosen]
    grid = pd.DataFrame({"period": [key for key in keys for _ in shown], "code": shown * len(keys)}, dtype=object)
    frame = grid.merge(_long(all_counts), on=["period", "code"], how="left")
    if district_streets is not None:  # the district: every street's counts added up, month by month
        whole = _long(whole_counts).groupby("period")[list(COUNT_COLUMNS)].sum().reindex(keys)
        frame = pd.concat([frame, whole.rename_axis("period").reset_index().assign(code=DISTRICT_CODE)],
                          ignore_index=True)
    counts_columns = ["received", "responded", "resolved", "on_time", "due", "rated", "satisfied", "dissatisfied",
                      "returned_reopened"]
    frame[counts_columns] = frame[counts_columns].fillna(0).astype(int)
    frame = _with_rates(frame, config)
    frame["name"] = frame["code"].map(names)
    order = {c: i for i, c in enumerate(codes)}
    frame = frame.sort_values(["period", "code"], key=lambda s: s.map(order) if s.name == "code" else s)
    return frame[columns].reset_index(drop=True)


def month_comparison(trend: pd.DataFrame, code: str, period_key: str) -> pd.DataFrame:
    """One unit's month against the month before (环比) and the same month a year earlier (同比).

    Rows: this period, the previous month, the same month last year (each when the trend holds it),
    with a ``which`` column (current / previous / last_year).
    """
    period = parse_bulletin_period(period_key)
    keys = {"current": period.key, "previous": period.previous().key,
            "last_year": f"{period.year - 1:04d}-{period.number:02d}"}
    rows = trend[trend["code"] == code].set_index("period")
    out = [rows.loc[key].to_dict() | {"which": which, "period": key}
           for which, key in keys.items() if key in rows.index]
    return pd.DataFrame(out)


# --- command line ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.bulletin",
                                     description="生成民生诉求办理情况通报（XLSX 或可打印的 HTML）")
    parser.add_argument("--period", required=True, help="月份 2023-10 或 ISO 周 2023-W42")
    parser.add_argument("--level", default="street", choices=LEVELS, help="street（街道排名）或 community（社区排名）")
    parser.add_argument("--street", help="社区通报的街道代码，例如 440307014")
    parser.add_argument("--role", default=DISTRICT_ROLE, help="角色：district 或 street:<街道代码>")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    parser.add_argument("--url", help="数据库地址（默认 DATABASE_URL 或内置 SQLite）")
    parser.add_argument("--out", required=True, help="输出文件：.xlsx 或 .html")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".html", ".htm"):
        print("输出文件须以 .xlsx 或 .html 结尾", file=sys.stderr)
        return 2
    # the builders are pure (no Streamlit): components.bulletin_report needs only the text catalogue
    from components.bulletin_report import bulletin_html, bulletin_xlsx
    from data_access.loader import ensure_database

    db = Database(ensure_database(args.url))
    try:
        bulletin = build_bulletin(db, args.period, args.level, args.street, args.role)
    except BulletinError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        db.dispose()
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(bulletin_xlsx(bulletin, args.lang, generated_at=datetime.now()))
    else:
        out.write_text(bulletin_html(bulletin, args.lang, generated_at=datetime.now()), encoding="utf-8")
    ranked = int(bulletin.table["ranked"].sum())
    print(f"{out}: {bulletin.period.key} {args.level}，{len(bulletin.table)} 个单位（{ranked} 个参与排名），"
          f"截止 {bulletin.cutoff}，红榜 {len(bulletin.red)}，黑榜 {len(bulletin.black)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
