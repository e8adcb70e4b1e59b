"""Every page of app.py in a real browser, offline: it renders, keeps the scope, and a link reproduces it.

The pages are read from app.py (``bench.browser_support.app_pages``), so a page added there is
covered here without a change. Each test opens a page in Chromium (fixture ``offline_page``:
every non-loopback request failed and recorded) against one ``streamlit run app.py``
(fixture ``app_server``, warmed up by a first visit to ``/``) and waits until the script has
finished and no element is still loading (``wait_until_done``).
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from bench.browser_support import (
    BUJI,
    COMMUNITY_SCOPE,
    LONGLING,
    SCOPES,
    app_pages,
    arm_for_rerun,
    install_offline_guard,
    nav_link,
    page_problems,
    page_url,
    wait_until_done,
)
from components import formatting
from components.scope_sidebar import period_label
from data_access import geography, requests
from data_access.database import DEFAULT_SQLITE_NAME, Database
from data_access.scope import Scope, parse_period

PAGES = app_pages()
#: a page at seed scale renders in 5–20 s on a busy 2-core machine; a cold one may take longer
LOAD_TIMEOUT_MS = float(os.environ.get("LONGGANG_BROWSER_PAGE_TIMEOUT", "180")) * 1000
SIDEBAR = '[data-testid="stSidebar"]'
HEADING = '[data-testid="stMain"] h1'


def _open(page, url: str) -> None:
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)


def _sidebar_choices(page) -> list[str]:
    """What each sidebar select box shows (the value of its combobox input)."""
    boxes = page.locator(f'{SIDEBAR} [data-testid="stSelectbox"] input[role="combobox"]').all()
    return [box.input_value(timeout=10_000).strip() for box in boxes]


def _metric(page, label: str) -> str:
    """The value of the st.metric tile whose label is ``label``."""
    tile = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label))
    return tile.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.mark.parametrize("scope_name", list(SCOPES))
@pytest.mark.parametrize("app_page", PAGES, ids=[p.url_path for p in PAGES])
def test_page_renders_offline(app_server, offline_page, app_page, scope_name):
    page = offline_page
    _open(page, page_url(app_server, app_page, SCOPES[scope_name]))

    assert page_problems(page) == []
    assert page.locator('[data-testid="stSkeleton"]').count() == 0
    assert urlsplit(page.url).path == f"/{app_page.path}"  # no fallback to another page
    assert page.locator(HEADING).first.inner_text().strip()
    if scope_name == "community":
        assert _query(page).get("community") == [LONGLING]
        assert any(choice.startswith("龙岭社区") for choice in _sidebar_choices(page))
    assert page.external_requests == []
    assert page.policy_violations == []  # deploy/nginx's Content-Security-Policy lets the page run


def test_scope_survives_page_switches(app_server, offline_page):
    page = offline_page
    others = [p for p in PAGES if not p.default]
    default = next(p for p in PAGES if p.default)  # its sidebar link is the root URL
    start, targets = others[1], [others[2], default, others[0]]
    _open(page, page_url(app_server, start, COMMUNITY_SCOPE))
    for target in targets:
        arm_for_rerun(page)
        nav_link(page, target).click()
        wait_until_done(page, LOAD_TIMEOUT_MS)
        assert urlsplit(page.url).path == f"/{target.path}", target
        query = _query(page)
        assert query.get("community") == [LONGLING], (target, page.url)
        assert query.get("street") == [BUJI], (target, page.url)
        choices = _sidebar_choices(page)
        assert "布吉街道" in choices and "龙岭社区" in choices, (target, choices)
        assert page_problems(page) == [], target
    assert page.external_requests == []


def test_deep_link_reproduces_the_requests_view(app_server, app_data_dir, offline_page):
    """A fresh browser context on /requests?street=…&period=…: the sidebar and a figure match."""
    page = offline_page
    _open(page, f"{app_server}/requests?street={BUJI}&period=2023")

    db = Database(f"sqlite:///{app_data_dir / DEFAULT_SQLITE_NAME}")
    try:
        start, reference = geography.data_range(db)
        period = parse_period("2023", start, reference)
        received = requests.request_totals(db, Scope(period=period, street=BUJI))["received"].iloc[0]
    finally:
        db.dispose()

    assert page_problems(page) == []
    choices = _sidebar_choices(page)
    assert "布吉街道" in choices, choices
    assert period_label(period, "zh") in choices, choices
    assert _metric(page, "诉求受理") == formatting.count(received, "zh")
    assert _query(page).get("street") == [BUJI] and _query(page).get("period") == ["2023"]
    assert page.external_requests == []


def test_a_link_opens_its_tab_and_a_tab_click_updates_the_link(app_server, offline_page):
    """Lazy tabs: ?section=<id> opens that tab (and runs only its content); clicking another tab reruns
    the page with that tab's content and puts its id in the address."""
    page = offline_page
    _open(page, f"{app_server}/requests?street={BUJI}&section=responsiveness")
    assert page_problems(page) == []
    assert page.get_by_role("tab", name="办理时效").get_attribute("aria-selected") == "true"
    # the targets and the league tables of the open tab: short ones as HTML, long ones in the data grid
    league = page.locator('[data-testid="stMain"] :is([data-testid="stDataFrame"], table.lg-small)')
    assert league.count() >= 2
    arm_for_rerun(page)
    page.get_by_role("tab", name="满意度").click()
    page.wait_for_url(lambda url: "section=satisfaction" in url, timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)
    assert page.get_by_role("tab", name="满意度").get_attribute("aria-selected") == "true"
    assert page.locator('[data-testid="stMain"] [data-testid="stPlotlyChart"]').count() >= 1
    assert _query(page).get("street") == [BUJI]
    assert page_problems(page) == [] and page.external_requests == []


