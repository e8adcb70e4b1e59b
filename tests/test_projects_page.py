"""The projects board page and a project's detail, run headless with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from apptest_support import every_section, metrics, open_app, tables
from streamlit.testing.v1 import AppTest

from components.responsive import LAYOUT_CSS
from data_access import geography, projects
from data_access.scope import Scope, period_options

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/projects_page.py"
BUJI = "440307014"
SECTIONS = ["board", "timeline", "overdue", "rollup", "breakdown", "acceptance"]


def run_page(**params) -> AppTest:
    return open_app(PAGE, timeout=180, **params)


def _all_scope(db, **kw):
    start, reference = geography.data_range(db)
    return Scope(period_options(start, reference)[0], **kw), reference


def test_district_board_shows_every_project_by_stage(sqlite_db):
    views = every_section(PAGE, SECTIONS)
    at = views["board"]
    assert [t.label for t in at.tabs] == ["进度看板", "时间轴", "逾期与停滞", "进度汇总", "分类统计", "验收评价"]
    assert at.title[0].value == "项目看板"
    shown = metrics(at)
    assert shown["项目数"] == "578"
    stages = {s: int(shown[s].replace(",", "")) for s in ("申报", "立项", "实施", "验收", "完成", "暂停")}
    assert sum(stages.values()) == 578
    columns = [h.proto.body for h in at.get("html") if h.proto.body != LAYOUT_CSS]  # not app.py's stylesheet
    assert len(columns) == 6 and "另有" in columns[4]  # 完成 has far more than the cards shown
    scope, reference = _all_scope(sqlite_db)
    overdue = projects.overdue_projects(sqlite_db, scope, reference)
    assert shown["逾期项目"] == str(len(overdue))
    frames = tables(views["overdue"])
    overdue_table = next(f for f in frames if "逾期天数" in f.columns and "本阶段天数" not in f.columns)
    assert overdue_table["逾期天数"].tolist() == overdue["days_overdue"].tolist()
    assert overdue_table["逾期天数"].is_monotonic_decreasing
    assert sum(len(v.get("plotly_chart")) for v in views.values()) >= 6
    assert sum(len(v.get("download_button")) for v in views.values()) >= 8


def test_street_scope_shows_only_that_streets_projects(sqlite_db):
    views = every_section(PAGE, SECTIONS, street=BUJI)
    at = views["board"]
    scope, reference = _all_scope(sqlite_db, street=BUJI)
    board = projects.project_board(sqlite_db, scope, reference)
    assert metrics(at)["项目数"] == str(len(board)) and len(board) < 578
    for frame in tables(views):
        if "街道" in frame.columns:
            assert set(frame["街道"]) <= {"布吉街道"}
    assert "布吉街道" in at.caption[0].value


def test_stalled_threshold_is_configurable(sqlite_db):
    at = run_page(section="overdue")
    at.number_input(key="stalled_days").set_value(400).run()
    assert not at.exception
    scope, reference = _all_scope(sqlite_db)
    expected = projects.stalled_projects(sqlite_db, scope, reference, 400)
    stalled = [frame for frame in tables(at) if "无进展天数" in frame.columns]
    if expected.empty:
        assert not stalled
    else:
        assert len(stalled[0]) == len(expected) and (stalled[0]["无进展天数"] > 400).all()


def test_filters_narrow_the_board():
    at = run_page()
    at.multiselect(key="filter_funding_source").select("社会捐赠").run()
    assert not at.exception
    caption = next(c.value for c in at.caption if "筛选后共" in c.value)
    assert caption.startswith("筛选后共 37 个项目")


def test_project_detail_from_the_url_shows_its_18_indicators(sqlite_db):
    scope, _ = _all_scope(sqlite_db)
    code = projects.acceptance_totals(sqlite_db, scope)["project_code"].iloc[-1]  # the lowest total
    at = run_page(project=code)
    detail = projects.project_detail(sqlite_db, scope, code)
    assert at.header[0].value == detail["title"].iloc[0]
    card = next(frame for frame in tables(at) if "达标率" in frame.columns and "方向" in frame.columns)
    assert len(card) == 18 and card["得分"].notna().all()
    labels = metrics(at)
    assert {"验收总分", "所在街道平均", "全区平均"} <= set(labels)
    pulled = next(frame for frame in tables(at) if "加权差距" in frame.columns and "方向" not in frame.columns)
    assert len(pulled) > 0 and pulled["加权差距"].is_monotonic_decreasing
    assert at.query_params["project"] == code


def test_unknown_or_out_of_scope_project_gets_a_notice(sqlite_db):
    at = run_page(project="LG-9999-9999")
    assert any("LG-9999-9999" in w.value for w in at.warning)
    # a Buji project seen from another street's scope is not shown
    scope, _ = _all_scope(sqlite_db, street=BUJI)
    code = projects.project_board(sqlite_db, scope, geography.data_range(sqlite_db)[1])["code"].iloc[0]
    other = "440307003"
    at = run_page(street=other, project=code)
    assert any(code in w.value for w in at.warning)
    assert not at.header


def test_english_page():
    at = run_page(lang="en")
    assert at.title[0].value == "Projects progress board"
    assert metrics(at)["Projects"] == "578"


def test_the_picker_lists_the_first_projects_and_the_search_finds_the_others():
    at = run_page()
    picker = at.selectbox(key="project_pick")
    assert len(picker.options) == 200 and "前 200 个" in picker.proto.placeholder  # 578 in the district
    at.text_input(key="filter_search").input("lg-2023").run()
    options = at.selectbox(key="project_pick").options
    assert options and all(o.startswith("LG-2023") for o in options)


def test_picking_a_project_opens_its_detail_and_back_returns_to_the_board():
    at = run_page()
    at.selectbox(key="project_pick").select("LG-2021-0001").run()
    assert not at.exception
    assert at.query_params["project"] == "LG-2021-0001"
    assert at.header[0].value == "龙岭樟树村平安巡防队建设"
    at.button[0].click().run()
    assert "project" not in at.query_params
    assert metrics(at)["项目数"] == "578"
