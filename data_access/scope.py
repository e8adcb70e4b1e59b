"""The scope every query takes: where (street, community), when (period) and who (role).

A :class:`Scope` is a small frozen value, so Streamlit can hash it as a cache key
and a URL can carry it. Role limits are applied here, in the data layer: a
street role always sees its own street, whatever the URL asks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

DISTRICT_ROLE = "district"
STREET_ROLE_PREFIX = "street:"
PRESENTER_ROLE = "presenter"

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Period:
    """An inclusive date range with a URL key: ``all``, ``2023`` or ``2023-Q3``."""

    key: str
    start: date
    end: date
    #: how far back the like-for-like previous period lies, in months (0: none)
    step_months: int = 0

    @property
    def end_exclusive(self) -> datetime:
        """Midnight after the last day, for half-open datetime comparisons."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min)

    def previous(self, data_start: date) -> Period | None:
        """The same span one step earlier (a year before, a quarter before), if data covers it."""
        if not self.step_months:
            return None
        start = _add_months(self.start, -self.step_months)
        if start < data_start:
            return None
        end = _add_months(self.end, -self.step_months)
        return Period(f"{self.key}~prev", start, end, self.step_months)


def period_options(data_start: date, reference: date) -> list[Period]:
    """Every period the data covers: all, then years and quarters, newest first."""
    options = [Period("all", data_start, reference)]
    for year in range(reference.year, data_start.year - 1, -1):
        options.append(_clip(Period(str(year), date(year, 1, 1), date(year, 12, 31), 12), data_start, reference))
    for year in range(reference.year, data_start.year - 1, -1):
        for quarter in range(4, 0, -1):
            start = date(year, 3 * quarter - 2, 1)
            if start > reference or _add_months(start, 3) <= data_start:
                continue
            end = _add_months(start, 3) - timedelta(days=1)
            options.append(_clip(Period(f"{year}-Q{quarter}", start, end, 3), data_start, reference))
    return options


def _clip(period: Period, data_start: date, reference: date) -> Period:
    return replace(period, start=max(period.start, data_start), end=min(period.end, reference))


def parse_period(key: str, data_start: date, reference: date) -> Period | None:
    """The period a URL key names, or None when the key is malformed or outside the data."""
    if not isinstance(key, str) or not (key == "all" or _YEAR.match(key) or _QUARTER.match(key)):
        return None
    for option in period_options(data_start, reference):
        if option.key == key:
            return option
    return None


@dataclass(frozen=True)
class Scope:
    """Street and community codes (None = all), the period, and the viewer's role."""

    period: Period
    street: str | None = None
    community: str | None = None
    role: str = DISTRICT_ROLE

    @property
    def role_street(self) -> str | None:
        """The street a street-office role is confined to."""
        if self.role.startswith(STREET_ROLE_PREFIX):
            return self.role[len(STREET_ROLE_PREFIX):]
        return None

    @property
    def effective_street(self) -> str | None:
        """The street the queries filter on; a street role cannot widen or move it."""
        return self.role_street or self.street

    @property
    def level(self) -> str:
        # Queries filter on the street and the community together, so a community
        # of another street than the role's yields nothing rather than leaking.
        if self.community:
            return "community"
        if self.effective_street:
            return "street"
        return "district"

    def previous(self, data_start: date) -> Scope | None:
        """The same place over the previous like-for-like period, for change figures."""
        period = self.period.previous(data_start)
        return replace(self, period=period) if period else None

    def with_period(self, period: Period) -> Scope:
        return replace(self, period=period)

    def without_community(self) -> Scope:
        """The scope's whole street (the community dropped)."""
        return replace(self, community=None)

    def widened(self) -> Scope:
        """The same period at district level (for district averages), keeping the role."""
        return replace(self, street=None, community=None)
