"""The 预警 page (pages/alerts_page.py) in AppTest: alerts per role, and the follow-up flow for both roles."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from apptest_support import metrics, open_app
from streamlit.testing.v1 import AppTest

from components import formatting
from data_access import alerts as store
from data_access import followup, schema
from jobs import alerts as job

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/alerts_page.py"


def as_role(role: str, user: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state["auth_user"] = user
    at.session_state["auth_role"] = role
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _alert_rows(at: AppTest) -> int:
    tables = [d for d in at.dataframe if "说明" in d.value.columns]
    return len(tables[0].value) if tables else 0


def test_page_lists_alerts_per_role_and_the_follow_up_flow(sqlite_db):
    job.evaluate(sqlite_db)
    every = store.list_alerts(sqlite_db, "district")
    assert len(every) >= 1

    at = open_app(PAGE)
    assert at.title[0].value == "预警与督办"
    assert any("最近评估" in c.value and "数据截至 2023-10-31" in c.value for c in at.caption)
    assert metrics(at)["未关闭预警"] == str(len(every))
    assert _alert_rows(at) == len(every)
    reasons = [d for d in at.dataframe if "说明" in d.value.columns][0].value["说明"].tolist()
    assert reasons == every["reason"].tolist()  # high severity first, then oldest
    links = [d for d in at.dataframe if "说明" in d.value.columns][0].value["查看"].tolist()
    assert all(link.startswith(("./requests?street=", "./projects?street=", "./bulletin?street="))
               and "period=2023-Q4" in link
               for link in links)
    # the district re-evaluates on the page: the same alerts, updated, none added
    at.button(key="alerts_evaluate").click().run()
    assert not at.exception
    assert any(f"新增 0，更新 {len(every)}，关闭 0" in s.value for s in at.success)
    # filtered to one rule
    at.selectbox(key="alerts_rule").set_value("overdue_projects").run()
    assert _alert_rows(at) == int((every["rule_id"] == "overdue_projects").sum())

    street = every.iloc[0]["street_code"]
    role = f"street:{street}"
    mine = store.list_alerts(sqlite_db, role)
    street_at = as_role(role, "street office")
    assert metrics(street_at)["未关闭预警"] == str(len(mine))
    assert _alert_rows(street_at) == len(mine) < len(every)
    assert not [b for b in street_at.button if b.key == "alerts_evaluate"]  # the district's only
    assert set(mine["street_code"]) == {street}

    # the district turns the alert into a follow-up item; the street reports it done on the page
    item = followup.create_item(sqlite_db, actor="区督查室", role="district", task="核查并整改",
                                due_on=date(2030, 1, 31), alert_id=int(mine.iloc[0]["id"]))
    street_at = as_role(role, "street office")
    street_at.selectbox(key="followup_pick").set_value(item).run()
    [box for box in street_at.text_area if box.label == "情况说明"][0].input("已整改完毕")
    [b for b in street_at.button if b.label == "报办结"][0].click().run()
    assert not street_at.exception
    assert followup.list_items(sqlite_db, "district").set_index("id").loc[item, "status"] == "done"

    # the district verifies it on the page
    district_at = open_app(PAGE)
    district_at.selectbox(key="followup_pick").set_value(item).run()
    [b for b in district_at.button if b.label == "核实办结"][0].click().run()
    assert not district_at.exception
    events = followup.history(sqlite_db, item, "district")
    assert events["action"].tolist() == ["create", "done", "verify"]
    assert events["actor"].tolist()[1] == "street office"
    # another street sees neither the alert nor the item
    other = "440307014" if street != "440307014" else "440307013"  # 布吉 or 坂田
    other_at = as_role(f"street:{other}", "another office")
    listed = [d.value for d in other_at.dataframe if "编号" in d.value.columns]
    assert not listed or item not in listed[0]["编号"].tolist()
    assert _alert_rows(other_at) == len(store.list_alerts(sqlite_db, f"street:{other}"))
    own_listed = [d.value for d in as_role(role, "street office").dataframe if "编号" in d.value.columns]
    assert item in own_listed[0]["编号"].tolist()


def test_district_edits_the_rules_on_the_page(sqlite_db):
    from jobs import rules as alert_rules

    at = open_app(PAGE)
    try:
        box = at.text_area(key="alerts_rules_source")
        assert 'id = "request_spike"' in box.value
        box.input('[[rules]]\nid = "bad"\nkind = "threshold"\nmeasure = "satisfaction_rate"\nfloor = 85\n')
        [b for b in at.button if b.label == "保存"][0].click().run()
        assert any("规则 bad：字段 floor 应在 0 到 1 之间" in e.value for e in at.error)
        assert not alert_rules.edited_rules_path().exists()
        at.text_area(key="alerts_rules_source").input(
            '[[rules]]\nid = "few"\nname = "少量"\nkind = "overdue"\nsubject = "projects"\nmax_count = 8\n')
        [b for b in at.button if b.label == "保存"][0].click().run()
        assert any("已保存 1 条规则" in s.value for s in at.success)
        assert [r.id for r in alert_rules.load_rules()] == ["few"]
        # a street role has no editor
        street_at = as_role("street:440307014", "street office")
        assert not [t for t in street_at.text_area if t.key == "alerts_rules_source"]
    finally:
        alert_rules.reset_rules()
    assert alert_rules.rules_path() == alert_rules.RULES_FILE


def test_english_and_the_presenter_role(sqlite_db):
    job.evaluate(sqlite_db)
    at = open_app(PAGE, lang="en")
    assert at.title[0].value == "Alerts and follow-up"
    table = [d for d in at.dataframe if "Why" in d.value.columns][0].value
    assert len(table) == len(store.list_alerts(sqlite_db, "district"))
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in severity) for severity in table["Severity"])
    presenter = as_role("presenter", "screen")
    assert not [b for b in presenter.button if b.key == "alerts_evaluate"]
    assert not [t for t in presenter.text_area if t.key == "alerts_rules_source"]
    assert _alert_rows(presenter) == len(store.list_alerts(sqlite_db, "presenter"))


def _sidebar_badge(at: AppTest) -> str | None:
    """The label of the sidebar's link to the 预警 page, if drawn."""
    links = [e.proto for e in at.sidebar if e.type == "page_link" and "alerts" in e.proto.page]
    return links[0].label if links else None


