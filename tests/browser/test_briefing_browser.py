"""The briefing printed by a real Chromium: A4 pages, charts drawn, and no request leaves the machine."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from components.briefing import briefing_html, collect_briefing
from components.scope_sidebar import period_label, place_label
from data_access import geography
from data_access.scope import Scope, period_options

LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


def test_briefing_prints_to_a4_offline(sqlite_db, chromium, tmp_path):
    start, reference = geography.data_range(sqlite_db)
    scope = Scope(period_options(start, reference)[0])
    streets, communities = geography.streets(sqlite_db), geography.communities(sqlite_db)
    content = collect_briefing(lambda fn, *args: fn(sqlite_db, *args), scope, start, reference,
                               place_label(scope, streets, communities, "zh"), period_label(scope.period, "zh"), "zh",
                               streets)
    path = tmp_path / "briefing.html"
    path.write_text(briefing_html(content, datetime(2023, 11, 1, 9, 30)), encoding="utf-8")

    context = chromium.new_context(viewport={"width": 1000, "height": 1400}, locale="zh-CN")
    external: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")) or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            external.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri())
        # every chart drawn by the inlined plotly.js (one SVG root per chart at least)
        page.wait_for_function(f"document.querySelectorAll('.plotly-graph-div .main-svg').length >= "
                               f"{len(content.charts)}", timeout=60_000)
        page.emulate_media(media="print")
        # the running header with the filters and the data date repeats: it is a layout table's header group
        assert page.eval_on_selector("table.layout > thead", "e => getComputedStyle(e).display") == "table-header-group"
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        context.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 5 <= pages <= 30, pages
    assert not external, external
    assert not errors, errors
