"""Import one CSV or XLSX file into one table: validated first, written in one transaction.

* The file is refused before it is read when it is larger than ``LONGGANG_IMPORT_MAX_MB``
  (default 20) megabytes, and with a clear message when it is not a readable CSV
  (UTF-8, UTF-8 with BOM, GB18030/GBK) or XLSX workbook.
* Headers may be the Chinese ones of the template or the schema's column names.
* Every row is checked (required columns, types, dates, code sets, ranges, references to
  existing records, duplicates inside the file) before anything is written; the report
  names each problem's row, column, value and reason, in Chinese.
* One file is one transaction: every row lands or none does. Rows are matched on the
  area's natural key (see :mod:`data_access.import_specs`) and updated; rows whose values
  are unchanged are not touched, so re-importing a file changes nothing; columns the file
  leaves out keep their stored values. A successful import stamps ``dataset_info.loaded_at``
  so the app's caches refresh.

Command line: ``python -m data_access.importer AREA FILE [--dry-run] [--url URL]``; it prints
the report and exits non-zero when the file was refused or had problems.
This module never imports Streamlit.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import re
import sys
import time
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import and_, bindparam, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from data_access import boundaries, privacy, schema, summaries
from data_access.import_specs import (
    HEADER_ALIASES,
    KIND_BOOLEAN,
    KIND_DATE,
    KIND_DATETIME,
    KIND_INTEGER,
    KIND_NUMBER,
    KIND_TEXT,
    KIND_ZH,
    SPECS,
    ZH_HEADERS,
    AreaSpec,
    ColumnSpec,
)
from data_access.office_text import decode_office_text
from data_access.sql import among

DEFAULT_MAX_MB = 20.0
#: A file with more data rows than this is refused (a dashboard import, not a bulk load).
MAX_ROWS = 500_000
#: Longest text accepted in a column the schema leaves unbounded (TEXT).
MAX_TEXT_LENGTH = 5_000
#: ``pg_advisory_xact_lock`` key held while importing, so two imports never interleave.
PG_IMPORT_LOCK_KEY = 0x4C47_494D  # "LGIM"
#: Test hook: when set, the import writes its rows, creates this file and waits inside the
#: transaction (so a test can kill the process mid-import).
PAUSE_ENV = "LONGGANG_IMPORT_PAUSE_FILE"
#: The header row is looked for in this many rows at the top of each sheet.
HEADER_SEARCH_ROWS = 15
#: A row below the data whose first cell starts with one of these is a footer note or a totals
#: row (合计, often summed by formulas), not data.
FOOTER_PREFIXES = ("制表人", "制表", "填报人", "填表人", "填报日期", "填表日期", "制表日期", "审核人",
                   "审核", "负责人", "备注", "注：", "注:", "说明", "联系人", "合计", "总计", "小计")
_XLSX_MAGIC = b"PK\x03\x04"


class ImportRefused(Exception):
    """The file cannot be imported at all (too large, unreadable); the message is Chinese."""


class Note(str):
    """One note on how a file was read: the Chinese sentence (the CLI prints it), with a ``key`` and
    ``values`` so a page can say it in the reader's language (catalogue ``data.note.<key>``)."""

    key: str
    values: dict

    def __new__(cls, key: str, chinese: str, **values) -> Note:
        note = super().__new__(cls, chinese)
        note.key, note.values = key, values
        return note


@dataclass
class Problem:
    """One thing wrong with the file: row (as the spreadsheet numbers it; 1 = header), column, value, reason."""

    row: int | None
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    """What an import found and did."""

    area: str
    file_name: str
    dry_run: bool = False
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    committed: bool = False
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    #: notes on how the file was read (sheet, header row, footer, normalised and merged cells,
    #: ignored columns): Chinese text, each a :class:`Note` a page can translate by its key
    notes: list[Note] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One Chinese sentence on the outcome."""
        if self.problems:
            return (f"{self.file_name}：发现 {len(self.problems)} 个问题，未写入任何数据"
                    f"（共读取 {self.rows_read} 行）。")
        verb = "检查通过（试运行，未写入）" if self.dry_run else "导入成功"
        return (f"{self.file_name}：{verb}，共 {self.rows_read} 行：新增 {self.inserted} 行，"
                f"更新 {self.updated} 行，未变 {self.unchanged} 行。")

    def problem_rows(self) -> list[dict[str, object]]:
        """The problems as table rows (row, column, value, reason); pages translate the headers."""
        return [
            {"row": "" if p.row is None else p.row, "column": p.column, "value": p.value, "reason": p.reason}
            for p in self.problems
        ]


# --- limits and reading ---------------------------------------------------------------


def max_bytes() -> int:
    """The size limit, from ``LONGGANG_IMPORT_MAX_MB`` (megabytes, default 20)."""
    raw = os.environ.get("LONGGANG_IMPORT_MAX_MB", "")
    try:
        megabytes = float(raw) if raw.strip() else DEFAULT_MAX_MB
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    if not math.isfinite(megabytes) or megabytes <= 0:
        megabytes = DEFAULT_MAX_MB
    return int(megabytes * 1024 * 1024)


def check_size(size: int) -> None:
    """Refuse a file over the limit, before it is read."""
    limit = max_bytes()
    if size > limit:
        raise ImportRefused(
            f"文件过大（{size / 1024 / 1024:.1f} MB），超过上限 {limit / 1024 / 1024:.0f} MB，未读取。"
            "请拆分后分批导入。"
        )


def _is_xlsx(file_name: str, data: bytes) -> bool:
    return file_name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == _XLSX_MAGIC


def read_rows(data: bytes, file_name: str) -> list[list]:
    """The first sheet's rows as lists of cells; CSV cells are text, XLSX cells typed."""
    return read_sheets(data, file_name)[0][1]


def read_sheets(data: bytes, file_name: str) -> list[tuple[str, list[list]]]:
    """Every sheet as (name, rows); a CSV is one sheet named ``""``."""
    if _is_xlsx(file_name, data):
        return _read_xlsx(data)
    return [("", _read_csv(data))]


