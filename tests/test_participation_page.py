"""The Participation page, run headless with AppTest at district and community scope."""

from pathlib import Path

from apptest_support import every_section, metrics, open_app, tables
from streamlit.testing.v1 import AppTest

from data_access import geography

ROOT = Path(__file__).resolve().parent.parent


def open_page(**params) -> AppTest:
    return open_app("pages/participation_page.py", timeout=240, **params)


SECTIONS = ["monthly", "units", "party", "courtesy"]


def test_district_figures_match_the_article(sqlite_db):
    views = every_section("pages/participation_page.py", SECTIONS, timeout=240)
    at = views["monthly"]
    assert at.title[0].value == "共治参与"
    shown = {m.label: m.value for m in views.metric}
    assert shown["新增志愿者"] == "64,645"
    assert shown["参与居民"] == "66,186"
    assert shown["爱心商家"] == "981"
    assert shown["社会组织"] == "164"
    assert shown["志愿者礼遇计划"] == "69"
    assert shown["联席会"] == "541"
    assert shown["小区议事会"] == "441"
    assert shown["议事会解决事项"] == "589"
    assert shown["便民服务活动"] == "2,179"
    assert shown["教育活动"] == "490"
    assert shown["退休党员转入小区"] == "540"
    assert shown["小区党支部覆盖"].startswith("100.0%")
    assert len(views.elements("plotly_chart")) >= 4
    assert len(views.elements("download_button")) >= 3
    assert not views.warning
    # only the open section is drawn: the monthly tab has its two charts and no table
    assert len(at.get("plotly_chart")) == 2 and not tables(at)
    assert [len(tables(views[s])) for s in SECTIONS[1:]] == [1, 1, 1]


def test_community_scope_with_a_previous_period(sqlite_db):
    communities = geography.communities(sqlite_db)
    longling = communities.loc[communities["name"] == "龙岭社区", "code"].iloc[0]
    district = metrics(open_page(period="2023"))
    at = open_page(community=longling, period="2023")
    shown = metrics(at)
    assert shown["新增志愿者"] != district["新增志愿者"]
    deltas = [m.delta for m in at.metric if m.label == "新增志愿者"]
    assert deltas and deltas[0]  # compared with 2022's same months
    assert "龙岭社区" in at.caption[0].value


def test_english(sqlite_db):
    at = open_page(lang="en")
    assert at.title[0].value == "Participation"
    assert metrics(at)["New volunteers"] == "64,645"
