"""The overview's meeting deck (汇报材料): the printable briefing of a scope and period as editable slides.

One source of truth with the briefing and the overview page: :func:`components.briefing.collect_briefing`
runs the queries and shapes the tiles, charts and tables; this module only lays them out. The charts are
the page's own plotly figures (``components.charts``) read back trace by trace into NATIVE PowerPoint
charts (:func:`figure_chart`), so a deck, the page and the printed briefing show the same series. The
map slide is the overview's compact map (streets, or a street's communities) as vector shapes, drawn by
:mod:`components.deck`. Requesters' masked names and phones are left out of the deck.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from components import briefing, deck, formatting, maps
from components.briefing import Briefing, Table
from components.deck import MARGIN, SLIDE_H, SLIDE_W, ChartSpec, Colours
from components.formatting import period_label, place_label
from components.i18n import text, translator_for
from components.playlist import Slide
from data_access import boundaries, geography
from data_access.scope import DISTRICT_ROLE, Period, Scope

#: the most rows a table slide shows (fewer when long texts wrap)
TABLE_ROWS = 15
_TABLE_TOP = Inches(2.05)
#: a figure as the tables show it: 1,234 · 95.5% · -3 · ↑2 (numbers are aligned right)
_NUMBER = re.compile(r"^[-+↑↓]?[\d,]+(\.\d+)?%?$")



def figure_chart(title: str, fig: go.Figure) -> ChartSpec:
    """A page's plotly figure as a native chart: each trace a series, its categories the figure's.

    Lines (scatter traces) stay lines; horizontal bars stay bars, listed top-down as the page draws
    them (``autorange="reversed"``); vertical bars become columns. Values are the traces' own numbers.
    """
    traces = list(fig.data)
    kind = "line"
    if traces and all(t.type == "bar" for t in traces):
        kind = "bar" if all(t.orientation == "h" for t in traces) else "column"
    series, categories = [], None
    for trace in traces:
        horizontal = trace.type == "bar" and trace.orientation == "h"
        labels, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
        labels = [str(v) for v in labels]
        if categories is None:
            categories = labels
        elif labels != categories:
            raise ValueError(f"chart {title!r}: traces disagree on their categories")
        name = trace.name or title
        series.append((name, [0.0 if v is None or pd.isna(v) else float(v) for v in values]))
    return ChartSpec(title, kind, categories or [], series)


#: the speaker notes' definitions of each of the briefing's charts, by the chart's catalogue key
_CHART_DEFINITIONS = {"overview.trend": ("requests", "rate"), "overview.channels": ("channels",),
                      "overview.stages": ("projects",), "overview.participation": ("events",),
                      "overview.safety": ("safety",)}


def _chart_notes(title: str, lang: str) -> list[str]:
    for key, definitions in _CHART_DEFINITIONS.items():
        if text(key, lang) == title:
            return [text(f"deck.def.{d}", lang) for d in definitions]
    return []


def _shown(value, digits: int | None, suffix: str) -> str:
    """A table cell as the page shows it (thousands separators, the column's decimals), as plain text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and pd.api.types.is_integer_dtype(value.dtype)):
        return f"{int(value):,}{suffix}"
    if isinstance(value, float) or (hasattr(value, "dtype") and pd.api.types.is_float_dtype(value.dtype)):
        value = float(value)
        places = digits if digits is not None else (0 if value.is_integer() else 1)
        return f"{value:,.{places}f}{suffix}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _table_slide(prs, table: Table, section: str, scope_line: str, as_of: str, c: Colours, lang: str,
                 dropped: list[str]) -> tuple[object, list[str]]:
    """One briefing table on a slide: as many rows as fit (at most :data:`TABLE_ROWS`), the rest counted."""
    T = translator_for(lang)
    page = deck._blank(prs, c)
    deck._header(page, section, scope_line, as_of, "", c)
    notes = [section, table.title, scope_line, as_of, ""]
    deck._text(page, MARGIN, Inches(1.5), SLIDE_W - 2 * MARGIN, Inches(0.45), [(table.title, 16, c.text, True)],
               name="subtitle")
    if table.frame.empty:
        deck._text(page, MARGIN, Inches(3.3), SLIDE_W - 2 * MARGIN, Inches(0.6), [(table.empty, 18, c.muted, False)],
                   align=PP_ALIGN.CENTER, name="empty")
        return page, notes + [n for n in (table.empty, table.caption) if n] + table.notes
    frame = table.frame.drop(columns=[d for d in dropped if d in table.frame.columns])
    shown = pd.DataFrame({col: [_shown(v, table.decimals.get(col), table.suffixes.get(col, "")) for v in frame[col]]
                          for col in frame.columns})
    width = SLIDE_W - 2 * MARGIN
    head = shown.head(TABLE_ROWS)
    texts = [[str(c) for c in head.columns]] + head.values.tolist()
    size = deck.fitting_size(texts, width, 11.0 if len(shown.columns) <= 7 else 10.0, smallest=8.0)
    widths, lines = deck.table_layout(texts, width, size)
    room = SLIDE_H - _TABLE_TOP - Inches(0.75)
    line_h, row_pad = Pt(size * 1.5), Inches(0.06)
    used, rows = line_h * lines[0] + row_pad, 0
    for count in lines[1:]:
        if used + line_h * count + row_pad > room:
            break
        used += line_h * count + row_pad
        rows += 1
    rows = max(rows, 1)
    shape = deck._table(page, shown.head(rows), MARGIN, _TABLE_TOP, width, c, "table", size)
    for j, w in enumerate(widths):
        shape.table.columns[j].width = Emu(w)
    for i, count in enumerate(lines[: rows + 1]):
        shape.table.rows[i].height = Emu(line_h * count + row_pad)
    numeric = [all(v == "—" or _NUMBER.match(v) for v in shown[col]) for col in shown.columns]
    for i in range(rows + 1):
        for j, right in enumerate(numeric):
            cell = shape.table.cell(i, j)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            # exact line spacing: a glyph from a fallback font (— ↑ ↓) must not make its row taller
            cell.text_frame.paragraphs[0].line_spacing = Pt(size * 1.25)
            if right:
                cell.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
    footer = []
    if rows < len(shown):
        footer.append(T("deck.scope.rows", shown=rows, total=formatting.count(len(shown), lang)))
    if len(frame.columns) < len(table.frame.columns):
        footer.append(T("deck.scope.dropped"))
    if footer:
        deck._text(page, MARGIN, SLIDE_H - Inches(0.6), width, Inches(0.4), [("　".join(footer), 11, c.muted, False)],
                   name="rows-note")
    caption = table.caption.replace("**", "")
    return page, notes + ([caption] if caption else []) + footer + table.notes