def _read_csv(data: bytes) -> list[list]:
    decoded = decode_office_text(data)
    if decoded is None:  # pragma: no cover - gb18030 decodes almost any byte string
        raise ImportRefused("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。")
    if "\x00" in decoded:
        raise ImportRefused("文件不是有效的 CSV 文本文件（含二进制内容），请检查文件。")
    try:
        csv.field_size_limit(max(MAX_TEXT_LENGTH * 4, 131072))
        rows = list(csv.reader(io.StringIO(decoded, newline="")))
    except csv.Error as exc:
        raise ImportRefused(f"无法读取 CSV 文件：{exc}") from None
    return rows


class UncalculatedFormula:
    """A formula cell the file holds no calculated value for (written by a program, never saved by
    Excel): reported as such, not as an empty cell. Reads as empty text everywhere else."""

    def __init__(self, formula: str):
        self.formula = formula

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"UncalculatedFormula({self.formula!r})"


FORMULA_REASON = ("单元格是公式，但文件里没有保存计算结果（多见于程序生成、未经 Excel 保存的文件）："
                  "请用 Excel 或 WPS 打开后保存再导入，或将该列复制后“选择性粘贴 → 数值”")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (so the formulas are worth reading)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    content = archive.read(name)
                    if b"<f>" in content or b"<f " in content:
                        return True
    except (zipfile.BadZipFile, OSError):
        return False
    return False


def _sheet_rows(sheet) -> list[list]:
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(list(values))
        if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            break
    return rows


class SheetRows(list):
    """A sheet's rows, and its merged cell ranges as (first row, first column, last row, last column),
    numbered from 1 as Excel numbers them (a CSV has none)."""

    merged: tuple[tuple[int, int, int, int], ...] = ()


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}\d+:[A-Z]{1,3}\d+)"')


def _merged_ranges(data: bytes, part: str | None) -> tuple[tuple[int, int, int, int], ...]:
    """The merged ranges of one worksheet part, read from its ``<mergeCells>`` (openpyxl's read-only
    sheets do not expose ``merged_cells``; the ranges are parsed with openpyxl's own helper)."""
    from openpyxl.utils.cell import range_boundaries

    if not part:
        return ()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part.lstrip("/")) as stream:
            content = _after_sheet_data(stream)
    except (zipfile.BadZipFile, KeyError, OSError):
        return ()
    ranges = []
    for ref in _MERGE_CELL.findall(content):
        first_col, first_row, last_col, last_row = range_boundaries(ref.decode("ascii"))
        ranges.append((first_row, first_col, last_row, last_col))
    return tuple(ranges)


def _after_sheet_data(stream, chunk: int = 1 << 20) -> bytes:
    """What follows ``</sheetData>`` in a worksheet part (where ``<mergeCells>`` lives), read in chunks so a
    large sheet's cells are never held in memory a second time."""
    tail, found = b"", False
    kept = []
    while block := stream.read(chunk):
        if found:
            kept.append(block)
            continue
        window = tail + block
        at = window.find(b"</sheetData>")
        if at >= 0:
            found = True
            kept.append(window[at:])
        else:
            tail = window[-16:]
    return b"".join(kept) if found else tail


def fill_merged(rows: list[list], header_at: int, notes: list[Note]) -> None:
    """Give every cell of a merged range inside the data area (below the header: a street name merged
    down over its communities' rows) the range's value, as a reader of the sheet sees it; ranges at or
    above the header (a title, a two-row header) are left alone. Says how many cells, per column."""
    merged = getattr(rows, "merged", ())
    header = rows[header_at] if len(rows) > header_at else []
    filled: dict[int, int] = {}  # column position -> cells filled
    for first_row, first_col, last_row, last_col in merged:
        if first_row - 1 <= header_at or first_row - 1 >= len(rows):
            continue
        top = rows[first_row - 1]
        value = top[first_col - 1] if first_col - 1 < len(top) else None
        if value is None or cell_text(value) == "":
            continue
        for row in range(first_row - 1, min(last_row, len(rows))):
            cells = rows[row]
            for column in range(first_col - 1, last_col):
                if row == first_row - 1 and column == first_col - 1:
                    continue
                if column >= len(cells):
                    cells.extend([None] * (column + 1 - len(cells)))
                if cells[column] is None or cell_text(cells[column]) == "":
                    cells[column] = value
                    filled[column] = filled.get(column, 0) + 1
    if filled:
        counts = {(_label(header[c]) if c < len(header) else "") or f"第 {c + 1} 列": filled[c] for c in sorted(filled)}
        notes.append(Note("merged", "合并单元格已按合并区域的值填充：" +
                          "，".join(f"{name} {n} 格" for name, n in counts.items()), counts=counts))


def _read_xlsx(data: bytes) -> list[tuple[str, list[list]]]:
    """Every sheet's cached values (what Excel last calculated); a formula without one becomes an
    :class:`UncalculatedFormula`."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True) if _has_formulas(data) else None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportRefused(
            f"文件不是有效的 Excel 工作簿（.xlsx），无法打开（{type(exc).__name__}）。"
            "请用 Excel 另存为 .xlsx 或 CSV 后重试。"
        ) from None
    sheets = []
    try:
        for number, sheet in enumerate(workbook.worksheets):
            rows = SheetRows(_sheet_rows(sheet))
            rows.merged = _merged_ranges(data, getattr(sheet, "_worksheet_path", None))
            if formulas is not None:
                for cells, written in zip(rows, _sheet_rows(formulas.worksheets[number]), strict=False):
                    for position, (cached, formula) in enumerate(zip(cells, written, strict=False)):
                        if cached is None and isinstance(formula, str) and formula.startswith("="):
                            cells[position] = UncalculatedFormula(formula)
            sheets.append((sheet.title, rows))
    except Exception as exc:  # a damaged sheet inside a valid zip
        raise ImportRefused(f"Excel 工作簿已损坏，无法读取（{type(exc).__name__}）。") from None
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()
    return sheets or [("", [])]


# --- converting cells ----------------------------------------------------------------------

_INTEGER = re.compile(r"^[+-]?\d+(\.0*)?$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[ T]?\s*(\d{1,2})\s*[:时]\s*(\d{2})\s*分?(?:\s*:\s*(\d{2})(?:\.\d+)?\s*秒?)?)?$"
)
_TRUE = {"true", "t", "yes", "y", "1", "是", "√"}
_FALSE = {"false", "f", "no", "n", "0", "否", "×"}


class _Bad(ValueError):
    """A cell that cannot be read as its column's type; the message is the Chinese reason."""


