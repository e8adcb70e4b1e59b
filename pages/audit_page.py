"""审计日志 (audit log): the audit trail for the district office, filtered by user, action and time; export."""

from datetime import date, datetime, time, timedelta

import streamlit as st

from components import data
from components.downloads import csv_download
from components.guard import require_entry_point
from components.login import may_import
from components.scope_sidebar import current_language, translator
from data_access import audit

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

T, lang = translator(), current_language()
st.title(T("audit.title"))
if not may_import():  # the navigation hides the page from every other role; a direct link gets nothing
    st.error(T("audit.not_allowed"))
    st.stop()
st.caption(T("audit.intro"))

engine = data.database().engine
verdict = audit.verify(engine)
if verdict.ok:
    st.success(T("audit.chain_ok", count=verdict.records), icon=":material/verified:")
else:
    st.error(T("audit.chain_broken", seq=verdict.broken_seq, reason=verdict.reason), icon=":material/gpp_bad:")

cols = st.columns(3)
user = cols[0].selectbox(T("audit.filter.user"), [""] + audit.users(engine), key="audit_user",
                         format_func=lambda u: u or T("audit.all"))
action = cols[1].selectbox(T("audit.filter.action"), [""] + list(audit.ACTIONS), key="audit_action",
                           format_func=lambda a: T(f"audit.action.{a}") if a else T("audit.all"))
today = date.today()
period = cols[2].date_input(T("audit.filter.dates"), (today - timedelta(days=30), today), key="audit_dates")
start, end = (period if isinstance(period, tuple) and len(period) == 2 else (today - timedelta(days=30), today))

since, until = datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)
frame = audit.records(engine, user=user or None, action=action or None, since=since, until=until)
headers = {c: T(f"audit.col.{c}") for c in audit.CONTENT_FIELDS}
st.caption(T("audit.count", count=len(frame)))
st.dataframe(frame.rename(columns=headers), hide_index=True, width="stretch")
csv_download(frame, "audit_log", f"{start}~{end}", lang, headers=headers, key="download-audit", follows_scope=False)