def _headline(page, content: Briefing, c: Colours, lang: str) -> None:
    """The overview's 14 tiles in its two rows: label, value, and the previous period's value."""
    T = translator_for(lang)
    width = SLIDE_W - 2 * MARGIN
    per_row = 7
    w = int(width / per_row)
    for row, heading in enumerate(("overview.row.projects", "overview.row.requests")):
        top = Inches(1.55) + Inches(2.55) * row
        deck._text(page, MARGIN, top, width, Inches(0.4), [(T(heading), 14, c.text, True)], name=f"row:{row}")
        for i, tile in enumerate(content.tiles[row * per_row:(row + 1) * per_row]):
            fit = int((w - Inches(0.35)) / Pt(1) / max(deck.text_ems(tile.value, other=0.7), 1))  # one line, bold
            lines = [(tile.label, 11, c.muted, False), (tile.value, max(min(24, fit), 12), c.accent, True)]
            if tile.previous is not None:
                lines.append((T("briefing.previous", value=tile.previous), 10, c.muted, False))
            deck._text(page, MARGIN + w * i, top + Inches(0.45), w - Inches(0.1), Inches(1.9), lines,
                       name=f"kpi:{row * per_row + i}")
    deck._text(page, MARGIN, SLIDE_H - Inches(0.75), width, Inches(0.4),
               [(content.notes.get("delta", ""), 11, c.muted, False)], name="delta-note")


def scope_for(place: str, period: Period, streets: pd.DataFrame, communities: pd.DataFrame,
              role: str = DISTRICT_ROLE) -> Scope | None:
    """The scope ``place`` names: ``district``, a street code or a community code (its street follows);
    None if it names none. A street role stays on its street: a place elsewhere falls back to the street,
    as the show's slides do."""
    if place == "district":
        scope = Scope(period=period, role=role)
    elif place in set(streets["code"]):
        scope = Scope(period=period, street=place, role=role)
    elif place in set(communities["code"]):
        street = communities.loc[communities["code"] == place, "street_code"].iloc[0]
        scope = Scope(period=period, street=street, community=place, role=role)
    else:
        return None
    if scope.role_street and scope.street != scope.role_street:
        scope = Scope(period=period, role=role)
    return scope


