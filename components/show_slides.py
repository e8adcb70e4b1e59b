"""The big-screen panels of the presenter show, one function per panel.

Each panel draws one slide for the slide's OWN scope (never the sidebar's), with the
existing query functions through :func:`components.data.cached` and the existing pure
builders, restyled by :mod:`components.show_charts`. Requests are shown as totals only:
no query that returns a person's name, phone or address is called here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from components import alert_tables, bulletin_report, chart_text, charts, formatting, maps, project_charts, show_charts
from components import request_charts as rc
from components import resource_charts as resc
from components import scorecard_charts as sc
from components.data import DataContext, cached, district_map_shapes, map_labels, map_shapes
from components.i18n import text, translator_for
from components.playlist import Slide
from data_access import bulletin, community_measures, evaluation, followup, geography, projects, requests, resources
from data_access.scope import Scope

CHART_CONFIG = {"displayModeBar": False, "displaylogo": False}
#: The content area between the header band and the control bar at 1920×1080.
CHART_HEIGHT = 620
MAP_HEIGHT = 760
MAP_WIDTH = 1340  # the map's column at 1920 px; its view fits the shapes to this


def _value(frame: pd.DataFrame, column: str):
    return frame[column].iloc[0] if len(frame) and column in frame else None


def _chart(fig, theme: str, title: str, lang: str, height: int = CHART_HEIGHT, key: str | None = None) -> None:
    """A show chart under its title; its main facts (as the pages' captions say them) go to screen readers."""
    st.markdown(show_charts.chart_title_html(title, chart_text.chart_caption(fig, lang)), unsafe_allow_html=True)
    st.plotly_chart(show_charts.big_screen(fig, theme, height), theme=None, config=CHART_CONFIG, key=key)


def _kpis(items, stacked: bool = False) -> None:
    st.markdown(show_charts.kpis_html(items, stacked), unsafe_allow_html=True)


def _empty(lang: str) -> None:
    st.info(text("show.empty", lang))


def _stage_bars(stages: pd.DataFrame, lang: str):
    """Projects by stage; a community's handful gets whole-number ticks (not 0, 0, 1, 1)."""
    fig = charts.stage_bars(stages, lang)
    if len(stages) and stages["projects"].max() <= 10:
        fig.update_xaxes(dtick=1)
    return fig


def overview(slide: Slide, scope: Scope, lang: str, theme: str, ctx: DataContext, key: str) -> None:
    T = translator_for(lang)
    proj = cached(projects.project_totals, scope)
    req = cached(requests.request_totals, scope)
    res = cached(resources.resource_totals, scope)
    _kpis([
        (T("show.kpi.projects"), formatting.count(_value(proj, "projects"))),
        (T("show.kpi.completed"), formatting.count(_value(proj, "completed"))),
        (T("show.kpi.received"), formatting.count(_value(req, "received"))),
        (T("show.kpi.rate"), formatting.percent(_value(req, "resolution_rate"), lang)),
        (T("show.kpi.fund"), formatting.money(_value(res, "fund_raised_yuan"), lang)),
    ])
    left, right = st.columns([3, 2], gap="large")
    with left:
        by_month = cached(requests.requests_by_month, scope)
        if by_month.empty:
            _empty(lang)
        else:
            _chart(charts.monthly_requests(by_month, lang), theme, T("show.chart.trend"), lang=lang, key=f"{key}-trend")
    with right:
        stages = cached(projects.project_stage_counts, scope)
        if stages.empty or not stages["projects"].sum():
            _empty(lang)
        else:
            _chart(_stage_bars(stages, lang), theme, T("show.chart.stages"), lang=lang, key=f"{key}-stages")


def map_panel(slide: Slide, scope: Scope, lang: str, theme: str, ctx: DataContext, key: str) -> None:
    measure = slide.measure or maps.DEFAULT_MEASURE
    spec = maps.MEASURES[measure]
    shapes = map_shapes()
    street = scope.effective_street
    if street:
        units = cached(community_measures.unit_measures, scope.without_community(), "community")
        units = units.loc[units["street_code"] == street].reset_index(drop=True)
        unit_shapes, bounds = shapes.communities, maps.collection_bounds(maps.unit_collection(shapes, street))
        label_size = 20
    else:
        units = cached(community_measures.unit_measures, scope, "street")
        shapes, bounds = district_map_shapes(MAP_WIDTH, MAP_HEIGHT)
        unit_shapes, label_size = shapes.streets, 22
    if units.empty:
        _empty(lang)
        return
    district_row = cached(community_measures.unit_measures, scope.widened(), "district")
    district_value = _value(district_row, spec.column)
    if measure in ("projects", "resources_used", "composite") or district_value is None or pd.isna(district_value):
        district_value = maps.unit_averages(units).get(measure)
    view = maps.community_map(
        units, unit_shapes, shapes.outline, measure, lang, district_value=district_value,
        street_shapes=shapes.streets, labels=map_labels(street), label_size=label_size,
        highlight=scope.community, bounds=bounds, schematic=shapes.schematic, width=MAP_WIDTH, height=MAP_HEIGHT,
    )
    left, right = st.columns([7, 3], gap="large")
    with left:
        st.pydeck_chart(view.deck, height=MAP_HEIGHT, key=f"{key}-map")
    with right:
        legend = view.legend
        notes = [legend.centre_label or ""]
        if view.schematic:
            notes.append(text("map.schematic_note", lang))
        st.markdown(show_charts.legend_html(legend.title, legend.unit, legend.stops, notes), unsafe_allow_html=True)
        items = []
        if scope.community:
            own = units.loc[units["code"] == scope.community]
            if len(own):
                items.append((own["name"].iloc[0], maps.format_measure(measure, own[spec.column].iloc[0], lang)))
        items += maps.map_extremes(units, measure, lang)
        _kpis(items, stacked=True)


def projects_panel(slide: Slide, scope: Scope, lang: str, theme: str, ctx: DataContext, key: str) -> None:
    T = translator_for(lang)
    totals = cached(projects.project_totals, scope)
    overdue = cached(projects.overdue_projects, scope, ctx.reference)
    count, completed = _value(totals, "projects"), _value(totals, "completed")
    share = completed / count if count else None
    _kpis([
        (T("show.kpi.projects"), formatting.count(count)),
        (T("show.kpi.completed"), formatting.count(completed)),
        (T("show.kpi.completed_share"), formatting.percent(share, lang)),
        (T("show.kpi.overdue"), formatting.count(len(overdue))),
        (T("show.kpi.difficulties"), formatting.count(_value(totals, "difficulties_solved"))),
    ])
    if not count:
        _empty(lang)
        return
    left, right = st.columns(2, gap="large")
    with left:
        _chart(project_charts.funnel(cached(projects.project_funnel, scope), lang), theme, T("show.chart.funnel"),
               lang=lang, key=f"{key}-funnel")
    with right:
        _chart(_stage_bars(cached(projects.project_stage_counts, scope), lang), theme, T("show.chart.stages"),
               lang=lang, key=f"{key}-stages")


def requests_panel(slide: Slide, scope: Scope, lang: str, theme: str, ctx: DataContext, key: str) -> None:
    T = translator_for(lang)
    totals = cached(requests.request_totals, scope)
    resp = cached(requests.responsiveness, scope, targets=requests.load_request_targets())
    _kpis([
        (T("show.kpi.received"), formatting.count(_value(totals, "received"))),
        (T("show.kpi.resolved"), formatting.count(_value(totals, "resolved"))),
        (T("show.kpi.rate"), formatting.percent(_value(totals, "resolution_rate"), lang)),
        (T("show.kpi.on_time"), formatting.percent(_value(resp, "on_time_share"), lang)),
        (T("show.kpi.median"), formatting.days(_value(totals, "median_days"), lang)),
    ])
    if not _value(totals, "received"):
        _empty(lang)
        return
    left, right = st.columns([3, 2], gap="large")
    with left:
        _chart(charts.monthly_requests(cached(requests.requests_by_month, scope), lang), theme,
               T("show.chart.trend"), lang=lang, key=f"{key}-trend")
    with right:
        categories = rc.with_change(cached(requests.requests_by_category, scope), None, "category")
        _chart(rc.category_bars(categories, lang), theme, T("show.chart.categories"),
               lang=lang, key=f"{key}-categories")
    st.caption(T("show.privacy"))


def resources_panel(slide: Slide, scope: Scope, lang: str, theme: str, ctx: DataContext, key: str) -> None:
    T = translator_for(lang)
    totals = cached(resources.resource_totals, scope)
    _kpis([
        (T("show.kpi.partners"), formatting.count(_value(totals, "partner_units"))),
        (T("show.kpi.uses"), formatting.count(_value(totals, "resource_uses"))),
        (T("show.kpi.beneficiaries"), formatting.count(_value(totals, "beneficiaries"))),
        (T("show.kpi.venues"), formatting.count(_value(totals, "venues"))),
        (T("show.kpi.fund"), formatting.money(_value(totals, "fund_raised_yuan"), lang)),
    ])
    left, right = st.columns([3, 2], gap="large")
    with left:
        by_month = cached(resources.fund_by_month, scope)
        if by_month.empty:
            _empty(lang)
        else:
            _chart(resc.fund_cumulative_lines(by_month, lang), theme, T("show.chart.fund"),
                   lang=lang, key=f"{key}-fund")
    with right:
        uptake = cached(resources.catalogue_uptake, scope)
        if uptake.empty or not (uptake["uses"] > 0).any():
            _empty(lang)
        else:
            _chart(resc.top_items_bars(uptake, lang, top=8), theme, T("show.chart.items"),
                   lang=lang, key=f"{key}-items")


def scorecards_panel(slide: Slide, scope: Scope, lang: str, theme: str, ctx: DataContext, key: str) -> None:
    T = translator_for(lang)
    level = "community" if scope.effective_street else "street"
    league = cached(evaluation.league_table, scope.without_community(), level)
    if league.empty:
        _empty(lang)
        return
    year = int(league["year"].iloc[0])
    top = league.sort_values("rank").iloc[0]
    items = [
        (T("show.kpi.units"), formatting.count(len(league))),
        (T("show.kpi.top"), f"{top['composite']:.1f}", str(top["name"])),
        (T("show.kpi.average"), f"{league['composite'].mean():.1f}"),
    ]
    if scope.community:
        own = league.loc[league["code"] == scope.community]
        if len(own):
            items.append((str(own["name"].iloc[0]), f"{own['composite'].iloc[0]:.1f}",
                          T("show.kpi.rank", rank=int(own["rank"].iloc[0]), n=len(league))))
    left, right = st.columns([7, 3], gap="large")
    shown = league.sort_values("rank").head(14)
    if lang == "en" and level == "street":
        streets = cached(geography.streets)
        shown = shown.assign(name=shown["code"].map(dict(zip(streets["code"], streets["name_en"], strict=True)))
                             .fillna(shown["name"]))
    with left:
        _chart(sc.league_bars(shown, lang), theme, T("show.chart.league", year=year),
               height=min(800, 120 + 60 * len(shown)), lang=lang, key=f"{key}-league")
    with right:
        _kpis(items, stacked=True)


def bulletin_panel(slide: Slide, scope: Scope, lang: str, theme: str, ctx: DataContext, key: str) -> None:
    """The month's bulletin (月度通报): streets ranked (a street slide: its communities) with rank changes
    and streaks, and the red and black lists. The month is the slide's (``2023-10``), or the latest
    complete month of its period; composites and ranks only, no request rows."""
    month = bulletin.month_for(slide.period, ctx.start, ctx.reference)
    if month is None:  # validation refuses such a slide; a stored file may predate the data
        _empty(lang)
        return
    street = scope.effective_street
    level = "community" if street else "street"
    try:
        b = cached(bulletin.build_bulletin, month.key, level, street, scope.role,
                   config=bulletin.load_bulletin_config(), targets=requests.load_request_targets())
    except bulletin.BulletinError:
        _empty(lang)
        return
    if b.table.empty:
        _empty(lang)
        return
    red_codes, black_codes = set(b.red["code"]), set(b.black["code"])
    st.markdown(show_charts.chart_title_html(bulletin_report.heading(b, lang)), unsafe_allow_html=True)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(show_charts.bulletin_table_html(b.table, lang, red_codes, black_codes, b.config.min_requests,
                                                    highlight=scope.community), unsafe_allow_html=True)
    with right:
        st.markdown(show_charts.bulletin_lists_html(
            text("bulletin.red", lang, n=b.config.red_list_size), bulletin_report.red_lines(b, lang),
            text("bulletin.red.empty", lang), text("bulletin.black", lang), bulletin_report.black_lines(b, lang),
            text("bulletin.black.empty", lang),
            [bulletin_report.cutoff_line(b, lang), bulletin_report.previous_line(b, lang)]), unsafe_allow_html=True)


def followups_panel(slide: Slide, scope: Scope, lang: str, theme: str, ctx: DataContext, key: str) -> None:
    """督办事项 at the meeting: the scope's items not yet finished, overdue first, with the responsible unit,
    due date, status and latest note. Live (never cached by the data's version): the street may have
    reported progress a minute ago. Overdue counts from today, not from the data's date."""
    T = translator_for(lang)
    today = date.today()
    items = cached(followup.meeting_items, scope.role, scope.effective_street, scope.community, today)
    awaiting = int((items["status"] == followup.DONE).sum()) if len(items) else 0
    _kpis([
        (T("show.followups.kpi.active"), formatting.count(len(items))),
        (T("show.followups.kpi.overdue"), formatting.count(int(items["overdue"].sum()) if len(items) else 0)),
        (T("show.followups.kpi.open"), formatting.count(len(items) - awaiting)),
        (T("show.followups.kpi.awaiting"), formatting.count(awaiting)),
    ])
    if items.empty:
        st.info(T("show.followups.none"))
    else:
        shown = items.head(show_charts.FOLLOWUP_ROWS)
        st.markdown(show_charts.followups_table_html(alert_tables.meeting_table(shown, lang, note_chars=60),
                                                     shown["overdue"].tolist()), unsafe_allow_html=True)
        if len(items) > len(shown):
            st.caption(T("show.followups.more", n=len(items) - len(shown)))
    st.caption(T("show.followups.rule", date=formatting.day(today, lang)))


PANELS: dict[str, Callable[..., None]] = {
    "overview": overview,
    "map": map_panel,
    "projects": projects_panel,
    "requests": requests_panel,
    "resources": resources_panel,
    "scorecards": scorecards_panel,
    "bulletin": bulletin_panel,
    "followups": followups_panel,
}


def render(slide: Slide, scope: Scope, lang: str, theme: str, ctx: DataContext, key: str) -> None:
    PANELS[slide.panel](slide, scope, lang, theme, ctx, key)
