"""项目看板 Projects: lifecycle, board, timeline, overdue work, roll-ups, acceptance; and a project's detail.

A project's detail opens from the picker or from the URL (``?project=<code>``); a code
that does not exist, or lies outside the viewer's scope, gets a notice instead.
"""

from dataclasses import replace

import pandas as pd
import streamlit as st

from components import formatting, project_charts, tables
from components.chart_text import show_chart
from components.data import cached, cached_pair, data_context
from components.downloads import csv_download, record_download
from components.guard import require_entry_point
from components.i18n import value_name
from components.kpi import kpi_tile
from components.page_header import page_header
from components.scope_sidebar import current_language, current_scope, place_label, translator
from components.sections import lazy_expander, render_sections
from data_access import geography, projects
from data_access.domain import PROJECT_STAGES, PROJECT_STATUSES
from data_access.scope import period_options

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

T, lang, scope, ctx = translator(), current_language(), current_scope(), data_context()
previous = scope.previous(ctx.start)
place = place_label(scope, cached(geography.streets), cached(geography.communities), lang)


def headers(*columns: str) -> dict[str, str]:
    """Display headers of a table's columns (CSV and screen alike)."""
    return {c: T(CATALOGUE_KEYS[c]) for c in columns}


#: each column's catalogue key
CATALOGUE_KEYS = {
    "code": "projects.col.code", "title": "projects.col.title", "community_name": "projects.col.community",
    "street_name": "projects.col.street", "status": "projects.col.status", "category": "projects.col.category",
    "funding_source": "projects.col.funding", "lead_unit": "projects.col.lead", "need": "projects.col.need",
    "planned_end": "projects.col.planned_end", "days_overdue": "projects.col.days_overdue",
    "last_activity": "projects.col.last_activity", "days_since_milestone": "projects.col.days_since",
    "progress_pct": "projects.col.progress", "weighted_progress": "projects.col.weighted_progress",
    "days_in_stage": "projects.col.days_in_stage", "budget_yuan": "projects.col.budget",
    "spent_yuan": "projects.col.spent", "projects": "projects.col.projects", "completed": "projects.col.completed",
    "residents_participating": "projects.col.residents", "value": "projects.col.value",
    "name": "projects.col.indicator", "weight": "projects.col.weight", "target": "projects.col.target",
    "score": "projects.col.score", "direction": "projects.col.direction",
    "achievement": "projects.col.achievement", "weighted_shortfall": "projects.col.shortfall",
    "average_score": "projects.col.average_score", "average_achievement": "projects.col.achievement",
    "share_below_target": "projects.col.share_below", "total": "projects.col.total",
    "milestone": "projects.col.milestone", "planned_on": "projects.col.planned_on",
    "done_on": "projects.col.done_on", "state": "projects.col.state", "unit": "projects.col.unit",
    "project_code": "projects.col.code", "indicator_code": "projects.col.indicator_code",
}


