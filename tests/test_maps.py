"""Pure map builders: frames and shapes in, a pydeck Deck and legend data out (no server)."""

import json

import pandas as pd
import pytest
import shapely
import shapely.affinity
import shapely.geometry
from shapely.geometry import shape

from components import maps
from data_access import boundaries

SHAPES = boundaries.load_shapes("/nonexistent-data-dir")


def _streets(values=None) -> pd.DataFrame:
    rows = []
    for i, feature in enumerate(SHAPES.streets["features"]):
        p = feature["properties"]
        rows.append({"code": p["code"], "name": p["name"], "street_code": p["code"], "street_name": p["name"],
                     "population": 100_000 + i, "requests": 1000 + 10 * i, "resolved": 900 + 10 * i,
                     "projects": 10 + i, "projects_completed": 5, "resources_used": 30, "new_volunteers": 50,
                     "requests_per_1000": 10.0 + i, "resolution_rate": 0.9 + i / 200, "median_days": 3.0 + i / 10,
                     "projects_completed_share": 0.5, "composite": 90.0 + i, "volunteers_per_1000": 5.0})
    frame = pd.DataFrame(rows)
    if values is not None:
        frame["requests_per_1000"] = values
    return frame


def _layers(view) -> dict:
    spec = json.loads(view.deck.to_json())
    return {layer["id"]: layer for layer in spec["layers"]}, spec


def test_deck_is_offline_with_the_expected_layers():
    view = maps.community_map(_streets(), SHAPES.streets, SHAPES.outline, "requests_per_1000", "zh",
                              street_shapes=SHAPES.streets, labels=maps.label_points(SHAPES.streets))
    assert view.deck.map_provider is None
    layers, spec = _layers(view)
    # no provider, and the style sentinel Streamlit reads as "no basemap" (a missing style makes it use Carto)
    assert "mapProvider" not in spec and spec["mapStyle"] == maps.NO_BASEMAP_STYLE == "__MAP_STYLE__"
    assert {"district", "units", "labels"} <= set(layers)
    # the outline is sent once: its fill and its border are one layer, under the units
    assert list(layers).index("district") == 0 and layers["district"]["stroked"] and layers["district"]["filled"]
    assert sum(layer.get("data") == SHAPES.outline for layer in layers.values()) == 1
    # the units are the streets: their borders are drawn once, in the street-line style
    assert "street-lines" not in layers and layers["units"]["getLineColor"] == maps.STREET_LINE
    assert layers["labels"]["characterSet"] == "auto"
    assert len(layers["units"]["data"]["features"]) == 11
    assert view.schematic is True
    assert view.unit_codes == [f["properties"]["code"] for f in SHAPES.streets["features"]]
    texts = {d["text"] for d in layers["labels"]["data"]}
    assert "布吉街道" in texts and len(texts) == 11


def test_the_deck_json_is_pydecks_own_without_the_indentation():
    view = maps.community_map(_streets(), SHAPES.streets, SHAPES.outline, "requests_per_1000", "zh",
                              street_shapes=SHAPES.streets, labels=maps.label_points(SHAPES.streets))
    compact, indented = view.deck.to_json(), maps.pdk.Deck.to_json(view.deck)
    assert json.loads(compact) == json.loads(indented)
    assert "\n" not in compact and len(compact) < len(indented) / 2


def test_initial_view_fits_the_district():
    view = maps.community_map(_streets(), SHAPES.streets, SHAPES.outline, "requests_per_1000",
                              bounds=maps.DISTRICT_BOUNDS)
    state = view.deck.initial_view_state
    assert 114.15 < state.longitude < 114.25 and 22.65 < state.latitude < 22.75
    assert 10 < state.zoom < 12


def test_basemap_toggle_is_the_only_way_online():
    view = maps.community_map(_streets(), SHAPES.streets, SHAPES.outline, "projects", basemap=True)
    assert view.deck.map_provider == "carto"
    assert json.loads(view.deck.to_json())["mapStyle"].startswith("https://basemaps.cartocdn.com")


