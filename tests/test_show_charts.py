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
    assert 'lg-show-kpi-value long" style="--em:6.81">¥5.33 million' in tiles  # long values get the smaller size
    assert 'lg-show-kpi-value" style="--em:1.87">578' in tiles


def test_a_kpi_value_shrinks_to_its_tile_by_its_width_in_ems():
    # the tile's CSS gives the value min(64px, width / ems): 40,856 on a 1024 px tablet read "40…"
    assert show_charts.value_ems("40,856") == round((5 * 0.6 + 0.35) * 1.04, 2)
    assert show_charts.value_ems("533.0万元") == round((4 * 0.6 + 0.35 + 2) * 1.04, 2)
    assert show_charts.value_ems("96.0%") == round((3 * 0.6 + 0.35 + 0.85) * 1.04, 2)
    css = show_charts.page_css("dark")
    assert "container-type: inline-size" in css and "calc(100cqi / var(--em, 4))" in css


def test_the_touch_script_presses_the_bars_own_buttons():
    script = show_charts.TOUCH_SCRIPT
    assert ".st-key-show_next button" in script and ".st-key-show_prev button" in script
    assert "touchstart" in script and "touchend" in script and "window.lgShowTouch" in script


def test_the_page_css_hides_the_chrome_and_follows_the_theme():
    dark, light = show_charts.page_css("dark"), show_charts.page_css("light")
    for css in (dark, light):
        assert '[data-testid="stSidebar"]' in css and 'header[data-testid="stHeader"]' in css
        assert f"font-size: min({show_charts.KPI_VALUE_PX}px," in css and f"font-size: {show_charts.TITLE_PX}px" in css
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


def _bulletin_table() -> pd.DataFrame:
    return pd.DataFrame([
        {"code": "S1", "name": "<b>坂田街道</b>", "name_en": "Bantian", "rank": 1, "ranked": True, "received": 1258,
         "composite": 94.951, "rank_change": 0, "first_streak": 6, "last_streak": 0, "unranked_reason": None},
        {"code": "S2", "name": "横岗街道", "name_en": "Henggang", "rank": 2, "ranked": True, "received": 177,
         "composite": 92.79, "rank_change": 7, "first_streak": 0, "last_streak": 0, "unranked_reason": None},
        {"code": "S3", "name": "吉华街道", "name_en": None, "rank": 3, "ranked": True, "received": 161,
         "composite": 83.88, "rank_change": -1, "first_streak": 0, "last_streak": 2, "unranked_reason": None},
        {"code": "S4", "name": "新街道", "name_en": "New", "rank": pd.NA, "ranked": False, "received": 4,
         "composite": 90.0, "rank_change": pd.NA, "first_streak": 0, "last_streak": 0,
         "unranked_reason": "below_min"},
    ]).astype({"rank": "Int64", "rank_change": "Int64"})


def test_the_bulletin_table_for_the_wall_ranks_marks_and_escapes():
    html = show_charts.bulletin_table_html(_bulletin_table(), "zh", {"S1", "S2"}, {"S3"}, min_requests=20)
    assert "<b>坂田街道" not in html and "&lt;b&gt;坂田街道&lt;/b&gt;" in html  # data text is escaped
    for header in ("排名", "单位", "受理量", "综合得分", "排名变化", "连续"):
        assert f">{header}</th>" in html
    assert html.count('class="lg-show-badge red">红榜') == 2 and html.count('class="lg-show-badge black">黑榜') == 1
    assert '<td class="n up">↑7</td>' in html and '<td class="n down">↓1</td>' in html
    assert '<td class="n muted">—</td>' in html  # unchanged
    assert "1,258" in html and "94.95" in html and "连续6期第一" in html and "连续2期末位" in html
    # a unit below the minimum is listed without a rank, and says why
    unranked = html[html.index('<tr class="unranked">'):]
    assert '<td class="n">—</td>' in unranked and "受理量不足20件，不参与排名" in unranked
    assert 'class="lg-show-bul"' in html  # a handful of rows: full size


def test_the_bulletin_table_in_english_and_compact_for_many_rows():
    html = show_charts.bulletin_table_html(_bulletin_table(), "en", (), ())
    assert "Bantian" in html and "吉华街道" in html  # no English name: the Chinese one
    assert "first 6 in a row" in html and "Red list" not in html
    own = show_charts.bulletin_table_html(_bulletin_table(), "zh", highlight="S4")
    assert own.count('<tr class="unranked own">') == 1 and 'class="own"' not in own  # a community slide's own
    many = pd.concat([_bulletin_table()] * 4, ignore_index=True)
    assert 'class="lg-show-bul compact"' in show_charts.bulletin_table_html(many, "zh")


def test_the_bulletin_lists_escape_and_say_when_empty():
    html = show_charts.bulletin_lists_html("红榜", ["1. <i>坂田</i>（94.95）"], "无", "黑榜", [],
                                           "本期没有低于底线的单位。", ["统计截止：2023年10月31日", ""])
    assert "&lt;i&gt;坂田&lt;/i&gt;" in html and "<i>" not in html
    assert '<div class="lg-show-list red">' in html and '<div class="lg-show-list black">' in html
    assert "本期没有低于底线的单位。" in html and html.count("lg-show-list-note") == 1
