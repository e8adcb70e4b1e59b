"""The presenter show's pure builders: escaped header and tiles, big-screen figures, no personal data."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from components import charts, show_charts

ROOT = Path(__file__).resolve().parent.parent


def test_header_and_tiles_escape_text_from_files_and_data():
    head = show_charts.header_html("<script>x</script>", "范围：<b>", "数据截至 2023年10月31日", "第 1 / 8 张")
    assert "<script>" not in head and "&lt;script&gt;" in head and "范围：&lt;b&gt;" in head
    tiles = show_charts.kpis_html([("实践项目", "578"), ("基金", "¥5.33 million", "<i>")])
    assert tiles.count('class="lg-show-kpi"') == 2 and "&lt;i&gt;" in tiles
    assert 'lg-show-kpi-value long">¥5.33 million' in tiles  # long values get the smaller size
    assert 'lg-show-kpi-value">578' in tiles


def test_the_page_css_hides_the_chrome_and_follows_the_theme():
    dark, light = show_charts.page_css("dark"), show_charts.page_css("light")
    for css in (dark, light):
        assert '[data-testid="stSidebar"]' in css and 'header[data-testid="stHeader"]' in css
        assert f"font-size: {show_charts.KPI_VALUE_PX}px" in css and f"font-size: {show_charts.TITLE_PX}px" in css
    assert "#061327" in dark and "#f3f6fa" in light
    assert show_charts.page_css("neon") == dark  # an unknown theme falls back to dark


def test_big_screen_restyles_a_builders_figure():
    frame = pd.DataFrame({"month": ["2023-01", "2023-02"], "received": [5, 7], "resolved": [4, 6]})
    fig = show_charts.big_screen(charts.monthly_requests(frame), "dark", 600)
    assert fig.layout.height == 600 and fig.layout.font.size == show_charts.CHART_FONT_PX
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)" and fig.layout.template.layout.paper_bgcolor  # plotly_dark
    light = show_charts.big_screen(charts.monthly_requests(frame), "light", 500)
    assert light.layout.font.color == show_charts.THEME_STYLES["light"].text


def test_status_bar_clamps_progress():
    assert 'style="width:100.0%"' in show_charts.status_html("第 1 / 8 张", "已暂停", "键盘", 1.7)
    assert 'style="width:0.0%"' in show_charts.status_html("第 1 / 8 张", "1 秒后翻页", "键盘", -0.2)


def test_the_show_never_calls_a_query_that_returns_request_rows():
    """Slides draw totals only: no export, no stalest-request list (the ones with masked names)."""
    source = (ROOT / "components" / "show_slides.py").read_text(encoding="utf-8")
    called = set(re.findall(r"requests\.(\w+)", source))
    assert called <= {"request_totals", "responsiveness", "load_request_targets", "requests_by_month",
                      "requests_by_category"}, called
