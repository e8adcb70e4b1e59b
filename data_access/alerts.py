"""Alert storage and queries (预警): one row per condition, updated while it holds, closed when it clears.

:func:`record_evaluation` takes the conditions one evaluation found (``jobs.alerts``) and, in
one transaction, updates the open alert of each condition that is already open (value, reason,
last seen), opens the new ones, and closes the open alerts whose condition no longer holds.
A condition is the rule, the unit and a detail (the category of a spike), so running the
evaluation twice on the same data changes nothing but ``last_seen``.

Reads filter on the role: a street role sees its own street's alerts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import case, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from data_access import schema
from data_access.database import Database
from data_access.scope import STREET_ROLE_PREFIX

A = schema.alerts
OPEN, CLOSED = "open", "closed"
#: two evaluations at once on PostgreSQL: the second waits (the loader and importer use "LGLO", "LGIM")
PG_EVALUATE_LOCK_KEY = 0x4C47_414C  # "LGAL"
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

_ready: set[str] = set()


def ensure_tables(engine: Engine) -> None:
    """Create the alert, follow-up and delivery tables if missing (once per engine and process)."""
    key = f"{id(engine)}:{engine.url}"
    if key in _ready:
        return
    try:
        schema.ops_metadata.create_all(engine, checkfirst=True)
    except SQLAlchemyError:  # another replica created them between the check and the CREATE: check again
        schema.ops_metadata.create_all(engine, checkfirst=True)
    _ready.add(key)


def now_utc() -> datetime:
    """Wall-clock time, naive UTC (as stored)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Condition:
    """One condition an evaluation found: which rule, where, what, and why."""

    rule_id: str
    kind: str
    severity: str
    unit_level: str
    unit_code: str
    unit_name: str
    street_code: str
    measure: str
    period: str
    value: float | None
    threshold: float | None
    reason: str
    reason_en: str
    detail: str = ""
    p_value: float | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule_id, self.unit_code, self.detail)


@dataclass
class EvaluationResult:
    opened: int = 0
    updated: int = 0
    closed: int = 0


def record_evaluation(db: Database, conditions: list[Condition], data_as_of: date,
                      at: datetime | None = None, loaded_at: str | None = None) -> EvaluationResult:
    """Store one evaluation's conditions (see the module docstring); returns what changed."""
    ensure_tables(db.engine)
    at = at or now_utc()
    result = EvaluationResult()
    found: dict[tuple, Condition] = {}
    for condition in conditions:
        found.setdefault(condition.key, condition)
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # two evaluations at once: one waits for the other
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_EVALUATE_LOCK_KEY})
        open_rows = conn.execute(select(A.c.id, A.c.rule_id, A.c.unit_code, A.c.detail)
                                 .where(A.c.status == OPEN)).all()
        open_ids = {(r.rule_id, r.unit_code, r.detail): r.id for r in open_rows}
        for key, condition in found.items():
            values = {
                "kind": condition.kind, "severity": condition.severity, "unit_level": condition.unit_level,
                "unit_name": condition.unit_name, "street_code": condition.street_code,
                "measure": condition.measure, "period": condition.period, "value": condition.value,
                "threshold": condition.threshold, "p_value": condition.p_value, "reason": condition.reason,
                "reason_en": condition.reason_en, "data_as_of": data_as_of, "last_seen": at,
            }
            if key in open_ids:
                conn.execute(update(A).where(A.c.id == open_ids[key]).values(**values))
                result.updated += 1
            else:
                conn.execute(A.insert().values(rule_id=condition.rule_id, unit_code=condition.unit_code,
                                               detail=condition.detail, first_seen=at, status=OPEN, **values))
                result.opened += 1
        cleared = [alert_id for key, alert_id in open_ids.items() if key not in found]
        if cleared:
            conn.execute(update(A).where(A.c.id.in_(cleared)).values(status=CLOSED, closed_at=at))
            result.closed = len(cleared)
        if loaded_at is None:
            info = schema.dataset_info
            loaded_at = conn.execute(select(info.c.value).where(info.c.key == "loaded_at")).scalar() or ""
        conn.execute(schema.alert_runs.insert().values(
            at=at, loaded_at=loaded_at, data_as_of=data_as_of, conditions=len(found), opened=result.opened,
            updated=result.updated, closed=result.closed))
    return result


