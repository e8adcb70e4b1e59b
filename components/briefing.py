"""The printable briefing: one standalone HTML file of the current scope, for A4 paper.

Two pure steps, no Streamlit:

* :func:`collect_briefing` runs the SAME query functions with the SAME scope as the pages
  (overview tiles and charts, the projects page's overdue list, the requests page's backlog,
  the resources page's gap list, the scorecards page's league tables and breakdown) through a
  ``run(fn, *args)`` the caller gives — ``fn(db, *args)`` in tests, the page's database in the app —
  and shapes the tables with the same columns and catalogue headers as the pages.
* :func:`briefing_html` writes the document: every data text html-escaped, plotly.js inlined
  once (never a CDN, so the file works offline), print CSS for A4, and a running header with the
  scope, period and data date that the browser repeats on every printed page (the page is one
  layout table whose ``thead`` repeats, as table headers do in print).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from components import bulletin_report, charts, formatting
from components import request_charts as request_ch
from components import resource_charts as resource_ch
from components import scorecard_charts as scorecard_ch
from components.i18n import text, translator_for, value_name
from components.tables import cell, escape
from data_access import bulletin, evaluation, participation, projects, requests, resources, safety
from data_access.domain import SAFETY_MEASURES
from data_access.scope import Scope

#: width of a chart on A4 portrait with 15 mm margins (180 mm at 96 dpi ≈ 680 px)
CHART_WIDTH = 680
CHART_HEIGHT = 280
STALEST = 20  # as on the requests page

#: The overview's tiles, in its order: (label key, totals query, column, format, change kind).
HEADLINE = [
    ("overview.kpi.projects", "projects", "projects", formatting.count),
    ("overview.kpi.completed", "projects", "completed", formatting.count),
    ("overview.kpi.difficulties", "projects", "difficulties_solved", formatting.count),
    ("overview.kpi.volunteers", "volunteers", "new_volunteers", formatting.count),
    ("overview.kpi.partners", "resources", "partner_units", formatting.count),
    ("overview.kpi.resource_uses", "resources", "resource_uses", formatting.count),
    ("overview.kpi.fund", "resources", "fund_raised_yuan", formatting.money),
    ("overview.kpi.received", "requests", "received", formatting.count),
    ("overview.kpi.resolved", "requests", "resolved", formatting.count),
    ("overview.kpi.platform_resolved", "requests", "platform_resolved", formatting.count),
    ("overview.kpi.rate", "requests", "resolution_rate", formatting.percent),
    ("overview.kpi.median_days", "requests", "median_days", formatting.days),
    ("overview.kpi.wishes", "wishes", "fulfilled", formatting.count),
    ("overview.kpi.wishes_posted", "wishes", "posted", formatting.count),
]
TOTALS = {
    "projects": projects.project_totals,
    "requests": requests.request_totals,
    "wishes": requests.wish_totals,
    "volunteers": participation.volunteer_totals,
    "resources": resources.resource_totals,
}
Run = Callable[..., pd.DataFrame]


@dataclass
class Tile:
    label: str
    value: str
    previous: str | None
    raw: object


@dataclass
class Table:
    """A table as the page shows it: display frame (columns already renamed to their headers)."""

    title: str
    frame: pd.DataFrame
    caption: str = ""
    empty: str = ""
    decimals: dict[str, int] = field(default_factory=dict)
    suffixes: dict[str, str] = field(default_factory=dict)
    #: numbered notes printed under the table (definitions, weights)
    notes: list[str] = field(default_factory=list)


@dataclass
class Briefing:
    lang: str
    place: str
    period: str
    as_of: date
    tiles: list[Tile]
    charts: list[tuple[str, go.Figure]]
    sections: list[tuple[str, list[Table]]]
    notes: dict[str, str] = field(default_factory=dict)


def _first(frame: pd.DataFrame, column: str):
    return frame[column].iloc[0] if frame is not None and len(frame) else None


def _renamed(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    return frame[list(headers)].rename(columns=headers).reset_index(drop=True)


def collect_briefing(run: Run, scope: Scope, data_start: date, reference: date, place: str, period: str,
                     lang: str = "zh", streets: pd.DataFrame | None = None) -> Briefing:
    """Everything the briefing shows for ``scope``, by the pages' own query functions and rules."""
    T = translator_for(lang)
    previous = scope.previous(data_start)
    totals = {name: run(fn, scope) for name, fn in TOTALS.items()}
    totals_prev = {name: run(fn, previous) for name, fn in TOTALS.items()} if previous else {}
    tiles = []
    for key, source, column, fmt in HEADLINE:
        value = _first(totals[source], column)
        prev = _first(totals_prev[source], column) if previous else None
        tiles.append(Tile(T(key), fmt(value, lang), fmt(prev, lang) if previous else None, value))

    figures: list[tuple[str, go.Figure]] = []
    by_month = run(requests.requests_by_month, scope)
    if not by_month.empty:
        figures.append((T("overview.trend"), charts.monthly_requests(by_month, lang)))
    channels = run(requests.requests_by_channel, scope)
    if not channels.empty:
        figures.append((T("overview.channels"), charts.channel_bars(channels, lang)))
    if _first(totals["projects"], "projects"):
        figures.append((T("overview.stages"), charts.stage_bars(run(projects.project_stage_counts, scope), lang)))
    figures.append((T("overview.participation"), charts.event_bars(run(participation.events_by_kind, scope), lang)))
    safety_months = run(safety.safety_by_month, scope)
    if not safety_months.empty:
        figures.append((T("overview.safety"), charts.safety_lines(safety_months, SAFETY_MEASURES, lang)))

    sections: list[tuple[str, list[Table]]] = []
    day = formatting.day(reference, lang)

    # projects page, tab "overdue"
    overdue = run(projects.overdue_projects, scope, reference)
    overdue = overdue.assign(status=overdue["status"].map(lambda v: value_name(v, lang)),
                             lead_unit=overdue["lead_unit"].map(lambda v: value_name(v, lang)))
    sections.append((T("projects.overdue"), [Table(
        T("briefing.counted", title=T("projects.overdue"), n=formatting.count(len(overdue))),
        _renamed(overdue, {c: T(f"projects.col.{k}") for c, k in (
            ("code", "code"), ("title", "title"), ("street_name", "street"), ("community_name", "community"),
            ("status", "status"), ("lead_unit", "lead"), ("planned_end", "planned_end"),
            ("days_overdue", "days_overdue"), ("progress_pct", "progress"))}),
        caption=T("projects.overdue.caption", date=day), empty=T("projects.empty.overdue"))]))

    # requests page, section "backlog"
    backlog = run(requests.open_requests_by_status, scope, reference)
    tables = []
    if backlog["open"].sum() > 0:
        shown = backlog.assign(status=backlog["status"].map(lambda s: request_ch.status_name(s, lang)),
                               median_idle_days=backlog["median_idle_days"].astype(float).round(1))
        names = {c: T(f"requests.col.{c}") for c in ("status", "open", "median_idle_days")}
        tables.append(Table(T("briefing.backlog.by_status"), _renamed(shown, names),
                            caption=T("requests.backlog.caption", date=day), decimals={names["median_idle_days"]: 1}))
        stalest = run(requests.stalest_open_requests, scope, reference, STALEST)
        stalest = stalest.assign(category=stalest["category"].map(lambda v: value_name(v, lang)),
                                 status=stalest["status"].map(lambda s: request_ch.status_name(s, lang)),
                                 idle_days=stalest["idle_days"].astype(float).round(1))
        names = {c: T(f"requests.col.{c}") for c in ("id", "category", "status", "street", "community",
                                                      "handling_unit", "submitted_at", "last_change", "idle_days",
                                                      "requester_name", "requester_phone")}
        tables.append(Table(T("requests.backlog.stalest", n=len(stalest)), _renamed(stalest, names),
                            decimals={names["idle_days"]: 1}))
    else:
        tables.append(Table(T("requests.section.backlog"), pd.DataFrame(), empty=T("requests.backlog.none")))
    sections.append((T("requests.section.backlog"), tables))

    # resources page, tab "gap": the flagged communities, highest gap first
    ranking = run(resources.demand_gap_ranking, scope)
    flagged = ranking[ranking["flagged"]].reset_index(drop=True) if not ranking.empty else ranking
    gap_headers = {c: T(f"resources.col.{c}") for c in ("rank", "community", "street", "population", "requests",
                                                         "wishes", "uses", "demand_rate", "supply_rate",
                                                         "demand_rank", "supply_rank", "gap_score")}
    if flagged.empty:
        gap = pd.DataFrame(columns=list(gap_headers.values()))
    else:
        gap = flagged.assign(
            rank=range(1, len(flagged) + 1),
            community=[("● " if sel else "") + name for name, sel in
                       zip(flagged["community_name"], flagged["selected"], strict=True)],
            street=resource_ch.street_label(flagged, lang),
        ).round({"demand_rate": 2, "supply_rate": 2, "demand_rank": 2, "supply_rank": 2, "gap_score": 2})
        gap = _renamed(gap, gap_headers)
    demand_map = resources.load_demand_map()
    rule = T("resources.gap.rule", per=formatting.count(demand_map.per_residents),
             peers=T("resources.gap.peers.street" if scope.effective_street else "resources.gap.peers.district"),
             threshold=f"{demand_map.threshold:.2f}")
    sections.append((T("briefing.gap"), [Table(
        T("resources.gap.list", n=len(flagged)), gap, caption=rule,
        empty=T("resources.empty.gap") if ranking.empty else T("resources.gap.none"),
        decimals={gap_headers[c]: 2 for c in ("demand_rate", "supply_rate", "demand_rank", "supply_rank",
                                              "gap_score")})]))

    # scorecards page: the evaluation year the period falls in, the unit's breakdown, the league tables
    years = run(evaluation.evaluation_years)
    year = max((y for y in years if y <= scope.period.end.year), default=None)
    tables = []
    if year is None:
        tables.append(Table(T("briefing.scorecard"), pd.DataFrame(), empty=T("empty.ranking")))
    else:
        street_names = ({} if streets is None else
                        dict(zip(streets["code"], streets["name_en" if lang == "en" else "name"], strict=True)))
        unit = (("community", scope.community) if scope.community else
                ("street", scope.effective_street) if scope.effective_street else None)
        if unit:
            breakdown = run(evaluation.composite_breakdown, scope, unit[0], unit[1], year)
            if not breakdown.empty and not breakdown["score"].isna().all():
                composite = float(breakdown["contribution"].sum())
                shown = breakdown.assign(
                    dimension=[scorecard_ch.dimension_label(r, lang) for _, r in breakdown.iterrows()],
                    direction=breakdown["direction"].map(lambda d: T(f"scorecards.direction.{d}")),
                    ratio=breakdown["ratio"].astype(float) * 100,
                    capped_ratio=breakdown["capped_ratio"].astype(float) * 100,
                )
                names = {c: T(f"scorecards.col.{c}") for c in ("code", "dimension", "score", "target", "direction",
                                                                "ratio", "capped_ratio", "weight", "contribution")}
                unit_label = place.split(" › ")[-1]
                tables.append(Table(
                    T("briefing.scorecard.unit", unit=unit_label, score=f"{composite:.2f}"),
                    _renamed(shown, names), caption=T("scorecards.year", year=year),
                    decimals={names["score"]: 1, names["target"]: 1, names["ratio"]: 2, names["capped_ratio"]: 2,
                              names["weight"]: 0, names["contribution"]: 2},
                    suffixes={names["ratio"]: "%", names["capped_ratio"]: "%"}))
        for level, title in (("street", "scorecards.league.streets"), ("community", "scorecards.league.communities")):
            league = run(evaluation.league_table, scope, level, year)
            if lang == "en" and level == "street" and len(league):
                league = league.assign(name=league["code"].map(street_names).fillna(league["name"]))
            names = {"rank": T("scorecards.col.rank"), "name": T("scorecards.col.name"),
                     "composite": T("scorecards.col.composite"), "dimensions_scored": T("scorecards.col.scored"),
                     "previous_rank": T("scorecards.col.previous_rank"),
                     "rank_change": T("scorecards.col.rank_change")}
            tables.append(Table(f"{T(title)} · {T('scorecards.year', year=year)}",
                                _renamed(league, names) if len(league) else pd.DataFrame(),
                                caption=T("scorecards.league.caption", prev=year - 1 if year - 1 in years else "—"),
                                empty=T("empty.ranking"), decimals={names["composite"]: 2}))
    sections.append((T("briefing.scorecard"), tables))
    sections.append((T("briefing.bulletin"), bulletin_tables(run, scope, data_start, reference, lang)))
    sections.append((T("briefing.followups"), followup_tables(run, scope, lang)))
    return Briefing(lang, place, period, reference, tiles, figures, sections,
                    notes={"delta": T("caption.delta", prev=f"{previous.period.start} — {previous.period.end}")
                           if previous else T("caption.no_delta")})


