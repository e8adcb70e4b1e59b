"""The audit trail (#26): one record per audited action, a hash chain that shows any change."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from apptest_support import open_app
from sqlalchemy import delete, select, update
from streamlit.testing.v1 import AppTest

from components import login
from data_access import audit, auth, schema
from data_access.database import Database

ROOT = Path(__file__).resolve().parent.parent
GOOD = "Correct-horse-battery-7"
A = schema.audit_log


def _of(db: Database, user: str) -> list[dict]:
    frame = audit.records(db.engine, user=user)
    return frame.sort_values("seq").to_dict("records")


# --- the chain, on both engines --------------------------------------------------------------------


def _three(engine) -> None:
    audit.record(engine, "login", "a", role="district", address="10.0.0.1")
    audit.record(engine, "export", "a", target="projects", scope="龙岗区", rows=12, file_name="projects_龙岗区.csv")
    audit.record(engine, "logout", "a")


def test_intact_chain_verifies_and_an_altered_record_is_named(empty_url):
    database = Database(empty_url)
    try:
        _three(database.engine)
        verdict = audit.verify(database.engine)
        assert verdict.ok and verdict.records == 3
        with database.engine.begin() as conn:
            conn.execute(update(A).where(A.c.seq == 2).values(rows=1))
        verdict = audit.verify(database.engine)
        assert not verdict.ok and verdict.broken_seq == 2 and "altered" in verdict.reason
    finally:
        database.dispose()


def test_a_deleted_record_is_named(empty_url):
    database = Database(empty_url)
    try:
        _three(database.engine)
        with database.engine.begin() as conn:
            conn.execute(delete(A).where(A.c.seq == 2))
        verdict = audit.verify(database.engine)
        assert not verdict.ok and verdict.broken_seq == 3
        # deleting it and relinking the next record by hand still breaks on the rewritten hash
        with database.engine.begin() as conn:
            first = conn.execute(select(A.c.hash).where(A.c.seq == 1)).scalar()
            conn.execute(update(A).where(A.c.seq == 3).values(seq=2, prev_hash=first))
        verdict = audit.verify(database.engine)
        assert not verdict.ok and verdict.broken_seq == 2
    finally:
        database.dispose()


def test_unknown_action_and_unwritable_store_raise(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    try:
        with pytest.raises(audit.AuditError):
            audit.record(database.engine, "nonsense", "a")
        audit.record(database.engine, "login", "a")
        with database.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE audit_log")
        with pytest.raises(audit.AuditError):
            audit.record(database.engine, "login", "a")
    finally:
        database.dispose()


def test_command_line_verify_and_list(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    database = Database(url)
    _three(database.engine)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "data_access.audit", "--database-url", url, *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    done = run("verify")
    assert done.returncode == 0 and "审计链完整：共 3 条记录" in done.stdout  # Chinese first
    english = run("--lang", "en", "verify")
    assert english.returncode == 0 and "audit chain intact: 3 records" in english.stdout
    listed = json.loads(run("list", "--json").stdout)
    assert [r["action"] for r in listed] == ["logout", "export", "login"]
    assert listed[1]["rows"] == 12 and listed[1]["file_name"] == "projects_龙岗区.csv"
    with database.engine.begin() as conn:
        conn.execute(update(A).where(A.c.seq == 1).values(user_name="b"))
    database.dispose()
    done = run("verify")
    assert done.returncode == 1 and "审计链在第 1 条记录处断裂" in done.stderr
    assert "broken at record 1" in run("verify", "--lang", "en").stderr


# --- audited actions in the app ----------------------------------------------------------------------


def _login_session(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.text_input[0].input(name)
    at.text_input[1].input(GOOD)
    at.button[0].click().run()
    at.run()  # see tests/test_session.py: AppTest keeps the login page's hash through the rerun
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_login_failure_success_logout_and_timeout_leave_one_record_each(users_file, sqlite_db, monkeypatch):
    name = f"a{uuid.uuid4().hex[:10]}"
    auth.add_user(name, "district", GOOD)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.text_input[0].input(name)
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    rows = _of(sqlite_db, name)
    assert [(r["action"], r["address"], r["detail"]) for r in rows] == [
        ("login_failed", "unknown", "bad credentials")]
    at = _login_session(name)
    at.sidebar.button(key="auth_logout").click().run()
    rows = _of(sqlite_db, name)
    assert [r["action"] for r in rows] == ["login_failed", "login", "logout"]
    assert rows[1]["role"] == "district"
    clock = [1_800_000_000.0]
    monkeypatch.setattr(login, "now", lambda: clock[0])
    at = _login_session(name)
    clock[0] += 31 * 60
    at.run()
    assert [r["action"] for r in _of(sqlite_db, name)] == ["login_failed", "login", "logout", "login", "timeout"]
    assert audit.verify(sqlite_db.engine).ok


def test_a_refused_audit_refuses_the_login(users_file, sqlite_db, monkeypatch):
    name = f"a{uuid.uuid4().hex[:10]}"
    auth.add_user(name, "district", GOOD)

    def broken(*args, **kwargs):
        raise audit.AuditError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.text_input[0].input(name)
    at.text_input[1].input(GOOD)
    at.button[0].click().run()
    assert not at.exception
    assert "auth_user" not in at.session_state
    assert "审计记录写入失败" in at.error[0].value


def test_opening_one_request_is_recorded_once(sqlite_db):
    request_id = sqlite_db.scalar(select(schema.requests.c.id).limit(1))
    before = len(_of(sqlite_db, "demo"))
    at = open_app("pages/requests_page.py", request=request_id)
    at.run()  # a rerun of the same view is not another view
    rows = _of(sqlite_db, "demo")[before:]
    assert [(r["action"], r["target"], r["detail"]) for r in rows] == [("view_request", request_id, "")]


def test_a_download_is_recorded_when_its_file_is_built(sqlite_db, monkeypatch):
    """Streamlit runs a deferred download's builder on the click; the builder writes the record first."""
    import streamlit as st

    from components import audit_trail

    monkeypatch.setattr(st, "session_state", {"auth_user": "exporter", "auth_role": "district"})
    build = audit_trail.audited_bytes(lambda: b"a,b\n1,2\n", target="projects", scope="龙岗区 | 全部",
                                      file_name="projects_龙岗区.csv", rows=lambda: 1)
    assert not [r for r in _of(sqlite_db, "exporter")]  # drawing the button records nothing
    assert build() == b"a,b\n1,2\n"
    rows = _of(sqlite_db, "exporter")
    assert [(r["action"], r["target"], r["scope"], r["rows"], r["file_name"]) for r in rows] == [
        ("export", "projects", "龙岗区 | 全部", 1, "projects_龙岗区.csv")]

    def broken(*args, **kwargs):
        raise audit.AuditError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(audit.AuditError):  # no record, no file
        build()


