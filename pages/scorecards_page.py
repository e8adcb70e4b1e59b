"""考核评价 Scorecards: the 10-dimension evaluation, league tables, trends, safety outcomes, star ratings.

Follows the sidebar scope. The composite is built the CityScore way in
data_access.evaluation; the page shows every step so it can be rebuilt by hand.
"""

import pandas as pd
import streamlit as st

from components import charts, formatting, tables
from components import scorecard_charts as sc
from components.chart_text import show_chart
from components.data import cached, data_context
from components.downloads import csv_download
from components.guard import require_entry_point
from components.page_header import page_header
from components.scope_sidebar import current_language, current_scope, place_label, translator
from components.sections import render_sections
from data_access import evaluation, geography, safety
from data_access.domain import SAFETY_MEASURES

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

T, lang, scope, ctx = translator(), current_language(), current_scope(), data_context()
streets, communities = cached(geography.streets), cached(geography.communities)
place = place_label(scope, streets, communities, lang)
CAP = int(evaluation.COMPOSITE_CAP * 100)


def show_table(frame: pd.DataFrame, columns: dict[str, str], stem: str, *, percent=(), decimals=None,
               height=None) -> None:
    """A table with catalogue headers, readable numbers, and its CSV download (raw values, same headers)."""
    headers = {c: T(k) for c, k in columns.items()}
    raw = frame[list(columns)]
    shown = raw.copy()
    for c in percent:
        shown[c] = shown[c].astype(float) * 100
    formats = {c: f"%.{digits}f" + ("%%" if c in percent else "") for c, digits in (decimals or {}).items()}
    tables.show_frame(shown, headers, formats, height=height)
    csv_download(raw, stem, place, lang, headers=headers, key=f"download-{stem}", fractions=percent)


def unit_names(level: str) -> dict[str, str]:
    if level == "street":
        return dict(zip(streets["code"], streets["name_en" if lang == "en" else "name"], strict=True))
    return dict(zip(communities["code"], communities["name"], strict=True))


def translated(values: pd.Series, prefix: str) -> pd.Series:
    return values.map(lambda v: T(f"{prefix}.{v}") if isinstance(v, str) else v)


years = cached(evaluation.evaluation_years)
year = max((y for y in years if y <= scope.period.end.year), default=None)
page_header(T("scorecards.title"), scope, place, ctx.reference, lang)
if year is None:
    st.info(T("empty.ranking"))
    st.stop()
previous_year = year - 1 if year - 1 in years else None
changes = cached(evaluation.dimension_changes, scope, year)
share = evaluation.improved_or_stable_share(changes)
compared = changes.loc[changes["status"] != "unknown"]


