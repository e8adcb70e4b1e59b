"""Data (数据管理): download a template, upload a CSV or XLSX file, check it and import it."""

import math

import pandas as pd
import streamlit as st

from components import data
from components.audit_trail import AuditError, refuse
from components.audit_trail import record as audit_record
from components.downloads import csv_download
from components.guard import require_entry_point
from components.import_notes import notes_markdown
from components.login import may_import
from components.scope_sidebar import current_language, translator
from components.sections import lazy_expander
from data_access import importer, uploads
from data_access.import_specs import KIND_ZH, SPECS
from jobs import alerts as alert_job
from jobs.rules import RuleError

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else


def record_import(area: str, file_name: str, rows: int | None, result: str, lang: str) -> None:
    """The import's audit record (after the importer answered); if it cannot be written, say so and stop."""
    try:
        audit_record("import", target=area, file_name=file_name, rows=rows, detail=result)
    except AuditError:
        refuse(lang)
        st.stop()

T, lang = translator(), current_language()

st.title(T("data.title"))
if not may_import():  # the navigation hides the page; a direct link still gets nothing
    st.error(T("data.not_allowed"))
    st.stop()

st.caption(T("data.intro"))
area = st.selectbox(
    T("data.area"), list(SPECS), key="data_area",
    format_func=lambda key: SPECS[key].title_en if lang == "en" else SPECS[key].title_zh,
)
spec = SPECS[area]
st.download_button(
    T("data.template"), data=lambda: importer.template_xlsx(area), file_name=f"template_{area}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
    key="data_template",
)


def column_rules() -> None:
    yes = T("data.yes")
    st.dataframe(
        pd.DataFrame([
            {
                T("data.col.header"): c.zh,
                T("data.col.name"): c.name,
                T("data.col.kind"): KIND_ZH[c.kind],
                T("data.col.required"): yes if c.required else "",
                T("data.col.rule"): "、".join(c.allowed) if c.allowed else (
                    f"→ {c.references[0]}.{c.references[1]}" if c.references else ""),
                T("data.col.key"): yes if c.name in spec.natural_key else "",
            }
            for c in spec.columns
        ]),
        hide_index=True, width="stretch",
    )


lazy_expander(T("data.columns"), f"data-columns-{area}", column_rules)

max_mb = importer.max_bytes() / 1024 / 1024
# the browser refuses a larger file before sending it (max_upload_size, MB; server.maxUploadSize caps
# what the server accepts at all); data_access.uploads checks size and content again on the bytes
uploaded = st.file_uploader(T("data.file"), type=["csv", "xlsx"], key="data_file",
                            help=T("data.max_size", mb=f"{max_mb:g}"), max_upload_size=max(1, math.ceil(max_mb)))
dry_run = st.checkbox(T("data.dry_run"), key="data_dry_run")
if st.button(T("data.import"), type="primary", key="data_import"):
    if uploaded is None:
        st.warning(T("data.need_file"))
        st.stop()
    try:
        importer.check_size(uploaded.size)  # before the bytes are read
        uploads.check_upload(uploaded.getvalue(), uploaded.name, importer.max_bytes())  # by content
        report = importer.import_bytes(data.database().engine, area, uploaded.getvalue(), uploaded.name,
                                       dry_run=dry_run)
    except (importer.ImportRefused, uploads.UploadRefused) as refused:
        record_import(area, uploaded.name, None, f"refused: {refused}", lang)
        st.error(T("data.refused", reason=str(refused)))
        st.stop()
    counts = {"rows": report.rows_read, "inserted": report.inserted, "updated": report.updated,
              "unchanged": report.unchanged}
    outcome = "committed" if report.ok and report.committed else "dry run" if report.ok else "problems"
    record_import(area, uploaded.name, report.rows_read,
                  f"{outcome}: inserted {report.inserted}, updated {report.updated}, unchanged {report.unchanged}, "
                  f"problems {len(report.problems)}", lang)
    if report.ok and report.committed:
        st.cache_data.clear()  # the new loaded_at keys every cache; clear so this run sees it too
        st.success(T("data.ok", **counts))
        try:  # the alerts follow the new rows at once (the sidebar's count, the 预警 page, the digest)
            evaluated = alert_job.evaluate_if_stale(data.database())
        except RuleError as error:
            st.warning(T("data.alerts.rules_error", error=str(error)))
        else:
            if evaluated is not None:
                st.caption(T("data.alerts.evaluated", opened=evaluated.opened, updated=evaluated.updated,
                             closed=evaluated.closed))
    elif report.ok:
        st.success(T("data.dry_ok", **counts))
    else:
        st.error(T("data.problems", count=len(report.problems)))
    if report.notes:  # which sheet and header row were used, what was normalised, filled or ignored
        st.info(f"**{T('data.notes')}**\n\n{notes_markdown(report.notes, lang)}", icon=":material/info:")
    if not report.ok:
        headers = {"row": T("data.report.row"), "column": T("data.report.column"), "value": T("data.report.value"),
                   "reason": T("data.report.reason")}
        problems = pd.DataFrame(report.problem_rows(), columns=list(headers)).astype(str)
        st.subheader(T("data.report"))
        st.dataframe(problems.rename(columns=headers), hide_index=True, width="stretch")
        csv_download(problems, f"import_problems_{area}", uploaded.name, lang, headers=headers,
                     key="data_problems_download", follows_scope=False)
