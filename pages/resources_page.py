"""资源共享 Resources: do the district's catalogues, partners, venues and fund reach the communities in need?"""

import pandas as pd
import streamlit as st

from components import formatting, tables
from components import resource_charts as rc
from components.chart_text import show_chart
from components.data import cached, cached_pair, data_context
from components.downloads import csv_download, record_download
from components.guard import require_entry_point
from components.kpi import frame_tiles
from components.page_header import page_header
from components.scope_sidebar import current_language, current_scope, place_label, translator
from components.sections import lazy_expander, render_sections
from data_access import geography, resources
from data_access.domain import CATALOGUE_RESOURCE, CATALOGUE_SERVICE

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

T, lang, scope, ctx = translator(), current_language(), current_scope(), data_context()
previous = scope.previous(ctx.start)

place = place_label(scope, cached(geography.streets), cached(geography.communities), lang)
page_header(T("resources.title"), scope, place, ctx.reference, lang)
st.caption(T("resources.intro"))


def street_of(frame: pd.DataFrame) -> pd.Series:
    return rc.street_label(frame, lang)


def table(frame: pd.DataFrame, columns: dict[str, str], stem: str | None, values: tuple[str, ...] = (),
          height: int | None = None, formats: dict[str, str] | None = None,
          record: tuple[str, dict[str, str]] | None = None) -> None:
    """A table with translated headers (and stored values), and its CSV download following the scope
    (none when ``stem`` is None: a part of a table whose whole is offered elsewhere). The download holds
    the raw values; a list of stored records passes ``record`` (import area, {column: catalogue key}
    of what it holds) and is downloaded as the import template has it (docs/exports.md)."""
    view = frame[list(columns)].copy()
    for column in values:
        view[column] = [rc.value_label(v, lang) for v in view[column]]
    headers = {column: T(key) for column, key in columns.items()}
    tables.show_frame(view, headers, formats, height=height)
    if stem and record:
        area, held = record
        record_download(frame[list(held)], area, stem, place, lang, held, context=held, key=f"download-{stem}")
    elif stem:
        raw = frame[list(columns)].copy()  # not rounded for the screen
        for column in values:
            raw[column] = view[column]
        csv_download(raw, stem, place, lang, headers=headers, key=f"download-{stem}")


# --- headline figures -------------------------------------------------------------------
totals, totals_prev = cached_pair(resources.resource_totals, scope, previous)
fund, fund_prev = cached_pair(resources.fund_summary, scope, previous)


tile = frame_tiles(T, lang)


rows = [
    [
        ("resources.kpi.resource_items", totals, None, "resource_items", formatting.count,
         {"help": T("resources.kpi.items.help")}),
        ("resources.kpi.service_items", totals, None, "service_items", formatting.count,
         {"help": T("resources.kpi.items.help")}),
        ("resources.kpi.uses", totals, totals_prev, "resource_uses", formatting.count, {}),
        ("resources.kpi.partner_units", totals, totals_prev, "partner_units", formatting.count,
         {"help": T("resources.kpi.partner_units.help")}),
        ("resources.kpi.merchants", totals, totals_prev, "caring_merchants", formatting.count, {}),
    ],
    [
        ("resources.kpi.public_services", totals, totals_prev, "public_services", formatting.count, {}),
        ("resources.kpi.venues", totals, totals_prev, "venues", formatting.count, {}),
        ("resources.kpi.fund_raised", fund, fund_prev, "raised_yuan", formatting.money, {}),
        ("resources.kpi.fund_spent", fund, fund_prev, "spent_yuan", formatting.money, {}),
        ("resources.kpi.fund_balance", fund, fund_prev, "balance_yuan", formatting.money,
         {"help": T("resources.kpi.fund_balance.help")}),
    ],
]
for tiles in rows:
    for col, args in zip(st.columns(len(tiles)), tiles, strict=True):
        with col:
            tile(*args[:5], **args[5])


# --- catalogues -------------------------------------------------------------------------
#: a catalogue item as the import area "resources" holds it (the columns of a record download)
CATALOGUE_RECORD = {"code": "resources.col.code", "list_kind": "resources.col.list_kind", "name": "resources.col.item",
                    "kind": "resources.col.kind", "provider_unit": "resources.col.provider"}


