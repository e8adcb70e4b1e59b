"""Follow-up items (督办): created by the district, worked by the street, verified by the district.

Lifecycle (``status``)::

    open --(street: done, with 情况说明)--> done --(district: verify)--> closed
      ^                                       |
      +---------(district: send back)---------+

Every change appends a row to ``followup_events`` (who, role, when, what, the status after);
rows there are never updated or deleted, so an item's history is complete. The item row holds
only its current status and the time of its last change.

Every change also appends an audit record (``followup_change``, data_access/audit.py) in the same
transaction: the change and its record commit together or not at all (:class:`~data_access.audit.AuditError`).

Roles: ``district`` creates, verifies and sends back; a ``street:<code>`` role sees and works
the items of its own street only (progress notes, done); ``presenter`` reads. Every refusal
raises :class:`FollowupError` with a Chinese message.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from data_access import audit, schema
from data_access.alerts import ensure_tables, get_alert, now_utc, role_street
from data_access.database import Database
from data_access.measures import unit_names
from data_access.scope import DISTRICT_ROLE

F, E = schema.followups, schema.followup_events
OPEN, DONE, CLOSED = "open", "done", "closed"
STATUS_ZH = {OPEN: "办理中", DONE: "待核实", CLOSED: "已办结"}
ACTION_ZH = {"create": "交办", "progress": "进展", "done": "办结说明", "verify": "核实办结", "send_back": "退回"}


class FollowupError(ValueError):
    """A follow-up action refused: not allowed for the role, or bad input. Message in Chinese."""


def _audit(conn, *, actor: str, role: str, address: str, item_id: int, unit_name: str, action: str,
           status_after: str) -> None:
    """The change's audit record, inside the change's transaction (no record, no change)."""
    try:
        audit.append(conn, "followup_change", actor, role=role, address=address, target=f"followup #{item_id}",
                     scope=unit_name, detail=f"{action} -> {status_after}")
    except SQLAlchemyError as exc:
        raise audit.AuditError(f"audit record not written: {type(exc).__name__}") from exc


def _require_district(role: str) -> None:
    if role != DISTRICT_ROLE:
        raise FollowupError("只有区级角色可以交办、核实或退回督办事项")


def create_item(db: Database, *, actor: str, role: str, task: str, due_on: date, alert_id: int | None = None,
                unit_code: str | None = None, unit_level: str | None = None, measure: str = "", note: str = "",
                at: datetime | None = None, address: str = "") -> int:
    """A new item from an alert (its unit and measure) or from a unit and measure; returns its id."""
    ensure_tables(db.engine)
    _require_district(role)
    task = (task or "").strip()
    if not task:
        raise FollowupError("请填写督办内容（要做什么）")
    if not isinstance(due_on, date):
        raise FollowupError("请填写办结期限（日期）")
    if alert_id is not None:
        alert = get_alert(db, alert_id, role)
        if alert is None:
            raise FollowupError(f"找不到预警 #{alert_id}")
        unit_level, unit_code = alert["unit_level"], alert["unit_code"]
        measure = measure or alert["measure"]
    names = unit_names(db)
    if unit_level not in ("street", "community") or (unit_level, unit_code) not in names:
        raise FollowupError(f"责任单位 {unit_code!r} 不是已知的街道或社区")
    unit_name, street = names[(unit_level, unit_code)]
    at = at or now_utc()
    with db.engine.begin() as conn:
        item_id = conn.execute(F.insert().values(
            alert_id=alert_id, task=task, unit_level=unit_level, unit_code=unit_code, unit_name=unit_name,
            street_code=street, measure=measure or "", due_on=due_on, status=OPEN, created_by=actor,
            created_at=at, updated_at=at).returning(F.c.id)).scalar_one()
        conn.execute(E.insert().values(followup_id=item_id, at=at, actor=actor, role=role, action="create",
                                       status_after=OPEN, note=note.strip()))
        _audit(conn, actor=actor, role=role, address=address, item_id=item_id, unit_name=unit_name, action="create",
               status_after=OPEN)
    return int(item_id)


def _item_for(conn, item_id: int, role: str):
    row = conn.execute(select(F).where(F.c.id == item_id)).mappings().first()
    own = role_street(role)
    if row is None or (own and row["street_code"] != own):
        # another street's item is as unknown to a street role as a missing one
        raise FollowupError(f"找不到督办事项 #{item_id}，或无权处理")
    return row


def _act(db: Database, item_id: int, *, actor: str, role: str, action: str, note: str, allowed_from: tuple,
         status_after: str | None, note_required: str | None = None, at: datetime | None = None,
         address: str = "") -> None:
    ensure_tables(db.engine)
    note = (note or "").strip()
    if note_required and not note:
        raise FollowupError(note_required)
    at = at or now_utc()
    with db.engine.begin() as conn:
        item = _item_for(conn, item_id, role)
        if item["status"] not in allowed_from:
            raise FollowupError(f"督办事项 #{item_id} 当前为「{STATUS_ZH[item['status']]}」，不能{ACTION_ZH[action]}")
        after = status_after or item["status"]
        # the status only moves forward from the state just read: two clicks at once cannot both apply
        moved = conn.execute(update(F).where(F.c.id == item_id, F.c.status == item["status"])
                             .values(status=after, updated_at=at))
        if moved.rowcount != 1:
            raise FollowupError(f"督办事项 #{item_id} 刚被他人更新，请刷新后再试")
        conn.execute(E.insert().values(followup_id=item_id, at=at, actor=actor, role=role, action=action,
                                       status_after=after, note=note))
        _audit(conn, actor=actor, role=role, address=address, item_id=item_id, unit_name=item["unit_name"],
               action=action, status_after=after)


def add_progress(db: Database, item_id: int, *, actor: str, role: str, note: str, at: datetime | None = None,
        address: str = ""):
    """A progress note (street of the item, or district) on an item still being worked."""
    if not (role == DISTRICT_ROLE or role_street(role)):
        raise FollowupError("此角色只能查看督办事项")
    _act(db, item_id, actor=actor, role=role, action="progress", note=note, allowed_from=(OPEN,),
         status_after=None, note_required="请填写进展情况", at=at, address=address)


def mark_done(db: Database, item_id: int, *, actor: str, role: str, explanation: str, at: datetime | None = None,
        address: str = ""):
    """The street reports the item done, with its 情况说明; the district then verifies."""
    if not role_street(role):
        raise FollowupError("办结说明由责任街道填写")
    _act(db, item_id, actor=actor, role=role, action="done", note=explanation, allowed_from=(OPEN,),
         status_after=DONE, note_required="请填写情况说明", at=at, address=address)


def verify(db: Database, item_id: int, *, actor: str, role: str, note: str = "", at: datetime | None = None,
        address: str = ""):
    """The district accepts the street's report and closes the item."""
    _require_district(role)
    _act(db, item_id, actor=actor, role=role, action="verify", note=note, allowed_from=(DONE,),
         status_after=CLOSED, at=at, address=address)


