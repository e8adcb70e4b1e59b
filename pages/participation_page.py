"""共治参与 Participation: volunteers, merchants and organisations, meetings and councils, the party base.

Follows the sidebar scope; every figure has its change against the previous
like-for-like period and its rate per 1,000 residents. The headline tiles sit above
lazy sections (components/sections.py): months, units, the party base, courtesy plans.
"""

import pandas as pd
import streamlit as st

from components import formatting, tables
from components import participation_charts as pc
from components.chart_text import show_chart
from components.data import cached, cached_pair, data_context
from components.downloads import csv_download
from components.guard import require_entry_point
from components.kpi import kpi_tile
from components.page_header import page_header
from components.scope_sidebar import current_language, current_scope, place_label, translator
from components.sections import render_sections
from data_access import geography, participation

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

T, lang, scope, ctx = translator(), current_language(), current_scope(), data_context()
previous = scope.previous(ctx.start)
streets, communities = cached(geography.streets), cached(geography.communities)
place = place_label(scope, streets, communities, lang)
unit_word = T("scorecards.unit.streets" if scope.level == "district" else "scorecards.unit.communities")


def show_table(frame: pd.DataFrame, columns: list[str], stem: str, *, decimals=None, percent=(), height=None,
               labels=None) -> None:
    """A table with catalogue headers and its CSV download (raw values, same headers)."""
    headers = {c: (labels or {}).get(c) or T(f"participation.col.{c}") for c in columns}
    raw = frame[columns]
    shown = raw.copy()
    for c in percent:
        shown[c] = shown[c].astype(float) * 100
    formats = {c: f"%.{d}f" + ("%%" if c in percent else "") for c, d in (decimals or {}).items()}
    tables.show_frame(shown, headers, formats, height=height)
    csv_download(raw, stem, place, lang, headers=headers, key=f"download-{stem}", fractions=percent)


page_header(T("participation.title"), scope, place, ctx.reference, lang, previous=previous, compares=True)

totals, totals_prev = cached_pair(participation.participation_totals, scope, previous)
population = cached(geography.scope_population, scope)


def tile(label: str, column: str, *, help_text: str | None = None) -> None:
    current = totals[column].iloc[0]
    before = totals_prev[column].iloc[0] if totals_prev is not None else None
    rate = T("participation.per_1000", value=f"{1000.0 * current / population:.2f}") if population else None
    kpi_tile(T(label), current, before, formatting.count, lang,
             help="\n\n".join(h for h in (help_text, rate) if h) or None)


st.markdown(f"##### {T('participation.row.people')}")
row = st.columns(6)
with row[0]:
    tile("participation.kpi.new_volunteers", "new_volunteers")
with row[1]:
    tile("participation.kpi.active_volunteers", "active_volunteers",
         help_text=T("participation.kpi.active_volunteers.help"))
with row[2]:
    tile("participation.kpi.residents", "residents_taking_part")
with row[3]:
    tile("participation.kpi.merchants", "caring_merchants",
         help_text=T("participation.kpi.stock.help", new=formatting.count(totals["new_caring_merchants"].iloc[0])))
with row[4]:
    tile("participation.kpi.social_orgs", "social_organisations",
         help_text=T("participation.kpi.stock.help", new=formatting.count(totals["new_social_organisations"].iloc[0])))
with row[5]:
    tile("participation.kpi.courtesy", "courtesy_plans", help_text=T("participation.kpi.courtesy.help"))
st.markdown(f"##### {T('participation.row.events')}")
row = st.columns(6)
for col, (label, column) in zip(row, [
    ("participation.kpi.joint_meetings", "joint_meetings"),
    ("participation.kpi.council_sessions", "council_sessions"),
    ("participation.kpi.issues_settled", "issues_settled"),
    ("participation.kpi.convenience", "convenience_services"),
    ("participation.kpi.volunteer_services", "volunteer_services"),
    ("participation.kpi.education", "education_activities"),
], strict=True):
    with col:
        tile(label, column)


