"""Users file, password hashing, the login gate and street roles that cannot see other streets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from apptest_support import metrics, tables
from streamlit.testing.v1 import AppTest

from data_access import auth, geography

ROOT = Path(__file__).resolve().parent.parent
BUJI = "440307014"


@pytest.fixture
def users_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "users.toml"
    monkeypatch.setenv(auth.USERS_FILE_ENV, str(path))
    return path


def as_user(user: str, role: str) -> None:
    """A session given a role directly must belong to a user of the users file with that role, when
    there is one: each run re-checks the file (a removed user or a changed role ends the session)."""
    if auth.login_required() and getattr(auth.load_users().get(user), "role", None) != role:
        auth.add_user(user, role, "correct horse")


def app(role: str | None = None, user: str = "tester", **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if role is not None:
        as_user(user, role)
        at.session_state["auth_user"] = user
        at.session_state["auth_role"] = role
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


# --- the users file --------------------------------------------------------------------------


def test_passwords_are_salted_hashes_never_plain_text(users_file):
    auth.add_user("district", "district", "correct horse")
    auth.add_user("buji", f"street:{BUJI}", "correct horse")
    content = users_file.read_text(encoding="utf-8")
    assert "correct horse" not in content
    users = auth.load_users()
    assert users["buji"].role == f"street:{BUJI}"
    assert users["district"].salt != users["buji"].salt and users["district"].hash != users["buji"].hash
    assert auth.authenticate("buji", "correct horse").role == f"street:{BUJI}"
    assert auth.authenticate("buji", "wrong password") is None
    assert auth.authenticate("nobody", "correct horse") is None
    assert auth.authenticate("buji", "x" * 100_000) is None


@pytest.mark.parametrize("name,role,password", [
    ("bad name!", "district", "long enough"),
    ("ok", "street:12", "long enough"),
    ("ok", "admin", "long enough"),
    ("ok", "district", "short"),
])
def test_bad_users_are_refused(users_file, name, role, password):
    with pytest.raises(auth.AuthError):
        auth.add_user(name, role, password)
    assert not users_file.exists()


def test_add_user_command_reads_the_password_from_stdin(users_file):
    done = subprocess.run(
        [sys.executable, "-m", "data_access.auth", "add-user", "presenter1", "--role", "presenter",
         "--password-stdin", "--file", str(users_file)],
        input="s3cret-pass\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert auth.authenticate("presenter1", "s3cret-pass").role == "presenter"
    assert "s3cret-pass" not in users_file.read_text(encoding="utf-8")


def test_example_users_file_is_valid_and_real_one_is_ignored_by_git():
    example = auth.load_users(ROOT / "config" / "users.example.toml")
    assert example and all(auth.valid_role(u.role) for u in example.values())
    assert "config/users.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8")


# --- the login gate ----------------------------------------------------------------------------


def test_without_a_users_file_the_app_is_an_open_demo(tmp_path, monkeypatch):
    monkeypatch.setenv(auth.USERS_FILE_ENV, str(tmp_path / "none.toml"))
    at = app()
    assert at.title[0].value == "总览"
    assert any("演示数据" in m.value for m in at.sidebar.markdown)
    english = app(lang="en")  # a link in English: the badge too, from the first run
    assert any("Demo data" in m.value for m in english.sidebar.markdown)


def test_with_a_users_file_login_is_required(users_file):
    auth.add_user("buji", f"street:{BUJI}", "correct horse")
    at = app()
    assert at.title[0].value == "登录" and not at.metric
    at.text_input[0].input("buji")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert "用户名或密码不正确" in at.error[0].value and not at.metric
    at.text_input[1].input("correct horse")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "总览"
    assert at.session_state["auth_role"] == f"street:{BUJI}"
    assert at.sidebar.selectbox(key="scope_street").options == ["布吉街道"]


# --- a street user cannot reach another street -----------------------------------------------------


def test_street_user_gets_only_its_own_street_whatever_the_url_asks(users_file, sqlite_db):
    auth.add_user("buji", f"street:{BUJI}", "correct horse")
    own = metrics(app("district", street=BUJI))
    communities = geography.communities(sqlite_db)
    other_community = communities.loc[communities["street_code"] != BUJI].iloc[0]
    other_street = other_community["street_code"]
    other = metrics(app("district", street=other_street))
    for params in ({"street": other_street}, {"community": other_community["code"]},
                   {"street": other_street, "community": other_community["code"]}, {}):
        at = app(f"street:{BUJI}", **params)
        assert at.sidebar.selectbox(key="scope_street").value == BUJI
        assert at.sidebar.selectbox(key="scope_street").options == ["布吉街道"]
        assert all(other_community["name"] not in option for option in
                   at.sidebar.selectbox(key="scope_community").options)
        shown = metrics(at)
        assert shown == own, params
        assert shown["实践项目"] != other["实践项目"]
        if params:
            assert "链接中的参数无效" in at.warning[0].value


def test_an_unknown_role_sees_nothing(users_file):
    auth.add_user("x", "district", "correct horse")
    at = app("street:000000000")
    assert metrics(at).get("实践项目", "0") == "0"


PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))


def _registered_pages(at: AppTest) -> list[str]:
    """The page files the session's navigation holds (what any URL can reach)."""
    known = []
    for page in PAGE_FILES:
        try:
            at.switch_page(str(page.relative_to(ROOT)))
        except ValueError:
            continue
        known.append(page.stem)
    return known


