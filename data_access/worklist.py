"""A street office's worklist (督办清单): open requests and unfinished projects overdue or about to be (临期).

As at the reference (as-of) date: a request is due its category's target days after submission
(``config/request_targets.toml``), a project at its planned end. ``days_left`` is the time from
the end of the reference day to the due time, in days: below 0 overdue, from 0 up to the chosen
horizon 临期. The list is sorted by how soon (most overdue first) and follows the scope's street
and community (and the role's street); the period is not applied, since open work is open
whenever it came in. Requesters' names and phones are not part of it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import pandas as pd
from sqlalchemy import DateTime, Float, Table, case, cast, false, func, literal, select, union_all

from data_access import schema
from data_access.database import Database
from data_access.domain import PROJECT_COMPLETED
from data_access.privacy import mask_personal_data
from data_access.requests import Targets, by_category, load_request_targets, open_requests_subquery
from data_access.scope import Scope
from data_access.sql import day_number, days_between, place_filter

R, P, C, S = schema.requests, schema.projects, schema.communities, schema.streets
COLUMNS = ["kind", "id", "subject", "status", "community", "street", "unit", "started", "due", "days_left", "state"]


def _submitted_by(targets: Targets, category, as_of: datetime, days_left: float):
    """The latest submission time at which a request of ``category`` has at most ``days_left`` days left at
    ``as_of``: per category a fixed time, so a filter compares each open request's submission time with it
    instead of computing every open request's days left (docs/performance.md)."""
    return by_category(targets, category,
                       lambda target_days: literal(_latest_submission(as_of, target_days, days_left), DateTime))


def _latest_submission(as_of: datetime, target_days: float, days_left: float) -> datetime:
    return as_of - timedelta(days=target_days - days_left)


class _Due(NamedTuple):
    """What the worklist's statements share: the open requests (the summary table or the raw rows), their
    target days and days left, which are due and which overdue; the same for the projects."""

    src: object
    targets: Targets
    as_of: datetime
    place: object
    target: object
    request_left: object
    due_requests: list
    project_left: object
    due_projects: list
    overdue_project: object


def _due(db: Database, scope: Scope, reference: date, days_ahead: int, targets: Targets | None) -> _Due:
    if days_ahead < 0:
        raise ValueError("临期天数不能为负数")
    targets = targets if targets is not None else load_request_targets()
    src = open_requests_subquery(db)
    as_of = datetime.combine(reference + timedelta(days=1), time.min)
    target = by_category(targets, src.c.category)
    request_left = target - days_between(src.c.submitted_at, literal(as_of))
    project_left = cast(day_number(P.c.planned_end) - day_number(literal(reference)), Float)
    place = place_filter(src.c.community_code, scope)
    due_requests = [place, src.c.submitted_at <= _submitted_by(targets, src.c.category, as_of, days_ahead)]
    due_projects = [place_filter(P.c.community_code, scope), P.c.status != PROJECT_COMPLETED,
                    P.c.planned_end.is_not(None), project_left <= days_ahead]
    return _Due(src, targets, as_of, place, target, request_left, due_requests, project_left, due_projects,
                project_left < 0)


def _by_open_category(db: Database, due: _Due, days_ahead: int, branch) -> object:
    """One statement per category of the open requests, UNION ALL: ``branch(category, target_days,
    latest_due, latest_overdue)`` is a SELECT over the open requests of that category (its target and
    cut-offs fixed, so each reads a range of the open table's (category, submitted_at) index). On the city
    the same over every open request (a CASE per row) took most of the bulletin page's time."""
    named, default = dict(due.targets), dict(due.targets).get("*", 7.0)
    branches = []
    for category in _open_categories(db, due.src):
        days = named.get(category, default)
        one = branch(category, days, _latest_submission(due.as_of, days, days_ahead),
                     _latest_submission(due.as_of, days, 0)).subquery()
        branches.append(select(*one.c))  # a subquery each: SQLite takes no ORDER BY or LIMIT in a UNION's part
    return union_all(*branches).subquery("by_category") if branches else None


