"""Request queries on SQLite and PostgreSQL: a hand-built fixture with known answers, then the sample data."""

from datetime import date, datetime, timedelta

import pytest

from data_access import geography, requests, schema
from data_access.database import Database
from data_access.domain import REQUEST_OPEN_STATUSES
from data_access.scope import Period, Scope

REFERENCE = date(2023, 10, 31)
T0 = datetime(2023, 3, 1, 8, 0, 0)
#: Category A's target is 3 days; B falls back to the default of 7.
TARGETS = (("A", 3.0), ("*", 7.0))
RAW_NAMES = {"张三丰", "李四", "欧阳娜娜"}
RAW_PHONES = {"13812345678", "13900001111", "18688889999"}


def _request(rid, category, community, days, status, *, name="张三丰", phone="13812345678", satisfaction=None):
    resolved = T0 + timedelta(days=days) if days is not None else None
    return {
        "id": rid, "channel": "平安码上办", "category": category, "community_code": community,
        "compound_code": None, "lat": 22.7, "lon": 114.2, "submitted_at": T0, "accepted_at": T0 + timedelta(hours=1),
        "resolved_at": resolved, "closed_at": None, "status": status, "handling_unit": "测试单位",
        "satisfaction": satisfaction, "requester_name": name, "requester_phone": phone, "description": "测试",
    }


@pytest.fixture
def fixture_db(empty_url):
    """Two streets, three communities; category A takes 1, 2, 3 and 4 days in community C1 (3 is exactly
    at target), B takes 10 and 20 days in C2, C3 has one fast request; three open requests in C1."""
    db = Database(empty_url)
    schema.metadata.create_all(db.engine)
    rows = [
        _request("R1", "A", "C1", 1, "已办结", satisfaction=5),
        _request("R2", "A", "C1", 2, "已关闭", name="李四", phone="13900001111", satisfaction=4),
        _request("R3", "A", "C1", 3, "已办结", satisfaction=4),
        _request("R4", "A", "C1", 4, "已办结", name="欧阳娜娜", phone="18688889999", satisfaction=1),
        _request("R5", "B", "C2", 10, "已办结"),
        _request("R6", "B", "C2", 20, "已关闭", satisfaction=3),
        _request("R7", "A", "C3", 0.5, "已办结"),
        _request("R8", "A", "C1", None, "办理中"),
        _request("R9", "B", "C1", None, "已上报"),
        _request("R10", "B", "C1", None, "待受理"),
    ]
    history = [
        ("R8", 1, "待受理", T0), ("R8", 2, "已受理", T0 + timedelta(hours=1)),
        ("R8", 3, "办理中", datetime(2023, 10, 21)),
        ("R9", 1, "待受理", T0), ("R9", 2, "已受理", T0 + timedelta(hours=1)),
        ("R9", 3, "已上报", datetime(2023, 4, 1)),
        ("R10", 1, "待受理", datetime(2023, 9, 1)),
        ("R1", 1, "待受理", T0), ("R1", 2, "已受理", T0), ("R1", 3, "办理中", T0), ("R1", 4, "已办结", T0),
        ("R2", 1, "待受理", T0), ("R2", 2, "已受理", T0), ("R2", 3, "已办结", T0), ("R2", 4, "已关闭", T0),
    ]
    with db.engine.begin() as conn:
        conn.execute(schema.streets.insert(), [
            {"code": "S1", "name": "甲街道", "name_en": "Jia", "population": 1, "lat": 0, "lon": 0},
            {"code": "S2", "name": "乙街道", "name_en": "Yi", "population": 1, "lat": 0, "lon": 0},
        ])
        conn.execute(schema.communities.insert(), [
            {"code": c, "street_code": s, "name": n, "population": p, "households": 1, "is_pilot": False,
             "lat": 0, "lon": 0}
            for c, s, n, p in [("C1", "S1", "一社区", 2000), ("C2", "S1", "二社区", 1000), ("C3", "S2", "三社区", 500)]
        ])
        conn.execute(schema.requests.insert(), rows)
        conn.execute(schema.request_status_history.insert(), [
            {"request_id": r, "seq": s, "status": st, "changed_at": at} for r, s, st, at in history
        ])
    yield db
    db.dispose()


