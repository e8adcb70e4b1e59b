"""演示模式 under AppTest: the launcher, the show's slides with scope and as-of visible, bad links, editing."""

from __future__ import annotations

import json
import re

from apptest_support import ROOT, html_tables, open_app
from apptest_support import _html_frames as html_tables_of
from streamlit.testing.v1 import AppTest

from components import playlist

PAGE = "pages/show_page.py"
VALID = 'title = "团队"\n[[slide]]\npanel = "requests"\ntitle = "诉求"\nduration_s = 30\nperiod = "2023"\n'
INVALID = '[[slide]]\npanel = "nope"\ntitle = "坏幻灯片"\nduration_s = 0\n'


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_default_show_starts_with_slide_one_its_scope_and_the_as_of_date():
    at = open_app(PAGE, show="default", theme="dark")
    text = markdown_text(at)
    assert "全区总览：共建共治共享" in text
    assert "范围：龙岗区　时段：全部（2021-01 至 2023-10）" in text
    assert "数据截至 2023年10月31日" in text and "第 1 / 10 张" in text
    assert "[data-testid=\"stSidebar\"]" in text  # the sidebar and menus are hidden on the show
    assert "578" in text  # the overview's project count, big
    assert {b.key for b in at.button} >= {"show_prev", "show_pause", "show_next", "show_exit"}
    assert not at.warning and not at.error


def test_every_slide_of_the_default_show_renders_with_its_own_scope():
    at = open_app(PAGE, show="default", theme="light", lang="en")
    seen, maps = [], []
    for number in range(1, 11):
        text = markdown_text(at)
        assert f"Slide {number} of 10" in text and "Data as of 2023-10-31" in text
        seen.append(text)
        maps.append([json.loads(chart.proto.json) for chart in at.get("deck_gl_json_chart")])
        assert not at.exception and not at.error
        at.button(key="show_next").click().run()
    assert "Scope: Longgang District · Period: 2023 (to 2023-10-31)" in seen[1]  # the map slide: 2023
    assert "Longgang District › Buji" in seen[7] and "龙岭社区" in seen[8]  # street, then community
    assert "Slide 1 of 10" in markdown_text(at)  # wrapped round
    assert at.session_state["scope"].street is None  # the sidebar's scope was never touched
    assert [len(m) for m in maps] == [0, 1, 0, 0, 0, 0, 0, 1, 0, 0]  # the two map slides, offline (no basemap)
    assert all("mapProvider" not in m[0] and m[0]["mapStyle"] == "__MAP_STYLE__" for m in maps if m)


def test_the_bulletin_slide_ranks_the_streets_of_the_latest_complete_month():
    at = open_app(PAGE, show="default", slide="5")
    text = markdown_text(at)
    assert "第 5 / 10 张" in text and "民生诉求月度通报：街道排名与红黑榜" in text
    assert "范围：龙岗区　时段：2023年10月" in text  # "all": the latest complete month of the data
    assert "龙岗区民生诉求办理情况月度通报（2023年10月）" in text
    assert text.count('class="lg-show-badge red"') == 3 and "黑榜（低于底线）" in text
    assert "排名变化与上期（2023-09）相比" in text and "↑" in text and "↓" in text
    assert not at.exception and not at.error and not at.warning


def test_back_pause_and_a_start_slide_from_the_link():
    at = open_app(PAGE, show="default", slide="9")
    assert "第 9 / 10 张" in markdown_text(at) and "龙岭社区" in markdown_text(at)
    at.button(key="show_pause").click().run()
    assert at.button(key="show_pause").label == "继续"
    at.button(key="show_prev").click().run()
    assert "第 8 / 10 张" in markdown_text(at) and "已暂停" in markdown_text(at)
    at.button(key="show_exit").click().run()
    assert "show" not in at.query_params and at.title[0].value == "演示模式"  # back at the launcher


def test_an_unknown_show_says_so_and_offers_the_way_out():
    at = open_app(PAGE, show="nosuch")
    assert "找不到名为「nosuch」的演示" in at.error[0].value and "default" in at.error[0].value
    at.button(key="show_exit_bad").click().run()
    assert "show" not in at.query_params
    assert at.title[0].value == "演示模式"  # back at the launcher


def test_a_link_cannot_inject_markdown_into_the_message():
    at = open_app(PAGE, show="[x](http://evil.example)")
    assert "\\[x\\]\\(http\\:" in at.error[0].value  # escaped, so it shows as text, not a link


def test_bad_theme_slide_and_seconds_are_named_and_defaults_kept():
    at = open_app(PAGE, show="default", theme="neon", slide="99", seconds="zero")
    warnings = " ".join(w.value for w in at.warning)
    assert "neon" in warnings and "99" in warnings and "zero" in warnings
    assert "第 1 / 10 张" in markdown_text(at)


def test_a_stored_show_with_errors_is_explained_not_played():
    folder = playlist.shows_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "broken.toml").write_text(INVALID, encoding="utf-8")
    try:
        at = open_app(PAGE, show="broken")
        assert "第 1 张幻灯片（坏幻灯片）" in at.error[0].value
    finally:
        (folder / "broken.toml").unlink()