def test_sequential_scale_runs_pale_to_dark_and_legend_spans_the_values():
    values = [float(v) for v in range(11, 22)]
    view = maps.community_map(_streets(values), SHAPES.streets, SHAPES.outline, "requests_per_1000")
    assert view.legend.scale == "sequential"
    assert view.legend.values[0] == pytest.approx(11) and view.legend.values[-1] == pytest.approx(21)
    assert view.legend.stops[0] == ("11.0", maps.SEQUENTIAL[0])
    assert view.legend.stops[-1][1] == maps.SEQUENTIAL[-1]
    assert view.legend.unit == "件/千人"
    layers, _ = _layers(view)
    fills = {f["properties"]["code"]: f["properties"]["fill"] for f in layers["units"]["data"]["features"]}
    codes = list(_streets()["code"])
    assert fills[codes[0]][:3] == maps.hex_rgb(maps.SEQUENTIAL[0])
    assert fills[codes[-1]][:3] == maps.hex_rgb(maps.SEQUENTIAL[-1])


def test_missing_values_look_different_from_low_ones():
    values = [None] + [float(v) for v in range(1, 11)]
    view = maps.community_map(_streets(values), SHAPES.streets, SHAPES.outline, "requests_per_1000")
    layers, _ = _layers(view)
    features = layers["units"]["data"]["features"]
    missing, lowest = features[0]["properties"], features[1]["properties"]
    assert missing["value"] is None
    assert missing["fill"] == maps.hex_rgb(maps.MISSING_COLOUR) + [maps.MISSING_ALPHA]
    assert missing["fill"] != lowest["fill"]
    assert "—" in missing["tooltip"]
    assert view.legend.missing_label == "无数据"


def test_diverging_scale_centres_on_the_district_value_and_respects_direction():
    frame = _streets()
    scale = maps.colour_scale("median_days", frame["median_days"], district_value=3.5)
    assert scale.scale == "diverging" and scale.centre == 3.5
    assert scale.low == pytest.approx(3.5 - 0.5) and scale.high == pytest.approx(4.0)
    assert scale.colour(3.5)[:3] == maps.hex_rgb(maps.DIVERGING[2])
    # fewer days is better: the low end takes the "better" colour
    assert scale.colour(3.0)[:3] == maps.hex_rgb(maps.DIVERGING[-1])
    rate = maps.colour_scale("resolution_rate", frame["resolution_rate"], district_value=0.92)
    assert rate.colour(rate.high)[:3] == maps.hex_rgb(maps.DIVERGING[-1])
    legend = maps.legend_for(scale, "zh")
    assert legend.centre_label == "全区平均 3.5天"


def test_tooltip_escapes_text_from_the_data():
    frame = _streets()
    frame.loc[0, "name"] = "<img src=x onerror=alert(1)>"
    view = maps.community_map(frame, SHAPES.streets, SHAPES.outline, "resolution_rate")
    layers, _ = _layers(view)
    tip = layers["units"]["data"]["features"][0]["properties"]["tooltip"]
    assert "<img" not in tip and "&lt;img" in tip
    assert "诉求办结率" in tip


def test_optional_layers_and_highlight():
    frame = _streets()
    hotspots = pd.DataFrame({"lat": [22.7, 22.705], "lon": [114.2, 114.2], "requests": [3, 30]})
    venues = pd.DataFrame({"code": ["V1"], "name": ["<b>礼堂</b>"], "kind": ["礼堂"], "community_name": ["龙岭社区"],
                           "opening_hours": ["09:00-21:00"], "lat": [22.6], "lon": [114.1]})
    points = pd.DataFrame({"name": ["甲", "乙"], "lon": [114.1, 114.2], "lat": [22.6, 22.7], "projects": [0, 4]})
    code = frame["code"].iloc[2]
    view = maps.community_map(frame, SHAPES.streets, SHAPES.outline, "projects", hotspots=hotspots, venues=venues,
                              project_points=points, highlight=code)
    layers, _ = _layers(view)
    assert layers["hotspots"]["@@type"] == "ColumnLayer" and len(layers["hotspots"]["data"]) == 2
    assert "&lt;b&gt;" in layers["venues"]["data"][0]["tooltip"]
    assert len(layers["projects"]["data"]) == 1  # communities with no project draw no circle
    assert [f["properties"]["code"] for f in layers["highlight"]["data"]["features"]] == [code]
    assert len(view.legend.notes) == 3


