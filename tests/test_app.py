"""The app and its overview page, run headless with Streamlit's AppTest."""

import gc
import re
from pathlib import Path

import pytest
from apptest_support import metrics, open_app
from import_db import fresh_url
from sqlalchemy import delete, func, select
from streamlit.testing.v1 import AppTest

from components import data
from data_access import geography, schema, summaries
from data_access.database import Database

ROOT = Path(__file__).resolve().parent.parent
BUJI = "440307014"


def run_app(**params) -> AppTest:
    return open_app(timeout=120, **params)


def test_every_page_file_is_registered_in_the_navigation():
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    for page in (ROOT / "pages").glob("*.py"):
        assert f'"pages/{page.name}"' in source, page.name


def test_no_url_path_matches_a_page_file_name():
    """Streamlit's old pages/ mode would run such a page without app.py (and without the sidebar)."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    paths = re.findall(r'url_path="([^"]+)"', source)
    assert len(paths) == len(list((ROOT / "pages").glob("*.py")))
    assert not {p.stem for p in (ROOT / "pages").glob("*.py")} & set(paths)


def test_default_view_is_the_district_overview_in_chinese():
    at = run_app()
    assert at.title[0].value == "总览"
    shown = metrics(at)
    assert shown["实践项目"] == "578"
    assert shown["其中平安码上办办结"] == "31,712"
    assert shown["微心愿实现"] == "868"
    assert shown["社区服务基金筹集"] == "533.0万元"
    assert shown["刑事治安总警情年均下降"] == "21.20%"
    assert shown["邻里纠纷年均下降"] == "21.49%"
    assert shown["物业管理纠纷年均下降"] == "30.00%"
    assert len(at.get("plotly_chart")) >= 5
    assert not at.warning
    assert dict(at.query_params) == {}


def test_after_a_page_run_the_long_lived_objects_are_out_of_the_collectors_reach():
    """A full collection would otherwise walk every module and compiled statement on some click
    (bench/ measures what that costs)."""
    data._heap["settled"] = False
    gc.unfreeze()
    run_app()
    assert gc.get_freeze_count() > 10_000
    gc.unfreeze()
    data.reset()  # cold caches (an import, a reload) do not make the next click pay a full collection again
    run_app()
    assert gc.get_freeze_count() == 0


def test_street_scope_changes_every_figure_and_the_url():
    district = metrics(run_app())
    at = run_app(street=BUJI)
    street = metrics(at)
    assert at.sidebar.selectbox(key="scope_street").value == BUJI
    for label in ("实践项目", "诉求受理", "诉求办结", "其中平安码上办办结", "微心愿实现", "新增志愿者",
                  "参与单位和社会组织", "资源服务使用", "社区服务基金筹集"):
        assert street[label] != district[label], label
    assert at.query_params["street"] == BUJI
    assert "布吉街道" in at.caption[0].value


def test_choosing_a_street_in_the_sidebar_writes_the_url():
    at = run_app()
    at.sidebar.selectbox(key="scope_street").select(BUJI).run()
    assert at.query_params["street"] == BUJI
    assert metrics(at)["实践项目"] != "578"


def test_community_scope_from_a_url_with_only_the_community(sqlite_db):
    communities = geography.communities(sqlite_db)
    longling = communities.loc[communities["name"] == "龙岭社区", "code"].iloc[0]
    at = run_app(community=longling, period="2022")
    assert at.sidebar.selectbox(key="scope_street").value == BUJI
    assert at.sidebar.selectbox(key="scope_community").value == longling
    assert "龙岗区 › 布吉街道 › 龙岭社区" in at.caption[0].value
    assert at.query_params["community"] == longling
    assert at.query_params["period"] == "2022"


def test_bad_url_parameters_are_dropped_with_a_notice():
    at = run_app(street="<script>alert(1)</script>", period="2099", foo="1' OR '1'='1", lang="fr")
    notice = at.warning[0].value
    assert "链接中的参数无效" in notice
    assert "foo" in notice and "period" in notice and "lang" in notice
    assert metrics(at)["实践项目"] == "578"
    assert dict(at.query_params) == {}


def test_page_parameters_pass_through_the_sidebar_untouched():
    at = run_app(street=BUJI, project="LG-2021-0001")
    assert not at.warning
    assert at.query_params["project"] == "LG-2021-0001"
    assert at.query_params["street"] == BUJI


def test_english_switch():
    at = run_app(lang="en")
    assert at.title[0].value == "Overview"
    assert "Practice projects" in metrics(at)


@pytest.fixture
def no_projects_in_longling(request, tmp_path, monkeypatch):
    """A copy of the sample database in which 龙岭社区 has no projects (nor their milestones and
    scores), summaries rebuilt, opened by the app through DATABASE_URL; yields 龙岭社区's code."""
    url = fresh_url("sqlite", request, tmp_path)
    database = Database(url)
    with database.engine.begin() as conn:
        longling = conn.execute(select(schema.communities.c.code)
                                .where(schema.communities.c.name == "龙岭社区")).scalar_one()
        codes = select(schema.projects.c.code).where(schema.projects.c.community_code == longling)
        assert conn.execute(select(func.count()).select_from(codes.subquery())).scalar_one() > 0
        for child in (schema.project_milestones, schema.project_scores):
            conn.execute(delete(child).where(child.c.project_code.in_(codes)))
        conn.execute(delete(schema.projects).where(schema.projects.c.community_code == longling))
        summaries.refresh(conn)
    database.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    data.reset()
    yield longling
    data.reset()  # the next test opens the session's database again


def test_a_scope_with_no_projects_shows_an_empty_state(no_projects_in_longling):
    at = run_app(community=no_projects_in_longling)
    assert metrics(at)["实践项目"] == "0"
    assert any("没有实践项目" in info.value for info in at.info)
    assert metrics(at)["诉求受理"] != "0"  # only the projects are gone