def cell_text(cell) -> str:
    """A cell as the text a person would read in it (for messages and text columns)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float):
        if math.isfinite(cell) and cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell))
        return repr(cell)
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S") if (cell.hour, cell.minute, cell.second) != (0, 0, 0) \
            else cell.strftime("%Y-%m-%d")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip().replace("\x00", "")


def _to_integer(cell) -> int:
    if isinstance(cell, bool):
        raise _Bad("应为整数")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if math.isfinite(cell) and cell.is_integer():
            return int(cell)
        raise _Bad("应为整数")
    value = cell_text(cell).replace(",", "")
    if len(value) > 18 or not _INTEGER.match(value):
        raise _Bad("应为整数")
    return int(value.split(".")[0])


def _to_number(cell) -> float:
    if isinstance(cell, bool):
        raise _Bad("应为数字")
    if isinstance(cell, int | float):
        number = float(cell)
    else:
        value = cell_text(cell).replace(",", "")
        if len(value) > 40:
            raise _Bad("应为数字")
        try:
            number = float(value)
        except ValueError:
            raise _Bad("应为数字") from None
    if not math.isfinite(number):
        raise _Bad("应为有限的数字")
    return number


def _to_boolean(cell) -> bool:
    if isinstance(cell, bool):
        return cell
    value = cell_text(cell).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _Bad("应为 是/否（或 true/false）")


def _to_date(cell) -> date:
    if isinstance(cell, datetime):
        if (cell.hour, cell.minute, cell.second) != (0, 0, 0):
            raise _Bad("应为日期（不含时间）")
        return cell.date()
    if isinstance(cell, date):
        return cell
    value = cell_text(cell)
    if value.endswith(" 00:00:00"):
        value = value[:-9]
    match = _DATE.match(value)
    if not match:
        raise _Bad("应为日期，格式 YYYY-MM-DD")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise _Bad("日期不存在") from None


def _to_datetime(cell) -> datetime:
    if isinstance(cell, datetime):
        return cell.replace(microsecond=0, tzinfo=None)
    if isinstance(cell, date):
        return datetime(cell.year, cell.month, cell.day)
    match = _DATETIME.match(cell_text(cell))
    if not match:
        raise _Bad("应为时间，格式 YYYY-MM-DD HH:MM:SS")
    parts = [int(g) if g else 0 for g in match.groups()]
    try:
        return datetime(*parts)
    except ValueError:
        raise _Bad("时间不存在") from None


_CONVERTERS = {
    KIND_INTEGER: _to_integer,
    KIND_NUMBER: _to_number,
    KIND_BOOLEAN: _to_boolean,
    KIND_DATE: _to_date,
    KIND_DATETIME: _to_datetime,
}


#: What a scored column's scale is, said in the message when a value falls outside it.
SCALES = {
    "satisfaction": "满意度为 1～5 的整数：1 很不满意，5 很满意",
    "stars": "星级为 1～5 的整数",
    "progress_pct": "进度为 0～100 的百分数，不带 % 号",
}


def convert_cell(spec: ColumnSpec, cell):
    """The typed value of a non-empty cell, or :class:`_Bad` with the Chinese reason."""
    if spec.kind == KIND_TEXT:
        value = cell_text(cell)
        limit = spec.max_length or MAX_TEXT_LENGTH
        if len(value) > limit:
            raise _Bad(f"文本过长（{len(value)} 字，最多 {limit} 字）")
        if spec.allowed is not None and value not in spec.allowed:
            raise _Bad(f"不是允许的值，应为：{'、'.join(spec.allowed)}")
        return value
    try:
        value = _CONVERTERS[spec.kind](cell)
    except _Bad as bad:
        if spec.name in SCALES:
            raise _Bad(f"{bad}（{SCALES[spec.name]}）") from None
        raise
    if spec.kind in (KIND_INTEGER, KIND_NUMBER):
        expected = SCALES.get(spec.name) or (
            f"应在 {spec.minimum:g}～{spec.maximum:g} 之间" if spec.minimum is not None and spec.maximum is not None
            else "")
        if spec.minimum is not None and value < spec.minimum:
            raise _Bad(f"不能小于 {spec.minimum:g}" + (f"（{expected}）" if expected else ""))
        if spec.maximum is not None and value > spec.maximum:
            raise _Bad(f"不能大于 {spec.maximum:g}" + (f"（{expected}）" if expected else ""))
        if spec.kind == KIND_INTEGER and abs(value) > 2**31 - 1:
            raise _Bad("整数超出范围")
    if spec.kind in (KIND_DATE, KIND_DATETIME) and not 1900 <= value.year <= 2100:
        raise _Bad("年份应在 1900 至 2100 之间")
    return value


def _shown(cell, limit: int = 60) -> str:
    value = cell_text(cell)
    return value if len(value) <= limit else value[:limit] + "…"


# --- validating ---------------------------------------------------------------------------


def _labels(spec: AreaSpec) -> dict[str, str]:
    by_label: dict[str, str] = {}
    for column in spec.columns:
        by_label[unicodedata.normalize("NFKC", column.zh)] = column.name
        by_label[column.name.lower()] = column.name
    for column in spec.columns:  # the shared header a table-specific one replaced reads too
        by_label.setdefault(ZH_HEADERS[column.name], column.name)
    for alias, name in HEADER_ALIASES.items():
        if name in by_label.values():
            by_label.setdefault(alias, name)
    return by_label


def _label(cell) -> str:
    return unicodedata.normalize("NFKC", cell_text(cell)).lstrip("\ufeff").strip().rstrip("*").strip()


def _header_score(by_label: dict[str, str], cells: list) -> int:
    """How many cells of a row are headers of the area (0 for a title or blank row)."""
    return len({by_label.get(_label(c)) or by_label.get(_label(c).lower()) for c in cells} - {None})


def locate(spec: AreaSpec, sheets: list[tuple[str, list[list]]], notes: list[str]) -> tuple[list[list], int]:
    """The data sheet's rows and the header's position in them, found by the area's headers.

    The header is the row among the first :data:`HEADER_SEARCH_ROWS` of any sheet with the
    most cells that are the area's column headers (so a title row, blank rows or a merged
    cell above it, and a filters sheet before the data sheet, are skipped).
    """
    by_label = _labels(spec)
    best = (0, 0, 0)  # score, sheet, row
    for number, (_name, rows) in enumerate(sheets):
        for position, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
            score = _header_score(by_label, cells)
            if score > best[0]:
                best = (score, number, position)
    _score, number, position = best
    name, rows = sheets[number]
    if len(sheets) > 1:
        notes.append(Note("sheet", f"读取工作表“{name}”（按列名识别数据所在的工作表）", sheet=name))
    if position:
        notes.append(Note("header_row", f"第 {position + 1} 行为表头（跳过上方 {position} 行标题或空行）",
                          row=position + 1, skipped=position))
    return rows, position


def _footer_start(body: list[list]) -> int:
    """Where the notes below the data (制表人、填报日期…) begin; ``len(body)`` when there are none."""
    end = len(body)
    while end:
        row = body[end - 1]
        texts = [t for t in (unicodedata.normalize("NFKC", cell_text(c)).strip() for c in row) if t]
        if texts and not texts[0].startswith(FOOTER_PREFIXES):
            break
        if not texts and any(isinstance(c, UncalculatedFormula) for c in row):
            break  # a row of formulas only is data (reported as such), not a blank line
        end -= 1
    return end


def _normalise_everywhere(column: ColumnSpec, spec: AreaSpec) -> bool:
    """Whether full-width forms are folded (NFKC) in this column: all but free text."""
    return (column.kind != KIND_TEXT or column.allowed is not None or column.references is not None
            or column.name in spec.natural_key or column.name.endswith(("code", "phone")))


#: First characters a download (components/exports.py) prefixes with an apostrophe.
_NEUTRALISED = ("=", "+", "-", "@", "\t", "\r")


def _normalise(column: ColumnSpec, spec: AreaSpec, cell) -> tuple[object, bool]:
    """The cell as it was meant (full-width forms folded, separators and date forms read); changed?"""
    if not isinstance(cell, str):
        return cell, False
    typed = cell.strip(" \t\r\n")
    if typed[:1] == "'" and typed[1:2] in _NEUTRALISED:
        typed = typed[1:]  # the apostrophe a download puts before text a spreadsheet would run as a formula
    text = typed.strip()
    if _normalise_everywhere(column, spec):
        text = unicodedata.normalize("NFKC", text).strip()
    changed = text != typed
    if column.kind in (KIND_INTEGER, KIND_NUMBER) and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", text):
        changed = True  # thousands separators (converted by the number reader)
    if column.kind in (KIND_DATE, KIND_DATETIME) and re.search(r"[年月日时/.]", text.split(" ")[0]):
        changed = True  # 2023年1月5日, 2023/1/5, 2023.1.5
    return text, changed


def _header_index(spec: AreaSpec, header: list, problems: list[Problem], header_row: int = 1,
                  notes: list[str] | None = None) -> dict[str, int]:
    """Which file column holds which spec column, matching Chinese or English headers.

    Columns the area does not know (a downloaded list's 街道、社区 names, a computed column) are
    ignored with a note once the row holds at least one of the area's headers; in a row with none
    they are reported, since the file is then not this area's at all.
    """
    by_label = _labels(spec)
    index: dict[str, int] = {}
    unknown: list[str] = []
    for position, cell in enumerate(header):
        label = _label(cell)
        if not label:
            continue
        name = by_label.get(label) or by_label.get(label.lower())
        if name is None and spec.surrogate and label.lower() in ("id", "编号"):
            continue  # an export's surrogate id: rows are matched on the natural key instead
        if name is None:
            unknown.append(label)
        elif name in index:
            problems.append(Problem(header_row, _shown(label), "", "列重复"))
        else:
            index[name] = position
    if unknown and index and notes is not None:
        names = [_shown(u, 20) for u in unknown]
        notes.append(Note("ignored_columns", f"忽略 {len(unknown)} 个本类别没有的列（不导入）：{'、'.join(names)}",
                          count=len(unknown), columns=names))
    elif unknown:
        problems.extend(Problem(header_row, _shown(u), "", "无法识别的列名（请使用模板中的列名）") for u in unknown)
    for column in spec.columns:
        # a required column outside the key may be left out when every row updates a stored record
        # (a downloaded list edited and uploaded back): see check_left_out
        if column.required and column.name not in index and column.name in spec.natural_key:
            problems.append(Problem(header_row, column.zh, "", "缺少必填列"))
    for name in spec.natural_key:
        if name not in index and not spec.column(name).required:
            problems.append(Problem(header_row, spec.column(name).zh, "", "缺少用于匹配记录的列"))
    return index


@dataclass
class _Parsed:
    """The file's rows as typed dicts (only the columns the file has), with their row numbers."""

    columns: list[str]
    rows: list[dict]
    row_numbers: list[int]
    #: required columns the file leaves out (allowed only for rows that update a stored record)
    left_out: list[str] = field(default_factory=list)
    header_row: int = 1


def parse_rows(spec: AreaSpec, raw: list[list], problems: list[Problem], *, header_at: int = 0,
               notes: list[str] | None = None) -> _Parsed:
    """Check header and cells; typed rows out, a Problem for each bad cell.

    ``header_at`` is the header's position in ``raw`` (see :func:`locate`); rows are
    numbered as the spreadsheet numbers them. Notes (footer skipped, cells normalised per
    column) go to ``notes``.
    """
    notes = [] if notes is None else notes
    if len(raw) <= header_at:
        problems.append(Problem(None, "", "", "文件为空"))
        return _Parsed([], [], [])
    index = _header_index(spec, raw[header_at], problems, header_at + 1, notes)
    columns = [c.name for c in spec.columns if c.name in index]
    left_out = [c.name for c in spec.columns if c.required and c.name not in index]
    parsed = _Parsed(columns, [], [], left_out, header_at + 1)
    body = raw[header_at + 1:]
    footer = _footer_start(body)
    skipped = sum(1 for cells in body[footer:] if any(cell_text(c) for c in cells))
    if skipped:
        notes.append(Note("footer", f"忽略表格下方的 {skipped} 行说明或合计（如 制表人、填报日期、合计）",
                          rows=skipped))
    body = body[:footer]
    normalised: dict[str, int] = {}
    if len(body) > MAX_ROWS:
        problems.append(Problem(None, "", "", f"数据行超过 {MAX_ROWS} 行，请拆分文件"))
        return parsed
    specs = [spec.column(name) for name in columns]
    for offset, cells in enumerate(body):
        row_number = header_at + offset + 2
        if all(cell_text(c) == "" and not isinstance(c, UncalculatedFormula) for c in cells):
            continue  # blank lines (Excel often leaves some at the end)
        row = {}
        for column in specs:
            position = index[column.name]
            cell = cells[position] if position < len(cells) else None
            if isinstance(cell, UncalculatedFormula):
                problems.append(Problem(row_number, column.zh, _shown(cell.formula), FORMULA_REASON))
                row[column.name] = _INVALID
                continue
            if column.name in MASKED_COLUMNS and "*" in cell_text(cell):
                row[column.name] = Masked(cell_text(cell))  # a download's masked value: kept as stored
                continue
            cell, changed = _normalise(column, spec, cell)
            if changed:
                normalised[column.zh] = normalised.get(column.zh, 0) + 1
            if cell_text(cell) == "":
                if column.required:
                    problems.append(Problem(row_number, column.zh, "", "必填项为空"))
                row[column.name] = None
                continue
            try:
                row[column.name] = convert_cell(column, cell)
            except _Bad as bad:
                problems.append(Problem(row_number, column.zh, _shown(cell), str(bad)))
                row[column.name] = _INVALID
        parsed.rows.append(row)
        parsed.row_numbers.append(row_number)
    if normalised:
        notes.append(Note("normalised", "已规范化（全角字符、中文日期、千位分隔符）：" +
                          "，".join(f"{name} {n} 格" for name, n in normalised.items()), counts=dict(normalised)))
    if not parsed.rows and not problems:
        problems.append(Problem(None, "", "", "文件中没有数据行"))
    return parsed


def check_left_out(conn: Connection, spec: AreaSpec, parsed: _Parsed, problems: list[Problem]) -> None:
    """A file without some required columns may only update stored records (their other columns are
    kept): refused as a whole when no row does, else each new row is named."""
    if not parsed.left_out or not parsed.rows:
        return
    stored = set(_existing(conn, spec, []))
    new = [(row, number) for row, number in zip(parsed.rows, parsed.row_numbers, strict=True)
           if tuple(row.get(name) for name in spec.natural_key) not in stored]
    missing = "、".join(spec.column(name).zh for name in parsed.left_out)
    if len(new) == len(parsed.rows):
        problems.extend(Problem(parsed.header_row, spec.column(name).zh, "", "缺少必填列") for name in parsed.left_out)
        return
    for row, number in new:
        key = " / ".join(cell_text(row.get(name)) for name in spec.natural_key)
        problems.append(Problem(number, missing, _shown(key),
                                f"新记录缺少必填列 {missing}：文件中没有这些列时只能更新已有记录，新记录请用模板填写"))


class Masked(str):
    """A personal value as downloads show it (张**, 138****5678): the stored value is kept."""


#: Columns the app's downloads mask (data_access.privacy): a masked cell means "unchanged".
MASKED_COLUMNS = (*privacy.NAME_COLUMNS, *privacy.PHONE_COLUMNS)


def keep_masked(conn: Connection, spec: AreaSpec, parsed: _Parsed, problems: list[Problem],
                notes: list[str]) -> None:
    """Masked cells of a downloaded list take the stored value of their record; a new record cannot
    have one (its real name or number is not known)."""
    masked = [name for name in parsed.columns if name in MASKED_COLUMNS]
    if not masked or not any(isinstance(row[name], Masked) for row in parsed.rows for name in masked):
        return
    existing = _existing(conn, spec, masked)
    kept = 0
    for row, row_number in zip(parsed.rows, parsed.row_numbers, strict=True):
        stored = existing.get(tuple(row.get(name) for name in spec.natural_key))
        for name in masked:
            if not isinstance(row[name], Masked):
                continue
            if stored is None:
                problems.append(Problem(row_number, spec.column(name).zh, row[name],
                                        "新记录不能填脱敏后的值（含 *），请填写完整的姓名或号码"))
                row[name] = _INVALID
            else:
                row[name] = stored[name]
                kept += 1
    if kept:
        notes.append(Note("masked_kept", f"{kept} 个脱敏的单元格（含 *，如下载的列表）保留数据库中原有的值",
                          cells=kept))


class _Invalid:
    """Marks a cell that failed conversion (already reported)."""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "<invalid>"


_INVALID = _Invalid()


def _reference_values(conn: Connection, table_name: str, column_name: str) -> set:
    column = schema.metadata.tables[table_name].c[column_name]
    return {value for (value,) in conn.execute(select(column).distinct())}


def check_rows(conn: Connection, spec: AreaSpec, parsed: _Parsed, problems: list[Problem]) -> None:
    """Row checks that need the database or several cells: references, duplicates, consistency."""
    table = spec.table
    cache: dict[tuple[str, str], set] = {}

    def values_of(table_name: str, column_name: str) -> set:
        if (table_name, column_name) not in cache:
            found = _reference_values(conn, table_name, column_name)
            if table_name == table.name and column_name in parsed.columns:  # rows of this same file
                found |= {r[column_name] for r in parsed.rows if r[column_name] not in (None, _INVALID)}
            cache[(table_name, column_name)] = found
        return cache[(table_name, column_name)]

    compound_community: dict[str, str] | None = None
    seen: dict[tuple, int] = {}
    for row, row_number in zip(parsed.rows, parsed.row_numbers, strict=True):
        for name in parsed.columns:
            column = spec.column(name)
            value = row[name]
            if column.references and value not in (None, _INVALID) and value not in values_of(*column.references):
                ref_table = column.references[0]
                problems.append(Problem(row_number, column.zh, _shown(value),
                                        f"引用的记录不存在（{_TABLE_ZH.get(ref_table, ref_table)}中没有该编码）"))
        # a compound must lie in the row's community
        if "compound_code" in row and "community_code" in row and table.name != "property_ratings":
            compound, community = row["compound_code"], row["community_code"]
            if compound not in (None, _INVALID) and community not in (None, _INVALID):
                if compound_community is None:
                    C = schema.compounds
                    compound_community = dict(conn.execute(select(C.c.code, C.c.community_code)).all())
                if compound in compound_community and compound_community[compound] != community:
                    problems.append(Problem(row_number, spec.column("compound_code").zh, _shown(compound),
                                            "该小区不属于本行的社区"))
        if table.name == "evaluation_scores":
            level, unit = row.get("unit_level"), row.get("unit_code")
            if level not in (None, _INVALID) and unit not in (None, _INVALID):
                target = ("streets", "code") if level == "street" else ("communities", "code")
                if unit not in values_of(*target):
                    problems.append(Problem(row_number, spec.column("unit_code").zh, _shown(unit),
                                            f"不是已有的{'街道' if level == 'street' else '社区'}编码"))
        if table.name == "safety_months":
            month = row.get("month")
            if isinstance(month, date) and month.day != 1:
                problems.append(Problem(row_number, spec.column("month").zh, month.isoformat(),
                                        "月份应填该月1日，例如 2023-10-01"))
        key = tuple(row.get(name) for name in spec.natural_key)
        if any(v is _INVALID for v in key) or any(
            row.get(name) is None for name in spec.natural_key if spec.column(name).required
        ):
            continue
        if key in seen:
            problems.append(Problem(
                row_number, "、".join(spec.column(n).zh for n in spec.natural_key),
                _shown(" / ".join("" if v is None else cell_text(v) for v in key)),
                f"与第 {seen[key]} 行重复（同一记录出现两次）",
            ))
        else:
            seen[key] = row_number


# --- plausibility -------------------------------------------------------------------------------

#: Degrees added on every side of the box around the loaded communities (about 5 km).
COORDINATE_MARGIN = 0.05
#: Dates before this are typing errors (the dashboard's data begins well after it).
EARLIEST_DATE = date(2000, 1, 1)
#: The offices' wall clock: a file's own time (UTC in the XLSX properties) is read in it.
CHINA_TIME = timezone(timedelta(hours=8))
_MOBILE = r"(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"
_LANDLINE = (r"(?:(?:\+?86[\s-]?\(?[1-9]\d{1,2}\)?|\(?0[1-9]\d{1,2}\)?)[\s-]?)?[2-9]\d{2,3}[\s-]?\d{4}"
             r"(?:\s*(?:-|转|分机|ext\.?|x|#)\s*\d{1,6})?")
_PHONE = re.compile(rf"^(?:{_MOBILE}|{_LANDLINE})$", re.IGNORECASE)
PHONE_EXPECTED = ("应为 11 位手机号（可带 +86），或固定电话（如 0755-28881234、28881234，"
                  "分机写作 0755-28881234-123 或 转123）")


def is_phone_number(value: str) -> bool:
    """A mobile number (11 digits, optional +86) or a landline (with or without its area code and extension)."""
    return bool(_PHONE.match(value.strip()))


def _happened(column: ColumnSpec) -> bool:
    """A date of something done (not planned), so it cannot lie after the file was made."""
    return column.kind in (KIND_DATE, KIND_DATETIME) and not column.name.startswith("planned")


def file_time(data: bytes, file_name: str) -> datetime:
    """When the file was made, in China time: an XLSX's last-saved time, else now (a CSV has none)."""
    now = datetime.now(CHINA_TIME).replace(tzinfo=None)
    if not _is_xlsx(file_name, data):
        return now
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return now
    match = re.search(r"<dcterms:modified[^>]*>\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})", core)
    if not match:
        return now
    saved = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC).astimezone(CHINA_TIME)
    return min(saved.replace(tzinfo=None), now)


