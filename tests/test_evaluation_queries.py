"""Evaluation, safety-by-unit and star-rating queries on SQLite and PostgreSQL.

The composite arithmetic is checked on a hand-built database whose answers are
worked out below; the rest runs on the sample data.
"""

from datetime import date

import pandas as pd
import pytest

from data_access import evaluation, geography, safety, schema
from data_access.database import Database
from data_access.domain import SAFETY_MEASURES
from data_access.scope import Period, Scope

A, B = "440307901", "440307902"
Y2023 = Period("2023", date(2023, 1, 1), date(2023, 10, 31), 12)


@pytest.fixture
def hand_db(empty_url):
    """Two streets, three dimensions (one lower-is-better), scores for 2022 and 2023.

    Dimensions: D1 higher, weight 50, target 80; D2 lower, weight 30, target 10;
    D3 higher, weight 20, target 50.
    2023  A: D1 100 → 1.25 capped 1.2; D2 20 → 10/20 = 0.5; D3 missing
             composite = 100 × (50·1.2 + 30·0.5) / (50 + 30) = 7500 / 80 = 93.75
          B: D1 80 → 1.0; D2 5 → 10/5 = 2 capped 1.2; D3 25 → 0.5
             composite = 100 × (50 + 36 + 10) / 100 = 96.0
    2022  A: all on target → 100.0; B: D1 40 → 0.5, D2 and D3 on target → 75.0
    """
    database = Database(empty_url)
    schema.metadata.create_all(database.engine)
    with database.engine.begin() as conn:
        conn.execute(schema.streets.insert(), [
            {"code": A, "name": "甲街道", "name_en": "Street A", "population": 1000, "lat": 22.6, "lon": 114.2},
            {"code": B, "name": "乙街道", "name_en": "Street B", "population": 2000, "lat": 22.7, "lon": 114.3},
        ])
        conn.execute(schema.evaluation_dimensions.insert(), [
            {"code": code, "seq": i, "name": name, "name_en": name, "description": "d", "data_source": "s",
             "direction": direction, "weight": weight, "target": target, "assumed": False}
            for i, (code, name, direction, weight, target) in enumerate(
                [("D1", "一", "higher", 50.0, 80.0), ("D2", "二", "lower", 30.0, 10.0),
                 ("D3", "三", "higher", 20.0, 50.0)], start=1)
        ])
        scores = {(A, 2023): {"D1": 100, "D2": 20}, (B, 2023): {"D1": 80, "D2": 5, "D3": 25},
                  (A, 2022): {"D1": 80, "D2": 10, "D3": 50}, (B, 2022): {"D1": 40, "D2": 10, "D3": 50}}
        conn.execute(schema.evaluation_scores.insert(), [
            {"unit_level": "street", "unit_code": unit, "year": year, "dimension_code": dim, "score": float(score)}
            for (unit, year), dims in scores.items() for dim, score in dims.items()
        ])
    yield database
    database.dispose()


def test_composite_caps_inverts_weights_and_skips_a_missing_dimension(hand_db):
    ranking = evaluation.composite_scores(hand_db, Scope(Y2023), "street", 2023).set_index("code")
    assert ranking.loc[A, "composite"] == pytest.approx(93.75)
    assert ranking.loc[B, "composite"] == pytest.approx(96.0)
    assert ranking.loc[A, "dimensions_scored"] == 2
    assert list(ranking["rank"]) == [1, 2] and ranking.index[0] == B


def test_breakdown_rebuilds_the_composite_step_by_step(hand_db):
    rows = evaluation.composite_breakdown(hand_db, Scope(Y2023), "street", A, 2023).set_index("code")
    assert list(rows.index) == ["D1", "D2", "D3"]
    assert rows.loc["D1", "ratio"] == pytest.approx(1.25)
    assert rows.loc["D1", "capped_ratio"] == pytest.approx(1.2)
    assert rows.loc["D2", "ratio"] == pytest.approx(0.5)  # lower is better: target ÷ score
    assert pd.isna(rows.loc["D3", "score"]) and pd.isna(rows.loc["D3", "contribution"])
    assert rows["scored_weight"].iloc[0] == pytest.approx(80)
    assert rows.loc["D1", "contribution"] == pytest.approx(100 * 50 * 1.2 / 80)
    assert rows.loc["D2", "contribution"] == pytest.approx(100 * 30 * 0.5 / 80)
    assert rows["contribution"].sum() == pytest.approx(93.75)


def test_league_table_rank_change_against_the_year_before(hand_db):
    league = evaluation.league_table(hand_db, Scope(Y2023), "street", 2023).set_index("code")
    assert league.loc[B, "previous_rank"] == 2 and league.loc[B, "rank_change"] == 1
    assert league.loc[A, "previous_rank"] == 1 and league.loc[A, "rank_change"] == -1


def test_dimension_changes_read_the_good_direction(hand_db):
    changes = evaluation.dimension_changes(hand_db, Scope(Y2023, street=A), 2023).set_index("code")
    assert changes.loc["D1", "status"] == "improved"
    assert changes.loc["D2", "status"] == "declined"  # 10 → 20 where lower is better
    assert changes.loc["D3", "status"] == "unknown"
    assert evaluation.improved_or_stable_share(changes) == pytest.approx(0.5)


