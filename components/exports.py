"""Table exports as bytes: CSV for any tool, XLSX for Excel with the active filters on a first sheet.

Pure functions (no Streamlit) so they are tested without a server; the buttons live in
components/downloads.py. Both files carry the same translated headers and the same rows.

Spreadsheet formula injection: data text that begins with = + - @ (or a tab or carriage
return) would be run as a formula by Excel. In the CSV such a cell gets a leading
apostrophe (the OWASP advice); in the XLSX every text cell is written as a string cell,
never a formula, so the text stays exactly as shown on screen.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from components.i18n import text

_UNSAFE_FILENAME = re.compile(r"[^\w\-.]+", re.UNICODE)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: first characters that make a spreadsheet read a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_MAX = 31
MAX_COLUMN_WIDTH = 60
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
_BOLD = Font(bold=True)


# --- names ------------------------------------------------------------------------------


def download_filename(stem: str, scope_label: str, suffix: str = "csv") -> str:
    """'projects' + '龙岗区 › 布吉街道' → 'projects_龙岗区_布吉街道.csv' (safe on every OS)."""
    name = _UNSAFE_FILENAME.sub("_", f"{stem}_{scope_label}").strip("_")
    return f"{name}.{suffix}"


def sheet_name(name: str, fallback: str = "Sheet") -> str:
    """A valid worksheet name: none of []:*?/\\ , no leading or trailing apostrophe, at most 31 characters."""
    cleaned = _SHEET_FORBIDDEN.sub("_", str(name)).strip("'").strip()
    return cleaned[:SHEET_NAME_MAX] or fallback


# --- CSV --------------------------------------------------------------------------------


def neutralised(value):
    """Text that a spreadsheet would take for a formula, prefixed with an apostrophe; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> bytes:
    """The frame as UTF-8-with-BOM CSV (opens in Excel on a Chinese desktop), columns renamed to their
    display headers, text cells that look like formulas neutralised."""
    shown = frame.rename(columns=headers or {})
    text_columns = [c for c in shown.columns if shown[c].dtype == object or pd.api.types.is_string_dtype(shown[c])]
    if text_columns:
        shown = shown.copy()
        for column in text_columns:
            shown[column] = shown[column].map(neutralised)
    return shown.to_csv(index=False).encode("utf-8-sig")


# --- XLSX -------------------------------------------------------------------------------


def export_filters(place: str, period: str | None, as_of: date | None, lang: str, *, rows: int,
                   exported_at: datetime, role: str | None = None, table: str | None = None,
                   source: str | None = None) -> list[tuple[str, str]]:
    """The (label, value) rows of the filters sheet, in the reader's language."""
    items: list[tuple[str, str]] = []
    if table:
        items.append((text("export.filters.table", lang), table))
    if source:
        items.append((text("export.filters.source", lang), source))
    if place:
        items.append((text("export.filters.place", lang), place))
    if period:
        items.append((text("export.filters.period", lang), period))
    if role:
        items.append((text("export.filters.role", lang), role))
    if as_of is not None:
        items.append((text("export.filters.as_of", lang), as_of.isoformat()))
    items.append((text("export.filters.exported", lang), exported_at.strftime("%Y-%m-%d %H:%M:%S")))
    items.append((text("export.filters.rows", lang), f"{rows:,}"))
    return items


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def cell_value(value):
    """A frame value as Excel stores it: numbers as numbers, dates as dates, the rest as text (None: empty)."""
    if _is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, Decimal)):
        number = float(value)
        return None if math.isinf(number) else number
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value).to_pydatetime()
    if isinstance(value, datetime):
        # Excel has no time zones: an aware time is written as the wall clock it shows
        return value.replace(tzinfo=None)
    if isinstance(value, (date, time)):
        return value
    return str(value)


def _display_width(value) -> int:
    """Columns wide enough to read: CJK characters count double."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in shown)


def _cell(sheet, value, *, header: bool = False):
    """A write-only cell; text stays text even when it starts with '=' (openpyxl would make it a formula)."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if header:
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    return cell


def xlsx_bytes(frame: pd.DataFrame, headers: dict[str, str] | None, filters: Sequence[tuple[str, str]],
               sheet: str = "data", lang: str = "zh") -> bytes:
    """A workbook: first the filters sheet ("筛选条件"), then the table with the same headers as the CSV,
    a frozen header row, sized columns, numbers as numbers and dates as dates.

    Written in openpyxl's write-only mode: a 5,000-row export takes a second, not several.
    """
    book = Workbook(write_only=True)
    first = book.create_sheet(sheet_name(text("export.filters.sheet", lang)))
    first.column_dimensions["A"].width = max([12] + [_display_width(label) + 2 for label, _ in filters])
    first.column_dimensions["B"].width = min(MAX_COLUMN_WIDTH, max([16] + [_display_width(v) + 2 for _, v in filters]))
    first.append([_cell(first, text("export.filters.item", lang), header=True),
                  _cell(first, text("export.filters.value", lang), header=True)])
    for label, value in filters:
        first.append([_cell(first, str(label), header=True), _cell(first, str(value))])

    title = sheet_name(sheet, text("export.data.sheet", lang))
    if title == first.title:
        title = sheet_name(f"{title}_2")
    data = book.create_sheet(title)
    names = [str((headers or {}).get(c, c)) for c in frame.columns]
    rows = [[cell_value(v) for v in values] for values in frame.itertuples(index=False, name=None)]
    for column, name in enumerate(names):
        width = max([_display_width(name)] + [_display_width(row[column]) for row in rows[:2000]])
        data.column_dimensions[get_column_letter(column + 1)].width = max(8, min(MAX_COLUMN_WIDTH, width + 2))
    data.freeze_panes = "A2"
    if names:
        data.auto_filter.ref = f"A1:{get_column_letter(len(names))}{len(rows) + 1}"
    data.append([_cell(data, name, header=True) for name in names])
    for row in rows:
        data.append([_cell(data, value) if value is not None else None for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
