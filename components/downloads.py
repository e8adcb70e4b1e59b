"""Downloads of the tables on a page, following the scope: CSV and Excel side by side.

The CSV opens in Excel on a Chinese desktop (UTF-8 with a byte-order mark); the XLSX carries the
active filters (place, period, role, data date, export time, rows) on a first sheet. Both carry
the same headers, and the file name says what and which scope it holds. The bytes are
built by components/exports.py only when a button is clicked, so a page does not pay for them.

One rule for what a download holds (docs/exports.md): the values the query returned, at full
precision, never the screen's rounding or scaling; a share or ratio is a fraction (1 = 100%) and
its header says so (``fractions``). A list of stored records that is an import area's rows goes
through :func:`record_download`: the import template's headers and the stored values, the same
file in both languages, so it imports back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
import streamlit as st

from components.audit_trail import audited_bytes
from components.exports import XLSX_MIME, csv_bytes, download_filename, export_filters, xlsx_bytes
from components.i18n import text
from data_access.import_specs import SPECS

__all__ = ["csv_bytes", "download_filename", "csv_download", "record_download", "record_headers", "scope_filters",
           "fraction_headers"]


def scope_filters(scope_label: str, lang: str) -> dict:
    """This run's scope as the filters sheet names it: place, period, role (when limited), data date."""
    from components.data import data_context
    from components.login import role_label
    from components.scope_sidebar import period_label

    scope = st.session_state.get("scope")
    try:
        as_of = data_context().reference
    except Exception:  # noqa: BLE001 - a filters sheet without the data date beats no download
        as_of = None
    return {
        "place": scope_label,
        "period": period_label(scope.period, lang) if scope is not None else None,
        "role": role_label(scope.role, lang) if scope is not None and scope.role_street else None,
        "as_of": as_of,
    }


def _scope_text(parts: dict) -> str:
    """The scope as the audit record keeps it: place, period, role, source, as one line."""
    return " | ".join(str(v) for v in (parts.get("place"), parts.get("period"), parts.get("role"),
                                       parts.get("source")) if v)


def fraction_headers(headers: dict[str, str], fractions, lang: str) -> dict[str, str]:
    """``headers`` with each share column's header saying the value is a fraction (1 = 100%)."""
    marked = dict(headers)
    for column in fractions:
        marked[column] = text("export.fraction", lang, header=headers.get(column, column))
    return marked


def record_headers(area: str, columns, context: dict[str, str] | None = None) -> dict[str, str]:
    """Headers of a record download: the import template's header for each of the area's columns, and
    for the other columns (a street's name beside its code: context, ignored on import) the Chinese
    header of their catalogue key in ``context``."""
    spec = SPECS[area]
    names = {c.name: c.zh for c in spec.columns}
    return {column: names[column] if column in names else text((context or {})[column], "zh") for column in columns}


def record_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], area: str, stem: str, scope_label: str,
                    lang: str, columns, context: dict[str, str] | None = None, key: str | None = None) -> None:
    """Download buttons for a list of stored records of an import area (``data_access.import_specs``):
    the template's headers and the values as stored (codes, statuses, kinds in Chinese), in either
    language, so an office can edit the file and upload it back (docs/exports.md). The frame must
    hold the area's key columns and untranslated values; ``context`` names the other columns' headers
    (catalogue keys)."""
    spec = SPECS[area]
    columns = list(columns)
    missing = [name for name in spec.natural_key if name not in columns]
    if missing:
        raise ValueError(f"{stem}: a record download of {area} needs its key columns {missing}")
    csv_download(frame, stem, scope_label, lang, headers=record_headers(area, columns, context), key=key)


def csv_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], stem: str, scope_label: str, lang: str,
                 headers: dict[str, str] | None = None, key: str | None = None,
                 follows_scope: bool = True, fractions=()) -> None:
    """Two download buttons for one table: CSV and Excel (XLSX with a filters sheet).

    A table that does not follow the sidebar scope (an import report) passes
    ``follows_scope=False``: its filters sheet names ``scope_label`` as the source file instead.
    ``frame`` may be a function returning the table, so a large export is only queried on a click;
    it holds raw values (not rounded for the screen), shares as fractions, named in ``fractions``.
    """
    key = key or f"download-{stem}"
    if fractions:
        headers = fraction_headers(dict(headers or {}), fractions, lang)
    if callable(frame):
        table = frame
    else:
        kept = frame.copy()

        def table() -> pd.DataFrame:
            return kept
    if follows_scope:
        parts = scope_filters(scope_label, lang)
    else:
        parts = {"place": "", "period": None, "as_of": None, "source": scope_label}

    built_rows: list[int] = []

    def csv() -> bytes:
        shown = table()
        built_rows.append(len(shown))
        return csv_bytes(shown, headers)

    def xlsx() -> bytes:
        shown = table()
        built_rows.append(len(shown))
        filters = export_filters(lang=lang, rows=len(shown), exported_at=datetime.now().replace(microsecond=0),
                                 **parts)
        return xlsx_bytes(shown, headers, filters, sheet=stem, lang=lang)

    def audited(build, file_name: str):
        # the export record is written when the file is built, on the click; no record, no file
        return audited_bytes(build, target=stem, scope=_scope_text(parts), file_name=file_name,
                             rows=lambda: built_rows[-1] if built_rows else None)

    csv_name, xlsx_name = download_filename(stem, scope_label), download_filename(stem, scope_label, "xlsx")
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            text("download.csv", lang),
            data=audited(csv, csv_name),
            file_name=csv_name,
            mime="text/csv",
            key=key,
            icon=":material/download:",
            on_click="ignore",
        )
        st.download_button(
            text("export.xlsx", lang),
            data=audited(xlsx, xlsx_name),
            file_name=xlsx_name,
            mime=XLSX_MIME,
            key=f"{key}-xlsx",
            icon=":material/table_view:",
            on_click="ignore",
        )
