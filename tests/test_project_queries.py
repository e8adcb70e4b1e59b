"""Project board queries on SQLite and PostgreSQL: roll-ups checked by hand, overdue and stalled
boundaries, the acceptance scorecard, role limits and empty scopes."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event

from data_access import projects
from data_access.database import Database
from data_access.loader import SAMPLE_DIR, load_csv_dir
from data_access.scope import Period, Scope, period_options

REFERENCE = date(2023, 10, 31)
ALL = Period("all", date(2023, 1, 1), REFERENCE)
S1, S2 = "440307001", "440307002"
C11, C12, C21 = "440307001001", "440307001002", "440307002001"

STREETS = [
    {"code": S1, "name": "甲街道", "name_en": "Jia", "population": 1000, "lat": 22.7, "lon": 114.2},
    {"code": S2, "name": "乙街道", "name_en": "Yi", "population": 1000, "lat": 22.7, "lon": 114.3},
]
COMMUNITIES = [
    {"code": c, "street_code": s, "name": n, "population": 100, "households": 40, "is_pilot": "false",
     "lat": 22.7, "lon": 114.2}
    for c, s, n in ((C11, S1, "一社区"), (C12, S1, "二社区"), (C21, S2, "三社区"))
]


def _project(code, community, status, budget, progress, planned_end, *, approved="2023-02-01", start="2023-03-01",
             end=""):
    return {
        "code": code, "title": f"项目{code}", "community_code": community, "category": "平安建设",
        "need": "夜间治安隐患多", "status": status, "applied_on": "2023-01-15", "approved_on": approved,
        "planned_start": "2023-03-01", "planned_end": planned_end, "actual_start": start, "actual_end": end,
        "budget_yuan": budget, "spent_yuan": budget / 2, "funding_source": "政府资金" if code != "D" else "社会捐赠",
        "lead_unit": "社区党委", "partners": "甲公司、乙协会", "residents_participating": 10,
        "difficulties_solved": 1, "progress_pct": progress, "description": "测试项目",
    }


PROJECTS = [
    _project("A", C11, "完成", 100, 100, "2023-01-01", end="2023-06-01"),   # completed: never overdue
    _project("B", C11, "实施", 300, 50, "2023-10-31"),                       # ends ON the reference date
    _project("C", C12, "实施", 100, 20, "2023-10-30"),                       # ended the day before: 1 day
    _project("D", C21, "立项", 200, 0, "2024-03-01", approved="2023-05-01", start=""),
    _project("E", C21, "暂停", 200, 40, "2023-06-30"),                       # suspended, 123 days overdue
]
MILESTONES = [
    {"id": 1, "project_code": "A", "seq": 1, "name": "项目立项", "planned_on": "2023-02-01", "done_on": "2023-02-01"},
    {"id": 2, "project_code": "A", "seq": 2, "name": "主体完工", "planned_on": "2023-05-01", "done_on": "2023-06-01"},
    # B: last milestone exactly 90 days before the reference -> not stalled at N=90
    {"id": 3, "project_code": "B", "seq": 1, "name": "开工实施", "planned_on": "2023-08-01", "done_on": "2023-08-02"},
    {"id": 4, "project_code": "B", "seq": 2, "name": "主体完工", "planned_on": "2023-12-01", "done_on": ""},
    # C: 91 days -> stalled
    {"id": 5, "project_code": "C", "seq": 1, "name": "开工实施", "planned_on": "2023-08-01", "done_on": "2023-08-01"},
    {"id": 6, "project_code": "E", "seq": 1, "name": "开工实施", "planned_on": "2023-03-01", "done_on": "2023-03-01"},
]
INDICATORS = [
    {"code": "P01", "seq": 1, "name": "社区书记参与度", "name_en": "Secretary", "description": "d",
     "direction": "higher", "weight": 3.0, "target": 80.0, "max_score": 100.0, "assumed": "false"},
    {"code": "P02", "seq": 2, "name": "预算执行偏差率", "name_en": "Variance", "description": "d", "direction": "lower",
     "weight": 1.0, "target": 10.0, "max_score": 100.0, "assumed": "true"},
]
SCORES = [
    {"project_code": "A", "indicator_code": "P01", "year": 2023, "score": 60.0},   # 0.75
    {"project_code": "A", "indicator_code": "P02", "year": 2023, "score": 20.0},   # 10/20 = 0.5
    {"project_code": "C", "indicator_code": "P01", "year": 2023, "score": 100.0},  # 1.25 -> capped 1.2
    {"project_code": "C", "indicator_code": "P02", "year": 2023, "score": 0.0},    # lower, zero -> cap 1.2
    {"project_code": "D", "indicator_code": "P01", "year": 2023, "score": 80.0},   # 1.0
    {"project_code": "D", "indicator_code": "P02", "year": 2023, "score": 10.0},   # 1.0
]
TOTAL_A, TOTAL_C, TOTAL_D = 100 * (3 * 0.75 + 1 * 0.5) / 4, 120.0, 100.0


def _write_hand_folder(folder: Path) -> Path:
    """Every table's real header from sample_data/, with the hand-made rows above (others empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {"streets": STREETS, "communities": COMMUNITIES, "projects": PROJECTS, "project_milestones": MILESTONES,
            "project_indicators": INDICATORS, "project_scores": SCORES}
    for path in SAMPLE_DIR.glob("*.csv"):
        with open(path, newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f))
        with open(folder / path.name, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows.get(path.stem, []))
    return folder


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hand_db(request, tmp_path_factory):
    """The hand-built fixture, loaded into a fresh database on each engine."""
    folder = _write_hand_folder(tmp_path_factory.mktemp("hand_projects"))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hand_sqlite') / 'hand.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_server").create_database()
    database = Database(url)
    load_csv_dir(database.engine, folder)
    yield database
    database.dispose()