def test_legend_html_is_escaped_and_shows_units():
    scale = maps.colour_scale("composite", pd.Series([90.0, 110.0]), district_value=100.0)
    legend = maps.legend_for(scale, "en")
    block = maps.legend_html(legend)
    assert "points (100 = on target)" in block and "No data" in block and "linear-gradient" in block


def test_unit_averages_use_summed_counts():
    frame = _streets()
    averages = maps.unit_averages(frame)
    assert averages["requests_per_1000"] == pytest.approx(frame["requests"].sum() / frame["population"].sum() * 1000)
    assert averages["resolution_rate"] == pytest.approx(frame["resolved"].sum() / frame["requests"].sum())
    assert maps.unit_averages(frame.iloc[0:0])["composite"] is None


def test_every_measure_has_label_unit_and_format():
    for measure in maps.MEASURES:
        assert maps.measure_label(measure, "zh") and maps.measure_unit(measure, "en")
        assert maps.format_measure(measure, None) == "—"


def test_rounded_collection_keeps_shapes_and_properties_with_fewer_digits():
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "1", "name": "甲"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[[[114.123456789, 22.987654321],
                                                                [114.2, 22.9], [114.1, 22.8],
                                                                [114.123456789, 22.987654321]]]]}}]}
    rounded = maps.rounded_collection(collection)
    ring = rounded["features"][0]["geometry"]["coordinates"][0][0]
    assert ring[0] == [114.12346, 22.98765] and len(ring) == 4
    assert rounded["features"][0]["properties"] == {"code": "1", "name": "甲"}
    assert rounded["features"][0]["bbox"] == [114.1, 22.8, 114.2, 22.98765]
    assert collection["features"][0]["geometry"]["coordinates"][0][0][0][0] == 114.123456789  # not changed


def test_unit_collection_is_the_streets_or_one_streets_communities():
    shapes = boundaries.load_shapes()
    assert maps.unit_collection(shapes, None) is shapes.streets
    street = shapes.streets["features"][0]["properties"]["code"]
    chosen = maps.unit_collection(shapes, street)["features"]
    assert chosen and {f["properties"]["street_code"] for f in chosen} == {street}


def test_a_streets_communities_keep_the_street_lines_above_them():
    street = SHAPES.streets["features"][0]["properties"]["code"]
    source = maps.unit_collection(SHAPES, street)
    units = pd.DataFrame([{"code": f["properties"]["code"], "name": f["properties"]["name"], "street_code": street,
                           "requests_per_1000": 5.0 + i} for i, f in enumerate(source["features"])])
    view = maps.community_map(units, SHAPES.communities, SHAPES.outline, "requests_per_1000", "zh",
                              street_shapes=SHAPES.streets, labels=maps.label_points(source))
    layers, _ = _layers(view)
    assert len(layers["units"]["data"]["features"]) == len(units)
    assert layers["street-lines"]["getLineColor"] == maps.STREET_LINE
    assert layers["units"]["getLineColor"] != maps.STREET_LINE
    # the lines of the street itself and of its neighbourhood, not every street of the district
    drawn = {f["properties"]["code"] for f in layers["street-lines"]["data"]["features"]}
    view_box = maps.collection_bounds(source)
    assert street in drawn and drawn == {f["properties"]["code"] for f in
                                         maps.features_near(SHAPES.streets, view_box)["features"]}


