"""总览 Overview: the district (or the chosen street or community) at a glance."""

from datetime import datetime
from functools import partial

import streamlit as st

from components import briefing, charts, data, deck, formatting, maps, responsive, scope_deck
from components.audit_trail import audited_bytes
from components.chart_text import show_chart
from components.data import cached, cached_pair, data_context
from components.exports import download_filename
from components.guard import require_entry_point
from components.kpi import frame_tiles
from components.page_header import page_header
from components.scope_sidebar import current_language, current_scope, period_label, place_label, translator
from data_access import (
    community_measures,
    evaluation,
    geography,
    participation,
    projects,
    requests,
    resources,
    safety,
)
from data_access.domain import SAFETY_MEASURES

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

T, lang, scope, ctx = translator(), current_language(), current_scope(), data_context()
previous = scope.previous(ctx.start)

place = place_label(scope, cached(geography.streets), cached(geography.communities), lang)
page_header(T("overview.title"), scope, place, ctx.reference, lang, previous=previous, compares=True)


def _briefing(db, scope_, ctx_, place_, period, lang_, streets) -> str:
    """The printable briefing of this scope, built only when the button is clicked (same queries as the pages)."""
    content = briefing.collect_briefing(lambda fn, *args: fn(db, *args), scope_, ctx_.start, ctx_.reference, place_,
                                        period, lang_, streets)
    return briefing.briefing_html(content, datetime.now())


def _deck(db, scope_, ctx_, lang_) -> bytes:
    """The briefing's content as an editable deck (components.scope_deck), built only when clicked."""
    return scope_deck.build_scope_deck(deck.direct(db), scope_, start=ctx_.start, reference=ctx_.reference, lang=lang_,
                                       shapes=data.map_shapes())


briefing_args = (data.database(), scope, ctx, place, period_label(scope.period, lang), lang, cached(geography.streets))
deck_name = download_filename("deck", f"{place}_{scope.period.key}", "pptx")
with st.container(horizontal=True, gap="small"):
    st.download_button(T("briefing.button"), data=audited_bytes(partial(_briefing, *briefing_args), target="briefing",
                                                              scope=f"{place} | {briefing_args[4]}",
                                                              file_name=download_filename("briefing", place, "html")),
                       file_name=download_filename("briefing", place, "html"), mime="text/html",
                       key="briefing-download", icon=":material/print:", on_click="ignore",
                       help=T("briefing.button.help"))
    st.download_button(T("deck.scope.download"), data=audited_bytes(
                           partial(_deck, data.database(), scope, ctx, lang), target="deck",
                           scope=f"{place} | {briefing_args[4]}", file_name=deck_name),
                       file_name=deck_name, mime=deck.PPTX_MIME, key="scope-deck-download",
                       icon=":material/slideshow:", on_click="ignore", help=T("deck.scope.help"))

proj, proj_prev = cached_pair(projects.project_totals, scope, previous)
req, req_prev = cached_pair(requests.request_totals, scope, previous)
wish, wish_prev = cached_pair(requests.wish_totals, scope, previous)
vol, vol_prev = cached_pair(participation.volunteer_totals, scope, previous)
res, res_prev = cached_pair(resources.resource_totals, scope, previous)


tile = frame_tiles(T, lang)


st.markdown(f"##### {T('overview.row.projects')}")
tiles = [
    ("overview.kpi.projects", proj, proj_prev, "projects", formatting.count, {"help": T("overview.kpi.projects.help")}),
    ("overview.kpi.completed", proj, proj_prev, "completed", formatting.count, {}),
    ("overview.kpi.difficulties", proj, proj_prev, "difficulties_solved", formatting.count, {}),
    ("overview.kpi.volunteers", vol, vol_prev, "new_volunteers", formatting.count, {}),
    ("overview.kpi.partners", res, res_prev, "partner_units", formatting.count,
     {"help": T("overview.kpi.partners.help")}),
    ("overview.kpi.resource_uses", res, res_prev, "resource_uses", formatting.count, {}),
    ("overview.kpi.fund", res, res_prev, "fund_raised_yuan", formatting.money, {}),
]
for col, args in zip(st.columns(len(tiles)), tiles, strict=True):
    with col:
        tile(*args[:5], **args[5])