def _scope(**kw) -> Scope:
    return Scope(ALL, **kw)


# --- roll-up arithmetic by hand ---------------------------------------------------------------


def test_budget_weighted_rollup_by_hand(hand_db):
    district = projects.progress_rollup(hand_db, _scope(), "district")
    assert district["projects"].iloc[0] == 5
    assert district["weighted_progress"].iloc[0] == pytest.approx(35000 / 900)
    streets = projects.progress_rollup(hand_db, _scope(), "street").set_index("code")
    assert streets.loc[S1, "weighted_progress"] == pytest.approx((100 * 100 + 300 * 50 + 100 * 20) / 500)
    assert streets.loc[S2, "weighted_progress"] == pytest.approx((200 * 0 + 200 * 40) / 400)
    assert streets.loc[S1, "completed"] == 1
    communities = projects.progress_rollup(hand_db, _scope(street=S1), "community").set_index("code")
    assert set(communities.index) == {C11, C12}
    assert communities.loc[C11, "weighted_progress"] == pytest.approx(62.5)
    assert communities.loc[C12, "weighted_progress"] == pytest.approx(20.0)
    assert communities.loc[C11, "budget_yuan"] == pytest.approx(400)


def test_breakdowns_and_funnel(hand_db):
    by_funding = projects.projects_by(hand_db, _scope(), "funding_source").set_index("value")
    assert by_funding.loc["政府资金", "projects"] == 4
    assert by_funding.loc["社会捐赠", "weighted_progress"] == pytest.approx(0.0)
    funnel = projects.project_funnel(hand_db, _scope())
    assert funnel["projects"].tolist() == [5, 5, 4, 1, 1]
    with pytest.raises(KeyError):
        projects.projects_by(hand_db, _scope(), "description")


# --- overdue and stalled at the boundary dates ------------------------------------------------


def test_overdue_boundaries_follow_the_reference_date(hand_db):
    overdue = projects.overdue_projects(hand_db, _scope(), REFERENCE)
    assert overdue["code"].tolist() == ["E", "C"]  # most overdue first; B ends on the reference date
    assert overdue.set_index("code")["days_overdue"].to_dict() == {"E": 123, "C": 1}
    # one day later, B is one day overdue
    later = projects.overdue_projects(hand_db, _scope(), date(2023, 11, 1))
    assert later.set_index("code")["days_overdue"].to_dict() == {"E": 124, "C": 2, "B": 1}
    board = projects.project_board(hand_db, _scope(), REFERENCE).set_index("code")
    assert board.loc["C", "days_overdue"] == 1
    assert board[["days_overdue"]].isna().loc[["A", "B", "D"]].all().all()


