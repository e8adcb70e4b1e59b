"""The community map page under AppTest at district, street and community scope."""

import json
from pathlib import Path

import shapely
from apptest_support import html_tables, open_app
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from components import maps
from data_access import boundaries, geography

ROOT = Path(__file__).resolve().parent.parent
BUJI = "440307014"


def run_map(**params) -> AppTest:
    return open_app("pages/map_page.py", timeout=180, **params)


def deck_spec(at: AppTest) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def vertices(features: list[dict]) -> int:
    return int(sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in features))


def layers(spec: dict) -> dict:
    return {layer["id"]: layer for layer in spec["layers"]}


def test_district_scope_shows_the_streets_offline():
    at = run_map()
    assert at.title[0].value == "社区地图"
    spec = deck_spec(at)
    assert "mapProvider" not in spec and spec["mapStyle"] == "__MAP_STYLE__"  # no basemap, nothing fetched
    units = layers(spec)["units"]["data"]["features"]
    assert len(units) == 11
    assert {d["text"] for d in layers(spec)["labels"]["data"]} >= {"布吉街道", "龙岗街道"}
    # the streets as drawn at the zoom the map opens at: simplified, not every vertex of the files
    full = boundaries.load_shapes()
    assert 0 < vertices(units) < 0.9 * vertices(full.streets["features"])
    assert vertices(layers(spec)["district"]["data"]["features"]) < vertices(full.outline["features"])
    assert any("示意" in c.value for c in at.caption)
    assert at.query_params["measure"] == "requests_per_1000"
    assert not at.warning


def test_street_scope_shows_its_communities_and_the_figures_panel(sqlite_db):
    at = run_map(street=BUJI, measure="resolution_rate")
    spec = deck_spec(at)
    communities = geography.communities(sqlite_db)
    buji = set(communities.loc[communities["street_code"] == BUJI, "code"])
    units = layers(spec)["units"]["data"]["features"]
    assert {f["properties"]["code"] for f in units} == buji
    assert "诉求办结率" in units[0]["properties"]["tooltip"]
    assert at.selectbox(key="map_measure").value == "resolution_rate"
    assert at.query_params["street"] == BUJI
    assert "全区平均" in html_tables(at)[0].columns
    assert not at.dataframe  # the unit table is drawn when its expander is opened
    at.session_state["map-unit-table"] = True
    at.run()
    assert set(at.dataframe[0].value["名称"]) == set(communities.loc[communities["street_code"] == BUJI, "name"])


def test_community_scope_highlights_the_chosen_one(sqlite_db):
    communities = geography.communities(sqlite_db)
    longling = communities.loc[communities["name"] == "龙岭社区", "code"].iloc[0]
    at = run_map(community=longling, measure="composite")
    spec = deck_spec(at)
    found = layers(spec)
    assert [f["properties"]["code"] for f in found["highlight"]["data"]["features"]] == [longling]
    assert len(found["units"]["data"]["features"]) == (communities["street_code"] == BUJI).sum()
    panel = html_tables(at)[0]
    assert {"街道平均", "全区平均"} <= set(panel.columns) and len(panel) == len(maps.MEASURES)
    # the breadcrumb goes back up to the street
    at.button(key="map-crumb-1").click().run()
    assert at.sidebar.selectbox(key="scope_community").value == ""
    assert at.sidebar.selectbox(key="scope_street").value == BUJI


def test_unknown_measure_falls_back_with_a_notice():
    at = run_map(measure="<script>")
    assert any("无效" in w.value for w in at.warning)
    assert at.selectbox(key="map_measure").value == "requests_per_1000"
    assert at.query_params["measure"] == "requests_per_1000"


def test_layers_switch_on():
    at = run_map(street=BUJI)
    for key in ("map_layer_hotspots", "map_layer_venues", "map_layer_projects"):
        at.toggle(key=key).set_value(True)
    at.run()
    found = layers(deck_spec(at))
    assert {"hotspots", "venues", "projects"} <= set(found)
    assert all(set(cell) == {"position", "requests", "colour", "tooltip"} for cell in found["hotspots"]["data"])
