"""Summary tables the loader and the importer maintain, so a page's first click is fast at city scale.

Streamlit reruns a page on every click; a query that scans millions of request rows each
time makes every click slow, cache or no cache. The request figures a page shows are
therefore computed once per load or import, for every unit (the district, each street, each
community) and every span a user can pick (the period options and their like-for-like
previous spans), and read back with an index lookup:

- ``request_span_summary``: per unit, span and breakdown (all requests, by category, by
  channel), the counts, satisfaction, on-time count, exact median and p90 days (linear
  interpolation, as :func:`data_access.sql.percentile_select`), and the statuses reached and
  current. Built in pandas from the raw rows in the load's or import's own transaction.
- ``request_month_summary``: per unit and month of submission, received and resolved.

``dataset_info`` also records the data's first and reference dates and a fingerprint of the
request targets the on-time counts used. A query whose span, targets or unit is not covered
falls back to the raw rows (same result, slower); ``tests/test_summaries.py`` checks that both
paths agree after a load and after an import.
"""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, delete, func, insert, select

from data_access import geography, schema
from data_access.domain import PROJECT_COMPLETED, REQUEST_CHANNEL_PLATFORM, REQUEST_OPEN_STATUSES, REQUEST_STATUSES
from data_access.scope import Period, Scope, period_options

R, H, C = schema.requests, schema.request_status_history, schema.communities
SPANS, SPAN_SUMMARY, MONTH_SUMMARY = schema.summary_spans, schema.request_span_summary, schema.request_month_summary
OPEN, UNIT_SUMMARY = schema.open_request_summary, schema.unit_span_summary
INFO = schema.dataset_info

DISTRICT_UNIT = "*"
DIMENSIONS = {"all": None, "category": "category", "channel": "channel"}
#: status columns of the span summary: reached_<i> / current_<i> for REQUEST_STATUSES[i]
STATUS_COLUMNS = [f"reached_{i}" for i in range(len(REQUEST_STATUSES))] + \
    [f"current_{i}" for i in range(len(REQUEST_STATUSES))]


def targets_fingerprint(targets) -> str:
    """A short stable fingerprint of a targets tuple (see requests.load_request_targets)."""
    return hashlib.sha1(repr(tuple(targets)).encode("utf-8")).hexdigest()[:16]


# --- reading ------------------------------------------------------------------------------


def _info(conn: Connection) -> dict[str, str]:
    return {k: v for k, v in conn.execute(select(INFO.c.key, INFO.c.value))}


def unit_of(scope: Scope) -> tuple[str, str] | None:
    """(unit_level, unit_code) of the scope's place, or None when the role forbids it (no rows)."""
    if scope.community:
        return "community", scope.community
    if scope.effective_street:
        return "street", scope.effective_street
    return "district", DISTRICT_UNIT


def covered(db, period: Period | None, targets=None) -> bool:
    """Whether the summaries hold this span (None: whether they are built at all) and, if given,
    were built with these targets."""
    info = db.dataset_info()
    if "summary_targets" not in info:
        return False
    if targets is not None and info.get("summary_targets") != targets_fingerprint(targets):
        return False
    if period is None:
        return True
    stmt = select(func.count()).select_from(SPANS).where(
        SPANS.c.span_start == period.start, SPANS.c.span_end == period.end)
    return bool(db.scalar(stmt))


def _place_rows(scope: Scope):
    """Conditions selecting the scope's own unit row(s), role limits included."""
    level, code = unit_of(scope)
    where = [SPAN_SUMMARY.c.unit_level == level, SPAN_SUMMARY.c.unit_code == code]
    if scope.community and scope.effective_street:  # a community outside the street yields nothing
        where.append(SPAN_SUMMARY.c.street_code == scope.effective_street)
    return where


