"""The Scorecards and Participation figure builders, without a server or a database."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import participation_charts as pc
from components import scorecard_charts as sc


@pytest.fixture
def breakdown():
    return pd.DataFrame({"code": ["E01", "E02", "E03"], "seq": [1, 2, 3], "name": ["党建统筹", "议事协商", "组织动员"],
                         "name_en": ["Party", "Deliberation", "Mobilising"], "score": [90.0, 70.0, None],
                         "target": [85.0, 80.0, 80.0]})


def test_radar_closes_three_loops_against_the_average(breakdown):
    averages = pd.DataFrame({"code": ["E01", "E02", "E03"], "average": [80.0, 75.0, 78.0]})
    fig = sc.radar(breakdown, averages, "布吉街道", "zh")
    assert [type(t) for t in fig.data] == [go.Scatterpolar] * 3
    unit = fig.data[-1]
    assert unit.name == "布吉街道" and list(unit.theta) == ["党建统筹", "议事协商", "组织动员", "党建统筹"]
    assert list(fig.data[1].r) == [80.0, 75.0, 78.0, 80.0]
    assert sc.radar(breakdown, averages, "Buji", "en").data[0].theta[0] == "Party"


def test_rank_change_labels_and_league_bars():
    assert [sc.rank_change_label(v) for v in (2, -1, 0, None, pd.NA)] == ["↑2", "↓1", "–", "", ""]
    league = pd.DataFrame({"rank": [1, 2], "name": ["甲", "乙"], "composite": [101.5, 96.25],
                           "rank_change": pd.array([1, pd.NA], dtype="Int64")})
    fig = sc.league_bars(league, "zh")
    assert list(fig.data[0].y) == ["1. 甲", "2. 乙"]
    assert list(fig.data[0].text) == ["101.5 ↑1", "96.2"]


def test_dimension_trends_draw_score_and_target_per_dimension():
    trend = pd.DataFrame({"code": ["E01"] * 3 + ["E02"] * 3, "seq": [1] * 3 + [2] * 3,
                          "name": ["党建统筹"] * 3 + ["议事协商"] * 3, "name_en": ["P"] * 3 + ["D"] * 3,
                          "target": [85.0] * 3 + [80.0] * 3, "year": [2021, 2022, 2023] * 2,
                          "score": [70.0, 75.0, 80.0, 60.0, 65.0, 70.0]})
    fig = sc.dimension_trends(trend, "zh")
    assert len(fig.data) == 4
    assert list(fig.data[0].x) == ["2021", "2022", "2023"]
    assert list(fig.data[1].y) == [85.0] * 3


def test_safety_figures():
    unit_month = pd.DataFrame({"unit_code": ["a", "a", "b"], "unit_name": ["甲", "甲", "乙"],
                               "month": ["2021-01", "2021-02", "2021-01"], "criminal_alerts": [3, 4, 5]})
    heat = sc.safety_heatmap(unit_month, "criminal_alerts", "zh").data[0]
    assert list(heat.y) == ["甲", "乙"] and list(heat.x) == ["2021-01", "2021-02"]
    assert heat.z.tolist() == [[3, 4], [5, 0]]
    by_unit = pd.DataFrame({"unit_name": ["甲", "乙"], "criminal_alerts_decline": [0.2, -0.1],
                            "neighbour_disputes_decline": [0.1, 0.1], "property_disputes_decline": [0.3, None]})
    fig = sc.decline_bars(by_unit, "zh")
    assert len(fig.data) == 3
    assert fig.data[0].marker.color[1] == sc.PALETTE["bad"]  # a rise is red
    assert list(fig.data[0].text) == ["20.0%", "-10.0%"]


def test_star_figures():
    distribution = pd.DataFrame({"unit_code": ["a", "a", "b"], "unit_name": ["甲", "甲", "乙"], "stars": [3, 5, 3],
                                 "compounds": [2, 1, 4]})
    bars = sc.star_distribution(distribution, "zh").data[0]
    assert list(bars.x) == ["1★", "2★", "3★", "4★", "5★"] and list(bars.y) == [0, 0, 6, 0, 1]
    stacked = sc.stars_by_unit(distribution, "zh")
    assert len(stacked.data) == 5
    assert list(stacked.data[2].x) == pytest.approx([2 / 3, 1.0])
    levels = pd.DataFrame({"star_level": [2, 4], "communities": [3, 5], "disputes_per_1000_households": [1.5, 1.1]})
    fig = sc.disputes_by_stars(levels, "en")
    assert list(fig.data[0].text) == ["1.50 (n=3)", "1.10 (n=5)"]


def test_participation_figures():
    monthly = pd.DataFrame({"month": ["2023-01", "2023-02"], "new_volunteers": [10, 20],
                            "active_volunteers": [100, 110], "residents_taking_part": [5, 6],
                            "joint_meetings": [1, 0], "council_sessions": [2, 1], "convenience_services": [3, 3],
                            "volunteer_services": [0, 1], "education_activities": [1, 1]})
    fig = pc.volunteer_months(monthly, "zh")
    assert len(fig.data) == 3 and fig.data[2].yaxis == "y2"
    assert [t.name for t in pc.event_months(monthly, "en").data][:2] == ["Joint meetings", "Compound council sessions"]
    by_unit = pd.DataFrame({"unit_name": ["甲", "乙"], "population": [1000, 3000], "new_volunteers": [5, 30],
                            "new_volunteers_per_1000": [5.0, 10.0]})
    fig = pc.unit_per_1000(by_unit, "new_volunteers", "新增志愿者（每千人）", "zh")
    assert list(fig.data[0].y) == ["乙", "甲"]
    assert fig.layout.shapes[0].x0 == pytest.approx(1000 * 35 / 4000)  # the scope's own rate
    party = pd.DataFrame({"unit_name": ["甲"], "members_per_compound": [33.3], "retired_members_transferred": [12]})
    assert len(pc.party_members(party, "zh").data) == 2