def _open_categories(db: Database, src) -> list[str]:
    """The categories among the open requests: on the summary table each is the (category, submitted_at)
    index's next entry (a few probes, as evaluation_years); on the raw rows a DISTINCT."""
    table = getattr(src, "element", None)
    if not isinstance(table, Table):  # the raw rows' subquery
        return [c for (c,) in db.rows(select(src.c.category).distinct())]
    cats = select(func.min(src.c.category).label("category")).cte("cats", recursive=True)
    later = table.alias("later")
    cats = cats.union_all(select(select(func.min(later.c.category)).where(later.c.category > cats.c.category)
                                 .scalar_subquery()).where(cats.c.category.is_not(None)))
    return [c for (c,) in db.rows(select(cats.c.category).where(cats.c.category.is_not(None)))]


def worklist_counts(db: Database, scope: Scope, reference: date, days_ahead: int = 3,
                    targets: Targets | None = None) -> dict[str, int]:
    """How many items of :func:`worklist` are overdue and how many 临期, counted in the database (the
    open requests' small summary table when it is built): a district's list runs to tens of thousands."""
    due = _due(db, scope, reference, days_ahead, targets)
    counts = {"overdue": 0, "due_soon": 0}
    src = due.src

    def per_category(category, _days, latest_due, latest_overdue):
        return (select(func.count().label("due"),
                       func.sum(case((src.c.submitted_at < latest_overdue, 1), else_=0)).label("overdue"))
                .where(src.c.category == category, src.c.submitted_at <= latest_due, due.place))

    requests = _by_open_category(db, due, days_ahead, per_category)
    statements = [select(func.count().label("due"), func.sum(case((due.overdue_project, 1), else_=0))
                         .label("overdue")).where(*due.due_projects)]
    if requests is not None:
        statements.append(select(func.sum(requests.c.due), func.sum(requests.c.overdue)))
    for due_count, overdue in (db.rows(stmt)[0] for stmt in statements):
        counts["overdue"] += int(overdue or 0)
        counts["due_soon"] += int(due_count or 0) - int(overdue or 0)
    return counts