# --- the audit log page --------------------------------------------------------------------------------


def test_audit_page_is_the_district_offices_only(sqlite_db):
    audit.record(sqlite_db.engine, "login", "pagecheck", role="district")
    at = open_app("pages/audit_page.py")
    assert at.title[0].value == "审计日志"
    assert "哈希链完整" in at.success[0].value
    at.selectbox(key="audit_user").set_value("pagecheck").run()
    shown = at.dataframe[0].value
    assert list(shown["用户"].unique()) == ["pagecheck"] and list(shown["操作"]) == ["login"]
    at.selectbox(key="audit_action").set_value("export").run()
    assert at.dataframe[0].value.empty
    street = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    street.session_state["auth_role"] = "street:440307014"
    street.run()
    with pytest.raises(ValueError):
        street.switch_page("pages/audit_page.py")


# --- show, alert rule and follow-up edits: one record each, none for a refused edit -------------------------


def _since(engine, seq: int) -> list[dict]:
    """The records appended after record ``seq``, oldest first."""
    frame = audit.records(engine).astype(object)
    frame = frame[frame["seq"] > seq].sort_values("seq")
    return frame.where(frame.notna(), None).to_dict("records")


def _last_seq(engine) -> int:
    frame = audit.records(engine, limit=1)
    return int(frame["seq"].iloc[0]) if len(frame) else 0


