"""Each page's data work, measured apart from Streamlit: which query calls a page makes, and their time.

A page reaches the data only through ``components.data.cached`` (and ``cached_pair``, which calls
it). Running the page once in AppTest with that function wrapped records every call with its
arguments; replaying the calls directly against a fresh :class:`Database` then measures the data
work with every cache cold, as on the first click after a filter change.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from streamlit.testing.v1 import AppTest

import components.data as data_module
from data_access.database import Database

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class QueryCall:
    """One call a page made: ``fn(db, *args, **kwargs)``."""

    fn: object
    args: tuple
    kwargs: tuple

    @property
    def name(self) -> str:
        return f"{self.fn.__module__.removeprefix('data_access.')}.{self.fn.__name__}"

    def run(self, db: Database):
        return self.fn(db, *self.args, **dict(self.kwargs))


@contextmanager
def recording() -> Iterator[list[QueryCall]]:
    """Record every ``cached`` call made while the block runs (the calls still go through)."""
    calls: list[QueryCall] = []
    original = data_module.cached

    def recording_cached(fn, *args, **kwargs):
        calls.append(QueryCall(fn, args, tuple(sorted(kwargs.items()))))
        return original(fn, *args, **kwargs)

    data_module.cached = recording_cached
    try:
        yield calls
    finally:
        data_module.cached = original


def opened_app(params: dict[str, str], timeout: float = 600) -> AppTest:
    """app.py run once with these URL parameters (on its default page)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def run_page(at: AppTest, page: str) -> AppTest:
    """Switch an opened app to ``page`` (a path like "pages/map_page.py") and run it."""
    at.switch_page(page)
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {[e.message for e in at.exception]}")
    return at


def page_calls(page: str, params: dict[str, str]) -> list[QueryCall]:
    """The distinct query calls one run of the page makes (the sidebar's included), in order."""
    at = opened_app(params)
    data_module.reset()
    with recording() as calls:
        run_page(at, page)
    seen: dict[str, QueryCall] = {}
    for call in calls:
        seen.setdefault(repr((call.fn, call.args, call.kwargs)), call)
    return list(seen.values())


def time_calls(db: Database, calls: list[QueryCall]) -> tuple[float, dict[str, float]]:
    """Seconds for all calls against ``db`` (no result cache anywhere), and seconds per call."""
    per_call: dict[str, float] = {}
    started = time.perf_counter()
    for call in calls:
        t0 = time.perf_counter()
        call.run(db)
        per_call[call.name] = per_call.get(call.name, 0.0) + time.perf_counter() - t0
    return time.perf_counter() - started, per_call


def cold_and_warm(url: str, calls: list[QueryCall], runs: int) -> tuple[float, list[float], dict[str, float]]:
    """(seconds on a brand-new engine, seconds on that engine again ``runs`` times, seconds per call of the
    slowest warm run). The first figure is a server's very first request of these query shapes: SQLAlchemy
    compiles each statement once per engine. The warm ones are every later first click after a filter change:
    no result is cached, but the running server's engine has compiled those shapes before."""
    db = Database(url)
    try:
        first, _ = time_calls(db, calls)
        warm = [time_calls(db, calls) for _ in range(runs)]
        return first, [w[0] for w in warm], max(warm, key=lambda w: w[0])[1]
    finally:
        db.dispose()


def spread(values: list[float]) -> tuple[float, float, float]:
    """Median, minimum and maximum."""
    return statistics.median(values), min(values), max(values)


def timed_page_run(page: str, params: dict[str, str]) -> float:
    """Seconds for one whole page run in AppTest with Streamlit's caches cleared first.

    The garbage of the untimed set-up (the app opened on its default page, the caches cleared) is
    collected before the timer starts: left to Python's collector, a full collection of it fell
    inside some timed runs and not others (a 30 ms page measured 33–92 ms over five runs).
    """
    at = opened_app(params)
    data_module.reset()
    gc.collect()
    started = time.perf_counter()
    run_page(at, page)
    return time.perf_counter() - started
