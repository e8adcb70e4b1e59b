"""Query functions on SQLite and PostgreSQL: scope filtering, arithmetic and empty results."""

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Column, Float, MetaData, String, Table, select

from data_access import evaluation, geography, participation, projects, requests, resources, safety
from data_access.scope import Period, Scope, period_options
from data_access.sql import percentile_select

BUJI = "440307014"


@pytest.fixture
def span(db):
    return geography.data_range(db)


@pytest.fixture
def all_period(span):
    return Period("all", *span)


def _longling(db):
    frame = geography.communities(db)
    return frame.loc[frame["name"] == "龙岭社区"].iloc[0]


def test_percentiles_match_linear_interpolation(db):
    """p50 and p90 against values computed by hand, with groups of even, odd and single size."""
    meta = MetaData()
    table = Table("pct_fixture", meta, Column("g", String(2)), Column("v", Float))
    rows = [("a", v) for v in (1, 2, 3, 4)] + [("b", v) for v in (10, 0, 5)] + [("c", 7.5)] + [("a", None)]
    meta.create_all(db.engine)
    try:
        with db.engine.begin() as conn:
            conn.execute(table.insert(), [{"g": g, "v": v} for g, v in rows])
        frame = db.frame(percentile_select(select(table.c.g, table.c.v), "v", ["g"], [50, 90])).set_index("g")
    finally:
        meta.drop_all(db.engine)
    # a: 1,2,3,4 → p50 = 2.5, p90 = 3 + 0.7·1 = 3.7; b: 0,5,10 → 5 and 9; c: one value
    assert frame.loc["a", "p50"] == pytest.approx(2.5)
    assert frame.loc["a", "p90"] == pytest.approx(3.7)
    assert frame.loc["b", "p50"] == pytest.approx(5)
    assert frame.loc["b", "p90"] == pytest.approx(9)
    assert frame.loc["c", "p50"] == pytest.approx(7.5)
    assert frame.loc["c", "p90"] == pytest.approx(7.5)


def test_streets_add_up_to_the_district(db, all_period):
    district = Scope(all_period)
    streets = geography.streets(db)
    assert len(streets) == 11
    assert len(geography.communities(db)) == 111
    totals = [requests.request_totals(db, Scope(all_period, street=s))["received"].iloc[0] for s in streets["code"]]
    assert sum(totals) == requests.request_totals(db, district)["received"].iloc[0]
    project_counts = [projects.project_totals(db, Scope(all_period, street=s))["projects"].iloc[0]
                      for s in streets["code"]]
    assert sum(project_counts) == 578
    assert min(project_counts) > 0


def test_a_street_filter_changes_every_figure(db, all_period):
    district, buji = Scope(all_period), Scope(all_period, street=BUJI)
    for fn in (projects.project_totals, requests.request_totals, requests.wish_totals,
               participation.volunteer_totals):
        whole, part = fn(db, district).iloc[0], fn(db, buji).iloc[0]
        first = fn(db, district).columns[0]
        assert 0 < part[first] < whole[first], fn.__name__
    whole = resources.resource_totals(db, district).iloc[0]
    part = resources.resource_totals(db, buji).iloc[0]
    assert part["partner_units"] < whole["partner_units"]
    assert part["resource_items"] == whole["resource_items"] == 42  # district lists are not per place


def test_scope_population_sums_communities(db, all_period):
    communities = geography.communities(db)
    assert geography.scope_population(db, Scope(all_period)) == communities["population"].sum()
    buji = communities.loc[communities["street_code"] == BUJI, "population"].sum()
    assert geography.scope_population(db, Scope(all_period, street=BUJI)) == buji
    longling = _longling(db)
    scope = Scope(all_period, street=BUJI, community=longling["code"])
    assert geography.scope_population(db, scope) == longling["population"]


def test_community_scope_and_its_street(db, all_period):
    longling = _longling(db)
    assert longling["street_code"] == BUJI and bool(longling["is_pilot"])
    scope = Scope(all_period, street=BUJI, community=longling["code"])
    assert scope.level == "community"
    frame = requests.requests_by_month(db, scope)
    assert frame["received"].sum() == requests.request_totals(db, scope)["received"].iloc[0]
    # the pilot community starts before the roll-out reaches the others
    assert frame["month"].iloc[0] == "2021-01"
    assert list(geography.communities(db, scope)["street_code"].unique()) == [BUJI]


