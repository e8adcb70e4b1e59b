"""Every page on a phone (390×844) and a portrait tablet (1024×1366), the show on a landscape tablet
(1366×1024) and driven by touch, in a real browser, offline (#27).

Each page must read top to bottom without the page scrolling sideways (wide tables and tab rows
scroll inside their own box), keep a map's canvas inside the screen, and keep the headline tiles'
text at or above the floor (``components.responsive.MIN_TEXT_PX``); on a phone the tiles go two to a
row instead of one per screen line. Every page's screenshot is kept: in ``LONGGANG_SCREENSHOT_DIR``
when set, else in pytest's temporary folder (the path is printed).

The phone sends an iPhone's User-Agent, as a real one does: the maps are fitted to a phone's width
on the server by it (``components.responsive.is_phone``). One server serves the module (``app_server``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import PagesInTurn
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from bench.browser_support import (
    LOCALE,
    app_pages,
    install_offline_guard,
    page_problems,
    page_url,
    track_script_runs,
    wait_until_done,
)
from components.responsive import MIN_TEXT_PX

PAGES = app_pages()
LOAD_TIMEOUT_MS = float(os.environ.get("LONGGANG_BROWSER_PAGE_TIMEOUT", "180")) * 1000
SLIDE_TIMEOUT_MS = 90_000
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/17.0 Mobile/15E148 Safari/604.1")
DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "user_agent": IPHONE_UA, "is_mobile": True,
              "has_touch": True, "device_scale_factor": 2},
    "tablet": {"viewport": {"width": 1024, "height": 1366}, "has_touch": True},
    "tablet-landscape": {"viewport": {"width": 1366, "height": 1024}, "has_touch": True},
    # a desktop browser narrowed to a phone's width: no "Mobi" in its User-Agent, no touch
    "narrow-desktop": {"viewport": {"width": 420, "height": 900}},
}

#: What the page measures about itself: how wide its content is against the screen (the document and
#: Streamlit's scrolling main area), where the map canvases are, the headline tiles' smallest text
#: and their rows (top edges).
MEASURE_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const tiles = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(visible);
  const sizes = tiles.flatMap(t => [...t.querySelectorAll('[data-testid="stMetricLabel"] p, '
      + '[data-testid="stMetricValue"] div, [data-testid="stMetricDelta"] div')])
    .filter(e => e.innerText.trim()).map(e => parseFloat(getComputedStyle(e).fontSize));
  return {
    documentWidth: document.documentElement.scrollWidth,
    mainWidth: main ? main.scrollWidth : 0,
    mainClient: main ? main.clientWidth : 0,
    canvases: [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"] canvas')].filter(visible)
      .map(c => { const r = c.getBoundingClientRect(); return [r.left, r.right]; }),
    tileText: sizes.length ? Math.min(...sizes) : null,
    tileTops: tiles.map(t => Math.round(t.getBoundingClientRect().top)),
  };
}"""


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("LONGGANG_SCREENSHOT_DIR")
    path = Path(folder) / "mobile" if folder else tmp_path_factory.mktemp("mobile-shots")
    path.mkdir(parents=True, exist_ok=True)
    print(f"\nmobile screenshots: {path}")
    return path


def _device_page(chromium, device: str):
    """A page on the device, every request to a non-loopback host failed and recorded."""
    context = chromium.new_context(locale=LOCALE, **DEVICES[device])
    page = context.new_page()
    page.external_requests = []
    install_offline_guard(context, page.external_requests)
    track_script_runs(page)
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    return context, page


@pytest.fixture(scope="module")
def _device_pages():
    """The module's phone and tablet pages, taken in turns by its tests."""
    pages = PagesInTurn()
    yield pages
    pages.close()


@pytest.fixture
def phone_page(chromium, _device_pages):
    return _device_pages.page("phone", lambda: _device_page(chromium, "phone")[1], DEVICES["phone"]["viewport"])