def worklist(db: Database, scope: Scope, reference: date, days_ahead: int = 3,
             targets: Targets | None = None, limit: int | None = None) -> pd.DataFrame:
    """Overdue and 临期 requests and projects of the scope's place, soonest due first; only the ``limit``
    most urgent when given (picked in the database before the requests' details are read: per category the
    earliest submitted, then the soonest due of those)."""
    parts = _due(db, scope, reference, days_ahead, targets)
    src, project_left = parts.src, parts.project_left
    if limit is None:
        due = select(src.c.id, parts.target.label("target_days"), parts.request_left.label("days_left")).where(
            *parts.due_requests).subquery("due")
    else:
        def earliest(category, days, latest_due, _latest_overdue):
            left = literal(days, Float) - days_between(src.c.submitted_at, literal(parts.as_of))
            return (select(src.c.id, literal(days, Float).label("target_days"), left.label("days_left"))
                    .where(src.c.category == category, src.c.submitted_at <= latest_due, parts.place)
                    .order_by(src.c.submitted_at, src.c.id).limit(limit))

        urgent = _by_open_category(db, parts, days_ahead, earliest)
        if urgent is None:
            due = select(src.c.id, parts.target.label("target_days"), parts.request_left.label("days_left")
                         ).where(false()).subquery("due")
        else:
            due = (select(urgent.c.id, urgent.c.target_days, urgent.c.days_left)
                   .order_by(urgent.c.days_left, urgent.c.id).limit(limit).subquery("due"))
    requests = db.frame(
        select(R.c.id, R.c.category.label("subject"), R.c.status, C.c.name.label("community"),
               S.c.name.label("street"), R.c.handling_unit.label("unit"), R.c.submitted_at.label("started"),
               due.c.target_days, due.c.days_left)
        .select_from(due.join(R, R.c.id == due.c.id).join(C, C.c.code == R.c.community_code)
                     .join(S, S.c.code == C.c.street_code))
    )
    requests["started"] = pd.to_datetime(requests["started"])
    requests["due"] = requests["started"] + pd.to_timedelta(requests["target_days"].astype(float), unit="D")
    requests["kind"] = "request"
    project_rows = (
        select(P.c.code.label("id"), P.c.title.label("subject"), P.c.status, C.c.name.label("community"),
               S.c.name.label("street"), P.c.lead_unit.label("unit"), P.c.planned_start.label("started"),
               P.c.planned_end.label("due"), project_left.label("days_left"))
        .select_from(P.join(C, C.c.code == P.c.community_code).join(S, S.c.code == C.c.street_code))
        .where(*parts.due_projects)
    )
    if limit is not None:
        project_rows = project_rows.order_by(project_left, P.c.code).limit(limit)
    projects = db.frame(project_rows)
    projects["kind"] = "project"
    for frame in (requests, projects):
        frame["days_left"] = frame["days_left"].astype(float)
    parts = [f[COLUMNS[:-1]] for f in (requests, projects) if len(f)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame["due"] = pd.to_datetime(frame["due"])
    frame["started"] = pd.to_datetime(frame["started"])
    frame["state"] = ["overdue" if d < 0 else "due_soon" for d in frame["days_left"]]
    frame = frame.sort_values(["days_left", "kind", "id"], kind="mergesort").reset_index(drop=True)[COLUMNS]
    return frame if limit is None else frame.head(limit)


# --- one request's timeline ----------------------------------------------------------------


H = schema.request_status_history
RESOLVED_STATUSES = ("已办结", "已关闭")


def request_timeline(db: Database, scope: Scope, request_id: str, reference: date,
                     targets: Targets | None = None) -> tuple[dict, pd.DataFrame] | None:
    """One request (personal data masked) and its status changes, or None when it is not found.

    A request outside the scope's street (a street role asking for another street's id) is
    "not found" exactly like an id that does not exist, so nothing of it leaks. The detail has
    the target days, the expected completion (submission + target), whether the request was
    returned or reopened; each change has the time spent in that status (up to the next change,
    or to the end of the reference day while it is the current one).
    """
    targets = targets if targets is not None else load_request_targets()
    target = by_category(targets)
    detail = mask_personal_data(db.frame(
        select(R.c.id, R.c.channel, R.c.category, R.c.status, C.c.name.label("community"),
               S.c.name.label("street"), R.c.handling_unit, R.c.submitted_at, R.c.accepted_at, R.c.resolved_at,
               R.c.closed_at, R.c.satisfaction, R.c.description, R.c.requester_name, R.c.requester_phone,
               target.label("target_days"))
        .select_from(R.join(C, C.c.code == R.c.community_code).join(S, S.c.code == C.c.street_code))
        .where(R.c.id == str(request_id), place_filter(R.c.community_code, scope))
    ))
    if detail.empty:
        return None
    row = detail.iloc[0].to_dict()
    history = db.frame(select(H.c.seq, H.c.status, H.c.changed_at).where(H.c.request_id == row["id"])
                       .order_by(H.c.seq))
    history["changed_at"] = pd.to_datetime(history["changed_at"])
    as_of = pd.Timestamp(datetime.combine(reference + timedelta(days=1), time.min))
    following = history["changed_at"].shift(-1).fillna(as_of)
    history["days_in_status"] = (following - history["changed_at"]).dt.total_seconds() / 86400
    history["current"] = history["seq"] == history["seq"].max()
    history["handling_unit"] = row["handling_unit"]
    statuses = list(history["status"])
    first_resolution = next((i for i, s in enumerate(statuses) if s in RESOLVED_STATUSES), None)
    row["returned"] = "已退回" in statuses
    row["reopened"] = first_resolution is not None and any(s not in RESOLVED_STATUSES
                                                           for s in statuses[first_resolution:])
    row["submitted_at"] = pd.Timestamp(row["submitted_at"])
    row["expected_completion"] = row["submitted_at"] + pd.Timedelta(days=float(row["target_days"]))
    return row, history
