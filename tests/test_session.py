"""Sessions end (#26): after the idle time, on logout, and when the user leaves the users file or changes role."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components import login
from data_access import auth

ROOT = Path(__file__).resolve().parent.parent
GOOD = "Correct-horse-battery-7"


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The login's clock, moved by the test."""
    current = [1_800_000_000.0]
    monkeypatch.setattr(login, "now", lambda: current[0])
    return current


def _logged_in(name: str = "sessionuser", role: str = "district") -> AppTest:
    auth.add_user(name, role, GOOD)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.text_input[0].input(name)
    at.text_input[1].input(GOOD)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    # one more run: AppTest keeps the login page's script hash through the login's st.rerun, so the
    # sidebar's widget ids of that run differ from the next run's (a browser learns the new page)
    at.run()
    assert at.title[0].value == "总览"
    return at


def _on_login_form(at: AppTest) -> bool:
    return at.title[0].value == "登录" and "auth_user" not in at.session_state and not at.metric


def test_idle_session_ends_with_a_notice(users_file, clock):
    at = _logged_in()
    clock[0] += 29 * 60
    at.run()
    assert at.title[0].value == "总览"  # activity: the idle time starts again
    clock[0] += 29 * 60
    at.run()
    assert at.title[0].value == "总览"
    clock[0] += 31 * 60
    at.run()
    assert not at.exception
    assert _on_login_form(at)
    assert "30 分钟未操作" in at.info[0].value
    at.run()
    assert not at.info  # the notice is shown once


def test_idle_time_is_configurable(users_file, clock, monkeypatch):
    monkeypatch.setenv(login.IDLE_ENV, "5")
    at = _logged_in()
    clock[0] += 6 * 60
    at.run()
    assert _on_login_form(at) and "5 分钟未操作" in at.info[0].value


def test_logout_ends_the_session(users_file, clock):
    at = _logged_in()
    at.sidebar.button(key="auth_logout").click().run()
    assert not at.exception
    assert _on_login_form(at)
    assert at.info[0].value == "您已退出登录。"
    for key in login.SESSION_KEYS:
        assert key not in at.session_state


@pytest.mark.parametrize("change", ["removed", "role"])
def test_removed_user_or_changed_role_loses_the_session(users_file, clock, change):
    at = _logged_in("leaver", "district")
    if change == "removed":
        users = auth.load_users()
        del users["leaver"]
        auth.save_users(users)
    else:
        auth.add_user("leaver", "presenter", GOOD)
    clock[0] += 1
    at.run()
    assert not at.exception
    assert _on_login_form(at)
    assert "已被停用或角色已变更" in at.info[0].value


def test_the_users_file_is_read_again_only_when_it_changes(users_file, monkeypatch):
    auth.add_user("a", "district", GOOD)
    first = auth.current_users()
    assert auth.current_users() is first  # unchanged file: the cached dict
    auth.add_user("b", "presenter", GOOD)
    assert set(auth.current_users()) == {"a", "b"}