@pytest.fixture
def whole():
    return Scope(Period("all", date(2023, 1, 1), REFERENCE))


def test_percentiles_match_hand_computed_values(fixture_db, whole):
    """Category A in C1: 1, 2, 3, 4 days → median 2.5, p90 = 3 + 0.7·1 = 3.7 (linear interpolation)."""
    scope = Scope(whole.period, street="S1", community="C1")
    frame = requests.responsiveness(fixture_db, scope, "category", targets=TARGETS).set_index("key")
    assert frame.loc["A", "resolved"] == 4
    assert frame.loc["A", "median_days"] == pytest.approx(2.5, abs=1e-6)
    assert frame.loc["A", "p90_days"] == pytest.approx(3.7, abs=1e-6)


def test_exactly_at_target_counts_as_on_time(fixture_db, whole):
    scope = Scope(whole.period, street="S1", community="C1")
    row = requests.responsiveness(fixture_db, scope, "category", targets=TARGETS).set_index("key").loc["A"]
    assert row["on_time"] == 3  # 1, 2 and exactly 3 days; 4 days is late
    assert row["on_time_share"] == pytest.approx(0.75)
    # a target one day shorter makes the boundary request late
    tighter = requests.responsiveness(fixture_db, scope, "category", targets=(("A", 2.0), ("*", 7.0)))
    assert tighter.set_index("key").loc["A", "on_time"] == 2


def test_league_ranks_fastest_first_and_overall_row(fixture_db, whole):
    streets = requests.responsiveness(fixture_db, whole, "street", targets=TARGETS)
    assert list(streets["name"]) == ["乙街道", "甲街道"]  # 0.5 days against a median of 3.5
    assert list(streets["rank"]) == [1, 2]
    communities = requests.responsiveness(fixture_db, whole, "community", targets=TARGETS)
    assert list(communities["key"]) == ["C3", "C1", "C2"]
    assert list(communities["street_name"]) == ["乙街道", "甲街道", "甲街道"]
    overall = requests.responsiveness(fixture_db, whole, targets=TARGETS).iloc[0]
    assert overall["resolved"] == 7
    assert overall["median_days"] == pytest.approx(3.0)  # 0.5 1 2 [3] 4 10 20
    # B (target 7): 10 and 20 days are late; A: 0.5, 1, 2, 3 on time
    assert overall["on_time"] == 4


def test_backlog_oldest_last_change_first(fixture_db, whole):
    stalest = requests.stalest_open_requests(fixture_db, whole, REFERENCE)
    assert list(stalest["id"]) == ["R9", "R10", "R8"]
    assert set(stalest["status"]) <= set(REQUEST_OPEN_STATUSES)
    # idle days run to the end of the reference day: 2023-10-21 00:00 → 2023-11-01 00:00
    assert stalest.set_index("id").loc["R8", "idle_days"] == pytest.approx(11.0, abs=1e-6)
    by_status = requests.open_requests_by_status(fixture_db, whole, REFERENCE).set_index("status")
    assert by_status["open"].sum() == 3
    assert by_status.loc["已上报", "open"] == 1


def test_backlog_and_export_are_masked(fixture_db, whole):
    for frame in (requests.stalest_open_requests(fixture_db, whole, REFERENCE),
                  requests.requests_for_export(fixture_db, whole)):
        assert not set(frame["requester_name"]) & RAW_NAMES
        assert not set(frame["requester_phone"]) & RAW_PHONES
    export = requests.requests_for_export(fixture_db, whole).set_index("id")
    assert export.loc["R4", "requester_name"] == "欧阳**"  # a compound surname stays whole (#26)
    assert export.loc["R4", "requester_phone"] == "186****9999"


def test_export_is_capped_newest_first(fixture_db, whole):
    frame = requests.requests_for_export(fixture_db, whole, limit=4)
    assert len(frame) == 4
    assert frame["submitted_at"].is_monotonic_decreasing