def test_presenter_and_street_users_have_no_data_page(users_file):
    auth.add_user("p", "presenter", "correct horse")
    for role in ("presenter", f"street:{BUJI}"):
        at = app(role)
        assert at.title[0].value == "总览"
        assert "data_page" not in _registered_pages(at) and "show_page" in _registered_pages(at)
    assert "data_page" in _registered_pages(app("district"))


def test_deny_by_default_only_the_login_page_exists_until_someone_logs_in(users_file):
    auth.add_user("p", "district", "correct horse")
    anonymous = app()
    role_without_login = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    role_without_login.session_state["auth_role"] = "district"  # a role, but nobody logged in
    role_without_login.run()
    for at in (anonymous, role_without_login):
        assert at.title[0].value == "登录" and not at.metric and not at.get("file_uploader")
        assert _registered_pages(at) == []
        assert not at.sidebar.selectbox  # no scope, no data drawn


@pytest.mark.parametrize("login", [True, False], ids=["users-file", "open-demo"])
@pytest.mark.parametrize("page", PAGE_FILES, ids=[p.stem for p in PAGE_FILES])
def test_a_page_run_without_the_entry_point_draws_only_a_refusal(page, login, users_file):
    """As Streamlit's older pages/ mode would run it: the file alone, no session state."""
    if login:
        auth.add_user("p", "district", "correct horse")
    at = AppTest.from_file(str(page), default_timeout=60)
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["请从看板首页进入并登录后查看此页。"]
    drawn = {type(element).__name__ for element in at.main.children.values()}
    assert drawn == {"Warning", "LinkButton"}, drawn
    assert not at.sidebar.children


def test_street_scope_is_enforced_in_the_data_layer(sqlite_db):
    """Even a Scope asking for another street gets the role's street only."""
    from data_access.scope import Scope, period_options

    start, reference = geography.data_range(sqlite_db)
    period = period_options(start, reference)[0]
    streets = geography.streets(sqlite_db, Scope(period=period, street="440307003", role=f"street:{BUJI}"))
    assert list(streets["code"]) == [BUJI]
    communities = geography.communities(sqlite_db, Scope(period=period, street="440307003", role=f"street:{BUJI}"))
    assert set(communities["street_code"]) == {BUJI}


def _all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "title", "subheader", "header", "info", "warning", "error")
             for e in getattr(at, kind)]
    parts += [m.label + m.value for m in at.metric]
    for frame in tables(at):
        parts.append(frame.to_string())
    return "\n".join(str(p) for p in parts)


def test_street_user_cannot_open_another_streets_project_by_link(users_file, sqlite_db):
    from sqlalchemy import select

    from data_access import schema

    P, C = schema.projects, schema.communities
    code, title = sqlite_db.frame(
        select(P.c.code, P.c.title).join(C, C.c.code == P.c.community_code).where(C.c.street_code != BUJI).limit(1)
    ).iloc[0]

    def project_page(role: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        as_user("someone", role)
        at.session_state["auth_user"] = "someone"
        at.session_state["auth_role"] = role
        at.run()
        at.switch_page("pages/projects_page.py")
        at.query_params["project"] = code
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    assert title in _all_text(project_page("district"))  # the route works ...
    assert title not in _all_text(project_page(f"street:{BUJI}"))  # ... but not across streets


def test_an_error_in_the_login_path_shows_the_friendly_message(users_file, monkeypatch):
    auth.add_user("p", "district", "correct horse")

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret/path.py exploded")

    monkeypatch.setattr(auth, "authenticate", broken)
    at = app()
    at.text_input[0].input("p")
    at.text_input[1].input("correct horse")
    at.button[0].click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["页面加载出错，请稍后重试。（RuntimeError）"]  # no message, no path
    assert at.button(key="page_error_retry")
