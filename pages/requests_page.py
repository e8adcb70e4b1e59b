"""诉求办理 Requests: volumes, status funnel, responsiveness, backlog, satisfaction and micro wishes.

Follows the sidebar scope. Requester names and phone numbers arrive masked from
data_access (privacy module); this page never sees raw personal data.
"""

from functools import partial

import pandas as pd
import streamlit as st

from components import charts, formatting, tables
from components import request_charts as rc
from components.audit_trail import audited_bytes
from components.chart_text import show_chart
from components.data import cached, cached_pair, data_context, data_version
from components.downloads import csv_download, download_filename, record_download
from components.guard import require_entry_point
from components.i18n import value_name
from components.kpi import frame_tiles, kpi_tile
from components.page_header import page_header
from components.scope_sidebar import current_language, current_scope, period_label, place_label, translator
from components.sections import render_sections
from data_access import geography, open311, projects, requests
from data_access.domain import REQUEST_CHANNEL_VISIT, REQUEST_ESCALATED, REQUEST_RETURNED
from data_access.scope import parse_period

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

T, lang, scope, ctx = translator(), current_language(), current_scope(), data_context()
previous = scope.previous(ctx.start)
targets = requests.load_request_targets()
place = place_label(scope, cached(geography.streets), cached(geography.communities), lang)
#: Tables show the previous period and the change only when there is one.
CHANGE_COLUMNS = ["previous", "change"] if previous is not None else []


def headers(columns) -> dict[str, str]:
    """Display headers for a table's columns (catalogue keys requests.col.*)."""
    return {c: T(f"requests.col.{c}") for c in columns}


def show_table(frame, columns, stem, *, percent=(), decimals=(), translate=(), statuses=(), height=None, record=None):
    """A table with translated headers and values, formatted numbers, and its downloads: raw values, shares
    as fractions (docs/exports.md); a list of requests (``record``: its import area) as the import template."""
    labelled = frame[list(columns)].copy()
    for c in translate:
        labelled[c] = labelled[c].map(lambda v: value_name(v, lang) if isinstance(v, str) else v)
    for c in statuses:
        labelled[c] = labelled[c].map(lambda v: rc.status_name(v, lang))
    shown = labelled.copy()
    for c in percent:
        shown[c] = (shown[c].astype(float) * 100).round(1)
    for c in decimals:
        shown[c] = shown[c].astype(float).round(1)
    names = headers(columns)
    formats = {c: "localized" for c in columns if pd.api.types.is_integer_dtype(shown[c])}
    signed = {"median_vs_district"}  # differences read with their sign
    # a difference of shares is in percentage points: the header says so, the cell shows no % sign
    percent_format = {"change": "%+.1f%%", "on_time_vs_district": "%+.1f"}
    formats.update({c: percent_format.get(c, "%.1f%%") for c in percent})
    formats.update({c: "%+.1f" if c in signed else "%.1f" for c in decimals})
    tables.show_frame(shown, names, formats, height=height)
    if record:
        record_download(frame[list(columns)], record, stem, place, lang, columns,
                        context={c: f"requests.col.{c}" for c in columns}, key=f"download-{stem}")
        return
    # in the download a difference of shares is a fraction too, so its header names no percentage points
    download_names = {**names, **({"on_time_vs_district": T("requests.col.on_time_vs_district_diff")}
                                  if "on_time_vs_district" in names else {})}
    csv_download(labelled, stem, place, lang, headers=download_names, key=f"download-{stem}", fractions=percent)


tile = frame_tiles(T, lang)


@st.cache_data(show_spinner=False, max_entries=64)
def open311_bytes(scope_, targets_, version: str) -> bytes:
    """The Open311 JSON of the scope's export, built once per scope, targets and data version."""
    return open311.open311_json(cached(requests.requests_for_export, scope_), dict(targets_))


def score(value, lang_=lang):
    return "—" if formatting.is_missing(value) else T("requests.score", value=f"{float(value):.2f}")


page_header(T("requests.title"), scope, place, ctx.reference, lang, previous=previous, compares=True,
            note=T("requests.privacy"))

if st.query_params.get("request"):  # one request's timeline (issue 22), above the page's figures
    from components.timeline_view import render_request_timeline

    render_request_timeline(st.query_params["request"], scope, ctx.reference, targets, lang)

totals, totals_prev = cached_pair(requests.request_totals, scope, previous)
resp, resp_prev = cached_pair(requests.responsiveness, scope, previous, targets=targets)

row = st.columns(5)
with row[0]:
    tile("requests.kpi.received", totals, totals_prev, "received", formatting.count)
with row[1]:
    tile("requests.kpi.resolved", totals, totals_prev, "resolved", formatting.count)