def test_status_funnel_counts_requests_reaching_each_status(fixture_db, whole):
    funnel = requests.status_funnel(fixture_db, whole).set_index("status")
    assert funnel.loc["待受理", "reached"] == 5
    assert funnel.loc["办理中", "reached"] == 2
    assert funnel.loc["已关闭", "reached"] == 1
    assert funnel.loc["已上报", "reached"] == 1
    assert funnel.loc["已办结", "current"] == 5


def test_per_thousand_satisfaction_and_categories(fixture_db, whole):
    per = requests.requests_per_thousand(fixture_db, whole).set_index("code")
    assert per.loc["C1", "received"] == 7
    assert per.loc["C1", "per_thousand"] == pytest.approx(3.5)
    assert per.loc["C3", "per_thousand"] == pytest.approx(2.0)
    dist = requests.satisfaction_distribution(fixture_db, whole).set_index("score")
    assert list(dist["requests"]) == [1, 0, 1, 2, 1]
    assert dist["share"].sum() == pytest.approx(1)
    by_cat = requests.satisfaction_by(fixture_db, whole, "category").set_index("key")
    assert by_cat.loc["A", "satisfaction"] == pytest.approx(3.5)
    cats = requests.requests_by_category(fixture_db, whole).set_index("category")
    assert cats.loc["A", "received"] == 6 and cats.loc["A", "resolved"] == 5


def test_targets_file_is_read_with_a_default(tmp_path):
    config = tmp_path / "targets.toml"
    config.write_text('default_days = 6\n[categories]\n"信访投诉" = 20\n', encoding="utf-8")
    targets = dict(requests.load_request_targets(config))
    assert targets["信访投诉"] == 20 and targets["法律服务"] == 6 and targets["*"] == 6
    frame = requests.targets_frame(requests.load_request_targets(config))
    assert frame["category"].iloc[0] == "信访投诉"
    config.write_text('default_days = 0\n', encoding="utf-8")
    with pytest.raises(ValueError):
        requests.load_request_targets(config)


def test_the_shipped_targets_cover_every_category():
    frame = requests.targets_frame()
    assert len(frame) >= 8 and (frame["target_days"] > 0).all()


# --- the sample data ----------------------------------------------------------------------


@pytest.fixture
def sample_scope(db):
    start, reference = geography.data_range(db)
    return Scope(Period("all", start, reference)), reference


def test_sample_league_tables(db, sample_scope):
    scope, _ = sample_scope
    targets = requests.load_request_targets()
    streets = requests.responsiveness(db, scope, "street", targets=targets)
    communities = requests.responsiveness(db, scope, "community", targets=targets)
    assert len(streets) == 11 and len(communities) == 111
    for league in (streets, communities):
        assert league["median_days"].is_monotonic_increasing
        assert list(league["rank"]) == list(range(1, len(league) + 1))
        assert league["on_time_share"].between(0, 1).all()
    overall = requests.responsiveness(db, scope, targets=targets).iloc[0]
    totals = requests.request_totals(db, scope).iloc[0]
    assert overall["resolved"] == totals["resolved"]
    assert overall["median_days"] == pytest.approx(totals["median_days"])
    assert totals["platform_resolved"] == 31712


def test_sample_backlog_and_wishes(db, sample_scope):
    scope, reference = sample_scope
    stalest = requests.stalest_open_requests(db, scope, reference, 30)
    assert len(stalest) == 30
    assert stalest["last_change"].is_monotonic_increasing
    assert stalest["idle_days"].is_monotonic_decreasing
    claimers = requests.wishes_by_claimer(db, scope)
    assert claimers["fulfilled"].sum() == requests.wish_totals(db, scope)["fulfilled"].iloc[0] == 868
    assert requests.wish_fulfilment_times(db, scope)["wishes"].sum() == 868


def test_sample_community_scope(db, sample_scope):
    scope, reference = sample_scope
    communities = geography.communities(db)
    longling = communities.loc[communities["name"] == "龙岭社区"].iloc[0]
    local = Scope(scope.period, street=longling["street_code"], community=longling["code"])
    assert len(requests.responsiveness(db, local, "community")) == 1
    per = requests.requests_per_thousand(db, local)
    assert list(per["code"]) == [longling["code"]]
    export = requests.requests_for_export(db, local)
    assert (export["community_code"] == longling["code"]).all()
