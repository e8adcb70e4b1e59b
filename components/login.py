"""The login gate and the session's role; the checking itself is in data_access/auth.py.

Without a users file the app is an open demo (district role, a 演示数据 badge). With one,
every session logs in through a small form before the navigation is drawn; the role it
gets is kept in ``st.session_state["auth_role"]``, which the scope sidebar reads to
build the :class:`~data_access.scope.Scope` (so tests can set a role directly).
"""

from __future__ import annotations

import time

import streamlit as st

from components.i18n import DEFAULT_LANGUAGE, LANGUAGES, text
from data_access import auth
from data_access.scope import DISTRICT_ROLE, PRESENTER_ROLE, STREET_ROLE_PREFIX

ROLE_KEY = "auth_role"
USER_KEY = "auth_user"
FAILURES_KEY = "auth_failures"
#: After this many failed logins a session waits before it may try again.
MAX_FAILURES = 5
LOCKOUT_S = 60
#: What a session with a role that is not understood gets: a street that does not exist, so nothing.
NOBODY_ROLE = f"{STREET_ROLE_PREFIX}000000000"


def _lang() -> str:
    """The session's language; on a session's first run (the sidebar not drawn yet) the link's ``lang``."""
    lang = st.session_state.get("lang") or st.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def session_role() -> str:
    """The role of this session (district in the open demo); an unknown role sees nothing."""
    role = st.session_state.get(ROLE_KEY, DISTRICT_ROLE)
    return role if isinstance(role, str) and auth.valid_role(role) else NOBODY_ROLE


def role_label(role: str, lang: str) -> str:
    if role.startswith(STREET_ROLE_PREFIX):
        return text("role.street", lang, street=role[len(STREET_ROLE_PREFIX):])
    return text("role.presenter" if role == PRESENTER_ROLE else "role.district", lang)


def require_login() -> str:
    """The session's role; when login is required and nobody is logged in, the form, then stop."""
    lang = _lang()
    if not auth.login_required():
        st.session_state.setdefault(ROLE_KEY, DISTRICT_ROLE)
        st.sidebar.badge(text("login.demo", lang), icon=":material/science:", color="orange")
        return session_role()
    if st.session_state.get(USER_KEY) and ROLE_KEY in st.session_state:
        _signed_in_box(lang)
        return session_role()
    _login_form(lang)
    st.stop()


def _signed_in_box(lang: str) -> None:
    with st.sidebar:
        st.caption(text("login.signed_in", lang, user=st.session_state[USER_KEY],
                        role=role_label(session_role(), lang)))
        if st.button(text("login.logout", lang), key="auth_logout", icon=":material/logout:"):
            for key in (ROLE_KEY, USER_KEY, "scope_initialised", "scope_street", "scope_community", "scope"):
                st.session_state.pop(key, None)
            st.rerun()


def _login_form(lang: str) -> None:
    st.title(text("login.title", lang))
    failures, last = st.session_state.get(FAILURES_KEY, (0, 0.0))
    with st.form("login"):
        name = st.text_input(text("login.user", lang), max_chars=40)
        password = st.text_input(text("login.password", lang), type="password", max_chars=auth.MAX_PASSWORD_LENGTH)
        submitted = st.form_submit_button(text("login.submit", lang))
    if not submitted:
        return
    if failures >= MAX_FAILURES and time.monotonic() - last < LOCKOUT_S:
        st.error(text("login.too_many", lang))
        return
    try:
        user = auth.authenticate(name.strip(), password)
    except auth.AuthError:
        st.error(text("login.bad_file", lang))
        return
    if user is None:
        st.session_state[FAILURES_KEY] = (failures + 1, time.monotonic())
        st.error(text("login.failed", lang))
        return
    st.session_state.pop(FAILURES_KEY, None)
    st.session_state[USER_KEY] = user.name
    st.session_state[ROLE_KEY] = user.role
    st.rerun()


def may_import() -> bool:
    return auth.may_import(session_role())
