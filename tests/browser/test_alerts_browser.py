"""The 预警 page in a real Chromium against a real server (the open demo: the district role).

The alerts are evaluated first with the command line against the server's own database
(``python -m jobs.alerts evaluate``), as the scheduler would (``app_server`` evaluated them once
before its first render, so the sidebar's cached count is right from the start); the page then lists them, the sidebar
counts them, and the district creates a follow-up item (督办) in the page's form. No exception, no
error message, no request leaving the machine. The street role's flow is covered by AppTests
(tests/test_alerts_page.py): the browser server is the open demo.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.browser_support import arm_for_rerun, page_problems, wait_until_done
from components.i18n import text
from data_access import alerts as store
from data_access import followup
from data_access.database import DEFAULT_SQLITE_NAME, Database

ROOT = Path(__file__).resolve().parents[2]
LOAD_TIMEOUT_MS = float(os.environ.get("LONGGANG_BROWSER_PAGE_TIMEOUT", "180")) * 1000
#: the sidebar count is cached per minute (components/scope_sidebar.py render_alert_badge)
BADGE_MAX_AGE_S = 75
TASK = "浏览器测试：核查本月超时诉求并报送整改情况"


def _evaluate(data_dir: Path) -> Database:
    url = f"sqlite:///{data_dir / DEFAULT_SQLITE_NAME}"
    env = {**os.environ, "LONGGANG_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "jobs.alerts", "evaluate", "--url", url], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return Database(url)


def test_alerts_page_lists_alerts_and_the_district_creates_a_follow_up(app_server, app_data_dir, offline_page):
    db = _evaluate(app_data_dir)
    try:
        open_alerts = store.list_alerts(db, "district")
        assert len(open_alerts) >= 1
        page = offline_page
        page.goto(f"{app_server}/alerts")
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert page_problems(page) == []
        assert page.get_by_role("heading", name=text("alerts.title")).first.is_visible()
        # the headline count, the table, and the sidebar's badge agree with the database
        metric = page.locator('[data-testid="stMetric"]').filter(has_text=text("alerts.count.total")).first
        assert metric.locator('[data-testid="stMetricValue"]').inner_text().strip() == str(len(open_alerts))
        assert page.locator('[data-testid="stDataFrame"]').first.is_visible()
        # the badge is a cached count at most a minute old: the alerts were evaluated before the server's first
        # render (conftest's app_server), and this evaluation finds the same ones, so it is right at once
        badge = page.locator('[data-testid="stSidebar"]').get_by_text(
            text("sidebar.alerts", n=len(open_alerts)), exact=True)
        deadline = time.monotonic() + BADGE_MAX_AGE_S
        while badge.count() == 0 and time.monotonic() < deadline:
            time.sleep(5)
            page.reload()
            wait_until_done(page, LOAD_TIMEOUT_MS)
        assert badge.count() == 1
        assert badge.locator("xpath=ancestor::a[1]").get_attribute("href").rstrip("/").split("/")[-1] == "alerts"

        # the district turns it into a follow-up item in the 督办 tab's form
        page.get_by_role("tab", name=text("alerts.tab.followup")).click()
        page.get_by_text(text("followup.create"), exact=True).click()
        task_box = page.get_by_label(text("followup.task"))
        task_box.wait_for(state="visible")
        task_box.fill(TASK)
        task_box.blur()  # the text commits to the form on blur, as when a person moves to the button
        page.wait_for_timeout(1000)  # as by hand: the expander's form settled before the submit
        submit = page.get_by_role("button", name=text("followup.submit"), exact=True)
        submit.wait_for(state="visible")
        arm_for_rerun(page)
        submit.click()
        # the form's run: the page says which item it created (the number comes from the database)
        created_note = page.get_by_text(re.compile(re.escape(text("followup.created", id="") ) + r"\d+"))
        created_note.first.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert page_problems(page) == []
        items = followup.list_items(db, "district")
        created = items[items["task"] == TASK]
        assert len(created) == 1, items[["id", "task"]]
        item_id = int(created["id"].iloc[0])
        assert created_note.first.inner_text().strip() == text("followup.created", id=item_id)
        assert followup.history(db, item_id, "district")["action"].tolist() == ["create"]
        assert page.external_requests == []
    finally:
        db.dispose()