def catalogue_section():
    uptake = cached(resources.catalogue_uptake, scope)
    item_columns = {"code": "resources.col.code", "name": "resources.col.item", "kind": "resources.col.kind",
                    "provider_unit": "resources.col.provider", "communities": "resources.col.communities",
                    "uses": "resources.col.uses", "beneficiaries": "resources.col.beneficiaries",
                    "last_used": "resources.col.last_used"}
    left, right = st.columns([3, 2])
    with left:
        st.subheader(T("resources.catalogue.top"))
        if uptake["uses"].sum() == 0:
            st.info(T("resources.empty.uses"))
        else:
            show_chart(rc.top_items_bars(uptake, lang), lang)
    with right:
        unused = uptake[uptake["uses"] == 0]
        st.subheader(T("resources.catalogue.unused", n=len(unused)))
        if unused.empty:
            st.success(T("resources.catalogue.all_used"))
        else:
            unused = unused.assign(list_name=[T(f"resources.list.{k}") for k in unused["list_kind"]])
            table(unused, {"code": "resources.col.code", "list_name": "resources.col.list_kind",
                           "name": "resources.col.item", "kind": "resources.col.kind",
                           "provider_unit": "resources.col.provider"}, "resources_unused", values=("kind",),
                  record=("resources", CATALOGUE_RECORD))
    for list_kind, key in ((CATALOGUE_RESOURCE, "resources.catalogue.resource_table"),
                           (CATALOGUE_SERVICE, "resources.catalogue.service_table")):
        items = uptake[uptake["list_kind"] == list_kind]
        st.subheader(T(key, n=len(items)))
        table(items, item_columns, f"resources_{list_kind}_list", values=("kind",),
              record=("resources", {**CATALOGUE_RECORD, **{c: item_columns[c] for c in
                                                           ("communities", "uses", "beneficiaries", "last_used")}}))


# --- partner units --------------------------------------------------------------------------
def partners_section():
    partners = cached(resources.partners_by_street, scope)
    if partners.empty:
        st.info(T("resources.empty.partners"))
    else:
        st.caption(T("resources.partners.caption"))
        left, right = st.columns([3, 2])
        with left:
            st.subheader(T("resources.partners.by_street"))
            show_chart(rc.partner_street_bars(partners, lang), lang)
        with right:
            st.subheader(T("resources.partners.by_kind"))
            by_kind = partners.groupby("kind", as_index=False)[["units", "party_cobuilding", "public_services"]].sum()
            by_kind["order"] = [rc.PARTNER_KIND_ORDER.index(k) if k in rc.PARTNER_KIND_ORDER else 99
                                for k in by_kind["kind"]]
            table(by_kind.sort_values("order"),
                  {"kind": "resources.col.partner_kind", "units": "resources.col.units",
                   "party_cobuilding": "resources.col.cobuilding", "public_services": "resources.col.public_services"},
                  "resources_partners_by_kind", values=("kind",))
        table(partners.assign(street=street_of(partners)),
              {"street": "resources.col.street", "kind": "resources.col.partner_kind", "units": "resources.col.units",
               "party_cobuilding": "resources.col.cobuilding", "public_services": "resources.col.public_services"},
              "resources_partners_by_street", values=("kind",))


