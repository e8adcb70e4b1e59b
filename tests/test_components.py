"""Pure builders, formats and the text catalogue, without a server or a database."""

import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import charts, formatting
from components.i18n import CATALOGUE, LANGUAGES, text, value_name
from components.kpi import delta_text
from data_access.domain import EVENT_KINDS, PROJECT_STATUSES, REQUEST_CATEGORIES, REQUEST_CHANNELS

ROOT = Path(__file__).resolve().parent.parent


def test_every_catalogue_entry_has_every_language():
    for key, entry in CATALOGUE.items():
        for lang in LANGUAGES:
            assert entry.get(lang), f"{key} lacks {lang}"


def test_every_key_used_in_code_is_in_the_catalogue():
    used = set()
    for path in list((ROOT / "pages").glob("*.py")) + list((ROOT / "components").glob("*.py")) + [ROOT / "app.py"]:
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""(?:\bT|\btext)\(\s*["']([a-z_.]+)["']""", source))
    assert used, "no catalogue keys found: the scan is broken"
    missing = sorted(k for k in used if k not in CATALOGUE)
    assert not missing


def test_no_chinese_text_in_pages_outside_the_catalogue():
    han = re.compile(r"[\u4e00-\u9fff]")
    for path in (ROOT / "pages").glob("*.py"):
        code = [line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines()
                if not line.lstrip().startswith('"""')]
        assert not any(han.search(line) for line in code[1:]), f"{path.name} holds display text"


def test_domain_values_have_english_names():
    for value in PROJECT_STATUSES + REQUEST_CHANNELS + REQUEST_CATEGORIES + EVENT_KINDS:
        assert value_name(value, "en") != value
        assert value_name(value, "zh") == value


def test_text_fills_values_and_falls_back_to_chinese():
    assert text("sidebar.as_of", "zh", date="2023年10月31日") == "数据截至 2023年10月31日"
    assert text("sidebar.as_of", "en", date="2023-10-31") == "Data as of 2023-10-31"


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [(5_330_000, "zh", "533.0万元"), (5_330_000, "en", "¥5.33M"), (2_500_000_000, "en", "¥2.50B"), (980, "zh", "980元"),
     (3.2e8, "zh", "3.20亿元"), (None, "zh", "—")],
)
def test_money(value, lang, expected):
    assert formatting.money(value, lang) == expected


def test_counts_percent_days_dates():
    assert formatting.count(31712) == "31,712"
    assert formatting.count(float("nan")) == "—"
    assert formatting.percent(0.2149, digits=2) == "21.49%"
    assert formatting.days(2.345) == "2.3天"
    assert formatting.days(2.345, "en") == "2.3 days"
    assert formatting.day(pd.Timestamp("2023-10-31").date()) == "2023年10月31日"
    assert formatting.month_span(list(range(1, 11))) == "1—10月"


def test_delta_text_kinds():
    assert delta_text(110, 100) == "+10.0%"
    assert delta_text(90, 100) == "-10.0%"
    assert delta_text(5, 0) is None
    assert delta_text(5, None) is None
    assert delta_text(0.95, 0.93, "points") == "+2.0个百分点"
    assert delta_text(0.95, 0.93, "points", "en") == "+2.0 pp"
    assert delta_text(3.0, 3.5, "days") == "-0.5天"
    assert delta_text(3.08, 3.1, "days") == "+0.0天"
    assert delta_text(1000, 1000.1) == "+0.0%"


MONTHS = pd.DataFrame({"month": ["2023-01", "2023-02"], "received": [10, 12], "resolved": [9, 11]})


def test_monthly_requests_has_two_series_with_translated_names():
    fig = charts.monthly_requests(MONTHS, "en")
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["Received", "Resolved"]
    assert list(fig.data[0].y) == [10, 12]


def test_stage_bars_keep_lifecycle_order_and_colour_completed():
    frame = pd.DataFrame({"status": PROJECT_STATUSES, "projects": [1, 2, 3, 4, 5, 0]})
    fig = charts.stage_bars(frame, "zh")
    assert list(fig.data[0].y) == PROJECT_STATUSES
    assert fig.data[0].marker.color[4] == charts.PALETTE["done"]


def test_channel_bars_and_ranking_and_safety_and_events():
    channels = pd.DataFrame({"channel": REQUEST_CHANNELS, "received": [3, 2, 1], "resolved": [2, 1, 1]})
    assert len(charts.channel_bars(channels).data) == 2
    names = [f"{c}社区" for c in "甲乙丙丁戊己庚辛壬癸子丑"]
    ranking = pd.DataFrame({"name": names, "composite": [120 - 4 * i for i in range(12)], "rank": range(1, 13)})
    fig = charts.ranking_pair(ranking, "en")
    assert list(fig.data[0].y) == [f"{i + 1}. {n}" for i, n in enumerate(names[:5])]  # the best five, best on top
    assert list(fig.data[1].y) == [f"{i + 8}. {n}" for i, n in enumerate(names[7:])]  # the worst five
    assert list(fig.data[1].text) == ["92.0", "88.0", "84.0", "80.0", "76.0"]
    assert [a.text for a in fig.layout.annotations if a.text] == ["Top 5", "Bottom 5"]
    assert fig.layout.xaxis.range == fig.layout.xaxis2.range == (0, 120)
    assert [s.x0 for s in fig.layout.shapes] == [100, 100]  # the target line in both
    safety = pd.DataFrame({"month": ["2023-01"], "criminal_alerts": [5], "neighbour_disputes": [3],
                           "property_disputes": [1]})
    fig = charts.safety_lines(safety, ["criminal_alerts", "neighbour_disputes", "property_disputes"])
    assert [t.name for t in fig.data] == ["刑事治安总警情", "邻里纠纷", "物业管理纠纷"]
    events = pd.DataFrame({"kind": EVENT_KINDS, "events": [1, 2, 3, 4, 5]})
    assert list(charts.event_bars(events, "en").data[0].x)[0] == "Joint meetings"


def test_csv_download_bytes_open_in_excel_with_chinese_headers():
    from components.downloads import csv_bytes, download_filename

    data = csv_bytes(pd.DataFrame({"name": ["龙岭社区"], "n": [3]}), {"name": "社区", "n": "数量"})
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["社区,数量", "龙岭社区,3"]
    assert download_filename("projects", "龙岗区 › 布吉街道") == "projects_龙岗区_布吉街道.csv"
