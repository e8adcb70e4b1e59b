"""The 诉求办理 page in AppTest: district and community scope, masking and the export buttons."""

import re
from pathlib import Path

from apptest_support import SectionViews, metrics, open_app, tables
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from components import formatting
from data_access import geography, requests, schema
from data_access.scope import Scope, parse_period

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/requests_page.py"


def run_page(**params) -> AppTest:
    return open_app(PAGE, timeout=300, **params)


def _shown_values(at: AppTest) -> set[str]:
    values = set()
    for frame in tables(at):
        values |= set(frame.astype(str).to_numpy().ravel())
    return values


SECTIONS = ["volumes", "funnel", "responsiveness", "backlog", "residents", "satisfaction", "wishes", "talks",
            "export"]


def every_section(**params) -> SectionViews:
    """The page opened once per section (``section=<id>`` in the link)."""
    return SectionViews({section: run_page(section=section, **params) for section in SECTIONS})


def test_default_view_runs_the_first_section_only(sqlite_db):
    at = run_page()
    assert [t.label for t in at.tabs][:len(SECTIONS)] == [
        "诉求量", "办理流程", "办理时效", "积压诉求", "人均诉求和增长", "满意度", "微心愿", "居民谈心", "数据导出"]
    assert not any("排名" in frame.columns for frame in tables(at))  # the league is in another tab
    assert "section" not in at.query_params
    at.session_state["requests-sections-zh"] = "办理时效"
    at.run()
    assert any("排名" in frame.columns for frame in tables(at))
    assert at.query_params["section"] == "responsiveness"


def test_district_view(sqlite_db):
    views = every_section()
    at = views["volumes"]
    assert at.title[0].value == "诉求办理"
    shown = metrics(at)
    assert shown["平安码上办办结"] == "31,712"
    assert shown["微心愿实现"] == "868"
    talks = metrics(views["talks"])
    assert talks["收集居民心愿诉求"] == "2,115"
    assert talks["直接解决"] == "1,802"
    assert sum(len(v.get("plotly_chart")) for v in views.values()) >= 10
    frames = tables(views)
    headers = [list(frame.columns) for frame in frames]
    league = [h for h in headers if "用时中位数（天）" in h and "排名" in h]
    assert len(league) == 3  # category, street and community
    by_columns = {tuple(frame.columns): frame for frame in frames}
    streets = next(v for k, v in by_columns.items() if "排名" in k and len(v) == 11)
    assert streets["用时中位数（天）"].is_monotonic_increasing
    communities = next(v for k, v in by_columns.items() if "排名" in k and len(v) == 111)
    assert communities["用时中位数（天）"].is_monotonic_increasing
    # the targets are shown, and names and phones only masked
    assert any("时限（天）" in h for h in headers)
    raw = sqlite_db.frame(select(schema.requests.c.requester_name, schema.requests.c.requester_phone))
    values = set().union(*(_shown_values(v) for v in views.values()))
    assert not values & set(raw["requester_name"]) and not values & set(raw["requester_phone"])
    phones = [v for v in _shown_values(views["backlog"]) if re.fullmatch(r"\d{3}\*+\d{4}", v)]
    assert phones, "the backlog table shows masked phone numbers"
    labels = [b.label for v in views.values() for b in v.get("download_button")]
    assert "下载 Open311 JSON" in labels and labels.count("下载 CSV") >= 8


def test_community_view_in_english(sqlite_db):
    communities = geography.communities(sqlite_db)
    longling = communities.loc[communities["name"] == "龙岭社区", "code"].iloc[0]
    at = run_page(community=longling, period="2023", lang="en", section="responsiveness")
    assert at.title[0].value == "Resident requests"
    assert "Longgang District › Buji › 龙岭社区" in at.caption[0].value
    shown = metrics(at)
    start, reference = geography.data_range(sqlite_db)
    street = communities.loc[communities["code"] == longling, "street_code"].iloc[0]
    expected = requests.request_totals(sqlite_db, Scope(parse_period("2023", start, reference), street,
                                                        longling)).iloc[0]
    assert expected["received"] > 0 and expected["platform_resolved"] < 31712
    assert shown["Resolved via Ping'an platform"] == formatting.count(expected["platform_resolved"])
    assert shown["Requests received"] == formatting.count(expected["received"])
    league = [frame for frame in tables(at) if "Rank" in frame.columns]
    assert [len(v) for v in league][1:] == [1, 1]  # one street, one community