# --- scorecard --------------------------------------------------------------------------
def scorecard_section():
    if scope.community:
        level, code = "community", scope.community
    else:
        pick = st.columns([1, 2, 3])
        with pick[0]:
            level = st.radio(T("scorecards.pick.level"), ["street", "community"], horizontal=True,
                             format_func=lambda v: T(f"scorecards.level.{v}"), key="scorecard_level")
        ranking = cached(evaluation.composite_scores, scope, level, year)
        if scope.effective_street and level == "street":
            ranking = ranking.loc[ranking["code"] == scope.effective_street]
        options = list(ranking["code"])
        names = unit_names(level)
        with pick[1]:
            code = st.selectbox(T(f"scorecards.pick.{level}"), options, key=f"scorecard_{level}",
                                format_func=lambda c: names.get(c, c)) if options else None
    breakdown = cached(evaluation.composite_breakdown, scope, level, code, year) if code else pd.DataFrame()
    if breakdown.empty or breakdown["score"].isna().all():
        st.info(T("scorecards.empty.unit"))
    else:
        name = unit_names(level).get(code, code)
        if level == "street" and scope.role_street:  # a street office's standing among all the streets
            ranking = cached(evaluation.street_standing, scope, year)
        else:
            ranking = cached(evaluation.composite_scores, scope, level, year)
        composite = float(breakdown["contribution"].sum())
        rank_row = ranking.loc[ranking["code"] == code]
        among = ("scorecards.among.streets" if level == "street" else
                 "scorecards.among.communities" if scope.effective_street or scope.community
                 else "scorecards.among.all_communities")
        st.markdown(f"#### {T('scorecards.year', year=year)}")
        tiles = st.columns(4)
        tiles[0].metric(T("scorecards.kpi.composite", unit=name), f"{composite:.2f}", border=True)
        if len(rank_row):
            tiles[1].metric(T("scorecards.kpi.rank"), T("scorecards.kpi.rank.value", rank=int(rank_row["rank"].iloc[0]),
                                                        n=len(ranking)), help=T("scorecards.kpi.rank.help",
                                                                                among=T(among)), border=True)
        tiles[2].metric(T("scorecards.kpi.scored"), f"{int(breakdown['score'].notna().sum())} / {len(breakdown)}",
                        border=True)
        if share is not None and previous_year:
            tiles[3].metric(T("scorecards.headline"), T("scorecards.headline.value", share=formatting.percent(share),
                                                         n=int(compared["status"].isin(["improved", "stable"]).sum()),
                                                         total=len(compared)),
                            help=T("scorecards.headline.help", prev=previous_year, tol=evaluation.STABLE_TOLERANCE),
                            border=True)
        left, right = st.columns([2, 3])
        with left:
            st.subheader(T("scorecards.radar"))
            averages = cached(evaluation.dimension_averages, level, year)
            show_chart(sc.radar(breakdown, averages, name, lang), lang)
        with right:
            st.subheader(T("scorecards.breakdown"))
            table = breakdown.copy()
            table["dimension"] = [sc.dimension_label(r, lang) for _, r in table.iterrows()]
            table["direction"] = translated(table["direction"], "scorecards.direction")
            show_table(table, {"code": "scorecards.col.code", "dimension": "scorecards.col.dimension",
                               "score": "scorecards.col.score", "target": "scorecards.col.target",
                               "direction": "scorecards.col.direction", "ratio": "scorecards.col.ratio",
                               "capped_ratio": "scorecards.col.capped_ratio", "weight": "scorecards.col.weight",
                               "contribution": "scorecards.col.contribution"},
                       f"composite_{code}_{year}", percent=("ratio", "capped_ratio"),
                       decimals={"score": 1, "target": 1, "ratio": 2, "capped_ratio": 2, "weight": 0,
                                 "contribution": 2})
            scored = float(breakdown["scored_weight"].dropna().iloc[0])
            st.caption(T("scorecards.breakdown.formula", cap=CAP, scored=f"{scored:g}", composite=f"{composite:.2f}"))


# --- league tables ----------------------------------------------------------------------
def league_section():
    st.caption(T("scorecards.league.caption", prev=previous_year or "—"))
    for level, title in (("street", "scorecards.league.streets"), ("community", "scorecards.league.communities")):
        league = cached(evaluation.league_table, scope, level, year)
        st.subheader(T(title))
        if league.empty:
            st.info(T("empty.ranking"))
            continue
        if lang == "en":
            league["name"] = league["code"].map(unit_names(level)).fillna(league["name"])
        if len(league) > 5:
            top, bottom = st.columns(2)
            with top:
                st.markdown(f"**{T('scorecards.league.top')}**")
                show_chart(sc.league_bars(league.head(5), lang, good=True), lang,
                                key=f"top-{level}")
            with bottom:
                st.markdown(f"**{T('scorecards.league.bottom')}**")
                show_chart(sc.league_bars(league.tail(5), lang, good=False), lang,
                                key=f"bottom-{level}")
        else:
            show_chart(sc.league_bars(league, lang), lang, key=f"all-{level}")
        with st.expander(T("scorecards.league.full"), expanded=len(league) <= 12):
            show_table(league, {"rank": "scorecards.col.rank", "name": "scorecards.col.name",
                                "composite": "scorecards.col.composite", "dimensions_scored": "scorecards.col.scored",
                                "previous_rank": "scorecards.col.previous_rank",
                                "rank_change": "scorecards.col.rank_change"},
                       f"league_{level}_{year}", decimals={"composite": 2})


