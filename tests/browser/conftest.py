"""Browser-test fixtures: a real ``streamlit run app.py`` server and an offline Chromium page.

``app_server`` starts the app once per session (under pytest-xdist, once per worker) on a free port
with its own temporary ``LONGGANG_DATA_DIR`` (so it builds its own SQLite file), waits for
``/_stcore/health`` and stops the server at the end. ``offline_page`` is a 1920×1080 page in which every
request to a host other than the loopback one fails and is recorded in ``page.external_requests``, so
a test can assert the app never reached the internet; the tests take turns on one such page.

The server starts on the sample database a first start would build (``seed_data_dir``: a copy
of the run's ``sample_sqlite_template``, loaded once per run instead of once per server) with
the shipped alert rules already evaluated (as the scheduler's ``python -m jobs.alerts evaluate``
would), so the sidebar's alert badge, a count cached per minute, is right from the first render.
Before any test runs, ``app_server`` opens the root URL once and waits for it to finish, so
the server has left Streamlit's older multipage mode: a session whose first request is a page
URL on a fresh server would see a "Page not found" pop-up.
``app_data_dir`` is the server's data folder (its SQLite file is ``longgang.sqlite3``).
The browser helpers (waiting until a page is done, naming its problems, the offline guard)
live in ``bench/browser_support.py``, shared with the load script and the browser timing.

Without /usr/bin/chromium the browser tests are skipped, except under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from import_db import copy_sqlite

from bench.browser_support import (  # noqa: F401 - CHROMIUM_ARGS and LOOPBACK are re-exported for tests
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCALE,
    LOOPBACK,
    POLICY_CHROMIUM_ARGS,
    VIEWPORT,
    die_with_parent,
    free_port,
    guarded_page,
    healthy,
    page_problems,
    wait_until_done,
)
from data_access.database import DEFAULT_SQLITE_NAME, Database

ROOT = Path(__file__).resolve().parents[2]
#: the machine may be slow and shared: building the database and the first render take a while
START_TIMEOUT_S = float(os.environ.get("LONGGANG_BROWSER_START_TIMEOUT", "300"))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The browser server's data folder: it builds ``longgang.sqlite3`` there on first start."""
    return tmp_path_factory.mktemp("browser-data")


def seed_data_dir(template: Path, data_dir: Path) -> str:
    """Put in ``data_dir`` the database a server's first start would build there from ``sample_data/``
    (the same ``load_csv_dir``), copied from the run's template; its URL."""
    path = data_dir / DEFAULT_SQLITE_NAME
    copy_sqlite(template, path)
    return f"sqlite:///{path}"


def evaluate_alerts(url: str) -> None:
    """Evaluate the shipped alert rules on a database, as ``python -m jobs.alerts evaluate`` does."""
    from jobs import alerts as alert_jobs

    db = Database(url)
    try:
        alert_jobs.evaluate(db)
    finally:
        db.dispose()


@contextlib.contextmanager
def streamlit_server(data_dir: Path) -> Iterator[str]:
    """A real ``streamlit run app.py`` on a free port with ``data_dir`` as its data folder (the open
    demo, no internet use), until the block ends; its base URL once healthy."""
    port = free_port()
    # the open demo (no login form), whatever users file the developer has
    env = {**os.environ, "LONGGANG_DATA_DIR": str(data_dir), "LONGGANG_USERS_FILE": str(data_dir / "no-users.toml")}
    env.pop("DATABASE_URL", None)
    log = open(data_dir / "server.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=die_with_parent,  # the server dies with pytest, even when pytest is killed
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not healthy(url):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}: {(data_dir / 'server.log').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy in {START_TIMEOUT_S:.0f}s")
            time.sleep(0.5)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


@pytest.fixture(scope="session")
def app_server(app_data_dir: Path, chromium, sample_sqlite_template: Path) -> Iterator[str]:
    """Base URL of a real Streamlit server running app.py (own data folder, no internet use), warmed up.
    Its database is the sample with the alerts evaluated before the first render."""
    evaluate_alerts(seed_data_dir(sample_sqlite_template, app_data_dir))
    with streamlit_server(app_data_dir) as url:
        _warm_up(chromium, url)
        yield url


def _warm_up(browser, url: str) -> None:
    """Open the root URL once (leaves the older multipage mode); it must render."""
    context = browser.new_context(viewport=VIEWPORT, locale=LOCALE)
    try:
        page = context.new_page()
        page.goto(f"{url}/", timeout=START_TIMEOUT_S * 1000)
        wait_until_done(page, START_TIMEOUT_S * 1000)
        problems = page_problems(page)
        if problems:
            pytest.fail(f"the root page of a fresh server does not render cleanly: {problems}")
    finally:
        context.close()


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium (the system one), or a skip when it is missing outside CI."""
    if not Path(CHROMIUM).exists():
        if _in_ci():
            pytest.fail(f"{CHROMIUM} is missing (CI=true: browser tests must run)", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + POLICY_CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class PagesInTurn:
    """Pages that tests take turns on, one per name: opened on first use (again if a test closed it),
    handed to each test blank (the last test's app and its WebSocket closed), at the test's viewport, with
    their records of external requests and policy violations emptied; closed by :meth:`close`. A page
    load where the app has loaded before costs about half a first one (the renderer has Streamlit's
    scripts compiled, the HTTP cache has them)."""

    def __init__(self) -> None:
        self._pages: dict = {}

    def page(self, name: str, open_page, viewport: dict):
        page = self._pages.get(name)
        if page is None or page.is_closed():
            page = self._pages[name] = open_page()
        page.goto("about:blank")
        page.set_viewport_size(viewport)
        page.external_requests.clear()
        if hasattr(page, "policy_violations"):
            page.policy_violations.clear()
        return page

    def close(self) -> None:
        for page in self._pages.values():
            with contextlib.suppress(Exception):
                page.context.close()


@pytest.fixture(scope="session")
def _offline_pages(chromium) -> Iterator[PagesInTurn]:
    pages = PagesInTurn()
    yield pages
    pages.close()


@pytest.fixture
def offline_page(chromium, _offline_pages):
    """A 1920×1080 page in which every request to a non-loopback host fails and is recorded
    (``page.external_requests``), and every document comes under the deployment's Content-Security-Policy
    (what it refuses: ``page.policy_violations``). One page per worker, taken in turns
    (:class:`PagesInTurn`); a test that needs a fresh browser context takes ``guarded_page`` itself."""
    return _offline_pages.page("desktop", lambda: guarded_page(chromium, START_TIMEOUT_S * 1000), VIEWPORT)