def bulletin_tables(run: Run, scope: Scope, data_start: date, reference: date, lang: str = "zh") -> list[Table]:
    """The 通报 page's bulletin of the period's latest complete month (data_access.bulletin.month_for):
    the streets ranked (a street or community scope: the street's communities) with rank change and
    streaks, the red and black lists, and every definition, weight and floor in a note."""
    T = translator_for(lang)
    month = bulletin.month_for(scope.period.key, data_start, reference)
    street = scope.effective_street
    try:
        if month is None:
            raise bulletin.BulletinError(scope.period.key)
        b = run(bulletin.build_bulletin, month.key, "community" if street else "street", street, scope.role)
    except bulletin.BulletinError:
        return [Table(T("briefing.bulletin"), pd.DataFrame(), empty=T("briefing.bulletin.none"))]
    headers = bulletin_report.headers(lang)
    rows = pd.DataFrame(bulletin_report.table_rows(b, lang), columns=["code", *bulletin_report.TABLE_COLUMNS])
    for measure in bulletin.MEASURES:
        rows[measure] = pd.to_numeric(rows[measure], errors="coerce") * 100
    for column in ("rank", "received", "dissatisfied", "returned_reopened", "composite"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    ranking = _renamed(rows, headers)
    caption = bulletin_report.cutoff_line(b, lang) + " " + bulletin_report.previous_line(b, lang)
    if b.hidden:
        caption += " " + T("bulletin.role_note")
    names = dict(zip(b.table["code"], b.table["name"], strict=True))
    if lang == "en" and "name_en" in b.table:
        names |= {c: n for c, n in zip(b.table["code"], b.table["name_en"], strict=True) if isinstance(n, str) and n}
    red = pd.DataFrame({T("bulletin.col.rank"): [int(r) for r in b.red["rank"]],
                        T("bulletin.col.name"): [names.get(c, c) for c in b.red["code"]],
                        T("bulletin.col.composite"): [float(v) for v in b.red["composite"]]})
    floors, sep = dict(b.config.floors), "、" if lang == "zh" else ", "
    black = pd.DataFrame({
        T("bulletin.col.rank"): [int(r) for r in b.black["rank"]],
        T("bulletin.col.name"): [names.get(c, c) for c in b.black["code"]],
        T("bulletin.col.composite"): [float(v) for v in b.black["composite"]],
        T("bulletin.col.failing"): [sep.join(
            T("bulletin.failing.entry", measure=bulletin_report.measure_name(m, lang),
              value=formatting.percent(row[m], lang), floor=formatting.percent(floors[m], lang, 0))
            for m in row["failing"]) for row in b.black.to_dict("records")],
    })
    two = {T("bulletin.col.composite"): 2}
    return [
        Table(bulletin_report.heading(b, lang), ranking, caption=caption, empty=T("briefing.bulletin.none"),
              decimals={headers[m]: 1 for m in bulletin.MEASURES} | {headers["composite"]: 2, headers["rank"]: 0,
                                                                     headers["received"]: 0,
                                                                     headers["dissatisfied"]: 0,
                                                                     headers["returned_reopened"]: 0},
              suffixes={headers[m]: "%" for m in bulletin.MEASURES}),
        Table(T("bulletin.red", n=b.config.red_list_size), red, empty=T("bulletin.red.empty"), decimals=two),
        Table(T("bulletin.black"), black, empty=T("bulletin.black.empty"), decimals=two,
              notes=bulletin_report.notes(b, lang)),
    ]


def followup_tables(run: Run, scope: Scope, lang: str = "zh", today: date | None = None) -> list[Table]:
    """The scope's 督办 items not yet finished (in progress or awaiting verification), overdue first, with
    the responsible unit, due date, status and latest note: what the meeting follows up. Overdue counts
    from ``today`` (the items are today's work, not figures of the data's period); a street role's
    briefing holds its own street's items only (data_access.followup.meeting_items)."""
    from components.alert_tables import meeting_table
    from data_access import followup

    T = translator_for(lang)
    today = today or date.today()
    items = run(followup.meeting_items, scope.role, scope.effective_street, scope.community, today)
    overdue = int(items["overdue"].sum()) if len(items) else 0
    return [Table(T("briefing.followups.table", n=len(items), overdue=overdue), meeting_table(items, lang),
                  caption=T("show.followups.rule", date=formatting.day(today, lang)),
                  empty=T("show.followups.none"))]


# --- HTML -------------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")

CSS = """
@page { size: A4 portrait; margin: 12mm 14mm 14mm 14mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 9pt sans-serif; color: #667; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 190mm; padding: 0 4mm; color: #1d2733; background: #fff;
  font: 10.5pt/1.45 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
table.layout { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.layout > thead > tr > td, table.layout > tfoot > tr > td { padding: 0; }
.running { display: flex; justify-content: space-between; gap: 8mm; font-size: 8.5pt; color: #445;
  border-bottom: 0.6pt solid #1f5fa8; padding: 2mm 0 1.5mm; margin-bottom: 3mm; }
.running b { color: #1f5fa8; white-space: nowrap; }
.running .where { text-align: right; }
.running .where i { font-style: normal; white-space: nowrap; margin-left: 3mm; }
.footer { font-size: 8pt; color: #778; border-top: 0.4pt solid #ccd; padding-top: 1mm; margin-top: 3mm; }
h1 { font-size: 20pt; margin: 4mm 0 2mm; color: #1f5fa8; }
h2 { font-size: 14pt; margin: 0 0 3mm; padding-bottom: 1mm; border-bottom: 1.2pt solid #1f5fa8;
  break-after: avoid; }
h3 { font-size: 11.5pt; margin: 4mm 0 1.5mm; break-after: avoid; }
.meta { margin: 0 0 1mm; font-size: 11pt; }
.hint, .caption { color: #5b6672; font-size: 8.5pt; margin: 0 0 2mm; }
section { margin-top: 7mm; }
section.first { margin-top: 0; }
section.charts { break-before: page; margin-top: 0; }
.table-block > h3, .table-block > .caption { break-after: avoid; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2.5mm; margin: 2mm 0 3mm; }
.tile { border: 0.6pt solid #c9d3de; border-radius: 2mm; padding: 2mm 2.5mm; break-inside: avoid; }
.tile .label { font-size: 8.5pt; color: #5b6672; }
.tile .value { font-size: 15pt; font-weight: 600; line-height: 1.25; }
.tile .prev { font-size: 8pt; color: #778; }
.chart { break-inside: avoid; margin: 0 0 3mm; }
.chart h3 { margin-top: 2mm; }
.plot { width: 680px; max-width: 100%; }
table.data { width: 100%; border-collapse: collapse; font-size: 8.5pt; margin: 0 0 3mm; }
table.data thead { display: table-header-group; }
table.data th { background: #e8eef6; text-align: left; font-weight: 600; border-bottom: 0.8pt solid #8aa0b8; }
table.data td { overflow-wrap: anywhere; }
table.data th, table.data td { padding: 1mm 1.4mm; border-bottom: 0.3pt solid #d8dee6; vertical-align: top; }
table.data.wide { font-size: 7.6pt; }
table.data td.s, table.data th.s { white-space: nowrap; }
table.data td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data tr { break-inside: avoid; }
.table-block h3 + .caption { margin-top: -0.5mm; }
.empty { color: #5b6672; font-style: italic; margin: 1mm 0 3mm; }
ol.notes { font-size: 8pt; color: #3d4854; margin: 0 0 3mm; padding-left: 6mm; }
ol.notes li { break-inside: avoid; }
nav ol { margin: 1mm 0 3mm; padding-left: 6mm; }
@media screen {
  body { padding-top: 4mm; }
  section { border-top: 1px dashed #c9d3de; margin-top: 8mm; padding-top: 4mm; }
  section.first { border-top: 0; margin-top: 0; padding-top: 0; }
}
@media print { .hint { display: none; } a { color: inherit; text-decoration: none; } }
"""


def table_html(table: Table, lang: str = "zh") -> str:
    """One table: escaped headers and cells; a header row that repeats on each printed page."""
    parts = ['<div class="table-block">', f"<h3>{escape(table.title)}</h3>"]
    if table.caption:
        caption = _BOLD.sub(r"<strong>\1</strong>", escape(table.caption))
        parts.append(f'<p class="caption">{caption}</p>')
    notes = ""
    if table.notes:
        notes = (f'<p class="caption"><strong>{escape(text("bulletin.notes", lang))}</strong></p>'
                 f'<ol class="notes">{"".join(f"<li>{escape(n)}</li>" for n in table.notes)}</ol>')
    if table.frame.empty:
        parts.append(f'<p class="empty">{escape(table.empty)}</p>{notes}</div>')
        return "".join(parts)
    wide = " wide" if len(table.frame.columns) > 8 else ""
    parts.append(f'<table class="data{wide}"><thead><tr>')
    parts.extend(f'<th class="s">{escape(c)}</th>' if len(str(c)) <= 6 else f"<th>{escape(c)}</th>"
                 for c in table.frame.columns)
    parts.append("</tr></thead><tbody>")
    digits = [table.decimals.get(c) for c in table.frame.columns]
    suffixes = [escape(table.suffixes.get(c, "")) for c in table.frame.columns]
    for row in table.frame.itertuples(index=False, name=None):
        parts.append("<tr>")
        for value, d, suffix in zip(row, digits, suffixes, strict=True):
            shown, number = cell(value, d)
            if number:
                parts.append(f'<td class="n">{shown}{suffix}</td>')
            else:  # short text (a status, a name, a date) stays on one line
                parts.append(f'<td class="s">{shown}</td>' if len(shown) <= 12 else f"<td>{shown}</td>")
        parts.append("</tr>")
    parts.append(f"</tbody></table>{notes}</div>")
    return "".join(parts)


def _figure_html(fig: go.Figure, index: int) -> str:
    """A chart sized for A4, static (no toolbar, no hover), drawn by the plotly.js inlined once in <head>."""
    fig = go.Figure(fig)
    fig.update_layout(width=CHART_WIDTH, height=CHART_HEIGHT, autosize=False)
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{index}",
                       config={"staticPlot": True, "displayModeBar": False, "responsive": False})