def coordinate_box(conn: Connection, data_dir: Path | str | None = None
                   ) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """(lat range, lon range) a coordinate must lie in, widened by :data:`COORDINATE_MARGIN`: the loaded
    real district outline's bounds when real boundaries are loaded (data_access.boundaries), else the
    stored streets' and communities' points; None when there is neither."""
    bounds = boundaries.loaded_outline_bounds(data_dir)
    if bounds is not None:
        west, south, east, north = bounds
        points = [(south, north, west, east)]
    else:
        points = []
        for table in (schema.communities, schema.streets):
            points.append(conn.execute(select(func.min(table.c.lat), func.max(table.c.lat),
                                              func.min(table.c.lon), func.max(table.c.lon))).one())
        points = [p for p in points if None not in p]
    if not points:
        return None
    lat = (math.floor((min(p[0] for p in points) - COORDINATE_MARGIN) * 100) / 100,
           math.ceil((max(p[1] for p in points) + COORDINATE_MARGIN) * 100) / 100)
    lon = (math.floor((min(p[2] for p in points) - COORDINATE_MARGIN) * 100) / 100,
           math.ceil((max(p[3] for p in points) + COORDINATE_MARGIN) * 100) / 100)
    return lat, lon


def check_plausible(conn: Connection, spec: AreaSpec, parsed: _Parsed, problems: list[Problem],
                    made: datetime) -> None:
    """Values of the right type that cannot be true: coordinates outside the area, dates after the
    file was made or before 2000, phone numbers that are not phone numbers. ``made``: :func:`file_time`."""
    box = coordinate_box(conn) if {"lat", "lon"} & set(parsed.columns) else None
    latest = made.date()
    for row, row_number in zip(parsed.rows, parsed.row_numbers, strict=True):
        for name in parsed.columns:
            column, value = spec.column(name), row[name]
            if value is None or value is _INVALID:
                continue
            if box is not None and name in ("lat", "lon"):
                (low, high) = box[0] if name == "lat" else box[1]
                if not low <= value <= high:
                    other = box[1] if name == "lat" else box[0]
                    swapped = "；经度和纬度可能填反了" if other[0] <= value <= other[1] else ""
                    what = "纬度" if name == "lat" else "经度"
                    problems.append(Problem(
                        row_number, column.zh, _shown(value),
                        f"坐标不在本区范围内：{what}应在 {low:.2f}～{high:.2f} 之间"
                        f"（WGS-84 十进制度，例如 {spec.example.get(name, '')}）{swapped}"))
            elif column.kind in (KIND_DATE, KIND_DATETIME):
                day = value.date() if isinstance(value, datetime) else value
                if day < EARLIEST_DATE:
                    problems.append(Problem(row_number, column.zh, _shown(value),
                                            "日期早于 2000-01-01，请检查年份"))
                elif _happened(column) and day > latest:
                    problems.append(Problem(
                        row_number, column.zh, _shown(value),
                        f"日期晚于文件的制作日期 {latest.isoformat()}：已发生的事项不能是将来的日期，请检查年月日"))
            elif name.endswith("phone") and not is_phone_number(value):
                problems.append(Problem(row_number, column.zh, _shown(value), f"不是有效的电话号码：{PHONE_EXPECTED}"))