def test_features_near_keeps_the_shapes_whose_box_meets_the_widened_view():
    def square(code, x0, y0, size=1.0):
        ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
        return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}

    collection = {"type": "FeatureCollection", "features": [
        square("in", 0, 0), square("beside", 2.5, 0), square("far", 4.5, 0), square("above", 0, 10)]}
    near = maps.features_near(collection, (0, 0, 1, 1))  # widened by the view's own size: (-1, -1, 2, 2)
    assert [f["properties"]["code"] for f in near["features"]] == ["in"]
    wider = maps.features_near(collection, (0, 0, 1, 1), margin=2.0)  # (-2, -2, 3, 3)
    assert [f["properties"]["code"] for f in wider["features"]] == ["in", "beside"]
    # a precomputed GeoJSON bbox is used as it is (the memoised shapes carry one per feature)
    boxed = {**square("boxed", 50, 50), "bbox": [0.5, 0.5, 0.6, 0.6]}
    assert maps.features_near({"features": [boxed]}, (0, 0, 1, 1))["features"] == [boxed]
    assert maps.collection_bounds({"features": [boxed, square("in", 0, 0)]}) == (0, 0, 1, 1)


def _city_like_streets() -> dict:
    """The seed streets and their copy moved one district west: a wider area, as at city scale."""
    moved = [{**f, "properties": {**f["properties"], "code": f["properties"]["code"] + "w"},
              "geometry": shapely.geometry.mapping(shapely.affinity.translate(shape(f["geometry"]), xoff=-0.32))}
             for f in SHAPES.streets["features"]]
    return {"type": "FeatureCollection", "features": SHAPES.streets["features"] + moved}


def test_simplified_streets_keep_one_shared_border_and_stay_within_the_tolerance():
    streets = _city_like_streets()
    tolerance = 0.001  # about half a pixel on a map of both copies
    simplified = maps.simplified_collection(streets, tolerance, digits=4)
    before = [shape(f["geometry"]) for f in streets["features"]]
    after = [shape(f["geometry"]) for f in simplified["features"]]
    assert [f["properties"] for f in simplified["features"]] == [f["properties"] for f in streets["features"]]
    assert all(g.is_valid for g in after)
    assert sum(shapely.get_num_coordinates(after)) < 0.9 * sum(shapely.get_num_coordinates(before))
    assert max(shapely.hausdorff_distance(a, b) for a, b in zip(before, after, strict=True)) < tolerance
    # neighbours were simplified together: no gap opens and nothing overlaps between them
    union_before, union_after = shapely.union_all(before), shapely.union_all(after)
    assert sum(g.area for g in after) == pytest.approx(union_after.area, rel=1e-3)
    assert union_after.area == pytest.approx(union_before.area, rel=1e-2)
    assert len(json.dumps(simplified)) < len(json.dumps(streets))
    assert simplified["features"][0]["bbox"] == [round(c, 4) for c in after[0].bounds]


def test_district_view_opens_on_every_street_with_shapes_simplified_for_that_zoom():
    shapes = boundaries.Shapes(SHAPES.communities, _city_like_streets(), SHAPES.outline, True)
    simplified, bounds = maps.district_view(shapes, 1100, 620)
    # every street in view (the copy lies west of the district), not the district's own box only
    assert bounds == maps.collection_bounds(shapes.streets) and bounds[0] < maps.DISTRICT_BOUNDS[0] - 0.3
    pixel = maps.degrees_per_pixel(maps.fit_view(bounds, 1100, 620))
    assert 0.0005 < pixel < 0.002
    for before, after in zip(shapes.streets["features"], simplified.streets["features"], strict=True):
        assert shapely.hausdorff_distance(shape(before["geometry"]), shape(after["geometry"])) <= pixel
    assert simplified.communities is shapes.communities and simplified.schematic is True
    assert len(json.dumps(simplified.outline)) < len(json.dumps(shapes.outline))
    # the seed district's own view: its streets' box, which is the district's
    _, seed_bounds = maps.district_view(SHAPES, 1100, 620)
    assert seed_bounds == pytest.approx(maps.DISTRICT_BOUNDS, abs=0.002)