def send_back(db: Database, item_id: int, *, actor: str, role: str, note: str, at: datetime | None = None,
        address: str = ""):
    """The district does not accept the report: back to the street, with the reason."""
    _require_district(role)
    _act(db, item_id, actor=actor, role=role, action="send_back", note=note, allowed_from=(DONE,),
         status_after=OPEN, note_required="请填写退回原因", at=at, address=address)


def list_items(db: Database, role: str | None, *, reference: date | None = None, status: str | None = None,
               street: str | None = None) -> pd.DataFrame:
    """Items the role may see: overdue first (open or awaiting verification past the due date), then by due date."""
    ensure_tables(db.engine)
    reference = reference or now_utc().date()
    where = []
    own = role_street(role)
    if own:
        where.append(F.c.street_code == own)
    if street:
        where.append(F.c.street_code == street)
    if status:
        where.append(F.c.status == status)
    overdue = case((F.c.status != CLOSED, case((F.c.due_on < reference, 1), else_=0)), else_=0)
    stmt = (select(F, overdue.label("overdue"))
            .where(*where).order_by(overdue.desc(), case((F.c.status == CLOSED, 1), else_=0), F.c.due_on, F.c.id))
    frame = db.frame(stmt)
    frame["overdue"] = frame["overdue"].astype(bool) if len(frame) else pd.Series(dtype=bool)
    return frame


def live_data(fn):
    """Mark a query of the follow-up tables: they change between data loads, so a caller that caches by
    the data's version (components.data.cached) must run it afresh instead."""
    fn.live_data = True
    return fn


@live_data
def meeting_items(db: Database, role: str | None, street: str | None = None, community: str | None = None,
                  reference: date | None = None) -> pd.DataFrame:
    """The items still to be finished (in progress, or reported done and awaiting verification) for a
    meeting's scope, overdue first, each with its latest note (progress, explanation or reason sent back).

    A street role sees its own street only, whatever ``street`` says; ``community`` keeps the items
    whose responsible unit is that community. Columns: those of ``followups`` plus ``overdue`` (bool),
    ``days_overdue`` (0 when not overdue), ``latest_note`` and ``latest_note_at`` (None without a note).
    """
    ensure_tables(db.engine)
    reference = reference or now_utc().date()
    own = role_street(role)
    where = [F.c.status != CLOSED]
    if own:
        where.append(F.c.street_code == own)
    if street and street != own:
        where.append(F.c.street_code == street)
    if community:
        where.append(F.c.unit_code == community)
    latest = (select(E.c.followup_id, func.max(E.c.id).label("event_id"))
              .where(E.c.note != "").group_by(E.c.followup_id).subquery())
    overdue = case((F.c.due_on < reference, 1), else_=0)
    stmt = (select(F, overdue.label("overdue"), E.c.note.label("latest_note"), E.c.at.label("latest_note_at"))
            .select_from(F.outerjoin(latest, latest.c.followup_id == F.c.id)
                         .outerjoin(E, E.c.id == latest.c.event_id))
            .where(*where).order_by(overdue.desc(), F.c.due_on, F.c.id))
    frame = db.frame(stmt)
    frame["overdue"] = frame["overdue"].astype(bool) if len(frame) else pd.Series(dtype=bool)
    due = pd.to_datetime(frame["due_on"]) if len(frame) else pd.Series(dtype="datetime64[ns]")
    frame["days_overdue"] = ((pd.Timestamp(reference) - due).dt.days.clip(lower=0)
                             if len(frame) else pd.Series(dtype=int))
    return frame


def history(db: Database, item_id: int, role: str | None) -> pd.DataFrame:
    """An item's events, oldest first (empty when the role may not see the item)."""
    ensure_tables(db.engine)
    where = [E.c.followup_id == item_id]
    own = role_street(role)
    if own:
        where.append(E.c.followup_id.in_(select(F.c.id).where(F.c.street_code == own)))
    return db.frame(select(E.c.id, E.c.at, E.c.actor, E.c.role, E.c.action, E.c.status_after, E.c.note)
                    .where(*where).order_by(E.c.id))