st.markdown(f"##### {T('overview.row.requests')}")
tiles = [
    ("overview.kpi.received", req, req_prev, "received", formatting.count, {}),
    ("overview.kpi.resolved", req, req_prev, "resolved", formatting.count, {}),
    ("overview.kpi.platform_resolved", req, req_prev, "platform_resolved", formatting.count,
     {"help": T("overview.kpi.platform_resolved.help")}),
    ("overview.kpi.rate", req, req_prev, "resolution_rate", formatting.percent, {"kind": "points"}),
    ("overview.kpi.median_days", req, req_prev, "median_days", formatting.days,
     {"kind": "days", "lower_is_better": True, "help": T("overview.kpi.median_days.help")}),
    ("overview.kpi.wishes", wish, wish_prev, "fulfilled", formatting.count, {}),
    ("overview.kpi.wishes_posted", wish, wish_prev, "posted", formatting.count, {}),
]
for col, args in zip(st.columns(len(tiles)), tiles, strict=True):
    with col:
        tile(*args[:5], **args[5])

left, right = st.columns([3, 2])
with left:
    st.subheader(T("overview.trend"))
    by_month = cached(requests.requests_by_month, scope)
    if by_month.empty:
        st.info(T("empty.requests"))
    else:
        show_chart(charts.monthly_requests(by_month, lang), lang)
with right:
    st.subheader(T("overview.channels"))
    channels = cached(requests.requests_by_channel, scope)
    if channels.empty:
        st.info(T("empty.requests"))
    else:
        st.caption(T("overview.channels.caption"))
        show_chart(charts.channel_bars(channels, lang), lang)

left, right = st.columns([2, 3])
with left:
    st.subheader(T("overview.stages"))
    if proj["projects"].iloc[0] == 0:
        st.info(T("empty.projects"))
    else:
        show_chart(charts.stage_bars(cached(projects.project_stage_counts, scope), lang),
                        lang)
with right:
    st.subheader(T("overview.participation"))
    show_chart(charts.event_bars(cached(participation.events_by_kind, scope), lang),
                    lang)

st.subheader(T("overview.safety"))
declines = cached(safety.safety_yearly_decline, scope, ctx.start)
if declines.empty:
    st.caption(T("overview.safety.no_decline"))
else:
    _, _, months = safety.decline_window(scope, ctx.start)
    cols = st.columns(len(declines))
    for col, item in zip(cols, declines.itertuples(), strict=True):
        with col:
            st.metric(
                T("overview.safety.decline", measure=T(f"measure.{item.measure}")),
                formatting.percent(item.decline, lang, digits=2),
                help=T("overview.safety.decline.help", first=item.first_year, last=item.last_year,
                       months=formatting.month_span(months, lang), years=item.last_year - item.first_year,
                       t_first=formatting.count(item.first_total), t_last=formatting.count(item.last_total)),
                border=True,
            )
by_month = cached(safety.safety_by_month, scope)
if by_month.empty:
    st.info(T("empty.safety"))
else:
    show_chart(charts.safety_lines(by_month, SAFETY_MEASURES, lang), lang)

ranking = cached(evaluation.composite_scores, scope)
if ranking.empty:
    st.info(T("empty.ranking"))
else:
    st.subheader(T("overview.ranking", year=int(ranking["year"].iloc[0])))
    st.caption(T("overview.ranking.caption", cap=int(evaluation.COMPOSITE_CAP * 100)))
    show_chart(charts.ranking_pair(ranking, lang, stacked=responsive.narrow_width() is not None), lang)

# compact community map: the scope's streets (or the street's communities) by requests per 1,000 residents
st.subheader(T("map.compact.title"))
map_street = scope.effective_street
map_size = responsive.map_canvas(760, 380)
map_units = cached(community_measures.unit_measures, scope.without_community(), "community" if map_street else "street")
if map_street:
    map_shapes = data.map_shapes()
    map_source = maps.unit_collection(map_shapes, map_street)
    map_bounds = maps.collection_bounds(map_source)
else:
    map_shapes, map_bounds = data.district_map_shapes(*map_size)
    map_source = map_shapes.streets
map_view = maps.community_map(
    map_units, map_source, map_shapes.outline, maps.DEFAULT_MEASURE, lang, street_shapes=map_shapes.streets,
    labels=data.map_labels(map_street), label_size=responsive.map_label_px(12 if map_street else 13),
    highlight=scope.community, bounds=map_bounds, schematic=map_shapes.schematic, width=map_size[0], height=map_size[1],
)
map_left, map_right = st.columns([3, 2])
with map_left:
    st.pydeck_chart(map_view.deck, height=map_size[1], key="overview-map")
with map_right:
    st.html(maps.legend_html(map_view.legend))
    if map_view.schematic:
        st.caption(T("map.schematic_note"))
    st.page_link("pages/map_page.py", label=T("map.compact.link"), icon=":material/map:")
