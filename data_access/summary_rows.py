"""The read side of the summary tables: the row readers and predicates the area modules use.

The summaries (data_access/summaries.py, the build side) are written by the loader and the
importer; the area modules (requests, projects, evaluation, participation, resources, safety,
community_measures) read them through this module and check :func:`covered` first. Imports run
one way: summaries -> area modules -> summary_rows, never back.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
from sqlalchemy import Connection, and_, exists, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from data_access import schema
from data_access.domain import REQUEST_STATUSES
from data_access.scope import Period, Scope

SPANS, SPAN_SUMMARY, MONTH_SUMMARY = schema.summary_spans, schema.request_span_summary, schema.request_month_summary
UNIT_SUMMARY = schema.unit_span_summary

OPEN_STATUS = schema.open_status_summary


INFO = schema.dataset_info


DISTRICT_UNIT = "*"


DIMENSIONS = {"all": None, "category": "category", "channel": "channel"}


#: status columns of the span summary: reached_<i> / current_<i> for REQUEST_STATUSES[i]
STATUS_COLUMNS = [f"reached_{i}" for i in range(len(REQUEST_STATUSES))] + \
    [f"current_{i}" for i in range(len(REQUEST_STATUSES))]


def _tables_fingerprint() -> str:
    """The summary tables' layout (names, columns, types): a database whose summaries were built by another
    version has another one, and falls back to the raw rows until ``python -m data_access.summaries``."""
    layout = [(t.name, [(c.name, str(c.type)) for c in t.columns]) for t in schema.SUMMARY_TABLES]
    return hashlib.sha1(repr(layout).encode("utf-8")).hexdigest()[:16]


SUMMARY_VERSION = _tables_fingerprint()


def targets_fingerprint(targets) -> str:
    """A short stable fingerprint of a targets tuple (see requests.load_request_targets)."""
    return hashlib.sha1(repr(tuple(targets)).encode("utf-8")).hexdigest()[:16]


def _info(conn: Connection) -> dict[str, str]:
    return {k: v for k, v in conn.execute(select(INFO.c.key, INFO.c.value))}


def unit_of(scope: Scope) -> tuple[str, str] | None:
    """(unit_level, unit_code) of the scope's place, or None when the role forbids it (no rows)."""
    if scope.community:
        return "community", scope.community
    if scope.effective_street:
        return "street", scope.effective_street
    return "district", DISTRICT_UNIT


def covered(db, period: Period | None, targets=None, reference: date | None = None) -> bool:
    """Whether the summaries hold this span (None: whether they are built at all) and, if given,
    were built with these targets and as of this reference date."""
    # one round trip: pages ask this before most queries (a dozen times a view)
    stmt = select(INFO.c.key, INFO.c.value).where(INFO.c.key.in_(["summary_version", "summary_targets",
                                                                 "reference_date"]))
    if period is not None:
        span = exists().where(SPANS.c.span_start == period.start, SPANS.c.span_end == period.end)
        stmt = stmt.add_columns(span.label("has_span"))
    try:
        rows = db.rows(stmt)
    except (OperationalError, ProgrammingError) as exc:
        if SPANS.name not in str(exc):
            raise
        return False  # a database from before the summaries existed: the raw rows answer
    info = {row[0]: row[1] for row in rows}
    if "summary_targets" not in info or info.get("summary_version") != SUMMARY_VERSION:
        return False
    if targets is not None and info.get("summary_targets") != targets_fingerprint(targets):
        return False
    if reference is not None and info.get("reference_date") != reference.isoformat():
        return False
    return period is None or bool(rows[0][2])


def _place_rows(scope: Scope, table=SPAN_SUMMARY):
    """Conditions selecting the scope's own unit row(s) of a per-unit summary, role limits included."""
    level, code = unit_of(scope)
    where = [table.c.unit_level == level, table.c.unit_code == code]
    if scope.community and scope.effective_street:  # a community outside the street yields nothing
        where.append(table.c.street_code == scope.effective_street)
    return where


def span_where(table, scope: Scope, level: str | None) -> list:
    """Conditions on a per-unit, per-span summary: the scope's span, and its own unit (role limits
    included) or, with ``level``, every unit of that level inside the scope (its street, its community)."""
    period = scope.period
    where = [table.c.span_start == period.start, table.c.span_end == period.end]
    return where + (_place_rows(scope, table) if level is None else level_where(table, scope, level))


