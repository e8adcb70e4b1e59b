"""The bulletin (通报) laid out like the paper one: table rows, lists and notes, as XLSX and printable HTML.

Pure builders (no Streamlit, no database): they take a :class:`data_access.bulletin.Bulletin`
and return text, DataFrames or bytes, so the page, the command line
(``python -m data_access.bulletin``) and the tests share them.
"""

from __future__ import annotations

import html
import io
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from components.formatting import day, is_missing, percent
from components.i18n import text, value_name
from data_access.bulletin import MEASURES, Bulletin

#: the table's columns in print order; rates are shares, shown as percentages
TABLE_COLUMNS = ("rank", "name", "received", *MEASURES, "dissatisfied", "returned_reopened", "composite",
                 "rank_change", "streak", "note")
RATE_COLUMNS = set(MEASURES)
#: columns of figures (aligned right on screen and in print)
NUMBER_COLUMNS = ("rank", "received", *MEASURES, "dissatisfied", "returned_reopened", "composite")
_TITLE_FONT = Font(bold=True, size=16)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
_RED_FILL = PatternFill("solid", fgColor="FDE9E7")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


# --- text pieces -------------------------------------------------------------------------


def heading(b: Bulletin, lang: str = "zh") -> str:
    """龙岗区民生诉求办理情况月度通报（2023年10月）, or the week / community variant."""
    street = b.street_name or ""
    return text(f"bulletin.heading.{b.level}.{b.period.kind}", lang, year=b.period.year, number=b.period.number,
                street=street)


def cutoff_line(b: Bulletin, lang: str = "zh") -> str:
    line = text("bulletin.cutoff", lang, date=day(b.cutoff, lang), start=day(b.period.start, lang),
                end=day(b.cutoff, lang))
    if b.cutoff < b.period.end:
        line += " " + text("bulletin.cutoff.early", lang, date=day(b.cutoff, lang))
    return line


def previous_line(b: Bulletin, lang: str = "zh") -> str:
    if b.previous_key:
        return text("bulletin.previous", lang, period=b.previous_key)
    return text("bulletin.no_previous", lang)


def measure_name(measure: str, lang: str = "zh") -> str:
    return text(f"bulletin.col.{measure}", lang)


def rank_change_label(change, lang: str = "zh", ranked: bool = True) -> str:
    """↑2, ↓1, — (unchanged), 新进 (ranked now, not before), or empty (not ranked now)."""
    if not ranked:
        return ""
    if is_missing(change) or change is pd.NA:
        return text("bulletin.change.new", lang)
    change = int(change)
    if change > 0:
        return text("bulletin.change.up", lang, n=change)
    if change < 0:
        return text("bulletin.change.down", lang, n=-change)
    return text("bulletin.change.same", lang)


def streak_label(row: dict, lang: str = "zh") -> str:
    """连续3期第一 / 连续2期末位 (a run of at least two), else empty."""
    parts = []
    if row.get("first_streak", 0) >= 2:
        parts.append(text("bulletin.streak.first", lang, n=int(row["first_streak"])))
    if row.get("last_streak", 0) >= 2:
        parts.append(text("bulletin.streak.last", lang, n=int(row["last_streak"])))
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def row_note(row: dict, b: Bulletin, lang: str = "zh") -> str:
    notes = []
    if isinstance(row.get("unranked_reason"), str):
        notes.append(text(f"bulletin.unranked.{row['unranked_reason']}", lang, n=b.config.min_requests))
    if row.get("code") in b.hidden:
        notes.append(text("bulletin.hidden", lang))
    return " ".join(notes)


def table_rows(b: Bulletin, lang: str = "zh") -> list[dict]:
    """One dict per unit with the print columns: values as numbers (rates as shares), labels as text."""
    rows = []
    for row in b.table.to_dict("records"):
        rank = row.get("rank")
        ranked = bool(row.get("ranked"))
        rows.append({
            "code": row["code"],
            "rank": None if is_missing(rank) or rank is pd.NA else int(rank),
            "name": row["name"] if lang == "zh" else row.get("name_en") or row["name"],
            "received": row.get("received"),
            **{m: row.get(m) for m in MEASURES},
            "dissatisfied": row.get("dissatisfied"),
            "returned_reopened": row.get("returned_reopened"),
            "composite": row.get("composite"),
            "rank_change": rank_change_label(row.get("rank_change"), lang, ranked),
            "streak": streak_label(row, lang),
            "note": row_note(row, b, lang),
        })
    return rows


def headers(lang: str = "zh") -> dict[str, str]:
    return {c: text(f"bulletin.col.{c}", lang) for c in TABLE_COLUMNS}


