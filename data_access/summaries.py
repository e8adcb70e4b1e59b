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
- ``bulletin_count_summary``: per community, month and ISO week, the bulletin's counts at the
  period's cut-off (data_access/bulletin_counts.py reads them when the definitions and cut-off match);
  ``bulletin_street_summary``: the same added up per street (a street bulletin's rows as stored).

``dataset_info`` also records the data's first and reference dates and a fingerprint of the
request targets the on-time counts used. A query whose span, targets or unit is not covered
falls back to the raw rows (same result, slower); ``tests/test_summaries.py`` checks that both
paths agree after a load and after an import.

An import does not rebuild them all: :func:`refresh_changes` rebuilds only the parts that read the
changed table and, for requests, moves the rows the changed requests count in by their before and
after contributions, the percentiles from stored anchors (data_access.summary_percentiles; a moved
reference date recounts the spans ending on it; docs/sync.md); ``tests/test_summaries_incremental.py``
checks that it gives the tables a full :func:`refresh` gives.

This is the build side. The readers the area modules use live in data_access/summary_rows.py; the
builders here call the area modules' own statements, so imports run one way: summaries -> area
modules -> summary_rows (tests/test_imports.py checks there is no cycle).
"""

from __future__ import annotations

import functools
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    Float,
    Integer,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
)

from data_access import bulletin_counts, evaluation, geography, projects, schema, summary_percentiles
from data_access.bulk import array_literal, insert_columns, upsert_columns
from data_access.database import lift_statement_timeout
from data_access.domain import (
    PARTNER_MERCHANT_KIND,
    PARTNER_SOCIAL_ORG_KIND,
    PROJECT_COMPLETED,
    REQUEST_CHANNEL_PLATFORM,
    REQUEST_OPEN_STATUSES,
    REQUEST_STATUSES,
    SAFETY_MEASURES,
)
from data_access.participation import EVENT_COLUMNS
from data_access.requests import load_request_targets
from data_access.scope import Period, period_options
from data_access.sql import among
from data_access.summary_rows import (  # noqa: F401 - covered is read through this module too (bench, tests)
    DIMENSIONS,
    DISTRICT_UNIT,
    INFO,
    OPEN_STATUS,
    STATUS_COLUMNS,
    SUMMARY_VERSION,
    _info,
    covered,
    targets_fingerprint,
)

R, H, C = schema.requests, schema.request_status_history, schema.communities
SPANS, SPAN_SUMMARY, MONTH_SUMMARY = schema.summary_spans, schema.request_span_summary, schema.request_month_summary
OPEN, UNIT_SUMMARY = schema.open_request_summary, schema.unit_span_summary
BULLETIN, BULLETIN_STREETS = schema.bulletin_count_summary, schema.bulletin_street_summary


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


def _request_frame(conn: Connection, communities: list[str] | None = None,
                   ids: list[str] | None = None) -> pd.DataFrame:
    """One row per request with its street, resolution days and the statuses it reached (a bit each);
    only the requests of ``communities`` or those of ``ids`` when given (an incremental refresh)."""
    if ids is not None and len(ids) > 5_000:  # bounded IN lists
        return pd.concat([_request_frame(conn, ids=ids[i:i + 5_000]) for i in range(0, len(ids), 5_000)],
                         ignore_index=True)
    # the statuses each request reached, as bits summed in the database: one row per request comes back
    bit = case({status: 1 << i for i, status in enumerate(REQUEST_STATUSES)}, value=H.c.status, else_=0)
    history = select(H.c.request_id, func.sum(bit.distinct()).label("bits")).group_by(H.c.request_id)
    stmt = select(R.c.id, R.c.community_code, C.c.street_code, R.c.channel, R.c.category, R.c.status,
                  R.c.submitted_at, R.c.resolved_at, R.c.satisfaction)
    if communities is not None:
        stmt = stmt.where(R.c.community_code.in_(communities))
        history = history.where(H.c.request_id.in_(select(R.c.id).where(R.c.community_code.in_(communities))))
    if ids is not None:
        stmt = stmt.where(among(conn.dialect.name, R.c.id, ids))
        history = history.where(among(conn.dialect.name, H.c.request_id, ids))
    reached = history.subquery("reached")
    stmt = stmt.add_columns(func.coalesce(reached.c.bits, 0)).join(C, C.c.code == R.c.community_code) \
        .outerjoin(reached, reached.c.request_id == R.c.id)
    frame = _rows(conn, stmt, ["id", "community_code", "street_code", "channel", "category", "status", "submitted_at",
                               "resolved_at", "satisfaction", "reached_bits"])
    for column in ("submitted_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    frame["satisfaction"] = pd.to_numeric(frame["satisfaction"], errors="coerce")
    frame["days"] = (frame["resolved_at"] - frame["submitted_at"]).dt.total_seconds() / 86400
    status_index = {status: i for i, status in enumerate(REQUEST_STATUSES)}
    frame["reached_bits"] = pd.to_numeric(frame["reached_bits"]).fillna(0).astype(np.int64).to_numpy()
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


def _explode(frame: pd.DataFrame, spans: list[Period]) -> pd.DataFrame:
    """Each request once per span it falls in (``span``: the span's index), with its measures: one grouping
    per level and breakdown then serves every span, so the work grows with the rows, not with the spans."""
    submitted = frame["submitted_at"].to_numpy()
    members = [np.flatnonzero((submitted >= np.datetime64(p.start_at)) & (submitted < np.datetime64(p.end_exclusive)))
               for p in spans]
    span_of = np.concatenate([np.full(len(m), i, dtype=np.int64) for i, m in enumerate(members)]) \
        if members else np.array([], dtype=np.int64)
    rows = np.concatenate(members) if members else np.array([], dtype=np.int64)
    base = frame[["id", "street_code", "community_code", "category", "channel", "days"]].iloc[rows]
    exploded = pd.concat([base.reset_index(drop=True), _measures(frame).iloc[rows].reset_index(drop=True)], axis=1)
    exploded["span"] = span_of
    exploded["district"] = DISTRICT_UNIT
    return exploded


def _levels():
    """(level, its unit column, breakdown, its column, the grouping keys) of every span summary row kind."""
    for level, unit in (("district", "district"), ("street", "street_code"), ("community", "community_code")):
        for dim, column in DIMENSIONS.items():
            keys = ["span", unit] + ([column] if column else []) + (["street_code"] if level == "community" else [])
            yield level, unit, dim, column, keys


def _span_members(frame: pd.DataFrame, spans: list[Period]):
    """(level, breakdown, rows with unit_code, dim_value, span, days, id): which summary rows each of a few
    resolved requests counts in (summary_percentiles.patch)."""
    exploded = _explode(frame, spans)
    for level, unit, dim, column, _keys in _levels():
        if dim in summary_percentiles.PERCENTILE_DIMS:
            yield level, dim, exploded.assign(unit_code=exploded[unit],
                                              dim_value=exploded[column] if column else "")


def _span_summary(frame: pd.DataFrame, spans: list[Period], percentiles: bool = True) -> pd.DataFrame:
    """Every span's rows at once (_explode); without ``percentiles`` only the additive measures (an import's
    before and after contributions, summary_percentiles moves the percentiles)."""
    columns = [c.name for c in SPAN_SUMMARY.columns]
    exploded = _explode(frame, spans)
    if exploded.empty:
        return pd.DataFrame(columns=columns)
    resolved = summary_percentiles.sorted_by_days(exploded[exploded["resolved"].to_numpy() == 1]) \
        if percentiles else None
    parts = []
    for level, unit, dim, column, keys in _levels():
        part = exploded.groupby(keys, sort=False)[MEASURES].sum()
        if percentiles and dim in summary_percentiles.PERCENTILE_DIMS:
            part = part.join(summary_percentiles.group_percentiles(resolved, keys))
        part = part.reset_index().rename(columns={unit: "unit_code"})
        part["street_code"] = (part["street_code"] if level == "community"
                               else part["unit_code"] if level == "street" else "")
        part["dim_value"] = part[column] if column else ""
        part["unit_level"], part["dim"] = level, dim
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["span_start"] = [spans[i].start for i in out["span"]]
    out["span_end"] = [spans[i].end for i in out["span"]]
    return out.reindex(columns=columns)


def _month_summary(frame: pd.DataFrame) -> pd.DataFrame:
    work = pd.DataFrame({
        "street_code": frame["street_code"], "community_code": frame["community_code"],
        "month": frame["submitted_at"].dt.to_period("M").dt.start_time.dt.date,
        "received": 1, "resolved": frame["resolved_at"].notna().astype(np.int64),
    })
    return _roll_up(work, ["month"], ["received", "resolved"])[[c.name for c in MONTH_SUMMARY.columns]]


def _unit_summary(conn: Connection, spans: list[Period], streets: pd.DataFrame) -> pd.DataFrame:
    """Per unit and span: projects applied for (and of those completed), resource uses, new volunteers
    (the map's other counts; dates inclusive, as data_access.sql.date_filter). Every unit has a row for
    every span (zeros included); each source is grouped once over all the spans (_in_spans)."""
    P, U, V = schema.projects, schema.resource_uses, schema.volunteer_months
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
    grid = pd.MultiIndex.from_product([range(len(spans)), streets["community_code"]], names=["span", "community_code"])
    per_community = pd.DataFrame(index=grid)
    for measure, source in sources.items():
        source["on"] = pd.to_datetime(source["on"])
        inside = _in_spans(source, "on", spans)
        per_community[measure] = inside.groupby(["span", "community_code"])["value"].sum()
    measures = list(sources)
    per_community = per_community.fillna(0).reset_index().merge(streets, on="community_code")
    out = _roll_up(per_community, ["span"], measures)
    for measure in measures:
        out[measure] = out[measure].astype(np.int64)
    out["span_start"] = [spans[i].start for i in out["span"]]
    out["span_end"] = [spans[i].end for i in out["span"]]
    return out[[c.name for c in UNIT_SUMMARY.columns]]


def _in_spans(frame: pd.DataFrame, at: str, spans: list[Period]) -> pd.DataFrame:
    """The rows of ``frame`` once per span their datetime column ``at`` falls inside (as
    data_access.sql.datetime_filter; a date is inside on its span's days), with the span's index in
    ``span``: one grouping then serves every span, where a loop would group once per span."""
    at_values = pd.to_datetime(frame[at]).to_numpy()
    members = [np.flatnonzero((at_values >= np.datetime64(p.start_at)) & (at_values < np.datetime64(p.end_exclusive)))
               for p in spans]
    rows = np.concatenate(members) if members else np.array([], dtype=np.int64)
    span_of = np.concatenate([np.full(len(m), i, dtype=np.int64) for i, m in enumerate(members)]) \
        if members else np.array([], dtype=np.int64)
    return frame.iloc[rows].reset_index(drop=True).assign(span=span_of)


def _open_requests(conn: Connection, frame: pd.DataFrame, ids: list[str] | None = None) -> pd.DataFrame:
    """The open requests with the time of their last status change (else their submission); only those
    of ``ids`` when given (an incremental refresh)."""
    open_ = frame.loc[frame["status"].isin(REQUEST_OPEN_STATUSES),
                      ["id", "status", "category", "community_code", "submitted_at"]]
    open_ids = select(R.c.id).where(R.c.status.in_(REQUEST_OPEN_STATUSES))
    if ids is not None:
        open_ = open_[open_["id"].isin(ids)]
        open_ids = open_ids.where(among(conn.dialect.name, R.c.id, ids))
    last = _rows(conn, select(H.c.request_id, func.max(H.c.changed_at))
                 .where(H.c.request_id.in_(open_ids))
                 .group_by(H.c.request_id), ["id", "last_change"])
    last["last_change"] = pd.to_datetime(last["last_change"], format="ISO8601")
    open_ = open_.merge(last, on="id", how="left")
    open_["idle_since"] = open_["last_change"].fillna(open_["submitted_at"])
    return open_[[c.name for c in OPEN.columns]]


def _per_level(inside: pd.DataFrame, by: list[str], build) -> list[pd.DataFrame]:
    """``build(grouped frame)`` per district, street and community (grouped by ``by`` as well) as unit rows;
    for figures that do not add up across units, such as medians."""
    work = inside.assign(district=DISTRICT_UNIT)
    parts = []
    for level, unit in (("district", "district"), ("street", "street_code"), ("community", "community_code")):
        keys = [unit, *by] + (["street_code"] if level == "community" else [])
        part = build(work.groupby(keys, sort=False)).reset_index().rename(columns={unit: "unit_code"})
        part["street_code"] = (part["street_code"] if level == "community"
                               else part["unit_code"] if level == "street" else "")
        part["unit_level"] = level
        parts.append(part)
    return parts


def _per_level_and_span(frame: pd.DataFrame, at: str, spans: list[Period], by: list[str], build,
                        table) -> pd.DataFrame:
    """:func:`_per_level` for each span, over the rows whose datetime column ``at`` falls inside it (as
    data_access.sql.datetime_filter), in ``table``'s columns; the spans grouped together (_in_spans)."""
    columns = [c.name for c in table.columns]
    inside = _in_spans(frame, at, spans)
    if inside.empty:
        return pd.DataFrame(columns=columns)
    out = pd.concat(_per_level(inside, ["span", *by], build), ignore_index=True)
    out["span_start"] = [spans[i].start for i in out["span"]]
    out["span_end"] = [spans[i].end for i in out["span"]]
    return out[columns]


def _indicator_span_summary(conn: Connection, spans: list[Period], streets: pd.DataFrame) -> pd.DataFrame:
    """Acceptance scores per unit, span of application and indicator, as sums and counts the averages of
    data_access.projects.indicator_averages and weakest_indicators are read from."""
    scores = _rows(conn, projects.indicator_scores_select(),
                   ["community_code", "applied_on", "indicator_code", "score", "achievement"]
                   ).merge(streets, on="community_code")
    scores["applied_on"] = pd.to_datetime(scores["applied_on"])
    scores["below"] = (scores["achievement"] < 1).astype(int)

    def build(groups):
        return pd.DataFrame({"scores": groups.size(), "score_sum": groups["score"].sum(),
                             "score_count": groups["score"].count(), "achievement_sum": groups["achievement"].sum(),
                             "achievement_count": groups["achievement"].count(), "below_target": groups["below"].sum()})

    return _per_level_and_span(scores, "applied_on", spans, ["indicator_code"], build, schema.indicator_span_summary)


def _wish_span_summary(conn: Connection, spans: list[Period], streets: pd.DataFrame) -> pd.DataFrame:
    """Micro wishes per unit and span of posting: posted, claimed, fulfilled and the median days to fulfil
    (as requests.wish_totals)."""
    W = schema.micro_wishes
    wishes = _rows(conn, select(W.c.community_code, W.c.posted_at, W.c.claimed_at, W.c.fulfilled_at),
                   ["community_code", "posted_at", "claimed_at", "fulfilled_at"]).merge(streets, on="community_code")
    for column in ("posted_at", "claimed_at", "fulfilled_at"):
        wishes[column] = pd.to_datetime(wishes[column], format="ISO8601")
    wishes["days"] = (wishes["fulfilled_at"] - wishes["posted_at"]).dt.total_seconds() / 86400

    def build(groups):
        return pd.DataFrame({"posted": groups.size(), "claimed": groups["claimed_at"].count(),
                             "fulfilled": groups["fulfilled_at"].count(),
                             "median_days_to_fulfil": groups["days"].quantile(0.5)})

    return _per_level_and_span(wishes, "posted_at", spans, [], build, schema.wish_span_summary)


def _open_status_summary(open_: pd.DataFrame, streets: pd.DataFrame, spans: list[Period],
                         reference: date) -> pd.DataFrame:
    """Per unit, span (of submission) and open status: how many, and the median days since their last
    change as of the day after the reference date (as requests.open_requests_by_status)."""
    as_of = pd.Timestamp(reference) + pd.Timedelta(days=1)
    work = open_.merge(streets, on="community_code")
    work["idle_days"] = (as_of - work["idle_since"]).dt.total_seconds() / 86400

    def build(groups):
        return pd.DataFrame({"open": groups.size(), "median_idle_days": groups["idle_days"].quantile(0.5)})

    return _per_level_and_span(work, "submitted_at", spans, ["status"], build, OPEN_STATUS)


def _roll_up(per_community: pd.DataFrame, keys: list[str], measures: list[str]) -> pd.DataFrame:
    """Sums of ``measures`` per ``keys`` for the district, each street and each community, as unit rows
    (unit_level, unit_code, street_code); ``per_community`` has community_code and street_code."""
    return pd.concat(_per_level(per_community, keys, lambda groups: groups[measures].sum()), ignore_index=True)


def _participation_summaries(conn: Connection, spans: list[Period],
                             streets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """data_access.participation's figures per unit and span, and per unit and month (its rules:
    flows inside the span, active volunteers in the span's last volunteer month, partners as a stock)."""
    VM, E, PU = schema.volunteer_months, schema.participation_events, schema.partner_units
    volunteers = _rows(conn, select(VM.c.community_code, VM.c.month, VM.c.new_volunteers, VM.c.active_volunteers,
                                    VM.c.residents_taking_part),
                       ["community_code", "on", "new_volunteers", "active_volunteers", "residents_taking_part"])
    events = _rows(conn, select(E.c.community_code, E.c.held_on, E.c.kind, E.c.participants, E.c.issues_settled),
                   ["community_code", "on", "kind", "event_participants", "issues_settled"])
    partners = _rows(conn, select(PU.c.community_code, PU.c.kind, PU.c.joined_on), ["community_code", "kind", "on"])
    for frame in (volunteers, events, partners):
        frame["on"] = pd.to_datetime(frame["on"]).dt.date
    events[["event_participants", "issues_settled"]] = events[["event_participants", "issues_settled"]].fillna(0)
    for kind, column in EVENT_COLUMNS.items():
        events[column] = (events["kind"] == kind).astype(np.int64)
        events[f"{column}_participants"] = events["event_participants"] * events[column]
        events[f"{column}_issues"] = events["issues_settled"] * events[column]
    partners["caring_merchants"] = (partners["kind"] == PARTNER_MERCHANT_KIND).astype(np.int64)
    partners["social_organisations"] = (partners["kind"] == PARTNER_SOCIAL_ORG_KIND).astype(np.int64)
    event_columns = [*EVENT_COLUMNS.values(), "issues_settled", "event_participants",
                     *schema.PARTICIPATION_KIND_MEASURES]
    measures = schema.PARTICIPATION_MEASURES + schema.PARTICIPATION_KIND_MEASURES
    communities = streets.set_index("community_code")

    spans_out = []
    for period in spans:
        v = volunteers[(volunteers["on"] >= period.start) & (volunteers["on"] <= period.end)]
        e = events[(events["on"] >= period.start) & (events["on"] <= period.end)]
        stock = partners[partners["on"] <= period.end]
        new = stock[stock["on"] >= period.start]
        per = communities.copy()
        per = per.join(v.groupby("community_code")[["new_volunteers", "residents_taking_part"]].sum())
        last = v["on"].max() if len(v) else None
        per = per.join(v[v["on"] == last].groupby("community_code")["active_volunteers"].sum())
        per = per.join(stock.groupby("community_code")[["caring_merchants", "social_organisations"]].sum())
        per = per.join(new.groupby("community_code")[["caring_merchants", "social_organisations"]].sum()
                       .add_prefix("new_"))
        per = per.join(e.groupby("community_code")[event_columns].sum())
        per = per.reindex(columns=["street_code", *measures]).reset_index()
        per[measures] = per[measures].fillna(0).astype(np.int64)
        per["span_start"], per["span_end"] = period.start, period.end
        spans_out.append(per)
    span_summary = _roll_up(pd.concat(spans_out, ignore_index=True), ["span_start", "span_end"], measures)

    volunteers["month"] = [f"{d.year:04d}-{d.month:02d}" for d in volunteers["on"]]
    events["month"] = [f"{d.year:04d}-{d.month:02d}" for d in events["on"]]
    monthly = pd.concat([volunteers.drop(columns="on"), events[["community_code", "month", *event_columns]]])
    monthly = monthly.merge(streets, on="community_code")
    month_columns = schema.PARTICIPATION_MONTH_MEASURES
    monthly[month_columns] = monthly[month_columns].fillna(0).astype(np.int64)
    month_summary = _roll_up(monthly, ["month"], month_columns)
    return (span_summary[[c.name for c in schema.participation_span_summary.columns]],
            month_summary[[c.name for c in schema.participation_month_summary.columns]])


def _safety_month_summary(conn: Connection, streets: pd.DataFrame) -> pd.DataFrame:
    """safety_months summed per unit and month."""
    SM = schema.safety_months
    months = _rows(conn, select(SM.c.community_code, SM.c.month, *[SM.c[m] for m in SAFETY_MEASURES]),
                   ["community_code", "month", *SAFETY_MEASURES]).merge(streets, on="community_code")
    months["month"] = pd.to_datetime(months["month"]).dt.date
    summary = _roll_up(months, ["month"], SAFETY_MEASURES)
    return summary[[c.name for c in schema.safety_month_summary.columns]]


def _resource_use_summary(conn: Connection, spans: list[Period], streets: pd.DataFrame) -> pd.DataFrame:
    """Resource uses and beneficiaries per unit, span (used_on inside, inclusive) and catalogue item kind."""
    U, CI = schema.resource_uses, schema.catalogue_items
    uses = _rows(conn, select(U.c.community_code, U.c.used_on, CI.c.kind, U.c.beneficiaries)
                 .join(CI, CI.c.code == U.c.item_code),
                 ["community_code", "on", "resource_kind", "beneficiaries"]).merge(streets, on="community_code")
    uses["on"] = pd.to_datetime(uses["on"]).dt.date
    uses["uses"] = 1
    parts = [uses[(uses["on"] >= p.start) & (uses["on"] <= p.end)].assign(span_start=p.start, span_end=p.end)
             for p in spans]
    if not parts or not sum(len(part) for part in parts):
        return pd.DataFrame(columns=[c.name for c in schema.resource_use_summary.columns])
    summary = _roll_up(pd.concat(parts, ignore_index=True), ["span_start", "span_end", "resource_kind"],
                       ["uses", "beneficiaries"])
    return summary[[c.name for c in schema.resource_use_summary.columns]]


def _refresh_projects(conn: Connection) -> None:
    """Per project: its stage (status and since when), its milestones done (and the latest) and its
    weighted acceptance total; per unit and year: the evaluation composite. Written by the very
    statements the raw queries use (data_access.projects, data_access.evaluation), so both paths agree."""
    conn.execute(insert(schema.evaluation_composite_summary).from_select(
        ["unit_level", "unit_code", "year", "composite", "dimensions_scored"], evaluation.composite_select()))

    stages = projects.stage_select()
    conn.execute(insert(schema.project_stage_summary).from_select([c.name for c in stages.selected_columns], stages))
    totals = projects.project_totals_select(None).subquery("totals")
    conn.execute(insert(schema.project_acceptance_summary).from_select(
        ["project_code", "total", "indicators_scored"],
        select(totals.c.project_code, totals.c.total, totals.c.indicators_scored)))


def _columns(frame: pd.DataFrame) -> tuple[list[str], list[list]]:
    """The frame's column names and values column by column (plain Python values, NaN as None)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return list(clean.columns), [clean[name].tolist() for name in clean.columns]


def _write(conn: Connection, table, frame: pd.DataFrame) -> None:
    """Insert the frame's rows in the caller's transaction, through the DB-API cursor (data_access.bulk)."""
    insert_columns(conn, table, *_columns(frame))


def _set_info(conn: Connection, entries: dict[str, str]) -> None:
    stored = _info(conn)
    for key, value in entries.items():
        if key in stored:
            conn.execute(INFO.update().where(INFO.c.key == key).values(value=value))
        else:
            conn.execute(INFO.insert().values(key=key, value=value))


def analyze(conn: Connection) -> None:
    """Refresh the planner's statistics. Without them SQLite reads a summary through its primary key
    on the first column alone (every community row of every span) instead of the span index: 4× slower.
    A sampled ANALYZE (analysis_limit) takes milliseconds even at city scale."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
    conn.exec_driver_sql("ANALYZE")


class _Context:
    """What every builder needs: the spans, the communities' streets, the data's dates, the targets."""

    def __init__(self, conn: Connection, spans: list[Period], data_start: date, reference: date, targets):
        self.spans, self.data_start, self.reference, self.targets = spans, data_start, reference, targets
        self.streets = _rows(conn, select(C.c.code, C.c.street_code), ["community_code", "street_code"])


def _build_requests(conn: Connection, ctx: _Context) -> dict[str, int]:
    frame = _request_frame(conn)
    frame["on_time"] = _on_time(frame, ctx.targets).to_numpy()
    span_summary = _span_summary(frame, ctx.spans)
    month_summary = _month_summary(frame)
    _write(conn, summary_percentiles.D, summary_percentiles.durations_rows(frame))
    _write(conn, SPAN_SUMMARY, span_summary)
    _write(conn, MONTH_SUMMARY, month_summary)
    open_ = _open_requests(conn, frame)
    _write(conn, OPEN, open_)
    _write(conn, OPEN_STATUS, _open_status_summary(open_, ctx.streets, ctx.spans, ctx.reference))
    return {"span_rows": len(span_summary), "month_rows": len(month_summary)}


def _build_participation(conn: Connection, ctx: _Context) -> None:
    for table, frame in zip((schema.participation_span_summary, schema.participation_month_summary),
                            _participation_summaries(conn, ctx.spans, ctx.streets), strict=True):
        _write(conn, table, frame)


#: The summary builders: name -> (the tables it writes, the data tables it reads, the builder). An import
#: into a table rebuilds only the parts that read it (requests row by row, see refresh_changes).
PARTS = {
    "requests": ((SPAN_SUMMARY, MONTH_SUMMARY, OPEN, OPEN_STATUS),
                 ("requests", "request_status_history", "communities"), _build_requests),
    "projects": ((schema.evaluation_composite_summary, schema.project_stage_summary, schema.project_acceptance_summary),
                 ("projects", "project_milestones", "project_scores", "project_indicators", "evaluation_scores",
                  "evaluation_dimensions", "communities", "streets"),
                 lambda conn, ctx: _refresh_projects(conn)),
    "participation": ((schema.participation_span_summary, schema.participation_month_summary),
                      ("volunteer_months", "participation_events", "partner_units", "communities"),
                      _build_participation),
    "safety": ((schema.safety_month_summary,), ("safety_months", "communities"),
               lambda conn, ctx: _write(conn, schema.safety_month_summary, _safety_month_summary(conn, ctx.streets))),
    "resource_uses": ((schema.resource_use_summary,), ("resource_uses", "catalogue_items", "communities"),
                      lambda conn, ctx: _write(conn, schema.resource_use_summary,
                                               _resource_use_summary(conn, ctx.spans, ctx.streets))),
    "wishes": ((schema.wish_span_summary,), ("micro_wishes", "communities"),
               lambda conn, ctx: _write(conn, schema.wish_span_summary,
                                        _wish_span_summary(conn, ctx.spans, ctx.streets))),
    "indicators": ((schema.indicator_span_summary,),
                   ("projects", "project_scores", "project_indicators", "communities"),
                   lambda conn, ctx: _write(conn, schema.indicator_span_summary,
                                            _indicator_span_summary(conn, ctx.spans, ctx.streets))),
    "units": ((UNIT_SUMMARY,), ("projects", "resource_uses", "volunteer_months", "communities"),
              lambda conn, ctx: _write(conn, UNIT_SUMMARY, _unit_summary(conn, ctx.spans, ctx.streets))),
    "bulletin": ((BULLETIN, BULLETIN_STREETS), ("requests", "request_status_history", "communities"),
                 lambda conn, ctx: _build_bulletin(conn, ctx)),
}
#: Data tables no summary reads (an import into them only moves the data range, checked separately).
UNSUMMARISED = ("venues", "fund_entries", "property_ratings", "compounds")


def _this_versions_tables(conn: Connection) -> None:
    """Summary tables in this version's layout: built by another version (a column added since, say), they
    are dropped and created again (derived data), so that the first import after an upgrade rebuilds them
    instead of failing on a column they lack."""
    if _info(conn).get("summary_version") == SUMMARY_VERSION:
        return
    for table in reversed(schema.SUMMARY_TABLES):
        table.drop(conn, checkfirst=True)
    for table in schema.SUMMARY_TABLES:
        table.create(conn, checkfirst=True)


def refresh(conn: Connection, targets=None) -> dict[str, int]:
    """Rebuild every summary from the raw rows, inside the caller's transaction. Returns row counts."""
    targets = targets if targets is not None else load_request_targets()
    lift_statement_timeout(conn)  # at city scale a builder's statement runs for minutes
    _this_versions_tables(conn)
    for table in schema.SUMMARY_TABLES:
        conn.execute(delete(table))
    span = geography.scan_range(lambda stmt: conn.execute(stmt).scalar())
    if span is None:
        return {"spans": 0, "span_rows": 0, "month_rows": 0}
    data_start, reference = span
    spans = summary_spans(data_start, reference)
    ctx = _Context(conn, spans, data_start, reference, targets)
    counts = {}
    for _tables, _sources, build in PARTS.values():
        counts.update(build(conn, ctx) or {})
    _write(conn, SPANS, pd.DataFrame([{"span_start": p.start, "span_end": p.end} for p in spans]))
    _set_info(conn, {"data_start": data_start.isoformat(), "reference_date": reference.isoformat(),
                     "summary_targets": targets_fingerprint(targets), "summary_version": SUMMARY_VERSION})
    analyze(conn)
    return {"spans": len(spans), **counts}


# --- incremental refresh ------------------------------------------------------------------------


class Changes:
    """The rows an import is about to change, taken before it writes: for requests, each one as the
    summaries counted it (its place, times, status and statuses reached): what the refresh subtracts."""

    def __init__(self, conn: Connection, table_name: str, keys: list[tuple]):
        self.table_name, self.keys = table_name, keys
        self.request_ids = [key[0] for key in keys] if table_name == "requests" else []
        self.before = _request_frame(conn, ids=self.request_ids)
        self.bulletin_before = _bulletin_before(conn, self.request_ids)


def _request_places(conn: Connection, ids: list[str]) -> pd.DataFrame:
    """community_code and submitted_at of the stored requests among ``ids``."""
    found = []
    for start in range(0, len(ids), 5_000):  # bounded IN lists
        chunk = ids[start:start + 5_000]
        found += conn.execute(select(R.c.community_code, R.c.submitted_at)
                              .where(among(conn.dialect.name, R.c.id, chunk))).all()
    frame = pd.DataFrame(found, columns=["community_code", "submitted_at"])
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], format="ISO8601")
    return frame


def _stored_range(conn: Connection, targets) -> tuple[tuple[date, date], tuple[date, date]] | None:
    """(the data range the stored summaries were built for, the data range now) when they can be patched:
    built by this version, with these targets, from the same first date (a moved first date moves every
    previous span: everything is rebuilt). A moved reference ("as of") date is patched (:func:`_move_spans`)."""
    info = _info(conn)
    if info.get("summary_version") != SUMMARY_VERSION or info.get("summary_targets") != targets_fingerprint(targets):
        return None
    span = geography.scan_range(lambda stmt: conn.execute(stmt).scalar())
    if span is None or "reference_date" not in info or info.get("data_start") != span[0].isoformat():
        return None
    return (span[0], date.fromisoformat(info["reference_date"])), span


def refresh_changes(conn: Connection, changes: Changes, targets=None) -> str:
    """Bring the summaries up to date after ``changes`` were written, in the caller's transaction: only
    the parts that read the changed table, and for requests only the rows of the touched communities
    (their streets, the district) and spans and months. A moved reference date (a sync's first new day)
    changes only the spans that end on it (:func:`_move_spans`). Falls back to :func:`refresh` when the
    summaries are from another version or targets, or the first date moved. Returns what it did."""
    targets = targets if targets is not None else load_request_targets()
    lift_statement_timeout(conn)  # a moved reference date recounts whole spans
    ranges = _stored_range(conn, targets)
    known = {source for _t, sources, _b in PARTS.values() for source in sources} | set(UNSUMMARISED)
    if ranges is None or changes.table_name not in known:
        refresh(conn, targets)
        return "full"
    stored, span = ranges
    moved = stored != span
    if not changes.keys and not moved:
        return "none"
    ctx = _Context(conn, summary_spans(*span), *span, targets)
    rebuilt = {name for name, (_t, sources, _b) in PARTS.items() if changes.table_name in sources}
    if moved:
        _move_spans(conn, ctx, summary_spans(*stored), skip=rebuilt)
    for name, (tables, _sources, build) in PARTS.items():
        if name == "requests" and changes.table_name == "requests" and not moved:
            _patch_changed_requests(conn, ctx, changes)
        elif name == "bulletin" and (changes.table_name == "requests" or (moved and name not in rebuilt)):
            _patch_bulletin(conn, ctx, changes, stored[1])
        elif name == "requests" and (changes.table_name == "requests" or (moved and name not in rebuilt)):
            _patch_requests(conn, ctx, changes, _grown_spans(summary_spans(*stored), ctx.spans) if moved else [])
        elif name in rebuilt:
            for table in tables:
                conn.execute(delete(table))
            build(conn, ctx)
    return "incremental"


# --- the bulletin's counts ----------------------------------------------------------------------

BULLETIN_KEYS = ["kind", "period_key", "community_code"]
BULLETIN_STREET_KEYS = ["kind", "period_key", "street_code"]


def _bulletin_config() -> bulletin_counts.BulletinConfig | None:
    """config/bulletin.toml, or None when it cannot be read (the bulletin then reports why; an import
    must not fail on it): no counts are stored, and the bulletin counts from the raw rows."""
    try:
        return bulletin_counts.load_bulletin_config()
    except (ValueError, OSError):  # BulletinError and TOMLDecodeError are ValueErrors
        return None


@functools.lru_cache(maxsize=16)
def _bulletin_statement(kind: str, data_start: date, reference: date, targets, config, by_ids: bool,
                        recounted: frozenset[str] | None, dialect: str = "sqlite"):
    """bulletin_counts.community_counts of every ``kind`` period of the data (or of ``recounted``), at its
    cut-off: built once per data range, so an import's before and after counts reuse one compiled statement."""
    periods = [p for p in bulletin_counts.period_options(data_start, reference, kind)
               if recounted is None or p.key in recounted]
    if not periods:
        return None
    spans = [(p, bulletin_counts.cutoff_date(p, reference)) for p in periods]
    return bulletin_counts.community_counts(spans, config, targets, by_ids=by_ids, every_period=recounted is None,
                                            dialect=dialect)


def _no_bulletin_rows() -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype="int64" if isinstance(c.type, Integer) else object)
                         for c in BULLETIN.columns})


