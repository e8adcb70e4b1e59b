"""The bulletin's definitions, periods and counts: what data_access/bulletin.py ranks, and what the summary
refresh stores (``bulletin_count_summary``, built and patched by data_access/summaries.py).

Per unit, over the requests *submitted* in a period (a calendar month or an ISO week) up to its
cut-off (the period's last day, or the data's as-of date when earlier), every status read from the
status history up to the end of the cut-off day: received, responded (accepted within the
category's response hours, config/bulletin.toml), resolved, on time and due (target days,
config/request_targets.toml), rated, satisfied, dissatisfied, returned, reopened; the rates are
ratios of those counts (see data_access/bulletin.py for the definitions in full).

The stored counts serve a period at its standard cut-off with the stored definitions
(:func:`counts_fingerprint`); anything else is counted from the raw rows: on PostgreSQL several
periods in one statement, each request's history read through a LATERAL subquery; on SQLite one
statement per period. Kept apart from the ranking and the command line so that the summaries'
build side can import it (imports run one way: summaries -> bulletin_counts; bulletin -> loader
-> summaries).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import pandas as pd
from sqlalchemy import DateTime, Float, and_, case, func, literal, or_, select

from data_access import schema
from data_access.database import Database
from data_access.domain import REQUEST_CATEGORIES, REQUEST_RETURNED
from data_access.requests import Targets
from data_access.sql import among, days_between, ratio
from data_access.summary_rows import SUMMARY_VERSION

R, H, C = schema.requests, schema.request_status_history, schema.communities
B, BS = schema.bulletin_count_summary, schema.bulletin_street_summary

CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "bulletin.toml"
LEVELS = ("street", "community")
#: the four rates of the composite, in the order the bulletin prints them
MEASURES = ("response_rate", "resolution_rate", "on_time_rate", "satisfaction_rate")
RESOLVED_STATUSES = ("已办结", "已关闭")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


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


def _no_counts_long() -> pd.DataFrame:
    """period_counts_long of periods with no request: the columns and ``period``, no row."""
    return _empty_counts().assign(period=pd.Series(dtype=object))


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
                     by_ids: bool = False, every_period: bool = False, dialect: str = "sqlite"):
    """The counts (no rates) per period, community and its street of the requests submitted in ``spans``
    ((period, cut-off), not overlapping), or (``by_ids``) of those among the ``ids`` parameter given at
    execution: what ``bulletin_count_summary`` holds. The summary refresh builds it whole with this
    (``every_period``: the spans cover the data), recounts a few periods, and patches it with the counts
    of an import's changed requests before and after (one statement for every import: compiled once).
    One pass over the requests in id order, each joined to its history up to its own cut-off through
    the history's primary key and grouped per request, so SQLite sorts nothing."""
    which, cut, where = _periods_of(spans)
    if by_ids:
        where.append(among(dialect, R.c.id, name="ids"))  # as the executing ``dialect`` binds a list
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


def _held_spans(db: Database, spans: Sequence[tuple[BulletinPeriod, date]], config: BulletinConfig,
                targets: Targets) -> list:
    """The spans ``bulletin_count_summary`` holds: every period at its standard cut-off (its last day, or the
    reference date when earlier) as of the stored reference date, with the definitions it was built with
    (counts_fingerprint). One read of the bookkeeping, no count."""
    info = db.dataset_info()
    if (info.get("summary_version") != SUMMARY_VERSION or "reference_date" not in info
            or info.get("bulletin_counts") != counts_fingerprint(config, targets)):
        return []
    reference = date.fromisoformat(info["reference_date"])
    return [(p, cutoff) for p, cutoff in spans if cutoff == cutoff_date(p, reference)]


def _stored_counts(db: Database, spans: Sequence[tuple[BulletinPeriod, date]], level: str, street: str | None,
                   config: BulletinConfig, targets: Targets) -> tuple[pd.DataFrame | None, list]:
    """(period_counts_long of the spans the summary holds (_held_spans), or None; the other spans, counted from
    the raw rows)."""
    held = _held_spans(db, spans, config, targets)
    if not held:
        return None, list(spans)
    return stored_counts(db, [p for p, _c in held], level, street), [span for span in spans if span not in held]


def stored_counts(db: Database, periods: Sequence[BulletinPeriod], level: str, street: str | None,
                  ranking_only: bool = False) -> pd.DataFrame:
    """period_counts_long of periods the summary holds (the caller has checked, _held_spans): its rows as
    stored, one per period and unit (a street's are its communities' added up, bulletin_street_summary).
    ``ranking_only``: of the counts only ``received``, what a rank needs besides the rates."""
    table = BS if level == "street" else B
    unit = (table.c.street_code if level == "street" else table.c.community_code).label("code")
    where = [table.c.kind.in_(sorted({p.kind for p in periods})), table.c.period_key.in_([p.key for p in periods])]
    if level == "community" and street is not None:
        where.append(table.c.street_code == street)
    counts = {name: table.c[name] for name in COUNT_COLUMNS}
    shown = [counts["received"]] if ranking_only else counts.values()
    return db.frame(select(table.c.period_key.label("period"), unit, *shown, *_rates(counts))
                    .where(*where).order_by(table.c.period_key, unit))


def _by_period(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """{period: its rows without the period column} of a frame with a ``period`` column."""
    periods = frame["period"]
    frame = frame.drop(columns="period")
    return {key: frame.take(rows).reset_index(drop=True) for key, rows in periods.groupby(periods).indices.items()}


def period_counts(db: Database, spans: Sequence[tuple[BulletinPeriod, date]], level: str, street: str | None,
                  config: BulletinConfig, targets: Targets) -> dict[str, pd.DataFrame]:
    """unit_counts of several periods (``(period, cut-off)``, not overlapping): {period key: frame}
    (period_counts_long, split by period). Periods with no request are absent."""
    return _by_period(period_counts_long(db, spans, level, street, config, targets))


def period_counts_long(db: Database, spans: Sequence[tuple[BulletinPeriod, date]], level: str, street: str | None,
                       config: BulletinConfig, targets: Targets) -> pd.DataFrame:
    """unit_counts of several periods (``(period, cut-off)``, not overlapping) as one frame with a ``period``
    column, sorted by period and unit.

    The periods the summary holds at these cut-offs and definitions are sums of its community rows
    (_stored_counts). The others are counted from the raw rows. Each request belongs to at most one
    period, and its status history is read up to that period's cut-off, so on PostgreSQL one pass over
    the periods' requests, each joined to its own history through the history's primary key
    (request_id, seq), gives every period's snapshot: a page's current period, the months a streak looks
    back at and a year of comparison are one statement, not one each. Periods with no request have no row.
    """
    if not spans:
        return _no_counts_long()
    stored, spans = _stored_counts(db, spans, level, street, config, targets)
    frames = [] if stored is None else [stored]
    if spans and db.engine.dialect.name != "postgresql":
        # SQLite: one statement per period, whose plan needs no sort (measured at city scale: the one
        # statement of every period below took half as long again)
        for period, cutoff in spans:
            frame = db.frame(_one_period_statement(period, cutoff, level, street, config, targets))
            if not frame.empty:
                frames.append(frame.assign(period=period.key))
    elif spans:
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
        frames.append(db.frame(stmt))
    if not frames:
        return _no_counts_long()
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True).sort_values(["period", "code"], kind="stable", ignore_index=True)
