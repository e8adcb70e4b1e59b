"""How fresh the data is: when it last changed, and whether the scheduled sync is keeping it fresh.

The loader, the importer and jobs.sync write ``loaded_at`` (any change to the data), and jobs.sync
writes ``last_sync`` (every run) and ``last_sync_ok`` (runs that finished) into ``dataset_info``; all
three start with a UTC ISO time. A database that never ran a sync (the demo, hand uploads only) gets
no warning; one whose last successful sync is older than ``LONGGANG_SYNC_MAX_AGE_HOURS`` (default 24),
or whose syncs never succeeded, does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

#: Shenzhen time, in which the sidebar shows when the data changed.
LOCAL_TZ = timezone(timedelta(hours=8))
DEFAULT_MAX_AGE_HOURS = 24.0


@dataclass(frozen=True)
class Freshness:
    refreshed_at: datetime | None  # local (Shenzhen) time of the last load, import or sync that changed data
    last_sync_ok: datetime | None  # local time of the last successful sync
    stale: bool  # a sync is set up and has not succeeded within the allowed age
    max_age_hours: float


def max_age_hours() -> float:
    """``LONGGANG_SYNC_MAX_AGE_HOURS``, or 24 when unset or not a positive number."""
    try:
        hours = float(os.environ.get("LONGGANG_SYNC_MAX_AGE_HOURS", "") or DEFAULT_MAX_AGE_HOURS)
    except ValueError:
        return DEFAULT_MAX_AGE_HOURS
    return hours if hours > 0 else DEFAULT_MAX_AGE_HOURS


def _stamp(value: str | None) -> datetime | None:
    """The UTC time a dataset_info value starts with, in Shenzhen time; None if there is none."""
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.split(" ")[0])
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)


def freshness(info: dict[str, str], now: datetime | None = None, max_age: float | None = None) -> Freshness:
    """Freshness from ``dataset_info``'s entries (see the module docstring)."""
    now = now or datetime.now(UTC)
    hours = max_age if max_age is not None else max_age_hours()
    ok = _stamp(info.get("last_sync_ok"))
    synced = ok is not None or bool(info.get("last_sync"))
    stale = synced and (ok is None or now - ok > timedelta(hours=hours))
    return Freshness(_stamp(info.get("loaded_at")), ok, stale, hours)
