"""The 通报 page in AppTest: the district view, a week, a street's communities and a street role."""

from __future__ import annotations

from pathlib import Path

from apptest_support import open_app, tables
from streamlit.testing.v1 import AppTest

from components import formatting
from data_access import bulletin

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/bulletin_page.py"
BUJI = "440307014"


def _table(at: AppTest):
    frames = [f for f in tables(at) if "综合得分" in f.columns and "排名" in f.columns]
    assert len(frames) == 1
    return frames[0]


def test_district_month_view(sqlite_db):
    at = open_app(PAGE)
    assert at.title[0].value == "民生诉求办理情况通报"
    assert at.subheader[0].value == "龙岗区民生诉求办理情况月度通报（2023年10月）"
    expected = bulletin.build_bulletin(sqlite_db, "2023-10", "street")
    table = _table(at)
    assert list(table["单位"]) == list(expected.table["name"])
    assert list(table["排名"]) == [int(r) for r in expected.table["rank"]]
    assert list(table["受理量"]) == [int(n) for n in expected.table["received"]]
    markdown = "\n".join(m.value for m in at.markdown)
    assert "红榜（综合得分前3名）" in markdown and "黑榜（低于底线）" in markdown
    for name in expected.red["name"]:
        assert name in markdown
    assert "响应率20、办结率30、按时办结率20、满意率30" in markdown  # the definitions on screen
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:3] == ["下载通报 Excel", "下载通报（打印版 HTML）", "导出 PowerPoint（通报）"]
    assert labels[3:] == ["下载 CSV", "下载 Excel"]  # the worklist's
    assert not at.error


def test_week_and_a_streets_communities(sqlite_db):
    at = open_app(PAGE)
    at.radio(key="bulletin_kind").set_value("week").run()
    assert at.selectbox(key="bulletin_period_week").value == "2023-W44"
    at.selectbox(key="bulletin_period_week").set_value("2023-W42").run()
    assert at.subheader[0].value == "龙岗区民生诉求办理情况周通报（2023年第42周）"
    at.radio(key="bulletin_level").set_value("community").run()
    street = at.selectbox(key="bulletin_street")
    street.select_index(street.options.index("布吉街道")).run()
    assert not at.exception
    assert at.subheader[0].value == "布吉街道社区民生诉求办理情况周通报（2023年第42周）"
    expected = bulletin.build_bulletin(sqlite_db, "2023-W42", "community", BUJI)
    assert list(_table(at)["单位"]) == list(expected.table["name"])