def test_a_lazy_expander_draws_its_table_when_opened(app_server, offline_page):
    """The map's unit table is not drawn (nor its data-grid code loaded) until its expander is opened."""
    page = offline_page
    _open(page, f"{app_server}/map?street={BUJI}")
    table = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    assert table.count() == 0
    arm_for_rerun(page)
    page.locator('[data-testid="stExpander"] summary').filter(has_text="各单元指标明细").click()
    wait_until_done(page, LOAD_TIMEOUT_MS)
    expect(table).to_have_count(1)
    assert page_problems(page) == [] and page.external_requests == []


def test_the_guard_keeps_a_browser_offline_and_pages_under_the_deploy_policy(app_server, chromium, offline_page):
    """The harness itself: a request to another host (a name or an address) fails at the browser's dead
    proxy and is recorded, the loopback server still answers, and a page gets nginx's policy (an inline
    script is refused and reported)."""
    context = chromium.new_context()
    external: list[str] = []
    install_offline_guard(context, external)
    page = context.new_page()
    try:
        for address in ("http://example.com/", "https://192.0.2.7/x.png"):
            with pytest.raises(PlaywrightError, match="ERR_PROXY_CONNECTION_FAILED"):
                page.goto(address, timeout=30_000)
        tried = set(external)  # Chromium may also try an http address over https first
        assert {"http://example.com/", "https://192.0.2.7/x.png"} <= tried <= {
            "http://example.com/", "https://example.com/", "https://192.0.2.7/x.png"}
        assert context.new_page().goto(f"{app_server}/_stcore/health").ok
        assert set(external) == tried  # the loopback server is not recorded
    finally:
        context.close()
    _open(offline_page, f"{app_server}/")
    refused = offline_page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('securitypolicyviolation', e => resolve([e.effectiveDirective, window.lgInline]),
                                  {once: true});
        const s = document.createElement('script'); s.textContent = 'window.lgInline = 1';
        document.head.appendChild(s); })""")
    assert refused == ["script-src-elem", None]  # the script did not run
    # the harness's own listener logged it first, so its console message came before the answer
    assert any("script-src-elem" in v for v in offline_page.policy_violations), offline_page.policy_violations
