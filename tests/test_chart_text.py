"""Every chart's text alternative (components/chart_text.py): the main fact computed from the figure,
in the reader's language, and on every page every plotly chart has it as the caption right under it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from apptest_support import open_app

from components import charts, project_charts, request_charts, resource_charts, scorecard_charts
from components.chart_text import chart_caption, format_value, main_facts

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))


def test_bars_name_their_highest_and_lowest_with_the_bars_own_labels():
    frame = pd.DataFrame({"status": ["申报", "实施", "完成"], "projects": [8, 1204, 462]})
    assert chart_caption(charts.stage_bars(frame)) == "图示要点：最高 实施 1,204；最低 申报 8"
    assert chart_caption(charts.stage_bars(frame, "en"), "en") == ("Chart summary: highest In progress 1,204; "
                                                            "lowest Applied 8")


def test_a_percent_axis_is_read_as_percent_and_series_are_named():
    frame = pd.DataFrame({"month": ["2023-01", "2023-02", "2023-03"], "received": [10, 30, 20],
                          "resolved": [5, 25, 18]})
    assert main_facts(charts.monthly_requests(frame)) == ["受理：最近 2023-03 20，峰值 2023-02 30",
                                                          "办结：最近 2023-03 18，峰值 2023-02 25"]
    assert format_value(0.962, ".1%") == "96.2%" and format_value(-0.05, "+.0%") == "-5%"
    assert format_value(1234.0) == "1,234" and format_value(12.345, "", "%") == "12.3%"


def test_bars_over_months_are_read_for_their_latest_month_and_peak():
    fig = go.Figure(go.Bar(x=["2023-08", "2023-09", "2023-10"], y=[25, 4954, 2888]))
    assert main_facts(fig) == ["最近 2023-10 2,888", "峰值 2023-09 4,954"]
    stacked = go.Figure([go.Bar(x=["2023-09", "2023-10"], y=[3, 4], name="议事会"),
                         go.Bar(x=["2023-09", "2023-10"], y=[5, 1], name="联席会")])
    stacked.update_layout(barmode="stack")
    assert main_facts(stacked) == ["最近 2023-10 5", "峰值 2023-09 8"]


def test_stacked_bars_are_read_by_their_totals():
    frame = pd.DataFrame({"street_name": ["布吉街道", "布吉街道", "龙城街道"], "kind": ["企业", "社会组织", "企业"],
                          "partners": [3, 4, 5]})
    fig = go.Figure()
    for kind, part in frame.groupby("kind"):
        fig.add_bar(y=part["street_name"], x=part["partners"], orientation="h", name=kind)
    fig.update_layout(barmode="stack")
    assert main_facts(fig) == ["合计最高 布吉街道 7", "合计最低 龙城街道 5"]


def test_funnels_flows_heatmaps_and_histograms_have_their_own_facts():
    funnel = request_charts.status_funnel(pd.DataFrame({"status": request_charts.FUNNEL_STAGES,
                                                        "reached": [200, 190, 180, 160, 150]}))
    first, last = (request_charts.status_name(s) for s in request_charts.FUNNEL_STAGES[::4])
    assert main_facts(funnel) == [f"{first} 200，到{last} 150（75.0%）"]
    sankey = go.Figure(go.Sankey(node={"label": ["甲", "乙", "丙"]},
                                 link={"source": [0, 0], "target": [1, 2], "value": [3, 9]}))
    assert main_facts(sankey) == ["最大流向 甲 → 丙 9"]
    heat = go.Figure(go.Heatmap(z=[[1, 7], [3, 2]], x=["1月", "2月"], y=["布吉", "龙城"]))
    assert main_facts(heat) == ["最高 布吉 · 2月 7"]
    totals = project_charts.totals_histogram(pd.DataFrame({"total": [80.0, 90.0, 70.0, 85.0]}))
    assert main_facts(totals) == ["共 4 个，中位数 82.5（70–90）"]


def test_a_radar_is_read_for_its_subject_not_the_targets():
    frame = pd.DataFrame({"code": ["E01", "E02", "E03"], "name": ["党建统筹", "议事协商", "组织动员"],
                          "name_en": ["Party building", "Consultation", "Mobilisation"],
                          "score": [86.4, 80.9, 81.0], "target": [85.0, 80.0, 80.0]})
    averages = pd.DataFrame({"code": ["E01", "E02", "E03"], "average": [84.0, 79.0, 82.0]})
    fig = scorecard_charts.radar(frame, averages, "宝龙街道")
    assert main_facts(fig) == ["宝龙街道：最高 党建统筹 86.4，最低 议事协商 80.9"]


def test_an_empty_chart_says_so():
    assert chart_caption(go.Figure(), "en") == "The chart has no data"
    assert resource_charts is not None


def test_no_page_draws_a_plotly_chart_without_its_caption():
    """Pages draw charts through chart_text.show_chart only (which adds the caption)."""
    direct = [f"{page.name}:{node.lineno}" for page in PAGES for node in ast.walk(ast.parse(page.read_text()))
              if isinstance(node, ast.Attribute) and node.attr == "plotly_chart"]
    assert direct == []


def _sections(page: Path) -> list[str | None]:
    """The page's lazy sections (``render_sections("<page>", {"id": …})``), or one view without any."""
    found = re.search(r'render_sections\("\w+", \{(.*?)\}', page.read_text(), re.S)
    return re.findall(r'"(\w+)":', found.group(1)) if found else [None]


def _leaves(node, out: list) -> list:
    children = getattr(node, "children", None)
    if children:
        for index in sorted(children):
            _leaves(children[index], out)
    else:
        out.append(node)
    return out


CHART_PAGES = [p for p in PAGES if "show_chart(" in p.read_text()]
VIEWS = [(page, section) for page in CHART_PAGES for section in _sections(page)]


@pytest.mark.parametrize(("page", "section"), VIEWS, ids=[f"{p.stem}-{s or 'page'}" for p, s in VIEWS])
def test_every_chart_on_every_page_has_its_main_fact_under_it(page, section):
    params = {"section": section} if section else {}
    at = open_app(f"pages/{page.name}", **params)
    leaves = _leaves(at.main, [])
    following = [leaves[i + 1] if i + 1 < len(leaves) else None for i, leaf in enumerate(leaves)
                 if leaf.type == "plotly_chart"]
    for caption in following:
        assert caption is not None and caption.type == "caption", caption
        assert caption.value.startswith("图示要点：") and re.search(r"\d", caption.value), caption.value
