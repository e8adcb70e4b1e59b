"""A login survives a reload (issue 26): ``streamlit run serve.py`` sets a signed, HttpOnly, SameSite=Lax
session cookie after the login; a reload opens the same page and tab still logged in; the idle time
still ends it; logout ends it and clears the cookie. The page runs under the deployment's CSP."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import seed_data_dir
from sqlalchemy import create_engine, update

from bench.browser_support import (
    StreamlitServer,
    guarded_page,
    wait_until_done,
)
from components.i18n import text
from data_access import auth, schema, web_sessions
from data_access.database import DEFAULT_SQLITE_NAME

ROOT = Path(__file__).resolve().parents[2]
LOAD_TIMEOUT_MS = float(os.environ.get("LONGGANG_BROWSER_PAGE_TIMEOUT", "180")) * 1000
USER, PASSWORD = "district1", "Correct-horse-battery-7"
DEEP_LINK = "/requests?section=backlog"
HEADING = '[data-testid="stMain"] h1'


@pytest.fixture(scope="module")
def cookie_server(chromium, tmp_path_factory, sample_sqlite_template) -> Iterator[StreamlitServer]:
    folder = tmp_path_factory.mktemp("cookie-data")
    seed_data_dir(sample_sqlite_template, folder)  # the database a first start would build
    users = folder / "users.toml"
    os.environ[auth.USERS_FILE_ENV], saved = str(users), os.environ.get(auth.USERS_FILE_ENV)
    try:
        auth.add_user(USER, "district", PASSWORD)
    finally:
        if saved is None:
            os.environ.pop(auth.USERS_FILE_ENV)
        else:
            os.environ[auth.USERS_FILE_ENV] = saved
    env = {"LONGGANG_DATA_DIR": str(folder), auth.USERS_FILE_ENV: str(users),
           "LONGGANG_SESSION_SECRET": "browser-test-secret-" + "x" * 20}
    with StreamlitServer(ROOT / "serve.py", env=env, drop_env=("DATABASE_URL",),
                         log_path=folder / "server.log") as server:
        server.folder = folder
        yield server


def _heading(page) -> str:
    return page.locator(HEADING).first.inner_text().strip()


def _session_cookie(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == web_sessions.COOKIE_NAME), None)


def _log_in(page, url: str) -> None:
    page.goto(f"{url}/", timeout=LOAD_TIMEOUT_MS)  # the root first: a fresh server's first request
    wait_until_done(page, LOAD_TIMEOUT_MS)
    page.goto(url + DEEP_LINK, timeout=LOAD_TIMEOUT_MS)  # a link opened logged out
    wait_until_done(page, LOAD_TIMEOUT_MS)
    assert _heading(page) == text("login.title")
    page.get_by_label(text("login.user")).fill(USER)
    page.get_by_label(text("login.password")).fill(PASSWORD)
    before = _session_cookie(page)  # none, or a dead one (ended in the database) that the login replaces
    page.get_by_role("button", name=text("login.submit")).click()
    deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
    while _session_cookie(page) in (None, before):  # the browser fetches it from /session/start, comes back
        assert time.monotonic() < deadline, "no session cookie after the login"
        page.wait_for_timeout(250)
    page.wait_for_url(f"**{DEEP_LINK}", timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)


def test_a_login_survives_a_reload_until_logout_or_idle_time(chromium, cookie_server):
    page = guarded_page(chromium, LOAD_TIMEOUT_MS)
    try:
        _log_in(page, cookie_server.url)
        assert _heading(page) == text("requests.title")  # the link's page, after the login
        cookie = _session_cookie(page)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["expires"] > time.time() + 3600
        assert web_sessions.COOKIE_NAME not in page.evaluate("document.cookie")  # no script can read it

        page.reload()
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert _heading(page) == text("requests.title") and page.url.endswith(DEEP_LINK)
        assert page.get_by_role("button", name=text("login.logout")).count() == 1

        # a forged cookie is no login
        forged = {**cookie, "value": cookie["value"][:-2] + "00"}
        page.context.add_cookies([forged])
        page.reload()
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert _heading(page) == text("login.title")
        page.context.add_cookies([cookie])

        # idle longer than the idle time (its last run moved back in the database): ended, with the notice
        page.reload()
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert _heading(page) == text("requests.title")
        engine = create_engine(f"sqlite:///{cookie_server.folder / DEFAULT_SQLITE_NAME}")
        try:
            with engine.begin() as conn:
                conn.execute(update(schema.web_sessions).values(last_seen=web_sessions.now_utc().replace(year=2000)))
        finally:
            engine.dispose()
        page.reload()
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert _heading(page) == text("login.title")
        assert "分钟未操作" in page.locator('[data-testid="stMain"]').inner_text()  # says why
        page.reload()  # the dead cookie (ended in the database) logs nobody in
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert _heading(page) == text("login.title")

        # log in again, log out: the cookie is gone and a reload asks for the password
        _log_in(page, cookie_server.url)
        page.get_by_role("button", name=text("login.logout")).click()
        deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
        while _session_cookie(page) is not None:
            assert time.monotonic() < deadline, "the session cookie outlived the logout"
            page.wait_for_timeout(250)
        wait_until_done(page, LOAD_TIMEOUT_MS)
        page.reload()
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert _heading(page) == text("login.title")
        assert page.external_requests == [] and page.policy_violations == []
    finally:
        page.context.close()
