"""Pure builders of the 诉求办理 page: frames in, figures out, no server."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import request_charts as rc


@pytest.fixture
def categories():
    return pd.DataFrame({"category": ["隐患上报", "法律服务", "心理咨询"], "received": [120, 80, 10],
                         "resolved": [100, 80, 9]})


def test_with_change_and_fastest_growing(categories):
    previous = pd.DataFrame({"category": ["隐患上报", "法律服务"], "received": [100, 100]})
    changes = rc.with_change(categories, previous, "category")
    assert list(changes["previous"]) == [100, 100, 0]
    assert changes["change"].iloc[0] == pytest.approx(0.2)
    assert changes["change"].iloc[1] == pytest.approx(-0.2)
    assert pd.isna(changes["change"].iloc[2])  # no base: no relative change
    growth = rc.fastest_growing(changes)
    assert list(growth["category"]) == ["隐患上报", "法律服务"]
    none = rc.with_change(categories, None, "category")
    assert none["change"].isna().all()


def test_league_table_against_the_district():
    league = pd.DataFrame({"name": ["甲", "乙"], "median_days": [2.0, 5.0], "on_time_share": [0.9, 0.5],
                           "p90_days": [4.0, 9.0], "rank": [1, 2]})
    district = pd.DataFrame({"median_days": [3.0], "on_time_share": [0.7]})
    table = rc.league_table(league, district)
    assert list(table["median_vs_district"]) == [-1.0, 2.0]
    assert table["on_time_vs_district"].tolist() == pytest.approx([0.2, -0.2])
    fig = rc.league_bars(table, 3.0, "zh")
    assert isinstance(fig, go.Figure)
    assert list(fig.data[0].y) == ["1. 甲", "2. 乙"]
    assert list(fig.data[1].x) == [4.0, 9.0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_builder_returns_a_figure(categories, lang):
    changes = rc.with_change(categories, categories.assign(received=[100, 100, 5]), "category")
    funnel = pd.DataFrame({"status": ["待受理", "已受理", "办理中", "已办结", "已关闭", "已退回", "已上报"],
                           "reached": [100, 98, 60, 95, 80, 2, 5]})
    per = pd.DataFrame({"name": ["一社区"], "street_name": ["甲街道"], "per_thousand": [12.5]})
    dist = pd.DataFrame({"score": [1, 2, 3, 4, 5], "requests": [1, 1, 2, 5, 11], "share": [.05, .05, .1, .25, .55]})
    averages = pd.DataFrame({"name": ["法律服务", "心理咨询"], "satisfaction": [4.3, 4.1]})
    wishes = pd.DataFrame({"posted": [10], "claimed": [8], "fulfilled": [7]})
    claimers = pd.DataFrame({"claimer_kind": ["党员", "志愿者"], "claimed": [5, 3], "fulfilled": [4, 3]})
    weeks = pd.DataFrame({"week": [0, 1, 14, 30], "wishes": [3, 2, 1, 1]})
    figures = [
        rc.category_bars(changes, lang), rc.status_funnel(funnel, lang), rc.per_thousand_bars(per, lang),
        rc.growth_bars(rc.fastest_growing(changes), lang), rc.satisfaction_bars(dist, lang),
        rc.average_satisfaction_bars(averages, 4.2, lang), rc.wish_funnel(wishes, lang),
        rc.claimer_bars(claimers, lang), rc.wish_weeks_bars(weeks, lang),
    ]
    for fig in figures:
        assert isinstance(fig, go.Figure) and fig.data
    funnel_fig = figures[1]
    assert list(funnel_fig.data[0].x) == [100, 98, 60, 95, 80]  # returned and escalated are shown apart
    weeks_fig = figures[-1]
    assert list(weeks_fig.data[0].y) == [3, 2, 2]  # weeks 14 and 30 folded into "over 12 weeks"
    if lang == "en":
        assert "Received" in list(funnel_fig.data[0].y)
        assert "Party members" in list(figures[7].data[0].x)
        assert "Legal services" in list(figures[0].data[0].y)