def test_stalled_boundaries(hand_db):
    stalled = projects.stalled_projects(hand_db, _scope(), REFERENCE, 90)
    # E silent since 2023-03-01, D since its approval 2023-05-01, C for 91 days; B exactly 90 days: not stalled
    assert stalled["code"].tolist() == ["E", "D", "C"]
    assert stalled.set_index("code")["days_since_milestone"].to_dict() == {"E": 244, "D": 183, "C": 91}
    assert "B" in set(projects.stalled_projects(hand_db, _scope(), REFERENCE, 89)["code"])
    assert projects.stalled_projects(hand_db, _scope(), REFERENCE, 400).empty


def test_board_days_in_stage(hand_db):
    board = projects.project_board(hand_db, _scope(), REFERENCE).set_index("code")
    assert len(board) == 5
    assert board.loc["B", "days_in_stage"] == (REFERENCE - date(2023, 3, 1)).days   # 实施 since actual start
    assert board.loc["D", "days_in_stage"] == (REFERENCE - date(2023, 5, 1)).days   # 立项 since approval
    assert board.loc["A", "days_in_stage"] == (REFERENCE - date(2023, 6, 1)).days   # 完成 since actual end
    assert board.loc["B", "milestones_done"] == 1 and board.loc["B", "milestones"] == 2
    assert board.loc["C", "street_name"] == "甲街道"


def test_board_cards_list_and_options_by_hand(hand_db):
    everything = projects.BoardView()
    cards, listed = projects.board_view(hand_db, _scope(), REFERENCE, everything, 1, 2)
    # one card per stage; 实施 has B and C, both in stage since 2023-03-01: the tie goes by code
    assert cards.set_index("status")["code"].to_dict() == {"完成": "A", "实施": "B", "立项": "D", "暂停": "E"}
    assert cards.set_index("status")["column_total"].to_dict() == {"完成": 1, "实施": 2, "立项": 1, "暂停": 1}
    # B, C and E all in stage since 2023-03-01 (244 days): by code
    assert listed["code"].tolist() == ["B", "C"]
    slowest, _ = projects.board_view(hand_db, _scope(), REFERENCE, projects.BoardView(sort="progress_asc"), 1, 1)
    assert slowest.set_index("status").loc["实施", "code"] == "C"  # 20% before 50%
    assert projects.board_list(hand_db, _scope(), REFERENCE, projects.BoardView(sort="budget"))["code"].tolist() == [
        "B", "D", "E", "A", "C"]
    donated = projects.BoardView(funding_source=("社会捐赠",))
    assert projects.board_list(hand_db, _scope(), REFERENCE, donated)["code"].tolist() == ["D"]
    searched = projects.board_list(hand_db, _scope(), REFERENCE, projects.BoardView(search="项目c"))
    assert searched["code"].tolist() == ["C"]  # any case
    assert projects.board_list(hand_db, _scope(), REFERENCE, projects.BoardView(search="%")).empty  # not a wildcard
    assert all(f.empty for f in projects.board_view(hand_db, _scope(), REFERENCE, projects.BoardView(status=("验收",)),
                                                     8, 8))
    options = projects.board_options(hand_db, _scope())
    assert options.groupby("column")["value"].apply(list).to_dict() == {
        "category": ["平安建设"], "funding_source": ["政府资金", "社会捐赠"], "lead_unit": ["社区党委"]}
    assert projects.project_titles(hand_db, _scope(street=S2)).to_dict("list") == {
        "code": ["D", "E"], "title": ["项目D", "项目E"]}
    assert projects.project_titles(hand_db, _scope(street=S2), limit=1)["code"].tolist() == ["D"]
    assert projects.project_titles(hand_db, _scope(), search="项目e")["code"].tolist() == ["E"]  # any case
    assert projects.project_titles(hand_db, _scope(), search="%").empty  # not a wildcard
    with pytest.raises(ValueError, match="unknown sort"):
        projects.BoardView(sort="title")