def span_rows(db, scope: Scope, dim: str = "all", level: str | None = None) -> pd.DataFrame:
    """Summary rows of the scope's span for breakdown ``dim``: the scope's own unit, or with ``level``
    every unit of that level inside the scope (role limits hold: a street role sees its street only)."""
    period = scope.period
    where = [SPAN_SUMMARY.c.span_start == period.start, SPAN_SUMMARY.c.span_end == period.end,
             SPAN_SUMMARY.c.dim == dim]
    if level is None:
        where += _place_rows(scope)
    else:
        where.append(SPAN_SUMMARY.c.unit_level == level)
        street = scope.effective_street
        if street:
            where.append(SPAN_SUMMARY.c.street_code == street)
        if scope.community:
            where.append(SPAN_SUMMARY.c.unit_code == scope.community)
    return db.frame(select(SPAN_SUMMARY).where(and_(*where)))


def community_category_counts(scope: Scope, categories: list[str]):
    """SELECT community_code, category, n: requests per community of the scope and category (only these
    categories) over the scope's span, from the span summary (check :func:`covered` first)."""
    T, period = SPAN_SUMMARY, scope.period
    where = [T.c.unit_level == "community", T.c.span_start == period.start, T.c.span_end == period.end,
             T.c.dim == "category", T.c.dim_value.in_(categories)]
    if scope.effective_street:
        where.append(T.c.street_code == scope.effective_street)
    if scope.community:
        where.append(T.c.unit_code == scope.community)
    return select(T.c.unit_code.label("community_code"), T.c.dim_value.label("category"),
                  T.c.received.label("n")).where(*where)


def month_rows(db, scope: Scope) -> pd.DataFrame:
    """Received and resolved per month of the scope's unit inside its span."""
    level, code = unit_of(scope)
    M = MONTH_SUMMARY
    period = scope.period
    where = [M.c.unit_level == level, M.c.unit_code == code,
             M.c.month >= date(period.start.year, period.start.month, 1), M.c.month <= period.end]
    if scope.community and scope.effective_street:
        where.append(M.c.street_code == scope.effective_street)
    return db.frame(select(M.c.month, M.c.received, M.c.resolved).where(*where).order_by(M.c.month))


# --- building -----------------------------------------------------------------------------


def summary_spans(data_start: date, reference: date) -> list[Period]:
    """Every span a page can ask for: each period option and its like-for-like previous span."""
    spans: dict[tuple[date, date], Period] = {}
    for option in period_options(data_start, reference):
        for period in (option, option.previous(data_start)):
            if period is not None:
                spans.setdefault((period.start, period.end), period)
    return list(spans.values())


def _rows(conn: Connection, stmt, columns: list[str]) -> pd.DataFrame:
    """A SELECT's rows through the DB-API cursor of the same connection (and transaction): millions
    of rows come back in seconds, where building SQLAlchemy row objects would take minutes."""
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return pd.DataFrame(cursor.fetchall(), columns=columns)
    finally:
        cursor.close()