_TABLE_ZH = {
    "projects": "实践项目", "project_indicators": "项目指标", "communities": "社区", "streets": "街道",
    "compounds": "小区", "catalogue_items": "资源和服务清单", "evaluation_dimensions": "评价维度",
    "requests": "居民诉求",
}


# --- writing --------------------------------------------------------------------------------


def _begin(conn: Connection) -> None:
    """Take the write lock at the start, so the checks and the writes see the same data."""
    if conn.dialect.name == "sqlite":
        dbapi_conn = conn.connection.dbapi_connection
        if not dbapi_conn.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_IMPORT_LOCK_KEY})


def _same(stored, new) -> bool:
    if isinstance(stored, float) or isinstance(new, float):
        if stored is None or new is None:
            return stored is new
        return math.isclose(float(stored), float(new), rel_tol=1e-12, abs_tol=1e-9)
    if isinstance(stored, datetime) and isinstance(new, datetime):
        return stored.replace(microsecond=0) == new
    if isinstance(stored, str) and isinstance(new, date):  # SQLite may hand back text for odd rows
        return stored[:19] == cell_text(new)[:19]
    return stored == new


#: Up to this many file rows, a one-column natural key is looked up row by row (in chunks) rather than
#: by reading the whole table: an import's cost follows the file, not the table (2,000,000 requests).
KEYED_LOOKUP_MAX = 50_000


