"""Every figure of the calibration table (docs/data.md), computed by the query functions on both engines."""

from datetime import date

import pytest
from summary_paths import raw_rows_only

from data_access import evaluation, participation, projects, requests, resources, safety, summaries
from data_access.domain import REQUEST_CHANNEL_PLATFORM, REQUEST_CHANNEL_VISIT
from data_access.geography import data_range
from data_access.scope import Period, Scope


@pytest.fixture(autouse=True, params=["summaries", "raw rows"])
def path(request, db, monkeypatch):
    """Every figure is checked twice: read from the summary tables, and from the raw rows (summaries
    off, and no summary table read)."""
    if request.param == "summaries":
        assert summaries.covered(db, None), "the summaries should cover the whole span"
        yield request.param
    else:
        with raw_rows_only(monkeypatch, db):
            yield request.param


@pytest.fixture
def everything(db):
    start, reference = data_range(db)
    return Scope(Period("all", start, reference)), start


def test_data_span_and_reference_date(db):
    assert data_range(db) == (date(2021, 1, 1), date(2023, 10, 31))


def test_projects_and_difficulties(db, everything):
    scope, _ = everything
    totals = projects.project_totals(db, scope).iloc[0]
    assert totals["projects"] == 578
    assert totals["difficulties_solved"] == 7636
    assert projects.project_stage_counts(db, scope)["projects"].sum() == 578
    assert len(projects.project_indicators(db)) == 18


def test_requests_resolved_through_the_platform_and_resident_talks(db, everything):
    scope, _ = everything
    channels = requests.requests_by_channel(db, scope).set_index("channel")
    assert channels.loc[REQUEST_CHANNEL_PLATFORM, "resolved"] == 31712
    assert channels.loc[REQUEST_CHANNEL_VISIT, "received"] == 2115
    assert channels.loc[REQUEST_CHANNEL_VISIT, "resolved"] == 1802
    assert requests.request_totals(db, scope)["platform_resolved"].iloc[0] == 31712


def test_micro_wishes_fulfilled(db, everything):
    scope, _ = everything
    assert requests.wish_totals(db, scope)["fulfilled"].iloc[0] == 868


def test_participation_figures(db, everything):
    scope, _ = everything
    events = participation.events_by_kind(db, scope).set_index("kind")
    assert events.loc["便民服务", "events"] == 2179
    assert events.loc["联席会", "events"] == 541
    assert events.loc["议事会", "events"] == 441
    assert events.loc["议事会", "issues_settled"] == 589
    assert events.loc["志愿服务", "events"] == 1487
    assert events.loc["教育活动", "events"] == 490
    volunteers = participation.volunteer_totals(db, scope).iloc[0]
    assert volunteers["new_volunteers"] == 64645
    assert volunteers["residents_taking_part"] == 66186
    assert participation.courtesy_plan_count(db, scope) == 69
    base = participation.party_base(db, scope).iloc[0]
    assert base["with_party_branch"] == base["compounds"] > 0
    assert base["retired_members_transferred"] == 540


def test_resource_sharing_figures(db, everything):
    scope, _ = everything
    totals = resources.resource_totals(db, scope).iloc[0]
    assert totals["resource_items"] == 42
    assert totals["service_items"] == 38
    assert totals["partner_units"] == 992
    assert totals["social_organisations"] == 164
    assert totals["caring_merchants"] == 981
    assert totals["public_services"] == 373
    assert totals["venues"] == 380
    assert totals["fund_raised_yuan"] == pytest.approx(5_330_000, abs=0.005)


def test_safety_average_yearly_declines(db, everything):
    scope, start = everything
    declines = safety.safety_yearly_decline(db, scope, start).set_index("measure")["decline"]
    assert round(declines["criminal_alerts"] * 100, 2) == 21.20
    assert round(declines["neighbour_disputes"] * 100, 2) == 21.49
    assert round(declines["property_disputes"] * 100, 2) == 30.00


def test_indicator_and_dimension_counts(db):
    dims = evaluation.dimensions(db)
    assert len(dims) == 10
    assert dims["weight"].sum() == pytest.approx(100)
    named = set(dims.loc[~dims["assumed"].astype(bool), "name"])
    assert {"党建统筹", "议事协商", "组织动员", "德治建设"} <= named
