"""The login gate and the session's role; the checking itself is in data_access/auth.py.

Without a users file the app is an open demo (district role, a 演示数据 badge). With one,
every session logs in through a small form, the only page of the navigation until then; the
role it gets is kept in ``st.session_state["auth_role"]``, which the scope sidebar reads to
build the :class:`~data_access.scope.Scope` (so tests can set a role directly). Deny by
default: with a users file, a session that has not logged in has no role at all.
"""

from __future__ import annotations

import html
import logging
import os
import time
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import streamlit as st

from components import audit_trail, data
from components.i18n import DEFAULT_LANGUAGE, LANGUAGES, text
from data_access import auth, login_attempts, web_sessions
from data_access.scope import DISTRICT_ROLE, PRESENTER_ROLE, STREET_ROLE_PREFIX

ROLE_KEY = "auth_role"
USER_KEY = "auth_user"
ACTIVITY_KEY = "auth_last_activity"
NOTICE_KEY = "auth_notice"
#: A hash prefix of the password the session logged in with: a change elsewhere ends the session.
CREDENTIAL_KEY = "auth_credential"
#: The user name whose correct but expired password must be changed before the login completes.
EXPIRED_KEY = "auth_password_expired"
IDLE_ENV = "LONGGANG_SESSION_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 30
#: The one-time ticket of a login that the browser must take to /session/start (serve.py) for its cookie.
TICKET_KEY = "auth_cookie_ticket"
#: Set once the session's cookie must be cleared (/session/end) on the next run.
CLEAR_COOKIE_KEY = "auth_clear_cookie"
#: The cookie token a session's login was restored from (its row is checked on every run).
TOKEN_KEY = "auth_cookie_token"
#: Everything a login leaves in the session, cleared on logout, timeout or a changed account.
SESSION_KEYS = (ROLE_KEY, USER_KEY, ACTIVITY_KEY, CREDENTIAL_KEY, EXPIRED_KEY, TICKET_KEY, TOKEN_KEY,
                "scope_initialised", "scope_street", "scope_community", "scope")
#: What a session with a role that is not understood gets: a street that does not exist, so nothing.
NOBODY_ROLE = f"{STREET_ROLE_PREFIX}000000000"


def _lang() -> str:
    """The session's language; on a session's first run (the sidebar not drawn yet) the link's ``lang``."""
    lang = st.session_state.get("lang") or st.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _granted_role() -> str | None:
    """District in the open demo (unless a test set another role), the login's role once someone
    has logged in, else nothing: no code path grants a role by default when login is required."""
    if auth.login_required():
        role = st.session_state.get(ROLE_KEY) if st.session_state.get(USER_KEY) else None
    else:
        role = st.session_state.get(ROLE_KEY, DISTRICT_ROLE)
    return role if isinstance(role, str) and auth.valid_role(role) else None


def session_role() -> str:
    """The role of this session; a session without one sees nothing."""
    return _granted_role() or NOBODY_ROLE


def idle_minutes() -> float:
    """The idle time after which a session ends (``LONGGANG_SESSION_IDLE_MINUTES``, default 30)."""
    try:
        minutes = float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_MINUTES))
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return minutes if minutes > 0 else DEFAULT_IDLE_MINUTES


def now() -> float:
    """Wall-clock seconds (tests replace it)."""
    return time.time()


_ENDINGS = {"security.logged_out": "logout", "security.timed_out": "timeout",
            "security.account_changed": "session_ended", "security.password_changed": "session_ended"}


