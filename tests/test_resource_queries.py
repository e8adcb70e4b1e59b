"""Resource-sharing queries on SQLite and PostgreSQL: the sample's headline figures, uptake,
fund arithmetic, and the supply-demand gap ranking on a hand-built fixture."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data_access import geography, requests, resources, schema
from data_access.database import Database
from data_access.loader import load_csv_dir
from data_access.resources import DemandMap, load_demand_map
from data_access.scope import Period, Scope, period_options

BUJI = "440307014"
Y2023 = Period("2023", date(2023, 1, 1), date(2023, 12, 31), 12)


def whole_span(db: Database) -> Period:
    start, reference = geography.data_range(db)
    return period_options(start, reference)[0]


# --- the sample data (both engines) -----------------------------------------------------------


def test_headline_figures_match_the_article(db):
    scope = Scope(whole_span(db))
    totals = resources.resource_totals(db, scope).iloc[0]
    assert (totals["resource_items"], totals["service_items"]) == (42, 38)
    assert totals["partner_units"] == 992
    assert totals["public_services"] == 373
    assert totals["venues"] == 380
    assert totals["fund_raised_yuan"] == pytest.approx(5_330_000)
    fund = resources.fund_summary(db, scope).iloc[0]
    assert fund["raised_yuan"] == pytest.approx(5_330_000)
    assert fund["balance_yuan"] == pytest.approx(fund["raised_yuan"] - fund["spent_yuan"])


def test_catalogue_uptake_lists_every_item_and_adds_up(db):
    scope = Scope(whole_span(db))
    uptake = resources.catalogue_uptake(db, scope)
    totals = resources.resource_totals(db, scope).iloc[0]
    assert len(uptake) == 80
    assert uptake.groupby("list_kind").size().to_dict() == {"resource": 42, "service": 38}
    assert uptake["uses"].sum() == totals["resource_uses"]
    assert uptake["beneficiaries"].sum() == totals["beneficiaries"]
    assert (uptake.loc[uptake["uses"] == 0, "last_used"].isna()).all()
    assert all(isinstance(d, date) for d in uptake.loc[uptake["uses"] > 0, "last_used"])


def test_street_scope_narrows_partners_venues_fund_and_flows(db):
    district, street = Scope(whole_span(db)), Scope(whole_span(db), street=BUJI)
    partners = resources.partners_by_street(db, district)
    assert partners.loc[partners["kind"] != "爱心商家", "units"].sum() == 992
    assert partners.loc[partners["kind"] == "爱心商家", "units"].sum() == 981
    assert partners["public_services"].sum() == 373
    assert (partners["party_cobuilding"] <= partners["units"]).all()
    street_partners = resources.partners_by_street(db, street)
    assert set(street_partners["street_code"]) == {BUJI}
    assert len(resources.venue_list(db, district)) == 380
    assert resources.venues_by_street(db, district)["venues"].sum() == 380
    street_venues = resources.venue_list(db, street)
    assert 0 < len(street_venues) < 380
    assert resources.venues_by_street(db, street)["venues"].sum() == len(street_venues)
    flows = resources.resource_flows(db, district)
    assert flows["uses"].sum() == resources.resource_totals(db, district)["resource_uses"].iloc[0]
    assert set(resources.resource_flows(db, street)["street_code"]) == {BUJI}


def test_fund_breakdowns_add_up_to_the_totals(db):
    for scope in (Scope(whole_span(db)), Scope(whole_span(db), street=BUJI),
                  Scope(period_options(*geography.data_range(db))[1])):
        fund = resources.fund_summary(db, scope).iloc[0]
        by_month = resources.fund_by_month(db, scope)
        assert by_month["raised_cumulative"].iloc[-1] == pytest.approx(fund["raised_yuan"])
        assert by_month["spent_cumulative"].iloc[-1] == pytest.approx(fund["spent_yuan"])
        assert list(by_month["month"]) == sorted(by_month["month"])
        assert resources.fund_by_source(db, scope)["amount_yuan"].sum() == pytest.approx(fund["raised_yuan"])
        purposes = resources.fund_by_purpose(db, scope)
        assert purposes["amount_yuan"].sum() == pytest.approx(fund["spent_yuan"])
        assert set(purposes["purpose"]) <= {"帮扶困难群体", "完善公共服务", "改善环境品质"}


def test_supply_demand_rows_follow_the_mapping(db):
    scope = Scope(whole_span(db), street=BUJI)
    demand_map = load_demand_map()
    detail = resources.supply_demand_by_community(db, scope, demand_map)
    communities = geography.communities(db, scope)
    assert len(detail) == len(communities) * len(demand_map.resource_kinds)
    wishes = requests.wish_totals(db, scope)["posted"].iloc[0]
    assert detail["wishes"].sum() == wishes * len(demand_map.wish_kinds)
    assert detail.loc[~detail["resource_kind"].isin(demand_map.wish_kinds), "wishes"].sum() == 0
    by_kind = resources.supply_demand_by_kind(db, scope, demand_map)
    summed = detail.groupby("resource_kind", sort=False)[["requests", "wishes", "uses"]].sum().reset_index()
    pd.testing.assert_frame_equal(by_kind, summed, check_dtype=False)
    assert by_kind["requests"].sum() > 0 and by_kind["uses"].sum() > 0


def test_gap_ranking_follows_the_documented_rule(db):
    """Recompute the rule from the ranking's own counts and populations, in pandas."""
    ranking = resources.demand_gap_ranking(db, Scope(whole_span(db)))
    assert len(ranking) == 111
    per = load_demand_map().per_residents
    demand = (ranking["requests"] + ranking["wishes"]) * per / ranking["population"]
    supply = ranking["uses"] * per / ranking["population"]
    n = len(ranking)
    assert ranking["demand_rate"].to_numpy() == pytest.approx(demand.to_numpy())
    expected_gap = (demand.rank(method="min") - 1) / (n - 1) - (supply.rank(method="min") - 1) / (n - 1)
    assert ranking["gap_score"].to_numpy() == pytest.approx(expected_gap.to_numpy())
    assert list(ranking["gap_score"]) == sorted(ranking["gap_score"], reverse=True)
    threshold = load_demand_map().threshold
    assert (ranking["flagged"] == (ranking["gap_score"] >= threshold - 1e-9)).all()
    assert 0 < ranking["flagged"].sum() < n