# --- acceptance ---------------------------------------------------------------------------------


def test_scorecard_and_totals_by_hand(hand_db):
    card = projects.project_scorecard(hand_db, _scope(), "A").set_index("code")
    assert card.loc["P01", "achievement"] == pytest.approx(0.75)
    assert card.loc["P02", "achievement"] == pytest.approx(0.5)
    assert card.loc["P01", "weighted_shortfall"] == pytest.approx(0.75)
    assert card.loc["P02", "weighted_shortfall"] == pytest.approx(0.5)
    capped = projects.project_scorecard(hand_db, _scope(), "C").set_index("code")
    assert capped["achievement"].tolist() == pytest.approx([1.2, 1.2])
    assert capped["weighted_shortfall"].tolist() == pytest.approx([0, 0])
    totals = projects.acceptance_totals(hand_db, _scope()).set_index("project_code")["total"]
    assert totals.to_dict() == pytest.approx({"A": TOTAL_A, "C": TOTAL_C, "D": TOTAL_D})
    average = projects.acceptance_average(hand_db, _scope())
    assert average["projects_scored"].iloc[0] == 3
    assert average["average_total"].iloc[0] == pytest.approx((TOTAL_A + TOTAL_C + TOTAL_D) / 3)
    street = projects.acceptance_average(hand_db, _scope(street=S1))
    assert street["average_total"].iloc[0] == pytest.approx((TOTAL_A + TOTAL_C) / 2)


def test_weakest_indicators_and_averages_by_hand(hand_db):
    weakest = projects.weakest_indicators(hand_db, _scope())
    # average attainment: P01 (0.75+1.2+1.0)/3 = 0.9833, P02 (0.5+1.2+1.0)/3 = 0.9 -> P02 is weaker
    assert weakest["code"].tolist() == ["P02", "P01"]
    assert weakest.set_index("code").loc["P02", "average_achievement"] == pytest.approx(0.9)
    assert weakest.set_index("code").loc["P01", "share_below_target"] == pytest.approx(1 / 3)
    by_street = projects.indicator_averages(hand_db, _scope(), "street")
    s1 = by_street[(by_street["code"] == S1) & (by_street["indicator_code"] == "P01")]
    assert s1["average_score"].iloc[0] == pytest.approx(80.0)
    assert s1["average_achievement"].iloc[0] == pytest.approx((0.75 + 1.2) / 2)


# --- scope, role limits, empty scopes ---------------------------------------------------------


def test_street_scope_and_role_limit(hand_db):
    board = projects.project_board(hand_db, _scope(street=S2), REFERENCE)
    assert sorted(board["code"]) == ["D", "E"]
    role = Scope(ALL, role=f"street:{S2}")
    assert projects.project_detail(hand_db, role, "A").empty           # another street's project is hidden
    assert projects.project_scorecard(hand_db, role, "A").empty
    assert projects.project_milestones(hand_db, role, ["A"]).empty
    assert projects.project_detail(hand_db, role, "D")["title"].iloc[0] == "项目D"
    # a street role cannot move itself with the sidebar: it still sees its own street only
    assert sorted(projects.project_board(hand_db, replace(role, street=S1), REFERENCE)["code"]) == ["D", "E"]
    assert projects.project_detail(hand_db, _scope(), "NOPE").empty


def test_empty_scope_gives_empty_frames(hand_db):
    empty = Scope(Period("2022", date(2022, 1, 1), date(2022, 12, 31), 12))
    assert projects.project_board(hand_db, empty, REFERENCE).empty
    assert projects.overdue_projects(hand_db, empty, REFERENCE).empty
    assert projects.stalled_projects(hand_db, empty, REFERENCE).empty
    assert projects.progress_rollup(hand_db, empty, "district").empty
    assert projects.progress_rollup(hand_db, empty, "street").empty
    assert projects.projects_by(hand_db, empty, "need").empty
    assert projects.project_funnel(hand_db, empty)["projects"].sum() == 0
    assert projects.acceptance_totals(hand_db, empty).empty
    assert projects.acceptance_average(hand_db, empty)["projects_scored"].iloc[0] == 0
    assert projects.weakest_indicators(hand_db, empty).empty
    assert projects.indicator_averages(hand_db, empty, "community").empty
    assert projects.project_milestones(hand_db, empty, []).empty