# --- dimension trends -------------------------------------------------------------------
def trend_section():
    trend = cached(evaluation.dimension_trend, scope)
    if trend.empty:
        st.info(T("empty.ranking"))
    else:
        if share is not None:
            st.metric(T("scorecards.headline"), T("scorecards.headline.value", share=formatting.percent(share),
                                                   n=int(compared["status"].isin(["improved", "stable"]).sum()),
                                                   total=len(compared)),
                      help=T("scorecards.headline.help", prev=previous_year, tol=evaluation.STABLE_TOLERANCE))
        st.subheader(T("scorecards.trend"))
        st.caption(T("scorecards.trend.caption", unit=T("scorecards.trend.district") if scope.level == "district"
                     else place, years=f"{min(trend['year'])}–{max(trend['year'])}"))
        show_chart(sc.dimension_trends(trend, lang), lang)
        st.subheader(T("scorecards.changes"))
        table = changes.copy()
        table["dimension"] = [sc.dimension_label(r, lang) for _, r in table.iterrows()]
        table["direction"] = translated(table["direction"], "scorecards.direction")
        table["status"] = translated(table["status"], "scorecards.status")
        show_table(table, {"code": "scorecards.col.code", "dimension": "scorecards.col.dimension",
                           "direction": "scorecards.col.direction", "previous": "scorecards.col.previous",
                           "current": "scorecards.col.current", "change": "scorecards.col.change",
                           "status": "scorecards.col.status"},
                   f"dimension_changes_{year}", decimals={"previous": 1, "current": 1, "change": 1})