def test_sidebar_badge_counts_open_alerts_per_role(sqlite_db):
    job.evaluate(sqlite_db)
    every = store.list_alerts(sqlite_db, "district")
    assert len(every) >= 1
    assert store.open_alert_count(sqlite_db, "district") == len(every)
    at = open_app()
    assert _sidebar_badge(at) == f"预警 {len(every)}"
    street = every.iloc[0]["street_code"]
    role = f"street:{street}"
    mine = store.open_alert_count(sqlite_db, role)
    assert 0 < mine < len(every)
    street_at = as_role(role, "street office")
    assert _sidebar_badge(street_at) == f"预警 {mine}"
    english = open_app(lang="en")
    assert _sidebar_badge(english) == f"Alerts {len(every)}"


def test_street_adds_a_progress_note_on_the_page(sqlite_db):
    street = "440307014"
    item = followup.create_item(sqlite_db, actor="区督查室", role="district", task="排查积水点",
                                due_on=date(2030, 2, 28), unit_code=street, unit_level="street")
    at = as_role(f"street:{street}", "布吉街道办")
    at.selectbox(key="followup_pick").set_value(item).run()
    [box for box in at.text_area if box.label == "进展情况"][0].input("已排查 3 处，整改 2 处")
    [b for b in at.button if b.label == "添加进展"][0].click().run()
    assert not at.exception
    events = followup.history(sqlite_db, item, "district")
    assert events["action"].tolist() == ["create", "progress"]
    assert events["actor"].tolist() == ["区督查室", "布吉街道办"]
    assert events["note"].tolist()[1] == "已排查 3 处，整改 2 处"
    assert followup.list_items(sqlite_db, "district").set_index("id").loc[item, "status"] == "open"
    # an empty note is refused with a message, and nothing is recorded
    at = as_role(f"street:{street}", "布吉街道办")
    at.selectbox(key="followup_pick").set_value(item).run()
    [b for b in at.button if b.label == "添加进展"][0].click().run()
    assert any("请填写进展情况" in e.value for e in at.error)
    assert len(followup.history(sqlite_db, item, "district")) == 2
    # another street may not see it
    assert followup.history(sqlite_db, item, "street:440307013").empty


def test_a_long_list_shows_the_most_urgent_and_counts_them_all(sqlite_db):
    """A city's district list ran to 2,400 alerts: the page lists the first ALERTS_SHOWN, most severe and
    oldest first, says how many there are, and its tiles count every one."""
    job.evaluate(sqlite_db)
    first = store.list_alerts(sqlite_db, "district").iloc[0].to_dict()
    copies = [{**{k: first[k] for k in [c.name for c in schema.alerts.columns] if k != "id"},
               "detail": f"copy {i}", "severity": "low"} for i in range(520)]
    with sqlite_db.engine.begin() as conn:
        conn.execute(schema.alerts.insert(), copies)
    every = store.list_alerts(sqlite_db, "district", limit=None)
    assert len(every) > 500

    at = open_app(PAGE)
    assert metrics(at)["未关闭预警"] == str(len(every))
    assert _alert_rows(at) == 500
    reasons = [d for d in at.dataframe if "说明" in d.value.columns][0].value["说明"].tolist()
    assert reasons == every["reason"].tolist()[:500]  # the most severe first, then the oldest
    assert any(f"最紧急的 500 条（共 {formatting.count(len(every), 'zh')} 条）" in c.value for c in at.caption)
    assert metrics(at)["低级"] == str(int((every["severity"] == "low").sum()))
