"""Participation queries on SQLite and PostgreSQL: totals, months and units add up, rates per 1,000."""

import pytest

from data_access import geography, participation
from data_access.scope import Period, Scope

BUJI = "440307014"


@pytest.fixture
def period(db):
    return Period("all", *geography.data_range(db))


def test_totals_reproduce_the_articles_figures(db, period):
    totals = participation.participation_totals(db, Scope(period)).iloc[0]
    assert totals["new_volunteers"] == 64645
    assert totals["residents_taking_part"] == 66186
    assert totals["caring_merchants"] == 981
    assert totals["social_organisations"] == 164
    assert totals["courtesy_plans"] == 69
    assert totals["joint_meetings"] == 541
    assert totals["council_sessions"] == 441
    assert totals["issues_settled"] == 589
    assert totals["convenience_services"] == 2179
    assert totals["education_activities"] == 490
    assert totals["active_volunteers"] > 0


def test_months_and_units_add_up_to_the_totals(db, period):
    for scope in (Scope(period), Scope(period, street=BUJI)):
        totals = participation.participation_totals(db, scope).iloc[0]
        monthly = participation.participation_by_month(db, scope)
        by_unit = participation.participation_by_unit(db, scope)
        assert len(monthly) == 34  # January 2021 – October 2023, empty months included
        for column in ("new_volunteers", "residents_taking_part", "joint_meetings", "council_sessions",
                       "issues_settled", "convenience_services", "education_activities", "volunteer_services"):
            assert monthly[column].sum() == totals[column], column
            assert by_unit[column].sum() == totals[column], column
        assert by_unit["caring_merchants"].sum() == totals["caring_merchants"]
        assert by_unit["active_volunteers"].sum() == totals["active_volunteers"]
        assert monthly["active_volunteers"].iloc[-1] == totals["active_volunteers"]
    assert len(participation.participation_by_unit(db, Scope(period))) == 11


def test_rates_per_1000_residents(db, period):
    by_unit = participation.participation_by_unit(db, Scope(period, street=BUJI))
    row = by_unit.iloc[0]
    assert row["new_volunteers_per_1000"] == pytest.approx(1000 * row["new_volunteers"] / row["population"])
    assert by_unit["population"].sum() == geography.scope_population(db, Scope(period, street=BUJI))


def test_previous_period_and_community_scope(db, period):
    year = Period("2023", period.start.replace(year=2023), period.end, 12)
    scope = Scope(year, street=BUJI)
    before = scope.previous(period.start)
    now = participation.participation_totals(db, scope).iloc[0]
    then = participation.participation_totals(db, before).iloc[0]
    assert now["new_volunteers"] != then["new_volunteers"]
    community = geography.communities(db, scope)["code"].iloc[0]
    one = participation.participation_by_unit(db, Scope(year, community=community))
    assert list(one["unit_code"]) == [community]


def test_party_base_by_unit_and_courtesy_plans(db, period):
    scope = Scope(period)
    party = participation.party_base_by_unit(db, scope)
    base = participation.party_base(db, scope).iloc[0]
    assert party["compounds"].sum() == base["compounds"]
    assert party["retired_members_transferred"].sum() == 540
    assert (party["branch_coverage"] == 1).all()
    row = party.iloc[0]
    assert row["members_per_compound"] == pytest.approx(row["party_members"] / row["compounds"])
    plans = participation.courtesy_plans(db, scope)
    assert len(plans) == 69