# --- the sample data ----------------------------------------------------------------------------


def _sample_scope(db: Database, **kw) -> Scope:
    from data_access.geography import data_range

    start, reference = data_range(db)
    return Scope(period_options(start, reference)[0], **kw), reference


def test_sample_board_has_all_projects_and_scorecards(db):
    scope, reference = _sample_scope(db)
    assert reference == date(2023, 10, 31)
    board = projects.project_board(db, scope, reference)
    assert len(board) == 578
    assert board["status"].value_counts().sum() == 578
    overdue = projects.overdue_projects(db, scope, reference)
    assert (overdue["planned_end"] < reference).all()
    assert overdue["days_overdue"].is_monotonic_decreasing
    scored = projects.acceptance_totals(db, scope)
    card = projects.project_scorecard(db, scope, scored["project_code"].iloc[0])
    assert len(card) == 18 and card["score"].notna().all()
    street = "440307014"
    in_street = projects.project_board(db, _sample_scope(db, street=street)[0], reference)
    assert 0 < len(in_street) < 578 and set(in_street["street_code"]) == {street}
    district = projects.progress_rollup(db, scope, "district")["weighted_progress"].iloc[0]
    expected = (board["budget_yuan"] * board["progress_pct"]).sum() / board["budget_yuan"].sum()
    assert district == pytest.approx(expected)


@pytest.mark.parametrize("view", [
    projects.BoardView(),
    projects.BoardView(sort="progress_asc", status=("实施", "验收")),
    projects.BoardView(sort="budget", funding_source=("社会捐赠", "政府资金")),
    projects.BoardView(sort="applied", search="社区"),
])
def test_sample_board_views_equal_the_whole_board_filtered_in_pandas(db, view):
    """What the page reads a page at a time is exactly the whole board filtered and sorted."""
    scope, reference = _sample_scope(db)
    board = projects.project_board(db, scope, reference)
    for column in projects.BOARD_FILTERS:
        if getattr(view, column):
            board = board[board[column].isin(getattr(view, column))]
    if view.search:
        board = board[board["title"].str.contains(view.search) | board["code"].str.contains(view.search)]
    by, ascending = projects.BOARD_SORTS[view.sort]
    expected = board.sort_values([by, "code"], ascending=[ascending, True])
    assert len(expected) > 8
    listed = projects.board_list(db, scope, reference, view)
    assert listed["code"].tolist() == expected["code"].tolist()
    pd.testing.assert_frame_equal(listed, expected.reset_index(drop=True), check_dtype=False)
    cards, first = projects.board_view(db, scope, reference, view, 3, 5)
    assert first["code"].tolist() == expected["code"].head(5).tolist()
    assert cards["code"].tolist() == expected.groupby("status", sort=True).head(3).sort_values(
        "status", kind="stable")["code"].tolist()
    assert cards.groupby("status")["column_total"].first().to_dict() == expected["status"].value_counts().to_dict()


def test_board_reads_each_stage_through_the_stage_index(sqlite_db):
    """The board's default order (most days in stage first) is an index read per stage and one for the
    list, stopped at the cards wanted: never a sort of the scope's projects (at city scale, 6,000)."""
    scope, reference = _sample_scope(sqlite_db)
    executed = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        executed.append((statement, parameters))

    event.listen(sqlite_db.engine, "before_cursor_execute", record)
    try:
        projects.board_view(sqlite_db, scope, reference, projects.BoardView(), 3, 5)
    finally:
        event.remove(sqlite_db.engine, "before_cursor_execute", record)
    statement, parameters = next((s, p) for s, p in executed if "UNION ALL" in s)
    with sqlite_db.engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    stage_reads = [step for step in plan if "ix_project_stage_summary_status_since" in step]
    assert len(stage_reads) == len(projects.PROJECT_STATUSES), plan
    assert any("ix_project_stage_summary_since" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
