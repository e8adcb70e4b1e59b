"""Measures per street or community over a window, for alert rules (and later the bulletin).

A measure is a name in :data:`MEASURES` with its labels, its kind (``rate`` 0-1 or
``count``) and a function ``compute(db, level, window, reference, params)`` that returns one
row per unit with activity: ``unit_code``, ``value``, ``base`` (the denominator of a rate,
the count itself for a count). Everything is aggregated in SQL.

Another module (the monthly bulletin's ``data_access/bulletin.py``, say) plugs its measures
in with :func:`register_measure`; alert rules can then name them in ``config/alerts.toml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import and_, case, func, or_, select

from data_access import bulletin, schema
from data_access.database import Database
from data_access.domain import PROJECT_COMPLETED, REQUEST_OPEN_STATUSES
from data_access.requests import Targets, load_request_targets
from data_access.scope import _add_months

R, P, C = schema.requests, schema.projects, schema.communities

LEVELS = ("street", "community")


@dataclass(frozen=True)
class Window:
    """A half-open datetime window [start, end) with its label (``2023-10``)."""

    label: str
    start: datetime
    end: datetime


def month_window(reference: date, months_back: int = 0) -> Window:
    """The month of ``reference`` up to and including it, or the like-for-like span ``months_back`` earlier.

    The latest month is cut at the reference date (the data's "as of"); an earlier month is cut
    at the same day of its month, so a half month is compared with a half month.
    """
    first = date(reference.year, reference.month, 1)
    start = _add_months(first, -months_back)
    last_day = _add_months(reference, -months_back)
    return Window(f"{start:%Y-%m}", datetime.combine(start, time.min),
                  datetime.combine(last_day + timedelta(days=1), time.min))


def full_month(reference: date, months_back: int) -> Window:
    """The whole calendar month ``months_back`` before the reference's month."""
    start = _add_months(date(reference.year, reference.month, 1), -months_back)
    end = _add_months(start, 1)
    return Window(f"{start:%Y-%m}", datetime.combine(start, time.min), datetime.combine(end, time.min))


def end_of(reference: date) -> datetime:
    """Midnight after the reference date."""
    return datetime.combine(reference + timedelta(days=1), time.min)


Compute = Callable[[Database, str, Window, date, dict], pd.DataFrame]


@dataclass(frozen=True)
class Measure:
    key: str
    name_zh: str
    name_en: str
    kind: str  # "rate" (0-1) or "count"
    compute: Compute
    #: whether the figure is about the window (True) or a stock as at the reference date (False)
    windowed: bool = True
    params: dict = field(default_factory=dict)

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


MEASURES: dict[str, Measure] = {}


def register_measure(measure: Measure) -> Measure:
    """Add a measure to the registry (a key registered twice is an error)."""
    if measure.key in MEASURES:
        raise ValueError(f"measure {measure.key} registered twice")
    if measure.kind not in ("rate", "count"):
        raise ValueError(f"measure {measure.key}: kind must be rate or count")
    MEASURES[measure.key] = measure
    return measure


def _unit_column(level: str):
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    return C.c.street_code if level == "street" else C.c.code


def _frame_of(frame: pd.DataFrame) -> pd.DataFrame:
    frame["value"] = frame["value"].astype(float)
    frame["base"] = frame["base"].astype(float)
    return frame.reset_index(drop=True)


def _frame(db: Database, stmt) -> pd.DataFrame:
    frame = db.frame(stmt)
    if frame.empty:
        return pd.DataFrame(columns=["unit_code", "value", "base"])
    return _frame_of(frame)


def _requests_in(level: str, window: Window):
    unit = _unit_column(level)
    return unit, [R.c.submitted_at >= window.start, R.c.submitted_at < window.end]


def requests_received(db: Database, level: str, window: Window, reference: date, params: dict) -> pd.DataFrame:
    unit, where = _requests_in(level, window)
    count = func.count()
    stmt = (select(unit.label("unit_code"), count.label("value"), count.label("base"))
            .select_from(R.join(C, C.c.code == R.c.community_code)).where(*where).group_by(unit))
    return _frame(db, stmt)


def resolution_rate(db: Database, level: str, window: Window, reference: date, params: dict) -> pd.DataFrame:
    """Share of the window's requests resolved by the reference date (the app's cohort rule)."""
    unit, where = _requests_in(level, window)
    resolved = func.sum(case((and_(R.c.resolved_at.is_not(None), R.c.resolved_at < end_of(reference)), 1), else_=0))
    stmt = (select(unit.label("unit_code"), (resolved * 1.0 / func.count()).label("value"),
                   func.count().label("base"))
            .select_from(R.join(C, C.c.code == R.c.community_code)).where(*where).group_by(unit))
    return _frame(db, stmt)


def satisfaction_rate(db: Database, level: str, window: Window, reference: date, params: dict) -> pd.DataFrame:
    """Share of the window's rated requests rated 4 or 5 (满意率)."""
    unit, where = _requests_in(level, window)
    rated = func.count(R.c.satisfaction)
    good = func.sum(case((R.c.satisfaction >= 4, 1), else_=0))
    stmt = (select(unit.label("unit_code"), (good * 1.0 / rated).label("value"), rated.label("base"))
            .select_from(R.join(C, C.c.code == R.c.community_code))
            .where(*where, R.c.satisfaction.is_not(None)).group_by(unit))
    return _frame(db, stmt)


def _deadline_condition(targets: Targets, reference: date, within_days: int):
    """Open requests past their category's target at the reference date (``within_days`` 0), or due
    within the next ``within_days`` days and not yet past it (临期)."""
    named = [(k, v) for k, v in targets if k != "*"]
    default = dict(targets).get("*", 7.0)
    now = end_of(reference)
    parts = []

    def one(days: float):
        overdue_before = now - timedelta(days=days)
        if within_days <= 0:
            return R.c.submitted_at < overdue_before
        return and_(R.c.submitted_at >= overdue_before,
                    R.c.submitted_at < overdue_before + timedelta(days=within_days))

    for category, days in named:
        parts.append(and_(R.c.category == category, one(days)))
    parts.append(and_(R.c.category.not_in([k for k, _ in named] or ["\x00"]), one(default)))
    return or_(*parts)


def _open_requests_past(db: Database, level: str, reference: date, params: dict, within_days: int) -> pd.DataFrame:
    unit = _unit_column(level)
    targets = params.get("targets") or load_request_targets()
    count = func.count()
    stmt = (select(unit.label("unit_code"), count.label("value"), count.label("base"))
            .select_from(R.join(C, C.c.code == R.c.community_code))
            .where(R.c.status.in_(REQUEST_OPEN_STATUSES), R.c.submitted_at < end_of(reference),
                   _deadline_condition(targets, reference, within_days))
            .group_by(unit))
    return _frame(db, stmt)


def overdue_requests(db: Database, level: str, window: Window, reference: date, params: dict) -> pd.DataFrame:
    """Open requests past their category's target time (config/request_targets.toml) at the reference date."""
    return _open_requests_past(db, level, reference, params, 0)


def due_soon_requests(db: Database, level: str, window: Window, reference: date, params: dict) -> pd.DataFrame:
    """Open requests not yet overdue whose target falls within ``due_within_days`` days (临期)."""
    return _open_requests_past(db, level, reference, params, int(params.get("due_within_days", 3)))


def _projects_past(db: Database, level: str, reference: date, within_days: int) -> pd.DataFrame:
    unit = _unit_column(level)
    if within_days <= 0:
        due = P.c.planned_end < reference
    else:
        due = and_(P.c.planned_end >= reference, P.c.planned_end <= reference + timedelta(days=within_days))
    count = func.count()
    stmt = (select(unit.label("unit_code"), count.label("value"), count.label("base"))
            .select_from(P.join(C, C.c.code == P.c.community_code))
            .where(P.c.status != PROJECT_COMPLETED, P.c.planned_end.is_not(None), due).group_by(unit))
    return _frame(db, stmt)


def overdue_projects(db: Database, level: str, window: Window, reference: date, params: dict) -> pd.DataFrame:
    """Unfinished projects past their planned end (as data_access.projects.overdue_projects)."""
    return _projects_past(db, level, reference, 0)


def due_soon_projects(db: Database, level: str, window: Window, reference: date, params: dict) -> pd.DataFrame:
    """Unfinished projects whose planned end falls within ``due_within_days`` days (临期)."""
    return _projects_past(db, level, reference, int(params.get("due_within_days", 30)))


def category_counts(db: Database, window: Window) -> pd.DataFrame:
    """Requests per community and category in a window (community_code, street_code, category, n)."""
    stmt = (select(R.c.community_code, C.c.street_code, R.c.category, func.count().label("n"))
            .select_from(R.join(C, C.c.code == R.c.community_code))
            .where(R.c.submitted_at >= window.start, R.c.submitted_at < window.end)
            .group_by(R.c.community_code, C.c.street_code, R.c.category))
    return db.frame(stmt)


def description_counts(db: Database, window: Window) -> pd.DataFrame:
    """Requests per street and description in a window (street_code, description, n)."""
    stmt = (select(C.c.street_code, R.c.description, func.count().label("n"))
            .select_from(R.join(C, C.c.code == R.c.community_code))
            .where(R.c.submitted_at >= window.start, R.c.submitted_at < window.end)
            .group_by(C.c.street_code, R.c.description))
    return db.frame(stmt)


_NOT_WORD = re.compile(r"[\W\d_]+", re.UNICODE)
PHRASE_LENGTH = 30


def normalise_phrase(description: str) -> str:
    """A request description reduced to its phrase: full-width folded (NFKC), lower case, without spaces,
    punctuation or digits, at most 30 characters; requests about one problem then share one phrase."""
    folded = unicodedata.normalize("NFKC", description or "").lower()
    return _NOT_WORD.sub("", folded)[:PHRASE_LENGTH]


def unit_names(db: Database) -> dict[tuple[str, str], tuple[str, str]]:
    """(level, code) -> (name, street code) for every street and community."""
    S = schema.streets
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for code, name in db.frame(select(S.c.code, S.c.name)).itertuples(index=False):
        names[("street", code)] = (name, code)
    for code, name, street in db.frame(select(C.c.code, C.c.name, C.c.street_code)).itertuples(index=False):
        names[("community", code)] = (name, street)
    return names


#: The bulletin's measures (config/bulletin.toml definitions): key -> (column, base column, zh, en).
BULLETIN_MEASURES = {
    "bulletin_response_rate": ("response_rate", "received", "响应率（通报口径）", "Response rate (bulletin)"),
    "bulletin_resolution_rate": ("resolution_rate", "received", "办结率（通报口径）", "Resolution rate (bulletin)"),
    "bulletin_on_time_rate": ("on_time_rate", "due", "按时办结率（通报口径）", "On-time rate (bulletin)"),
    "bulletin_satisfaction_rate": ("satisfaction_rate", "rated", "满意率（通报口径）", "Satisfaction rate (bulletin)"),
}


def _bulletin_measure(column: str, base: str) -> Compute:
    """One bulletin rate as an alert measure: the window's month as a bulletin cut at the window's end,
    so a floor rule on 满意率 flags what the month's 通报 puts on its black list."""

    def compute(db: Database, level: str, window: Window, reference: date, params: dict) -> pd.DataFrame:
        cutoff = (window.end - timedelta(days=1)).date()
        counts = bulletin.unit_counts(db, bulletin.month_period(window.start.date()), cutoff, level, None,
                                      bulletin.load_bulletin_config(), params.get("targets") or load_request_targets())
        frame = pd.DataFrame({"unit_code": counts["code"], "value": counts[column], "base": counts[base]})
        return _frame_of(frame.dropna(subset=["value"]))

    return compute


for _measure in [
    *[Measure(key, zh, en, "rate", _bulletin_measure(column, base))
      for key, (column, base, zh, en) in BULLETIN_MEASURES.items()],
    Measure("requests_received", "诉求受理量", "Requests received", "count", requests_received),
    Measure("resolution_rate", "办结率", "Resolution rate", "rate", resolution_rate),
    Measure("satisfaction_rate", "满意率", "Satisfaction rate", "rate", satisfaction_rate),
    Measure("overdue_requests", "超时未办结诉求", "Overdue open requests", "count", overdue_requests, windowed=False),
    Measure("due_soon_requests", "临期诉求", "Requests due soon", "count", due_soon_requests, windowed=False),
    Measure("overdue_projects", "逾期项目", "Overdue projects", "count", overdue_projects, windowed=False),
    Measure("due_soon_projects", "临期项目", "Projects due soon", "count", due_soon_projects, windowed=False),
]:
    register_measure(_measure)