def _request_frame(conn: Connection) -> pd.DataFrame:
    """One row per request with its street, resolution days and the statuses it reached (a bit each)."""
    frame = _rows(conn, select(R.c.id, R.c.community_code, C.c.street_code, R.c.channel, R.c.category,
                               R.c.status, R.c.submitted_at, R.c.resolved_at, R.c.satisfaction)
                  .join(C, C.c.code == R.c.community_code),
                  ["id", "community_code", "street_code", "channel", "category", "status", "submitted_at",
                   "resolved_at", "satisfaction"])
    for column in ("submitted_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    frame["satisfaction"] = pd.to_numeric(frame["satisfaction"], errors="coerce")
    frame["days"] = (frame["resolved_at"] - frame["submitted_at"]).dt.total_seconds() / 86400
    status_index = {status: i for i, status in enumerate(REQUEST_STATUSES)}
    reached = _rows(conn, select(H.c.request_id, H.c.status).distinct(), ["id", "status"])
    reached["bit"] = np.left_shift(1, reached["status"].map(status_index).fillna(-1).astype(np.int64).clip(0)) \
        * reached["status"].isin(list(status_index)).to_numpy()
    bits = reached.groupby("id", sort=False)["bit"].sum()
    frame["reached_bits"] = frame["id"].map(bits).fillna(0).astype(np.int64).to_numpy()
    frame["status_index"] = frame["status"].map(status_index).fillna(-1).astype(np.int64)
    return frame


def _on_time(frame: pd.DataFrame, targets) -> pd.Series:
    named = {k: v for k, v in targets if k != "*"}
    default = dict(targets).get("*", 7.0)
    target_days = frame["category"].map(named).fillna(default).astype(float)
    seconds = (frame["days"] * 86400).round()
    return (frame["resolved_at"].notna() & (seconds <= target_days * 86400)).astype(np.int64)


def _measures(frame: pd.DataFrame) -> pd.DataFrame:
    """The additive measures of each request (one column each), summed per group later."""
    resolved = frame["resolved_at"].notna()
    rated = frame["satisfaction"].notna()
    satisfaction = frame["satisfaction"].fillna(0.0)
    columns = {
        "received": np.ones(len(frame), dtype=np.int64),
        "resolved": resolved.astype(np.int64),
        "platform_resolved": (resolved & (frame["channel"] == REQUEST_CHANNEL_PLATFORM)).astype(np.int64),
        "rated": rated.astype(np.int64),
        "satisfaction_sum": satisfaction,
        "resolved_rated": (rated & resolved).astype(np.int64),
        "resolved_satisfaction_sum": satisfaction.where(resolved, 0.0),
        "on_time": frame["on_time"],
        **{f"score_{s}": (frame["satisfaction"] == s).astype(np.int64) for s in range(1, 6)},
    }
    bits, current = frame["reached_bits"].to_numpy(), frame["status_index"].to_numpy()
    for i in range(len(REQUEST_STATUSES)):
        columns[f"reached_{i}"] = (bits >> i) & 1
    for i in range(len(REQUEST_STATUSES)):
        columns[f"current_{i}"] = (current == i).astype(np.int64)
    return pd.DataFrame(columns, index=frame.index)


MEASURES = ["received", "resolved", "platform_resolved", "rated", "satisfaction_sum", "resolved_rated",
            "resolved_satisfaction_sum", "on_time", *[f"score_{s}" for s in range(1, 6)], *STATUS_COLUMNS]


def _span_summary(frame: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
    """Every span's rows at once: each request repeated once per span it falls in, then one grouping
    per level and breakdown (not one per span), so the work grows with the rows, not with the spans."""
    submitted = frame["submitted_at"].to_numpy()
    members = [np.flatnonzero((submitted >= np.datetime64(p.start_at)) & (submitted < np.datetime64(p.end_exclusive)))
               for p in spans]
    span_of = np.concatenate([np.full(len(m), i, dtype=np.int64) for i, m in enumerate(members)])
    rows = np.concatenate(members)
    if not len(rows):
        return pd.DataFrame(columns=[c.name for c in SPAN_SUMMARY.columns])
    base = frame[["street_code", "community_code", "category", "channel", "days"]].iloc[rows].reset_index(drop=True)
    exploded = pd.concat([base, _measures(frame).iloc[rows].reset_index(drop=True)], axis=1)
    exploded["span"] = span_of
    exploded["district"] = DISTRICT_UNIT
    resolved = exploded["resolved"].to_numpy() == 1
    parts = []
    for level, unit in (("district", "district"), ("street", "street_code"), ("community", "community_code")):
        for dim, column in DIMENSIONS.items():
            keys = ["span", unit] + ([column] if column else []) + (["street_code"] if level == "community" else [])
            sums = exploded.groupby(keys, sort=False)[MEASURES].sum()
            days = exploded.loc[resolved, [*keys, "days"]].groupby(keys, sort=False)["days"]
            pct = pd.DataFrame({"median_days": days.quantile(0.5), "p90_days": days.quantile(0.9)})
            part = sums.join(pct).reset_index().rename(columns={unit: "unit_code"})
            part["street_code"] = (part["street_code"] if level == "community"
                                   else part["unit_code"] if level == "street" else "")
            part["dim_value"] = part[column] if column else ""
            part["unit_level"], part["dim"] = level, dim
            parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["span_start"] = [spans[i].start for i in out["span"]]
    out["span_end"] = [spans[i].end for i in out["span"]]
    return out[[c.name for c in SPAN_SUMMARY.columns]]


def _month_summary(frame: pd.DataFrame) -> pd.DataFrame:
    work = pd.DataFrame({
        "district": DISTRICT_UNIT, "street_code": frame["street_code"], "community_code": frame["community_code"],
        "month": frame["submitted_at"].dt.to_period("M").dt.start_time.dt.date,
        "received": 1, "resolved": frame["resolved_at"].notna().astype(np.int64),
    })
    parts = []
    for level, unit in (("district", "district"), ("street", "street_code"), ("community", "community_code")):
        keys = [unit, "month"] + (["street_code"] if level == "community" else [])
        part = work.groupby(keys, sort=False)[["received", "resolved"]].sum().reset_index()
        part = part.rename(columns={unit: "unit_code"})
        part["street_code"] = (part["street_code"] if level == "community"
                               else part["unit_code"] if level == "street" else "")
        part["unit_level"] = level
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out[[c.name for c in MONTH_SUMMARY.columns]]


def _unit_summary(conn: Connection, spans: list[Period]) -> pd.DataFrame:
    """Per unit and span: projects applied for (and of those completed), resource uses, new volunteers
    (the map's other counts; dates inclusive, as data_access.sql.date_filter)."""
    P, U, V = schema.projects, schema.resource_uses, schema.volunteer_months
    streets = _rows(conn, select(C.c.code, C.c.street_code), ["community_code", "street_code"])
    sources = {
        "projects": _rows(conn, select(P.c.community_code, P.c.applied_on, P.c.status),
                          ["community_code", "on", "status"]),
        "resources_used": _rows(conn, select(U.c.community_code, U.c.used_on), ["community_code", "on"]),
        "new_volunteers": _rows(conn, select(V.c.community_code, V.c.month, V.c.new_volunteers),
                                ["community_code", "on", "value"]),
    }
    sources["projects"]["value"] = 1
    sources["projects_completed"] = sources["projects"].assign(
        value=(sources["projects"]["status"] == PROJECT_COMPLETED).astype(np.int64))
    sources["resources_used"]["value"] = 1
    for source in sources.values():
        source["on"] = pd.to_datetime(source["on"]).dt.date
        source["district"] = DISTRICT_UNIT
    sources = {k: v.merge(streets, on="community_code") for k, v in sources.items()}
    units = streets.assign(district=DISTRICT_UNIT)
    parts = []
    for level, unit in (("district", "district"), ("street", "street_code"), ("community", "community_code")):
        for period in spans:
            counts = units[[unit, "street_code"] if level == "community" else [unit]].drop_duplicates()
            for measure, source in sources.items():
                inside = source[(source["on"] >= period.start) & (source["on"] <= period.end)]
                summed = inside.groupby(unit)["value"].sum().rename(measure)
                counts = counts.merge(summed, left_on=unit, right_index=True, how="left")
            counts = counts.rename(columns={unit: "unit_code"})
            counts["street_code"] = (counts["street_code"] if level == "community"
                                     else counts["unit_code"] if level == "street" else "")
            counts["unit_level"], counts["span_start"], counts["span_end"] = level, period.start, period.end
            parts.append(counts)
    out = pd.concat(parts, ignore_index=True)
    for measure in sources:
        out[measure] = out[measure].fillna(0).astype(np.int64)
    return out[[c.name for c in UNIT_SUMMARY.columns]]


def unit_rows(db, scope: Scope, level: str) -> pd.DataFrame:
    """The unit summary's rows of the scope's span: its own (street's) unit at ``district`` level, else every
    street or community inside the scope's street (the whole district without one)."""
    T, period, street = UNIT_SUMMARY, scope.period, scope.effective_street
    where = [T.c.span_start == period.start, T.c.span_end == period.end]
    if level == "district":
        where += [T.c.unit_level == ("street" if street else "district"), T.c.unit_code == (street or DISTRICT_UNIT)]
    else:
        where.append(T.c.unit_level == level)
        if street:
            where.append(T.c.street_code == street)
    return db.frame(select(T).where(*where))


def _open_requests(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """The open requests with the time of their last status change (else their submission)."""
    open_ = frame.loc[frame["status"].isin(REQUEST_OPEN_STATUSES), ["id", "status", "community_code", "submitted_at"]]
    last = _rows(conn, select(H.c.request_id, func.max(H.c.changed_at))
                 .where(H.c.request_id.in_(select(R.c.id).where(R.c.status.in_(REQUEST_OPEN_STATUSES))))
                 .group_by(H.c.request_id), ["id", "last_change"])
    last["last_change"] = pd.to_datetime(last["last_change"], format="ISO8601")
    open_ = open_.merge(last, on="id", how="left")
    open_["idle_since"] = open_["last_change"].fillna(open_["submitted_at"])
    return open_[[c.name for c in OPEN.columns]]


def _write(conn: Connection, table, frame: pd.DataFrame, chunk: int = 20_000) -> None:
    """Insert the frame's rows (plain Python values, NaN as NULL) in the caller's transaction."""
    clean = frame.astype(object).where(frame.notna(), None)
    names = list(clean.columns)
    rows = [dict(zip(names, values, strict=True)) for values in clean.itertuples(index=False, name=None)]
    for start in range(0, len(rows), chunk):
        conn.execute(insert(table), rows[start:start + chunk])


def _set_info(conn: Connection, entries: dict[str, str]) -> None:
    stored = _info(conn)
    for key, value in entries.items():
        if key in stored:
            conn.execute(INFO.update().where(INFO.c.key == key).values(value=value))
        else:
            conn.execute(INFO.insert().values(key=key, value=value))


def refresh(conn: Connection, targets=None) -> dict[str, int]:
    """Rebuild every summary from the raw rows, inside the caller's transaction. Returns row counts."""
    from data_access.requests import load_request_targets  # requests imports this module

    targets = targets if targets is not None else load_request_targets()
    for table in schema.SUMMARY_TABLES:
        conn.execute(delete(table))
    span = geography.scan_range(lambda stmt: conn.execute(stmt).scalar())
    if span is None:
        return {"spans": 0, "span_rows": 0, "month_rows": 0}
    data_start, reference = span
    spans = summary_spans(data_start, reference)
    frame = _request_frame(conn)
    frame["on_time"] = _on_time(frame, targets).to_numpy()
    span_summary = _span_summary(frame, spans)
    month_summary = _month_summary(frame)
    _write(conn, SPAN_SUMMARY, span_summary)
    _write(conn, MONTH_SUMMARY, month_summary)
    _write(conn, OPEN, _open_requests(conn, frame))
    _write(conn, UNIT_SUMMARY, _unit_summary(conn, spans))
    _write(conn, SPANS, pd.DataFrame([{"span_start": p.start, "span_end": p.end} for p in spans]))
    _set_info(conn, {"data_start": data_start.isoformat(), "reference_date": reference.isoformat(),
                     "summary_targets": targets_fingerprint(targets)})
    return {"spans": len(spans), "span_rows": len(span_summary), "month_rows": len(month_summary)}


def main(argv=None) -> int:
    """``python -m data_access.summaries [--url URL]``: rebuild the summaries in place (after editing
    config/request_targets.toml, say), in one transaction; a database from before they existed gets them."""
    import argparse
    import time

    from data_access.database import database_url, make_engine

    parser = argparse.ArgumentParser(prog="python -m data_access.summaries", description=main.__doc__.split("\n")[0])
    parser.add_argument("--url", default=None, help="database URL (default: DATABASE_URL or the embedded file)")
    args = parser.parse_args(argv)
    engine = make_engine(args.url or database_url())
    started = time.perf_counter()
    try:
        with engine.begin() as conn:
            schema.metadata.create_all(conn)  # only what is missing: summary tables and their indexes
            for index in schema.requests.indexes:
                index.create(conn, checkfirst=True)
            counts = refresh(conn)
            _set_info(conn, {"loaded_at": pd.Timestamp.now(tz="UTC").isoformat()})  # new cache key for the app
    finally:
        engine.dispose()
    print(f"summaries rebuilt in {time.perf_counter() - started:.1f} s: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