def last_run(db: Database) -> dict | None:
    """The latest evaluation (at, loaded_at, data_as_of, counts), or None before the first."""
    ensure_tables(db.engine)
    runs = schema.alert_runs
    frame = db.frame(select(runs).order_by(runs.c.id.desc()).limit(1))
    return frame.iloc[0].to_dict() if len(frame) else None


def is_stale(db: Database) -> bool:
    """Whether the data was loaded or imported since the last evaluation (or there was none)."""
    run = last_run(db)
    return run is None or run["loaded_at"] != db.dataset_info().get("loaded_at", "")


def role_street(role: str | None) -> str | None:
    """The street a street-office role is confined to (None for district and presenter)."""
    if role and role.startswith(STREET_ROLE_PREFIX):
        return role[len(STREET_ROLE_PREFIX):]
    return None


def _role_filter(role: str | None):
    own = role_street(role)
    return [A.c.street_code == own] if own else []


def _alert_filter(role: str | None, status: str | None, street: str | None, rule: str | None) -> list:
    """The WHERE of the alerts a role may see, of a status (None: any), street and rule (None: every)."""
    where = _role_filter(role)
    if status:
        where.append(A.c.status == status)
    if street:
        where.append(A.c.street_code == street)
    if rule:
        where.append(A.c.rule_id == rule)
    return where


def list_alerts(db: Database, role: str | None = None, *, status: str | None = OPEN, street: str | None = None,
                rule: str | None = None, limit: int | None = 5000) -> pd.DataFrame:
    """Alerts the role may see, highest severity first, then oldest first (age in days since first seen);
    the first ``limit`` (None: all)."""
    ensure_tables(db.engine)
    where = _alert_filter(role, status, street, rule)
    severity_rank = case(*[(A.c.severity == k, v) for k, v in SEVERITY_ORDER.items()], else_=9)
    stmt = (select(A.c.id, A.c.severity, A.c.rule_id, A.c.kind, A.c.unit_level, A.c.unit_code, A.c.unit_name,
                   A.c.street_code, A.c.detail, A.c.measure, A.c.period, A.c.value, A.c.threshold, A.c.p_value,
                   A.c.reason, A.c.reason_en, A.c.data_as_of, A.c.first_seen, A.c.last_seen, A.c.closed_at,
                   A.c.status)
            .where(*where).order_by(severity_rank, A.c.first_seen, A.c.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    frame = db.frame(stmt)
    if not frame.empty:
        now = now_utc()
        frame["age_days"] = [(now - pd.Timestamp(t).to_pydatetime()).days for t in frame["first_seen"]]
    else:
        frame["age_days"] = pd.Series(dtype=int)
    return frame


def alert_counts(db: Database, role: str | None = None, street: str | None = None, rule: str | None = None,
                 status: str | None = OPEN) -> pd.DataFrame:
    """Alerts the role may see (open ones unless ``status`` says otherwise; None: any), per severity
    (severity, n): the page's tiles and how many its capped list leaves out."""
    ensure_tables(db.engine)
    where = _alert_filter(role, status, street, rule)
    return db.frame(select(A.c.severity, func.count().label("n")).where(*where).group_by(A.c.severity))


def open_alert_count(db: Database, role: str | None = None, minute: int = 0) -> int:
    """How many open alerts the role may see: one COUNT (the sidebar's badge). ``minute`` is not
    used here; callers that cache pass the current minute so a cached count is at most a minute old."""
    del minute
    ensure_tables(db.engine)
    stmt = select(func.count()).select_from(A).where(*_role_filter(role), A.c.status == OPEN)
    return int(db.scalar(stmt) or 0)


def get_alert(db: Database, alert_id: int, role: str | None = None) -> dict | None:
    """One alert the role may see, as a dict (None when missing or another street's)."""
    ensure_tables(db.engine)
    frame = db.frame(select(A).where(A.c.id == alert_id, *_role_filter(role)))
    return frame.iloc[0].to_dict() if len(frame) else None