# --- safety outcomes --------------------------------------------------------------------
def safety_section():
    declines = cached(safety.safety_yearly_decline, scope, ctx.start)
    unit_word = T("scorecards.unit.streets" if scope.level == "district" else "scorecards.unit.communities")
    if declines.empty:
        st.caption(T("scorecards.safety.no_decline"))
    else:
        first, last, months = safety.decline_window(scope, ctx.start)
        cols = st.columns(len(declines))
        for col, item in zip(cols, declines.itertuples(), strict=True):
            col.metric(T("scorecards.safety.decline", measure=T(f"measure.{item.measure}")),
                       formatting.percent(item.decline, lang, digits=2),
                       help=T("overview.safety.decline.help", first=item.first_year, last=item.last_year,
                              months=formatting.month_span(months, lang), years=item.last_year - item.first_year,
                              t_first=formatting.count(item.first_total), t_last=formatting.count(item.last_total)),
                       border=True)
        st.caption(T("scorecards.safety.formula", months=formatting.month_span(months, lang), first=first, last=last))
        show_table(declines.assign(measure=declines["measure"].map(lambda m: T(f"measure.{m}"))),
                   {"measure": "scorecards.col.measure", "first_year": "scorecards.safety.first_year",
                    "first_total": "scorecards.safety.first_total", "last_year": "scorecards.safety.last_year",
                    "last_total": "scorecards.safety.last_total", "decline": "scorecards.safety.decline.col"},
                   "safety_declines", percent=("decline",), decimals={"decline": 2})
    monthly = cached(safety.safety_by_month, scope)
    if monthly.empty:
        st.info(T("empty.safety"))
    else:
        left, right = st.columns(2)
        with left:
            st.subheader(T("scorecards.safety.monthly"))
            show_chart(charts.safety_lines(monthly, SAFETY_MEASURES, lang), lang)
        with right:
            measure = st.selectbox(T("scorecards.safety.measure"), SAFETY_MEASURES, key="safety_measure",
                                   format_func=lambda m: T(f"measure.{m}"))
            unit_month = cached(safety.safety_by_unit_month, scope)
            st.markdown(f"**{T('scorecards.safety.heatmap', unit=unit_word, measure=T(f'measure.{measure}'))}**")
            show_chart(sc.safety_heatmap(unit_month, measure, lang), lang)
        by_unit = cached(safety.safety_by_unit, scope, ctx.start)
        st.subheader(T("scorecards.safety.by_unit", unit=unit_word))
        left, right = st.columns([3, 2])
        with left:
            table = by_unit
            heads = {}
            for m in SAFETY_MEASURES:
                heads[f"{m}_per_1000"] = T("scorecards.col.per_1000", what=T(f"measure.{m}"))
                heads[f"{m}_decline"] = T("scorecards.col.decline", what=T(f"measure.{m}"))
            shown_cols = ["unit_name", "population", *SAFETY_MEASURES, *[f"{m}_per_1000" for m in SAFETY_MEASURES],
                          *[f"{m}_decline" for m in SAFETY_MEASURES]]
            headers = {"unit_name": T("scorecards.col.unit"), "population": T("scorecards.col.population"),
                       **{m: T(f"measure.{m}") for m in SAFETY_MEASURES}, **heads}
            display = table[shown_cols].copy()
            for m in SAFETY_MEASURES:
                display[f"{m}_decline"] = display[f"{m}_decline"] * 100
            formats = {f"{m}_per_1000": "%.2f" for m in SAFETY_MEASURES}
            formats.update({f"{m}_decline": "%.2f%%" for m in SAFETY_MEASURES})
            tables.show_frame(display, headers, formats)
            csv_download(table[shown_cols], "safety_by_unit", place, lang, headers=headers, key="download-safety-unit",
                         fractions=[f"{m}_decline" for m in SAFETY_MEASURES])
        with right:
            show_chart(sc.decline_bars(by_unit, lang), lang)
        st.subheader(T("scorecards.safety.rising"))
        rising = safety.units_where_rising(by_unit)
        if rising.empty:
            st.success(T("scorecards.safety.rising.none"))
        else:
            rising["measure"] = rising["measure"].map(lambda m: T(f"measure.{m}"))
            show_table(rising, {"unit_name": "scorecards.col.unit", "measure": "scorecards.col.measure",
                                "decline": "scorecards.safety.decline.col"},
                       "safety_rising", percent=("decline",), decimals={"decline": 2})


