"""Alert rules (jobs.alerts) on a hand-built database, on both engines: each kind fires and clears,
spikes on a planted spike and a flat series, no duplicates across runs, a street role sees its own."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest
from alerts_support import (
    C1,
    C2,
    S1,
    S2,
    add_project,
    add_requests,
    build,
    month_days,
    project_row,
    request_rows,
)
from sqlalchemy import func, select, update

from data_access import alerts as store
from data_access import schema
from jobs import alerts as job
from jobs.rules import RuleError, load_rules, parse_rules


def rules(*raw: dict):
    return parse_rules({"rules": list(raw)})


def open_alerts(db, role=None):
    return store.list_alerts(db, role)


def run(db, rule_list):
    conditions, result = job.evaluate(db, rule_list)
    return conditions, result


SATISFACTION = {"id": "sat", "kind": "threshold", "measure": "satisfaction_rate", "floor": 0.85, "min_base": 5,
                "severity": "high"}


def test_threshold_fires_and_clears(empty_url):
    db = build(empty_url)
    add_requests(db, request_rows(C1, date(2023, 10, 5), 10, satisfaction=2))
    add_requests(db, request_rows(C2, date(2023, 10, 5), 10, satisfaction=5))
    conditions, result = run(db, rules(SATISFACTION))
    assert [(c.rule_id, c.unit_code) for c in conditions] == [("sat", S1)]
    assert result.opened == 1
    alert = open_alerts(db).iloc[0]
    assert alert["value"] == 0.0 and alert["threshold"] == 0.85
    assert "一街道 满意率: 0.0%，低于下限 85.0%" in alert["reason"]
    # 60 satisfied residents more: 60 / 70 = 85.7% clears it
    add_requests(db, request_rows(C1, date(2023, 10, 6), 60, satisfaction=4))
    conditions, result = run(db, rules(SATISFACTION))
    assert conditions == [] and result.closed == 1
    assert open_alerts(db).empty
    closed = store.list_alerts(db, status=store.CLOSED)
    assert len(closed) == 1 and closed.iloc[0]["closed_at"] is not None


def test_min_base_skips_small_units(empty_url):
    db = build(empty_url)
    add_requests(db, request_rows(C1, date(2023, 10, 5), 4, satisfaction=1))
    assert run(db, rules(SATISFACTION))[0] == []


def test_change_fires_and_clears(empty_url):
    db = build(empty_url)
    rule = {"id": "rise", "kind": "change", "measure": "requests_received", "rise_pct": 30, "min_base": 5}
    add_requests(db, request_rows(C1, month_days(1), 10) + request_rows(C1, month_days(0), 20))
    add_requests(db, request_rows(C2, month_days(1), 10) + request_rows(C2, month_days(0), 12))
    conditions, _ = run(db, rules(rule))
    assert [(c.unit_code, c.value, c.threshold) for c in conditions] == [(S1, 20.0, 10.0)]
    assert "+100.0%" in conditions[0].reason and "上月同期 10 件" in conditions[0].reason
    add_requests(db, request_rows(C1, month_days(1), 10))  # 20 against 20
    conditions, result = run(db, rules(rule))
    assert conditions == [] and result.closed == 1


def test_change_same_month_last_year_and_fall(empty_url):
    db = build(empty_url)
    rule = {"id": "fall", "kind": "change", "measure": "requests_received", "compare": "same_month_last_year",
            "fall_pct": 40}
    add_requests(db, request_rows(C2, month_days(12), 20) + request_rows(C2, month_days(0), 5))
    conditions, _ = run(db, rules(rule))
    assert [(c.unit_code, c.value, c.threshold) for c in conditions] == [(S2, 5.0, 20.0)]
    assert "去年同月" in conditions[0].reason and "-75.0%" in conditions[0].reason


def test_overdue_requests_and_due_soon(empty_url):
    db = build(empty_url)
    overdue = {"id": "od", "kind": "overdue", "subject": "requests", "max_count": 0}
    soon = {"id": "soon", "kind": "overdue", "subject": "requests", "due_within_days": 7, "severity": "low"}
    late = request_rows(C2, date(2023, 10, 1), 2, status="办理中")  # 物业管理: 7 days, due Oct 8
    fresh = request_rows(C1, date(2023, 10, 29), 1, status="待受理")  # due Nov 5: within 7 days
    done = request_rows(C1, date(2023, 9, 1), 3)  # resolved: never overdue
    add_requests(db, late + fresh + done)
    conditions, _ = run(db, rules(overdue, soon))
    found = sorted((c.rule_id, c.unit_code, c.value, c.measure) for c in conditions)
    assert found == [("od", S2, 2.0, "overdue_requests"), ("soon", S1, 1.0, "due_soon_requests")]
    with db.engine.begin() as conn:
        conn.execute(update(schema.requests).where(schema.requests.c.status != "已办结").values(status="已办结"))
    conditions, result = run(db, rules(overdue, soon))
    assert conditions == [] and result.closed == 2


def test_overdue_projects_and_due_soon(empty_url):
    db = build(empty_url)
    add_project(db, project_row("P1", C1, date(2023, 9, 30)))
    add_project(db, project_row("P2", C2, date(2023, 11, 15)))
    add_project(db, project_row("P3", C2, date(2023, 8, 1), status="完成"))
    conditions, _ = run(db, rules({"id": "odp", "kind": "overdue", "subject": "projects"},
                                  {"id": "soonp", "kind": "overdue", "subject": "projects", "due_within_days": 30}))
    assert sorted((c.rule_id, c.unit_code) for c in conditions) == [("odp", S1), ("soonp", S2)]
    with db.engine.begin() as conn:
        conn.execute(update(schema.projects).values(status="完成"))
    conditions, result = run(db, rules({"id": "odp", "kind": "overdue", "subject": "projects"},
                                       {"id": "soonp", "kind": "overdue", "subject": "projects",
                                        "due_within_days": 30}))
    assert conditions == [] and result.closed == 2


SPIKE = {"id": "spike", "kind": "spike", "p": 0.01, "min_count": 8}


def _baseline(db, community, per_month, category="物业管理"):
    rows = []
    for back in range(1, 13):
        rows += request_rows(community, month_days(back), per_month, category=category)
    add_requests(db, rows)


@pytest.mark.parametrize("adjust", ["district_category", "none"])
def test_spike_on_a_planted_spike_and_a_flat_series(empty_url, adjust):
    db = build(empty_url)
    _baseline(db, C1, 3)
    _baseline(db, C2, 3)
    add_requests(db, request_rows(C1, month_days(0), 30))  # the planted spike
    add_requests(db, request_rows(C2, month_days(0), 3))  # flat
    rule = dict(SPIKE, adjust=adjust)
    conditions, _ = run(db, rules(rule))
    assert [(c.unit_code, c.detail) for c in conditions] == [(C1, "物业管理")]
    spike = conditions[0]
    assert spike.value == 30 and spike.threshold == pytest.approx(3.0)
    assert spike.reason.startswith("甲社区 物业管理: 30 件, 基线 3.0 件/月")
    assert spike.p_value < 1e-6 and "p < 0.0001" in spike.reason
    assert open_alerts(db).iloc[0]["street_code"] == S1
    # the spike goes: the alert closes
    with db.engine.begin() as conn:
        conn.execute(schema.requests.delete().where(schema.requests.c.submitted_at >= date(2023, 10, 1),
                                                    schema.requests.c.community_code == C1))
    add_requests(db, request_rows(C1, month_days(0), 4))
    conditions, result = run(db, rules(rule))
    assert conditions == [] and result.closed == 1


def test_spike_needs_the_minimum_count(empty_url):
    db = build(empty_url)
    _baseline(db, C1, 0)
    add_requests(db, request_rows(C1, month_days(0), 4, category="心理咨询"))  # improbable but only 4
    assert run(db, rules(SPIKE))[0] == []
    add_requests(db, request_rows(C1, month_days(0), 4, category="心理咨询"))  # 8: enough
    conditions = run(db, rules(SPIKE))[0]
    assert [(c.detail, c.value) for c in conditions] == [("心理咨询", 8.0)]


def test_no_duplicates_across_runs_and_street_roles(empty_url):
    db = build(empty_url)
    add_requests(db, request_rows(C1, date(2023, 10, 5), 10, satisfaction=1))
    add_requests(db, request_rows(C2, date(2023, 10, 5), 10, satisfaction=2))
    run(db, rules(SATISFACTION))
    first = open_alerts(db)
    for _ in range(2):
        conditions, result = run(db, rules(SATISFACTION))
        assert result.opened == 0 and result.updated == 2 and result.closed == 0
    again = open_alerts(db)
    assert sorted(again["id"]) == sorted(first["id"])
    assert db.scalar(select(func.count()).select_from(schema.alerts)) == 2
    # a street role sees its own street's alerts only
    assert set(store.list_alerts(db, f"street:{S1}")["street_code"]) == {S1}
    assert set(store.list_alerts(db, f"street:{S2}")["street_code"]) == {S2}
    assert set(store.list_alerts(db, "district")["street_code"]) == {S1, S2}
    assert store.get_alert(db, int(first[first.street_code == S1].iloc[0]["id"]), f"street:{S2}") is None
    counts = store.alert_counts(db, f"street:{S1}")
    assert counts.to_dict("records") == [{"severity": "high", "n": 1}]
    # a condition that returns after clearing opens a new alert (the closed one stays closed)
    add_requests(db, request_rows(C1, date(2023, 10, 6), 100, satisfaction=5))
    run(db, rules(SATISFACTION))
    with db.engine.begin() as conn:
        conn.execute(schema.requests.delete().where(schema.requests.c.satisfaction == 5,
                                                    schema.requests.c.community_code == C1))
    run(db, rules(SATISFACTION))
    s1 = store.list_alerts(db, f"street:{S1}", status=None)
    assert sorted(s1["status"]) == ["closed", "open"]


def test_rule_file_errors_name_the_rule_and_field(tmp_path):
    with pytest.raises(RuleError) as error:
        parse_rules({"rules": [
            {"id": "a", "kind": "threshold", "measure": "satisfaction_rate", "floor": 85},
            {"id": "b", "kind": "spike", "p": "0.01", "level": "street"},
            {"id": "c", "kind": "nothing"},
            {"id": "d", "kind": "change", "measure": "no_such_measure", "rise_pct": 10, "colour": "red"},
            {"kind": "overdue"},
        ]})
    message = str(error.value)
    assert "7 处问题" in message
    assert "规则 a：字段 floor 应在 0 到 1 之间" in message and "0.85 表示 85%" in message
    assert "规则 b：字段 level 应为 community" in message and "规则 b：字段 p 应为数字" in message
    assert "规则 c：字段 kind" in message
    assert "规则 d：字段 measure" in message and "不认识字段 colour" in message
    assert "第 5 条规则：缺少字段 id" in message
    bad = tmp_path / "alerts.toml"
    bad.write_text("[[rules]\n", encoding="utf-8")
    with pytest.raises(RuleError, match="不是有效的 TOML"):
        load_rules(bad)
    with pytest.raises(RuleError, match="找不到预警规则文件"):
        load_rules(tmp_path / "missing.toml")


def test_shipped_rules_load():
    shipped = load_rules()
    assert {r.kind for r in shipped} == {"threshold", "change", "overdue", "spike", "hot_topic"}


def test_poisson_tail():
    assert job.poisson_sf(0, 3.0) == 1.0
    assert job.poisson_sf(1, 3.0) == pytest.approx(1 - math.exp(-3))
    # P(X >= 37 | 12.4) by the complement of the lower sum, in exact rational steps
    lower = sum(math.exp(-12.4) * 12.4 ** i / math.factorial(i) for i in range(37))
    assert job.poisson_sf(37, 12.4) == pytest.approx(1 - lower, rel=1e-6)
    assert job.poisson_sf(200, 2.0) > 0  # tiny, not rounded to zero
    assert job.format_p(0.00031) == "p = 0.0003" and job.format_p(1e-9) == "p < 0.0001"


def test_cli_evaluate_and_list(empty_url, capsys, tmp_path):
    db = build(empty_url)
    add_requests(db, request_rows(C1, date(2023, 10, 1), 120, status="办理中"))
    path = tmp_path / "alerts.toml"
    path.write_text('[[rules]]\nid = "overdue_requests"\nkind = "overdue"\nmax_count = 100\nseverity = "high"\n'
                    '[[rules]]\nid = "spike"\nkind = "spike"\n', encoding="utf-8")
    assert job.main(["evaluate", "--url", empty_url, "--rules", str(path)]) == 0
    out = capsys.readouterr().out
    assert "overdue_requests" in out and "新增 2" in out  # 120 overdue, and a spike from nothing
    assert job.main(["evaluate", "--if-stale", "--url", empty_url, "--rules", str(path)]) == 0
    assert "数据未变化，无需评估" in capsys.readouterr().out  # the scheduler's 5-minute check: nothing loaded since
    assert job.main(["list", "--json", "--url", empty_url]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted(a["rule_id"] for a in listed) == ["overdue_requests", "spike"]
    overdue = next(a for a in listed if a["rule_id"] == "overdue_requests")
    assert overdue["unit_code"] == S1 and overdue["value"] == 120 and overdue["status"] == "open"
    assert job.main(["list", "--url", empty_url]) == 0
    assert "一街道 超时未办结诉求: 120 件" in capsys.readouterr().out
    assert job.main(["list", "--url", empty_url, "--role", f"street:{S2}"]) == 0
    assert "没有未关闭的预警" in capsys.readouterr().out
    # once one alert is closed, --all lists both: closed_at a time or null, never "NaT"
    with db.engine.begin() as conn:
        conn.execute(schema.requests.update().values(status="已办结"))
    assert job.main(["evaluate", "--url", empty_url, "--rules", str(path)]) == 0
    capsys.readouterr()
    assert job.main(["list", "--json", "--all", "--url", empty_url]) == 0
    every = json.loads(capsys.readouterr().out)
    assert sorted((a["status"], a["closed_at"] is None) for a in every) == [("closed", False), ("open", True)]
    assert "NaT" not in json.dumps(every)
    path.write_text('[[rules]]\nid = "x"\nkind = "threshold"\nmeasure = "satisfaction_rate"\n', encoding="utf-8")
    assert job.main(["evaluate", "--url", empty_url, "--rules", str(path)]) == 2
    assert "规则 x：阈值规则需要字段 floor" in capsys.readouterr().err


def test_sample_month_raises_a_small_set(db):
    """The shipped rules on the sample data: a handful of alerts, the same on both engines."""
    conditions, _ = job.evaluate(db)
    by_rule: dict[str, int] = {}
    for condition in conditions:
        by_rule[condition.rule_id] = by_rule.get(condition.rule_id, 0) + 1
    assert 1 <= len(conditions) <= 15, by_rule
    assert by_rule.get("request_spike", 0) <= 3
    assert all(c.period in ("2023-10", "2023-10-25~10-31") for c in conditions)


def test_a_spike_planted_by_an_import_is_found(tmp_path):
    """The sample data plus 20 requests of 物业管理 in 龙岭社区 imported like any file: the spike names both."""
    from data_access.database import Database
    from data_access.importer import import_bytes
    from data_access.loader import SAMPLE_DIR, load_csv_dir

    db = Database(f"sqlite:///{tmp_path / 'planted.sqlite3'}")
    load_csv_dir(db.engine, SAMPLE_DIR)
    spike_rule = rules({"id": "spike", "kind": "spike"})
    before = [c for c in job.evaluate(db, spike_rule)[0] if c.unit_code == "440307014003"]
    assert before == []
    header = ("id,channel,category,community_code,compound_code,lat,lon,submitted_at,accepted_at,resolved_at,"
              "closed_at,status,handling_unit,satisfaction,requester_name,requester_phone,description")
    lines = [header] + [
        f"RX2023{i:05d},平安码上办,物业管理,440307014003,,22.6337,114.1031,2023-10-{i + 5:02d} 09:00:00,,,,"
        f"待受理,布吉街道物业管理办,,李四,13800138000,电梯频繁故障" for i in range(20)]
    report = import_bytes(db.engine, "requests", "\n".join(lines).encode("utf-8"), "planted.csv")
    assert report.ok and report.inserted == 20, report.problems
    conditions, _ = job.evaluate(db, spike_rule)
    found = [c for c in conditions if c.unit_code == "440307014003"]
    assert [(c.unit_name, c.detail, c.value) for c in found] == [("龙岭社区", "物业管理", 21.0)]
    assert found[0].reason.startswith("龙岭社区 物业管理: 21 件, 基线 1.9 件/月")
    db.dispose()


def test_hot_topic_groups_one_problem_into_one_alert(empty_url):
    db = build(empty_url)
    baseline = []
    for back in range(1, 13):
        baseline += request_rows(C1, month_days(back), 2, category="隐患上报")
        baseline += request_rows(C2, month_days(back), 2, category="隐患上报")
    for row in baseline:
        row["description"] = "井盖破损"
    spike = request_rows(C1, month_days(0), 24, category="隐患上报")
    for i, row in enumerate(spike):  # one problem, written three ways
        row["description"] = ["井盖破损", "井盖 破损！", "井盖破损 2"][i % 3]
    flat = request_rows(C2, month_days(0), 2, category="隐患上报")
    for row in flat:
        row["description"] = "井盖破损"
    add_requests(db, baseline + spike + flat)
    hot = rules({"id": "hot", "kind": "hot_topic", "p": 0.001, "min_count": 10})
    conditions, _ = run(db, hot)
    assert [(c.unit_code, c.detail, c.value) for c in conditions] == [(S1, "井盖破损", 24.0)]
    assert conditions[0].reason.startswith("一街道 类案「井盖破损」: 24 件, 基线 2.0 件/月")
    # the same run again updates it; once the month's requests turn out to be different problems, it clears
    assert run(db, hot)[1].updated == 1 and len(open_alerts(db)) == 1
    with db.engine.begin() as conn:
        for i, row in enumerate(spike):
            conn.execute(update(schema.requests).where(schema.requests.c.id == row["id"])
                         .values(description=f"第{'甲乙丙丁戊己庚辛壬癸'[i % 10]}类问题{'子丑寅'[i // 10]}"))
    conditions, result = run(db, hot)
    assert conditions == [] and result.closed == 1 and open_alerts(db).empty
    from data_access.measures import normalise_phrase
    assert normalise_phrase("ＡＢ 井盖，破损 3 处！") == "ab井盖破损处"


def test_edited_rules_are_validated_saved_and_take_precedence(tmp_path, monkeypatch):
    from jobs import rules as alert_rules

    monkeypatch.setenv("LONGGANG_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(alert_rules.RULES_ENV, raising=False)
    assert alert_rules.rules_path() == alert_rules.RULES_FILE
    with pytest.raises(RuleError, match="规则 x：字段 severity"):
        alert_rules.save_rules('[[rules]]\nid = "x"\nkind = "overdue"\nseverity = "urgent"\n')
    assert not (tmp_path / "alerts.toml").exists()  # nothing written
    saved = alert_rules.save_rules('[[rules]]\nid = "x"\nkind = "overdue"\nmax_count = 3\n')
    assert [r.id for r in saved] == ["x"]
    assert alert_rules.rules_path() == tmp_path / "alerts.toml"
    assert [r.max_count for r in load_rules()] == [3]
    alert_rules.reset_rules()
    assert alert_rules.rules_path() == alert_rules.RULES_FILE
    with pytest.raises(RuleError, match="不是有效的 TOML"):
        alert_rules.parse_rules_text("[[rules]\n")


def test_a_load_or_import_makes_the_alerts_stale(empty_url):
    db = build(empty_url)
    add_requests(db, request_rows(C1, date(2023, 10, 5), 10, satisfaction=1))
    assert store.is_stale(db) and store.last_run(db) is None
    assert job.evaluate_if_stale(db, rules(SATISFACTION)).opened == 1
    assert not store.is_stale(db)
    assert job.evaluate_if_stale(db, rules(SATISFACTION)) is None  # nothing loaded since
    run = store.last_run(db)
    assert (run["conditions"], run["opened"], run["loaded_at"]) == (1, 1, "2023-11-01T00:00:00+00:00")
    with db.engine.begin() as conn:  # what a load or an import does
        conn.execute(update(schema.dataset_info).where(schema.dataset_info.c.key == "loaded_at")
                     .values(value="2023-11-02T00:00:00+00:00"))
    assert store.is_stale(db)
    assert job.evaluate_if_stale(db, rules(SATISFACTION)).updated == 1
    assert store.last_run(db)["loaded_at"] == "2023-11-02T00:00:00+00:00"


def test_weekly_spike_on_the_last_seven_days(empty_url):
    db = build(empty_url)
    _baseline(db, C1, 3)
    _baseline(db, C2, 3)
    add_requests(db, request_rows(C1, date(2023, 10, 27), 9))  # 9 in the last 7 days against ~0.7 expected
    add_requests(db, request_rows(C1, date(2023, 10, 3), 3))  # earlier in the month: not in the window
    add_requests(db, request_rows(C2, date(2023, 10, 28), 1))
    weekly = rules(dict(SPIKE, id="week", window="week", min_count=6))
    conditions, _ = run(db, weekly)
    assert [(c.unit_code, c.value, c.period) for c in conditions] == [(C1, 9.0, "2023-10-25~10-31")]
    assert conditions[0].reason.startswith("甲社区 物业管理: 9 件（近 7 天）, 基线 3.0 件/月")


def test_the_bulletins_satisfaction_measure_flags_the_months_black_list(db):
    """The default satisfaction rule reads the bulletin's own 满意率 (config/bulletin.toml): the streets below
    its floor in the latest month are the streets the month's 通报 black-lists for 满意率. (The measure is
    read directly: evaluating would store alerts in the shared sample database.)"""
    from data_access import bulletin, measures

    floor = dict(bulletin.load_bulletin_config().floors)["satisfaction_rate"]
    reference = date(2023, 10, 31)
    measure = measures.MEASURES["bulletin_satisfaction_rate"]
    values = measure.compute(db, "street", measures.month_window(reference), reference, {})
    below = set(values.loc[values["value"] < floor, "unit_code"])
    black = bulletin.build_bulletin(db, "2023-10", "street").black
    listed = set(black.loc[black["failing"].map(lambda failing: "satisfaction_rate" in failing), "code"])
    assert listed and below == listed