def build_scope_deck(call: deck.Call, scope: Scope, *, start: date, reference: date, lang: str = "zh",
                     theme: str = "light", shapes: boundaries.Shapes | None = None) -> bytes:
    """The briefing of ``scope`` as a .pptx: a cover, the headline figures, the charts two to a slide,
    the map, then each list of the briefing (overdue projects, backlog, resource gaps, scorecards,
    the month's bulletin) on its own slide; speaker notes with definitions and the source on each."""
    T = translator_for(lang)
    c = deck.THEMES.get(theme, deck.THEMES["light"])
    streets, communities = call(geography.streets), call(geography.communities)
    place = place_label(scope, streets, communities, lang)
    period = period_label(scope.period, lang)
    content = briefing.collect_briefing(call, scope, start, reference, place, period, lang, streets)
    prs = deck.new_presentation()
    as_of = text("show.as_of", lang, date=formatting.day(reference, lang))
    scope_line = text("show.scope", lang, place=place, period=period)
    source = text("deck.source", lang)
    pages: list[tuple[object, list[str]]] = []

    cover = deck._blank(prs, c)
    deck._text(cover, MARGIN, Inches(2.3), SLIDE_W - 2 * MARGIN, Inches(1.0), [(T("briefing.title"), 36, c.text, True)],
               align=PP_ALIGN.CENTER, name="title")
    deck._text(cover, MARGIN, Inches(3.5), SLIDE_W - 2 * MARGIN, Inches(1.4),
               [(T("deck.scope.cover"), 20, c.accent, False), (scope_line, 18, c.text, False),
                (as_of, 14, c.muted, False)], align=PP_ALIGN.CENTER, name="scope")
    pages.append((cover, [T("briefing.title"), scope_line, as_of, "", text("sidebar.sample_note", lang)]))

    page = deck._blank(prs, c)
    deck._header(page, T("briefing.headline"), scope_line, as_of, "", c)
    _headline(page, content, c, lang)
    pages.append((page, [T("briefing.headline"), scope_line, as_of, "", content.notes.get("delta", ""),
                         T("deck.def.headline")] + [text(f"deck.def.{k}", lang) for k in
                                                    ("projects", "requests", "rate", "median", "fund", "uses")]))

    charts = [(title, spec) for title, spec in ((t, figure_chart(t, fig)) for t, fig in content.charts)
              if spec.categories]  # a chart with nothing to show (no kinds at all) is left out, not drawn empty
    for i in range(0, len(charts), 2):
        pair = charts[i:i + 2]
        page = deck._blank(prs, c)
        heading = " · ".join(title for title, _ in pair)
        deck._header(page, T("briefing.charts"), scope_line, as_of, "", c)
        deck._charts(page, [spec for _, spec in pair], c, top=Inches(1.6))
        for shape in page.shapes:  # counts start at zero, as the page's axes do (rangemode "tozero")
            if shape.has_chart and shape.chart.chart_type != XL_CHART_TYPE.DOUGHNUT:
                shape.chart.value_axis.minimum_scale = 0
        pages.append((page, [heading, scope_line, as_of, ""]
                      + [n for title, _ in pair for n in _chart_notes(title, lang)]))

    map_slide = Slide(panel="map", title="", duration_s=0, street=scope.effective_street, measure=maps.DEFAULT_MEASURE)
    mapped = deck.map_content(map_slide, scope, lang, call, reference, shapes)
    if mapped.map is not None:
        page = deck._blank(prs, c)
        heading = T("deck.scope.map", measure=maps.measure_label(mapped.map.measure, lang))
        deck._header(page, heading, scope_line, as_of, "", c)
        map_w = Inches(8.6)
        unlabelled = deck._draw_map(page, mapped.map, lang, c, MARGIN, Inches(1.6), map_w, SLIDE_H - Inches(1.9))
        for shape in page.shapes:  # a community's deck: its shape outlined, as the page highlights it
            if scope.community and shape.name == f"unit:{scope.community}":
                shape.line.color.rgb = RGBColor.from_string(c.accent)
                shape.line.width = Pt(3)
        side = MARGIN + map_w + Inches(0.3)
        y = deck._legend(page, mapped.map, lang, c, side, Inches(1.6), SLIDE_W - side - MARGIN)
        deck._kpis(page, mapped.kpis, c, left=side, top=y + Inches(0.1), width=SLIDE_W - side - MARGIN, stacked=True)
        notes = [heading, scope_line, as_of, ""] + [n for n in mapped.notes if n != source]
        if unlabelled:
            notes.append(T("deck.unlabelled", names=("、" if lang == "zh" else ", ").join(unlabelled)))
        pages.append((page, notes))

    dropped = [T("requests.col.requester_name"), T("requests.col.requester_phone")]
    for section, tables in content.sections:
        for table in tables:
            pages.append(_table_slide(prs, table, section, scope_line, as_of, c, lang, dropped))

    total = len(pages)
    for number, (page, notes) in enumerate(pages, start=1):
        for shape in page.shapes:  # the header's second line, left blank until the count is known
            if shape.name == "as-of":
                shape.text_frame.paragraphs[1].runs[0].text = text("show.counter", lang, n=number, total=total)
        deck._notes(page, notes + ["", source])
    return deck._save(prs)