def _bulletin_counts(conn: Connection, data_start: date, reference: date, targets, config,
                     ids: list[str]) -> pd.DataFrame:
    """The share of the requests among ``ids`` in ``bulletin_count_summary``'s rows (every month and ISO week
    from ``data_start`` to ``reference``, each at its cut-off, per community): a changed request's contribution."""
    columns, frames = [c.name for c in BULLETIN.columns], []
    for kind in ("month", "week"):
        stmt = _bulletin_statement(kind, data_start, reference, targets, config, True, None, conn.dialect.name)
        for start in range(0, len(ids), 5_000):
            frame = pd.DataFrame(conn.execute(stmt, {"ids": ids[start:start + 5_000]}).all(), columns=[
                "period_key", "community_code", "street_code", *bulletin_counts.COUNT_COLUMNS])
            frames.append(frame.assign(kind=kind)[columns])
    if not frames:
        return _no_bulletin_rows()
    return pd.concat(frames, ignore_index=True).groupby([*BULLETIN_KEYS, "street_code"], as_index=False).sum()


def _insert_bulletin_counts(conn: Connection, ctx: _Context, config, recounted: set[str] | None = None) -> None:
    """Every period's counts (or ``recounted``'s) written by the database itself (INSERT … SELECT): at city
    scale some 170,000 rows that need not pass through Python."""
    names = [c.name for c in BULLETIN.columns]
    for kind in ("month", "week"):
        stmt = _bulletin_statement(kind, ctx.data_start, ctx.reference, ctx.targets, config, False,
                                   None if recounted is None else frozenset(recounted))
        if stmt is not None:
            counts = stmt.subquery("bulletin_counts")
            conn.execute(insert(BULLETIN).from_select(names, select(literal(kind), *counts.c)))
    sums = [func.sum(BULLETIN.c[name]) for name in bulletin_counts.COUNT_COLUMNS]
    keys = [BULLETIN.c[name] for name in BULLETIN_STREET_KEYS]
    periods = [] if recounted is None else [BULLETIN.c.period_key.in_(sorted(recounted))]
    conn.execute(insert(BULLETIN_STREETS).from_select([c.name for c in BULLETIN_STREETS.columns],
                                                      select(*keys, *sums).where(*periods).group_by(*keys)))


