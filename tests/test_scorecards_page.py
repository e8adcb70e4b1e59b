"""The Scorecards page, run headless with AppTest at district, street and community scope."""

from pathlib import Path

from apptest_support import every_section, metrics, open_app, tables
from streamlit.testing.v1 import AppTest

from data_access import geography

ROOT = Path(__file__).resolve().parent.parent
BUJI = "440307014"
PAGE = "pages/scorecards_page.py"
SECTIONS = ["scorecard", "league", "trend", "safety", "property", "glossary"]


def open_page(**params) -> AppTest:
    return open_app("pages/scorecards_page.py", timeout=240, **params)


def breakdown_table(at):
    return next(frame for frame in tables(at) if {"加权贡献", "Weighted contribution"} & set(frame.columns))


def test_district_scorecard_can_be_rebuilt_by_hand_and_shows_the_three_declines(sqlite_db):
    at = every_section(PAGE, SECTIONS)
    assert at.title[0].value == "考核评价"
    shown = metrics(at)
    assert shown["刑事治安总警情年均下降"] == "21.20%"
    assert shown["邻里纠纷年均下降"] == "21.49%"
    assert shown["物业管理纠纷年均下降"] == "30.00%"
    composite_label = next(label for label in shown if label.endswith("综合得分"))
    table = breakdown_table(at)
    # rebuild from the shown score, target, direction and weight: ratio, cap at 120%, weighted mean × 100;
    # the table shows scores to 0.1 and contributions to 0.01, so the rebuilt figure is as close as that allows
    composite = float(shown[composite_label])
    lower = table["方向"] == "越低越好"
    ratio = (table["得分"] / table["目标"]).where(~lower, table["目标"] / table["得分"]).clip(upper=1.2)
    rebuilt = 100 * (table["权重"] * ratio).sum() / table["权重"].sum()
    assert abs(rebuilt - composite) < 0.1
    assert abs(table["加权贡献"].sum() - composite) <= 0.005 * len(table) + 0.005
    assert shown["指标改善或持平"].startswith("100.0%")
    assert len(at.elements("plotly_chart")) >= 10
    assert len(at.elements("download_button")) >= 8
    assert not at.warning


def test_community_scope_shows_the_communitys_own_scorecard(sqlite_db):
    communities = geography.communities(sqlite_db)
    longling = communities.loc[communities["name"] == "龙岭社区", "code"].iloc[0]
    at = every_section(PAGE, SECTIONS, community=longling, period="2022")
    shown = metrics(at)
    assert "龙岭社区综合得分" in shown
    assert "#### 评价年度：2022年" in [m.value for m in at.markdown]
    assert breakdown_table(at)["得分"].notna().sum() == 10
    assert "刑事治安总警情年均下降" in shown  # 2022 against 2021
    assert not [r for r in at.radio if r.key == "scorecard_level"]  # no unit to pick: the scope names it


def test_street_scope_in_english(sqlite_db):
    at = open_page(street=BUJI, lang="en")
    assert at.title[0].value == "Evaluation scorecards"
    assert metrics(at)["Composite: Buji"] == "95.84"
    assert at.selectbox(key="scorecard_street").options == ["Buji"]  # the scope's street only
