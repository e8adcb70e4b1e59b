"""演示模式 in a real browser: the default show advances by itself, filters stay visible, nothing leaves.

Runs against ``streamlit run app.py`` (fixture ``app_server``) in Chromium with every request to a
non-loopback host aborted and counted (fixture ``offline_page``). A short ``seconds=`` override
keeps the test quick; each slide's time counts from when it is drawn, so a slow machine only
slows the test, it does not skip slides.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from playwright.sync_api import expect

SHOTS = Path(os.environ["LONGGANG_SCREENSHOT_DIR"]) if os.environ.get("LONGGANG_SCREENSHOT_DIR") else None
#: as in conftest.py: building the database and the first render take a while on a slow machine
START_TIMEOUT_S = float(os.environ.get("LONGGANG_BROWSER_START_TIMEOUT", "300"))
#: a slide lasts 6 s here; drawing the next one on a busy shared machine may take much longer
SLIDE_TIMEOUT_S = 90


READ_HEADERS = """() => [...document.querySelectorAll('.lg-show-head')].map(h => ({
    title: h.querySelector('.lg-show-title').innerText.trim(),
    scope: h.querySelector('.lg-show-scope').innerText.trim(),
    meta: h.querySelector('.lg-show-meta').innerText.trim(),
    counter: h.querySelector('.lg-show-meta b').innerText.trim(),
}))"""


def _slide(page, number: int, history: list[str]) -> dict[str, str]:
    """Wait for slide ``number`` of the default show, then read what it shows."""
    want = f"第 {number} / 10 张"
    deadline = time.monotonic() + (START_TIMEOUT_S if number == 1 else SLIDE_TIMEOUT_S)
    while True:
        # one header holds title, scope and counter: read them together, so a slide change between
        # two reads cannot pair one slide's title with the next one's scope
        heads = page.evaluate(READ_HEADERS)
        counters = [head["counter"] for head in heads]
        if not history or history[-1] != str(counters):
            history.append(str(counters))
        seen = next((head for head in heads if head["counter"] == want), None)
        if seen is not None:
            break
        assert time.monotonic() < deadline, f"{want} never came: {history}"
        page.wait_for_timeout(250)
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"show_{number}.png"), timeout=120_000)
    return seen


def test_the_default_show_runs_unattended_with_its_filters_visible(app_server, offline_page):
    page = offline_page
    page.goto(f"{app_server}/show?show=default&theme=dark&seconds=6")
    history: list[str] = []
    slides = [_slide(page, number, history) for number in (1, 2, 3)]

    assert [s["title"] for s in slides] == ["全区总览：共建共治共享", "各街道每千人诉求量", "基层治理实践项目进展"]
    for seen in slides:
        assert re.match(r"范围：龙岗区　时段：\S+", seen["scope"]), seen
        assert "数据截至 2023年10月31日" in seen["meta"]
    assert "2023年" in slides[1]["scope"] and "全部" in slides[0]["scope"]  # each slide keeps its own period
    assert page.locator('[data-testid="stSidebar"]').is_hidden()  # full screen: no sidebar, no header
    assert page.locator('header[data-testid="stHeader"]').is_hidden()
    # back, pause, next, exit; retried: the slide may be advancing (a rerun) at this very moment
    expect(page.locator(".st-key-show-controls button")).to_have_count(4, timeout=SLIDE_TIMEOUT_S * 1000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external_requests == []
