"""One request's timeline (``?request=ID`` on the requests page): its details and every status change.

The figures come from data_access.worklist.request_timeline, which masks the requester's name and
phone and answers "not found" for an id outside the viewer's street, exactly as for an unknown id.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import audit_trail, formatting, tables
from components.data import cached
from components.i18n import text, value_name
from data_access import worklist
from data_access.scope import Scope

MAX_ID_LENGTH = 40
#: the request whose view this session has audited: one record per opening, not one per rerun
AUDITED_KEY = "audited_request_view"


def _close() -> None:
    st.query_params.pop("request", None)
    st.session_state.pop(AUDITED_KEY, None)


def _audit_view(request_id: str, found: bool, scope: Scope, lang: str) -> bool:
    """Record the view of one request's details once per opening; False (and a message) if it cannot be."""
    if st.session_state.get(AUDITED_KEY) == request_id:
        return True
    try:
        audit_trail.record("view_request", target=request_id, scope=scope.role or "",
                           detail="" if found else "not found")
    except audit_trail.AuditError:
        audit_trail.refuse(lang)
        return False
    st.session_state[AUDITED_KEY] = request_id
    return True


def _when(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def render_request_timeline(request_id: str, scope: Scope, reference: date, targets, lang: str) -> None:
    """The timeline of one request in a bordered box, or a clear "not found"."""
    def T(key, **values):
        return text(key, lang, **values)

    request_id = str(request_id)[:MAX_ID_LENGTH]
    # only the role limits which requests may be opened; the sidebar's street and period do not
    viewer = Scope(scope.period, role=scope.role)
    found = cached(worklist.request_timeline, viewer, request_id, reference, targets)
    if not _audit_view(request_id, found is not None, scope, lang):  # no record, no details
        st.button(T("timeline.close"), on_click=_close, key="timeline-close")
        return
    with st.container(border=True):
        if found is None:
            st.warning(T("timeline.not_found", id=request_id))
            st.button(T("timeline.close"), on_click=_close, key="timeline-close")
            return
        row, history = found
        st.subheader(T("timeline.title", id=row["id"]))
        flags = [T("timeline.returned")] if row["returned"] else []
        flags += [T("timeline.reopened")] if row["reopened"] else []
        facts = pd.DataFrame([
            (T("timeline.field.category"), value_name(row["category"], lang)),
            (T("timeline.field.channel"), value_name(row["channel"], lang)),
            (T("timeline.field.status"), value_name(row["status"], lang)),
            (T("timeline.field.place"), f"{row['street']} · {row['community']}"),
            (T("timeline.field.unit"), row["handling_unit"]),
            (T("timeline.field.submitted"), _when(row["submitted_at"])),
            (T("timeline.field.target"), formatting.days(row["target_days"], lang)),
            (T("timeline.field.expected"), _when(row["expected_completion"])),
            (T("timeline.field.resolved"), _when(row["resolved_at"])),
            (T("timeline.field.satisfaction"), "—" if formatting.is_missing(row["satisfaction"])
             else str(int(row["satisfaction"]))),
            (T("timeline.field.flags"), "、".join(flags) if flags else T("timeline.none")),
            (T("timeline.field.requester"), f"{row['requester_name']} {row['requester_phone']}"),
        ], columns=[T("timeline.col.field"), T("timeline.col.value")])
        left, right = st.columns([2, 3])
        with left:
            st.html(tables.small_table_html(facts))
        with right:
            shown = pd.DataFrame({
                T("timeline.col.seq"): history["seq"],
                T("timeline.col.status"): [value_name(s, lang) for s in history["status"]],
                T("timeline.col.changed_at"): [_when(v) for v in history["changed_at"]],
                T("timeline.col.unit"): history["handling_unit"],
                T("timeline.col.days"): [f"{d:.2f}" + (T("timeline.current") if c else "")
                                        for d, c in zip(history["days_in_status"], history["current"], strict=True)],
            })
            st.html(tables.small_table_html(shown, right=(T("timeline.col.days"),)))
            st.caption(T("timeline.caption"))
        st.button(T("timeline.close"), on_click=_close, key="timeline-close")


def _open(key: str) -> None:
    chosen = st.session_state.get(key)
    if chosen:
        st.query_params["request"] = chosen


def timeline_picker(ids: list[str], lang: str, key: str) -> None:
    """Pick one of a list's requests and open its timeline on this page (``?request=ID``)."""
    if not ids:
        return
    cols = st.columns([2, 1], vertical_alignment="bottom")
    with cols[0]:
        st.selectbox(text("timeline.pick", lang), ids, key=key)
    with cols[1]:
        st.button(text("timeline.open", lang), on_click=_open, args=(key,), key=f"{key}-open",
                  icon=":material/timeline:")