def display_frame(b: Bulletin, lang: str = "zh") -> pd.DataFrame:
    """The ranking table as shown on screen: formatted text, translated headers."""
    rows = []
    for row in table_rows(b, lang):
        shown = {}
        for column in TABLE_COLUMNS:
            value = row[column]
            if column in RATE_COLUMNS:
                shown[column] = percent(value, lang)
            elif column == "composite":
                shown[column] = "—" if is_missing(value) else f"{float(value):.2f}"
            elif column in ("received", "dissatisfied", "returned_reopened", "rank"):
                shown[column] = "—" if is_missing(value) else f"{int(value):,}"
            else:
                shown[column] = value or ""
        rows.append(shown)
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS)).rename(columns=headers(lang))


def red_lines(b: Bulletin, lang: str = "zh") -> list[str]:
    names = _names(b, lang)
    return [f"{int(r['rank'])}. {names.get(r['code'], r['name'])}（{float(r['composite']):.2f}）" if lang == "zh"
            else f"{int(r['rank'])}. {names.get(r['code'], r['name'])} ({float(r['composite']):.2f})"
            for r in b.red.to_dict("records")]


def black_lines(b: Bulletin, lang: str = "zh") -> list[str]:
    names, floors = _names(b, lang), dict(b.config.floors)
    lines = []
    sep = "、" if lang == "zh" else ", "
    for r in b.black.to_dict("records"):
        measures = sep.join(
            text("bulletin.failing.entry", lang, measure=measure_name(m, lang), value=percent(r[m], lang),
                 floor=percent(floors[m], lang, 0))
            for m in r["failing"])
        lines.append(text("bulletin.black.entry", lang, name=names.get(r["code"], r["name"]), measures=measures))
    return lines


def _names(b: Bulletin, lang: str) -> dict[str, str]:
    if lang == "zh" or "name_en" not in b.table:
        return dict(zip(b.table["code"], b.table["name"], strict=True))
    return dict(zip(b.table["code"], b.table["name_en"].fillna(b.table["name"]), strict=True))


def _num(value) -> str:
    return f"{value:g}"


def notes(b: Bulletin, lang: str = "zh") -> list[str]:
    """Every definition, target, weight and floor the bulletin used, one line each."""
    sep = "、" if lang == "zh" else ", "
    default_hours = b.config.default_hours
    overrides = [(c, h) for c, h in b.config.response_hours if c != "*" and h != default_hours]
    override_text = (text("bulletin.note.response.overrides", lang, items=sep.join(
        text("bulletin.note.hours", lang, category=value_name(c, lang), hours=_num(h)) for c, h in overrides))
        if overrides else "")
    days_items = sep.join(text("bulletin.note.days", lang, category=value_name(c, lang), days=_num(d))
                          for c, d in b.targets if c != "*")
    weights = sep.join(text("bulletin.note.weight", lang, measure=measure_name(m, lang), weight=w)
                       for m, w in b.config.weights)
    floors = sep.join(text("bulletin.note.floor", lang, measure=measure_name(m, lang), floor=percent(v, lang, 0))
                      for m, v in b.config.floors)
    return [
        text("bulletin.note.snapshot", lang),
        text("bulletin.note.received", lang),
        text("bulletin.note.response", lang, hours=_num(default_hours), overrides=override_text),
        text("bulletin.note.resolution", lang),
        text("bulletin.note.on_time", lang, items=days_items),
        text("bulletin.note.satisfaction", lang),
        text("bulletin.note.returned", lang),
        text("bulletin.note.composite", lang, items=weights),
        text("bulletin.note.ranking", lang, n=b.config.min_requests, red=b.config.red_list_size),
        text("bulletin.note.floors", lang, items=floors),
        text("bulletin.note.streak", lang),
        previous_line(b, lang),
    ]


def file_stem(b: Bulletin) -> str:
    stem = f"bulletin_{b.period.key}_{b.level}"
    return f"{stem}_{b.street}" if b.level == "community" and b.street else stem


# --- XLSX --------------------------------------------------------------------------------