def _build_bulletin(conn: Connection, ctx: _Context) -> None:
    config = _bulletin_config()
    if config is not None:
        _insert_bulletin_counts(conn, ctx, config)
    _set_info(conn, {"bulletin_counts": bulletin_counts.counts_fingerprint(config, ctx.targets) if config else ""})


def _bulletin_before(conn: Connection, ids: list[str]) -> pd.DataFrame | None:
    """The stored counts' share of the requests an import is about to change (before it writes), or None
    when the stored counts are not this configuration's (the refresh then recounts them all)."""
    if not ids:
        return _no_bulletin_rows()
    info, config, targets = _info(conn), _bulletin_config(), load_request_targets()
    if (config is None or "data_start" not in info or "reference_date" not in info
            or info.get("bulletin_counts") != bulletin_counts.counts_fingerprint(config, targets)):
        return None
    return _bulletin_counts(conn, date.fromisoformat(info["data_start"]), date.fromisoformat(info["reference_date"]),
                            targets, config, ids=ids)


def _patch_bulletin(conn: Connection, ctx: _Context, changes: Changes, old_reference: date) -> None:
    """The bulletin's counts after an import: the changed requests' counts after the write added and those
    before taken away, per period and community (an import writes no status history, so only a request's
    own row moves it); a moved reference date recounts the periods whose cut-off it moved (those ending on
    or after the earlier of the two dates) for every community. Recounts everything when the stored
    counts were built with other definitions."""
    config = _bulletin_config()
    if (config is None or changes.bulletin_before is None
            or _info(conn).get("bulletin_counts") != bulletin_counts.counts_fingerprint(config, ctx.targets)):
        conn.execute(delete(BULLETIN))
        conn.execute(delete(BULLETIN_STREETS))
        _build_bulletin(conn, ctx)
        return
    recounted: set[str] = set()
    if old_reference != ctx.reference:
        since = min(old_reference, ctx.reference)
        recounted = {p.key for reference in (old_reference, ctx.reference) for kind in ("month", "week")
                     for p in bulletin_counts.period_options(ctx.data_start, reference, kind) if p.end >= since}
        for table in (BULLETIN, BULLETIN_STREETS):
            conn.execute(delete(table).where(table.c.period_key.in_(sorted(recounted))))
        _insert_bulletin_counts(conn, ctx, config, recounted)
    before, after = changes.bulletin_before, _bulletin_counts(conn, ctx.data_start, ctx.reference, ctx.targets,
                                                              config, ids=changes.request_ids)
    before, after = (frame[~frame["period_key"].isin(recounted)] for frame in (before, after))
    measures = list(bulletin_counts.COUNT_COLUMNS)
    stored, now = _added_up(conn, BULLETIN, BULLETIN_KEYS, measures, after, before)
    _replace_rows(conn, BULLETIN, BULLETIN_KEYS, now, stored)
    # the streets' sums move by the same contributions, added up per street
    after, before = (frame.groupby(BULLETIN_STREET_KEYS, as_index=False)[measures].sum() for frame in (after, before))
    stored, now = _added_up(conn, BULLETIN_STREETS, BULLETIN_STREET_KEYS, measures, after, before)
    _replace_rows(conn, BULLETIN_STREETS, BULLETIN_STREET_KEYS, now, stored)


