"""通报 Bulletin: streets (or a street's communities) ranked for a month or an ISO week.

The ranking, red and black lists and every definition come from data_access.bulletin and
config/bulletin.toml; the table, lists and downloads from the pure builders in
components/bulletin_report.py. A street role sees its communities and, among the streets,
only the other streets' composite and rank.
"""

from datetime import datetime

import pandas as pd
import streamlit as st

from components import bulletin_charts, deck, formatting, tables
from components import bulletin_report as report
from components.audit_trail import audited_bytes
from components.chart_text import show_chart
from components.data import cached, data_context
from components.downloads import csv_download
from components.exports import XLSX_MIME
from components.guard import require_entry_point
from components.i18n import value_name
from components.scope_sidebar import current_language, current_scope, place_label, translator
from data_access import bulletin, geography, requests, worklist
from data_access.scope import Period

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

#: the worklist's rows on screen, most urgent first (the download holds them all)
WORKLIST_SHOWN = 500

T, lang, scope, ctx = translator(), current_language(), current_scope(), data_context()
config = bulletin.load_bulletin_config()
targets = requests.load_request_targets()

st.title(T("bulletin.title"))
st.caption(T("bulletin.caption"))

controls = st.columns([1, 2, 1.4, 2])
with controls[0]:
    kind = st.radio(T("bulletin.kind"), ["month", "week"], format_func=lambda k: T(f"bulletin.kind.{k}"),
                    horizontal=True, key="bulletin_kind")
options = bulletin.period_options(ctx.start, ctx.reference, kind)
with controls[1]:
    period_key = st.selectbox(T("bulletin.period"), [p.key for p in options], key=f"bulletin_period_{kind}")
with controls[2]:
    level = st.radio(T("bulletin.level"), list(bulletin.LEVELS), format_func=lambda k: T(f"bulletin.level.{k}"),
                     horizontal=True, key="bulletin_level")
streets = cached(geography.streets)
street = scope.role_street
with controls[3]:
    if level == "community":
        names = dict(zip(streets["code"], streets["name"] if lang == "zh" else streets["name_en"], strict=True))
        choices = [street] if street else list(names)
        default = scope.effective_street if scope.effective_street in choices else choices[0]
        street = st.selectbox(T("bulletin.street"), choices, index=choices.index(default),
                              format_func=lambda c: names.get(c, c), key="bulletin_street",
                              disabled=bool(scope.role_street))

try:
    b = cached(bulletin.build_bulletin, period_key, level, street if level == "community" else None, scope.role,
               config=config, targets=targets)
except bulletin.BulletinError as error:
    st.error(T("bulletin.error", message=str(error)))
    st.stop()

st.subheader(report.heading(b, lang))
st.caption(report.cutoff_line(b, lang) + "　" + report.previous_line(b, lang))
if b.hidden:
    st.info(T("bulletin.role_note"))

red_codes, black_codes = set(b.red["code"]), set(b.black["code"])
left, right = st.columns([3, 2])
with left:
    st.markdown(f"**{T('bulletin.table')}**")
    shown = report.display_frame(b, lang)
    # one HTML table even for a street's twenty-odd communities: a bulletin is read whole, like the paper one
    figures = tuple(report.headers(lang)[c] for c in report.NUMBER_COLUMNS)
    st.html(tables.small_table_html(shown, right=figures))
with right:
    st.markdown(f"**{T('bulletin.red', n=config.red_list_size)}**")
    st.markdown("\n".join(f"- {line}" for line in report.red_lines(b, lang)) or T("bulletin.red.empty"))
    st.markdown(f"**{T('bulletin.black')}**")
    black = report.black_lines(b, lang)
    if black:
        st.markdown("\n".join(f"- :red[{line}]" for line in black))
    else:
        st.markdown(T("bulletin.black.empty"))
    if b.table["ranked"].any():
        show_chart(bulletin_charts.composite_bars(b.table, red_codes, black_codes, lang), lang)

stamp = datetime.now().replace(microsecond=0)
stem = report.file_stem(b)
downloads = [("xlsx", "bulletin.download.xlsx", lambda: report.bulletin_xlsx(b, lang, stamp), XLSX_MIME, "table_view"),
             ("html", "bulletin.download.html", lambda: report.bulletin_html(b, lang, stamp), "text/html", "print"),
             ("pptx", "deck.download.bulletin", lambda: deck.build_bulletin_deck(b, lang), deck.PPTX_MIME, "slideshow")]
with st.container(horizontal=True, gap="small"):
    for suffix, label, build, mime, icon in downloads:
        st.download_button(T(label), data=audited_bytes(build, target="bulletin", scope=stem,
                                                        file_name=f"{stem}.{suffix}", rows=lambda: len(b.table)),
                           file_name=f"{stem}.{suffix}", mime=mime, key=f"bulletin-{suffix}",
                           icon=f":material/{icon}:", on_click="ignore")

st.markdown(f"**{T('bulletin.definitions')}**")
st.markdown("\n".join(f"{i}. {line}" for i, line in enumerate(report.notes(b, lang), start=1)))
st.caption(T("bulletin.note.demo"))

# --- comparison (对比分析): two to four units side by side, their monthly trends, 环比 and 同比 ------------
COMPARED = ("received", *bulletin.MEASURES, "dissatisfied", "returned_reopened", "composite")


