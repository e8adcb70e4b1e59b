"""A page's sections as lazy tabs: only the open tab's queries run and its charts are drawn.

Streamlit reruns the whole page on every click. A page that draws ten charts and tables
makes every click wait for all of them, in the database and in the browser; BI dashboards
answer in about a second because they draw what is on screen. So a long page keeps its
headline tiles above the tabs and puts each section in a tab that tracks its state
(``st.tabs(on_change="rerun")``): a rerun runs the open section only. The open section is
in the URL (``section=<id>``, the first one is the default and leaves the URL clean), so a
link reproduces the view; an unknown id falls back to the first section.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.i18n import text

SECTION_PARAM = "section"


def requested_section(ids: list[str]) -> str:
    """The section the URL asks for, or the first one."""
    wanted = st.query_params.get(SECTION_PARAM)
    return wanted if wanted in ids else ids[0]


def render_sections(page: str, sections: dict[str, Callable[[], None]], lang: str, labels: str = "section") -> str:
    """Tabs labelled ``<page>.<labels>.<id>`` from the catalogue; runs the open section's function
    inside its tab. Returns the open section's id."""
    ids = list(sections)
    labels = [text(f"{page}.{labels}.{s}", lang) for s in ids]
    tabs = st.tabs(labels, key=f"{page}-sections-{lang}", on_change="rerun",
                   default=labels[ids.index(requested_section(ids))])
    opened = next((s for s, tab in zip(ids, tabs, strict=True) if tab.open), ids[0])
    if opened == ids[0]:
        st.query_params.pop(SECTION_PARAM, None)
    elif st.query_params.get(SECTION_PARAM) != opened:
        st.query_params[SECTION_PARAM] = opened
    with tabs[ids.index(opened)]:
        sections[opened]()
    return opened


def lazy_expander(label: str, key: str, render: Callable[[], None], *, expanded: bool = False) -> None:
    """An expander whose content runs only while it is open (``on_change="rerun"``).

    A collapsed ``st.expander`` still runs its queries and still makes the browser load and
    draw what is inside it (a table loads the data-grid code); this one costs nothing until
    the reader opens it, and remembers that it is open across reruns.
    """
    box = st.expander(label, expanded=expanded, key=key, on_change="rerun")
    if box.open:
        with box:
            render()
