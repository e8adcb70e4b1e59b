"""Resident requests and micro wishes: volumes, resolution and time to resolve.

Figures follow a cohort rule: a period's requests are those *submitted* in it;
"resolved" counts those of them resolved by the reference date. Times are in
days from submission to resolution.

Personal data: no function here returns a requester's name or phone number
unmasked; frames that carry them go through :func:`data_access.privacy.mask_personal_data`.
Target times per category come from ``config/request_targets.toml``
(:func:`load_request_targets`); functions that use them take the targets as an
argument, so a cache keyed by the arguments notices when the file changes.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Float, and_, case, cast, func, literal, select

from data_access import schema, summary_rows
from data_access.database import Database
from data_access.domain import (
    REQUEST_CATEGORIES,
    REQUEST_CHANNEL_PLATFORM,
    REQUEST_OPEN_STATUSES,
    REQUEST_STATUSES,
    WISH_CLAIMER_KINDS,
)
from data_access.privacy import mask_personal_data
from data_access.scope import Scope
from data_access.sql import (
    datetime_filter,
    days_between,
    likely,
    month_of,
    percentile_select,
    place_filter,
    ratio,
)

R, W = schema.requests, schema.micro_wishes
H, C, S = schema.request_status_history, schema.communities, schema.streets

#: The one file holding the target time to resolve per category (days).
TARGETS_FILE = Path(__file__).resolve().parent.parent / "config" / "request_targets.toml"
#: Export cap: the latest requests of the scope, newest first.
EXPORT_LIMIT = 5000
#: Groupings of the responsiveness league table.
LEAGUE_LEVELS = ("category", "street", "community")
#: Targets as passed to queries: ((category, days), ...) sorted, plus ("*", default days).
Targets = tuple[tuple[str, float], ...]


def _in_scope(scope: Scope):
    return [place_filter(R.c.community_code, scope), datetime_filter(R.c.submitted_at, scope.period)]


def _share(numerator, denominator):
    """numerator / denominator, None (like SQL's NULL) when the denominator is zero."""
    return float(numerator) / float(denominator) if denominator else None


def _summarised(db: Database, scope: Scope, targets: Targets | None = None) -> bool:
    """Whether the summary tables answer this scope (and targets): see data_access.summary_rows."""
    return summary_rows.covered(db, scope.period, targets)


def _scope_row(db: Database, scope: Scope) -> dict | None:
    """The summary row of the scope's own unit over its span (None: no request in it)."""
    rows = summary_rows.span_rows(db, scope)
    return rows.iloc[0].to_dict() if len(rows) else None


def request_totals(db: Database, scope: Scope) -> pd.DataFrame:
    """One row: received, resolved (all channels and 平安码上办 alone), unresolved, rate, median and p90
    days, satisfaction. Unresolved includes returned requests; the backlog is open_requests_by_status."""
    if _summarised(db, scope):
        row = _scope_row(db, scope) or {}
        received, resolved = int(row.get("received", 0)), int(row.get("resolved", 0))
        return pd.DataFrame([{
            "received": received, "resolved": resolved, "platform_resolved": int(row.get("platform_resolved", 0)),
            "resolution_rate": _share(resolved, received),
            "satisfaction": _share(row.get("satisfaction_sum", 0), row.get("rated", 0)),
            "unresolved": received - resolved,
            "median_days": row.get("median_days"), "p90_days": row.get("p90_days"),
        }])
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
    frame["unresolved"] = frame["received"] - frame["resolved"]  # returned requests included
    frame["median_days"] = pct["p50"].iloc[0] if len(pct) else None
    frame["p90_days"] = pct["p90"].iloc[0] if len(pct) else None
    return frame


def requests_by_channel(db: Database, scope: Scope) -> pd.DataFrame:
    """received and resolved per channel (平安码上办, 智慧平安服务站, 居民谈心)."""
    if _summarised(db, scope):
        rows = summary_rows.span_rows(db, scope, "channel").rename(columns={"dim_value": "channel"})
        rows = rows.sort_values(["received", "channel"], ascending=[False, True])
        return rows[["channel", "received", "resolved"]].reset_index(drop=True)
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
    if not scope.period.key.endswith("~prev") and _summarised(db, scope):
        # a period option starts on the 1st (or at the data's start) and ends on a month's last day
        # (or at the reference date, after which there are no requests): its months hold exactly its rows
        rows = summary_rows.month_rows(db, scope)
        rows["month"] = [f"{m.year:04d}-{m.month:02d}" for m in pd.to_datetime(rows["month"])]
        return rows[["month", "received", "resolved"]]
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
    if summary_rows.covered(db, scope.period):
        row = summary_rows.wish_rows(db, scope)
        if len(row):
            return row.reset_index(drop=True)
        return pd.DataFrame([{"posted": 0, "claimed": 0, "fulfilled": 0, "median_days_to_fulfil": None}])
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


# --- target times --------------------------------------------------------------------


def load_request_targets(path: Path | str | None = None) -> Targets:
    """Target days per category from the config file, as a hashable tuple (``"*"`` is the default).

    Every domain category gets a target (the file's default when it names none),
    so the page can list them all.
    """
    with open(path or TARGETS_FILE, "rb") as f:
        config = tomllib.load(f)
    default = float(config.get("default_days", 7))
    named = {str(k): float(v) for k, v in config.get("categories", {}).items()}
    if any(v <= 0 for v in [default, *named.values()]):
        raise ValueError("target days must be positive")
    targets = {category: named.get(category, default) for category in REQUEST_CATEGORIES}
    targets.update(named)
    return tuple(sorted(targets.items())) + (("*", default),)


def targets_frame(targets: Targets | None = None) -> pd.DataFrame:
    """The targets as a table (category, target_days), in the domain's category order."""
    targets = targets if targets is not None else load_request_targets()
    named = {k: v for k, v in targets if k != "*"}
    order = [c for c in REQUEST_CATEGORIES if c in named] + sorted(set(named) - set(REQUEST_CATEGORIES))
    return pd.DataFrame({"category": order, "target_days": [named[c] for c in order]})


def by_category(targets: Targets, category=R.c.category, value=None):
    """SQL expression: ``value(days)`` of each request's category's target days (the days themselves by
    default), one CASE over the categories of ``targets`` ("*": every other category)."""
    named = [(k, v) for k, v in targets if k != "*"]
    default = dict(targets).get("*", 7.0)
    value = value or (lambda days: literal(days, Float))
    if not named:
        return value(default)
    return case(*[(category == k, value(v)) for k, v in named], else_=value(default))


def _target_days(targets: Targets | None):
    """SQL expression: the target days of each request's category."""
    return by_category(targets if targets is not None else load_request_targets())


def _on_time_flag(targets: Targets | None):
    """1 when a resolved request took no longer than its target (whole seconds, so the boundary is exact)."""
    seconds = func.round(days_between(R.c.submitted_at, R.c.resolved_at) * 86400)
    return case((and_(R.c.resolved_at.is_not(None), seconds <= _target_days(targets) * 86400), 1), else_=0)


# --- volumes -------------------------------------------------------------------------


def requests_by_category(db: Database, scope: Scope) -> pd.DataFrame:
    """received, resolved, open and the resolution rate per category, most received first."""
    if _summarised(db, scope):
        rows = summary_rows.span_rows(db, scope, "category").rename(columns={"dim_value": "category"})
        rows["resolution_rate"] = [_share(r, n) for r, n in zip(rows["resolved"], rows["received"], strict=True)]
        rows = rows.sort_values(["received", "category"], ascending=[False, True])
        return rows[["category", "received", "resolved", "resolution_rate"]].reset_index(drop=True)
    stmt = (
        select(
            R.c.category,
            func.count().label("received"),
            func.count(R.c.resolved_at).label("resolved"),
            ratio(func.count(R.c.resolved_at), func.count()).label("resolution_rate"),
        )
        .where(*_in_scope(scope))
        .group_by(R.c.category)
        .order_by(func.count().desc(), R.c.category)
    )
    return db.frame(stmt)


def status_funnel(db: Database, scope: Scope) -> pd.DataFrame:
    """How many of the scope's requests ever reached each status (from the status history), in domain order.

    received → accepted → in progress → resolved → closed, then returned and
    escalated. A request that skips a stage (resolved on acceptance) is not
    counted at the stage it skipped; ``current`` is how many sit in it now.
    """
    frame = pd.DataFrame({"status": REQUEST_STATUSES})
    if _summarised(db, scope):
        row = _scope_row(db, scope) or {}
        frame["reached"] = [int(row.get(f"reached_{i}", 0)) for i in range(len(REQUEST_STATUSES))]
        frame["current"] = [int(row.get(f"current_{i}", 0)) for i in range(len(REQUEST_STATUSES))]
        frame["is_open"] = frame["status"].isin(REQUEST_OPEN_STATUSES)
        return frame
    in_scope = select(R.c.id).where(*_in_scope(scope)).scalar_subquery()
    reached = db.frame(
        select(H.c.status, func.count(func.distinct(H.c.request_id)).label("reached"))
        .where(H.c.request_id.in_(in_scope))
        .group_by(H.c.status)
    )
    current = db.frame(select(R.c.status, func.count().label("current")).where(*_in_scope(scope)).group_by(R.c.status))
    frame = frame.merge(reached, on="status", how="left").merge(current, on="status", how="left")
    frame[["reached", "current"]] = frame[["reached", "current"]].fillna(0).astype(int)
    frame["is_open"] = frame["status"].isin(REQUEST_OPEN_STATUSES)
    return frame


# --- responsiveness ------------------------------------------------------------------


def _group_columns(level: str | None):
    """(key, name) columns and the joins a league-table level needs."""
    if level is None:
        return [], []
    if level == "category":
        return [R.c.category.label("key"), R.c.category.label("name")], []
    if level == "street":
        return [S.c.code.label("key"), S.c.name.label("name")], ["street"]
    if level == "community":
        return [C.c.code.label("key"), C.c.name.label("name"), S.c.name.label("street_name")], ["street"]
    raise ValueError(f"unknown league level {level!r}")


def _joined(joins: list[str]):
    source = R
    if joins:
        source = R.join(C, C.c.code == R.c.community_code).join(S, S.c.code == C.c.street_code)
    return source


def responsiveness(db: Database, scope: Scope, level: str | None = None,
                   targets: Targets | None = None) -> pd.DataFrame:
    """Resolved requests, median and p90 days to resolve, and the share resolved within target.

    ``level`` groups by category, street or community (None: one row for the
    scope). Ranked fastest first by median days (rank 1 = fastest); the share
    counts resolved requests whose time is at most their category's target.
    """
    columns, joins = _group_columns(level)
    group_names = [c.name for c in columns]
    empty = pd.DataFrame(columns=[*group_names, "resolved", "on_time", "on_time_share", "satisfaction",
                                  "median_days", "p90_days", "rank"])
    if not (scope.community and level == "street") and _summarised(db, scope, targets or load_request_targets()):
        frame = _summary_league(db, scope, level)
        return empty if frame.empty else _ranked(frame)
    source = _joined(joins)
    on_time = _on_time_flag(targets)
    counts = (
        select(
            *columns,
            func.count().label("resolved"),
            func.sum(on_time).label("on_time"),
            ratio(func.sum(on_time), func.count()).label("on_time_share"),
            func.avg(R.c.satisfaction).label("satisfaction"),
        )
        .select_from(source)
        .where(*_in_scope(scope), R.c.resolved_at.is_not(None))
    )
    if columns:
        counts = counts.group_by(*columns)
    frame = db.frame(counts)
    durations = (
        select(*columns, days_between(R.c.submitted_at, R.c.resolved_at).label("days"))
        .select_from(source)
        .where(*_in_scope(scope), R.c.resolved_at.is_not(None))
    )
    pct = db.frame(percentile_select(durations, "days", group_names, [50, 90]))
    if frame.empty or (not columns and frame["resolved"].iloc[0] == 0):
        return empty
    pct = pct.rename(columns={"p50": "median_days", "p90": "p90_days"})
    frame = frame.merge(pct, on=group_names, how="left") if group_names else frame.assign(
        median_days=pct["median_days"].iloc[0] if len(pct) else None,
        p90_days=pct["p90_days"].iloc[0] if len(pct) else None)
    frame["on_time"] = frame["on_time"].fillna(0).astype(int)
    return _ranked(frame)


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Fastest first by median days (then the higher on-time share); rank 1 = fastest."""
    frame = frame.sort_values(["median_days", "on_time_share"], ascending=[True, False], kind="mergesort")
    frame["rank"] = range(1, len(frame) + 1)
    return frame.reset_index(drop=True)


def _unit_names(db: Database, level: str, codes: list[str]) -> pd.DataFrame:
    """key, name (and street_name for communities) of the given streets or communities."""
    if level == "street":
        return db.frame(select(S.c.code.label("key"), S.c.name).where(S.c.code.in_(codes)))
    return db.frame(select(C.c.code.label("key"), C.c.name, S.c.name.label("street_name"))
                    .join(S, S.c.code == C.c.street_code).where(C.c.code.in_(codes)))


def _summary_league(db: Database, scope: Scope, level: str | None) -> pd.DataFrame:
    """responsiveness() from the span summary: the scope's unit, its categories, or its streets/communities."""
    if level in ("street", "community"):
        rows = summary_rows.span_rows(db, scope, level=level).rename(columns={"unit_code": "key"})
    else:
        rows = summary_rows.span_rows(db, scope, "category" if level else "all")
        rows = rows.assign(key=rows["dim_value"], name=rows["dim_value"])
    rows = rows[rows["resolved"] > 0].sort_values("key")
    if rows.empty:
        return rows
    if level in ("street", "community"):
        rows = _unit_names(db, level, rows["key"].tolist()).merge(rows, on="key")
    out = pd.DataFrame({
        "resolved": rows["resolved"].astype(int),
        "on_time": rows["on_time"].astype(int),
        "on_time_share": rows["on_time"] / rows["resolved"],
        "satisfaction": [_share(t, n) for t, n in zip(rows["resolved_satisfaction_sum"], rows["resolved_rated"],
                                                      strict=True)],
        "median_days": rows["median_days"].astype(float),
        "p90_days": rows["p90_days"].astype(float),
    })
    names = [c.name for c in _group_columns(level)[0]]
    return pd.concat([rows[names].reset_index(drop=True), out.reset_index(drop=True)], axis=1)


# --- backlog -------------------------------------------------------------------------


def _last_change():
    """A request's latest status change: looked up per request through the history's key, so only
    the requests a query keeps are touched (not the whole history)."""
    return select(func.max(H.c.changed_at)).where(H.c.request_id == R.c.id).scalar_subquery()


def open_requests_subquery(db: Database):
    """Subquery of the open requests (id, status, category, community_code, submitted_at, idle_since = their
    last status change, or submission): the loader's small open-request table when the summaries are built,
    else computed from the raw rows."""
    if summary_rows.covered(db, None):
        return schema.open_request_summary.alias("open_requests")
    return (
        select(R.c.id, R.c.status, R.c.category, R.c.community_code, R.c.submitted_at,
               func.coalesce(_last_change(), R.c.submitted_at).label("idle_since"))
        .where(R.c.status.in_(REQUEST_OPEN_STATUSES))
        .subquery("open_requests")
    )


def open_requests_by_status(db: Database, scope: Scope, reference: date) -> pd.DataFrame:
    """Open requests (in REQUEST_OPEN_STATUSES) per status, with the median days since their last change."""
    frame = pd.DataFrame({"status": REQUEST_OPEN_STATUSES})
    if summary_rows.covered(db, scope.period, reference=reference):
        frame = frame.merge(summary_rows.open_status_rows(db, scope), on="status", how="left")
        frame["open"] = frame["open"].fillna(0).astype(int)
        return frame
    as_of = datetime.combine(reference + timedelta(days=1), time.min)
    src = open_requests_subquery(db)
    in_scope = [place_filter(src.c.community_code, scope), datetime_filter(src.c.submitted_at, scope.period)]
    idle = days_between(src.c.idle_since, literal(as_of)).label("idle_days")
    base = select(src.c.status, idle).where(*in_scope)
    counts = db.frame(select(src.c.status, func.count().label("open")).where(*in_scope).group_by(src.c.status))
    pct = db.frame(percentile_select(base, "idle_days", ["status"], [50])).rename(columns={"p50": "median_idle_days"})
    frame = frame.merge(counts, on="status", how="left").merge(pct, on="status", how="left")
    frame["open"] = frame["open"].fillna(0).astype(int)
    return frame


def stalest_open_requests(db: Database, scope: Scope, reference: date, limit: int = 50) -> pd.DataFrame:
    """Open requests untouched longest: oldest last status change first, days idle up to the reference date.

    Requester name and phone are masked.
    """
    as_of = datetime.combine(reference + timedelta(days=1), time.min)
    src = open_requests_subquery(db)
    stmt = (
        select(
            R.c.id, R.c.category, R.c.channel, R.c.status, C.c.name.label("community"), S.c.name.label("street"),
            R.c.handling_unit, R.c.submitted_at, src.c.idle_since.label("last_change"),
            cast(days_between(src.c.idle_since, literal(as_of)), Float).label("idle_days"),
            R.c.requester_name, R.c.requester_phone,
        )
        .select_from(src.join(R, R.c.id == src.c.id).join(C, C.c.code == R.c.community_code)
                     .join(S, S.c.code == C.c.street_code))
        .where(place_filter(src.c.community_code, scope), likely(src.c.submitted_at >= scope.period.start_at),
               likely(src.c.submitted_at < scope.period.end_exclusive))
        .order_by(src.c.idle_since, src.c.id)
        .limit(limit)
    )
    return mask_personal_data(db.frame(stmt))


# --- per resident and growth -------------------------------------------------------


def requests_per_thousand(db: Database, scope: Scope) -> pd.DataFrame:
    """Requests per 1,000 residents by community (communities.population), highest first."""
    if _summarised(db, scope):
        units = db.frame(select(C.c.code, C.c.name, S.c.name.label("street_name"), C.c.population)
                         .join(S, S.c.code == C.c.street_code).where(place_filter(C.c.code, scope)))
        rows = summary_rows.span_rows(db, scope, level="community")[["unit_code", "received"]]
        frame = units.merge(rows.rename(columns={"unit_code": "code"}), on="code", how="left")
        frame["received"] = frame["received"].fillna(0).astype(int)
        frame["per_thousand"] = [_share(n, p) * 1000 if p else None
                                 for n, p in zip(frame["received"], frame["population"], strict=True)]
        frame = frame.sort_values(["per_thousand", "code"], ascending=[False, True], na_position="last")
        return frame.reset_index(drop=True)
    received = (
        select(R.c.community_code, func.count().label("received"))
        .where(*_in_scope(scope))
        .group_by(R.c.community_code)
        .subquery("received")
    )
    count = func.coalesce(received.c.received, 0)
    stmt = (
        select(
            C.c.code, C.c.name, S.c.name.label("street_name"), C.c.population,
            count.label("received"), (ratio(count, C.c.population) * 1000).label("per_thousand"),
        )
        .select_from(C.join(S, S.c.code == C.c.street_code).outerjoin(received, received.c.community_code == C.c.code))
        .where(place_filter(C.c.code, scope))
        .order_by((ratio(count, C.c.population)).desc(), C.c.code)
    )
    return db.frame(stmt)


# --- satisfaction --------------------------------------------------------------------


def satisfaction_distribution(db: Database, scope: Scope) -> pd.DataFrame:
    """Rated requests per satisfaction score 1–5 (every score listed, zero when none)."""
    if _summarised(db, scope):
        row = _scope_row(db, scope) or {}
        frame = pd.DataFrame({"score": [1, 2, 3, 4, 5],
                              "requests": [int(row.get(f"score_{s}", 0)) for s in range(1, 6)]})
        total = frame["requests"].sum()
        frame["share"] = frame["requests"] / total if total else 0.0
        return frame
    frame = db.frame(
        select(R.c.satisfaction.label("score"), func.count().label("requests"))
        .where(*_in_scope(scope), R.c.satisfaction.is_not(None))
        .group_by(R.c.satisfaction)
    )
    scores = pd.DataFrame({"score": [1, 2, 3, 4, 5]})
    frame = scores.merge(frame.astype({"score": int}) if len(frame) else frame, on="score", how="left")
    frame["requests"] = frame["requests"].fillna(0).astype(int)
    total = frame["requests"].sum()
    frame["share"] = frame["requests"] / total if total else 0.0
    return frame


def satisfaction_by(db: Database, scope: Scope, level: str = "category") -> pd.DataFrame:
    """Average satisfaction and rated requests by category or street, best first."""
    if level not in ("category", "street"):
        raise ValueError(f"unknown satisfaction level {level!r}")
    columns, joins = _group_columns(level)
    if not (scope.community and level == "street") and _summarised(db, scope):
        if level == "street":
            rows = summary_rows.span_rows(db, scope, level="street").rename(columns={"unit_code": "key"})
            rows = _unit_names(db, "street", rows["key"].tolist()).merge(rows, on="key")
        else:
            rows = summary_rows.span_rows(db, scope, "category")
            rows = rows.assign(key=rows["dim_value"], name=rows["dim_value"])
        rows = rows[rows["rated"] > 0]
        return _best_first(rows[["key", "name", "rated"]].assign(satisfaction=rows["satisfaction_sum"] / rows["rated"]))
    stmt = (
        select(*columns, func.count(R.c.satisfaction).label("rated"), func.avg(R.c.satisfaction).label("satisfaction"))
        .select_from(_joined(joins))
        .where(*_in_scope(scope), R.c.satisfaction.is_not(None))
        .group_by(*columns)
    )
    frame = db.frame(stmt)
    return _best_first(frame.assign(satisfaction=frame["satisfaction"].astype(float)))


def _best_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Highest satisfaction first; equal averages (compared to 9 places: a stored sum ÷ count and the
    database's AVG may differ in the last bit) by key, so both ways list ties alike."""
    return (frame.assign(_rank=frame["satisfaction"].round(9))
            .sort_values(["_rank", "key"], ascending=[False, True]).drop(columns="_rank").reset_index(drop=True))


# --- micro wishes ----------------------------------------------------------------------


def wishes_by_claimer(db: Database, scope: Scope) -> pd.DataFrame:
    """Micro wishes claimed and fulfilled per kind of claimer, with median days from posting to fulfilment."""
    where = [place_filter(W.c.community_code, scope), datetime_filter(W.c.posted_at, scope.period),
             W.c.claimer_kind.is_not(None)]
    counts = db.frame(
        select(W.c.claimer_kind, func.count(W.c.claimed_at).label("claimed"),
               func.count(W.c.fulfilled_at).label("fulfilled"))
        .where(*where).group_by(W.c.claimer_kind)
    )
    durations = select(W.c.claimer_kind, days_between(W.c.posted_at, W.c.fulfilled_at).label("days")).where(
        *where, W.c.fulfilled_at.is_not(None))
    pct = db.frame(percentile_select(durations, "days", ["claimer_kind"], [50])).rename(
        columns={"p50": "median_days_to_fulfil"})
    frame = counts.merge(pct, on="claimer_kind", how="left")
    order = {k: i for i, k in enumerate(WISH_CLAIMER_KINDS)}
    return frame.sort_values("claimer_kind", key=lambda s: s.map(order).fillna(99)).reset_index(drop=True)


def wish_fulfilment_times(db: Database, scope: Scope) -> pd.DataFrame:
    """Fulfilled micro wishes by whole weeks from posting to fulfilment (week 0 = within 7 days)."""
    where = [place_filter(W.c.community_code, scope), datetime_filter(W.c.posted_at, scope.period),
             W.c.fulfilled_at.is_not(None)]
    week = cast(func.floor(days_between(W.c.posted_at, W.c.fulfilled_at) / 7), Float).label("week")
    inner = select(week).where(*where).subquery("weeks")
    frame = db.frame(select(inner.c.week, func.count().label("wishes")).group_by(inner.c.week).order_by(inner.c.week))
    frame["week"] = frame["week"].astype(int) if len(frame) else frame["week"]
    return frame


# --- export --------------------------------------------------------------------------


def requests_for_export(db: Database, scope: Scope, limit: int = EXPORT_LIMIT) -> pd.DataFrame:
    """The scope's latest requests (newest first, at most ``limit``), one row each, personal data masked."""
    stmt = (
        select(
            R.c.id, R.c.channel, R.c.category, R.c.status, R.c.community_code, C.c.name.label("community"),
            S.c.name.label("street"), R.c.lat, R.c.lon, R.c.submitted_at, R.c.accepted_at, R.c.resolved_at,
            R.c.closed_at, _last_change().label("last_change"), R.c.handling_unit, R.c.satisfaction, R.c.description,
            R.c.requester_name, R.c.requester_phone,
        )
        .select_from(R.join(C, C.c.code == R.c.community_code).join(S, S.c.code == C.c.street_code))
        .where(*_in_scope(scope))
        .order_by(R.c.submitted_at.desc(), R.c.id.desc())
        .limit(limit)
    )
    return mask_personal_data(db.frame(stmt))