with row[2]:
    tile("requests.kpi.platform_resolved", totals, totals_prev, "platform_resolved", formatting.count,
         help=T("requests.kpi.platform_resolved.help"))
with row[3]:
    tile("requests.kpi.rate", totals, totals_prev, "resolution_rate", formatting.percent, kind="points")
with row[4]:
    backlog, backlog_prev = cached_pair(requests.open_requests_by_status, scope, previous, ctx.reference)
    kpi_tile(T("requests.kpi.open"), backlog["open"].sum(), backlog_prev["open"].sum() if backlog_prev is not None
             else None, formatting.count, lang, lower_is_better=True, help=T("requests.kpi.open.help"))
row = st.columns(5)
with row[0]:
    tile("requests.kpi.median", totals, totals_prev, "median_days", formatting.days, kind="days",
         lower_is_better=True, help=T("requests.kpi.time.help"))
with row[1]:
    tile("requests.kpi.p90", totals, totals_prev, "p90_days", formatting.days, kind="days",
         lower_is_better=True, help=T("requests.kpi.time.help"))
with row[2]:
    tile("requests.kpi.on_time", resp, resp_prev, "on_time_share", formatting.percent, kind="points",
         help=T("requests.kpi.on_time.help"))
with row[3]:
    tile("requests.kpi.satisfaction", totals, totals_prev, "satisfaction", lambda v, _l: score(v),
         kind="relative")
with row[4]:
    wishes, wishes_prev = cached_pair(requests.wish_totals, scope, previous)
    tile("requests.wishes.fulfilled", wishes, wishes_prev, "fulfilled", formatting.count,
         help=T("requests.wishes.fulfilled.help"))

if totals["received"].iloc[0] == 0:
    st.info(T("empty.requests"))
    st.stop()

def volumes_section():
    left, right = st.columns([3, 2])
    with left:
        st.subheader(T("requests.by_month"))
        show_chart(charts.monthly_requests(cached(requests.requests_by_month, scope), lang), lang)
    with right:
        st.subheader(T("requests.by_category"))
        if previous is not None:
            st.caption(T("requests.by_category.caption"))
        by_category, by_category_prev = cached_pair(requests.requests_by_category, scope, previous)
        categories = rc.with_change(by_category, by_category_prev, "category")
        show_chart(rc.category_bars(categories, lang), lang)
    if previous is None:
        st.caption(T("requests.no_previous"))
    left, right = st.columns(2)
    with left:
        st.subheader(T("requests.by_channel"))
        channels, channels_prev = cached_pair(requests.requests_by_channel, scope, previous)
        show_table(rc.with_change(channels, channels_prev, "channel"),
                   ["channel", "received", "resolved", *CHANGE_COLUMNS], "requests_by_channel",
                   percent=["change"] if previous else [], translate=["channel"])
    with right:
        st.subheader(T("requests.by_category.table"))
        show_table(categories, ["category", "received", "resolved", "resolution_rate", *CHANGE_COLUMNS],
                   "requests_by_category", percent=["resolution_rate", "change"] if previous else ["resolution_rate"],
                   translate=["category"])


def funnel_section():
    funnel = cached(requests.status_funnel, scope)
    left, right = st.columns([3, 2])
    with left:
        st.caption(T("requests.funnel.caption"))
        show_chart(rc.status_funnel(funnel, lang), lang)
    with right:
        side = funnel.set_index("status")
        cols = st.columns(2)
        with cols[0]:
            st.metric(T("requests.funnel.returned"), formatting.count(side.loc[REQUEST_RETURNED, "reached"]),
                      border=True)
        with cols[1]:
            st.metric(T("requests.funnel.escalated"), formatting.count(side.loc[REQUEST_ESCALATED, "reached"]),
                      border=True)
        st.markdown(f"**{T('requests.funnel.current')}**")
        show_table(funnel, ["status", "reached", "current"], "request_status_funnel", statuses=["status"])


def responsiveness_section():
    district = cached(requests.responsiveness, scope.widened(), targets=targets)
    left, right = st.columns([1, 3])
    with left:
        st.subheader(T("requests.targets"))
        st.caption(T("requests.targets.caption"))
        show_table(requests.targets_frame(targets), ["category", "target_days"], "request_targets",
                   translate=["category"], decimals=["target_days"])
    with right:
        st.subheader(T("requests.league"))
        dist = district.iloc[0] if len(district) else None
        st.caption(T("requests.league.caption",
                     median=formatting.days(dist["median_days"] if dist is not None else None, lang),
                     share=formatting.percent(dist["on_time_share"] if dist is not None else None, lang)))
        tabs = st.tabs([T(f"requests.league.{level}") for level in requests.LEAGUE_LEVELS])
        for tab, level in zip(tabs, requests.LEAGUE_LEVELS, strict=True):
            with tab:
                league = rc.league_table(cached(requests.responsiveness, scope, level, targets=targets), district)
                if league.empty:
                    st.info(T("empty.requests"))
                    continue
                columns = ["rank", "name"] + (["street_name"] if level == "community" else []) + [
                    "resolved", "median_days", "p90_days", "median_vs_district", "on_time_share",
                    "on_time_vs_district"]
                chart_rows = league if len(league) <= 20 else league.head(20)
                show_chart(rc.league_bars(chart_rows, dist["median_days"] if dist is not None else None, lang),
                                lang, key=f"league-chart-{level}")
                show_table(league, columns, f"request_league_{level}",
                           decimals=["median_days", "p90_days", "median_vs_district"],
                           percent=["on_time_share", "on_time_vs_district"],
                           translate=["name"] if level == "category" else [], height=380)


