"""Pure builders of the 诉求办理 page: frames in, figures out, no server."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import request_charts as rc
from components.charts import PALETTE
from components.i18n import text, value_name


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


@pytest.fixture
def changes(categories):
    return rc.with_change(categories, categories.assign(received=[100, 100, 5]), "category")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_category_bars_show_received_per_category_with_the_change(changes, lang):
    fig = rc.category_bars(changes, lang)
    bar = fig.data[0]
    # Fewest first: a horizontal bar chart draws its first row at the bottom.
    assert list(bar.y) == [value_name(c, lang) for c in ["心理咨询", "法律服务", "隐患上报"]]
    assert list(bar.x) == [10, 80, 120]
    assert list(bar.text) == ["10  +100.0%", "80  -20.0%", "120  +20.0%"]
    assert fig.layout.xaxis.title.text == text("label.received", lang)
    if lang == "en":
        assert list(bar.y) == ["Counselling", "Legal services", "Hazard reports"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_status_funnel_shows_the_five_stages_in_order(lang):
    funnel = pd.DataFrame({"status": ["已关闭", "待受理", "已受理", "办理中", "已办结", "已退回", "已上报"],
                           "reached": [80, 100, 98, 60, 95, 2, 5]})
    stage = rc.status_funnel(funnel, lang).data[0]
    assert list(stage.y) == [rc.status_name(s, lang) for s in rc.FUNNEL_STAGES]
    assert list(stage.x) == [100, 98, 60, 95, 80]  # returned and escalated are shown apart, not as stages
    if lang == "en":
        assert list(stage.y) == ["Received", "Accepted", "In progress", "Resolved", "Closed"]


def test_status_funnel_shows_a_stage_no_request_reached_as_zero():
    stage = rc.status_funnel(pd.DataFrame({"status": ["待受理", "已受理"], "reached": [7, 3]})).data[0]
    assert list(stage.x) == [7, 3, 0, 0, 0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_per_thousand_bars_name_the_community_and_its_street(lang):
    per = pd.DataFrame({"name": ["一社区", "二社区", "三社区"], "street_name": ["甲街道", "甲街道", "乙街道"],
                        "per_thousand": [12.5, 8.25, 3.0]})
    bar = rc.per_thousand_bars(per, lang, top=2).data[0]
    assert list(bar.x) == [12.5, 8.25]  # the top two only, in the query's order
    assert list(bar.text) == ["12.5", "8.2"]
    expected = ["一社区（甲街道）", "二社区（甲街道）"] if lang == "zh" else ["一社区 (甲街道)", "二社区 (甲街道)"]
    assert list(bar.y) == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_growth_bars_colour_growth_and_decline(changes, lang):
    growth = rc.fastest_growing(changes)
    bar = rc.growth_bars(growth, lang).data[0]
    assert list(bar.y) == [value_name(c, lang) for c in ["心理咨询", "隐患上报", "法律服务"]]
    assert list(bar.x) == pytest.approx([1.0, 0.2, -0.2])
    assert list(bar.text) == ["+100.0%", "+20.0%", "-20.0%"]
    assert list(bar.marker.color) == [PALETTE["warn"], PALETTE["warn"], PALETTE["done"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_satisfaction_bars_show_requests_per_score_with_the_share(lang):
    dist = pd.DataFrame({"score": [1, 2, 3, 4, 5], "requests": [1, 1, 2, 5, 11],
                         "share": [.05, .05, .1, .25, .55]})
    bar = rc.satisfaction_bars(dist, lang).data[0]
    assert list(bar.x) == [text("requests.score", lang, value=s) for s in range(1, 6)]
    assert list(bar.y) == [1, 1, 2, 5, 11]
    assert list(bar.text) == ["5.0%", "5.0%", "10.0%", "25.0%", "55.0%"]
    assert list(bar.marker.color) == [rc.SCORE_COLOURS[s] for s in range(1, 6)]
    assert bar.x[-1] == ("5分" if lang == "zh" else "5 / 5")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_average_satisfaction_bars_mark_the_district_and_zoom_the_axis(lang):
    averages = pd.DataFrame({"name": ["法律服务", "心理咨询"], "satisfaction": [4.3, 4.1]})
    fig = rc.average_satisfaction_bars(averages, 4.2, lang)
    bar = fig.data[0]
    assert list(bar.y) == [value_name("法律服务", lang), value_name("心理咨询", lang)]
    assert list(bar.x) == [4.3, 4.1]
    assert list(bar.text) == ["4.30", "4.10"]
    assert [shape.x0 for shape in fig.layout.shapes] == [4.2]  # the district average, dashed
    assert list(fig.layout.xaxis.range) == pytest.approx([3.95, 4.4])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wish_funnel_shows_posted_claimed_fulfilled(lang):
    stage = rc.wish_funnel(pd.DataFrame({"posted": [10], "claimed": [8], "fulfilled": [7]}), lang).data[0]
    assert list(stage.x) == [10, 8, 7]
    assert list(stage.y) == [text(f"requests.wish_status.{s}", lang) for s in ["已发布", "已认领", "已实现"]]
    if lang == "en":
        assert list(stage.y) == ["Posted", "Claimed", "Fulfilled"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_claimer_bars_show_claimed_and_fulfilled_per_kind(lang):
    claimers = pd.DataFrame({"claimer_kind": ["党员", "志愿者"], "claimed": [5, 3], "fulfilled": [4, 3]})
    claimed, fulfilled = rc.claimer_bars(claimers, lang).data
    kinds = [rc.claimer_name(k, lang) for k in ["党员", "志愿者"]]
    assert list(claimed.x) == kinds and list(fulfilled.x) == kinds
    assert list(claimed.y) == [5, 3] and list(fulfilled.y) == [4, 3]
    assert (claimed.name, fulfilled.name) == (text("requests.col.claimed", lang), text("requests.col.fulfilled", lang))
    if lang == "en":
        assert kinds[0] == "Party members"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wish_weeks_bars_fold_the_long_tail_into_one_bar(lang):
    weeks = pd.DataFrame({"week": [0, 1, 14, 30], "wishes": [3, 2, 1, 1]})
    bar = rc.wish_weeks_bars(weeks, lang).data[0]
    assert list(bar.y) == [3, 2, 2]  # weeks 14 and 30 folded into "over 12 weeks"
    assert list(bar.x) == [text("requests.wishes.week", lang, n=1), text("requests.wishes.week", lang, n=2),
                           text("requests.wishes.later", lang, n=12)]
    assert list(bar.marker.color) == [PALETTE["primary"], PALETTE["primary"], PALETTE["muted"]]
    no_tail = rc.wish_weeks_bars(weeks.head(2), lang).data[0]
    assert list(no_tail.y) == [3, 2]