def test_a_street_role_cannot_open_another_streets_scorecard(hand_db):
    scope = Scope(Y2023, role=f"street:{A}")
    assert evaluation.composite_breakdown(hand_db, scope, "street", B, 2023).empty
    assert not evaluation.composite_breakdown(hand_db, scope, "street", A, 2023).empty


# --- sample data ---------------------------------------------------------------------


@pytest.fixture
def everything(db):
    start, reference = geography.data_range(db)
    return Period("all", start, reference), start


def test_every_streets_breakdown_adds_up_to_its_composite(db, everything):
    period, _ = everything
    scope = Scope(period)
    ranking = evaluation.composite_scores(db, scope, "street", 2023)
    assert len(ranking) == 11
    for item in ranking.itertuples():
        rows = evaluation.composite_breakdown(db, scope, "street", item.code, 2023)
        assert len(rows) == 10
        rebuilt = (100 * rows["weight"] * rows["capped_ratio"]).sum() / rows["weight"].sum()
        assert rows["contribution"].sum() == pytest.approx(item.composite)
        assert rebuilt == pytest.approx(item.composite)


def test_league_table_and_trends(db, everything):
    period, _ = everything
    scope = Scope(period)
    league = evaluation.league_table(db, scope, "community")
    assert len(league) == 111 and league["previous_rank"].notna().all()
    assert league["rank_change"].sum() == 0  # ranks are a permutation each year
    trend = evaluation.dimension_trend(db, scope)
    assert len(trend) == 30 and sorted(trend["year"].unique()) == [2021, 2022, 2023]
    changes = evaluation.dimension_changes(db, scope)
    assert len(changes) == 10 and set(changes["status"]) <= {"improved", "stable", "declined"}
    averages = evaluation.dimension_averages(db, "street", 2023)
    assert len(averages) == 10 and averages["average"].between(50, 100).all()


def test_star_ratings_companies_and_disputes(db, everything):
    period, _ = everything
    scope = Scope(period)
    year = evaluation.rating_year(db, scope)
    assert year == 2023
    distribution = evaluation.rating_distribution(db, scope, year)
    assert set(distribution["stars"]) <= {1, 2, 3, 4, 5}
    buji = evaluation.rating_distribution(db, Scope(period, street="440307014"), year)
    assert buji["compounds"].sum() < distribution["compounds"].sum()
    companies = evaluation.company_rating_changes(db, scope, year)
    assert set(companies["movement"]) <= {"up", "down", "same", "new"}
    assert companies["compounds"].sum() == distribution["compounds"].sum()
    per_community = evaluation.ratings_and_disputes(db, scope, year)
    row = per_community.iloc[0]
    assert row["disputes_per_1000_households"] == pytest.approx(1000 * row["property_disputes"] / row["households"])
    levels = evaluation.disputes_by_star_level(per_community)
    assert levels["communities"].sum() == len(per_community)


def test_glossary_lists_every_dimension_and_indicator(db):
    glossary = evaluation.indicator_glossary(db)
    assert (glossary["kind"] == "dimension").sum() == 10
    assert (glossary["kind"] == "project_indicator").sum() == 18
    assert glossary[["description", "direction", "target", "weight"]].notna().all().all()


def test_safety_by_unit_adds_up_and_keeps_the_decline_formula(db, everything):
    period, start = everything
    scope = Scope(period)
    by_unit = safety.safety_by_unit(db, scope, start)
    assert len(by_unit) == 11
    district = safety.safety_by_month(db, scope)
    for measure in SAFETY_MEASURES:
        assert by_unit[measure].sum() == district[measure].sum()
    one = by_unit.iloc[0]
    assert one["criminal_alerts_per_1000"] == pytest.approx(1000 * one["criminal_alerts"] / one["population"])
    longling = Scope(period, community=geography.communities(db).query("name == '龙岭社区'")["code"].iloc[0])
    single = safety.safety_by_unit(db, longling, start)
    own = safety.safety_yearly_decline(db, longling, start).set_index("measure")["decline"]
    assert len(single) == 1
    for measure in SAFETY_MEASURES:
        assert single[f"{measure}_decline"].iloc[0] == pytest.approx(own[measure])
    months = safety.safety_by_unit_month(db, Scope(period, street="440307014"))
    assert months["unit_code"].nunique() == len(geography.communities(db, Scope(period, street="440307014")))


def test_units_where_rising_lists_negative_declines():
    by_unit = pd.DataFrame({"unit_code": ["a", "b"], "unit_name": ["甲", "乙"],
                            "criminal_alerts_decline": [0.2, -0.1], "neighbour_disputes_decline": [-0.05, 0.1],
                            "property_disputes_decline": [0.3, float("nan")]})
    rising = safety.units_where_rising(by_unit)
    assert sorted(zip(rising["measure"], rising["unit_code"], strict=True)) == [
        ("criminal_alerts", "b"), ("neighbour_disputes", "a")]


def test_average_yearly_decline_formula():
    # the district's criminal alerts, January–October 2021 and 2023
    assert safety.average_yearly_decline(22719, 14107, 2) == pytest.approx(0.212, abs=5e-5)
    assert safety.average_yearly_decline(0, 5, 2) is None
    assert safety.average_yearly_decline(None, 5, 2) is None