def backlog_section(open_by_status: pd.DataFrame):
    """The open requests by status (the headline's query, passed in) and the stalest of them."""
    st.caption(T("requests.backlog.caption", date=formatting.day(ctx.reference, lang)))
    if open_by_status["open"].sum() == 0:
        st.info(T("requests.backlog.none"))
    else:
        left, right = st.columns([1, 3])
        with left:
            show_table(open_by_status, ["status", "open", "median_idle_days"], "open_requests_by_status",
                       statuses=["status"], decimals=["median_idle_days"])
        with right:
            stalest = cached(requests.stalest_open_requests, scope, ctx.reference, 20)
            st.markdown(f"**{T('requests.backlog.stalest', n=len(stalest))}**")
            show_table(stalest, ["id", "category", "status", "street", "community", "handling_unit", "submitted_at",
                                 "last_change", "idle_days", "requester_name", "requester_phone"],
                       "stalest_open_requests", translate=["category"], statuses=["status"], decimals=["idle_days"],
                       record="requests")
            from components.timeline_view import timeline_picker

            timeline_picker(list(stalest["id"]), lang, key="backlog-timeline")


def residents_section():
    left, right = st.columns(2)
    with left:
        per_thousand = cached(requests.requests_per_thousand, scope)
        st.subheader(T("requests.per_thousand", n=min(15, len(per_thousand))))
        show_chart(rc.per_thousand_bars(per_thousand, lang), lang)
        with st.expander(T("requests.col.per_thousand")):
            show_table(per_thousand, ["name", "street_name", "population", "received", "per_thousand"],
                       "requests_per_thousand", decimals=["per_thousand"])
    with right:
        st.subheader(T("requests.growth"))
        growth_scope, growth_prev = scope, previous
        if previous is None:  # "all" has no previous span: compare the latest year with the one before
            year = parse_period(str(ctx.reference.year), ctx.start, ctx.reference)
            growth_scope = scope.with_period(year) if year else scope
            growth_prev = growth_scope.previous(ctx.start)
        if growth_prev is None:
            st.info(T("requests.no_previous"))
        else:
            st.caption(T("requests.growth.caption", current=period_label(growth_scope.period, lang),
                         previous=f"{growth_prev.period.start} — {growth_prev.period.end}"))
            now, before = cached_pair(requests.requests_by_category, growth_scope, growth_prev)
            growth = rc.fastest_growing(rc.with_change(now, before, "category"))
            if growth.empty:
                st.info(T("requests.no_previous"))
            else:
                show_chart(rc.growth_bars(growth, lang), lang)


def satisfaction_section():
    distribution = cached(requests.satisfaction_distribution, scope)
    if distribution["requests"].sum() == 0:
        st.info(T("requests.satisfaction.none"))
    else:
        average = totals["satisfaction"].iloc[0]
        cols = st.columns(3)
        with cols[0]:
            st.subheader(T("requests.satisfaction.distribution"))
            show_chart(rc.satisfaction_bars(distribution, lang), lang)
        with cols[1]:
            st.subheader(T("requests.satisfaction.by_category"))
            show_chart(rc.average_satisfaction_bars(cached(requests.satisfaction_by, scope, "category"), average,
                                                         lang), lang)
        with cols[2]:
            st.subheader(T("requests.satisfaction.by_street"))
            by_street = cached(requests.satisfaction_by, scope, "street")
            show_chart(rc.average_satisfaction_bars(by_street, average, lang), lang)
            with st.expander(T("requests.satisfaction.by_street")):
                show_table(by_street, ["name", "rated", "satisfaction"], "satisfaction_by_street",
                           decimals=["satisfaction"])


