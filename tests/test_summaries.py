"""The summary tables agree with the raw rows: after a load, after an import, for every kind of scope.

Every summary-backed query is run twice, once from the summaries and once with them switched
off (the raw-row path), and the two frames must be equal.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from import_db import fresh_url, table_fingerprint
from sqlalchemy import func, select
from summary_paths import raw_rows_only
from test_importer import example, zh_file

from data_access import (
    community_measures,
    evaluation,
    geography,
    importer,
    participation,
    projects,
    requests,
    resources,
    safety,
    schema,
    summaries,
    summary_rows,
)
from data_access.database import Database
from data_access.scope import Scope, parse_period

BUJI, LONGLING = "440307014", "440307014003"
START, REFERENCE = date(2021, 1, 1), date(2023, 10, 31)


def scope(period: str = "all", street=None, community=None, role="district") -> Scope:
    return Scope(parse_period(period, START, REFERENCE), street, community, role)


SCOPES = {
    "district-all": scope(),
    "district-2023": scope("2023"),
    "street-quarter": scope("2023-Q3", BUJI),
    "community-2022": scope("2022", BUJI, LONGLING),
    "street-role": scope("2022", role=f"street:{BUJI}"),
    "street-role-elsewhere": scope("all", community="440307004001", role=f"street:{BUJI}"),
    "previous-quarter": scope("2023-Q2", BUJI).previous(START),
}

TARGETS = requests.load_request_targets()
QUERIES = {
    "totals": lambda db, s: requests.request_totals(db, s),
    "by_channel": lambda db, s: requests.requests_by_channel(db, s),
    "by_month": lambda db, s: requests.requests_by_month(db, s),
    "by_category": lambda db, s: requests.requests_by_category(db, s),
    "funnel": lambda db, s: requests.status_funnel(db, s),
    "responsiveness": lambda db, s: requests.responsiveness(db, s, targets=TARGETS),
    "responsiveness-category": lambda db, s: requests.responsiveness(db, s, "category", targets=TARGETS),
    "responsiveness-street": lambda db, s: requests.responsiveness(db, s, "street", targets=TARGETS),
    "responsiveness-community": lambda db, s: requests.responsiveness(db, s, "community", targets=TARGETS),
    "per_thousand": lambda db, s: requests.requests_per_thousand(db, s),
    "satisfaction": lambda db, s: requests.satisfaction_distribution(db, s),
    "satisfaction-category": lambda db, s: requests.satisfaction_by(db, s, "category"),
    "satisfaction-street": lambda db, s: requests.satisfaction_by(db, s, "street"),
    "map-district": lambda db, s: community_measures.unit_measures(db, s, "district"),
    "map-street": lambda db, s: community_measures.unit_measures(db, s, "street"),
    "map-community": lambda db, s: community_measures.unit_measures(db, s, "community"),
    "backlog": lambda db, s: requests.open_requests_by_status(db, s, REFERENCE),
    "stalest": lambda db, s: requests.stalest_open_requests(db, s, REFERENCE),
    "supply-demand": lambda db, s: resources.supply_demand_by_community(db, s),
    "supply-demand-by-kind": lambda db, s: resources.supply_demand_by_kind(db, s),
    "gap-ranking": lambda db, s: resources.demand_gap_ranking(db, s),
    "project-board": lambda db, s: projects.project_board(db, s, REFERENCE),
    "board-view": lambda db, s: pd.concat(projects.board_view(db, s, REFERENCE, projects.BoardView(), 3, 5)),
    "stalled-projects": lambda db, s: projects.stalled_projects(db, s, REFERENCE),
    "acceptance-totals": lambda db, s: projects.acceptance_totals(db, s),
    "acceptance-average": lambda db, s: projects.acceptance_average(db, s),
    "participation": lambda db, s: participation.participation_totals(db, s),
    "participation-by-unit": lambda db, s: participation.participation_by_unit(db, s),
    "participation-by-month": lambda db, s: participation.participation_by_month(db, s),
    "resource-totals": lambda db, s: resources.resource_totals(db, s),
    "wishes": lambda db, s: requests.wish_totals(db, s),
    "composite-communities": lambda db, s: evaluation.composite_scores(db, s),
    "composite-streets": lambda db, s: evaluation.composite_scores(db, s, "street"),
    "safety-by-month": lambda db, s: safety.safety_by_month(db, s),
    "safety-decline": lambda db, s: safety.safety_yearly_decline(db, s, START),
    "safety-by-unit": lambda db, s: safety.safety_by_unit(db, s, START),
    "safety-by-unit-month": lambda db, s: safety.safety_by_unit_month(db, s),
    "indicator-averages-street": lambda db, s: projects.indicator_averages(db, s, "street"),
    "indicator-averages-community": lambda db, s: projects.indicator_averages(db, s, "community"),
    "weakest-indicators": lambda db, s: projects.weakest_indicators(db, s),
    "volunteers": lambda db, s: participation.volunteer_totals(db, s),
    "events": lambda db, s: participation.events_by_kind(db, s),
}


def _normal(frame: pd.DataFrame) -> pd.DataFrame:
    """Same rows in a stable order, numbers as floats, missing as NaN (the engines differ in types)."""
    frame = frame.reset_index(drop=True).copy()
    for column in frame.columns:
        numeric = pd.to_numeric(frame[column], errors="coerce")
        if numeric.notna().sum() == frame[column].notna().sum():
            frame[column] = numeric.astype(float)
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def raw(monkeypatch, fn, db, scope_):
    with raw_rows_only(monkeypatch, db):
        return fn(db, scope_)


def assert_agree(monkeypatch, db: Database, name: str, scope_: Scope) -> None:
    assert summaries.covered(db, scope_.period), "the summaries should cover every period option"
    from_summary = QUERIES[name](db, scope_)
    from_rows = raw(monkeypatch, QUERIES[name], db, scope_)
    pd.testing.assert_frame_equal(_normal(from_summary), _normal(from_rows), check_dtype=False, rtol=1e-9,
                                  obj=f"{name} {scope_}")


@pytest.mark.parametrize("scope_name", list(SCOPES))
@pytest.mark.parametrize("name", list(QUERIES))
def test_summaries_agree_with_raw_rows_after_a_load(db, monkeypatch, name, scope_name):
    assert_agree(monkeypatch, db, name, SCOPES[scope_name])


def test_every_period_option_and_previous_span_is_covered(db):
    for option_scope in SCOPES.values():
        assert summaries.covered(db, option_scope.period)
    assert summaries.covered(db, scope().period, TARGETS)
    other_targets = (("*", 99.0),)
    assert not summaries.covered(db, scope().period, other_targets)


def test_recorded_data_range_is_the_scanned_one(db):
    assert geography.data_range(db) == geography.scan_range(db.scalar) == (START, REFERENCE)


def test_other_targets_fall_back_to_the_raw_rows(db):
    strict = tuple((k, 0.5) for k, _ in TARGETS)
    frame = requests.responsiveness(db, SCOPES["district-all"], targets=strict)
    default = requests.responsiveness(db, SCOPES["district-all"], targets=TARGETS)
    assert frame["on_time"].iloc[0] < default["on_time"].iloc[0]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def imported_db(request, tmp_path_factory):
    """A copy of the sample database with two new requests imported (one resolved).

    Built once per engine for this module: the tests that use it only read it.
    """
    database = Database(fresh_url(request.param, request, tmp_path_factory.mktemp("imported")))
    rows = [
        example("requests", id="R2023900001", community_code=LONGLING, submitted_at="2023-09-03 09:00:00",
                accepted_at="2023-09-03 10:00:00", resolved_at="2023-09-04 09:00:00",
                closed_at="2023-09-05 09:00:00", status="已关闭", satisfaction=5),
        example("requests", id="R2023900002", community_code=LONGLING, submitted_at="2023-09-04 09:00:00",
                accepted_at="", resolved_at="", closed_at="", status="待受理", satisfaction=""),
    ]
    report = importer.import_bytes(database.engine, "requests", zh_file("requests", rows), "诉求.csv")
    assert report.ok, report.problems
    yield database
    database.dispose()


@pytest.mark.parametrize("name", ["totals", "by_month", "by_category", "funnel", "responsiveness-community",
                                  "per_thousand", "map-community", "backlog", "stalest", "gap-ranking", "wishes",
                                  "participation", "safety-by-month", "resource-totals", "acceptance-average",
                                  "weakest-indicators", "safety-by-unit", "supply-demand-by-kind",
                                  "composite-communities"])
def test_summaries_follow_an_import(imported_db, monkeypatch, name):
    quarter = scope("2023-Q3", BUJI, LONGLING)
    assert_agree(monkeypatch, imported_db, name, quarter)
    assert_agree(monkeypatch, imported_db, name, scope())


def test_imported_requests_are_counted(imported_db, db):
    quarter = scope("2023-Q3", BUJI, LONGLING)
    before = requests.request_totals(db, quarter).iloc[0]
    after = requests.request_totals(imported_db, quarter).iloc[0]
    assert (after["received"], after["resolved"]) == (before["received"] + 2, before["resolved"] + 1)
    R = schema.requests
    assert imported_db.scalar(select(func.count()).select_from(R)) == db.scalar(select(func.count()).select_from(R)) + 2




def test_a_full_rebuild_outlasts_the_statement_timeout_of_the_pages(request, tmp_path):
    """On PostgreSQL every connection has the pages' statement timeout; a city's rebuild runs statements
    for minutes (python -m data_access.summaries failed on the city's 2,000,000 requests), so the rebuild
    lifts it for its transaction. Here the timeout is 1 ms, which the builders' statements outlast."""
    database = Database(fresh_url("postgresql", request, tmp_path))
    try:
        names = {table.name for table in schema.SUMMARY_TABLES}
        built_at_load = table_fingerprint(database, names)
        with database.engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL statement_timeout = 1")
            summaries.refresh(conn)
        assert table_fingerprint(database, names) == built_at_load
    finally:
        database.dispose()


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_a_database_from_before_the_summaries_is_read_from_its_raw_rows(engine_name, request, tmp_path):
    database = Database(fresh_url(engine_name, request, tmp_path))
    try:
        assert summaries.covered(database, SCOPES["district-all"].period)
        with database.engine.begin() as conn:
            for table in reversed(schema.SUMMARY_TABLES):
                table.drop(conn)
            INFO = schema.dataset_info
            conn.execute(INFO.delete().where(INFO.c.key.in_(["summary_version", "summary_targets"])))
        assert not summaries.covered(database, None)
        assert not summaries.covered(database, SCOPES["district-all"].period)
        totals = requests.request_totals(database, SCOPES["district-all"])
        assert totals["received"].iloc[0] == database.scalar(select(func.count()).select_from(schema.requests))
    finally:
        database.dispose()


def test_summaries_built_by_another_version_are_not_used(db, monkeypatch):
    """After an upgrade that changes a summary table, the raw rows answer until the summaries are rebuilt."""
    assert summaries.covered(db, SCOPES["district-all"].period)
    monkeypatch.setattr(summary_rows, "SUMMARY_VERSION", "another layout")  # the readers' version check
    assert not summaries.covered(db, SCOPES["district-all"].period)
    assert not summaries.covered(db, None)