def test_labels_that_would_overlap_at_the_opening_zoom_give_way_to_the_bigger_units():
    labels = pd.DataFrame({"code": ["a", "b", "c"], "name": ["甲街道", "乙街道", "丙街道"],
                           "lon": [114.10, 114.1005, 114.20], "lat": [22.70, 22.70, 22.70],
                           "area": [0.001, 0.002, 0.001]})
    kept = maps.legible_labels(labels, zoom=11, size=16)
    assert list(kept["code"]) == ["b", "c"]  # a and b share a spot: the bigger b keeps it; order as given
    assert list(maps.legible_labels(labels, zoom=6, size=16)["code"]) == ["b"]  # zoomed out, all three meet
    # the district map of a city-like area: every label drawn has room of its own
    shapes = boundaries.Shapes(SHAPES.communities, _city_like_streets(), SHAPES.outline, True)
    simplified, bounds = maps.district_view(shapes, 1100, 620)
    all_labels = maps.label_points(simplified.streets)
    units = pd.DataFrame({"code": all_labels["code"], "name": all_labels["name"], "requests_per_1000": 1.0})
    view = maps.community_map(units, simplified.streets, simplified.outline, "requests_per_1000",
                              street_shapes=simplified.streets, labels=all_labels, label_size=16, bounds=bounds)
    drawn = {d["text"] for d in _layers(view)[0]["labels"]["data"]}
    zoom = view.deck.initial_view_state.zoom
    assert 0 < len(drawn) < len(all_labels)
    assert drawn == set(maps.legible_labels(all_labels, zoom, 16)["name"])


@pytest.mark.parametrize(("width", "height", "size"), [(760, 380, 13), (1100, 620, 16), (1340, 760, 22)])
def test_longgangs_eleven_street_labels_all_fit_on_every_district_map(width, height, size):
    # the overview's compact map, the map page and the show's slide: the seed district loses no label
    shapes, bounds = maps.district_view(SHAPES, width, height)
    labels = maps.label_points(shapes.streets)
    kept = maps.legible_labels(labels, maps.fit_view(bounds, width, height).zoom, size)
    assert len(kept) == len(labels) == 11


def test_an_english_map_names_the_streets_in_english():
    labels = maps.label_points(SHAPES.streets)
    view = maps.community_map(_streets(), SHAPES.streets, SHAPES.outline, "requests_per_1000", "en",
                              street_shapes=SHAPES.streets, labels=labels)
    texts = {d["text"] for d in _layers(view)[0]["labels"]["data"]}
    assert "Buji" in texts and len(texts) == 11 and not any("街道" in t for t in texts)
    chinese = maps.community_map(_streets(), SHAPES.streets, SHAPES.outline, "requests_per_1000", "zh",
                                 street_shapes=SHAPES.streets, labels=labels)
    assert "布吉街道" in {d["text"] for d in _layers(chinese)[0]["labels"]["data"]}


def test_community_labels_keep_their_names_in_english():
    # communities have no English names in the data: the label is the name the tables show too
    labels = maps.label_points(SHAPES.communities)
    assert (labels["name_en"] == labels["name"]).all()


def test_a_phone_map_keeps_most_street_labels_at_the_floor_size():
    from components.responsive import PHONE_LABEL_PX, PHONE_MAP

    shapes, bounds = maps.district_view(SHAPES, *PHONE_MAP)
    labels = maps.label_points(shapes.streets)
    kept = maps.legible_labels(labels, maps.fit_view(bounds, *PHONE_MAP).zoom, PHONE_LABEL_PX)
    assert PHONE_LABEL_PX >= 11 and len(kept) >= 9
