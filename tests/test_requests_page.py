"""The 诉求办理 page in AppTest: district and community scope, masking and the export buttons."""

import re
from pathlib import Path

from apptest_support import metrics, open_app
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import geography, schema

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/requests_page.py"


def run_page(**params) -> AppTest:
    return open_app(PAGE, timeout=300, **params)


def _shown_values(at: AppTest) -> set[str]:
    values = set()
    for frame in at.dataframe:
        values |= set(frame.value.astype(str).to_numpy().ravel())
    return values


def test_district_view(sqlite_db):
    at = run_page()
    assert at.title[0].value == "诉求办理"
    shown = metrics(at)
    assert shown["平安码上办办结"] == "31,712"
    assert shown["微心愿实现"] == "868"
    assert shown["收集居民心愿诉求"] == "2,115"
    assert shown["直接解决"] == "1,802"
    assert len(at.get("plotly_chart")) >= 10
    headers = [list(frame.value.columns) for frame in at.dataframe]
    league = [h for h in headers if "用时中位数（天）" in h and "排名" in h]
    assert len(league) == 3  # category, street and community
    tables = {tuple(frame.value.columns): frame.value for frame in at.dataframe}
    streets = next(v for k, v in tables.items() if "排名" in k and len(v) == 11)
    assert streets["用时中位数（天）"].is_monotonic_increasing
    communities = next(v for k, v in tables.items() if "排名" in k and len(v) == 111)
    assert communities["用时中位数（天）"].is_monotonic_increasing
    # the targets are shown, and names and phones only masked
    assert any("时限（天）" in h for h in headers)
    raw = sqlite_db.frame(select(schema.requests.c.requester_name, schema.requests.c.requester_phone))
    values = _shown_values(at)
    assert not values & set(raw["requester_name"]) and not values & set(raw["requester_phone"])
    phones = [v for v in values if re.fullmatch(r"\d{3}\*+\d{4}", v)]
    assert phones, "the backlog table shows masked phone numbers"
    labels = [b.label for b in at.get("download_button")]
    assert "下载 Open311 JSON" in labels and labels.count("下载 CSV") >= 8


def test_community_view_in_english(sqlite_db):
    communities = geography.communities(sqlite_db)
    longling = communities.loc[communities["name"] == "龙岭社区", "code"].iloc[0]
    at = run_page(community=longling, period="2023", lang="en")
    assert at.title[0].value == "Resident requests"
    assert "Longgang District › Buji › 龙岭社区" in at.caption[0].value
    shown = metrics(at)
    assert shown["Resolved via Ping'an platform"] != "31,712"
    assert shown["Requests received"] != "0"
    league = [frame.value for frame in at.dataframe if "Rank" in frame.value.columns]
    assert [len(v) for v in league][1:] == [1, 1]  # one street, one community