def _existing(conn: Connection, spec: AreaSpec, columns: list[str],
              rows: list[dict] | None = None) -> dict[tuple, dict]:
    """Stored rows by natural key (the lowest id where a surrogate key repeats); only those of ``rows``'
    keys when the key is one column and the file is not huge."""
    table = spec.table
    wanted = list(dict.fromkeys([*spec.natural_key, *columns, *(["id"] if spec.surrogate else [])]))
    stmt = select(*(table.c[name] for name in wanted))
    if spec.surrogate:
        stmt = stmt.order_by(table.c.id.desc())  # so the lowest id is written last and wins
    statements = [stmt]
    if rows is not None and len(spec.natural_key) == 1 and len(rows) <= KEYED_LOOKUP_MAX:
        key = spec.natural_key[0]
        values = sorted({row[key] for row in rows if row.get(key) is not None}, key=str)
        statements = [stmt.where(among(conn.dialect.name, table.c[key], values[start:start + 1_000]))
                      for start in range(0, len(values), 1_000)]
    found: dict[tuple, dict] = {}
    for statement in statements:
        for record in conn.execute(statement).mappings():
            found[tuple(record[name] for name in spec.natural_key)] = dict(record)
    return found


def _pause_for_tests() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(float(os.environ.get("LONGGANG_IMPORT_PAUSE_S", "600")))


