"""社区地图 Community map: streets and communities coloured by a measure, with drill-down by click."""

import pandas as pd
import streamlit as st

from components import formatting, maps, responsive, tables
from components.data import cached, data_context, district_map_shapes, map_labels, map_shapes
from components.downloads import csv_download
from components.guard import require_entry_point
from components.page_header import page_header
from components.scope_sidebar import (
    current_language,
    current_scope,
    place_label,
    request_scope,
    translator,
)
from components.sections import lazy_expander
from data_access import community_measures, evaluation, geography

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

T, lang, scope, ctx = translator(), current_language(), current_scope(), data_context()
streets, communities = cached(geography.streets), cached(geography.communities)
place = place_label(scope, streets, communities, lang)
street_code = scope.effective_street
street_name = dict(zip(streets["code"], streets["name"], strict=True))

page_header(T("map.title"), scope, place, ctx.reference, lang)

MAP_WIDTH, MAP_HEIGHT = responsive.map_canvas(1100, 620)  # the map column at 1920 px wide (on a phone, its width)

# --- breadcrumb: 龙岗区 › 街道 › 社区, each part a button that goes back up -----------------------------
crumbs = [(T("district"), None, None)]
if street_code:
    crumbs.append((street_name.get(street_code, street_code) if lang == "zh"
                   else streets.set_index("code").loc[street_code, "name_en"], street_code, None))
if scope.community:
    crumbs.append((communities.set_index("code").loc[scope.community, "name"], street_code, scope.community))
crumb_cols = st.columns([1.2] * len(crumbs) + [10 - 1.2 * len(crumbs)], vertical_alignment="center")
for i, (label, crumb_street, crumb_community) in enumerate(crumbs):
    with crumb_cols[i]:
        is_here = i == len(crumbs) - 1
        arrow = "" if i == 0 else "› "
        if st.button(f"{arrow}{label}", key=f"map-crumb-{i}", disabled=is_here,
                     type="secondary", width="stretch"):
            request_scope(crumb_street, crumb_community)

# --- measure (kept in the URL) and layers ---------------------------------------------------------------
measure_options = list(maps.MEASURES)
if "map_measure" not in st.session_state:
    wanted = st.query_params.get("measure", maps.DEFAULT_MEASURE)
    if wanted not in maps.MEASURES:
        st.session_state["map_measure_notice"] = wanted
        wanted = maps.DEFAULT_MEASURE
    st.session_state["map_measure"] = wanted
notice = st.session_state.get("map_measure_notice")
if notice is not None:
    st.warning(T("map.bad_measure", value=str(notice)[:40], default=maps.measure_label(maps.DEFAULT_MEASURE, lang)))

with st.container(key="map-controls"):  # the toggles wrap to a new line, never cut short (responsive.py)
    controls = st.columns([3, 1.3, 1.3, 1.3, 1.3], vertical_alignment="bottom")
with controls[0]:
    measure = st.selectbox(T("map.measure"), measure_options, key="map_measure",
                           format_func=lambda m: maps.measure_label(m, lang),
                           on_change=lambda: st.session_state.pop("map_measure_notice", None))
with controls[1]:
    show_hotspots = st.toggle(T("map.layer.hotspots"), key="map_layer_hotspots")
with controls[2]:
    show_venues = st.toggle(T("map.layer.venues"), key="map_layer_venues")
with controls[3]:
    show_projects = st.toggle(T("map.layer.projects"), key="map_layer_projects")
with controls[4]:
    basemap = st.toggle(T("map.layer.basemap"), key="map_layer_basemap", help=T("map.layer.basemap.help"))
if st.query_params.get("measure") != measure:
    st.query_params["measure"] = measure

# --- figures ---------------------------------------------------------------------------------------------
district_scope = scope.widened()
district_row = cached(community_measures.unit_measures, district_scope, "district")
district_streets = cached(community_measures.unit_measures, district_scope, "street")
# The average community of the district comes from the district's own sums; every community's row
# (a thousand for a city) is read only for the project points of the whole district.
community_composites = cached(evaluation.composite_scores, district_scope)["composite"]
role_street = district_scope.effective_street  # the district, or a street office's own street
in_district = communities if role_street is None else communities.loc[communities["street_code"] == role_street]
community_average = maps.unit_averages(district_row, count=len(in_district), composites=community_composites)
district_value = district_row[maps.MEASURES[measure].column].iloc[0] if len(district_row) else None
if measure in ("projects", "resources_used", "composite"):
    district_value = None  # counts and scores: the centre is the mean of the units shown

if street_code:
    units = cached(community_measures.unit_measures, scope.without_community(), "community")
    drawn_shapes = map_shapes()  # the boundaries drawn: a street's communities at full detail
    unit_shapes = drawn_shapes.communities
    label_size = responsive.map_label_px(13)
    bounds = maps.collection_bounds(maps.unit_collection(drawn_shapes, street_code))
    st.caption(T("map.units.communities", street=street_name.get(street_code, ""), n=len(units)))