def test_street_role_sees_its_communities_and_only_the_others_rank(sqlite_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state["auth_user"] = "buji"
    at.session_state["auth_role"] = f"street:{BUJI}"
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert any("仅显示本街道的各项指标" in i.value for i in at.info)
    table = _table(at)
    others = table[table["单位"] != "布吉街道"]
    assert len(others) == 10
    assert others["受理量"].isna().all() and others["响应率"].isna().all()  # shown as —
    assert others["综合得分"].notna().all()
    assert table.loc[table["单位"] == "布吉街道", "受理量"].iloc[0] > 0
    at.radio(key="bulletin_level").set_value("community").run()
    assert at.selectbox(key="bulletin_street").value == BUJI
    assert at.selectbox(key="bulletin_street").disabled
    own = bulletin.build_bulletin(sqlite_db, "2023-10", "community", BUJI)
    assert list(_table(at)["单位"]) == list(own.table["name"])


def test_scorecards_rank_tile_of_a_street_role_ranks_among_all_streets(sqlite_db):
    """考核评价: a street office's rank tile reads its place among the 11 streets, not 1 of 1 (issue 22)."""
    from data_access import evaluation
    from data_access.geography import data_range
    from data_access.scope import Period, Scope

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state["auth_user"] = "buji"
    at.session_state["auth_role"] = f"street:{BUJI}"
    at.run()
    at.switch_page("pages/scorecards_page.py")
    at.run()
    assert not at.exception
    start, reference = data_range(sqlite_db)
    district = evaluation.composite_scores(sqlite_db, Scope(Period("all", start, reference)), "street")
    rank = int(district.loc[district["code"] == BUJI, "rank"].iloc[0])
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["排名"] == f"第{rank}名 / 11"
    standing = evaluation.street_standing(sqlite_db, Scope(Period("all", start, reference), role=f"street:{BUJI}"))
    assert list(standing.columns) == ["code", "composite", "rank", "year"] and len(standing) == 11


def test_the_district_worklist_lists_its_most_urgent_rows_and_counts_them_all(sqlite_db):
    """The district's list is longer than the page shows: the rows on screen are the most urgent ones, the
    counts and the caption name the whole list (downloaded on a click)."""
    from data_access import worklist
    from data_access.geography import data_range
    from data_access.scope import Period, Scope

    at = open_app(PAGE)
    start, reference = data_range(sqlite_db)
    whole = worklist.worklist(sqlite_db, Scope(Period("all", start, reference)), reference, 3)
    shown = [f for f in tables(at) if "剩余天数" in f.columns]
    assert len(whole) > 500 and len(shown) == 1 and len(shown[0]) == 500
    assert list(shown[0]["编号"]) == list(whole["id"].head(500))
    assert (f"超期 {formatting.count((whole['state'] == 'overdue').sum())} 项，"
            f"临期 {formatting.count((whole['state'] == 'due_soon').sum())} 项") in [m.value for m in at.markdown]
    assert f"下表列出最紧急的 500 项（共 {formatting.count(len(whole))} 项），完整清单请下载。" in \
        [c.value for c in at.caption]


def test_worklist_section_follows_the_role(sqlite_db):
    from data_access import worklist
    from data_access.geography import data_range
    from data_access.scope import Period, Scope

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state["auth_user"] = "buji"
    at.session_state["auth_role"] = f"street:{BUJI}"
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    start, reference = data_range(sqlite_db)
    expected = worklist.worklist(sqlite_db, Scope(Period("all", start, reference), role=f"street:{BUJI}"),
                                 reference, 3)
    summary = (f"超期 {formatting.count((expected['state'] == 'overdue').sum())} 项，"
               f"临期 {formatting.count((expected['state'] == 'due_soon').sum())} 项")
    assert summary in [m.value for m in at.markdown]
    shown = [f for f in tables(at) if "剩余天数" in f.columns]
    assert len(shown) == 1 and len(shown[0]) == len(expected)
    assert set(shown[0]["街道"]) == {"布吉街道"}
    at.number_input(key="worklist_days").set_value(0).run()
    fewer = worklist.worklist(sqlite_db, Scope(Period("all", start, reference), role=f"street:{BUJI}"), reference, 0)
    assert len([f for f in tables(at) if "剩余天数" in f.columns][0]) == len(fewer)


def _requests_page(role: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if role:
        at.session_state["auth_user"] = "tester"
        at.session_state["auth_role"] = role
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/requests_page.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_request_timeline_on_the_requests_page(sqlite_db):
    from sqlalchemy import select

    from data_access import schema

    r, c = schema.requests, schema.communities
    ids = sqlite_db.frame(select(r.c.id, c.c.street_code).join(c, c.c.code == r.c.community_code)
                          .where(r.c.status == "已关闭").order_by(r.c.id).limit(2000))
    own = ids.loc[ids["street_code"] == BUJI, "id"].iloc[0]
    other = ids.loc[ids["street_code"] != BUJI, "id"].iloc[0]
    at = _requests_page(request=own)
    assert f"诉求 {own} 办理时间线" in [s.value for s in at.subheader]
    assert not at.warning
    phones = sqlite_db.frame(select(r.c.requester_phone).where(r.c.id == own))["requester_phone"].iloc[0]
    page_html = "\n".join(h.proto.body for h in at.get("html"))
    assert phones not in page_html and "已关闭" in page_html
    # a street role asking for another street's request: a clear "not found", nothing of the record
    at = _requests_page(role=f"street:{BUJI}", request=other)
    assert any("未找到诉求" in w.value for w in at.warning)
    assert f"诉求 {other} 办理时间线" not in [s.value for s in at.subheader]
    at = _requests_page(role=f"street:{BUJI}", request=own)
    assert f"诉求 {own} 办理时间线" in [s.value for s in at.subheader]


def test_comparison_section(sqlite_db):
    at = open_app(PAGE)
    side = [f for f in tables(at) if "龙岗区（全区）" in f.columns]
    assert len(side) == 1
    trend = bulletin.compare_units(sqlite_db, ["district", "440307003"], "2023-10")
    now = trend[trend["period"] == "2023-10"].set_index("code")
    assert side[0]["龙岗区（全区）"].iloc[0] == now.loc["district", "received"]
    assert side[0]["平湖街道"].iloc[0] == now.loc["440307003", "received"]
    assert len(at.get("plotly_chart")) == 2  # the composite bars and the trends
    yoy = [f for f in tables(at) if "对比期" in f.columns]
    assert len(yoy) == 1 and list(yoy[0]["对比期"]) == ["本月", "上月", "去年同月"]


def test_english(sqlite_db):
    at = open_app(PAGE, lang="en")
    assert at.title[0].value == "Resident-request handling bulletin"
    assert at.subheader[0].value == "Longgang resident-request handling: monthly bulletin (2023-10)"
    table = _english_table(at)
    expected = bulletin.build_bulletin(sqlite_db, "2023-10", "street")
    assert list(table["Unit"]) == list(expected.table["name_en"])


def _english_table(at: AppTest):
    frames = [f for f in tables(at) if "Composite" in f.columns and "Rank" in f.columns]
    assert len(frames) == 1
    return frames[0]


def test_backlog_opens_a_request_timeline(sqlite_db):
    at = _requests_page(section="backlog")
    picker = at.selectbox(key="backlog-timeline")
    first = picker.value
    at.button(key="backlog-timeline-open").click().run()
    assert not at.exception
    assert at.query_params["request"] == [first] or at.query_params["request"] == first
    assert f"诉求 {first} 办理时间线" in [s.value for s in at.subheader]
    at.button(key="timeline-close").click().run()
    assert "request" not in at.query_params
    assert f"诉求 {first} 办理时间线" not in [s.value for s in at.subheader]