def translated(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Stored Chinese domain values shown in the reader's language."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(lambda v: value_name(v, lang) if isinstance(v, str) else v)
    return frame


#: shares and ratios among the tables' columns: fractions in the downloads (docs/exports.md)
FRACTIONS = ("achievement", "average_achievement", "share_below_target")


def table(frame: pd.DataFrame, columns: list[str], stem: str, height: int | None = None,
          formats: dict[str, str] | None = None, record: tuple[str, pd.DataFrame, list[str]] | None = None) -> None:
    """A table on screen with its CSV download, both with translated headers; a list of stored records
    passes ``record`` (import area, the untranslated rows, their columns): downloaded as the template has it."""
    shown = frame[columns]
    names = headers(*columns)
    tables.show_frame(shown, names, formats, height=height)
    if record:
        area, rows, held = record
        record_download(rows[held], area, stem, place, lang, held, context=CATALOGUE_KEYS, key=f"csv-{stem}")
        return
    csv_download(shown, stem, place, lang, headers=names, key=f"csv-{stem}",
                 fractions=[c for c in columns if c in FRACTIONS])


def show_detail(code: str) -> None:
    """One project: what, where, who, money, milestones, residents and its acceptance scorecard."""
    detail = cached(projects.project_detail, scope, code)
    if st.button(T("projects.detail.back"), icon=":material/arrow_back:"):
        del st.query_params["project"]
        st.session_state.pop("project_pick", None)
        st.rerun()
    if detail.empty:
        st.warning(T("projects.detail.unknown", code=code[:40]))
        return
    p = detail.iloc[0]
    st.header(f"{p['title']}")
    street = p["street_name_en"] if lang == "en" else p["street_name"]
    st.caption(f"{p['code']} · {street} › {p['community_name']} · {value_name(p['status'], lang)}")
    st.write(p["description"])
    cols = st.columns(6)
    share = p["spent_yuan"] / p["budget_yuan"] if p["budget_yuan"] else None
    cols[0].metric(T("projects.detail.budget"), formatting.money(p["budget_yuan"], lang), border=True)
    cols[1].metric(T("projects.detail.spent"), formatting.money(p["spent_yuan"], lang), border=True,
                   help=T("projects.detail.spent.help", share=formatting.percent(share, lang)))
    cols[2].metric(T("projects.detail.progress"), f"{p['progress_pct']:.0f}%", border=True)
    cols[3].metric(T("projects.detail.residents"), formatting.count(p["residents_participating"], lang), border=True)
    cols[4].metric(T("projects.detail.difficulties"), formatting.count(p["difficulties_solved"], lang), border=True)
    card = cached(projects.project_scorecard, scope, code)
    total = (100 * (card["weight"] * card["achievement"]).sum() / card["weight"].sum()) if not card.empty else None
    cols[5].metric(T("projects.detail.total"), "—" if total is None else f"{total:.1f}", border=True)

    def day(value):
        return formatting.day(value, lang) if value is not None and not pd.isna(value) else "—"

    left, right = st.columns([1, 1])
    with left:
        facts = [
            (T("projects.detail.need"), p["need"]),
            (T("projects.detail.category"), value_name(p["category"], lang)),
            (T("projects.detail.funding"), value_name(p["funding_source"], lang)),
            (T("projects.detail.lead"), value_name(p["lead_unit"], lang)),
            (T("projects.detail.partners"), p["partners"] or "—"),
        ]
        st.html(tables.small_table_html(pd.DataFrame(facts, columns=["", " "])))
        st.caption(T("projects.detail.dates", applied=day(p["applied_on"]), approved=day(p["approved_on"]),
                     ps=day(p["planned_start"]), pe=day(p["planned_end"]), as_=day(p["actual_start"]),
                     ae=day(p["actual_end"])))
    with right:
        st.markdown(f"**{T('projects.detail.milestones')}**")
        ms = cached(projects.project_milestones, scope, [code])
        ms = ms.assign(
            milestone=ms["name"].map(lambda n: value_name(n, lang)),
            state=[T("projects.milestone.done") if pd.notna(d) else
                   T("projects.milestone.late") if planned < ctx.reference else T("projects.milestone.pending")
                   for planned, d in zip(ms["planned_on"], ms["done_on"], strict=True)],
        )
        table(ms, ["milestone", "planned_on", "done_on", "state"], f"milestones_{code}",
              record=("milestones", ms, ["project_code", "seq", "name", "planned_on", "done_on"]))
    show_chart(project_charts.timeline(detail, ms, ctx.reference, lang), lang)

    st.subheader(T("projects.detail.scorecard"))
    if card.empty:
        st.info(T("projects.detail.not_scored"))
        return
    st.caption(T("projects.acceptance.caption", cap=int(projects.ACCEPTANCE_CAP * 100)))
    everything = period_options(ctx.start, ctx.reference)[0]
    district_avg = cached(projects.acceptance_average, scope.widened().with_period(everything))
    street_avg = cached(projects.acceptance_average, replace(scope.widened(), street=p["street_code"],
                                                             period=everything))
    cols = st.columns(3)
    cols[0].metric(T("projects.detail.total"), f"{total:.1f}", border=True)
    for col, label, avg in ((cols[1], "projects.detail.street_avg", street_avg),
                            (cols[2], "projects.detail.district_avg", district_avg)):
        value = avg["average_total"].iloc[0]
        col.metric(T(label), formatting.count(value) if pd.isna(value) else f"{value:.1f}",
                   delta=None if pd.isna(value) else f"{total - value:+.1f}", border=True)
    left, right = st.columns([3, 2])
    with left:
        show_chart(project_charts.scorecard_bars(card, lang), lang)
    with right:
        st.markdown(f"**{T('projects.detail.pulled_down')}**")
        st.caption(T("projects.detail.pulled_down.caption"))
        down = card[card["weighted_shortfall"] > 0].sort_values("weighted_shortfall", ascending=False)
        if down.empty:
            st.success(T("projects.detail.all_on_target"))
        else:
            down = down.assign(name=down["name_en"] if lang == "en" else down["name"])
            table(down, ["name", "score", "target", "weight", "weighted_shortfall"], f"pulled_down_{code}",
                  formats={"weighted_shortfall": "%.2f"})
    shown = card.assign(name=card["name_en"] if lang == "en" else card["name"],
                        direction=card["direction"].map(lambda d: T(f"projects.direction.{d}")))
    table(shown, ["name", "direction", "weight", "target", "score", "achievement", "weighted_shortfall"],
          f"scorecard_{code}", height=36 * (len(shown) + 1) + 4,
          formats={"achievement": "%.3f", "weighted_shortfall": "%.3f"})


page_header(T("projects.title"), scope, place, ctx.reference, lang)

requested = st.query_params.get("project")
if requested:
    show_detail(requested)
    st.stop()

scope_totals = cached(projects.project_totals, scope)
in_scope = int(scope_totals["projects"].iloc[0])
if not in_scope:
    st.info(T("empty.projects"))
    st.stop()

# --- headline: funnel and status counts with change ---------------------------------------------
overdue = cached(projects.overdue_projects, scope, ctx.reference)
district_row = cached(projects.progress_rollup, scope, "district")
acceptance = cached(projects.acceptance_average, scope)
tiles = st.columns(6)
tiles[0].metric(T("projects.kpi.projects"), formatting.count(in_scope), border=True)
tiles[1].metric(T("projects.kpi.budget"), formatting.money(scope_totals["budget_yuan"].iloc[0], lang), border=True)
tiles[2].metric(T("projects.kpi.spent"), formatting.money(scope_totals["spent_yuan"].iloc[0], lang), border=True)
tiles[3].metric(T("projects.rollup.district"), f"{district_row['weighted_progress'].iloc[0]:.1f}%", border=True,
                help=T("projects.rollup.district.help"))
tiles[4].metric(T("projects.kpi.overdue"), formatting.count(len(overdue)), border=True)
avg_total = acceptance["average_total"].iloc[0]
tiles[5].metric(T("projects.kpi.acceptance"), "—" if pd.isna(avg_total) else f"{avg_total:.1f}", border=True)

left, right = st.columns([2, 3])
with left:
    st.subheader(T("projects.funnel"))
    show_chart(project_charts.funnel(cached(projects.project_funnel, scope), lang), lang)
with right:
    st.caption(T("projects.funnel.caption"))
    counts, counts_prev = cached_pair(projects.project_stage_counts, scope, previous)
    st.caption(T("caption.delta", prev=f"{previous.period.start} — {previous.period.end}") if previous
               else T("caption.no_delta"))
    for i, row in enumerate(counts.itertuples()):
        if i % 3 == 0:  # rows of three, in stage order (a phone wraps each row, keeping the order)
            grid = st.columns(3)
        prev = None
        if counts_prev is not None:
            prev = int(counts_prev.loc[counts_prev["status"] == row.status, "projects"].iloc[0])
        with grid[i % 3]:
            kpi_tile(value_name(row.status, lang), row.projects, prev, formatting.count, lang,
                     lower_is_better=row.status not in PROJECT_STAGES)  # suspended

# --- filters shared by the board, the timeline and the list --------------------------------------
options = cached(projects.board_options, scope).groupby("column")["value"].apply(list)
with st.container(border=True):
    f = st.columns([2, 2, 2, 2, 2])
    picks = {}
    for col, (column, label) in zip(f[:4], (("category", "projects.filter.category"),
                                             ("funding_source", "projects.filter.funding"),
                                             ("status", "projects.filter.status"),
                                             ("lead_unit", "projects.filter.lead")), strict=True):
        choices = PROJECT_STATUSES if column == "status" else options.get(column, [])
        picks[column] = tuple(col.multiselect(T(label), choices, format_func=lambda v: value_name(v, lang),
                                              key=f"filter_{column}", placeholder=T("projects.filter.any")))
    search = f[4].text_input(T("projects.filter.search"), key="filter_search").strip()
    g = st.columns([2, 1, 5])
    sort_by = g[0].selectbox(T("projects.sort"), list(projects.BOARD_SORTS),
                             format_func=lambda k: T(f"projects.sort.{k}"), key="board_sort")
    per_column = int(g[1].number_input(T("projects.per_column"), min_value=1, max_value=50, value=8, step=1,
                                       key="board_per_column"))

LIST_ROWS = 200  # rows of the list drawn on screen (and the timeline's first); its downloads hold them all
view = projects.BoardView(**picks, search=search, sort=sort_by)

# --- project picker: the scope's projects that match the search, the first few by code ---------------------
PICKER_ROWS = 200
titles = cached(projects.project_titles, scope, search, PICKER_ROWS + 1)  # one more: are there others?
more = len(titles) > PICKER_ROWS
titles = titles.head(PICKER_ROWS)
labels = dict(zip(titles["code"], titles["code"] + " · " + titles["title"], strict=True))


def _open_project():
    chosen = st.session_state.get("project_pick")
    if chosen:
        st.query_params["project"] = chosen


st.selectbox(T("projects.detail.pick"), list(labels), index=None, format_func=labels.get, key="project_pick",
             placeholder=T("projects.detail.more", n=PICKER_ROWS) if more else T("projects.detail.none"),
             on_change=_open_project)


def board_view() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, int]:
    """The view's cards, its first rows, projects per stage and in all (only the tabs that show them ask)."""
    cards, first_rows = cached(projects.board_view, scope, ctx.reference, view, per_column, LIST_ROWS)
    column_totals = cards.groupby("status")["column_total"].first()
    return cards, first_rows, column_totals, int(column_totals.sum())