def wishes_section(wishes: pd.DataFrame, wishes_prev: pd.DataFrame | None):
    """Micro wishes: the headline's totals and the previous span's (passed in), funnel, claimers, weeks."""
    if wishes["posted"].iloc[0] == 0:
        st.info(T("requests.wishes.none"))
    else:
        cols = st.columns(4)
        with cols[0]:
            tile("requests.wishes.posted", wishes, wishes_prev, "posted", formatting.count)
        with cols[1]:
            tile("requests.wishes.claimed", wishes, wishes_prev, "claimed", formatting.count)
        with cols[2]:
            tile("requests.wishes.fulfilled", wishes, wishes_prev, "fulfilled", formatting.count)
        with cols[3]:
            tile("requests.wishes.median", wishes, wishes_prev, "median_days_to_fulfil", formatting.days, kind="days",
                 lower_is_better=True)
        by_claimer = cached(requests.wishes_by_claimer, scope)
        cols = st.columns(3)
        with cols[0]:
            show_chart(rc.wish_funnel(wishes, lang), lang)
        with cols[1]:
            st.markdown(f"**{T('requests.wishes.by_claimer')}**")
            if not by_claimer.empty:
                show_chart(rc.claimer_bars(by_claimer, lang), lang)
                kinds = by_claimer["claimer_kind"].map(lambda k: rc.claimer_name(k, lang))
                show_table(by_claimer.assign(claimer_kind=kinds),
                           ["claimer_kind", "claimed", "fulfilled", "median_days_to_fulfil"], "wishes_by_claimer",
                           decimals=["median_days_to_fulfil"])
        with cols[2]:
            st.markdown(f"**{T('requests.wishes.weeks')}**")
            weeks = cached(requests.wish_fulfilment_times, scope)
            if not weeks.empty:
                show_chart(rc.wish_weeks_bars(weeks, lang), lang)


def talks_section():
    channels, channels_prev = cached_pair(requests.requests_by_channel, scope, previous)
    visits = channels.set_index("channel")
    visits_prev = channels_prev.set_index("channel") if channels_prev is not None else None
    collected = int(visits.loc[REQUEST_CHANNEL_VISIT, "received"]) if REQUEST_CHANNEL_VISIT in visits.index else 0
    solved = int(visits.loc[REQUEST_CHANNEL_VISIT, "resolved"]) if REQUEST_CHANNEL_VISIT in visits.index else 0


    def _visit(column):
        if visits_prev is None or REQUEST_CHANNEL_VISIT not in visits_prev.index:
            return None
        return visits_prev.loc[REQUEST_CHANNEL_VISIT, column]


    project_totals, project_totals_prev = cached_pair(projects.project_totals, scope, previous)
    cols = st.columns(4)
    with cols[0]:
        kpi_tile(T("requests.talks.collected"), collected, _visit("received"), formatting.count, lang)
    with cols[1]:
        kpi_tile(T("requests.talks.resolved"), solved, _visit("resolved"), formatting.count, lang)
    with cols[2]:
        prev_rate = _visit("resolved") / _visit("received") if _visit("received") else None
        kpi_tile(T("requests.talks.rate"), solved / collected if collected else None, prev_rate, formatting.percent,
                 lang, kind="points")
    with cols[3]:
        tile("requests.talks.difficulties", project_totals, project_totals_prev, "difficulties_solved",
             formatting.count)


def export_section():
    # the export's rows are queried only when a button is clicked: its size is known from the totals
    exported = min(int(totals["received"].iloc[0]) if len(totals) else 0, requests.EXPORT_LIMIT)
    st.caption(T("requests.export.caption", n=formatting.count(exported), cap=formatting.count(requests.EXPORT_LIMIT)))
    EXPORT_COLUMNS = ["id", "channel", "category", "status", "street", "community", "community_code", "lat", "lon",
                      "submitted_at", "accepted_at", "resolved_at", "closed_at", "handling_unit", "satisfaction",
                      "description", "requester_name", "requester_phone"]


    def export_rows():
        return cached(requests.requests_for_export, scope)[EXPORT_COLUMNS]


    with st.container(horizontal=True):
        # the stored records as the import template has them, in either language: it imports back
        record_download(export_rows, "requests", "requests_export", place, lang, EXPORT_COLUMNS,
                        context={"street": "requests.col.street", "community": "requests.col.community"},
                        key="download-requests_export")
        json_name = download_filename("requests_open311", place).removesuffix(".csv") + ".json"
        st.download_button(T("requests.export.json"),
                           data=audited_bytes(lambda: open311_bytes(scope, targets, data_version()),
                                              target="requests_open311", scope=place, file_name=json_name),
                           file_name=json_name,
                           mime="application/json", key="download-requests_open311", icon=":material/data_object:",
                           on_click="ignore")


render_sections("requests", {
    "volumes": volumes_section,
    "funnel": funnel_section,
    "responsiveness": responsiveness_section,
    "backlog": partial(backlog_section, backlog),
    "residents": residents_section,
    "satisfaction": satisfaction_section,
    "wishes": partial(wishes_section, wishes, wishes_prev),
    "talks": talks_section,
    "export": export_section,
}, lang)
