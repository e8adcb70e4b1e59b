"""Login lockout kept in the database (#26): shared by every session, unlockable, silent about names."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from data_access import auth, login_attempts
from data_access.database import Database

ROOT = Path(__file__).resolve().parent.parent
GOOD = "Correct-horse-battery-7"


def _name() -> str:
    """A fresh account name: the AppTests share the session's database, so locks must not collide."""
    return f"u{uuid.uuid4().hex[:10]}"


def _session() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _try(at: AppTest, name: str, password: str) -> str:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at.error[0].value if at.error else ""


# --- the store, on both engines -------------------------------------------------------------------


def test_lock_after_five_failures_expires_and_unlocks(empty_url, monkeypatch):
    database = Database(empty_url)
    clock = [login_attempts.now_utc()]
    monkeypatch.setattr(login_attempts, "now_utc", lambda: clock[0])
    policy = login_attempts.Policy()
    try:
        engine = database.engine
        for _ in range(4):
            assert not login_attempts.record_failure(engine, "buji", "10.0.0.1", policy)
            clock[0] += timedelta(seconds=1)
        assert not login_attempts.is_locked(engine, "buji", "10.0.0.1")
        assert login_attempts.record_failure(engine, "buji", "10.0.0.2", policy)  # the 5th, from elsewhere
        assert login_attempts.is_locked(engine, "buji", "10.0.0.9")  # any address
        assert not login_attempts.is_locked(engine, "other", "10.0.0.9")
        clock[0] += timedelta(minutes=14)
        assert login_attempts.is_locked(engine, "buji")
        clock[0] += timedelta(minutes=2)
        assert not login_attempts.is_locked(engine, "buji")  # 15 minutes later: open again, count reset
        assert not login_attempts.record_failure(engine, "buji", "10.0.0.1", policy)
        for _ in range(4):
            login_attempts.record_failure(engine, "buji", "10.0.0.1", policy)
        assert login_attempts.is_locked(engine, "buji")
        assert login_attempts.unlock(engine, "buji")
        assert not login_attempts.is_locked(engine, "buji")
        assert not login_attempts.record_failure(engine, "buji", "10.0.0.1", policy)  # counting starts anew
    finally:
        database.dispose()


def test_failures_outside_the_window_and_before_a_success_do_not_count(empty_url, monkeypatch):
    database = Database(empty_url)
    clock = [login_attempts.now_utc()]
    monkeypatch.setattr(login_attempts, "now_utc", lambda: clock[0])
    try:
        engine = database.engine
        for _ in range(4):
            login_attempts.record_failure(engine, "a", "x")
        clock[0] += timedelta(minutes=16)
        assert not login_attempts.record_failure(engine, "a", "x")  # the old four have aged out
        for _ in range(3):
            login_attempts.record_failure(engine, "a", "x")
        clock[0] += timedelta(seconds=1)
        login_attempts.record_success(engine, "a")
        clock[0] += timedelta(seconds=1)
        assert not login_attempts.record_failure(engine, "a", "x")
    finally:
        database.dispose()


def test_address_lock_across_names_but_never_for_unknown(empty_url, monkeypatch):
    monkeypatch.setenv("LONGGANG_LOGIN_MAX_ADDRESS_FAILURES", "3")
    database = Database(empty_url)
    try:
        engine = database.engine
        for i in range(3):
            login_attempts.record_failure(engine, f"n{i}", "10.1.1.1")
        assert login_attempts.is_locked(engine, "fresh", "10.1.1.1")
        assert not login_attempts.is_locked(engine, "fresh", "10.1.1.2")
        for i in range(3):
            login_attempts.record_failure(engine, f"m{i}", login_attempts.UNKNOWN_ADDRESS)
        assert not login_attempts.is_locked(engine, "fresh")
    finally:
        database.dispose()


def test_policy_from_the_environment(monkeypatch):
    monkeypatch.setenv("LONGGANG_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("LONGGANG_LOGIN_LOCK_MINUTES", "60")
    monkeypatch.setenv("LONGGANG_LOGIN_WINDOW_MINUTES", "nonsense")
    policy = login_attempts.Policy.from_env()
    assert policy.max_failures == 3 and policy.lock == timedelta(minutes=60)
    assert policy.window == timedelta(minutes=15)


# --- the login form: two independent sessions ------------------------------------------------------


def test_two_sessions_share_the_lockout_and_unlock_lifts_it(users_file, sqlite_db):
    name = _name()
    auth.add_user(name, "district", GOOD)
    first = _session()
    messages = [_try(first, name, "wrong password") for _ in range(4)]
    assert set(messages) == {"用户名或密码不正确。"}
    assert _try(first, name, "wrong password") == "登录失败次数过多，请稍后再试。"  # the 5th locks
    second = _session()  # a new tab, browser or replica: a new session, same database
    assert _try(second, name, GOOD) == "登录失败次数过多，请稍后再试。"
    assert second.title[0].value == "登录" and "auth_role" not in second.session_state
    done = subprocess.run([sys.executable, "-m", "data_access.auth", "unlock", name,
                           "--database-url", sqlite_db.url], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"账号 {name} 已解锁" in done.stdout
    assert _try(second, name, GOOD) == ""
    assert second.title[0].value == "总览" and second.session_state["auth_role"] == "district"


def test_unknown_user_gets_the_wrong_password_message_and_is_locked_alike(users_file, sqlite_db):
    known = _name()
    auth.add_user(known, "district", GOOD)
    at = _session()
    wrong = _try(at, known, "wrong password")
    assert _try(at, _name(), "wrong password") == wrong == "用户名或密码不正确。"
    ghost = _name()
    for _ in range(4):
        assert _try(at, ghost, GOOD) == wrong
    assert _try(at, ghost, GOOD) == "登录失败次数过多，请稍后再试。"  # says nothing about existence
    assert login_attempts.is_locked(sqlite_db.engine, ghost)