def test_street_role_sees_only_its_street_whatever_it_asks(db, all_period):
    longling = _longling(db)
    role = "street:440307013"  # 坂田 office asking for 布吉 and one of its communities
    asked = Scope(all_period, street=BUJI, community=longling["code"], role=role)
    assert requests.request_totals(db, asked)["received"].iloc[0] == 0
    assert projects.project_totals(db, asked)["projects"].iloc[0] == 0
    own = Scope(all_period, role=role)
    assert own.effective_street == "440307013"
    assert set(geography.communities(db, own)["street_code"]) == {"440307013"}
    assert list(geography.streets(db, own)["code"]) == ["440307013"]
    ranking = evaluation.composite_scores(db, own, level="street")
    assert list(ranking["code"]) == ["440307013"]


def test_empty_period_gives_zeros_not_errors(db):
    empty = Scope(Period("2020", date(2020, 1, 1), date(2020, 12, 31), 12))
    assert projects.project_totals(db, empty)["projects"].iloc[0] == 0
    assert projects.project_stage_counts(db, empty)["projects"].sum() == 0
    totals = requests.request_totals(db, empty).iloc[0]
    assert totals["received"] == 0 and pd.isna(totals["median_days"])
    assert requests.requests_by_month(db, empty).empty
    assert requests.wish_totals(db, empty)["posted"].iloc[0] == 0
    assert resources.resource_totals(db, empty)["fund_raised_yuan"].iloc[0] == 0
    assert participation.events_by_kind(db, empty)["events"].sum() == 0
    assert safety.safety_by_month(db, empty).empty
    assert evaluation.composite_scores(db, empty).empty


def test_request_totals_arithmetic(db, all_period):
    totals = requests.request_totals(db, Scope(all_period, street=BUJI)).iloc[0]
    assert totals["unresolved"] == totals["received"] - totals["resolved"]
    assert totals["resolution_rate"] == pytest.approx(totals["resolved"] / totals["received"])
    assert 0 < totals["median_days"] < totals["p90_days"]
    assert 1 <= totals["satisfaction"] <= 5


def test_periods_partition_the_whole(db, span):
    options = {p.key: p for p in period_options(*span)}
    years = [requests.request_totals(db, Scope(options[y]))["received"].iloc[0] for y in ("2021", "2022", "2023")]
    whole = requests.request_totals(db, Scope(options["all"]))["received"].iloc[0]
    assert sum(years) == whole
    quarters = [requests.request_totals(db, Scope(options[f"2022-Q{q}"]))["received"].iloc[0] for q in range(1, 5)]
    assert sum(quarters) == years[1]


def test_decline_window_rules(span):
    start, reference = span
    options = {p.key: p for p in period_options(start, reference)}
    assert safety.decline_window(Scope(options["all"]), start) == (2021, 2023, list(range(1, 11)))
    assert safety.decline_window(Scope(options["2022"]), start) == (2021, 2022, list(range(1, 13)))
    assert safety.decline_window(Scope(options["2023-Q3"]), start) == (2022, 2023, [7, 8, 9])


def test_single_year_decline_matches_the_totals(db, span):
    start, reference = span
    scope = Scope({p.key: p for p in period_options(start, reference)}["2022"])
    frame = safety.safety_yearly_decline(db, scope, start).set_index("measure")
    row = frame.loc["criminal_alerts"]
    assert row["decline"] == pytest.approx(1 - row["last_total"] / row["first_total"])
    monthly = safety.safety_by_month(db, scope)
    assert monthly["criminal_alerts"].sum() == row["last_total"]


def test_composite_is_built_from_capped_weighted_ratios(db, all_period):
    """Rebuild one community's composite by hand from its dimension scores."""
    scope = Scope(all_period, street=BUJI)
    ranking = evaluation.composite_scores(db, scope)
    assert list(ranking["rank"]) == list(range(1, len(ranking) + 1))
    assert ranking["composite"].is_monotonic_decreasing
    code, year = ranking["code"].iloc[0], int(ranking["year"].iloc[0])
    dims = evaluation.dimensions(db).set_index("code")
    scores = db.frame(select(evaluation.ES).where(evaluation.ES.c.unit_code == code, evaluation.ES.c.year == year))
    total = weights = 0.0
    for row in scores.itertuples():
        d = dims.loc[row.dimension_code]
        ratio = d["target"] / row.score if d["direction"] == "lower" else row.score / d["target"]
        total += d["weight"] * min(ratio, evaluation.COMPOSITE_CAP)
        weights += d["weight"]
    assert ranking["composite"].iloc[0] == pytest.approx(100 * total / weights)