SHOW = 'title = "审计"\n[[slide]]\npanel = "requests"\ntitle = "诉求"\nduration_s = 30\n'


def test_a_show_edit_is_recorded_once_and_a_refused_one_not_at_all(sqlite_db, monkeypatch):
    from components import playlist

    folder = playlist.shows_dir()
    target = folder / "audited.toml"
    try:
        at = open_app("pages/show_page.py")
        at.session_state["show-editor"] = True
        at.run()
        start = _last_seq(sqlite_db.engine)
        source = at.text_area(key="show_source_default")
        source.input('[[slide]]\npanel = "nope"\n').run()
        at.text_input(key="show_save_name_default").input("audited").run()
        at.button(key="show_save").click().run()
        assert "未保存" in at.error[0].value and _since(sqlite_db.engine, start) == []  # invalid: no record
        at.text_area(key="show_source_default").input(SHOW).run()
        at.button(key="show_save").click().run()
        rows = _since(sqlite_db.engine, start)
        assert [(r["action"], r["user_name"], r["target"], r["rows"], r["file_name"]) for r in rows] == [
            ("show_edit", "demo", "audited", 1, "audited.toml")]
        assert rows[0]["detail"].startswith("new, sha256 ") and target.read_text(encoding="utf-8") == SHOW

        def broken(*args, **kwargs):
            raise audit.AuditError("disk full")

        monkeypatch.setattr(audit, "record", broken)
        at.session_state["show-editor"] = True
        at.selectbox(key="show_pick").select("audited").run()
        at.text_area(key="show_source_audited").input(SHOW.replace("30", "45")).run()
        at.button(key="show_save").click().run()
        assert "审计记录写入失败" in at.error[0].value
        assert target.read_text(encoding="utf-8") == SHOW  # no record, no change
    finally:
        target.unlink(missing_ok=True)


def test_alert_rule_saves_and_resets_are_recorded_once(sqlite_db):
    from jobs import rules as alert_rules

    at = open_app("pages/alerts_page.py")
    start = _last_seq(sqlite_db.engine)
    try:
        at.text_area(key="alerts_rules_source").input('[[rules]]\nid = "bad"\nkind = "nope"\n')
        [b for b in at.button if b.label == "保存"][0].click().run()
        assert _since(sqlite_db.engine, start) == []
        at.text_area(key="alerts_rules_source").input(
            '[[rules]]\nid = "few"\nname = "少量"\nkind = "overdue"\nsubject = "projects"\nmax_count = 8\n')
        [b for b in at.button if b.label == "保存"][0].click().run()
        [b for b in at.button if b.label == "恢复默认规则"][0].click().run()
        rows = _since(sqlite_db.engine, start)
        assert [(r["action"], r["target"], r["rows"]) for r in rows] == [
            ("alert_rule_edit", alert_rules.edited_rules_path().name, 1),
            ("alert_rule_edit", alert_rules.edited_rules_path().name, None)]
        assert rows[0]["detail"].startswith("saved, sha256 ") and rows[1]["detail"] == "reset to the shipped rules"
    finally:
        alert_rules.reset_rules()


