"""The top of every page that follows the sidebar scope: its title, the scope caption (place, period,
data as of) and, on pages whose tiles compare with the previous span, the comparison caption."""

from __future__ import annotations

from datetime import date

import streamlit as st

from components import formatting
from components.i18n import translator_for
from components.scope_sidebar import period_label
from data_access.scope import Scope


def page_header(title: str, scope: Scope, place: str, reference: date, lang: str, *,
                previous: Scope | None = None, compares: bool = False, note: str | None = None) -> None:
    """``st.title`` and the captions. ``compares``: the page's changes are against ``previous`` (None:
    no like-for-like span, said so); ``note`` follows the comparison caption on its line."""
    T = translator_for(lang)
    st.title(title)
    st.caption(T("caption.scope", place=place, period=period_label(scope.period, lang),
                 date=formatting.day(reference, lang)))
    if compares:
        line = (T("caption.delta", prev=f"{previous.period.start} — {previous.period.end}") if previous
                else T("caption.no_delta"))
        st.caption(line + ("　" + note if note else ""))