# --- venues -----------------------------------------------------------------------------------
def venues_section():
    venue_rows = cached(resources.venue_list, scope)
    if venue_rows.empty:
        st.info(T("resources.empty.venues"))
    else:
        left, right = st.columns([3, 2])
        with left:
            st.subheader(T("resources.venues.by_street"))
            show_chart(rc.venue_street_bars(cached(resources.venues_by_street, scope), lang), lang)
        with right:
            st.subheader(T("resources.venues.hours"))
            hours = (venue_rows.groupby("opening_hours", as_index=False).size()
                     .rename(columns={"size": "venues"}).sort_values("venues", ascending=False))
            table(hours, {"opening_hours": "resources.col.hours", "venues": "resources.col.venues"},
                  "resources_venue_hours")
        st.subheader(T("resources.venues.table", n=len(venue_rows)))
        venue_columns = {"code": "resources.col.venue_code", "name": "resources.col.venue",
                         "kind": "resources.col.venue_kind", "street": "resources.col.street",
                         "community_name": "resources.col.community", "owner_unit": "resources.col.owner",
                         "opening_hours": "resources.col.hours", "opened_on": "resources.col.opened_on"}
        # the download: every column of a venue record (code first), street and community names beside it
        venue_record = {"code": "resources.col.venue_code", "name": "resources.col.venue",
                        "kind": "resources.col.venue_kind",
                        "street_name": "resources.col.street", "community_code": "resources.col.community_code",
                        "community_name": "resources.col.community", "owner_unit": "resources.col.owner",
                        "opening_hours": "resources.col.hours", "opened_on": "resources.col.opened_on",
                        "lat": "resources.col.lat", "lon": "resources.col.lon"}
        table(venue_rows.assign(street=street_of(venue_rows)), venue_columns, "resources_venues", values=("kind",),
              height=420, record=("venues", venue_record))


# --- community service fund ---------------------------------------------------------------------
def fund_section():
    by_month = cached(resources.fund_by_month, scope)
    if by_month.empty:
        st.info(T("resources.empty.fund"))
    else:
        st.caption(T("resources.fund.caption"))
        left, right = st.columns([3, 2])
        with left:
            st.subheader(T("resources.fund.trend"))
            show_chart(rc.fund_cumulative_lines(by_month, lang, height=560), lang)
        with right:
            sources = cached(resources.fund_by_source, scope)
            purposes = cached(resources.fund_by_purpose, scope)
            for frame, column, key in ((sources, "source", "resources.fund.by_source"),
                                       (purposes, "purpose", "resources.fund.by_purpose")):
                st.markdown(f"**{T(key)}**")
                if frame.empty:
                    st.info(T("resources.empty.fund"))
                else:
                    show_chart(rc.fund_share_bars(frame, column, lang), lang)
        money_columns = {"amount_yuan": "resources.col.amount", "entries": "resources.col.entries"}
        left, right = st.columns(2)
        with left:
            table(sources, {"source": "resources.col.source", **money_columns}, "resources_fund_sources",
                  values=("source",))
        with right:
            table(purposes, {"purpose": "resources.col.purpose", **money_columns}, "resources_fund_purposes",
                  values=("purpose",))
        table(by_month, {"month": "resources.col.month", "raised_yuan": "resources.col.raised",
                         "spent_yuan": "resources.col.spent", "raised_cumulative": "resources.col.raised_cum",
                         "spent_cumulative": "resources.col.spent_cum"}, "resources_fund_months", height=300)


# --- flows --------------------------------------------------------------------------------------
def flows_section():
    flows = cached(resources.resource_flows, scope)
    st.subheader(T("resources.flows.title"))
    if flows.empty:
        st.info(T("resources.empty.uses"))
    else:
        st.caption(T("resources.flows.caption"))
        show_chart(rc.flow_sankey(flows, lang), lang)
        table(flows.assign(street=street_of(flows)),
              {"provider_unit": "resources.col.provider", "kind": "resources.col.kind",
               "street": "resources.col.street", "uses": "resources.col.uses"},
              "resources_flows", values=("kind",), height=300)


