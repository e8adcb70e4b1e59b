"""The shared scope sidebar: street, community, period and language, mirrored in the URL.

The scope lives in ``st.session_state`` and in ``st.query_params`` so every view
is a shareable link. A link is read once, when a session starts; anything in it
that is unknown or malformed is dropped and named in a notice, never a crash.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pandas as pd
import streamlit as st

from components import formatting
from components.data import DataContext, cached, data_context, database
from components.formatting import period_label, place_label  # noqa: F401 - pages import them from here
from components.i18n import DEFAULT_LANGUAGE, LANGUAGES, text, translator_for
from components.login import session_role
from data_access import alerts, geography
from data_access.freshness import freshness
from data_access.scope import Scope, parse_period, period_options

QUERY_KEYS = ("street", "community", "period", "lang")
#: Parameters a page reads for itself (which project, which map measure…). The sidebar lets
#: them through untouched; the page that reads one validates it and says so when it is bad.
PAGE_PARAMS = ("project", "measure", "section", "show", "theme", "slide", "seconds", "request")
STATE_KEYS = {"street": "scope_street", "community": "scope_community", "period": "scope_period", "lang": "lang"}
DEFAULT_PERIOD = "all"
MAX_PARAM_LENGTH = 40
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def current_language() -> str:
    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translator() -> Callable[..., str]:
    """``T(key, **values)`` in the reader's language."""
    return translator_for(current_language())


def current_scope() -> Scope:
    """The scope the sidebar set on this run; pages read it, never build their own."""
    return st.session_state["scope"]


def request_scope(street: str | None = None, community: str | None = None) -> None:
    """Move the scope from inside a page (a map click, a breadcrumb) and rerun.

    The sidebar's widgets are already drawn when a page runs, so the change is
    parked in the session and applied before they are drawn on the next run.
    """
    st.session_state["scope_pending"] = {"scope_street": street or "", "scope_community": community or ""}
    st.rerun()