def board_section():
    cards, first_rows, column_totals, matching = board_view()
    st.caption(T("projects.board.caption", shown=formatting.count(matching), total=formatting.count(in_scope),
                 n=per_column))
    if not matching:
        st.info(T("projects.empty.filtered"))
        return
    for col, status in zip(st.columns(len(PROJECT_STATUSES)), PROJECT_STATUSES, strict=True):
        col.html(project_charts.board_column_html(cards[cards["status"] == status], status,
                                                  int(column_totals.get(status, 0)), lang))
    def project_list() -> None:
        columns = ["code", "title", "street_name", "community_name", "status", "category", "funding_source",
                   "lead_unit", "need", "progress_pct", "days_in_stage", "budget_yuan", "spent_yuan", "planned_end",
                   "days_overdue"]
        if matching > LIST_ROWS:
            st.caption(T("projects.table.capped", n=formatting.count(LIST_ROWS), total=formatting.count(matching)))
        st.dataframe(translated(first_rows, "status", "category", "funding_source", "lead_unit")[columns]
                     .rename(columns=headers(*columns)), hide_index=True, height=400)

        def every_match() -> pd.DataFrame:  # the stored values, as the import template has them
            return cached(projects.board_list, scope, ctx.reference, view)[columns]
        record_download(every_match, "projects", "projects", place, lang, columns, context=CATALOGUE_KEYS,
                        key="csv-projects")

    lazy_expander(T("projects.table.list"), "projects-list", project_list)