def _write(conn: Connection, spec: AreaSpec, parsed: _Parsed, report: ImportReport) -> None:
    table = spec.table
    existing = _existing(conn, spec, parsed.columns, parsed.rows)
    inserts, updates, changed = [], [], []
    for row in parsed.rows:
        key = tuple(row.get(name) for name in spec.natural_key)
        stored = existing.get(key)
        if stored is None:
            inserts.append(row)
            changed.append(key)
        elif all(_same(stored[name], row[name]) for name in parsed.columns):
            report.unchanged += 1
        else:
            changed.append(key)
            update = {f"v_{name}": row[name] for name in parsed.columns}
            if spec.surrogate:
                update["k_id"] = stored["id"]
            else:
                update.update({f"k_{name}": row[name] for name in spec.natural_key})
            updates.append(update)
    changes = summaries.Changes(conn, table.name, changed)  # where the rows were, before they move
    if updates:
        keys = ["id"] if spec.surrogate else list(spec.natural_key)
        stmt = (
            table.update()
            .where(and_(*(table.c[name] == bindparam(f"k_{name}") for name in keys)))
            .values({name: bindparam(f"v_{name}") for name in parsed.columns})
        )
        conn.execute(stmt, updates)
    if inserts:
        if spec.surrogate:
            next_id = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            inserts = [{**row, "id": next_id + i} for i, row in enumerate(inserts)]
        for start in range(0, len(inserts), 5_000):
            conn.execute(table.insert(), inserts[start:start + 5_000])
    report.inserted, report.updated = len(inserts), len(updates)
    _pause_for_tests()
    summaries.refresh_changes(conn, changes)  # only the summary rows the changed rows touch
    _stamp(conn, report)


def _stamp(conn: Connection, report: ImportReport) -> None:
    """Record the import in dataset_info; the new loaded_at refreshes the app's caches."""
    info = schema.dataset_info
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    entries = {
        "loaded_at": now,
        "last_import": f"{now} {report.area} {report.file_name}"[:200],
    }
    stored = {k for (k,) in conn.execute(select(info.c.key).where(info.c.key.in_(list(entries))))}
    for key, value in entries.items():
        if key in stored:
            conn.execute(info.update().where(info.c.key == key).values(value=value))
        else:
            conn.execute(info.insert().values(key=key, value=value))