def _escape(value: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def _adopt_query_params(streets: pd.DataFrame, communities: pd.DataFrame, ctx: DataContext) -> list[str]:
    """Copy valid URL parameters into the session; return the rejected ones as 'name=value'."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    rejected: list[str] = []
    accepted: dict[str, str] = {}
    for key, values in params.items():
        value = values[-1] if values else ""
        if key in PAGE_PARAMS:
            continue
        if key not in QUERY_KEYS or len(values) != 1 or len(value) > MAX_PARAM_LENGTH:
            rejected.append(f"{key[:MAX_PARAM_LENGTH]}={value[:MAX_PARAM_LENGTH]}")
            continue
        accepted[key] = value
    street_of = geography.street_of(communities)
    if "street" in accepted and accepted["street"] not in set(streets["code"].tolist()):
        rejected.append(f"street={accepted.pop('street')}")
    if "community" in accepted:
        community = accepted["community"]
        if community not in street_of or accepted.get("street", street_of[community]) != street_of[community]:
            rejected.append(f"community={accepted.pop('community')}")
        else:
            accepted["street"] = street_of[community]
    if "period" in accepted and parse_period(accepted["period"], ctx.start, ctx.reference) is None:
        rejected.append(f"period={accepted.pop('period')}")
    if "lang" in accepted and accepted["lang"] not in LANGUAGES:
        rejected.append(f"lang={accepted.pop('lang')}")
    for key, value in accepted.items():
        st.session_state[STATE_KEYS[key]] = value
    return rejected


def _on_street_change(street_of: dict[str, str]) -> None:
    community = st.session_state.get("scope_community", "")
    if community and street_of.get(community) != st.session_state.get("scope_street", ""):
        st.session_state["scope_community"] = ""
    st.session_state.pop("scope_notice", None)


def _on_community_change(street_of: dict[str, str]) -> None:
    community = st.session_state.get("scope_community", "")
    if community:
        st.session_state["scope_street"] = street_of[community]
    st.session_state.pop("scope_notice", None)


def _write_query_params(lang: str) -> None:
    wanted = {
        "street": st.session_state.get("scope_street", ""),
        "community": st.session_state.get("scope_community", ""),
        "period": st.session_state.get("scope_period", DEFAULT_PERIOD),
        "lang": lang,
    }
    defaults = {"street": "", "community": "", "period": DEFAULT_PERIOD, "lang": DEFAULT_LANGUAGE}
    wanted = {k: v for k, v in wanted.items() if v != defaults[k]}
    wanted.update({k: st.query_params[k] for k in st.query_params if k in PAGE_PARAMS})
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def render_scope_sidebar() -> Scope:
    """Draw the sidebar, store the resulting Scope in the session and the URL, and return it."""
    ctx = data_context()
    role = session_role()
    periods = {p.key: p for p in period_options(ctx.start, ctx.reference)}
    # Only the places the role may see are offered (and accepted from a link).
    role_scope = Scope(period=periods[DEFAULT_PERIOD], role=role)
    streets = cached(geography.streets, role_scope)
    communities = cached(geography.communities, role_scope)
    if "scope_initialised" not in st.session_state:
        st.session_state["scope_initialised"] = True
        rejected = _adopt_query_params(streets, communities, ctx)
        if rejected:
            st.session_state["scope_notice"] = rejected
    pending = st.session_state.pop("scope_pending", None)
    if pending:
        st.session_state.update(pending)
        st.session_state.pop("scope_notice", None)
    street_of = geography.street_of(communities)
    street_codes = streets["code"].tolist()  # plain strings: see geography.street_of
    street_options = street_codes if role_scope.role_street else [""] + street_codes

    with st.sidebar:
        lang = current_language()
        st.radio(
            text("sidebar.language", lang), list(LANGUAGES), key="lang", horizontal=True,
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        )
        lang = current_language()
        st.subheader(text("sidebar.scope", lang))
        street_names = dict(zip(streets["code"].tolist(), streets["name_en" if lang == "en" else "name"].tolist(),
                                strict=True))
        if st.session_state.get("scope_street", "") not in street_options:
            st.session_state["scope_street"] = street_options[0] if street_options else ""
        st.selectbox(
            text("sidebar.street", lang), street_options, key="scope_street",
            format_func=lambda code: street_names.get(code) or text("sidebar.all_streets", lang),
            on_change=_on_street_change, args=(street_of,),
        )
        street = st.session_state["scope_street"]
        options = communities if not street else communities.loc[communities["street_code"] == street]
        names = options["name"].tolist()
        if not street:  # all of them: each with its street
            names = [f"{name}（{street_names.get(code, '')}）"
                     for name, code in zip(names, options["street_code"].tolist(), strict=True)]
        labels = dict(zip(options["code"].tolist(), names, strict=True))
        if st.session_state.get("scope_community", "") not in labels:
            st.session_state["scope_community"] = ""
        st.selectbox(
            text("sidebar.community", lang), [""] + list(labels), key="scope_community",
            format_func=lambda code: labels.get(code) or text("sidebar.all_communities", lang),
            on_change=_on_community_change, args=(street_of,),
        )
        if st.session_state.get("scope_period") not in periods:
            st.session_state["scope_period"] = DEFAULT_PERIOD
        st.selectbox(
            text("sidebar.period", lang), list(periods), key="scope_period",
            format_func=lambda key: period_label(periods[key], lang),
            on_change=lambda: st.session_state.pop("scope_notice", None),
        )
        st.caption(text("sidebar.as_of", lang, date=formatting.day(ctx.reference, lang)))
        _show_freshness(lang)
        st.caption(text("sidebar.sample_note", lang))

    scope = Scope(
        period=periods[st.session_state["scope_period"]],
        street=st.session_state["scope_street"] or None,
        community=st.session_state["scope_community"] or None,
        role=role,
    )
    st.session_state["scope"] = scope
    _write_query_params(lang)
    return scope


def _show_freshness(lang: str) -> None:
    """When the data last changed (not only the date it runs to), and a warning when the scheduled
    sync has not succeeded within LONGGANG_SYNC_MAX_AGE_HOURS (data_access.freshness)."""
    fresh = freshness(database().dataset_info())
    if fresh.refreshed_at is not None:
        st.caption(text("sidebar.refreshed", lang, time=fresh.refreshed_at.strftime("%Y-%m-%d %H:%M")))
    if fresh.stale and fresh.last_sync_ok is not None:
        st.warning(text("sidebar.sync_stale", lang, hours=fresh.max_age_hours,
                        time=fresh.last_sync_ok.strftime("%Y-%m-%d %H:%M")))
    elif fresh.stale:
        st.warning(text("sidebar.sync_never", lang))


def render_alert_badge(alerts_page: st.Page | None) -> None:
    """"预警 3" in the sidebar, linking to the 预警 page: the open alerts the role may see.

    One cached COUNT (``data_access.alerts.open_alert_count``), keyed by the role and the current
    minute, so an evaluation shows within a minute; alerts are never evaluated here. Drawn after the
    navigation (a link needs the page object); without a page or with no open alert, nothing.
    """
    if alerts_page is None:
        return
    role = session_role()
    try:
        count = cached(alerts.open_alert_count, role, minute=int(time.time() // 60))
    except Exception:  # noqa: BLE001 - a badge must never break the page: the 预警 page says what failed
        return
    if count:
        st.sidebar.page_link(alerts_page, label=text("sidebar.alerts", current_language(), n=count),
                             icon=":material/notifications_active:")


def show_scope_notice() -> None:
    """Name the link parameters that were dropped, until the reader changes the scope."""
    rejected = st.session_state.get("scope_notice")
    if rejected:
        st.warning(text("notice.bad_params", current_language(), params="、".join(_escape(r) for r in rejected)))