else:
    units = district_streets
    drawn_shapes, bounds = district_map_shapes(MAP_WIDTH, MAP_HEIGHT)  # the district's, fitted to the canvas
    unit_shapes = drawn_shapes.streets
    label_size = responsive.map_label_px(16)
    st.caption(T("map.units.streets", place=place, n=formatting.count(len(units))))
if district_value is None or pd.isna(district_value):
    averages = community_average if street_code else maps.unit_averages(district_streets)
    district_value = averages.get(measure)

if units.empty:
    st.info(T("map.empty"))
    st.stop()

hotspots = cached(community_measures.request_hotspots, scope.without_community()) if show_hotspots else None
venues = cached(community_measures.venue_points, scope) if show_venues else None
project_points = None
if show_projects:
    every_unit = units if street_code else cached(community_measures.unit_measures, district_scope, "community")
    project_points = every_unit[["name", "lon", "lat", "projects"]]

view = maps.community_map(
    units, unit_shapes, drawn_shapes.outline, measure, lang,
    district_value=district_value, street_shapes=drawn_shapes.streets, labels=map_labels(street_code),
    label_size=label_size, highlight=scope.community, hotspots=hotspots, venues=venues,
    project_points=project_points, basemap=basemap, bounds=bounds, schematic=drawn_shapes.schematic,
    width=MAP_WIDTH, height=MAP_HEIGHT,
)

with st.container(key="map-row"):  # below 1100 px the panel goes under the map (components/responsive.py)
    map_col, panel_col = st.columns([3, 1.15])
with map_col:
    event = st.pydeck_chart(view.deck, height=MAP_HEIGHT, on_select="rerun", selection_mode="single-object",
                            key=f"map-{street_code or 'all'}-{scope.community or 'all'}-{measure}")
    if view.schematic:
        st.caption(":material/info: " + T("map.schematic_note"))
    else:
        st.caption(T("map.real_note"))

picked = (event.selection.get("objects", {}) or {}).get("units", []) if event else []
if picked:
    obj = picked[0]
    props = obj.get("properties", obj) if isinstance(obj, dict) else {}
    code = str(props.get("code", ""))
    if street_code and code in set(units["code"]) and code != scope.community:
        request_scope(street_code, code)
    elif not street_code and code in set(units["code"]):
        request_scope(code, None)

# --- side panel: the scope's figures against the street and district averages ---------------------------
with panel_col:
    st.html(maps.legend_html(view.legend))
    st.markdown(f"**{T('map.panel.title', place=place)}**")
    if scope.community:
        own = units.loc[units["code"] == scope.community]
        street_avg = maps.unit_averages(units)
        street_avg["median_days"] = district_streets.set_index("code")["median_days"].get(street_code)
        district_avg = dict(community_average)
    elif street_code:
        own = district_streets.loc[district_streets["code"] == street_code]
        street_avg = None
        district_avg = maps.unit_averages(district_streets)
    else:
        own = district_row
        street_avg = None
        district_avg = None
    if district_avg is not None:
        district_avg["median_days"] = district_row["median_days"].iloc[0] if len(district_row) else None
    rows = []
    for key, spec in maps.MEASURES.items():
        value = own[spec.column].iloc[0] if len(own) else None
        row = {T("map.panel.measure"): maps.measure_label(key, lang), T("map.panel.value"):
               maps.format_measure(key, value, lang)}
        if street_avg is not None:
            row[T("map.panel.street_avg")] = maps.format_measure(key, street_avg.get(key), lang)
        if district_avg is not None:
            row[T("map.panel.district_avg")] = maps.format_measure(key, district_avg.get(key), lang)
        rows.append(row)
    panel = pd.DataFrame(rows)
    st.html(tables.small_table_html(panel, right=tuple(panel.columns[1:])))
    if district_avg is not None:
        st.caption(T("map.panel.note"))
    st.page_link("pages/overview_page.py", label=T("map.link.overview"), icon=":material/dashboard:")

# --- the units as a table, with a CSV download (drawn when opened: a city has 110 streets) -----------------
columns = ["name", "street_name", "population"] + [spec.column for spec in maps.MEASURES.values()]
headers = {"name": T("map.col.name"), "street_name": T("map.col.street"), "population": T("map.col.population")}
headers.update({spec.column: maps.measure_label(key, lang) for key, spec in maps.MEASURES.items()})


def unit_table() -> None:
    table = units[columns]
    shown = table.copy()
    for key, spec in maps.MEASURES.items():
        shown[spec.column] = [maps.format_measure(key, v, lang) for v in table[spec.column]]
    shown["population"] = [formatting.count(v) for v in table["population"]]
    st.dataframe(shown.rename(columns=headers), hide_index=True, width="stretch")
    csv_download(table, "community_map", place, lang, headers=headers, key="download-community-map",
                 fractions=[spec.column for spec in maps.MEASURES.values() if spec.kind == "rate"])


lazy_expander(T("map.table.open", n=formatting.count(len(units))), "map-unit-table", unit_table)
