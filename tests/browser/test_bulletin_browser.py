"""通报 (issue 22) in a real browser, offline: the bulletin, its comparison view and a request's timeline.

Runs against ``streamlit run app.py`` (fixture ``app_server``) in Chromium with every request to a
non-loopback host aborted and recorded (fixture ``offline_page``). Each view must render: its title,
its tables, no exception or error, and nothing fetched from outside.
"""

from __future__ import annotations

import os

from playwright.sync_api import expect
from sqlalchemy import func, select

from bench.browser_support import arm_for_rerun, page_problems, wait_until_done
from data_access import schema
from data_access.database import DEFAULT_SQLITE_NAME, Database

LOAD_TIMEOUT_MS = float(os.environ.get("LONGGANG_BROWSER_PAGE_TIMEOUT", "180")) * 1000
MAIN = '[data-testid="stMain"]'
TABLE = f"{MAIN} table.lg-small"


def _open(page, url: str) -> None:
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)


def _table_with(page, header: str):
    """The HTML table (tables.small_table_html) whose header row names ``header``."""
    return page.locator(TABLE).filter(has=page.locator("th", has_text=header))


def test_the_bulletin_and_its_comparison_render_offline(app_server, offline_page):
    page = offline_page
    _open(page, f"{app_server}/bulletin")
    assert page_problems(page) == []
    assert page.locator(f"{MAIN} h1").first.inner_text().strip() == "民生诉求办理情况通报"
    # the newest month: October 2023, every street in the ranking table
    expect(page.get_by_text("龙岗区民生诉求办理情况月度通报（2023年10月）")).to_be_visible()
    ranking = _table_with(page, "综合得分").filter(has=page.locator("th", has_text="排名变化")).first
    rows = ranking.locator("tbody tr")
    expect(rows).to_have_count(11)
    assert "坂田街道" in ranking.inner_text()
    expect(page.get_by_text("红榜（综合得分前3名）")).to_be_visible()
    expect(page.get_by_text("黑榜（低于底线）")).to_be_visible()

    # the comparison view below it: two units side by side, their monthly trends, 环比 and 同比
    expect(page.locator(f"{MAIN} h3").filter(has_text="对比分析")).to_have_count(1)
    side = _table_with(page, "龙岗区（全区）").first
    expect(side).to_be_visible()
    assert "综合得分" in side.inner_text() and "满意率" in side.inner_text()
    assert page.locator(f'{MAIN} [data-testid="stPlotlyChart"]').count() >= 2  # composite bars, trends
    months = _table_with(page, "对比期").first  # the month against the month before and a year earlier
    expect(months).to_be_visible()
    assert "本月" in months.inner_text() and "上月" in months.inner_text()

    # a rerun: the communities of a street, and their comparison
    arm_for_rerun(page)
    page.locator(f'{MAIN} [data-testid="stRadio"] label').filter(has_text="社区排名").click()
    wait_until_done(page, LOAD_TIMEOUT_MS)
    expect(page.get_by_text("社区民生诉求办理情况月度通报（2023年10月）", exact=False)).to_be_visible()
    assert page_problems(page) == []
    assert page.locator(f'{MAIN} [data-testid="stException"]').count() == 0
    assert page.external_requests == []


def _a_request_with_history(db_path) -> str:
    """A sample request with several status changes (so its timeline has rows to show)."""
    db = Database(f"sqlite:///{db_path}")
    try:
        h = schema.request_status_history
        stmt = (select(h.c.request_id).group_by(h.c.request_id).having(func.count() >= 3)
                .order_by(h.c.request_id).limit(1))
        return str(db.frame(stmt)["request_id"].iloc[0])
    finally:
        db.dispose()


def test_a_request_timeline_renders_offline(app_server, app_data_dir, offline_page):
    page = offline_page
    request_id = _a_request_with_history(app_data_dir / DEFAULT_SQLITE_NAME)
    _open(page, f"{app_server}/requests?request={request_id}")
    assert page_problems(page) == []
    assert page.locator(f"{MAIN} h1").first.inner_text().strip()
    expect(page.locator(f"{MAIN} h3").filter(has_text=f"诉求 {request_id} 办理时间线")).to_have_count(1)
    history = _table_with(page, "停留天数").first
    expect(history).to_be_visible()
    assert history.locator("tbody tr").count() >= 3
    facts = _table_with(page, "内容").first
    assert "当前状态" in facts.inner_text() and "承办单位" in facts.inner_text()
    # names and phones stay masked
    assert "*" in facts.inner_text()
    # an unknown id: a clear "not found", not an error
    _open(page, f"{app_server}/requests?request=NO-SUCH-ID")
    expect(page.get_by_text("未找到诉求“NO-SUCH-ID”", exact=False)).to_be_visible()
    assert page_problems(page) == []
    assert page.external_requests == []