def _key(period: Period) -> tuple[date, date]:
    return period.start, period.end


def _grown_spans(old: list[Period], new: list[Period]) -> list[tuple[Period, Period | None]]:
    """The spans a moved reference date adds, each with the old span it grew (or shrank) from: the old
    span with the same start that is gone now (None for a span with no such one, a new quarter say)."""
    new_keys, old_keys = {_key(p) for p in new}, {_key(p) for p in old}
    gone = [p for p in old if _key(p) not in new_keys]
    return [(p, next((g for g in gone if g.start == p.start), None)) for p in new if _key(p) not in old_keys]


#: The span tables of the other areas and their builders for a list of spans (requests: _patch_requests).
SPAN_PARTS = {
    "units": (UNIT_SUMMARY, lambda conn, spans, streets: _unit_summary(conn, spans, streets)),
    "participation": (schema.participation_span_summary,
                      lambda conn, spans, streets: _participation_summaries(conn, spans, streets)[0]),
    "resource_uses": (schema.resource_use_summary, _resource_use_summary),
    "wishes": (schema.wish_span_summary, _wish_span_summary),
    "indicators": (schema.indicator_span_summary, _indicator_span_summary),
}


def _move_spans(conn: Connection, ctx: _Context, old: list[Period], skip: set[str]) -> None:
    """The reference date moved: the spans that ended on it (all, the current year and quarter, their
    like-for-like previous spans) are replaced by the new ones. The other areas' span tables build just
    those (their sources are small); the request tables are patched by _patch_requests; every other
    span stays as it is. ``skip``: parts rebuilt whole anyway."""
    new_keys, old_keys = {_key(p) for p in ctx.spans}, {_key(p) for p in old}
    gone = [p for p in old if _key(p) not in new_keys]
    added = [p for p in ctx.spans if _key(p) not in old_keys]
    for name, (table, build) in SPAN_PARTS.items():
        if name in skip:
            continue
        if gone:
            conn.execute(delete(table).where(_span_filter(table, gone)))
        if added:
            _write(conn, table, build(conn, added, ctx.streets))
    if gone:
        conn.execute(delete(SPANS).where(_span_filter(SPANS, gone)))
    _write(conn, SPANS, pd.DataFrame([{"span_start": p.start, "span_end": p.end} for p in added],
                                     columns=["span_start", "span_end"]))
    _set_info(conn, {"reference_date": ctx.reference.isoformat()})