def bulletin_xlsx(b: Bulletin, lang: str = "zh", generated_at: datetime | None = None) -> bytes:
    """One sheet laid out like a paper 通报: title, cut-off, table, red and black lists, notes."""
    wb = Workbook()
    ws = wb.active
    ws.title = text("bulletin.sheet", lang)
    width = len(TABLE_COLUMNS)
    last = get_column_letter(width)

    def line(row: int, value: str, font: Font | None = None) -> None:
        cell = ws.cell(row=row, column=1, value=value)
        cell.data_type = "s"
        if font:
            cell.font = font
        ws.merge_cells(f"A{row}:{last}{row}")
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    line(1, heading(b, lang), _TITLE_FONT)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    ws.row_dimensions[1].height = 28
    line(2, cutoff_line(b, lang))
    row = 3
    if b.role != "district" and b.hidden:
        line(row, text("bulletin.role_note", lang))
        row += 1
    row += 1
    names = headers(lang)
    for col, column in enumerate(TABLE_COLUMNS, start=1):
        cell = ws.cell(row=row, column=col, value=names[column])
        cell.font, cell.fill, cell.border = _BOLD, _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_row = row
    for values in table_rows(b, lang):
        row += 1
        for col, column in enumerate(TABLE_COLUMNS, start=1):
            value = values[column]
            if is_missing(value) or value is pd.NA or value == "":
                value = None
            cell = ws.cell(row=row, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            cell.border = _BORDER
            if column in RATE_COLUMNS and value is not None:
                cell.number_format = "0.0%"
            elif column == "composite" and value is not None:
                cell.number_format = "0.00"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    row += 2
    line(row, text("bulletin.red", lang, n=b.config.red_list_size), _BOLD)
    for entry in red_lines(b, lang) or [text("bulletin.red.empty", lang)]:
        row += 1
        line(row, entry)
    row += 2
    line(row, text("bulletin.black", lang), _BOLD)
    for entry in black_lines(b, lang) or [text("bulletin.black.empty", lang)]:
        row += 1
        line(row, entry)
        ws.cell(row=row, column=1).fill = _RED_FILL if b.black is not None and len(b.black) else PatternFill()
    row += 2
    line(row, text("bulletin.notes", lang), _BOLD)
    for number, entry in enumerate(notes(b, lang), start=1):
        row += 1
        line(row, f"{number}. {entry}")
        ws.row_dimensions[row].height = 30
    row += 1
    line(row, text("bulletin.note.demo", lang))
    if generated_at:
        row += 1
        line(row, text("bulletin.generated", lang, time=generated_at.strftime("%Y-%m-%d %H:%M")))
    widths = {"rank": 6, "name": 16, "received": 9, "dissatisfied": 9, "returned_reopened": 10, "composite": 10,
              "rank_change": 9, "streak": 16, "note": 26}
    for col, column in enumerate(TABLE_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(column, 11)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- HTML --------------------------------------------------------------------------------

_CSS = """
@page { size: A4 landscape; margin: 12mm 10mm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #111; margin: 0; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 4mm; }
p.meta { margin: 1mm 0; font-size: 10pt; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin-top: 3mm; }
th, td { border: 1px solid #888; padding: 1.2mm 1.6mm; }
th { background: #dce6f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
.lists { display: flex; gap: 8mm; margin-top: 4mm; font-size: 10pt; }
.lists section { flex: 1; }
h2 { font-size: 12pt; margin: 3mm 0 1mm; }
.black li { color: #a01010; }
ol.notes { font-size: 8.5pt; color: #333; padding-left: 5mm; }
.foot { font-size: 8pt; color: #666; margin-top: 3mm; }
"""


def bulletin_html(b: Bulletin, lang: str = "zh", generated_at: datetime | None = None) -> str:
    """A standalone printable page (A4 landscape), every data text escaped."""
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in headers(lang).values())
    shown = display_frame(b, lang)
    body = []
    for values in shown.itertuples(index=False):
        cells = []
        for column, value in zip(TABLE_COLUMNS, values, strict=True):
            cls = ' class="num"' if column in NUMBER_COLUMNS else ""
            cells.append(f"<td{cls}>{esc(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    red = "".join(f"<li>{esc(x)}</li>" for x in red_lines(b, lang)) or (
        f"<li>{esc(text('bulletin.red.empty', lang))}</li>")
    black = "".join(f"<li>{esc(x)}</li>" for x in black_lines(b, lang)) or (
        f"<li>{esc(text('bulletin.black.empty', lang))}</li>")
    note_items = "".join(f"<li>{esc(x)}</li>" for x in notes(b, lang))
    role = f'<p class="meta">{esc(text("bulletin.role_note", lang))}</p>' if b.hidden else ""
    generated = ""
    if generated_at:
        stamp = text("bulletin.generated", lang, time=generated_at.strftime("%Y-%m-%d %H:%M"))
        generated = f'<div class="foot">{esc(stamp)} · {esc(text("bulletin.note.demo", lang))}</div>'
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{esc(heading(b, lang))}</title><style>{_CSS}</style></head>
<body>
<h1>{esc(heading(b, lang))}</h1>
<p class="meta">{esc(cutoff_line(b, lang))}</p>
{role}
<table><thead><tr>{head}</tr></thead><tbody>
{''.join(body)}
</tbody></table>
<div class="lists">
<section class="red"><h2>{esc(text('bulletin.red', lang, n=b.config.red_list_size))}</h2><ul>{red}</ul></section>
<section class="black"><h2>{esc(text('bulletin.black', lang))}</h2><ul>{black}</ul></section>
</div>
<h2>{esc(text('bulletin.notes', lang))}</h2>
<ol class="notes">{note_items}</ol>
{generated}
</body></html>
"""