def test_each_follow_up_change_is_recorded_once_in_its_own_transaction(empty_url, monkeypatch):
    from datetime import date

    from alerts_support import S1, build

    from data_access import followup

    db = build(empty_url)
    street = f"street:{S1}"
    try:
        item = followup.create_item(db, actor="区督查室", role="district", task="核查", due_on=date(2023, 11, 30),
                                    unit_level="street", unit_code=S1, address="10.0.0.9")
        followup.add_progress(db, item, actor="一街道办", role=street, note="已约谈")
        followup.mark_done(db, item, actor="一街道办", role=street, explanation="已整改")
        with pytest.raises(followup.FollowupError):  # refused: no record
            followup.mark_done(db, item, actor="一街道办", role=street, explanation="再报")
        followup.send_back(db, item, actor="区督查室", role="district", note="补充材料")
        rows = _since(db.engine, 0)
        assert [(r["action"], r["user_name"], r["role"], r["target"], r["scope"], r["detail"]) for r in rows] == [
            ("followup_change", "区督查室", "district", f"followup #{item}", "一街道", "create -> open"),
            ("followup_change", "一街道办", street, f"followup #{item}", "一街道", "progress -> open"),
            ("followup_change", "一街道办", street, f"followup #{item}", "一街道", "done -> done"),
            ("followup_change", "区督查室", "district", f"followup #{item}", "一街道", "send_back -> open"),
        ]
        assert rows[0]["address"] == "10.0.0.9" and audit.verify(db.engine).ok
        # the record cannot be written: the change rolls back with it
        from sqlalchemy.exc import OperationalError

        def broken(conn, *args, **kwargs):
            raise OperationalError("INSERT", {}, Exception("disk full"))

        monkeypatch.setattr(audit, "append", broken)
        with pytest.raises(audit.AuditError):
            followup.mark_done(db, item, actor="一街道办", role=street, explanation="第二次")
        assert followup.list_items(db, "district").iloc[0]["status"] == "open"
        assert followup.history(db, item, "district")["action"].tolist()[-1] == "send_back"
    finally:
        db.dispose()


# --- retention: archive to a file, the chain continues from the archived head -------------------------------


def _dated(engine, monkeypatch, when, action: str = "login", user: str = "a") -> None:
    from datetime import datetime as dt

    monkeypatch.setattr(audit, "now_utc", lambda: dt.fromisoformat(when))
    audit.record(engine, action, user, detail=when)
    monkeypatch.undo()


def test_archive_moves_old_records_to_a_hashed_file_and_verify_still_passes(empty_url, tmp_path, monkeypatch):
    import hashlib
    from datetime import date

    database = Database(empty_url)
    try:
        for when in ("2025-01-01 08:00:00", "2025-01-02 09:00:00", "2025-01-03 10:00:00",
                     "2026-06-01 08:00:00", "2026-06-02 08:00:00"):
            _dated(database.engine, monkeypatch, when)
        out = tmp_path / "audit-2025.jsonl"
        done = audit.archive(database.engine, date(2025, 6, 1), out, user="cli:root", today=date(2026, 12, 6))
        assert (done.records, done.from_seq, done.through_seq, done.record_seq) == (3, 1, 3, 6)
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [r["seq"] for r in lines] == [1, 2, 3] and lines[2]["detail"] == "2025-01-03 10:00:00"
        assert hashlib.sha256(out.read_bytes()).hexdigest() == done.sha256
        left = audit.records(database.engine).sort_values("seq")
        assert left["seq"].tolist() == [4, 5, 6]
        entry = left.iloc[-1]
        kept = json.loads(entry["detail"])
        assert (entry["action"], entry["rows"], entry["file_name"]) == ("archive", 3, str(out))
        assert kept["sha256"] == done.sha256 and (kept["from_seq"], kept["through_seq"]) == (1, 3)
        assert kept["head_hash"] == lines[2]["hash"]
        assert audit.verify(database.engine) == audit.Verdict(True, 3)
        assert audit.verify_archive(database.engine, out).ok
        # a second archive later on continues from the first's head
        audit.record(database.engine, "logout", "a")
        second = tmp_path / "audit-2026.jsonl"
        done = audit.archive(database.engine, date(2026, 6, 2), second, user="cli:root", today=date(2026, 12, 6))
        assert (done.from_seq, done.through_seq) == (4, 4)
        assert audit.verify(database.engine).ok and audit.verify_archive(database.engine, second).ok
        # deleting the oldest remaining record, or altering an archive file, is found
        out.write_text(out.read_text(encoding="utf-8").replace("2025-01-03 10:00:00", "2025-01-03 11:00:00"),
                       encoding="utf-8")
        assert not audit.verify_archive(database.engine, out).ok
        with database.engine.begin() as conn:
            conn.execute(delete(A).where(A.c.seq == 5))
        verdict = audit.verify(database.engine)
        assert not verdict.ok and verdict.broken_seq == 6
    finally:
        database.dispose()


