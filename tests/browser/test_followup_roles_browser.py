"""The 预警 page's follow-up flow for both roles in a real Chromium, with a users file and a login.

A server of its own with two users: the district's 督查室 and 布吉街道's office. The alerts are evaluated
with the command line first (as the scheduler would) and the district gives 布吉街道 an item from one of
its alerts; then the street office logs in, sees only its street's alerts and reports the item done with
its 情况说明 in the page's form, and the district logs in and verifies it on the page. The database holds
the whole history, and the street's page never showed another street's alert. Nothing leaves the
machine. (tests/browser/test_alerts_browser.py covers the district's creation of an item on the page.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import seed_data_dir

from bench.browser_support import (
    NAV_LINK,
    StreamlitServer,
    app_pages,
    arm_for_rerun,
    guarded_page,
    page_problems,
    wait_until_done,
)
from components.i18n import text
from data_access import alerts as store
from data_access import auth, followup
from data_access.database import Database

ROOT = Path(__file__).resolve().parents[2]
LOAD_TIMEOUT_MS = float(os.environ.get("LONGGANG_BROWSER_PAGE_TIMEOUT", "180")) * 1000
BUJI = "440307014"
DISTRICT_USER, STREET_USER = "duchashi", "buji-office"
PASSWORD = "Correct-horse-battery-7"
EXPLANATION = "浏览器测试：8 个逾期项目均已明确责任人和完成节点"
ALERTS = next(p for p in app_pages() if p.url_path == "alerts")


@pytest.fixture(scope="module")
def roles_server(chromium, tmp_path_factory, sample_sqlite_template) -> Iterator[StreamlitServer]:
    folder = tmp_path_factory.mktemp("followup-roles")
    url = seed_data_dir(sample_sqlite_template, folder)  # the database a first start would build
    users = folder / "users.toml"
    auth.add_user(DISTRICT_USER, "district", PASSWORD, users)
    auth.add_user(STREET_USER, f"street:{BUJI}", PASSWORD, users)
    env = {**os.environ, "LONGGANG_DATA_DIR": str(folder)}
    env.pop("DATABASE_URL", None)
    # evaluates the shipped rules on it
    done = subprocess.run([sys.executable, "-m", "jobs.alerts", "evaluate", "--url", url], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    with StreamlitServer(env={"LONGGANG_DATA_DIR": str(folder), auth.USERS_FILE_ENV: str(users)},
                         drop_env=("DATABASE_URL",), log_path=folder / "server.log") as server:
        server.db = Database(url)
        try:
            yield server
        finally:
            server.db.dispose()


def _page(chromium):
    return guarded_page(chromium, LOAD_TIMEOUT_MS)


def _log_in_to_alerts(page, server: StreamlitServer, user: str) -> None:
    """Log in at the app's address, then go to the 预警 page by the sidebar's link, as a person would (a
    freshly started server's first session opened at a page's own address gets Streamlit's "page not
    found" notice over the form)."""
    page.goto(server.url, timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)
    page.get_by_label(text("login.user")).fill(user)
    page.get_by_label(text("login.password")).fill(PASSWORD)
    page.get_by_role("button", name=text("login.submit")).click()
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)
    arm_for_rerun(page)
    page.locator(f'{NAV_LINK}[href$="/alerts"]').first.click()
    page.get_by_role("heading", name=text("alerts.title")).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)
    assert page_problems(page) == []


def _open_followup_tab(page) -> None:
    page.get_by_role("tab", name=text("alerts.tab.followup")).click()
    page.get_by_text(text("followup.history"), exact=True).wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)


def _open_alerts(page) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=text("alerts.count.total")).first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().strip())


def _submit(page, label: str) -> None:
    button = page.get_by_role("button", name=label, exact=True)
    button.wait_for(state="visible")
    arm_for_rerun(page)
    button.click()
    wait_until_done(page, LOAD_TIMEOUT_MS)


def _status_becomes(db: Database, item: int, status: str, timeout_s: float = LOAD_TIMEOUT_MS / 1000) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        now = followup.list_items(db, "district").set_index("id").loc[item, "status"]
        if now == status or time.monotonic() > deadline:
            return now
        time.sleep(0.5)


def test_the_street_reports_done_and_the_district_verifies_in_the_browser(chromium, roles_server):
    db = roles_server.db
    street_alerts = store.list_alerts(db, f"street:{BUJI}")
    every = store.list_alerts(db, "district")
    assert len(street_alerts) >= 1 and len(every) > len(street_alerts)  # 布吉's overdue projects, and others
    item = followup.create_item(db, actor=DISTRICT_USER, role="district", task="逾期项目逐个明确责任人和节点",
                                due_on=date.today() + timedelta(days=14), alert_id=int(street_alerts.iloc[0]["id"]))

    street = _page(chromium)
    try:
        _log_in_to_alerts(street, roles_server, STREET_USER)
        assert _open_alerts(street) == len(street_alerts)  # its street's alerts only
        _open_followup_tab(street)
        street.get_by_label(text("followup.explanation")).fill(EXPLANATION)
        street.get_by_label(text("followup.explanation")).blur()
        street.wait_for_timeout(500)
        _submit(street, text("followup.mark_done"))
        assert _status_becomes(db, item, followup.DONE) == followup.DONE
        assert page_problems(street) == [] and street.external_requests == []
    finally:
        street.context.close()

    district = _page(chromium)
    try:
        _log_in_to_alerts(district, roles_server, DISTRICT_USER)
        assert _open_alerts(district) == len(every)
        _open_followup_tab(district)
        # the item awaits verification: the district's form offers 核实办结 and 退回, the street's form is gone
        assert district.get_by_role("button", name=text("followup.send_back"), exact=True).count() == 1
        assert district.get_by_label(text("followup.explanation")).count() == 0
        _submit(district, text("followup.verify"))
        assert _status_becomes(db, item, followup.CLOSED) == followup.CLOSED
        assert page_problems(district) == [] and district.external_requests == []
    finally:
        district.context.close()

    events = followup.history(db, item, "district")
    assert events["action"].tolist() == ["create", "done", "verify"]
    assert events["actor"].tolist() == [DISTRICT_USER, STREET_USER, DISTRICT_USER]
    assert events["role"].tolist() == ["district", f"street:{BUJI}", "district"]
    assert events["note"].tolist()[1] == EXPLANATION
