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


@pytest.fixture
def users_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "users.toml"
    monkeypatch.setenv(auth.USERS_FILE_ENV, str(path))
    return path


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
    assert done.returncode == 0 and "3 records" in done.stdout
    listed = json.loads(run("list", "--json").stdout)
    assert [r["action"] for r in listed] == ["logout", "export", "login"]
    assert listed[1]["rows"] == 12 and listed[1]["file_name"] == "projects_龙岗区.csv"
    with database.engine.begin() as conn:
        conn.execute(update(A).where(A.c.seq == 1).values(user_name="b"))
    database.dispose()
    done = run("verify")
    assert done.returncode == 1 and "record 1" in done.stderr


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