def test_demand_map_file_is_consistent_with_the_domain():
    from data_access.domain import REQUEST_CATEGORIES

    demand_map = load_demand_map()
    assert set(demand_map.request_categories) <= set(REQUEST_CATEGORIES)
    assert demand_map.kind_of_category()["心理咨询"] == "心理健康"
    assert demand_map.kind_of_category()["物业管理"] == "环境设施"
    assert demand_map.wish_kinds == ["帮扶救助"]


def test_demand_map_refuses_a_category_mapped_twice(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text('[resource_kinds."a"]\nrequest_categories = ["x"]\n'
                    '[resource_kinds."b"]\nrequest_categories = ["x"]\n', encoding="utf-8")
    with pytest.raises(ValueError):
        load_demand_map(path)


# --- a hand-built fixture (both engines) --------------------------------------------------------
#
# Street S1 has communities A, B, C, D; street S2 has E. With the test map below
# (法律援助 serves 法律服务 and 纠纷化解, 心理健康 serves 心理咨询, 帮扶救助 serves
# micro wishes; 市容环境 and 医疗健康 unmapped) the 2023 figures per 1,000 residents are
#   community  population  demand                     supply (mapped uses)
#   A          1000        10 法律服务 + 5 心理咨询 = 15   1 (L1)            -> 1
#   B           500        6 纠纷化解 + 2 wishes = 8 -> 16  5 uses of M1, unmapped -> 0
#   C          1000        2 法律服务 = 2                 4 (P1)            -> 4
#   D          1000        20 市容环境 (unmapped) = 0      2 (H1)            -> 2
#   E          1000        50 法律服务 = 50                0
# plus rows outside 2023 that must not count.

S1, S2 = "440307901", "440307902"
A, B, C, D = (f"{S1}00{i}" for i in range(1, 5))
E = f"{S2}001"
TEST_MAP = DemandMap(
    kinds=(("法律援助", ("法律服务", "纠纷化解"), False), ("心理健康", ("心理咨询",), False), ("帮扶救助", (), True)),
    per_residents=1000,
    threshold=0.3,
)


def _write(folder: Path, table, rows: list[dict]) -> None:
    with open(folder / f"{table.name}.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=[c.name for c in table.columns])
        writer.writeheader()
        writer.writerows(rows)


def _request(i: int, community: str, category: str, when: str) -> dict:
    return {"id": f"Q{i:05d}", "channel": "平安码上办", "category": category, "community_code": community,
            "compound_code": "", "lat": "22.7", "lon": "114.2", "submitted_at": f"{when} 09:00:00",
            "accepted_at": "", "resolved_at": "", "closed_at": "", "status": "已受理", "handling_unit": "社区",
            "satisfaction": "", "requester_name": "张*", "requester_phone": "138****0000", "description": "测试"}


def write_hand_csv_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table in schema.DATA_TABLES:
        _write(folder, table, [])
    _write(folder, schema.streets, [
        {"code": S1, "name": "甲街道", "name_en": "Jia", "population": 3500, "lat": 22.7, "lon": 114.2},
        {"code": S2, "name": "乙街道", "name_en": "Yi", "population": 1000, "lat": 22.7, "lon": 114.3},
    ])
    populations = {A: 1000, B: 500, C: 1000, D: 1000, E: 1000}
    _write(folder, schema.communities, [
        {"code": code, "street_code": code[:9], "name": f"{name}社区", "population": pop, "households": pop // 3,
         "is_pilot": "false", "lat": 22.7, "lon": 114.2}
        for (code, pop), name in zip(populations.items(), "甲乙丙丁戊", strict=True)
    ])
    _write(folder, schema.catalogue_items, [
        {"code": code, "list_kind": kind, "name": name, "kind": rkind, "provider_unit": unit, "description": "测试"}
        for code, kind, name, rkind, unit in [
            ("L1", "resource", "法律顾问", "法律援助", "区司法局"),
            ("P1", "service", "心理疏导", "心理健康", "区卫生健康局"),
            ("H1", "resource", "临时救助", "帮扶救助", "区民政局"),
            ("M1", "resource", "家庭医生", "医疗健康", "区卫生健康局"),
            ("U1", "service", "消防演练", "安全防范", "区应急管理局"),
        ]
    ])
    uses = [("L1", A, "2023-03-01", 10), ("L1", A, "2022-06-01", 7)]
    uses += [("M1", B, f"2023-0{m}-10", 2) for m in range(1, 6)]
    uses += [("P1", C, f"2023-0{m}-10", 3) for m in range(1, 5)]
    uses += [("H1", D, "2023-02-02", 1), ("H1", D, "2023-08-02", 1)]
    _write(folder, schema.resource_uses, [
        {"id": i, "item_code": item, "community_code": c, "used_on": d, "beneficiaries": n}
        for i, (item, c, d, n) in enumerate(uses, start=1)
    ])
    asked = ([(A, "法律服务")] * 10 + [(A, "心理咨询")] * 5 + [(B, "纠纷化解")] * 6 + [(C, "法律服务")] * 2
             + [(D, "市容环境")] * 20 + [(E, "法律服务")] * 50)
    rows = [_request(i, c, cat, f"2023-0{i % 9 + 1}-15") for i, (c, cat) in enumerate(asked)]
    rows += [_request(900 + i, D, "法律服务", "2022-05-05") for i in range(30)]
    _write(folder, schema.requests, rows)
    _write(folder, schema.micro_wishes, [
        {"id": f"W{i}", "community_code": B, "title": "一副老花镜", "posted_at": "2023-04-01 10:00:00",
         "claimed_at": "", "fulfilled_at": "", "claimer_kind": "", "status": "已发布"} for i in range(2)
    ])
    _write(folder, schema.fund_entries, [
        {"id": i, "community_code": c, "entry_date": d, "direction": direction, "amount_yuan": amount,
         "source": source, "purpose": purpose}
        for i, (c, d, direction, amount, source, purpose) in enumerate([
            (A, "2022-12-20", "in", 1000, "企业捐赠", ""),
            (A, "2023-01-05", "in", 500, "个人捐赠", ""),
            (B, "2023-02-05", "in", 200, "企业捐赠", ""),
            (A, "2023-03-05", "out", 300, "", "帮扶困难群体"),
            (A, "2023-05-05", "out", 100, "", "改善环境品质"),
        ], start=1)
    ])
    _write(folder, schema.partner_units, [
        {"code": f"PU{i}", "name": f"单位{i}", "kind": kind, "community_code": c, "is_party_cobuilding": cob,
         "joined_on": joined, "public_services_undertaken": services}
        for i, (kind, c, cob, joined, services) in enumerate([
            ("企事业单位", A, "true", "2022-01-01", 0),
            ("社区社会组织", A, "false", "2023-05-01", 3),
            ("爱心商家", B, "true", "2023-06-01", 0),
            ("物业服务企业", B, "false", "2024-01-02", 0),
        ])
    ])
    _write(folder, schema.venues, [
        {"code": f"V{i}", "name": f"场地{i}", "kind": kind, "community_code": c, "owner_unit": "社区",
         "opening_hours": hours, "opened_on": opened, "lat": 22.7, "lon": 114.2}
        for i, (kind, c, hours, opened) in enumerate([
            ("广场", A, "全天开放", "2022-01-01"),
            ("会议室", C, "预约开放", "2023-02-01"),
            ("会议室", E, "预约开放", "2023-02-01"),
            ("广场", D, "全天开放", "2024-02-01"),
        ])
    ])
    return folder


@pytest.fixture
def hand_db(empty_url: str, tmp_path: Path):
    database = Database(empty_url)
    load_csv_dir(database.engine, write_hand_csv_dir(tmp_path / "hand_csv"))
    yield database
    database.dispose()


def test_hand_uptake_counts_uses_in_scope_and_period(hand_db):
    uptake = resources.catalogue_uptake(hand_db, Scope(Y2023, street=S1)).set_index("code")
    assert uptake.loc["L1", ["communities", "uses", "beneficiaries"]].tolist() == [1, 1, 10]
    assert uptake.loc["M1", ["communities", "uses", "beneficiaries"]].tolist() == [1, 5, 10]
    assert uptake.loc["H1", "last_used"] == date(2023, 8, 2)
    assert uptake.loc["U1", "uses"] == 0 and uptake.loc["U1", "last_used"] is None
    assert list(uptake.index[uptake["uses"] == 0]) == ["U1"]
    whole = Period("all", date(2021, 1, 1), date(2023, 12, 31))
    assert resources.catalogue_uptake(hand_db, Scope(whole)).set_index("code").loc["L1", "uses"] == 2
    only_c = resources.catalogue_uptake(hand_db, Scope(Y2023, street=S1, community=C)).set_index("code")
    assert only_c["uses"].to_dict() == {"H1": 0, "L1": 0, "M1": 0, "P1": 4, "U1": 0}


def test_hand_fund_balance_arithmetic(hand_db):
    street = resources.fund_summary(hand_db, Scope(Y2023, street=S1)).iloc[0]
    assert street.to_dict() == pytest.approx({"raised_yuan": 700, "spent_yuan": 400, "balance_yuan": 1300})
    a = resources.fund_summary(hand_db, Scope(Y2023, street=S1, community=A)).iloc[0]
    assert a.to_dict() == pytest.approx({"raised_yuan": 500, "spent_yuan": 400, "balance_yuan": 1100})
    empty = resources.fund_summary(hand_db, Scope(Y2023, street=S2)).iloc[0]
    assert empty.to_dict() == pytest.approx({"raised_yuan": 0, "spent_yuan": 0, "balance_yuan": 0})
    by_month = resources.fund_by_month(hand_db, Scope(Y2023, street=S1))
    assert list(by_month["month"]) == [f"2023-{m:02d}" for m in range(1, 13)]  # every month of the period
    assert list(by_month["raised_yuan"][:5]) == pytest.approx([500, 200, 0, 0, 0])
    assert list(by_month["raised_cumulative"][:6]) == pytest.approx([500, 700, 700, 700, 700, 700])
    assert list(by_month["spent_cumulative"][:6]) == pytest.approx([0, 0, 300, 300, 400, 400])
    assert by_month["spent_cumulative"].iloc[-1] == pytest.approx(400)
    sources = resources.fund_by_source(hand_db, Scope(Y2023, street=S1))
    assert dict(zip(sources["source"], sources["amount_yuan"], strict=True)) == pytest.approx(
        {"个人捐赠": 500, "企业捐赠": 200})


def test_hand_partners_and_venues_are_a_stock_at_the_period_end(hand_db):
    partners = resources.partners_by_street(hand_db, Scope(Y2023))
    assert dict(zip(partners["kind"], partners["units"], strict=True)) == {"企事业单位": 1, "社区社会组织": 1,
                                                                             "爱心商家": 1}
    assert partners["party_cobuilding"].sum() == 2 and partners["public_services"].sum() == 3
    venues = resources.venue_list(hand_db, Scope(Y2023))
    assert sorted(venues["code"]) == ["V0", "V1", "V2"]
    assert list(resources.venue_list(hand_db, Scope(Y2023, street=S2))["code"]) == ["V2"]
    totals = resources.resource_totals(hand_db, Scope(Y2023)).iloc[0]
    assert (totals["partner_units"], totals["caring_merchants"], totals["venues"]) == (2, 1, 3)


def test_hand_gap_ranking_in_a_street(hand_db):
    ranking = resources.demand_gap_ranking(hand_db, Scope(Y2023, street=S1), TEST_MAP)
    assert list(ranking["community_code"]) == [B, A, C, D]
    assert list(ranking["demand_rate"]) == pytest.approx([16, 15, 2, 0])
    assert list(ranking["supply_rate"]) == pytest.approx([0, 1, 4, 2])
    assert list(ranking["gap_score"]) == pytest.approx([1, 1 / 3, -2 / 3, -2 / 3])
    assert list(ranking.loc[ranking["flagged"], "community_code"]) == [B, A]
    assert not ranking["selected"].any()


def test_hand_gap_ranking_in_the_district_and_for_one_community(hand_db):
    ranking = resources.demand_gap_ranking(hand_db, Scope(Y2023), TEST_MAP)
    assert list(ranking["community_code"][:2]) == [E, B]
    assert list(ranking["gap_score"][:3]) == pytest.approx([1.0, 0.75, 0.0])
    assert list(ranking.loc[ranking["flagged"], "community_code"]) == [E, B]
    # a community is ranked among its street's communities, and marked
    chosen = resources.demand_gap_ranking(hand_db, Scope(Y2023, street=S1, community=A), TEST_MAP)
    assert list(chosen["community_code"]) == [B, A, C, D]
    assert list(chosen.loc[chosen["selected"], "community_code"]) == [A]


def test_hand_supply_demand_per_community_and_kind(hand_db):
    detail = resources.supply_demand_by_community(hand_db, Scope(Y2023, street=S1), TEST_MAP)
    table = detail.set_index(["community_code", "resource_kind"])[["requests", "wishes", "uses"]]
    assert len(table) == 4 * 3
    assert table.loc[(A, "法律援助")].tolist() == [10, 0, 1]
    assert table.loc[(A, "心理健康")].tolist() == [5, 0, 0]
    assert table.loc[(B, "法律援助")].tolist() == [6, 0, 0]
    assert table.loc[(B, "帮扶救助")].tolist() == [0, 2, 0]
    assert table.loc[(C, "心理健康")].tolist() == [0, 0, 4]
    assert table.loc[(D, "帮扶救助")].tolist() == [0, 0, 2]
    assert table.loc[(D, "法律援助")].tolist() == [0, 0, 0]  # 2022 requests are outside the period
    by_kind = resources.supply_demand_by_kind(hand_db, Scope(Y2023, street=S1), TEST_MAP).set_index("resource_kind")
    assert by_kind.loc["帮扶救助"].tolist() == [0, 2, 2]  # B's two wishes, D's two uses
    assert by_kind.to_dict("index") == table.groupby(level="resource_kind").sum().to_dict("index")


def test_empty_scope_gives_empty_frames_not_errors(hand_db):
    scope = Scope(Period("2021", date(2021, 1, 1), date(2021, 12, 31), 12), street=S2)
    assert resources.fund_by_month(hand_db, scope).empty
    assert resources.resource_flows(hand_db, scope).empty
    assert resources.venue_list(hand_db, scope).empty
    assert resources.catalogue_uptake(hand_db, scope)["uses"].sum() == 0
    ranking = resources.demand_gap_ranking(hand_db, scope, TEST_MAP)
    assert len(ranking) == 1 and not ranking["flagged"].any()
    assert isinstance(ranking, pd.DataFrame)