def _unit_filter(table, communities: list[str], streets: list[str]):
    """The rows of the district, of ``streets`` and of ``communities``."""
    return or_(table.c.unit_level == "district",
               and_(table.c.unit_level == "street", table.c.unit_code.in_(streets)),
               and_(table.c.unit_level == "community", table.c.unit_code.in_(communities)))


def _span_filter(table, spans: list[Period]):
    return or_(*(and_(table.c.span_start == p.start, table.c.span_end == p.end) for p in spans))


def _keep_units(frame: pd.DataFrame, communities: list[str], streets: list[str]) -> pd.DataFrame:
    level, unit = frame["unit_level"], frame["unit_code"]
    return frame[((level == "street") & unit.isin(streets)) | ((level == "community") & unit.isin(communities))]


def _district_sums(conn: Connection, table, keys: list[str], measures: list[str], where) -> pd.DataFrame:
    """The district's additive measures as the sum of its streets' rows (already up to date)."""
    stmt = (select(*(table.c[k] for k in keys), *(func.sum(table.c[m]).label(m) for m in measures))
            .where(table.c.unit_level == "street", where).group_by(*(table.c[k] for k in keys)))
    frame = pd.DataFrame(conn.execute(stmt).all(), columns=[*keys, *measures])
    frame["unit_level"], frame["unit_code"], frame["street_code"] = "district", DISTRICT_UNIT, ""
    return frame