# --- supply against demand -------------------------------------------------------------------------
def gap_section():
    demand_map = resources.load_demand_map()
    ranking = cached(resources.demand_gap_ranking, scope, demand_map)
    st.markdown(T("resources.gap.rule", per=formatting.count(demand_map.per_residents),
                  peers=T("resources.gap.peers.street" if scope.effective_street else "resources.gap.peers.district"),
                  threshold=f"{demand_map.threshold:.2f}"))
    if scope.community:
        st.caption(T("resources.gap.community_note"))

    def mapping() -> None:
        serves = pd.DataFrame({
            "resource_kind": [kind for kind, _, _ in demand_map.kinds],
            "serves": ["、".join([rc.value_label(c, lang) for c in categories]
                                + ([T("resources.gap.mapping.wishes")] if wishes else []))
                       for _, categories, wishes in demand_map.kinds],
        })
        table(serves, {"resource_kind": "resources.col.kind", "serves": "resources.col.serves"},
              "resources_demand_map", values=("resource_kind",))
        unmapped = [k for k in cached(resources.catalogue_kinds) if k not in demand_map.resource_kinds]
        st.caption(T("resources.gap.mapping.unmapped", kinds="、".join(rc.value_label(k, lang) for k in unmapped)))

    lazy_expander(T("resources.gap.mapping"), "resources-gap-mapping", mapping)
    if ranking.empty:
        st.info(T("resources.empty.gap"))
    else:
        flagged = ranking[ranking["flagged"]].reset_index(drop=True)
        left, right = st.columns([3, 2])
        with left:
            st.subheader(T("resources.gap.scatter"))
            show_chart(rc.gap_scatter(ranking, lang), lang)
        with right:
            st.subheader(T("resources.gap.by_kind"))
            by_kind = cached(resources.supply_demand_by_kind, scope, demand_map)
            show_chart(rc.demand_supply_kind_bars(by_kind, lang), lang)
        st.subheader(T("resources.gap.list", n=len(flagged)))
        gap_columns = {
            "rank": "resources.col.rank", "community": "resources.col.community", "street": "resources.col.street",
            "population": "resources.col.population", "requests": "resources.col.requests",
            "wishes": "resources.col.wishes", "uses": "resources.col.uses", "demand_rate": "resources.col.demand_rate",
            "supply_rate": "resources.col.supply_rate", "demand_rank": "resources.col.demand_rank",
            "supply_rank": "resources.col.supply_rank", "gap_score": "resources.col.gap_score",
        }

        def ranked_view(frame: pd.DataFrame) -> pd.DataFrame:
            return frame.assign(
                community=[("● " if sel else "") + name for name, sel in
                           zip(frame["community_name"], frame["selected"], strict=True)],
                street=street_of(frame),
            )

        gap_formats = dict.fromkeys(("demand_rate", "supply_rate", "demand_rank", "supply_rank", "gap_score"), "%.2f")

        gap_list = ranked_view(flagged.assign(rank=range(1, len(flagged) + 1))) if len(flagged) else flagged
        if flagged.empty:
            st.info(T("resources.gap.none"))
        elif len(flagged) <= tables.SMALL_ROWS:
            table(gap_list, gap_columns, "resources_gap_list", formats=gap_formats)
        else:  # a city's list runs to a hundred or more: the worst at once, the whole worklist on request
            st.caption(T("resources.gap.list.top", n=tables.SMALL_ROWS, total=len(flagged)))
            table(gap_list.head(tables.SMALL_ROWS), gap_columns, None, formats=gap_formats)
            lazy_expander(T("resources.gap.list.all", total=len(flagged)), "resources-gap-list-all",
                          lambda: table(gap_list, gap_columns, "resources_gap_list", height=360, formats=gap_formats))
        if scope.community:
            st.subheader(T("resources.gap.chosen"))
            chosen = ranking.assign(rank=range(1, len(ranking) + 1))
            table(ranked_view(chosen[chosen["selected"]]), gap_columns, "resources_gap_chosen", formats=gap_formats)
        st.subheader(T("resources.gap.table"))
        # a row per community and kind: thousands for a city's district, read only when asked for
        rows = len(ranking) * len(demand_map.resource_kinds)
        if scope.level == "district" and not st.toggle(T("resources.gap.table.show", n=formatting.count(rows)),
                                                       key="resources_detail_district"):
            return
        detail = cached(resources.supply_demand_by_community, scope, demand_map)
        detail_view = detail.assign(street=street_of(detail), demand=detail["requests"] + detail["wishes"])
        table(detail_view, {"community_name": "resources.col.community", "street": "resources.col.street",
                            "resource_kind": "resources.col.kind", "requests": "resources.col.requests",
                            "wishes": "resources.col.wishes", "uses": "resources.col.uses"},
              "resources_supply_demand", values=("resource_kind",), height=360)


render_sections("resources", {
    "gap": gap_section,
    "catalogue": catalogue_section,
    "partners": partners_section,
    "venues": venues_section,
    "fund": fund_section,
    "flows": flows_section,
}, lang, labels="tab")