def end_session(notice: str | None = None) -> None:
    """Forget the login (and the scope it chose); the login form shows ``notice`` (a catalogue key).
    The ending is audited; a session ends even when its record cannot be written (logged)."""
    if notice in _ENDINGS and st.session_state.get(USER_KEY):
        try:
            audit_trail.record(_ENDINGS[notice])
        except audit_trail.AuditError:
            logging.getLogger(__name__).exception("audit record of a session's end not written")
    token = st.session_state.get(TOKEN_KEY)
    if token is not None:  # the cookie's session ends on every replica, so the cookie is dead at once
        web_sessions.end(data.database().engine, token, _ENDINGS.get(notice or "", "ended"))
        # a logout also clears it in the browser (/session/end, next run); after a timeout or a changed
        # account the dead cookie stays until the next login replaces it, so the form can say why
        if notice == "security.logged_out":
            st.session_state[CLEAR_COOKIE_KEY] = True
    for key in SESSION_KEYS:
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _cookie_token() -> str | None:
    """The token of this browser's session cookie when its signature holds (serve.py sets it)."""
    try:
        value = st.context.cookies.get(web_sessions.COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no request context (AppTest, bare mode): no cookie
        return None
    return web_sessions.unsign(value)


def _check_cookie() -> None:
    """On every run: a session cookie whose row is live restores its login in a new session (a reload,
    a link in a new tab); one that ended elsewhere (logout, timeout, another replica) ends this session."""
    if st.session_state.get(USER_KEY):
        # a login restored from a cookie checks that cookie's row; one made by the form in this session
        # has none yet (the browser fetches it on the next page load), and an older cookie is not its own
        token = st.session_state.get(TOKEN_KEY)
    else:
        token = None if st.session_state.get(CLEAR_COOKIE_KEY) else _cookie_token()
    if token is None:
        return
    status, session = web_sessions.check(data.database().engine, token, timedelta(minutes=idle_minutes()))
    if status != "ok":  # ended elsewhere (logout in another tab, a timeout): so is this session
        if st.session_state.get(USER_KEY):
            end_session("security.timed_out" if status == "timeout" else "security.account_changed")
        elif status == "timeout":
            st.session_state[NOTICE_KEY] = "security.timed_out"
        return
    if st.session_state.get(USER_KEY):
        return  # the same login; the checks of _check_session follow
    user = auth.current_users().get(session.user_name)
    if user is None or user.role != session.role or _credential(user) != session.credential:
        web_sessions.end(data.database().engine, token, "account changed")
        st.session_state[NOTICE_KEY] = "security.account_changed"
        return
    st.session_state[USER_KEY] = user.name
    st.session_state[ROLE_KEY] = user.role
    st.session_state[CREDENTIAL_KEY] = session.credential
    st.session_state[TOKEN_KEY] = token
    st.session_state[ACTIVITY_KEY] = now()


def _redirect(path: str) -> None:
    """Send the browser to a /session route of serve.py (a meta refresh: the CSP allows it, no script)."""
    st.markdown(f'<meta http-equiv="refresh" content="0; url={html.escape(path, quote=True)}">',
                unsafe_allow_html=True)


def _current_path() -> str:
    """The address of this page (path and query), to come back to after /session/start."""
    try:
        parts = urlsplit(st.context.url or "/")
    except Exception:  # noqa: BLE001 - no request context
        return "/"
    query = urlencode([(k, v) for k, v in st.query_params.items()])
    return web_sessions.safe_next(parts.path + (f"?{query}" if query else ""))


def _cookie_handoffs() -> None:
    """What a run owes the browser's cookie: clear it after an ending, or fetch it after a login."""
    if st.session_state.pop(CLEAR_COOKIE_KEY, None) and web_sessions.routes_served:
        _redirect(f"/session/end?{urlencode({'next': _current_path()})}")
        return
    ticket = st.session_state.pop(TICKET_KEY, None)
    if ticket and web_sessions.routes_served:
        _redirect(f"/session/start?{urlencode({'ticket': ticket, 'next': _current_path()})}")


def _check_session() -> None:
    """On each run of a logged-in session: end it when idle too long, or when its user was removed from
    the users file or given another role; else note this run as its last activity."""
    name = st.session_state.get(USER_KEY)
    if not name:
        return
    user = auth.current_users().get(name)
    if user is None or user.role != st.session_state.get(ROLE_KEY):
        end_session("security.account_changed")
        return
    credential = st.session_state.get(CREDENTIAL_KEY)
    if credential is not None and credential != _credential(user):
        end_session("security.password_changed")
        return
    current = now()
    last = st.session_state.get(ACTIVITY_KEY)
    if isinstance(last, (int, float)) and current - last > idle_minutes() * 60:
        end_session("security.timed_out")
        return
    st.session_state[ACTIVITY_KEY] = current


def _credential(user: auth.User) -> str:
    """What the session remembers of the password it logged in with (a prefix of its salted hash)."""
    return user.hash[:16]


def role_label(role: str, lang: str) -> str:
    if role.startswith(STREET_ROLE_PREFIX):
        return text("role.street", lang, street=role[len(STREET_ROLE_PREFIX):])
    return text("role.presenter" if role == PRESENTER_ROLE else "role.district", lang)


def established_role() -> str | None:
    """The session's role, with the demo badge or the signed-in box in the sidebar; ``None``
    while login is required and nobody has logged in (the caller then shows :func:`login_page`)."""
    lang = _lang()
    if not auth.login_required():
        st.session_state.setdefault(ROLE_KEY, DISTRICT_ROLE)
        st.sidebar.badge(text("login.demo", lang), icon=":material/science:", color="orange")
        return session_role()
    _check_cookie()
    _check_session()
    _cookie_handoffs()
    role = _granted_role()
    if role is not None:
        _signed_in_box(lang)
    return role


def login_pages(addresses: list[str]) -> list[st.Page]:
    """The navigation of a session that has not logged in (Streamlit's documented pattern): the login
    form as the default page and at each page's address, nothing else. Any other address falls back to
    it, and Streamlit's older ``pages/`` mode never starts. After the login, the rerun keeps the
    address, so a shared link opens its own page."""
    title = text("login.title", _lang())
    return [st.Page(_login_form, title=title, icon=":material/login:", default=True)] + [
        st.Page(_login_form, title=title, icon=":material/login:", url_path=address)
        for address in addresses if address]


def _signed_in_box(lang: str) -> None:
    with st.sidebar:
        st.caption(text("login.signed_in", lang, user=st.session_state[USER_KEY],
                        role=role_label(session_role(), lang)))
        if st.button(text("login.logout", lang), key="auth_logout", icon=":material/logout:"):
            end_session("security.logged_out")
            st.rerun()
        with st.expander(text("password.change", lang), icon=":material/password:"):
            if _change_password_form(lang, st.session_state[USER_KEY], key="account_password"):
                st.success(text("password.changed", lang), icon=":material/check:")


def password_problem_messages(problems: tuple[str, ...] | list[str], lang: str) -> list[str]:
    """The catalogue's words for the policy's refusal codes (data_access.auth.PASSWORD_PROBLEMS)."""
    return [text(f"password.problem.{code}", lang, min=auth.MIN_PASSWORD_LENGTH, max=auth.MAX_PASSWORD_LENGTH)
            for code in problems]


def _change_password_form(lang: str, name: str, *, key: str, expired: bool = False) -> auth.User | None:
    """The change of one's own password: current password, new one twice; the changed user, else None.
    Checked first (current password, counted as a failed login when wrong; the policy), then audited, then
    written (the users file replaced atomically, the other users kept): no record, no change."""
    with st.form(key, clear_on_submit=True):
        current = st.text_input(text("password.current", lang), type="password", key=f"{key}_current",
                                max_chars=auth.MAX_PASSWORD_LENGTH)
        new = st.text_input(text("password.new", lang), type="password", key=f"{key}_new",
                            max_chars=auth.MAX_PASSWORD_LENGTH)
        repeat = st.text_input(text("password.repeat", lang), type="password", key=f"{key}_repeat",
                               max_chars=auth.MAX_PASSWORD_LENGTH)
        st.caption(text("password.rules", lang, min=auth.MIN_PASSWORD_LENGTH))
        submitted = st.form_submit_button(text("password.submit", lang))
    if not submitted:
        return None
    engine = data.database().engine
    address = audit_trail.client_address()
    if login_attempts.is_locked(engine, name, address):
        st.error(text("login.too_many", lang))
        return None
    if auth.authenticate(name, current) is None:
        locked = login_attempts.record_failure(engine, name, address)
        audit_trail.record("login_failed", user=name, role="", address=address,
                           detail="password change: wrong current password" + (", now locked" if locked else ""))
        st.error(text("login.too_many" if locked else "password.wrong_current", lang))
        return None
    if new != repeat:
        st.error(text("password.mismatch", lang))
        return None
    if new == current:
        st.error(text("password.same", lang))
        return None
    problems = auth.password_problems(name, new)
    if problems:
        st.error("\n\n".join(password_problem_messages(problems, lang)), icon=":material/password:")
        return None
    try:
        audit_trail.record("password_change", user=name, address=address, target=name,
                           detail="expired" if expired else "own")
    except audit_trail.AuditError:
        audit_trail.refuse(lang)  # no record, no change
        return None
    try:
        user = auth.change_password(name, current, new)
    except auth.AuthError:
        st.error(text("login.bad_file", lang))
        return None
    if not expired:
        st.session_state[CREDENTIAL_KEY] = _credential(user)  # this session goes on; others end
    return user


def _login_form() -> None:
    """The form, in a column of reading width (it stacks to full width on a phone)."""
    with st.columns([1, 2, 1])[1]:
        _login_form_body()


def _login_form_body() -> None:
    lang = _lang()
    st.title(text("login.title", lang))
    if st.session_state.get(EXPIRED_KEY):
        _expired_password_form(lang, st.session_state[EXPIRED_KEY])
        return
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(text(notice, lang, minutes=f"{idle_minutes():g}"), icon=":material/lock_clock:")
    with st.form("login"):
        name = st.text_input(text("login.user", lang), max_chars=40)
        password = st.text_input(text("login.password", lang), type="password", max_chars=auth.MAX_PASSWORD_LENGTH)
        submitted = st.form_submit_button(text("login.submit", lang))
    if not submitted:
        return
    name = name.strip()
    address = audit_trail.client_address()
    engine = data.database().engine
    # counted in the database, so no new tab, browser or replica starts afresh; a locked name gets
    # the same answer whether it exists or not, and the password is not even checked
    who = {"user": name or "?", "role": "", "address": address}
    if login_attempts.is_locked(engine, name, address):
        audit_trail.record("login_failed", **who, detail="locked")
        st.error(text("login.too_many", lang))
        return
    try:
        user = auth.authenticate(name, password)
    except auth.AuthError:
        st.error(text("login.bad_file", lang))
        return
    if user is None:
        locked = login_attempts.record_failure(engine, name, address)
        audit_trail.record("login_failed", **who, detail="bad credentials, now locked" if locked else "bad credentials")
        st.error(text("login.too_many" if locked else "login.failed", lang))
        return
    if auth.password_expired(user):  # the password was right: no failure, but no session before a new one
        login_attempts.record_success(engine, user.name)
        st.session_state[EXPIRED_KEY] = user.name
        st.rerun()
    _complete_login(lang, user, address)


def _complete_login(lang: str, user: auth.User, address: str, detail: str = "") -> None:
    """The audited start of a session (no record, no login)."""
    try:
        audit_trail.record("login", user=user.name, role=user.role, address=address, detail=detail)
    except audit_trail.AuditError:
        audit_trail.refuse(lang)  # no record, no login
        return
    login_attempts.record_success(data.database().engine, user.name)
    st.session_state.pop(EXPIRED_KEY, None)
    st.session_state[ACTIVITY_KEY] = now()
    st.session_state[USER_KEY] = user.name
    st.session_state[ROLE_KEY] = user.role
    st.session_state[CREDENTIAL_KEY] = _credential(user)
    if web_sessions.routes_served:  # the browser fetches its session cookie on the next run
        st.session_state[TICKET_KEY] = web_sessions.open_session(data.database().engine, user.name, user.role,
                                                                 _credential(user))
    st.rerun()


def _expired_password_form(lang: str, name: str) -> None:
    """After a correct but expired password: set a new one (the current one asked again), then in."""
    st.warning(text("password.expired", lang, days=auth.password_max_days() or 0), icon=":material/lock_reset:")
    user = _change_password_form(lang, name, key="expired_password", expired=True)
    if user is not None:
        _complete_login(lang, user, audit_trail.client_address(), detail="after an expired password was changed")
    if st.button(text("password.cancel", lang), key="expired_password_cancel"):
        st.session_state.pop(EXPIRED_KEY, None)
        st.rerun()


def may_import() -> bool:
    return auth.may_import(session_role())