def timeline_section():
    _, first_rows, _, matching = board_view()
    if not matching:
        st.info(T("projects.empty.filtered"))
        return
    st.caption(T("projects.timeline.caption", date=formatting.day(ctx.reference, lang)))
    cap = project_charts.TIMELINE_CAP
    if matching > cap:
        st.caption(T("projects.timeline.capped", n=cap, total=formatting.count(matching)))
    first = first_rows.head(cap)
    milestones = cached(projects.project_milestones, scope, list(first["code"]))
    show_chart(project_charts.timeline(first, milestones, ctx.reference, lang), lang)


def overdue_section():
    st.subheader(T("projects.overdue"))
    st.caption(T("projects.overdue.caption", date=formatting.day(ctx.reference, lang)))
    if overdue.empty:
        st.info(T("projects.empty.overdue"))
    else:
        overdue_columns = ["code", "title", "street_name", "community_name", "status", "lead_unit", "planned_end",
                           "days_overdue", "progress_pct"]
        table(translated(overdue, "status", "lead_unit"), overdue_columns, "overdue_projects",
              record=("projects", overdue, overdue_columns))
    st.subheader(T("projects.stalled"))
    n_days = st.columns([1, 4])[0].number_input(T("projects.stalled.days"), min_value=1, max_value=720,
                                                value=projects.STALLED_DAYS, step=10, key="stalled_days")
    st.caption(T("projects.stalled.caption", n=int(n_days), date=formatting.day(ctx.reference, lang)))
    stalled = cached(projects.stalled_projects, scope, ctx.reference, int(n_days))
    if stalled.empty:
        st.info(T("projects.empty.stalled"))
    else:
        stalled_columns = ["code", "title", "street_name", "community_name", "status", "lead_unit", "last_activity",
                           "days_since_milestone", "progress_pct"]
        table(translated(stalled, "status", "lead_unit"), stalled_columns, "stalled_projects",
              record=("projects", stalled, stalled_columns))