def _figure(measure: str, value) -> str:
    if measure in bulletin.MEASURES:
        return formatting.percent(value, lang)
    if measure == "composite":
        return "—" if formatting.is_missing(value) else f"{float(value):.2f}"
    return formatting.count(value, lang)


def _unit_name(code: str, names: dict) -> str:
    return T("compare.district") if code == bulletin.DISTRICT_CODE else names.get(code, code)


st.divider()
st.subheader(T("compare.title"))
st.caption(T("compare.caption"))
compare_street = street if level == "community" else None
if kind != "month":
    st.info(T("compare.month_only"))
else:
    units = cached(bulletin.comparison_units, level, compare_street, scope.role)
    unit_names = dict(zip(units["code"], units["name"], strict=True))
    options = list(units["code"])
    chosen = st.multiselect(T("compare.units"), options, default=options[:2], max_selections=4,
                            format_func=lambda c: _unit_name(c, unit_names), key=f"compare_{level}_{compare_street}")
    if len(chosen) < 2:
        st.info(T("compare.pick_more"))
    else:
        trend = cached(bulletin.compare_units, tuple(chosen), period_key, level, compare_street, scope.role,
                       config=config, targets=targets)
        now = trend[trend["period"] == period_key].set_index("code")
        side = pd.DataFrame({T("bulletin.col.name"): [T(f"bulletin.col.{m}") for m in COMPARED]})
        for code in chosen:
            side[_unit_name(code, unit_names)] = [_figure(m, now.loc[code, m]) if code in now.index else "—"
                                                 for m in COMPARED]
        st.html(tables.small_table_html(side, right=tuple(_unit_name(c, unit_names) for c in chosen)))
        trend = trend.assign(name=[_unit_name(c, unit_names) for c in trend["code"]])
        show_chart(bulletin_charts.trend_multiples(trend, lang), lang)
        focus = st.selectbox(T("compare.unit"), chosen, format_func=lambda c: _unit_name(c, unit_names),
                             key="compare_focus")
        st.markdown(f"**{T('compare.yoy', unit=_unit_name(focus, unit_names))}**")
        months = bulletin.month_comparison(trend, focus, period_key)
        yoy = pd.DataFrame({
            T("compare.col.which"): [T(f"compare.which.{w}") for w in months["which"]],
            T("compare.col.period"): list(months["period"]),
            **{T(f"bulletin.col.{m}"): [_figure(m, v) for v in months[m]] for m in COMPARED},
        })
        st.html(tables.small_table_html(yoy, right=tuple(T(f"bulletin.col.{m}") for m in COMPARED)))


# --- worklist (督办清单): overdue and 临期 work of the sidebar's place, whatever the period -------------
st.divider()
st.subheader(T("worklist.title"))
place = place_label(scope, streets, cached(geography.communities), lang)
days_ahead = int(st.number_input(T("worklist.days"), min_value=0, max_value=30, value=3, step=1,
                                 key="worklist_days"))
st.caption(T("worklist.caption", date=formatting.day(ctx.reference, lang), place=place, days=days_ahead))
open_scope = scope.with_period(Period("all", ctx.start, ctx.reference))
counts = cached(worklist.worklist_counts, open_scope, ctx.reference, days_ahead, targets)
total = counts["overdue"] + counts["due_soon"]
work = cached(worklist.worklist, open_scope, ctx.reference, days_ahead, targets, WORKLIST_SHOWN)
if work.empty:
    st.info(T("worklist.empty"))
else:
    st.markdown(T("worklist.summary", overdue=formatting.count(counts["overdue"], lang),
                  soon=formatting.count(counts["due_soon"], lang)))
    if total > len(work):
        st.caption(T("worklist.shown", shown=formatting.count(len(work), lang), total=formatting.count(total, lang)))

    def readable(frame: pd.DataFrame) -> pd.DataFrame:
        shown = frame.copy()
        shown["kind"] = [T(f"worklist.kind.{k}") for k in shown["kind"]]
        shown["state"] = [T(f"worklist.state.{k}") for k in shown["state"]]
        shown["subject"] = [value_name(v, lang) for v in shown["subject"]]
        shown["status"] = [value_name(v, lang) for v in shown["status"]]
        return shown

    names = {c: T(f"worklist.col.{c}") for c in worklist.COLUMNS}
    tables.show_frame(readable(work), names, {"days_left": "%.1f"}, height=420)  # rounded on screen, raw in the file

    def whole_worklist() -> pd.DataFrame:
        """The whole list, read on the click: a district's runs to tens of thousands of rows."""
        return readable(cached(worklist.worklist, open_scope, ctx.reference, days_ahead, targets))

    csv_download(whole_worklist, "worklist", place, lang, headers=names, key="download-worklist")
    ids = list(work.loc[work["kind"] == "request", "id"])
    if ids:
        pick = st.columns([1, 2])
        with pick[0]:
            chosen = st.selectbox(T("worklist.pick"), ids, key="worklist_request")
        with pick[1]:
            st.page_link("pages/requests_page.py", label=T("worklist.open", id=chosen), icon=":material/timeline:",
                         query_params={"request": chosen})

