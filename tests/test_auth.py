"""Users file, password hashing, the login gate and street roles that cannot see other streets."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from apptest_support import metrics, tables
from streamlit.testing.v1 import AppTest

from data_access import auth, geography

ROOT = Path(__file__).resolve().parent.parent
BUJI = "440307014"


def as_user(user: str, role: str) -> None:
    """A session given a role directly must belong to a user of the users file with that role, when
    there is one: each run re-checks the file (a removed user or a changed role ends the session)."""
    if auth.login_required() and getattr(auth.load_users().get(user), "role", None) != role:
        auth.add_user(user, role, "Correct-horse-42")


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
    auth.add_user("district", "district", "Correct-horse-42")
    auth.add_user("buji", f"street:{BUJI}", "Correct-horse-42")
    content = users_file.read_text(encoding="utf-8")
    assert "Correct-horse-42" not in content
    users = auth.load_users()
    assert users["buji"].role == f"street:{BUJI}"
    assert users["district"].salt != users["buji"].salt and users["district"].hash != users["buji"].hash
    assert auth.authenticate("buji", "Correct-horse-42").role == f"street:{BUJI}"
    assert auth.authenticate("buji", "wrong password") is None
    assert auth.authenticate("nobody", "Correct-horse-42") is None
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
    auth.add_user("buji", f"street:{BUJI}", "Correct-horse-42")
    at = app()
    assert at.title[0].value == "登录" and not at.metric
    at.text_input[0].input("buji")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert "用户名或密码不正确" in at.error[0].value and not at.metric
    at.text_input[1].input("Correct-horse-42")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "总览"
    assert at.session_state["auth_role"] == f"street:{BUJI}"
    assert at.sidebar.selectbox(key="scope_street").options == ["布吉街道"]


# --- a street user cannot reach another street -----------------------------------------------------


def test_street_user_gets_only_its_own_street_whatever_the_url_asks(users_file, sqlite_db):
    auth.add_user("buji", f"street:{BUJI}", "Correct-horse-42")
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
    auth.add_user("x", "district", "Correct-horse-42")
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
    auth.add_user("p", "presenter", "Correct-horse-42")
    for role in ("presenter", f"street:{BUJI}"):
        at = app(role)
        assert at.title[0].value == "总览"
        assert "data_page" not in _registered_pages(at) and "show_page" in _registered_pages(at)
    assert "data_page" in _registered_pages(app("district"))


def test_deny_by_default_only_the_login_page_exists_until_someone_logs_in(users_file):
    auth.add_user("p", "district", "Correct-horse-42")
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
        auth.add_user("p", "district", "Correct-horse-42")
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
    auth.add_user("p", "district", "Correct-horse-42")

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret/path.py exploded")

    monkeypatch.setattr(auth, "authenticate", broken)
    at = app()
    at.text_input[0].input("p")
    at.text_input[1].input("Correct-horse-42")
    at.button[0].click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["页面加载出错，请稍后重试。（RuntimeError）"]  # no message, no path
    assert at.button(key="page_error_retry")


# --- the password policy, expiry and changes (#26) --------------------------------------------------


@pytest.mark.parametrize("password,problems", [
    ("Sh0rt!", ["too_short"]),
    ("alllowercaseletters", ["classes"]),
    ("lowercase and digits 123", []),  # lower, digits, spaces: three classes
    ("ALLCAPS12345", ["classes"]),
    ("Password123!", ["common"]),
    ("!!Qwerty2024", ["common"]),
    ("1qaz2wsx3edc", ["classes", "common"]),
    ("Xiaoming-2024", ["user_name"]),
    ("9102-gnimoaix-Q", ["user_name"]),  # the name backwards
    ("龙岗区Gov2024", []),  # CJK counts as a symbol class
    ("Longgang#District9", []),
])
def test_password_policy(password, problems):
    assert auth.password_problems("xiaoming", password) == problems


def test_the_common_list_is_the_zxcvbn_password_list():
    common = auth.common_passwords()
    assert len(common) == 30_000 and {"password", "qwertyuiop", "1q2w3e4r5t"} <= common


def test_a_weak_password_is_refused_with_its_reasons_and_nothing_is_written(users_file):
    with pytest.raises(auth.WeakPasswordError) as refused:
        auth.add_user("xiaoming", "district", "xiaoming2024")
    assert refused.value.problems == ("classes", "user_name")
    assert "user name" in str(refused.value)
    assert not users_file.exists()
    assert not auth.password_problems("", auth.random_password())


def test_set_and_change_password_keep_the_other_users(users_file):
    auth.add_user("a1", "district", "Correct-horse-42")
    auth.add_user("b1", "presenter", "Other-horse-43")
    before = users_file.read_text(encoding="utf-8")
    with pytest.raises(auth.WrongPasswordError):
        auth.change_password("a1", "not it", "New-password-77")
    with pytest.raises(auth.SamePasswordError):
        auth.change_password("a1", "Correct-horse-42", "Correct-horse-42")
    with pytest.raises(auth.WeakPasswordError):
        auth.change_password("a1", "Correct-horse-42", "short")
    assert users_file.read_text(encoding="utf-8") == before  # refused: the file untouched
    auth.change_password("a1", "Correct-horse-42", "New-password-77")
    assert auth.authenticate("a1", "New-password-77") and not auth.authenticate("a1", "Correct-horse-42")
    assert auth.authenticate("b1", "Other-horse-43").role == "presenter"
    assert not list(users_file.parent.glob("*.tmp"))
    with pytest.raises(auth.AuthError):
        auth.set_password("nobody", "New-password-77")


def test_expiry_is_off_by_default_and_counts_from_when_the_password_was_set(users_file, monkeypatch):
    user = auth.add_user("a1", "district", "Correct-horse-42")
    assert auth.load_users()["a1"].password_set == user.password_set
    assert not auth.password_expired(user)
    monkeypatch.setenv(auth.PASSWORD_MAX_DAYS_ENV, "90")
    assert not auth.password_expired(user, user.password_set + timedelta(days=90))
    assert auth.password_expired(user, user.password_set + timedelta(days=91))
    old = auth.User("old", "district", user.salt, user.hash)  # a file from before the expiry: no date
    assert auth.password_expired(old)
    monkeypatch.setenv(auth.PASSWORD_MAX_DAYS_ENV, "0")
    assert not auth.password_expired(old)


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_access.auth", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


def test_passwd_command_applies_the_policy_and_is_audited(users_file, tmp_path):
    from data_access import audit
    from data_access.database import Database

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    common = ["--file", str(users_file), "--database-url", url]
    assert _cli("add-user", "clerk", "--role", "presenter", "--password-stdin", *common,
                stdin="Correct-horse-42\n").returncode == 0
    weak = _cli("passwd", "clerk", "--password-stdin", *common, stdin="password\n")
    assert weak.returncode == 1 and "密码不符合要求" in weak.stderr and "密码至少需要 10 个字符" in weak.stderr
    english = _cli("--lang", "en", "passwd", "clerk", "--password-stdin", *common, stdin="password\n")
    assert english.returncode == 1 and "password refused" in english.stderr
    assert "at least 10 characters" in english.stderr
    assert "用户名：1-40 个字母" in _cli("add-user", "bad name", "--role", "presenter", "--password-stdin", *common,
                                   stdin="Correct-horse-42\n").stderr
    assert _cli("passwd", "nobody", "--password-stdin", *common, stdin="New-password-77\n").returncode == 1
    done = _cli("passwd", "clerk", "--password-stdin", *common, stdin="New-password-77\n")
    assert done.returncode == 0, done.stderr
    assert auth.authenticate("clerk", "New-password-77")
    assert _cli("unlock", "clerk", "--database-url", url).returncode == 0
    assert _cli("remove-user", "clerk", *common).returncode == 0
    assert "clerk" not in auth.load_users()
    database = Database(url)
    try:
        rows = audit.records(database.engine).sort_values("seq").to_dict("records")
        assert [(r["action"], r["target"], r["role"], r["detail"]) for r in rows] == [
            ("user_add", "clerk", "cli", "role=presenter"),
            ("password_change", "clerk", "cli", "set by an administrator"),
            ("user_unlock", "clerk", "cli", ""),
            ("user_remove", "clerk", "cli", ""),
        ]
        assert all(r["user_name"].startswith("cli:") for r in rows)
        assert audit.verify(database.engine).ok
    finally:
        database.dispose()


def _login(at: AppTest, name: str, password: str) -> None:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]


def test_a_user_changes_their_own_password_in_the_sidebar(users_file, sqlite_db):
    from data_access import audit

    auth.add_user("selfserve", "district", "Correct-horse-42")
    auth.add_user("bystander", "presenter", "Other-horse-43")
    at = app()
    _login(at, "selfserve", "Correct-horse-42")
    at.run()

    def change(current, new, repeat=None):
        at.sidebar.text_input(key="account_password_current").input(current)
        at.sidebar.text_input(key="account_password_new").input(new)
        at.sidebar.text_input(key="account_password_repeat").input(new if repeat is None else repeat)
        at.sidebar.button[1].click().run()  # [0] is the logout button
        assert not at.exception, [e.message for e in at.exception]

    change("Correct-horse-42", "selfserve-Pass1")
    assert "不能包含用户名" in at.sidebar.error[0].value
    change("Correct-horse-42", "Password123!")
    assert "常见密码" in at.sidebar.error[0].value
    change("Correct-horse-42", "New-password-77", "New-password-78")
    assert "不一致" in at.sidebar.error[0].value
    change("wrong", "New-password-77")
    assert "当前密码不正确" in at.sidebar.error[0].value
    assert auth.authenticate("selfserve", "Correct-horse-42")  # nothing changed so far
    change("Correct-horse-42", "New-password-77")
    assert "密码已修改" in at.sidebar.success[0].value
    assert auth.authenticate("selfserve", "New-password-77")
    assert auth.authenticate("bystander", "Other-horse-43")
    at.run()
    assert at.title[0].value == "总览"  # this session goes on
    rows = audit.records(sqlite_db.engine, user="selfserve").sort_values("seq").to_dict("records")
    assert [(r["action"], r["detail"]) for r in rows][-2:] == [
        ("login_failed", "password change: wrong current password"), ("password_change", "own")]


def test_a_password_changed_elsewhere_ends_the_other_sessions(users_file):
    auth.add_user("twosess", "district", "Correct-horse-42")
    first = app()
    _login(first, "twosess", "Correct-horse-42")
    first.run()
    assert first.title[0].value == "总览"
    auth.set_password("twosess", "New-password-77")
    first.run()
    assert first.title[0].value == "登录" and "auth_user" not in first.session_state
    assert "密码已被修改" in first.info[0].value


def test_an_expired_password_must_be_changed_at_login(users_file, sqlite_db, monkeypatch):
    from data_access import audit

    monkeypatch.setenv(auth.PASSWORD_MAX_DAYS_ENV, "90")
    user = auth.add_user("expiring", "district", "Correct-horse-42")
    monkeypatch.setattr(auth, "now_utc", lambda: user.password_set + timedelta(days=91))
    at = app()
    _login(at, "expiring", "Correct-horse-42")
    assert "已经过期" in at.warning[0].value and "auth_user" not in at.session_state
    at.text_input(key="expired_password_current").input("Correct-horse-42")
    at.text_input(key="expired_password_new").input("Fresh-password-91")
    at.text_input(key="expired_password_repeat").input("Fresh-password-91")
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    at.run()
    assert at.session_state["auth_user"] == "expiring" and at.title[0].value == "总览"
    assert auth.load_users()["expiring"].password_set == user.password_set + timedelta(days=91)
    rows = audit.records(sqlite_db.engine, user="expiring").sort_values("seq").to_dict("records")
    assert [(r["action"], r["detail"]) for r in rows] == [
        ("password_change", "expired"), ("login", "after an expired password was changed")]