def briefing_html(briefing: Briefing, generated_at: datetime) -> str:
    """The briefing as one standalone HTML document (no external resource of any kind)."""
    lang = briefing.lang
    T = translator_for(lang)
    as_of = formatting.day(briefing.as_of, lang)
    running = T("briefing.running", place=briefing.place, period=briefing.period, date=as_of)
    title = T("briefing.title")
    pieces = [T("briefing.labelled", label=T(key), value=value) for key, value in (
        ("export.filters.place", briefing.place), ("export.filters.period", briefing.period),
        ("export.filters.as_of", as_of))]
    head = (f'<div class="running"><span><b>{escape(title)}</b></span><span class="where">'
            + " ".join(f"<i>{escape(p)}</i>" for p in pieces) + "</span></div>")
    foot = (f'<div class="footer">{escape(T("briefing.generated", time=generated_at.strftime("%Y-%m-%d %H:%M")))}'
            f' · {escape(T("sidebar.sample_note"))}</div>')

    body = ['<section class="first" id="headline">', f"<h1>{escape(title)}</h1>",
            f'<p class="meta">{escape(running)}</p>',
            f'<p class="caption">{escape(T("briefing.generated", time=generated_at.strftime("%Y-%m-%d %H:%M")))}</p>',
            f'<p class="hint">{escape(T("briefing.print_hint"))}</p>']
    names = [T("briefing.headline"), T("briefing.charts")] + [name for name, _ in briefing.sections]
    body.append(f'<nav><b>{escape(T("briefing.contents"))}</b><ol>'
                + "".join(f'<li><a href="#s{i}">{escape(n)}</a></li>' for i, n in enumerate(names)) + "</ol></nav>")
    body.append(f'<h2 id="s0">{escape(T("briefing.headline"))}</h2>')
    body.append(f'<p class="caption">{escape(briefing.notes.get("delta", ""))}</p><div class="tiles">')
    for tile in briefing.tiles:
        prev = (f'<div class="prev">{escape(T("briefing.previous", value=tile.previous))}</div>'
                if tile.previous is not None else "")
        body.append(f'<div class="tile"><div class="label">{escape(tile.label)}</div>'
                    f'<div class="value">{escape(tile.value)}</div>{prev}</div>')
    body.append("</div></section>")

    body.append(f'<section class="charts" id="s1"><h2>{escape(T("briefing.charts"))}</h2>')
    for index, (name, fig) in enumerate(briefing.charts):
        body.append(f'<div class="chart"><h3>{escape(name)}</h3>'
                    f'<div class="plot">{_figure_html(fig, index)}</div></div>')
    body.append("</section>")
    for index, (name, tables) in enumerate(briefing.sections, 2):
        opening = ' class="charts"' if index == 2 else ""  # the lists start on a fresh page, then flow
        body.append(f'<section{opening} id="s{index}"><h2>{escape(name)}</h2>')
        body.extend(table_html(t, lang) for t in tables)
        body.append("</section>")

    script = f"<script>{get_plotlyjs()}</script>" if briefing.charts else ""
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · {escape(briefing.place)} · {escape(briefing.period)}</title>"
        f"<style>{CSS}</style>{script}</head><body>"
        f'<table class="layout"><thead><tr><td>{head}</td></tr></thead>'
        f'<tfoot><tr><td>{foot}</td></tr></tfoot>'
        f'<tbody><tr><td>{"".join(body)}</td></tr></tbody></table>'
        "</body></html>"
    )