@pytest.fixture
def tablet_page(chromium, _device_pages):
    return _device_pages.page("tablet", lambda: _device_page(chromium, "tablet")[1], DEVICES["tablet"]["viewport"])


def _check_page(page, base_url: str, app_page, device: str, shots: Path) -> dict:
    width = DEVICES[device]["viewport"]["width"]
    page.goto(page_url(base_url, app_page), timeout=LOAD_TIMEOUT_MS)
    wait_until_done(page, LOAD_TIMEOUT_MS)
    page.wait_for_timeout(500)  # maps and charts size themselves to their box after the run
    seen = page.evaluate(MEASURE_JS)
    page.screenshot(path=str(shots / f"{app_page.url_path}-{device}.png"))
    assert page_problems(page) == []
    # the viewport the test set, not innerWidth: a phone browser widens its layout to fit wide content
    assert seen["documentWidth"] <= width, seen
    assert seen["mainWidth"] <= seen["mainClient"] + 1, seen  # Streamlit's scrolling area: nothing runs past
    for left, right in seen["canvases"]:
        assert left >= -1 and right <= width + 1, seen
    if seen["tileText"] is not None:
        assert seen["tileText"] >= MIN_TEXT_PX, seen
    assert page.external_requests == []
    return seen


@pytest.mark.parametrize("app_page", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_reads_on_a_phone(app_server, phone_page, app_page, shots_dir):
    seen = _check_page(phone_page, app_server, app_page, "phone", shots_dir)
    if app_page.default:  # the overview: fourteen tiles, two to a row, not one per line
        tops = seen["tileTops"]
        assert len(tops) >= 14 and tops[0] == tops[1] and len(set(tops)) <= (len(tops) + 1) // 2 + 2, tops
    if app_page.url_path == "map":
        assert seen["canvases"], "the map page shows no map"


@pytest.mark.parametrize("app_page", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_reads_on_a_portrait_tablet(app_server, tablet_page, app_page, shots_dir):
    seen = _check_page(tablet_page, app_server, app_page, "tablet", shots_dir)
    if app_page.url_path == "map":
        assert seen["canvases"], "the map page shows no map"


def test_a_narrowed_desktop_window_gets_its_maps_fitted_to_its_width(app_server, chromium, shots_dir):
    """No phone User-Agent: the page's reported width alone refits the maps (``responsive.track_width``)."""
    context, page = _device_page(chromium, "narrow-desktop")
    try:
        for app_page in (p for p in PAGES if p.url_path in ("map", "overview")):
            _check_page(page, app_server, app_page, "narrow-desktop", shots_dir)
            # the width report reruns the page once: the map is then drawn at the fitted height, not 620/380 px
            page.wait_for_function("""() => { const c = [...document.querySelectorAll(
                '[data-testid="stDeckGlJsonChart"] canvas')].filter(c => c.getBoundingClientRect().height > 0);
                return c.length && c.every(x => x.getBoundingClientRect().height >= 400
                                             && x.getBoundingClientRect().height <= 470); }""",
                                   timeout=LOAD_TIMEOUT_MS)
            wait_until_done(page, LOAD_TIMEOUT_MS)
            seen = page.evaluate(MEASURE_JS)
            page.screenshot(path=str(shots_dir / f"{app_page.url_path}-narrow-desktop-fitted.png"))
            assert seen["canvases"] and seen["documentWidth"] <= 420, seen
            assert all(left >= -1 and right <= 421 for left, right in seen["canvases"]), seen
            assert page_problems(page) == [] and page.external_requests == []
    finally:
        context.close()


# --- the show -----------------------------------------------------------------------------------------------

COUNTER_JS = "() => [...document.querySelectorAll('.lg-show-meta b')].map(b => b.innerText.trim())"


def _wait_for_slide(page, number: int, timeout_ms: float = SLIDE_TIMEOUT_MS) -> None:
    page.wait_for_function(f"() => [...document.querySelectorAll('.lg-show-meta b')]"
                           f".some(b => b.innerText.trim() === '第 {number} / 10 张')", timeout=timeout_ms)
    wait_until_done(page, timeout_ms)


def _moved_by(page, gesture, number: int) -> None:
    """``gesture`` moves the show to slide ``number``; tried a second time if the first is not taken.

    In two clean-clone runs of 2026-12-07 one synthetic gesture right after the previous slide's rerun
    (a key press once, a swipe once, each on a page of its own) moved nothing, and the test waited out its
    90 s; never reproduced outside those runs. A presenter whose swipe is not taken swipes again, so the test
    does too: a gesture that never works still fails it."""
    gesture()
    try:
        _wait_for_slide(page, number, 15_000)
    except PlaywrightTimeoutError:
        gesture()
        _wait_for_slide(page, number)


def _swipe(page, from_x: float, to_x: float, y: float) -> None:
    """A one-finger swipe (Chromium's touch input, which Playwright has no call for)."""
    session = page.context.new_cdp_session(page)
    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": from_x, "y": y}]})
    for step in range(1, 6):
        x = from_x + (to_x - from_x) * step / 5
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def _show_on(chromium, device: str, app_server: str, shots_dir: Path):
    """(context, page) of ``device`` showing the default show's first slide, screenshot kept."""
    context, page = _device_page(chromium, device)
    try:
        page.goto(f"{app_server}/show?show=default&theme=dark&seconds=600", timeout=LOAD_TIMEOUT_MS)
        _wait_for_slide(page, 1, LOAD_TIMEOUT_MS)
        page.screenshot(path=str(shots_dir / f"show-{device}.png"))
    except Exception:
        context.close()
        raise
    return context, page


def test_the_show_fills_a_landscape_tablet(app_server, chromium, shots_dir):
    context, page = _show_on(chromium, "tablet-landscape", app_server, shots_dir)
    try:
        seen = page.evaluate("""() => ({width: document.documentElement.scrollWidth,
          values: [...document.querySelectorAll('.lg-show-kpi-value')].map(v => [v.scrollWidth, v.clientWidth,
            parseFloat(getComputedStyle(v).fontSize)])})""")
        assert seen["width"] <= 1366, seen
        assert seen["values"], seen
        for scroll, client, size in seen["values"]:
            assert scroll <= client + 1 and size >= 24, seen  # no "40…": every figure whole, and big
        assert page.locator('[data-testid="stSidebar"]').is_hidden()
        assert page_problems(page) == [] and page.external_requests == []
    finally:
        context.close()


def test_the_show_moves_by_tap_swipe_and_keys_on_a_tablet(app_server, chromium, shots_dir):
    # a page of its own, not the module's tablet page: in one clean-clone run of 2026-12-07 on the page
    # other tests had used, the key press after the taps and swipes did not move the show (not reproduced)
    context, page = _show_on(chromium, "tablet", app_server, shots_dir)
    try:
        _moved_by(page, lambda: page.touchscreen.tap(800, 700), 2)  # a tap on the right half: forward
        _moved_by(page, lambda: page.touchscreen.tap(200, 700), 1)  # on the left half: back
        # swipes across the figures' row: at y=600 they crossed the first slide's plotly chart, and in three
        # clean-clone runs of 2026-12-07 such a swipe (twice in a row, once) moved nothing
        _moved_by(page, lambda: _swipe(page, 800, 250, 200), 2)  # a swipe to the left: forward
        _moved_by(page, lambda: _swipe(page, 250, 800, 200), 1)  # to the right: back
        _moved_by(page, lambda: page.keyboard.press("ArrowRight"), 2)  # and the keyboard alone
        assert page.evaluate(COUNTER_JS) == ["第 2 / 10 张"]
        assert page_problems(page) == [] and page.external_requests == []
    finally:
        context.close()
