"""Figure builders of the Resources page, without a server."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components import resource_charts as rc


def uptake_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["R01", "R02", "S01", "S02"], "list_kind": ["resource", "resource", "service", "service"],
        "name": ["救助金", "法律顾问", "家庭医生", "消防演练"],
        "kind": ["帮扶救助", "法律援助", "医疗健康", "安全防范"],
        "uses": [5, 9, 7, 0],
    })


def street_frame(value: str, kinds: list[str]) -> pd.DataFrame:
    rows = []
    for code, name, name_en in (("440307003", "平湖街道", "Pinghu"), ("440307014", "布吉街道", "Buji")):
        for i, kind in enumerate(kinds):
            rows.append({"street_code": code, "street_name": name, "street_name_en": name_en, "kind": kind,
                         value: i + 1})
    return pd.DataFrame(rows)


def test_value_labels_translate_this_areas_values_and_fall_back():
    assert rc.value_label("爱心商家", "en") == "Caring merchants"
    assert rc.value_label("爱心商家", "zh") == "爱心商家"
    assert rc.value_label("心理咨询", "en") == "Counselling"  # a request category from the core section
    assert rc.value_label("未知", "en") == "未知"
    assert rc.value_label(None, "zh") == "—"


def test_top_items_bars_leave_out_unused_items_and_put_the_most_used_on_top():
    fig = rc.top_items_bars(uptake_frame(), "zh")
    names = [n for trace in fig.data for n in trace.y]
    assert "消防演练" not in names
    assert list(fig.layout.yaxis.categoryarray) == ["救助金", "家庭医生", "法律顾问"]
    assert {trace.name for trace in fig.data} == {"资源清单", "服务清单"}


def test_partner_bars_stack_kinds_in_the_offices_order_and_speak_english():
    frame = street_frame("units", ["爱心商家", "企事业单位", "物业服务企业", "社区社会组织"])
    fig = rc.partner_street_bars(frame, "en")
    assert [trace.name for trace in fig.data] == ["Enterprises and institutions", "Social organisations",
                                                  "Property companies", "Caring merchants"]
    assert fig.layout.barmode == "stack"
    assert set(fig.data[0].y) == {"Pinghu", "Buji"}


def test_venue_bars_put_the_commonest_kind_first():
    frame = street_frame("venues", ["广场", "党群服务中心"])
    fig = rc.venue_street_bars(frame, "zh")
    assert [trace.name for trace in fig.data] == ["党群服务中心", "广场"]


def test_fund_lines_are_cumulative_in_wan_yuan():
    frame = pd.DataFrame({"month": ["2023-01", "2023-02"], "raised_cumulative": [50_000.0, 120_000.0],
                          "spent_cumulative": [0.0, 30_000.0]})
    fig = rc.fund_cumulative_lines(frame, "zh")
    assert list(fig.data[0].y) == [5.0, 12.0]
    assert list(fig.data[1].y) == [0.0, 3.0]
    assert fig.data[0].name == "累计筹集"


def test_fund_share_bars_label_amounts_with_shares():
    frame = pd.DataFrame({"purpose": ["帮扶困难群体", "改善环境品质"], "amount_yuan": [30_000.0, 10_000.0]})
    fig = rc.fund_share_bars(frame, "purpose", "en")
    assert list(fig.data[0].y) == ["Helping people in difficulty", "Improving the environment"]
    assert fig.data[0].text[0] == "3.0 (75%)"


def test_sankey_links_provider_to_kind_to_street_and_keeps_the_uses():
    frame = pd.DataFrame({
        "provider_unit": ["区司法局", "区司法局", "区民政局"], "kind": ["法律援助", "法律援助", "帮扶救助"],
        "street_code": ["440307003", "440307014", "440307014"], "street_name": ["平湖街道", "布吉街道", "布吉街道"],
        "street_name_en": ["Pinghu", "Buji", "Buji"], "uses": [3, 4, 5],
    })
    fig = rc.flow_sankey(frame, "zh")
    sankey = fig.data[0]
    assert isinstance(sankey, go.Sankey)
    labels = list(sankey.node.label)
    assert labels == ["区司法局", "区民政局", "法律援助", "帮扶救助", "平湖街道", "布吉街道"]
    link_sum = sum(sankey.link.value)
    assert link_sum == 2 * frame["uses"].sum()  # every use passes through both stages
    into_streets: dict[str, int] = {}
    for target, value in zip(sankey.link.target, sankey.link.value, strict=True):
        if labels[target].endswith("街道"):
            into_streets[labels[target]] = into_streets.get(labels[target], 0) + value
    assert into_streets == {"平湖街道": 3, "布吉街道": 9}


def test_sankey_merges_small_providers_into_one_node():
    frame = pd.DataFrame({"provider_unit": [f"局{i}" for i in range(5)], "kind": ["法律援助"] * 5,
                          "street_code": ["1"] * 5, "street_name": ["街道"] * 5, "street_name_en": ["S"] * 5,
                          "uses": [50, 40, 30, 2, 1]})
    sankey = rc.flow_sankey(frame, "zh", top_providers=3).data[0]
    assert list(sankey.node.label[:3]) == ["局0", "局1", "其他区级单位"]
    assert sum(v for s, v in zip(sankey.link.source, sankey.link.value, strict=True) if s == 2) == 33


def test_sankey_escapes_names_from_the_data():
    frame = pd.DataFrame({"provider_unit": ["<b>局</b>"], "kind": ["法律援助"], "street_code": ["1"],
                          "street_name": ["街道"], "street_name_en": ["S"], "uses": [1]})
    assert rc.flow_sankey(frame, "zh").data[0].node.label[0] == "&lt;b&gt;局&lt;/b&gt;"


def test_demand_supply_bars_sum_over_communities():
    frame = pd.DataFrame({"community_code": ["a", "a", "b", "b"], "resource_kind": ["法律援助", "帮扶救助"] * 2,
                          "requests": [10, 0, 5, 0], "wishes": [0, 2, 0, 3], "uses": [1, 4, 2, 0]})
    fig = rc.demand_supply_kind_bars(frame, "zh")
    assert list(fig.data[0].x) == [15, 5]
    assert list(fig.data[1].x) == [3, 4]
    assert list(fig.data[0].y) == ["法律援助", "帮扶救助"]


def test_gap_scatter_highlights_the_gap_list_and_the_chosen_community():
    ranking = pd.DataFrame({"community_name": ["甲", "乙", "丙"], "demand_rate": [15.0, 8.0, 2.0],
                            "supply_rate": [0.0, 1.0, 4.0], "gap_score": [1.0, 0.0, -1.0],
                            "flagged": [True, False, False], "selected": [False, True, False]})
    fig = rc.gap_scatter(ranking, "zh")
    by_name = {trace.name: trace for trace in fig.data}
    assert list(by_name["列入缺口清单"].y) == [15.0]
    assert list(by_name["所选社区"].y) == [8.0]
    assert list(by_name["其他社区"].y) == [2.0]


def test_gap_scatter_draws_a_citys_other_communities_as_a_density():
    others = rc.GAP_SCATTER_POINTS + 1
    ranking = pd.DataFrame({"community_name": [f"社区{i}" for i in range(others + 1)],
                            "demand_rate": [float(i % 17) for i in range(others + 1)],
                            "supply_rate": [float(i % 5) for i in range(others + 1)],
                            "gap_score": [0.0] * (others + 1), "flagged": [True] + [False] * others,
                            "selected": [False] * (others + 1)})
    by_name = {trace.name: trace for trace in rc.gap_scatter(ranking, "zh").data}
    assert by_name["其他社区"].type == "histogram2d" and len(by_name["其他社区"].x) == others
    assert by_name["列入缺口清单"].type == "scatter" and list(by_name["列入缺口清单"].y) == [0.0]