def test_the_launcher_lists_the_slides_and_starts_the_show():
    at = open_app(PAGE)
    assert at.title[0].value == "演示模式"
    table = html_tables(at)[0]
    assert len(table) == 10 and "布吉街道" in " ".join(table["范围"])
    at.button(key="show_start_dark").click().run()
    assert at.query_params["show"] == "default" and at.query_params["theme"] == "dark"
    assert "第 1 / 10 张" in markdown_text(at)


def test_an_invalid_edit_is_refused_and_the_stored_file_kept():
    folder = playlist.shows_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / "team.toml"
    stored.write_text(VALID, encoding="utf-8")
    try:
        at = open_app(PAGE)
        assert not at.get("text_area")  # the editor is drawn when opened
        at.session_state["show-editor"] = True
        at.selectbox(key="show_pick").select("team").run()
        at.text_area(key="show_source_team").input(INVALID).run()
        at.button(key="show_save").click().run()
        assert "未保存" in at.error[0].value and "第 1 张幻灯片（坏幻灯片）" in at.error[0].value
        assert stored.read_text(encoding="utf-8") == VALID
        # a valid edit is saved under a new name and selected
        at.text_area(key="show_source_team").input(VALID.replace("30", "45")).run()
        at.text_input(key="show_save_name_team").input("team-b").run()
        at.button(key="show_save").click().run()
        assert (folder / "team-b.toml").read_text(encoding="utf-8") == VALID.replace("30", "45")
        assert at.selectbox(key="show_pick").value == "team-b" and "已保存" in at.success[0].value
    finally:
        for name in ("team.toml", "team-b.toml"):
            (folder / name).unlink(missing_ok=True)


def test_a_presenter_runs_shows_but_cannot_edit_them():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state["auth_role"] = "presenter"
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert not at.get("text_area") and any("只有区级账号" in c.value for c in at.caption)
    assert at.button(key="show_start_dark")


def _show_as(role: str | None, **params) -> AppTest:
    """The show opened by a signed-in role (None: the development default, the district)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    if role:
        at.session_state["auth_user"], at.session_state["auth_role"] = "meeting", role
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_followup_slide_lists_the_unfinished_items_overdue_first_and_a_street_only_its_own(sqlite_db):
    from datetime import date

    from alerts_support import BUJI, plant_followups

    from data_access import followup

    tag = "【演示督办】"
    ids = plant_followups(sqlite_db, tag)
    at = _show_as(None, show="default", slide="10", theme="dark")
    text = markdown_text(at)
    assert "第 10 / 10 张" in text and "督办事项：上次会议交办落实情况" in text
    assert f"督办状态截至 {date.today().year}年" in text  # the items' status now, not the data's period
    tables = [t for t in html_tables_of(text) if "督办内容" in t.columns]
    assert len(tables) == 1
    rows = tables[0]
    mine = rows[rows["督办内容"].str.startswith(tag)]
    assert mine["督办内容"].tolist() == [f"{tag}龙岭物业整改", f"{tag}布吉满意率回访", f"{tag}平湖逾期项目清理"]
    assert mine["责任单位"].tolist() == ["龙岭社区", "布吉街道", "平湖街道"]
    assert mine["状态"].tolist() == ["办理中 · 逾期 12 天", "待核实", "办理中"]
    assert mine["最新进展"].iloc[0].endswith(f"{tag}已回访 12 户") and "回访 30 户" in mine["最新进展"].iloc[1]
    assert mine["编号"].tolist() == [f"#{ids[k]}" for k in ("longling", "buji", "pinghu")]
    every = followup.meeting_items(sqlite_db, "district")
    shown_counts = dict(re.findall(r'<div class="lg-show-kpi-label">(.+?)</div><div class="lg-show-kpi-value[^"]*"'
                                   r'[^>]*>(\d+)</div>', text))
    assert shown_counts["未办结"] == str(len(every)) and shown_counts["已逾期"] == str(int(every["overdue"].sum()))
    assert not at.exception and not at.error

    street_at = _show_as(f"street:{BUJI}", show="default", slide="10", theme="light", lang="en")
    text = markdown_text(street_at)
    assert "Slide 10 of 10" in text and "Follow-up items" in text
    rows = [t for t in html_tables_of(text) if "Task" in t.columns][0]
    mine = rows[rows["Task"].str.startswith(tag)]
    assert mine["Task"].tolist() == [f"{tag}龙岭物业整改", f"{tag}布吉满意率回访"]  # not 平湖's
    assert mine["Status"].tolist() == ["in progress · 12 days overdue", "awaiting verification"]
    assert not street_at.exception and not street_at.error


def test_every_show_chart_carries_its_main_facts_for_screen_readers():
    """A projector slide has no room for captions: each chart's title carries the facts, hidden from view."""
    at = open_app(PAGE, show="default", theme="dark")
    charted = 0
    for _ in range(10):
        charts = at.get("plotly_chart")
        alternatives = re.findall(r'<span class="lg-show-sr">([^<]*)</span>', markdown_text(at))
        assert len(alternatives) == len(charts)
        assert all(a.startswith("图示要点：") and len(a) > len("图示要点：") for a in alternatives)
        charted += bool(charts)
        at.button(key="show_next").click().run()
    assert charted >= 5
    map_slide = markdown_text(open_app(PAGE, show="default", theme="dark", slide="2"))
    assert "最高：" in map_slide and "最好：" not in map_slide  # requests per 1,000 residents has no direction
