"""With a users file, nothing but the login form reaches a visitor who has not logged in.

A server of its own (``login_server``), with a users file and no warm-up: its very first request
names a file of ``pages/``, the moment Streamlit's older multipage mode would serve that file on
its own. Then every page under every address form, anonymously; then a street user asking for
the data page and the show editor; and at the end, every table holds what the sample loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import seed_data_dir
from csv_counts import csv_row_counts
from sqlalchemy import func, select

from bench.browser_support import (
    NAV_LINK,
    StreamlitServer,
    anonymous_view_problems,
    app_pages,
    arm_for_rerun,
    guarded_page,
    page_problems,
    wait_until_done,
)
from components.i18n import text
from data_access import auth, schema
from data_access.database import DEFAULT_SQLITE_NAME, Database
from data_access.loader import SAMPLE_DIR

LOAD_TIMEOUT_MS = float(os.environ.get("LONGGANG_BROWSER_PAGE_TIMEOUT", "180")) * 1000
STREET_USER, STREET_ROLE, PASSWORD = "buji", "street:440307014", "Correct-horse-battery-7"
LOGIN_TITLE = text("login.title")
APP = '[data-testid="stApp"]'
#: after the load event, the time an app would have had to draw its frame (when its scripts may have run)
NO_APP_WAIT_MS = 3_000


def address_forms(script: str, url_path: str, every_form: bool) -> list[str]:
    """The ways a page might be asked for: its url_path and its file's name, with a trailing slash or
    a query string, and the file's path. Every form for the pages that change or show data
    (import, show editor); two for the others (each costs a page load)."""
    stem = Path(script).stem
    forms = [f"/{url_path}/?lang=zh", f"/{stem}"]
    return forms + [f"/{url_path}", f"/{url_path}/", f"/{stem}/", f"/{stem}?show=default&slide=2",
                    f"/{script}"] * every_form


@pytest.fixture(scope="module")
def login_server(chromium, tmp_path_factory, sample_sqlite_template) -> Iterator[StreamlitServer]:
    """A server with a users file, on a copy of the sample (what its first start would build), not warmed up."""
    folder = tmp_path_factory.mktemp("login-data")
    seed_data_dir(sample_sqlite_template, folder)
    users = folder / "users.toml"
    os.environ[auth.USERS_FILE_ENV], saved = str(users), os.environ.get(auth.USERS_FILE_ENV)
    try:
        auth.add_user(STREET_USER, STREET_ROLE, PASSWORD)
    finally:
        if saved is None:
            os.environ.pop(auth.USERS_FILE_ENV)
        else:
            os.environ[auth.USERS_FILE_ENV] = saved
    env = {"LONGGANG_DATA_DIR": str(folder), auth.USERS_FILE_ENV: str(users)}
    with StreamlitServer(env=env, drop_env=("DATABASE_URL",), log_path=folder / "server.log") as server:
        server.folder = folder
        yield server


def _page(chromium):
    return guarded_page(chromium, LOAD_TIMEOUT_MS)


def _script_types(page) -> dict[str, str]:
    """The Content-Type of every script the page received, by URL (kept from page.on("response"))."""
    if not hasattr(page, "lg_script_types"):
        page.lg_script_types = {}
        page.on("response", lambda response: page.lg_script_types.__setitem__(
            response.url, response.headers.get("content-type", "")) if response.request.resource_type == "script"
            else None)
    return page.lg_script_types


def _visit(page, url: str) -> list[str]:
    """What the address shows beyond the login form. At a file's path (``/pages/x.py``) Streamlit
    answers with its HTML shell, whose relative asset links do not load: no app starts at all."""
    received = _script_types(page)
    received.clear()
    page.goto(url, timeout=LOAD_TIMEOUT_MS)  # returns after the load event: the scripts have run
    if url.endswith(".py"):
        # The shell's scripts came back as something other than JavaScript (its HTML again), so the browser
        # ran none of them and no app can start; if that cannot be told, give an app the time to draw.
        sources = page.evaluate("() => [...document.scripts].map(s => s.src).filter(Boolean)")
        if not sources or any("javascript" in received.get(src, "javascript") for src in sources):
            page.wait_for_timeout(NO_APP_WAIT_MS)
        assert page.locator(APP).count() == 0, url
        return anonymous_view_problems(page, None)
    wait_until_done(page, LOAD_TIMEOUT_MS)
    return anonymous_view_problems(page, LOGIN_TITLE)


def test_anonymous_visitors_see_only_the_login_form(chromium, login_server):
    # a fresh server's very first request names a page file: the older pages/ mode's moment
    page = _page(chromium)
    try:
        first = _visit(page, f"{login_server.url}/data_page")
        assert first == [], first
        problems = {}
        for app_page in app_pages():
            for form in address_forms(app_page.script, app_page.url_path, app_page.url_path in ("data", "show")):
                found = _visit(page, login_server.url + form)
                if found:
                    problems[form] = found
        assert problems == {}
        assert page.external_requests == []
    finally:
        page.context.close()


def _log_in(page, url: str) -> None:
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)
    page.get_by_label(text("login.user")).fill(STREET_USER)
    page.get_by_label(text("login.password")).fill(PASSWORD)
    page.get_by_role("button", name=text("login.submit")).click()
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)


def test_a_street_user_reaches_neither_the_import_nor_the_show_editor(chromium, login_server):
    """Logged in, the data page is in no list and the show has no editor; an address typed in a new tab
    is a new session, so it gets the login form (the session's login does not travel in a URL)."""
    page = _page(chromium)
    try:
        _log_in(page, f"{login_server.url}/requests")  # a shared link: its page opens after the login
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == text("requests.title")
        paths = [urlsplit(link.get_attribute("href")).path for link in page.locator(NAV_LINK).all()]
        assert "/show" in paths and "/data" not in paths, paths
        arm_for_rerun(page)
        page.locator(f'{NAV_LINK}[href$="/show"]').first.click()
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == text("show.title")
        assert page.locator("textarea").count() == 0  # the show editor's TOML box
        assert page.locator('input[type="file"]').count() == 0
        assert page_problems(page) == []
        for form in ("/data", "/data_page", "/show_page?show=default&slide=2"):
            assert _visit(page, login_server.url + form) == [], form
        assert page.external_requests == []
    finally:
        page.context.close()
    # nothing was imported: the server's database holds exactly the sample's rows
    database = Database(f"sqlite:///{login_server.folder / DEFAULT_SQLITE_NAME}")
    try:
        stored = {t.name: int(database.frame(select(func.count().label("n")).select_from(t))["n"].iloc[0])
                  for t in schema.DATA_TABLES}
    finally:
        database.dispose()
    assert stored == csv_row_counts(SAMPLE_DIR)