def rollup_section():
    overall = float(district_row["weighted_progress"].iloc[0])
    st.caption(T("projects.rollup.district.help"))
    level = "street" if scope.level == "district" else "community"
    rollup = cached(projects.progress_rollup, scope, level)
    name_col = "name_en" if level == "street" and lang == "en" else "name"
    st.subheader(T(f"projects.rollup.{level}"))
    show_chart(project_charts.rollup_bars(rollup, name_col, lang, overall), lang)
    table(rollup.assign(unit=rollup[name_col]), ["unit", "projects", "completed", "budget_yuan", "weighted_progress"],
          f"progress_by_{level}",
          formats={"weighted_progress": "%.1f"})


def breakdown_section():
    for dimension in ("category", "funding_source", "need"):
        st.subheader(T(f"projects.breakdown.{dimension}"))
        frame = cached(projects.projects_by, scope, dimension)
        left, right = st.columns([3, 2])
        with left:
            show_chart(project_charts.breakdown_bars(frame, lang), lang)
        with right:
            table(translated(frame, "value"), ["value", "projects", "completed", "budget_yuan", "spent_yuan",
                                               "residents_participating", "weighted_progress"],
                  f"projects_by_{dimension}", height=360,
                  formats={"weighted_progress": "%.1f"})


def acceptance_section():
    totals = cached(projects.acceptance_totals, scope)
    if totals.empty:
        st.info(T("projects.empty.acceptance"))
    else:
        st.caption(T("projects.acceptance.caption", cap=int(projects.ACCEPTANCE_CAP * 100)))
        weakest = cached(projects.weakest_indicators, scope)
        left, right = st.columns(2)
        with left:
            st.subheader(T("projects.acceptance.weakest"))
            show_chart(project_charts.weakest_bars(weakest, lang), lang)
        with right:
            st.subheader(T("projects.acceptance.distribution"))
            show_chart(project_charts.totals_histogram(totals, lang, {T("projects.kpi.acceptance"): avg_total}),
                            lang)
        shown_weak = weakest.assign(name=weakest["name_en"] if lang == "en" else weakest["name"],
                                    direction=weakest["direction"].map(lambda d: T(f"projects.direction.{d}")))
        table(shown_weak, ["name", "direction", "weight", "target", "average_score", "average_achievement",
                           "share_below_target"], "weakest_indicators",
              formats=dict.fromkeys(("average_score", "average_achievement", "share_below_target"), "%.3f"))
        level = "street" if scope.level == "district" else "community"
        st.subheader(T("projects.acceptance.heatmap", level=T(f"projects.level.{level}")))
        averages = cached(projects.indicator_averages, scope, level)
        show_chart(project_charts.indicator_heatmap(averages, lang), lang)
        unit_names = averages["name_en"] if level == "street" and lang == "en" else averages["name"]
        indicator_names = averages["indicator_name_en" if lang == "en" else "indicator_name"]
        averages = averages.assign(unit=unit_names, name=indicator_names)
        columns = ["unit", "indicator_code", "name", "average_score", "average_achievement", "projects"]
        csv_download(averages[columns], f"indicator_averages_by_{level}", place, lang, headers=headers(*columns),
                     key="csv-indicator-averages", fractions=("average_achievement",))
        table(totals, ["project_code", "title", "community_name", "total"], "acceptance_totals", height=300,
              formats={"total": "%.1f"})


render_sections("projects", {
    "board": board_section,
    "timeline": timeline_section,
    "overdue": overdue_section,
    "rollup": rollup_section,
    "breakdown": breakdown_section,
    "acceptance": acceptance_section,
}, lang, labels="tab")