def monthly_section() -> None:
    monthly = cached(participation.participation_by_month, scope)
    if monthly.empty:
        st.info(T("participation.empty"))
        return
    left, right = st.columns(2)
    with left:
        st.subheader(T("participation.monthly.volunteers"))
        show_chart(pc.volunteer_months(monthly, lang), lang)
    with right:
        st.subheader(T("participation.monthly.events"))
        show_chart(pc.event_months(monthly, lang), lang)


def units_section() -> None:
    by_unit = cached(participation.participation_by_unit, scope)
    st.subheader(T("participation.by_unit", unit=unit_word))
    if by_unit.empty:
        st.info(T("participation.empty"))
        return
    measures = list(participation.PER_1000)
    measure = st.selectbox(T("participation.by_unit.measure"), measures, key="participation_measure",
                           format_func=lambda c: T(f"participation.col.{c}"))
    show_chart(pc.unit_per_1000(by_unit, measure, T("participation.col.per_1000_of",
                                                         what=T(f"participation.col.{measure}")), lang),
                    lang)
    st.markdown(f"###### {T('participation.table', unit=unit_word)}")
    columns = ["unit_name", "population", *measures, *[f"{c}_per_1000" for c in measures]]
    labels = {"unit_name": T("scorecards.col.unit"), "population": T("scorecards.col.population"),
              **{f"{c}_per_1000": T("participation.col.per_1000_of", what=T(f"participation.col.{c}"))
                 for c in measures}}
    show_table(by_unit, columns, "participation_by_unit", labels=labels,
               decimals={f"{c}_per_1000": 2 for c in measures})


def party_section() -> None:
    st.subheader(T("participation.party"))
    st.caption(T("participation.party.caption"))
    base = cached(participation.party_base, scope).iloc[0]
    party = cached(participation.party_base_by_unit, scope)
    compounds = int(base["compounds"])
    cols = st.columns(4)
    cols[0].metric(T("participation.party.coverage"),
                   T("participation.party.coverage.value",
                     share=formatting.percent(base["with_party_branch"] / compounds if compounds else None),
                     n=formatting.count(base["with_party_branch"]), total=formatting.count(compounds)),
                   border=True)
    cols[1].metric(T("participation.party.members"), formatting.count(base["party_members"]), border=True)
    cols[2].metric(T("participation.party.per_compound"),
                   f"{base['party_members'] / compounds:.1f}" if compounds else "—", border=True)
    cols[3].metric(T("participation.party.retired"), formatting.count(base["retired_members_transferred"]),
                   border=True)
    if party.empty:
        st.info(T("participation.empty"))
        return
    left, right = st.columns([3, 2])
    with left:
        show_chart(pc.party_members(party, lang), lang)
    with right:
        show_table(party, ["unit_name", "compounds", "with_party_branch", "branch_coverage", "party_members",
                           "members_per_compound", "retired_members_transferred"], "party_base",
                   labels={"unit_name": T("scorecards.col.unit"), "compounds": T("scorecards.col.compounds")},
                   decimals={"branch_coverage": 0, "members_per_compound": 1}, percent=("branch_coverage",))


def courtesy_section() -> None:
    st.subheader(f"{T('participation.courtesy')}（{formatting.count(totals['courtesy_plans'].iloc[0])}）"
                 if lang == "zh" else f"{T('participation.courtesy')} ({totals['courtesy_plans'].iloc[0]})")
    plans = cached(participation.courtesy_plans, scope)
    show_table(plans, ["code", "name", "domain", "provider", "started_on"], "courtesy_plans",
               labels={"code": T("scorecards.col.code"), "name": T("participation.col.plan")})


render_sections("participation", {
    "monthly": monthly_section,
    "units": units_section,
    "party": party_section,
    "courtesy": courtesy_section,
}, lang)
