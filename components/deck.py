"""Meeting decks (汇报材料): a show, or a month's bulletin, as an editable 16:9 PowerPoint file.

Pure builders (no Streamlit): each show slide becomes one deck slide with its title, scope, period and
data as-of date, the headline figures as text, the charts as NATIVE PowerPoint charts (their data
editable in PowerPoint) built from the same query functions the show's panels call, and speaker notes
with the definitions of the figures and their source. The map slide draws each street or community as
a freeform shape filled by its colour class. Queries go through ``call(fn, *args)`` which must return
``fn(db, *args)``: the page passes its cached caller, the CLI and the tests :func:`direct`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt
from shapely.geometry import shape as geo_shape

from components import formatting, maps
from components.formatting import period_label, place_label
from components.i18n import text, translator_for, value_name
from components.playlist import Show, Slide
from data_access import boundaries, bulletin, community_measures, evaluation, geography, projects, requests, resources
from data_access.scope import DISTRICT_ROLE, Scope, parse_period

FONT = "Microsoft YaHei"  # 微软雅黑: in Office; LibreOffice falls back to Noto Sans CJK
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.45)
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

Call = Callable[..., pd.DataFrame]


def direct(db) -> Call:
    """A caller that runs each query on ``db`` (the CLI's and the tests')."""
    return lambda fn, *args, **kwargs: fn(db, *args, **kwargs)


@dataclass(frozen=True)
class Colours:
    background: str
    text: str
    muted: str
    accent: str
    series: tuple[str, ...]


THEMES = {
    "dark": Colours("0B1E3A", "E8F1FB", "9FB9D6", "3FD0FF", ("3FD0FF", "F5A623", "7ED321", "BD10E0", "FF6B6B")),
    "light": Colours("FFFFFF", "16212D", "50606F", "1F5FA8", ("1F5FA8", "E07B00", "2E8B57", "8E44AD", "C0392B")),
}


@dataclass
class ChartSpec:
    """One native chart: its kind, title, categories and named series (from one query's result)."""

    title: str
    kind: str  # column | bar | line | stacked | doughnut
    categories: list[str]
    series: list[tuple[str, list[float]]]


@dataclass
class MapSpec:
    measure: str
    units: pd.DataFrame  # code, name, value
    collection: dict  # the unit shapes (FeatureCollection)
    scale: maps.ColourScale
    legend: maps.Legend
    schematic: bool


@dataclass
class SlideContent:
    kpis: list[tuple[str, str]] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    map: MapSpec | None = None
    notes: list[str] = field(default_factory=list)
    #: a native table instead of charts (the 督办 slide): the display frame, which rows are overdue, a line under it
    table: tuple[pd.DataFrame, list[bool], str] | None = None
    #: the header's period when it is not the scope's (the 督办 slide: the items' status today)
    period: str = ""


# --- scope and labels (the show page's rules, without Streamlit) -----------------------------------------


def slide_scope(slide: Slide, start: date, reference: date, role: str = DISTRICT_ROLE) -> Scope:
    """The slide's own scope within the role: a street role's slide set elsewhere falls back to its street."""
    period = parse_period(slide.period, start, reference) or parse_period("all", start, reference)
    scope = Scope(period=period, street=slide.street, community=slide.community, role=role)
    if scope.role_street and slide.street and slide.street != scope.role_street:
        scope = Scope(period=period, role=role)
    return scope


def _value(frame: pd.DataFrame, column: str):
    return frame[column].iloc[0] if len(frame) and column in frame else None


def _floats(values) -> list[float]:
    return [0.0 if pd.isna(v) else float(v) for v in values]


def _source(lang: str, *keys: str) -> list[str]:
    return [text(f"deck.def.{k}", lang) for k in keys] + [text("deck.source", lang)]


# --- slide contents, one per panel: the same queries as components.show_slides -------------------------


def overview(slide: Slide, scope: Scope, lang: str, call: Call, reference: date) -> SlideContent:
    T = translator_for(lang)
    proj, req = call(projects.project_totals, scope), call(requests.request_totals, scope)
    res = call(resources.resource_totals, scope)
    content = SlideContent(kpis=[
        (T("show.kpi.projects"), formatting.count(_value(proj, "projects"))),
        (T("show.kpi.completed"), formatting.count(_value(proj, "completed"))),
        (T("show.kpi.received"), formatting.count(_value(req, "received"))),
        (T("show.kpi.rate"), formatting.percent(_value(req, "resolution_rate"), lang)),
        (T("show.kpi.fund"), formatting.money(_value(res, "fund_raised_yuan"), lang)),
    ], notes=_source(lang, "projects", "requests", "rate", "fund"))
    content.charts += _trend(call(requests.requests_by_month, scope), lang)
    content.charts += _stages(call(projects.project_stage_counts, scope), lang)
    return content


def _trend(by_month: pd.DataFrame, lang: str) -> list[ChartSpec]:
    if by_month.empty:
        return []
    T = translator_for(lang)
    return [ChartSpec(T("show.chart.trend"), "line", [str(m) for m in by_month["month"]],
                      [(T("show.kpi.received"), _floats(by_month["received"])),
                       (T("show.kpi.resolved"), _floats(by_month["resolved"]))])]


def _stages(stages: pd.DataFrame, lang: str) -> list[ChartSpec]:
    if stages.empty or not stages["projects"].sum():
        return []
    T = translator_for(lang)
    return [ChartSpec(T("show.chart.stages"), "bar", [value_name(str(s), lang) for s in stages["status"]],
                      [(T("show.kpi.projects"), _floats(stages["projects"]))])]


def projects_content(slide: Slide, scope: Scope, lang: str, call: Call, reference: date) -> SlideContent:
    T = translator_for(lang)
    totals = call(projects.project_totals, scope)
    overdue = call(projects.overdue_projects, scope, reference)
    count, completed = _value(totals, "projects"), _value(totals, "completed")
    share = completed / count if count else None
    content = SlideContent(kpis=[
        (T("show.kpi.projects"), formatting.count(count)),
        (T("show.kpi.completed"), formatting.count(completed)),
        (T("show.kpi.completed_share"), formatting.percent(share, lang)),
        (T("show.kpi.overdue"), formatting.count(len(overdue))),
        (T("show.kpi.difficulties"), formatting.count(_value(totals, "difficulties_solved"))),
    ], notes=_source(lang, "projects", "overdue", "funnel"))
    if count:
        funnel = call(projects.project_funnel, scope)
        stages = [value_name(str(s), lang) for s in funnel["stage"]]
        content.charts.append(ChartSpec(T("show.chart.funnel"), "bar", stages,
                                        [(T("show.kpi.projects"), _floats(funnel["projects"]))]))
        content.charts += _stages(call(projects.project_stage_counts, scope), lang)
    return content


def requests_content(slide: Slide, scope: Scope, lang: str, call: Call, reference: date) -> SlideContent:
    T = translator_for(lang)
    totals = call(requests.request_totals, scope)
    resp = call(requests.responsiveness, scope, targets=requests.load_request_targets())
    content = SlideContent(kpis=[
        (T("show.kpi.received"), formatting.count(_value(totals, "received"))),
        (T("show.kpi.resolved"), formatting.count(_value(totals, "resolved"))),
        (T("show.kpi.rate"), formatting.percent(_value(totals, "resolution_rate"), lang)),
        (T("show.kpi.on_time"), formatting.percent(_value(resp, "on_time_share"), lang)),
        (T("show.kpi.median"), formatting.days(_value(totals, "median_days"), lang)),
    ], notes=_source(lang, "requests", "rate", "on_time", "median") + [T("show.privacy")])
    if _value(totals, "received"):
        content.charts += _trend(call(requests.requests_by_month, scope), lang)
        cats = call(requests.requests_by_category, scope)
        names = [value_name(str(c), lang) for c in cats["category"]]
        content.charts.append(ChartSpec(T("show.chart.categories"), "stacked", names,
                                        [(T("show.kpi.resolved"), _floats(cats["resolved"])),
                                         (T("deck.unresolved"), _floats(cats["received"] - cats["resolved"]))]))
    return content


def resources_content(slide: Slide, scope: Scope, lang: str, call: Call, reference: date) -> SlideContent:
    T = translator_for(lang)
    totals = call(resources.resource_totals, scope)
    content = SlideContent(kpis=[
        (T("show.kpi.partners"), formatting.count(_value(totals, "partner_units"))),
        (T("show.kpi.uses"), formatting.count(_value(totals, "resource_uses"))),
        (T("show.kpi.beneficiaries"), formatting.count(_value(totals, "beneficiaries"))),
        (T("show.kpi.venues"), formatting.count(_value(totals, "venues"))),
        (T("show.kpi.fund"), formatting.money(_value(totals, "fund_raised_yuan"), lang)),
    ], notes=_source(lang, "uses", "fund"))
    fund = call(resources.fund_by_month, scope)
    if not fund.empty:
        content.charts.append(ChartSpec(T("show.chart.fund"), "line", [str(m) for m in fund["month"]],
                                        [(T("deck.raised"), _floats(fund["raised_cumulative"])),
                                         (T("deck.spent"), _floats(fund["spent_cumulative"]))]))
    uptake = call(resources.catalogue_uptake, scope)
    if not uptake.empty and (uptake["uses"] > 0).any():
        top = uptake[uptake["uses"] > 0].sort_values("uses", ascending=False).head(8)
        content.charts.append(ChartSpec(T("show.chart.items"), "doughnut", [str(n) for n in top["name"]],
                                        [(T("show.kpi.uses"), _floats(top["uses"]))]))
    return content


def scorecards_content(slide: Slide, scope: Scope, lang: str, call: Call, reference: date) -> SlideContent:
    T = translator_for(lang)
    level = "community" if scope.effective_street else "street"
    league = call(evaluation.league_table, scope.without_community(), level)
    content = SlideContent(notes=_source(lang, "composite"))
    if league.empty:
        return content
    year = int(league["year"].iloc[0])
    top = league.sort_values("rank").iloc[0]
    content.kpis = [(T("show.kpi.units"), formatting.count(len(league))),
                    (T("show.kpi.top"), f"{top['composite']:.1f} {top['name']}"),
                    (T("show.kpi.average"), f"{league['composite'].mean():.1f}")]
    shown = league.sort_values("rank").head(14)
    if lang == "en" and level == "street":
        streets = call(geography.streets)
        shown = shown.assign(name=shown["code"].map(dict(zip(streets["code"], streets["name_en"], strict=True)))
                             .fillna(shown["name"]))
    content.charts.append(ChartSpec(T("show.chart.league", year=year), "bar", [str(n) for n in shown["name"]],
                                    [(T("bulletin.col.composite"), _floats(shown["composite"]))]))
    return content


def map_content(slide: Slide, scope: Scope, lang: str, call: Call, reference: date,
                shapes: boundaries.Shapes | None = None) -> SlideContent:
    """The show's map slide: the units (a street's communities, or the streets) coloured like the page."""
    measure = slide.measure or maps.DEFAULT_MEASURE
    spec = maps.MEASURES[measure]
    shapes = shapes or boundaries.load_shapes()
    street = scope.effective_street
    if street:
        units = call(community_measures.unit_measures, scope.without_community(), "community")
        units = units.loc[units["street_code"] == street].reset_index(drop=True)
    else:
        units = call(community_measures.unit_measures, scope, "street")
    content = SlideContent(notes=_source(lang, f"map.{measure}") if f"deck.def.map.{measure}" in _KNOWN
                           else [maps.measure_label(measure, lang)] + _source(lang))
    if units.empty:
        return content
    district_row = call(community_measures.unit_measures, scope.widened(), "district")
    district_value = _value(district_row, spec.column)
    if measure in ("projects", "resources_used", "composite") or district_value is None or pd.isna(district_value):
        district_value = maps.unit_averages(units).get(measure)
    scale = maps.colour_scale(measure, units[spec.column], district_value)
    collection = maps.unit_collection(shapes, street)
    legend = maps.legend_for(scale, lang)
    content.map = MapSpec(measure, units.assign(value=units[spec.column])[["code", "name", "value"]],
                          collection, scale, legend, shapes.schematic)
    content.kpis = maps.map_extremes(units, measure, lang)
    return content


def bulletin_content(slide: Slide, scope: Scope, lang: str, call: Call, reference: date) -> SlideContent:
    """The month's 通报 as the show's bulletin panel computes it (``bulletin.month_for``): the composite of
    every ranked unit as a native bar chart, the red and black lists as figures, the definitions as notes."""
    from components import bulletin_report as report

    T = translator_for(lang)
    start, _ = call(geography.data_range)
    month = bulletin.month_for(slide.period, start, reference)
    if month is None:
        return SlideContent()
    street = scope.effective_street
    b = call(bulletin.build_bulletin, month.key, "community" if street else "street", street, scope.role)
    content = SlideContent(notes=[report.heading(b, lang), report.cutoff_line(b, lang)] + report.notes(b, lang)
                           + [text("deck.source", lang)])
    ranked = b.table[b.table["ranked"].astype(bool)].sort_values("rank")
    if ranked.empty:
        return content
    name_column = "name_en" if lang == "en" and "name_en" in ranked else "name"
    names = dict(zip(ranked["code"], ranked[name_column].fillna(ranked["name"]), strict=True))
    top = ranked.iloc[0]
    content.kpis = [(T("show.kpi.units"), formatting.count(len(ranked), lang)),
                    (T("show.kpi.top"), f"{top['composite']:.2f} {names[top['code']]}"),
                    (T("bulletin.black"), formatting.count(len(b.black), lang))]
    ranked = ranked.head(14)
    content.charts.append(ChartSpec(report.heading(b, lang), "bar", [str(names[c]) for c in ranked["code"]],
                                    [(T("bulletin.col.composite"), _floats(ranked["composite"]))]))
    return content


CONTENTS = {"overview": overview, "map": map_content, "projects": projects_content, "requests": requests_content,
            "bulletin": bulletin_content, "resources": resources_content, "scorecards": scorecards_content}
_KNOWN: set[str] = set()


def slide_content(slide: Slide, scope: Scope, lang: str, call: Call, reference: date,
                  shapes: boundaries.Shapes | None = None) -> SlideContent:
    if not _KNOWN:
        from components.text.deck import TEXT

        _KNOWN.update(TEXT)
    if slide.panel == "map":
        return map_content(slide, scope, lang, call, reference, shapes)
    return CONTENTS[slide.panel](slide, scope, lang, call, reference)



# --- drawing -------------------------------------------------------------------------------------------


def _east_asian(rpr) -> None:
    """Name the CJK font for East Asian text too (``a:ea``), after ``a:latin`` as the schema orders them."""
    latin = rpr.find(qn("a:latin"))
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        if latin is not None:
            latin.addnext(ea)
        else:
            rpr.append(ea)
    ea.set("typeface", FONT)


def _style_font(font, size: float | None = None, colour: str | None = None, bold: bool = False) -> None:
    font.name = FONT
    if size:
        font.size = Pt(size)
    font.bold = bold
    if colour:
        font.color.rgb = RGBColor.from_string(colour)
    _east_asian(font._rPr)


def _text(slide, left, top, width, height, lines: list[tuple[str, float, str, bool]],
          align=PP_ALIGN.LEFT, name: str | None = None):
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    for i, (value, size, colour, bold) in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        if i:
            para.space_before = Pt(size * 0.4)
        run = para.add_run()
        run.text = value
        _style_font(run.font, size, colour, bold)
    return box


def _background(slide, c: Colours) -> None:
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = RGBColor.from_string(c.background)


def _header(slide, title: str, scope_line: str, as_of: str, counter: str, c: Colours) -> None:
    size = max(16, min(28, int(Inches(8.6) / Pt(1) / max(text_ems(title, other=0.62), 1))))  # one line
    _text(slide, MARGIN, Inches(0.25), Inches(9.4), Inches(0.7), [(title, size, c.text, True)], name="title")
    _text(slide, MARGIN, Inches(0.9), Inches(9.4), Inches(0.45), [(scope_line, 15, c.accent, False)], name="scope")
    _text(slide, Inches(9.9), Inches(0.3), Inches(3.0), Inches(0.9),
          [(as_of, 13 if len(as_of) <= 24 else 10, c.muted, False), (counter, 16, c.text, True)],
          align=PP_ALIGN.RIGHT, name="as-of")
    line = slide.shapes.add_connector(1, MARGIN, Inches(1.4), SLIDE_W - MARGIN, Inches(1.4))
    line.line.color.rgb = RGBColor.from_string(c.accent)


def _kpis(slide, items: list[tuple[str, str]], c: Colours, left=MARGIN, top=None,
          width=None, stacked: bool = False) -> None:
    if not items:
        return
    top = Inches(1.55) if top is None else top
    width = width or (SLIDE_W - 2 * MARGIN)
    n = len(items)
    for i, (label, value) in enumerate(items):
        if stacked:
            x, y, w = left, top + Inches(1.0) * i, width
        else:
            w = int(width / n)
            x, y = left + w * i, top
        size = 26 if len(value) <= 9 else 18
        _text(slide, x, y, w, Inches(0.95), [(label, 12, c.muted, False), (value, size, c.accent, True)],
              name=f"kpi:{i}")


_CHART_TYPES = {"column": XL_CHART_TYPE.COLUMN_CLUSTERED, "bar": XL_CHART_TYPE.BAR_CLUSTERED,
                "line": XL_CHART_TYPE.LINE_MARKERS, "stacked": XL_CHART_TYPE.BAR_STACKED,
                "doughnut": XL_CHART_TYPE.DOUGHNUT}


def _chart(slide, spec: ChartSpec, left, top, width, height, c: Colours, index: int) -> None:
    _text(slide, left, top, width, Inches(0.4), [(spec.title, 15, c.text, True)], name=f"chart-title:{index}")
    data = CategoryChartData()
    categories = spec.categories
    series = spec.series
    if spec.kind in ("bar", "stacked"):  # a bar chart draws its first category at the bottom: list top-down
        categories = list(reversed(categories))
        series = [(name, list(reversed(values))) for name, values in series]
    data.categories = categories
    for name, values in series:
        data.add_series(name, values)
    frame = slide.shapes.add_chart(_CHART_TYPES[spec.kind], left, top + Inches(0.4), width, height - Inches(0.4), data)
    frame.name = f"chart:{index}"
    chart = frame.chart
    chart.has_title = False
    _style_font(chart.font, 11, c.text)
    chart.has_legend = len(series) > 1 or spec.kind == "doughnut"
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM if spec.kind != "doughnut" else XL_LEGEND_POSITION.RIGHT
        chart.legend.include_in_layout = False
        _style_font(chart.legend.font, 11, c.text)
    plot = chart.plots[0]
    if spec.kind == "doughnut":
        for i, point in enumerate(plot.series[0].points):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = RGBColor.from_string(c.series[i % len(c.series)])
        return
    for i, s in enumerate(plot.series):
        colour = RGBColor.from_string(c.series[i % len(c.series)])
        if spec.kind == "line":
            s.format.line.color.rgb = colour
            s.smooth = False
        else:
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = colour
    if spec.kind in ("bar", "column", "stacked"):
        plot.gap_width = 60
        if spec.kind != "stacked":
            plot.has_data_labels = True
            whole = all(float(x).is_integer() for _, v in series for x in v)
            plot.data_labels.number_format = "#,##0" if whole else "#,##0.0"
            plot.data_labels.number_format_is_linked = False
            _style_font(plot.data_labels.font, 10, c.text)
    for axis in (chart.category_axis, chart.value_axis):
        _style_font(axis.tick_labels.font, 10, c.text)
        axis.format.line.color.rgb = RGBColor.from_string(c.muted)
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = RGBColor.from_string(c.muted)
    chart.value_axis.major_gridlines.format.line.width = Pt(0.25)


def _charts(slide, charts: list[ChartSpec], c: Colours, top=None) -> None:
    if not charts:
        return
    top = Inches(2.65) if top is None else top
    width = SLIDE_W - 2 * MARGIN
    height = SLIDE_H - top - Inches(0.3)
    gap = Inches(0.3)
    if len(charts) == 1:
        _chart(slide, charts[0], MARGIN, top, width, height, c, 0)
        return
    first = int((width - gap) * 0.58)
    _chart(slide, charts[0], MARGIN, top, first, height, c, 0)
    _chart(slide, charts[1], MARGIN + first + gap, top, width - first - gap, height, c, 1)


def _rings(geometry: dict) -> list[list[tuple[float, float]]]:
    geom = geo_shape(geometry)
    polygons = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    return [list(p.exterior.coords) for p in polygons if not p.is_empty]


@dataclass(frozen=True)
class MapLabel:
    """A unit's label on the map slide: where it goes (EMU) and how big its shape is (which label wins)."""

    code: str
    name: str
    x: int
    y: int
    area: float
    shape_width: int = 0
    size: float = 0.0
    box: tuple[int, int, int, int] = (0, 0, 0, 0)


#: label sizes (pt) on the map slide, the preferred first; below the last a label is left off
MAP_LABEL_SIZES = (10.0, 9.0, 8.0, 7.0)


def _label_box(label: MapLabel, size: float) -> tuple[int, int, int, int]:
    """The box a bold one-line label of ``size`` pt fills, centred on its point: a Chinese character one em
    wide (Noto Sans CJK, 微软雅黑), any other 0.6 em, one em and a quarter high, a little air around."""
    em = Pt(size)
    width = int(sum(1.0 if ord(ch) > 0x2E80 or ch == "·" else 0.6 for ch in label.name) * em) + Inches(0.06)
    height = int(em * 1.25)
    return (label.x - width // 2, label.y - height // 2, label.x + width // 2 + width % 2, label.y + height // 2)


def map_label_layout(labels: list[MapLabel]) -> list[MapLabel]:
    """The labels that fit without overlapping, each at the biggest size it can take: the biggest units
    first (ties by code, so the same map always gets the same labels); a label shrinks to its shape's
    width, then further while it would overlap a label already placed, and is left off below
    :data:`MAP_LABEL_SIZES`. Every shape stays: a unit without a label keeps its name in the shape's name
    and in the speaker notes."""
    placed: list[MapLabel] = []
    for label in sorted(labels, key=lambda lb: (-lb.area, lb.code)):
        fitting = [s for s in MAP_LABEL_SIZES
                   if not label.shape_width or _label_box(label, s)[2] - _label_box(label, s)[0] <= label.shape_width]
        sizes = MAP_LABEL_SIZES[MAP_LABEL_SIZES.index(fitting[0]):] if fitting else MAP_LABEL_SIZES[-1:]
        for size in sizes:
            box = _label_box(label, size)
            if all(box[2] <= o.box[0] or box[0] >= o.box[2] or box[3] <= o.box[1] or box[1] >= o.box[3]
                   for o in placed):
                placed.append(MapLabel(label.code, label.name, label.x, label.y, label.area, label.shape_width,
                                       size, box))
                break
    return placed


def _draw_map(slide, spec: MapSpec, lang: str, c: Colours, left, top, width, height) -> list[str]:
    """One freeform per unit (named ``unit:<code>``), filled by its class; labels at a point inside each,
    thinned so that none overlaps another (:func:`map_label_layout`). Returns the names left unlabelled."""
    values = {str(r["code"]): r["value"] for r in spec.units.to_dict("records")}
    features = [f for f in spec.collection.get("features", []) if str(f["properties"]["code"]) in values]
    rings = {str(f["properties"]["code"]): _rings(f["geometry"]) for f in features}
    xs = [x for rs in rings.values() for ring in rs for x, _ in ring]
    ys = [y for rs in rings.values() for ring in rs for _, y in ring]
    if not xs:
        return []
    import math

    kx = math.cos(math.radians((min(ys) + max(ys)) / 2))
    span_x, span_y = (max(xs) - min(xs)) * kx or 1e-9, (max(ys) - min(ys)) or 1e-9
    scale = min(width / span_x, height / span_y)
    off_x = left + (width - span_x * scale) / 2
    off_y = top + (height - span_y * scale) / 2

    def xy(lon: float, lat: float) -> tuple[int, int]:
        return int(off_x + (lon - min(xs)) * kx * scale), int(off_y + (max(ys) - lat) * scale)

    labels = maps.label_points({"type": "FeatureCollection", "features": features}).set_index("code")
    for feature in features:
        code = str(feature["properties"]["code"])
        parts = rings[code]
        first = [xy(*p[:2]) for p in parts[0]]
        builder = slide.shapes.build_freeform(first[0][0], first[0][1], scale=1.0)
        builder.add_line_segments(first[1:], close=True)
        for ring in parts[1:]:
            points = [xy(*p[:2]) for p in ring]
            builder.move_to(*points[0])
            builder.add_line_segments(points[1:], close=True)
        shape = builder.convert_to_shape()
        shape.name = f"unit:{code}"
        rgba = spec.scale.colour(values[code])
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor(*rgba[:3])
        shape.line.color.rgb = RGBColor.from_string(c.background)
        shape.line.width = Pt(1)
    widths = {code: int((max(x for ring in rs for x, _ in ring) - min(x for ring in rs for x, _ in ring)) * kx * scale)
              for code, rs in rings.items()}
    placed = map_label_layout([MapLabel(str(code), str(row["name"]), *xy(row["lon"], row["lat"]), float(row["area"]),
                                        widths[str(code)]) for code, row in labels.iterrows()])
    for label in placed:
        r, g, b = spec.scale.colour(values[label.code])[:3]
        ink = "16212D" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "FFFFFF"  # readable on its fill
        left_, top_, right_, bottom_ = label.box
        box = _text(slide, left_, top_, right_ - left_, bottom_ - top_, [(label.name, label.size, ink, True)],
                    align=PP_ALIGN.CENTER, name=f"label:{label.code}")
        frame = box.text_frame
        frame.margin_top = frame.margin_bottom = frame.margin_left = frame.margin_right = 0
        frame.word_wrap = False
    shown = {label.code for label in placed}
    return [str(row["name"]) for code, row in labels.iterrows() if str(code) not in shown]


def _legend(slide, spec: MapSpec, lang: str, c: Colours, left, top, width) -> float:
    legend = spec.legend
    title = legend.title + (f"（{legend.unit}）" if legend.unit else "")
    lines = max(1, -(-int(text_ems(title, 0.7) * Pt(14)) // (width - Inches(0.2))))  # a long English title wraps
    _text(slide, left, top, width, Inches(0.3) * lines + Inches(0.1), [(title, 14, c.text, True)], name="legend-title")
    y = top + Inches(0.3) * lines + Inches(0.15)
    for i, (label, colour) in enumerate(legend.stops):
        swatch = slide.shapes.add_shape(1, left, y, Inches(0.35), Inches(0.25))
        swatch.name = f"legend:{i}"
        swatch.fill.solid()
        swatch.fill.fore_color.rgb = RGBColor.from_string(colour.lstrip("#"))
        swatch.line.fill.background()
        _text(slide, left + Inches(0.45), y - Inches(0.05), width - Inches(0.45), Inches(0.3),
              [(label, 11, c.text, False)])
        y += Inches(0.32)
    notes = [n for n in (legend.centre_label,
                         text("map.schematic_note", lang) if spec.schematic else None) if n]
    if notes:
        per_line = 45 if lang == "en" else 24  # characters of 10 pt text on a line of the side column
        lines = sum(-(-len(n) // per_line) for n in notes)
        height = Inches(0.19) * lines + Inches(0.1) * len(notes)
        _text(slide, left, y + Inches(0.1), width, height, [(n, 10, c.muted, False) for n in notes],
              name="map-note")
        y += height + Inches(0.2)
    return y


def _notes(slide, lines: list[str]) -> None:
    slide.notes_slide.notes_text_frame.text = "\n".join(line for line in lines if line)


def new_presentation() -> Presentation:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    return prs


def _blank(prs: Presentation, c: Colours):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _background(slide, c)
    return slide


def build_show_deck(show: Show, call: Call, *, start: date, reference: date, role: str = DISTRICT_ROLE,
                    lang: str = "zh", theme: str = "dark", shapes: boundaries.Shapes | None = None) -> bytes:
    """The show as a .pptx file: one deck slide per show slide, in order."""
    c = THEMES.get(theme, THEMES["dark"])
    prs = new_presentation()
    streets, communities = call(geography.streets), call(geography.communities)
    count = len(show.slides)
    as_of = text("show.as_of", lang, date=formatting.day(reference, lang))
    for number, slide in enumerate(show.slides, start=1):
        scope = slide_scope(slide, start, reference, role)
        content = slide_content(slide, scope, lang, call, reference, shapes)
        page = _blank(prs, c)
        scope_line = text("show.scope", lang, place=place_label(scope, streets, communities, lang),
                          period=content.period or period_label(scope.period, lang))
        _header(page, slide.heading(lang), scope_line, as_of, text("show.counter", lang, n=number, total=count), c)
        if content.map is not None:
            map_w = Inches(8.6)
            unlabelled = _draw_map(page, content.map, lang, c, MARGIN, Inches(1.6), map_w, SLIDE_H - Inches(1.9))
            if unlabelled:
                content.notes.append(text("deck.unlabelled", lang,
                                          names=("、" if lang == "zh" else ", ").join(unlabelled)))
            side = MARGIN + map_w + Inches(0.3)
            y = _legend(page, content.map, lang, c, side, Inches(1.6), SLIDE_W - side - MARGIN)
            _kpis(page, content.kpis, c, left=side, top=y + Inches(0.1), width=SLIDE_W - side - MARGIN, stacked=True)
        else:
            _kpis(page, content.kpis, c)
            _charts(page, content.charts, c)
            if content.table is not None:
                _followups_table(page, content.table, lang, c)
            elif not content.charts:
                _text(page, MARGIN, Inches(3.5), SLIDE_W - 2 * MARGIN, Inches(0.6),
                      [(text("show.empty", lang), 18, c.muted, False)], align=PP_ALIGN.CENTER)
        _notes(page, [slide.heading(lang), scope_line, as_of, ""] + content.notes)
    return _save(prs)


def _save(prs: Presentation) -> bytes:
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# --- the bulletin ------------------------------------------------------------------------------------------


def _ink(fill: str) -> str:
    """Text colour readable on ``fill``: white on a dark fill, near-black on a light one (the dark theme's cyan)."""
    r, g, b = (int(fill[i:i + 2], 16) for i in (0, 2, 4))
    return "16212D" if 0.299 * r + 0.587 * g + 0.114 * b > 160 else "FFFFFF"


def _table(slide, frame: pd.DataFrame, left, top, width, c: Colours, name: str, size: float = 11):
    rows, cols = len(frame) + 1, len(frame.columns)
    row_h = Inches(0.3)
    shape = slide.shapes.add_table(rows, cols, left, top, width, Emu(row_h * rows))
    shape.name = name
    table = shape.table
    for j, column in enumerate(frame.columns):
        _cell(table.cell(0, j), str(column), size, _ink(c.accent), True, c.accent)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            shown = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            _cell(table.cell(i, j), shown, size, "16212D", False, "FFFFFF" if i % 2 else "EEF3F8")
    return shape


def text_ems(value: str, other: float = 0.6) -> float:
    """Width of a text in ems: a Chinese character one (Noto Sans CJK, 微软雅黑), any other ``other``."""
    return sum(1.0 if ord(ch) > 0x2E80 else other for ch in value)


def _column_needs(texts: list[list[str]], size: float) -> list[int]:
    """The width (EMU) each column wants at ``size``: its longest text on one line (a header may wrap
    between words, so only its longest word counts), within bounds, plus the cell margins."""
    def header_ems(value: str) -> float:
        return max(text_ems(word, 0.72) for word in value.split()) if value.strip() else 0.0  # bold

    ems = [max([header_ems(texts[0][j])] + [text_ems(row[j], 0.62) for row in texts[1:]])
           for j in range(len(texts[0]))]
    return [int(min(max(e, 2.0), 22.0) * Pt(size)) + Inches(0.22) for e in ems]  # margins 0.1" a side


def table_layout(texts: list[list[str]], width: int, size: float) -> tuple[list[int], list[int]]:
    """Column widths for a table's texts (header row first), in proportion to what each column needs, so a
    long name or note gets room and a short figure little; and each row's line count at ``size``."""
    needs = _column_needs(texts, size)
    if sum(needs) <= width:  # room to spare: shared out in proportion
        widths = [int(width * n / sum(needs)) for n in needs]
    else:  # too little: the short columns keep their one line, the longest ones share the rest and wrap
        low, high = 0, max(needs)
        while high - low > 1:
            cap = (low + high) // 2
            low, high = (cap, high) if sum(min(n, cap) for n in needs) <= width else (low, cap)
        widths = [min(n, low) for n in needs]
    lines = [max(max(1, -(-int(text_ems(v, 0.62) * Pt(size)) // max(w - Inches(0.22), 1)))
                 for v, w in zip(row, widths, strict=True)) for row in texts]
    return widths, lines


def fitting_size(texts: list[list[str]], width: int, size: float, smallest: float = 8.0) -> float:
    """The biggest text size, from ``size`` down to ``smallest`` by 1 pt, at which every column's texts fit
    on one line in ``width`` (:func:`_column_needs`); ``smallest`` if none does (then texts wrap)."""
    while size > smallest and sum(_column_needs(texts, size)) > width:
        size -= 1
    return size


def fit_columns(shape, width: int, size: float, smallest: float = 8.0) -> float:
    """Set a native table's column widths by its texts (:func:`table_layout`) instead of equal columns,
    first making its text smaller (down to ``smallest`` pt) while the columns would not fit on one line.
    Returns the size used."""
    table = shape.table
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    fitted = fitting_size(texts, width, size, smallest)
    if fitted != size:
        for row in table.rows:
            for cell in row.cells:
                for para in cell.text_frame.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(fitted)
                    para._p.get_or_add_endParaRPr().set("sz", str(int(fitted * 100)))
    widths, _ = table_layout(texts, width, fitted)
    for column, w in zip(table.columns, widths, strict=True):
        column.width = Emu(w)
    for row in table.rows:  # exact line spacing: a glyph from a fallback font (— ↑ ↓) must not make a row taller
        for cell in row.cells:
            for para in cell.text_frame.paragraphs:
                para.line_spacing = Pt(fitted * 1.25)
    return fitted


def _cell(cell, value: str, size: float, colour: str, bold: bool, fill: str) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = RGBColor.from_string(fill)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    para = cell.text_frame.paragraphs[0]
    if value:  # an empty cell gets no empty run: LibreOffice would set it (and its row) in its 18 pt default
        run = para.add_run()
        run.text = value
        _style_font(run.font, size, colour, bold)
    para._p.get_or_add_endParaRPr().set("sz", str(int(size * 100)))


def build_bulletin_deck(b: bulletin.Bulletin, lang: str = "zh", theme: str = "light") -> bytes:
    """The month's bulletin: the ranking table (a native table), then the red and black lists."""
    from components import bulletin_report as report

    c = THEMES.get(theme, THEMES["light"])
    prs = new_presentation()
    heading = report.heading(b, lang)
    as_of = report.cutoff_line(b, lang)
    frame = report.display_frame(b, lang)
    notes = report.notes(b, lang)

    page = _blank(prs, c)
    _header(page, heading, text("bulletin.table", lang), as_of, text("show.counter", lang, n=1, total=2), c)
    size = 11 if len(frame) <= 14 else 8
    fit_columns(_table(page, frame, MARGIN, Inches(1.6), SLIDE_W - 2 * MARGIN, c, "ranking", size),
                SLIDE_W - 2 * MARGIN, size)
    _notes(page, [heading, as_of, report.previous_line(b, lang), ""] + notes + [text("deck.source", lang)])

    page = _blank(prs, c)
    _header(page, heading, text("deck.lists", lang), as_of, text("show.counter", lang, n=2, total=2), c)
    half = (SLIDE_W - 2 * MARGIN - Inches(0.4)) / 2
    red = report.red_lines(b, lang) or [text("bulletin.red.empty", lang)]
    black = report.black_lines(b, lang) or [text("bulletin.black.empty", lang)]
    _text(page, MARGIN, Inches(1.6), int(half), Inches(5.5),
          [(text("bulletin.red", lang, n=b.config.red_list_size), 20, "C0392B", True)]
          + [(line, 15, c.text, False) for line in red], name="red")
    _text(page, MARGIN + int(half) + Inches(0.4), Inches(1.6), int(half), Inches(5.5),
          [(text("bulletin.black", lang), 20, c.text, True)] + [(line, 15, c.text, False) for line in black],
          name="black")
    _notes(page, [heading, as_of, ""] + notes + [text("deck.source", lang)])
    return _save(prs)


def latest_complete_month(reference: date) -> str:
    """The last month the data covers whole (the reference date's month if it is its last day)."""
    next_day = pd.Timestamp(reference) + pd.Timedelta(days=1)
    if next_day.month != reference.month:
        return f"{reference.year}-{reference.month:02d}"
    prev = (pd.Timestamp(reference.replace(day=1)) - pd.Timedelta(days=1)).date()
    return f"{prev.year}-{prev.month:02d}"


# --- the 督办 slide (a self-contained addition: its content, its table) -----------------------------------

#: rows of the 督办 table on one slide; the rest are counted in a line under it
FOLLOWUP_ROWS = 8


def followups_content(slide: Slide, scope: Scope, lang: str, call: Call, reference: date) -> SlideContent:
    """The show's 督办事项 panel: the scope's items not yet finished, overdue first, as a native table
    (number, task, responsible unit, due date, status with days overdue, latest note). Overdue counts
    from today, not from the data's date (``reference``), as on the 预警督办 page."""
    from components.alert_tables import meeting_table
    from data_access import followup

    T = translator_for(lang)
    today = date.today()
    items = call(followup.meeting_items, scope.role, scope.effective_street, scope.community, today)
    awaiting = int((items["status"] == followup.DONE).sum()) if len(items) else 0
    overdue = int(items["overdue"].sum()) if len(items) else 0
    as_at = T("show.followups.as_at", date=formatting.day(today, lang))
    content = SlideContent(kpis=[
        (T("show.followups.kpi.active"), formatting.count(len(items))),
        (T("show.followups.kpi.overdue"), formatting.count(overdue)),
        (T("show.followups.kpi.open"), formatting.count(len(items) - awaiting)),
        (T("show.followups.kpi.awaiting"), formatting.count(awaiting)),
    ], notes=[T("show.followups.rule", date=formatting.day(today, lang)), text("deck.def.followups", lang),
              text("deck.source", lang)], period=as_at)
    shown = items.head(FOLLOWUP_ROWS)
    more = T("show.followups.more", n=len(items) - len(shown)) if len(items) > len(shown) else ""
    content.table = (meeting_table(shown, lang, note_chars=50), shown["overdue"].tolist() if len(shown) else [], more)
    if more:
        content.notes.insert(1, more)
    return content


CONTENTS["followups"] = followups_content


def _followups_table(page, table: tuple[pd.DataFrame, list[bool], str], lang: str, c: Colours) -> None:
    """The 督办 list as a native PowerPoint table (named ``followups``), the overdue statuses in red;
    without items, the "none" line; with more than fit, how many more (under the table)."""
    frame, overdue, more = table
    top = Inches(2.65)
    if frame.empty:
        _text(page, MARGIN, Inches(3.5), SLIDE_W - 2 * MARGIN, Inches(0.6),
              [(text("show.followups.none", lang), 18, c.muted, False)], align=PP_ALIGN.CENTER, name="followups-none")
        return
    width = SLIDE_W - 2 * MARGIN
    shape = _table(page, frame, MARGIN, top, width, c, "followups", size=10)
    shares = (0.05, 0.30, 0.10, 0.09, 0.14, 0.32)  # number, task, unit, due, status, latest note
    for column, share in zip(shape.table.columns, shares, strict=True):
        column.width = int(width * share)
    # rows as tall as their longest text wraps (about 7 Chinese characters of 10 pt text per inch, a
    # digit or Latin letter about half one), so the drawing is right in viewers that do not grow rows
    per_line = [max(4.0, width * share / Inches(1) * 7 - 0.5) for share in shares]

    def ems(value) -> float:
        return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in str(value))

    for i, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        lines = max(math.ceil(ems(v) / n) or 1 for v, n in zip(values, per_line, strict=True))
        shape.table.rows[i].height = int(Inches(0.08) + Inches(0.19) * lines)
    for i, late in enumerate(overdue, start=1):
        if late:
            for run in shape.table.cell(i, 4).text_frame.paragraphs[0].runs:
                run.font.color.rgb = RGBColor.from_string("C0392B")
                run.font.bold = True
    if more:
        _text(page, MARGIN, SLIDE_H - Inches(0.5), width, Inches(0.35), [(more, 11, c.muted, False)],
              name="followups-more")