# --- property star ratings --------------------------------------------------------------
def property_section():
    rating_year = max((y for y in cached(evaluation.rating_years) if y <= scope.period.end.year), default=None)
    distribution = cached(evaluation.rating_distribution, scope, rating_year) if rating_year else pd.DataFrame()
    if distribution.empty:
        st.info(T("scorecards.empty.ratings"))
    else:
        st.subheader(T("scorecards.property.year", year=rating_year))
        left, right = st.columns([2, 3])
        with left:
            st.markdown(f"**{T('scorecards.property.distribution')}**")
            show_chart(sc.star_distribution(distribution, lang), lang)
        with right:
            unit_word = T("scorecards.unit.streets" if scope.level == "district" else "scorecards.unit.communities")
            st.markdown(f"**{T('scorecards.property.by_unit', unit=unit_word)}**")
            show_chart(sc.stars_by_unit(distribution, lang), lang)
        show_table(distribution, {"unit_name": "scorecards.col.unit", "stars": "scorecards.col.stars",
                                  "compounds": "scorecards.col.compounds"}, f"star_ratings_{rating_year}", height=200)
        st.subheader(T("scorecards.property.companies"))
        st.caption(T("scorecards.property.companies.caption", prev=rating_year - 1, year=rating_year))
        companies = cached(evaluation.company_rating_changes, scope, rating_year)
        moved = companies.loc[companies["movement"].isin(["up", "down"])]
        if moved.empty:
            st.info(T("scorecards.empty.companies"))
        else:
            company_cols = {"company": "scorecards.col.company", "compounds": "scorecards.col.compounds",
                            "previous_stars": "scorecards.col.previous_stars",
                            "stars": "scorecards.col.average_stars", "change": "scorecards.col.change"}
            up, down = st.columns(2)
            with up:
                st.markdown(f"**{T('scorecards.property.up')}**")
                show_table(moved.loc[moved["movement"] == "up"], company_cols, f"companies_up_{rating_year}",
                           decimals={"previous_stars": 2, "stars": 2, "change": 2})
            with down:
                st.markdown(f"**{T('scorecards.property.down')}**")
                show_table(moved.loc[moved["movement"] == "down"].sort_values("change"), company_cols,
                           f"companies_down_{rating_year}", decimals={"previous_stars": 2, "stars": 2, "change": 2})
        st.subheader(T("scorecards.property.disputes"))
        per_community = cached(evaluation.ratings_and_disputes, scope, rating_year)
        st.caption(T("scorecards.property.disputes.caption", year=rating_year,
                     end=formatting.day(ctx.reference, lang)))
        left, right = st.columns([2, 3])
        with left:
            by_level = evaluation.disputes_by_star_level(per_community)
            show_chart(sc.disputes_by_stars(by_level, lang), lang)
        with right:
            show_table(per_community, {"name": "scorecards.col.name", "households": "scorecards.col.households",
                                       "rated_compounds": "scorecards.col.rated_compounds",
                                       "average_stars": "scorecards.col.average_stars",
                                       "property_disputes": "scorecards.col.property_disputes",
                                       "disputes_per_1000_households": "scorecards.col.disputes_per_1000"},
                       f"ratings_disputes_{rating_year}", decimals={"average_stars": 2,
                                                                   "disputes_per_1000_households": 2}, height=300)


# --- glossary ---------------------------------------------------------------------------
def glossary_section():
    st.caption(T("scorecards.glossary.caption"))
    glossary = cached(evaluation.indicator_glossary)
    table = glossary.copy()
    table["kind_label"] = translated(table["kind"], "scorecards.kind")
    table["label"] = [sc.dimension_label(r, lang) for _, r in table.iterrows()]
    table["source"] = table["data_source"].where(table["kind"] == "dimension",
                                                 T("scorecards.glossary.source.indicator"))
    table["direction_label"] = translated(table["direction"], "scorecards.direction")
    table["assumed_label"] = table["assumed"].map(lambda a: T("scorecards.yes" if a else "scorecards.no"))
    table["how"] = [
        T("scorecards.glossary.how.dimension", cap=CAP, weight=f"{r.weight:g}",
          inv=T("scorecards.glossary.inverted") if r.direction == "lower" else "")
        if r.kind == "dimension" else
        T("scorecards.glossary.how.indicator", max=f"{r.max_score:g}", target=f"{r.target:g}", weight=f"{r.weight:g}",
          inv=T("scorecards.glossary.inverted") if r.direction == "lower" else "")
        for r in table.itertuples()
    ]
    show_table(table, {"kind_label": "scorecards.col.kind", "code": "scorecards.col.code",
                       "label": "scorecards.col.name", "description": "scorecards.col.definition",
                       "source": "scorecards.col.data_source", "direction_label": "scorecards.col.direction",
                       "target": "scorecards.col.target", "weight": "scorecards.col.weight",
                       "assumed_label": "scorecards.col.assumed", "how": "scorecards.col.how"},
               "indicator_glossary", decimals={"target": 0, "weight": 0}, height=min(1100, 38 + 35 * len(table)))


render_sections("scorecards", {
    "scorecard": scorecard_section,
    "league": league_section,
    "trend": trend_section,
    "safety": safety_section,
    "property": property_section,
    "glossary": glossary_section,
}, lang, labels="tab")