# --- entry points -----------------------------------------------------------------------------


def import_bytes(engine: Engine, area: str, data: bytes, file_name: str, *, dry_run: bool = False) -> ImportReport:
    """Validate ``data`` (a CSV or XLSX file's bytes) for ``area`` and, unless dry-run, write it.

    Raises :class:`ImportRefused` for a file that cannot be read at all; every other
    problem is in the report, and then nothing has been written.
    """
    started = time.perf_counter()
    spec = SPECS[area]
    check_size(len(data))
    report = ImportReport(area=area, file_name=file_name, dry_run=dry_run)
    raw, header_at = locate(spec, read_sheets(data, file_name), report.notes)
    fill_merged(raw, header_at, report.notes)
    parsed = parse_rows(spec, raw, report.problems, header_at=header_at, notes=report.notes)
    report.rows_read = len(parsed.rows)
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            _begin(conn)
            if parsed.rows:
                check_rows(conn, spec, parsed, report.problems)
                check_left_out(conn, spec, parsed, report.problems)
                keep_masked(conn, spec, parsed, report.problems, report.notes)
                check_plausible(conn, spec, parsed, report.problems, file_time(data, file_name))
            if report.problems or dry_run:
                if dry_run and not report.problems:
                    report.inserted = report.updated = report.unchanged = 0
                    _dry_counts(conn, spec, parsed, report)
                transaction.rollback()
            else:
                _write(conn, spec, parsed, report)
                transaction.commit()
                report.committed = True
    except SQLAlchemyError as exc:
        report.inserted = report.updated = report.unchanged = 0
        report.committed = False
        report.problems.append(Problem(None, "", "", f"写入数据库失败，已全部撤销：{_short(exc)}"))
    report.seconds = time.perf_counter() - started
    return report


def _dry_counts(conn: Connection, spec: AreaSpec, parsed: _Parsed, report: ImportReport) -> None:
    existing = _existing(conn, spec, parsed.columns, parsed.rows)
    for row in parsed.rows:
        stored = existing.get(tuple(row.get(name) for name in spec.natural_key))
        if stored is None:
            report.inserted += 1
        elif all(_same(stored[name], row[name]) for name in parsed.columns):
            report.unchanged += 1
        else:
            report.updated += 1


def import_file(engine: Engine, area: str, path: Path | str, *, dry_run: bool = False) -> ImportReport:
    """:func:`import_bytes` for a file on disk, refusing an oversized one before reading it."""
    path = Path(path)
    try:
        check_size(path.stat().st_size)
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"无法打开文件 {path.name}：{exc.strerror or exc}") from None
    return import_bytes(engine, area, data, path.name, dry_run=dry_run)


def _short(exc: BaseException) -> str:
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return first[0][:200] if first else type(exc).__name__


# --- templates ----------------------------------------------------------------------------------


def template_xlsx(area: str) -> bytes:
    """An XLSX template: the Chinese header row and one example row, plus a sheet describing each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    spec = SPECS[area]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title_zh[:31].replace("（", "(").replace("）", ")")
    sheet.append([c.zh for c in spec.columns])
    sheet.append([spec.example.get(c.name, "") for c in spec.columns])
    for position, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.zh) * 2 + 4)
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "英文列名", "类型", "是否必填", "允许的值 / 引用", "用于匹配记录"])
    for column in spec.columns:
        rule = "、".join(column.allowed) if column.allowed else (
            f"须为已有的{_TABLE_ZH.get(column.references[0], column.references[0])}编码" if column.references else "")
        if column.minimum is not None or column.maximum is not None:
            rule = (rule + " " if rule else "") + f"范围 {'' if column.minimum is None else f'{column.minimum:g}'}" \
                f"～{'' if column.maximum is None else f'{column.maximum:g}'}"
        notes.append([column.zh, column.name, KIND_ZH[column.kind], "是" if column.required else "否", rule,
                      "是" if column.name in spec.natural_key else ""])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- command line ----------------------------------------------------------------------------------

#: Table names accepted on the command line as well as the area keys.
AREA_ALIASES = {spec.table.name: area for area, spec in SPECS.items()}


def format_report(report: ImportReport) -> str:
    lines = [report.summary()]
    lines.extend(f"说明：{note}" for note in report.notes)
    if report.problems:
        lines.append("行\t列\t值\t问题")
        for p in report.problems:
            lines.append(f"{'' if p.row is None else p.row}\t{p.column}\t{p.value}\t{p.reason}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    from data_access.database import normalise_url
    from data_access.loader import ensure_database

    parser = argparse.ArgumentParser(
        prog="python -m data_access.importer",
        description="导入一个 CSV 或 XLSX 文件（先全部校验，再在一个事务中写入）。",
    )
    parser.add_argument("area", help="导入类别：" + ", ".join(SPECS))
    parser.add_argument("file", type=Path, help="CSV（UTF-8 或 GBK）或 XLSX 文件")
    parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    parser.add_argument("--url", help="数据库 URL（默认 DATABASE_URL，否则内置 SQLite 文件）")
    parser.add_argument("--template", action="store_true", help="把该类别的 XLSX 模板写到 FILE，不导入")
    args = parser.parse_args(argv)
    area = AREA_ALIASES.get(args.area, args.area)
    if area not in SPECS:
        print(f"未知的导入类别：{args.area[:40]}；可选：{', '.join(SPECS)}", file=sys.stderr)
        return 2
    if args.template:
        args.file.write_bytes(template_xlsx(area))
        print(f"模板已写入 {args.file}")
        return 0
    from data_access.database import make_engine

    try:
        url = normalise_url(args.url) if args.url else ensure_database()
        engine = make_engine(url)
        try:
            report = import_file(engine, area, args.file, dry_run=args.dry_run)
        finally:
            engine.dispose()
    except ImportRefused as refused:
        print(f"未导入：{refused}", file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError) as exc:
        print(f"未导入：无法连接数据库：{_short(exc)}", file=sys.stderr)
        return 1
    print(format_report(report))
    return 0 if report.ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