def level_where(table, scope: Scope, level: str) -> list:
    """Conditions on a per-unit summary selecting every unit of ``level`` inside the scope."""
    where = [table.c.unit_level == level]
    if scope.effective_street:
        where.append(table.c.street_code == scope.effective_street)
    if scope.community:
        where.append(table.c.unit_code == scope.community)
    return where


def open_status_rows(db, scope: Scope) -> pd.DataFrame:
    """Open requests per status of the scope's unit and span, with their median idle days."""
    return db.frame(select(OPEN_STATUS.c.status, OPEN_STATUS.c.open, OPEN_STATUS.c.median_idle_days)
                    .where(*span_where(OPEN_STATUS, scope, None)))


def span_rows(db, scope: Scope, dim: str = "all", level: str | None = None) -> pd.DataFrame:
    """Summary rows of the scope's span for breakdown ``dim``: the scope's own unit, or with ``level``
    every unit of that level inside the scope (role limits hold: a street role sees its street only)."""
    where = [*span_where(SPAN_SUMMARY, scope, level), SPAN_SUMMARY.c.dim == dim]
    # the selector columns stay behind: reading 1,000 rows' dates back costs more than the query
    kept = [c for c in SPAN_SUMMARY.c if c.name not in ("unit_level", "span_start", "span_end", "dim")]
    return db.frame(select(*kept).where(and_(*where)))


def category_counts(scope: Scope, categories: list[str], level: str | None = "community"):
    """SELECT unit_code, category, n: requests per unit of ``level`` inside the scope (None: the scope's own
    unit) and category, only these categories, over the scope's span (check :func:`covered` first)."""
    summary = SPAN_SUMMARY
    return select(summary.c.unit_code, summary.c.dim_value.label("category"), summary.c.received.label("n")).where(
        *span_where(summary, scope, level), summary.c.dim == "category", summary.c.dim_value.in_(categories))


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


def unit_rows(db, scope: Scope, level: str) -> pd.DataFrame:
    """The unit summary's rows of the scope's span: its own (street's) unit at ``district`` level, else every
    street or community inside the scope's street (the whole district without one)."""
    summary, period, street = UNIT_SUMMARY, scope.period, scope.effective_street
    where = [summary.c.span_start == period.start, summary.c.span_end == period.end]
    if level == "district":
        where += [summary.c.unit_level == ("street" if street else "district"),
                  summary.c.unit_code == (street or DISTRICT_UNIT)]
    else:
        where.append(summary.c.unit_level == level)
        if street:
            where.append(summary.c.street_code == street)
    return db.frame(select(summary).where(*where))


def wish_rows(db, scope: Scope) -> pd.DataFrame:
    """The wish summary row of the scope's unit and span (none: no wish posted in it)."""
    summary = schema.wish_span_summary
    return db.frame(select(summary.c.posted, summary.c.claimed, summary.c.fulfilled, summary.c.median_days_to_fulfil)
                    .where(*span_where(summary, scope, None)))


def participation_rows(db, scope: Scope, level: str | None = None) -> pd.DataFrame:
    """Participation summary rows of the scope's span: its own unit, or every unit of ``level`` in the scope."""
    summary = schema.participation_span_summary
    return db.frame(select(summary).where(*span_where(summary, scope, level)))


def participation_month_rows(db, scope: Scope, first: str, last: str) -> pd.DataFrame:
    """Participation per month ('YYYY-MM' from first to last) of the scope's own unit."""
    summary = schema.participation_month_summary
    return db.frame(select(summary.c.month, *[summary.c[c] for c in schema.PARTICIPATION_MONTH_MEASURES])
                    .where(summary.c.month >= first, summary.c.month <= last, *_place_rows(scope, summary)))


def resource_use_rows(scope: Scope, level: str | None = None, kinds: list[str] | None = None):
    """SELECT of the resource use summary's rows of the scope's span: its own unit, or with ``level`` every
    unit of that level inside the scope; only ``kinds`` if given."""
    summary = schema.resource_use_summary
    where = span_where(summary, scope, level)
    if kinds is not None:
        where.append(summary.c.resource_kind.in_(kinds))
    return select(summary).where(*where)


def safety_source(scope: Scope):
    """The safety month summary's rows of the scope's own unit (columns month and the measures)."""
    summary = schema.safety_month_summary
    return select(summary).where(*_place_rows(scope, summary)).subquery("safety")
