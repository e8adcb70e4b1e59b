"""Pure builders of the projects board: figures and card HTML, without a server or a database."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from components import project_charts

REFERENCE = date(2023, 10, 31)


def _board(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({
        "code": [f"LG-{i}" for i in range(n)], "title": ["<b>危险</b>标题"] + [f"项目{i}" for i in range(1, n)],
        "community_name": ["龙岭社区"] * n, "lead_unit": ["社区党委"] * n, "progress_pct": [50.0, 120.0, 0.0][:n],
        "days_in_stage": [10, 20, 30][:n], "days_overdue": [5, None, None][:n], "status": ["实施"] * n,
        "planned_start": [date(2023, 1, 1)] * n, "planned_end": [date(2023, 6, 1)] * n,
        "actual_start": [date(2023, 2, 1), None, date(2023, 3, 1)][:n],
        "actual_end": [None, None, date(2023, 9, 1)][:n],
    })


def test_board_column_escapes_data_and_counts_the_rest():
    html = project_charts.board_column_html(_board().head(2), "实施", 10, "zh")
    assert "<b>危险</b>" not in html and "&lt;b&gt;危险&lt;/b&gt;" in html
    assert "另有 8 个项目" in html
    assert "逾期 5 天" in html and "本阶段 10 天" in html
    assert "width:100%" in html  # progress above 100 is drawn full, not overflowing
    english = project_charts.board_column_html(_board().head(1), "实施", 1, "en")
    assert "In progress" in english and "more" not in english


def test_board_column_of_an_empty_stage():
    html = project_charts.board_column_html(_board().head(0), "申报", 0, "zh")
    assert "无项目" in html


def test_funnel_and_rollup_bars():
    fig = project_charts.funnel(pd.DataFrame({"stage": ["申报", "立项", "完成"], "projects": [10, 8, 5]}), "en")
    assert isinstance(fig, go.Figure) and list(fig.data[0].y) == ["Applied", "Approved", "Completed"]
    rollup = pd.DataFrame({"name": ["甲", "乙"], "weighted_progress": [90.0, 40.0], "projects": [3, 2],
                           "budget_yuan": [1e6, 2e6]})
    fig = project_charts.rollup_bars(rollup, "name", "zh", overall=60.0)
    assert list(fig.data[0].y) == ["乙", "甲"]  # laggard first
    assert fig.layout.shapes[0].x0 == 60.0


def test_timeline_draws_planned_actual_milestones_and_reference():
    board = _board()
    milestones = pd.DataFrame({"project_code": ["LG-0", "LG-0", "other"], "seq": [1, 2, 1],
                               "name": ["开工实施", "主体完工", "x"],
                               "planned_on": [date(2023, 2, 1), date(2023, 12, 1), date(2023, 1, 1)],
                               "done_on": [date(2023, 2, 3), None, None]})
    fig = project_charts.timeline(board, milestones, REFERENCE, "zh")
    planned, actual, done, pending = fig.data
    assert len(planned.y) == 3
    assert len(actual.y) == 2  # LG-1 has not started
    # an unfinished actual span runs to the reference date
    assert actual.base[0].date() == date(2023, 2, 1) and actual.x[0] == (REFERENCE - date(2023, 2, 1)).days * 86_400_000
    assert len(done.x) == 1 and len(pending.x) == 1  # the other project's milestone is left out
    assert fig.layout.shapes[0].x0.date() == REFERENCE


def test_timeline_is_capped():
    board = pd.concat([_board()] * 20, ignore_index=True)
    board["code"] = [f"LG-{i}" for i in range(len(board))]
    fig = project_charts.timeline(board, pd.DataFrame(columns=["project_code", "name", "planned_on", "done_on"]),
                                  REFERENCE, "en")
    assert len(fig.data[0].y) == project_charts.TIMELINE_CAP


def test_scorecard_weakest_histogram_heatmap_breakdown():
    card = pd.DataFrame({"name": ["甲", "乙"], "name_en": ["A", "B"], "achievement": [0.9, 1.1],
                         "score": [72.0, 88.0], "target": [80.0, 80.0], "weight": [3.0, 1.0]})
    fig = project_charts.scorecard_bars(card, "en")
    assert list(fig.data[0].y) == ["A", "B"] and list(fig.data[0].x) == [90.0, 110.00000000000001]
    assert fig.data[0].marker.color[0] == project_charts.PALETTE["warn"]
    weak = card.assign(average_achievement=card["achievement"], share_below_target=[0.6, 0.1])
    assert list(project_charts.weakest_bars(weak, "zh").data[0].y) == ["甲", "乙"]
    hist = project_charts.totals_histogram(pd.DataFrame({"total": [90.0, 101.0, 99.0]}), "zh", {"平均": 96.7})
    assert len(hist.data[0].x) == 3 and len(hist.layout.shapes) == 2
    long = pd.DataFrame({"name": ["甲街道", "甲街道", "乙街道", "乙街道"], "name_en": ["Jia", "Jia", "Yi", "Yi"],
                         "indicator_code": ["P01", "P02"] * 2, "seq": [1, 2] * 2,
                         "indicator_name": ["一", "二"] * 2, "indicator_name_en": ["One", "Two"] * 2,
                         "average_achievement": [0.9, 1.0, 1.1, 1.2], "average_score": [1, 2, 3, 4]})
    heat = project_charts.indicator_heatmap(long, "en")
    assert list(heat.data[0].y) == ["Jia", "Yi"] and heat.data[0].z[1][1] == 120.0
    breakdown = pd.DataFrame({"value": ["政府资金", "社会捐赠"], "projects": [3, 5], "completed": [1, 2],
                              "weighted_progress": [50.0, 60.0]})
    fig = project_charts.breakdown_bars(breakdown, "en")
    assert list(fig.data[0].y) == ["Donations", "Government funds"]