def _copy_span(conn: Connection, table, source: Period, target: Period) -> None:
    """Every row of ``source`` again under ``target``'s dates (one INSERT … SELECT in the database)."""
    names = [c.name for c in table.columns]
    values = [literal(target.start, Date).label("span_start") if n == "span_start"
              else literal(target.end, Date).label("span_end") if n == "span_end" else table.c[n] for n in names]
    conn.execute(insert(table).from_select(names, select(*values).where(
        table.c.span_start == source.start, table.c.span_end == source.end)))


def _window_communities(conn: Connection, span: Period, base: Period | None) -> set[str]:
    """The communities with requests submitted in ``span`` but not in ``base`` or the other way round (the
    days between their ends), or in all of ``span`` when there is no base: the only rows that differ."""
    if base is None:
        start, end = span.start_at, span.end_exclusive
    else:
        start, end = sorted((span.end_exclusive, base.end_exclusive))
    stmt = select(R.c.community_code).distinct().where(R.c.submitted_at >= start, R.c.submitted_at < end)
    return {code for (code,) in conn.execute(stmt)}


def _patch_changed_requests(conn: Connection, ctx: _Context, changes: Changes) -> None:
    """The request summaries after an import that left the spans as they were: every row a changed request
    counted in, before or after, gets the after-state's contributions added and the before-state's taken
    away (the counts add up), and its percentiles moved by summary_percentiles; a row left with no request
    goes. The cost grows with the changed requests, not with the database."""
    ids, before = changes.request_ids, changes.before
    after = _request_frame(conn, ids=ids)
    for frame in (before, after):
        frame["on_time"] = _on_time(frame, ctx.targets).to_numpy()
    summary_percentiles.replace_durations(conn, ids, after, _write)
    places = pd.concat([before[["community_code", "street_code", "submitted_at"]],
                        after[["community_code", "street_code", "submitted_at"]]], ignore_index=True)
    communities, streets = sorted(set(places["community_code"])), sorted(set(places["street_code"]))

    keys = summary_percentiles.GROUP_KEYS
    times = places["submitted_at"].to_numpy()
    spans = [p for p in ctx.spans
             if ((times >= np.datetime64(p.start_at)) & (times < np.datetime64(p.end_exclusive))).any()]
    if spans:
        old, new = _added_up(conn, SPAN_SUMMARY, keys, MEASURES, _span_summary(after, spans, percentiles=False),
                             _span_summary(before, spans, percentiles=False))
        new = summary_percentiles.patch(conn, new, old, before, after, spans, _span_members)
        _replace_rows(conn, SPAN_SUMMARY, keys, new, old)

    month_keys = ["unit_level", "unit_code", "month"]
    old, new = _added_up(conn, MONTH_SUMMARY, month_keys, ["received", "resolved"], _month_summary(after),
                         _month_summary(before))
    _replace_rows(conn, MONTH_SUMMARY, month_keys, new, old)

    for start in range(0, len(ids), 5_000):
        conn.execute(delete(OPEN).where(among(conn.dialect.name, OPEN.c.id, ids[start:start + 5_000])))
    _write(conn, OPEN, _open_requests(conn, after, ids))
    if spans:
        _patch_open_status(conn, ctx, spans, communities, streets)