def test_archive_refuses_young_records_a_broken_chain_and_an_existing_file(empty_url, tmp_path, monkeypatch):
    from datetime import date

    database = Database(empty_url)
    try:
        for when in ("2025-01-01 08:00:00", "2025-01-02 08:00:00"):
            _dated(database.engine, monkeypatch, when)
        out = tmp_path / "a.jsonl"
        with pytest.raises(audit.AuditError, match="at least 180 days"):
            audit.archive(database.engine, date(2026, 6, 10), out, user="x", today=date(2026, 12, 6))
        out.write_text("keep me", encoding="utf-8")
        with pytest.raises(audit.AuditError, match="never overwritten"):
            audit.archive(database.engine, date(2025, 6, 1), out, user="x", today=date(2026, 12, 6))
        assert out.read_text(encoding="utf-8") == "keep me"
        out.unlink()

        def broken(*args, **kwargs):  # the record cannot be written: nothing deleted, no file left
            raise audit.AuditError("disk full")

        monkeypatch.setattr(audit, "append", broken)
        with pytest.raises(audit.AuditError):
            audit.archive(database.engine, date(2025, 6, 1), out, user="x", today=date(2026, 12, 6))
        monkeypatch.undo()
        assert not out.exists() and audit.count(database.engine) == 2
        with database.engine.begin() as conn:
            conn.execute(update(A).where(A.c.seq == 1).values(user_name="b"))
        with pytest.raises(audit.AuditError, match="broken at record 1"):
            audit.archive(database.engine, date(2025, 6, 1), out, user="x", today=date(2026, 12, 6))
        assert not out.exists() and audit.count(database.engine) == 2
        # records removed without an archive record: the first one left is named
        with database.engine.begin() as conn:
            conn.execute(update(A).where(A.c.seq == 1).values(user_name="a"))
            conn.execute(delete(A).where(A.c.seq == 1))
        verdict = audit.verify(database.engine)
        assert not verdict.ok and verdict.broken_seq == 2 and "without an archive" in verdict.reason
    finally:
        database.dispose()


def test_command_line_archive(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    database = Database(url)
    for when in ("2020-01-01 08:00:00", "2020-02-01 08:00:00"):
        _dated(database.engine, monkeypatch, when)
    audit.record(database.engine, "login", "now")
    database.dispose()

    def run(*args):
        return subprocess.run([sys.executable, "-m", "data_access.audit", "--database-url", url, *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    out = tmp_path / "old.jsonl"
    refused = run("archive", "--before", audit.now_utc().date().isoformat(), "--out", str(out))
    assert refused.returncode == 1 and "记录至少保留 180 天" in refused.stderr and not out.exists()
    english = run("--lang", "en", "archive", "--before", audit.now_utc().date().isoformat(), "--out", str(out))
    assert english.returncode == 1 and "at least 180 days" in english.stderr
    done = run("archive", "--before", "2021-01-01", "--out", str(out))
    assert done.returncode == 0 and "已将第 1-2 条记录（共 2 条）归档" in done.stdout, done.stderr
    assert run("verify").returncode == 0 and run("verify-archive", str(out)).returncode == 0
    listed = json.loads(run("list", "--json").stdout)
    assert [r["action"] for r in listed] == ["archive", "login"] and listed[0]["user_name"].startswith("cli")