def _added_up(conn: Connection, table, keys: list[str], measures: list[str], added: pd.DataFrame,
              removed: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the stored rows, the rows as they are now) of every key ``added`` or ``removed`` has, indexed by
    ``keys``: the stored measures plus ``added``'s minus ``removed``'s (the changed rows' contributions
    after and before). The stored rows are read by their keys (the primary key), a thousand at a time."""
    names = [c.name for c in table.columns]
    added, removed = added.set_index(keys), removed.set_index(keys)
    delta = added[measures].sub(removed[measures], fill_value=0)
    stored = pd.DataFrame(_rows_by_keys(conn, table, keys, list(delta.index)), columns=names)
    for column in keys:
        if isinstance(table.c[column].type, Date):
            stored[column] = pd.to_datetime(stored[column]).dt.date
    stored = stored.set_index(keys)
    now = stored.reindex(delta.index)[measures].fillna(0) + delta
    for column in measures:
        if not isinstance(table.c[column].type, Float):
            now[column] = now[column].round().astype(np.int64)
    if "street_code" not in keys:
        now["street_code"] = added["street_code"].combine_first(removed["street_code"]).reindex(now.index)
    return stored, now


def _rows_by_keys(conn: Connection, table, keys: list[str], wanted: list[tuple]) -> list[tuple]:
    """The stored rows of ``wanted`` keys (values of ``keys``, the primary key): the keys as a list joined to
    the table, so each is one primary-key lookup (SQLite scans the whole table for a row-value IN list).
    SQLite gets a VALUES list, a thousand keys a statement; PostgreSQL one array per key column."""
    names = ", ".join(f"t.{c.name}" for c in table.columns)
    on = " AND ".join(f"t.{k} = v.k{i}" for i, k in enumerate(keys))
    columns = ", ".join(f"k{i}" for i in range(len(keys)))
    cursor = conn.connection.dbapi_connection.cursor()
    out: list[tuple] = []
    try:
        if conn.dialect.name == "postgresql":
            types = ", ".join(f"%s::{table.c[k].type.compile(conn.dialect)}[]" for k in keys)
            cursor.execute(f"SELECT {names} FROM unnest({types}) AS v({columns}) JOIN {table.name} t ON {on}",
                           [array_literal(list(values)) for values in zip(*wanted, strict=True)] if wanted
                           else ["{}"] * len(keys))
            return cursor.fetchall()
        processors = [table.c[k].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for k in keys]
        row_marks = "(" + ", ".join(["?"] * len(keys)) + ")"
        for start in range(0, len(wanted), 1_000):
            chunk = wanted[start:start + 1_000]
            cursor.execute(f"WITH v({columns}) AS (VALUES {', '.join([row_marks] * len(chunk))}) "
                           f"SELECT {names} FROM v JOIN {table.name} t ON {on}",
                           [p(value) if p else value
                            for key in chunk for p, value in zip(processors, key, strict=True)])
            out.extend(cursor.fetchall())
    finally:
        cursor.close()
    return out


def _replace_rows(conn: Connection, table, keys: list[str], rows: pd.DataFrame, stored: pd.DataFrame) -> None:
    """Write ``rows`` (indexed by ``keys``) over ``stored`` (the rows as read, same index): a row still
    counting a request (received > 0) is inserted or updated in place unless it is unchanged, a stored row
    left with none is deleted."""
    if rows.empty:
        return
    columns = [c.name for c in table.columns if c.name not in keys]
    gone = rows.index[(rows["received"] <= 0).to_numpy() & rows.index.isin(stored.index)]
    if len(gone):
        stmt = delete(table).where(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
        conn.execute(stmt, [dict(zip((f"k_{k}" for k in keys), key, strict=True)) for key in gone])
    kept = rows[rows["received"] > 0]
    was = stored.reindex(kept.index)[columns]
    same = ((kept[columns] == was) | (kept[columns].isna() & was.isna())).all(axis=1)
    changed = kept[~same.to_numpy()].reset_index()
    if changed.empty:
        return
    upsert_columns(conn, table, keys, *_columns(changed[[c.name for c in table.columns]]))


def _patch_open_status(conn: Connection, ctx: _Context, spans: list[Period], communities: list[str],
                       streets: list[str]) -> None:
    """The open requests' status summary of ``spans`` for the district and the given units, from the open
    requests (a small table: only the open ones)."""
    open_ = _rows(conn, select(*OPEN.columns), [c.name for c in OPEN.columns])
    for column in ("submitted_at", "idle_since"):
        open_[column] = pd.to_datetime(open_[column], format="ISO8601")
    conn.execute(delete(OPEN_STATUS).where(_span_filter(OPEN_STATUS, spans),
                                           _unit_filter(OPEN_STATUS, communities, streets)))
    rows = _open_status_summary(open_, ctx.streets, spans, ctx.reference)
    _write(conn, OPEN_STATUS, rows[(rows["unit_level"] == "district")
                                   | rows.index.isin(_keep_units(rows, communities, streets).index)])


def _patch_requests(conn: Connection, ctx: _Context, changes: Changes,
                    grown: list[tuple[Period, Period | None]]) -> None:
    """Recount the request summaries where the changed requests were and are now: the spans holding
    either submission time, the months of either, their communities, those communities' streets
    (all of a street's requests) and the district (sums of the streets; its medians from the resolved
    requests' durations, which do not add up). ``grown``: the spans a moved reference date added, with
    the old span each grew from; its rows are copied, then recounted only for the communities with
    requests in the days between (and the changed ones). The open requests' idle days are as of the
    reference date, so a moved one recounts their status summary (from the open requests alone)."""
    if changes.request_ids:
        summary_percentiles.replace_durations(conn, changes.request_ids,
                                              _request_frame(conn, ids=changes.request_ids), _write)
    places = pd.concat([changes.before[["community_code", "submitted_at"]],
                        _request_places(conn, changes.request_ids)], ignore_index=True)
    touched = set(places["community_code"])
    times = places["submitted_at"].to_numpy()
    affected: dict[tuple[date, date], tuple[Period, set[str]]] = {
        _key(p): (p, set(touched)) for p in ctx.spans
        if ((times >= np.datetime64(p.start_at)) & (times < np.datetime64(p.end_exclusive))).any()}
    touched_spans = [p for p, _c in affected.values()]
    for span, base in grown:
        if base is not None:
            _copy_span(conn, SPAN_SUMMARY, base, span)
        affected[_key(span)] = (span, affected.get(_key(span), (span, set()))[1] | touched
                                | _window_communities(conn, span, base))
    if grown:  # the spans that ended on the old reference date
        conn.execute(delete(SPAN_SUMMARY).where(~_span_filter(SPAN_SUMMARY, ctx.spans)))

    street_of = ctx.streets.set_index("community_code")["street_code"]

    def streets_of(communities) -> list[str]:
        return sorted({street_of[c] for c in communities if c in street_of.index})

    everyone = set().union(*(c for _p, c in affected.values())) if affected else set()
    all_streets = streets_of(everyone)
    in_streets = sorted(ctx.streets.loc[ctx.streets["street_code"].isin(all_streets), "community_code"])
    whole_frame = len(all_streets) == ctx.streets["street_code"].nunique()
    frame = _request_frame(conn, None if whole_frame else in_streets) if everyone else None
    if frame is not None:
        frame["on_time"] = _on_time(frame, ctx.targets).to_numpy()

    groups: dict[frozenset, list[Period]] = {}
    for span, communities in affected.values():
        if communities:  # else nothing in the days between: the copied rows stand, the district's too
            groups.setdefault(frozenset(communities), []).append(span)
    for communities_set, spans in groups.items():
        communities = sorted(communities_set)
        streets = streets_of(communities)
        whole = len(streets) == ctx.streets["street_code"].nunique()
        part = frame[frame["street_code"].isin(streets)]
        rows = _span_summary(part, spans)
        conn.execute(delete(SPAN_SUMMARY).where(_span_filter(SPAN_SUMMARY, spans),
                                                _unit_filter(SPAN_SUMMARY, communities, streets)))
        _write(conn, SPAN_SUMMARY, rows[rows.index.isin(_keep_units(rows, communities, streets).index)
                                        | (whole & (rows["unit_level"] == "district"))])
        if not whole:
            _write(conn, SPAN_SUMMARY, _district_span_rows(conn, ctx, spans))

    if len(places):
        communities, streets = sorted(touched), streets_of(touched)
        whole = len(streets) == ctx.streets["street_code"].nunique()
        months = sorted(set(places["submitted_at"].dt.to_period("M").dt.start_time.dt.date))
        conn.execute(delete(MONTH_SUMMARY).where(MONTH_SUMMARY.c.month.in_(months),
                                                 _unit_filter(MONTH_SUMMARY, communities, streets)))
        month_rows = _month_summary(frame[frame["street_code"].isin(streets)])
        month_rows = month_rows[month_rows["month"].isin(months)]
        _write(conn, MONTH_SUMMARY, month_rows[month_rows.index.isin(_keep_units(month_rows, communities,
                                                                                  streets).index)
                                               | (whole & (month_rows["unit_level"] == "district"))])
        if not whole:
            district = _district_sums(conn, MONTH_SUMMARY, ["month"], ["received", "resolved"],
                                      MONTH_SUMMARY.c.month.in_(months))
            _write(conn, MONTH_SUMMARY, district[[c.name for c in MONTH_SUMMARY.columns]])

        ids = changes.request_ids
        for start in range(0, len(ids), 5_000):
            conn.execute(delete(OPEN).where(among(conn.dialect.name, OPEN.c.id, ids[start:start + 5_000])))
        _write(conn, OPEN, _open_requests(conn, frame, ids))
    if touched_spans or grown:
        open_ = _rows(conn, select(*OPEN.columns), [c.name for c in OPEN.columns])
        for column in ("submitted_at", "idle_since"):
            open_[column] = pd.to_datetime(open_[column], format="ISO8601")
        if grown:  # idle days are counted to the reference date: every row moves
            conn.execute(delete(OPEN_STATUS))
            _write(conn, OPEN_STATUS, _open_status_summary(open_, ctx.streets, ctx.spans, ctx.reference))
            return
        communities, streets = sorted(touched), streets_of(touched)
        conn.execute(delete(OPEN_STATUS).where(_span_filter(OPEN_STATUS, touched_spans),
                                               _unit_filter(OPEN_STATUS, communities, streets)))
        rows = _open_status_summary(open_, ctx.streets, touched_spans, ctx.reference)
        _write(conn, OPEN_STATUS, rows[(rows["unit_level"] == "district")
                                       | rows.index.isin(_keep_units(rows, communities, streets).index)])


def _district_span_rows(conn: Connection, ctx: _Context, spans: list[Period]) -> pd.DataFrame:
    """The district's span rows: measures summed over the streets' rows, the percentiles from the durations
    of every resolved request of the spans (as _span_summary computes them)."""
    D = summary_percentiles.D
    sums = _district_sums(conn, SPAN_SUMMARY, ["span_start", "span_end", "dim", "dim_value"], MEASURES,
                          _span_filter(SPAN_SUMMARY, spans))
    first, end = min(p.start_at for p in spans), max(p.end_exclusive for p in spans)
    resolved = _rows(conn, select(D.c.id, D.c.category, D.c.submitted_at, D.c.days)
                     .where(D.c.submitted_at >= first, D.c.submitted_at < end),
                     ["id", "category", "submitted_at", "days"])
    resolved["all"] = ""
    inside = summary_percentiles.sorted_by_days(_in_spans(resolved, "submitted_at", spans))
    parts = []
    for dim, column in summary_percentiles.DIM_COLUMN.items():
        part = summary_percentiles.group_percentiles(inside, ["span", column or "all"]).reset_index()
        part = part.rename(columns={column or "all": "dim_value"}).assign(dim=dim)
        part["span_start"] = [spans[i].start for i in part["span"]]
        part["span_end"] = [spans[i].end for i in part["span"]]
        parts.append(part.drop(columns="span"))
    keys = ["span_start", "span_end", "dim", "dim_value"]
    pct = pd.concat(parts, ignore_index=True)
    sums["span_start"] = pd.to_datetime(sums["span_start"]).dt.date
    sums["span_end"] = pd.to_datetime(sums["span_end"]).dt.date
    out = sums.merge(pct, on=keys, how="left")
    return out[[c.name for c in SPAN_SUMMARY.columns]]


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
            for table in reversed(schema.SUMMARY_TABLES):  # derived data: rebuilt in this version's layout
                table.drop(conn, checkfirst=True)
            schema.metadata.create_all(conn)  # the summary tables, and any index added since the load
            for table in schema.metadata.sorted_tables:
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
            counts = refresh(conn)
            _set_info(conn, {"loaded_at": pd.Timestamp.now(tz="UTC").isoformat()})  # new cache key for the app
    finally:
        engine.dispose()
    print(f"summaries rebuilt in {time.perf_counter() - started:.1f} s: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
