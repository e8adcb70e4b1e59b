"""Pure builders of the community map: per-unit frames and shapes in, a pydeck Deck and legend data out.

No Streamlit here, so every builder is unit-tested without a server. The map
works offline: ``map_provider=None`` with pydeck's default ``map_style`` sentinel
(``"__MAP_STYLE__"``). Streamlit 1.67 reads that sentinel as "no basemap"; with
``map_style=None`` the JSON carries no style and Streamlit's frontend falls back to
a Carto style fetched from the internet (the browser test catches that). Nothing
but the shapes shipped with the app is drawn unless the reader switches the
online basemap on.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field, replace

import pandas as pd
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

from components import formatting
from components.i18n import text

#: Longgang's 11 streets (without Dapeng), lon/lat: where a map opens when it has no street shapes to fit.
DISTRICT_BOUNDS = (114.045, 22.584, 114.352, 22.816)


@dataclass(frozen=True)
class MeasureSpec:
    """How one measure is read from the unit frame, formatted and coloured."""

    column: str
    kind: str  # per1000, rate, days, count, score
    scale: str  # sequential or diverging (around the district value)
    higher_is_better: bool = True


MEASURES: dict[str, MeasureSpec] = {
    "requests_per_1000": MeasureSpec("requests_per_1000", "per1000", "sequential"),
    "resolution_rate": MeasureSpec("resolution_rate", "rate", "diverging", True),
    "median_days": MeasureSpec("median_days", "days", "diverging", False),
    "projects": MeasureSpec("projects", "count", "sequential"),
    "projects_completed_share": MeasureSpec("projects_completed_share", "rate", "diverging", True),
    "composite": MeasureSpec("composite", "score", "diverging", True),
    "resources_used": MeasureSpec("resources_used", "count", "sequential"),
    "volunteers_per_1000": MeasureSpec("volunteers_per_1000", "per1000", "sequential"),
}
DEFAULT_MEASURE = "requests_per_1000"
#: pydeck's default map_style; with map_provider=None Streamlit draws no basemap at all
NO_BASEMAP_STYLE = "__MAP_STYLE__"

#: ColorBrewer YlGnBu: pale yellow for low values, so low never looks like missing (grey).
SEQUENTIAL = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
#: ColorBrewer PuOr reversed: orange = worse than the district, blue-purple = better.
DIVERGING = ["#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"]
MISSING_COLOUR = "#9e9e9e"
FILL_ALPHA = 215
MISSING_ALPHA = 110
#: ColorBrewer YlOrBr, 5 classes: its adjacent steps stay apart under deuteranopia (tests/test_palettes.py).
HOTSPOT_COLOURS = ["#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"]
#: pydeck reads a bare string as a JavaScript expression, so constant strings are given as JSON
#: string literals ('"pixels"'); CSS family names may go unquoted inside one.
FONT_FAMILY = '"Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"'


def hex_rgb(colour: str) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[i:i + 2], 16) for i in (0, 2, 4)]


def rgb_hex(rgb) -> str:
    return "#" + "".join(f"{int(round(c)):02x}" for c in rgb[:3])


def _interpolate(palette: list[str], t: float) -> list[int]:
    """The colour at ``t`` in [0, 1] along the palette, linearly between its stops."""
    t = min(max(t, 0.0), 1.0)
    position = t * (len(palette) - 1)
    lower = min(int(math.floor(position)), len(palette) - 2)
    frac = position - lower
    a, b = hex_rgb(palette[lower]), hex_rgb(palette[lower + 1])
    return [int(round(x + (y - x) * frac)) for x, y in zip(a, b, strict=True)]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


@dataclass(frozen=True)
class ColourScale:
    """A continuous scale over [low, high]; for diverging scales ``centre`` is the middle colour."""

    measure: str
    scale: str
    palette: tuple[str, ...]
    low: float | None
    high: float | None
    centre: float | None = None

    def colour(self, value) -> list[int]:
        """RGBA of a value; missing values get the grey, half-transparent missing colour."""
        if _missing(value) or self.low is None:
            return hex_rgb(MISSING_COLOUR) + [MISSING_ALPHA]
        span = self.high - self.low
        t = 0.5 if span <= 0 else (float(value) - self.low) / span
        return _interpolate(list(self.palette), t) + [FILL_ALPHA]

    def stops(self, count: int = 5) -> list[tuple[float, str]]:
        """(value, colour) at evenly spaced points of the scale: what the legend shows."""
        if self.low is None:
            return []
        if self.high == self.low:
            return [(self.low, rgb_hex(self.colour(self.low)))]
        values = [self.low + (self.high - self.low) * i / (count - 1) for i in range(count)]
        return [(v, rgb_hex(self.colour(v))) for v in values]


def colour_scale(measure: str, values: pd.Series, district_value: float | None = None) -> ColourScale:
    """The scale a measure's values call for: sequential from min to max, or diverging around the
    district value with the better side blue-purple whichever way the measure points."""
    spec = MEASURES[measure]
    present = pd.to_numeric(values, errors="coerce").dropna()
    if present.empty:
        return ColourScale(measure, spec.scale, tuple(SEQUENTIAL), None, None)
    low, high = float(present.min()), float(present.max())
    if spec.scale == "diverging":
        centre = float(district_value) if not _missing(district_value) else float(present.mean())
        reach = max(abs(high - centre), abs(low - centre)) or max(abs(centre) * 0.01, 1e-9)
        palette = DIVERGING if spec.higher_is_better else list(reversed(DIVERGING))
        return ColourScale(measure, "diverging", tuple(palette), centre - reach, centre + reach, centre)
    if spec.kind in ("count", "per1000"):
        low = min(low, 0.0) if low <= high * 0.25 else low
    return ColourScale(measure, "sequential", tuple(SEQUENTIAL), low, high)


def map_extremes(units: pd.DataFrame, measure: str, lang: str) -> list[tuple[str, str]]:
    """The two units a reader looks for first, labelled for the measure: best and weakest where the
    measure has a direction (a resolution rate), highest and lowest where it has none (requests per
    1,000 residents is neither good nor bad). Shared by the show's map panel and the deck's map slide."""
    spec = MEASURES[measure]
    ranked = units.dropna(subset=[spec.column]).sort_values(spec.column, ascending=not spec.higher_is_better)
    if ranked.empty:
        return []
    top, bottom = ranked.iloc[0], ranked.iloc[-1]
    keys = ("show.map.best", "show.map.worst") if spec.scale == "diverging" else ("show.map.highest", "show.map.lowest")
    return [(text(key, lang, name=unit["name"]), format_measure(measure, unit[spec.column], lang))
            for key, unit in zip(keys, (top, bottom), strict=True)]


def format_measure(measure: str, value, lang: str = "zh") -> str:
    """A measure's value as the legend, tooltip and side panel show it."""
    if _missing(value):
        return "—"
    kind = MEASURES[measure].kind
    if kind == "rate":
        return formatting.percent(value, lang)
    if kind == "days":
        return formatting.days(value, lang)
    if kind == "count":
        return formatting.count(value, lang)
    return f"{float(value):,.1f}"


def measure_label(measure: str, lang: str = "zh") -> str:
    return text(f"map.measure.{measure}", lang)


def measure_unit(measure: str, lang: str = "zh") -> str:
    return text(f"map.measure.{measure}.unit", lang)


@dataclass
class Legend:
    """What the page draws next to the map: title, unit, colour stops, missing swatch, notes."""

    title: str
    unit: str
    scale: str
    stops: list[tuple[str, str]]  # (formatted value, hex colour)
    values: list[float]
    missing_colour: str = MISSING_COLOUR
    missing_label: str = ""
    centre_label: str | None = None
    notes: list[str] = field(default_factory=list)


def legend_for(scale: ColourScale, lang: str = "zh") -> Legend:
    measure = scale.measure
    stops = scale.stops()
    return Legend(
        title=measure_label(measure, lang),
        unit=measure_unit(measure, lang),
        scale=scale.scale,
        stops=[(format_measure(measure, v, lang), c) for v, c in stops],
        values=[v for v, _ in stops],
        missing_label=text("map.legend.missing", lang),
        centre_label=(text("map.legend.average", lang, value=format_measure(measure, scale.centre, lang))
                      if scale.centre is not None else None),
    )


#: The legend is a white card on either theme, so it names its own text colours (a dark theme's light
#: text on it was 1.2:1); both are above WCAG AA on it (tests/test_palettes.py)
LEGEND_GROUND, LEGEND_INK, LEGEND_MUTED = "#ffffff", "#1f2937", "#555555"


def legend_html(legend: Legend) -> str:
    """The legend as a small HTML block (a gradient bar with ticks); every text is escaped."""
    esc = html.escape
    if legend.stops:
        gradient = ", ".join(colour for _, colour in legend.stops)
        ticks = "".join(f"<span>{esc(label)}</span>" for label, _ in legend.stops)
        bar = (f'<div style="height:14px;border-radius:3px;border:1px solid #ccc;'
               f'background:linear-gradient(to right, {gradient})"></div>'
               f'<div style="display:flex;justify-content:space-between;font-size:0.8rem">{ticks}</div>')
    else:
        bar = ""
    centre = (f'<div style="font-size:0.8rem;color:{LEGEND_MUTED}">{esc(legend.centre_label)}</div>'
              if legend.centre_label else "")
    notes = "".join(f'<div style="font-size:0.8rem;color:{LEGEND_MUTED};margin-top:2px">{note}</div>'
                    for note in legend.notes)
    return (
        f'<div class="lg-map-legend" style="background:{LEGEND_GROUND};color:{LEGEND_INK};border:1px solid #e5e5e5;'
        'border-radius:6px;padding:8px 10px;margin-bottom:8px">'
        f'<div style="font-weight:600;font-size:0.9rem">{esc(legend.title)}'
        f'<span style="font-weight:400;color:{LEGEND_MUTED}">（{esc(legend.unit)}）</span></div>'
        f"{bar}{centre}"
        f'<div style="font-size:0.8rem;margin-top:4px"><span style="display:inline-block;width:14px;'
        f'height:10px;background:{legend.missing_colour};opacity:0.6;border:1px solid #999;margin-right:4px">'
        f"</span>{esc(legend.missing_label)}</div>{notes}</div>"
    )


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_view(bounds, width: int = 1100, height: int = 620, padding: float = 0.08) -> pdk.ViewState:
    """A view centred on ``bounds`` (min lon, min lat, max lon, max lat), zoomed so they fit the canvas."""
    min_lon, min_lat, max_lon, max_lat = bounds
    lon_span = max(max_lon - min_lon, 1e-4) / 360
    lat_span = max(_mercator_y(max_lat) - _mercator_y(min_lat), 1e-6) / (2 * math.pi)
    usable_w, usable_h = width * (1 - 2 * padding), height * (1 - 2 * padding)
    zoom = min(math.log2(usable_w / (512 * lon_span)), math.log2(usable_h / (512 * lat_span)))
    centre_y = (_mercator_y(max_lat) + _mercator_y(min_lat)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return pdk.ViewState(longitude=(min_lon + max_lon) / 2, latitude=centre_lat, zoom=round(zoom, 2),
                         pitch=0, bearing=0)


def feature_bounds(feature: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a feature: its GeoJSON ``bbox`` if it has one."""
    return tuple(feature["bbox"]) if "bbox" in feature else shape(feature["geometry"]).bounds


def collection_bounds(collection: dict) -> tuple[float, float, float, float] | None:
    boxes = [feature_bounds(f) for f in collection.get("features", [])]
    if not boxes:
        return None
    xs0, ys0, xs1, ys1 = zip(*boxes, strict=True)
    return min(xs0), min(ys0), max(xs1), max(ys1)


def features_near(collection: dict, bounds, margin: float = 1.0) -> dict:
    """The features whose box meets ``bounds`` widened by ``margin`` times its size on every side.

    A map of one street draws the street lines of its neighbourhood, not all of a city's 110
    (at city scale they were 205 KB of a 337 KB map): zoomed out three times, the lines still reach
    the edge of the view.
    """
    min_lon, min_lat, max_lon, max_lat = bounds
    dx, dy = (max_lon - min_lon) * margin, (max_lat - min_lat) * margin
    x0, y0, x1, y1 = min_lon - dx, min_lat - dy, max_lon + dx, max_lat + dy
    kept = []
    for feature in collection.get("features", []):
        f0, g0, f1, g1 = feature_bounds(feature)
        if f0 <= x1 and f1 >= x0 and g0 <= y1 and g1 >= y0:
            kept.append(feature)
    return {**collection, "features": kept}


STREET_LINE = [70, 80, 95, 255]
COORDINATE_DIGITS = 5  # about 1 m: finer than a pixel at any zoom the maps use


def _rounded(coordinates, digits: int):
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [round(c, digits) for c in coordinates]
    return [_rounded(part, digits) for part in coordinates]


def rounded_collection(collection: dict, digits: int = COORDINATE_DIGITS) -> dict:
    """The FeatureCollection with its coordinates rounded for display, each feature with its ``bbox``.

    Stored boundaries carry 15 significant digits; a map spec sends every shape to the browser on
    every run, so at city scale (110 streets, 1,110 communities) the digits alone were a third of it.
    The box lets a map pick the shapes near its view without reading their coordinates each run.
    """
    return {**collection, "features": [
        {**f, "bbox": [round(c, digits) for c in shape(f["geometry"]).bounds],
         "geometry": {**f["geometry"], "coordinates": _rounded(f["geometry"]["coordinates"], digits)}}
        for f in collection.get("features", [])]}


#: How far a district map's shapes may stray from the true lines, in screen pixels at the zoom it opens at.
SIMPLIFY_PIXELS = 0.5


def degrees_per_pixel(view: pdk.ViewState) -> float:
    """Degrees of longitude one screen pixel spans at the view's zoom (deck.gl: 512 px per 360° at zoom 0)."""
    return 360 / (512 * 2 ** view.zoom)


def simplified_collection(collection: dict, tolerance: float, digits: int = COORDINATE_DIGITS) -> dict:
    """The collection's shapes simplified together as one coverage (shapely's ``coverage_simplify``:
    neighbours keep one shared border, so no gap or overlap opens between them), rounded to ``digits``.

    A map of the whole district sends every street and the outline at full detail although most of it is
    finer than a pixel at the zoom it opens at: at city scale (110 streets) 316 KB of every such map.
    Simplified to half a pixel they are 212 KB; the lines look the same until the reader zooms in four
    times, where a click on a street draws its communities at full detail anyway.
    """
    features = collection.get("features", [])
    if not features:
        return collection
    geometries = shapely.coverage_simplify([shape(f["geometry"]) for f in features], tolerance)
    return rounded_collection({**collection, "features": [
        {**f, "geometry": mapping(g)} for f, g in zip(features, geometries, strict=True)]}, digits)


def district_view(shapes, width: int, height: int):
    """(shapes, bounds) of a map of the whole district on a ``width`` × ``height`` canvas: it opens on all
    the streets (a city's 110 as well as Longgang's 11), with the streets and the outline simplified to
    :data:`SIMPLIFY_PIXELS` at that zoom and rounded to a tenth of a pixel. ``shapes`` is a
    ``boundaries.Shapes``; its communities are left as they are."""
    bounds = collection_bounds(shapes.streets) or DISTRICT_BOUNDS
    pixel = degrees_per_pixel(fit_view(bounds, width, height))
    digits = min(COORDINATE_DIGITS, max(3, math.ceil(-math.log10(pixel / 10))))
    tolerance = pixel * SIMPLIFY_PIXELS
    return replace(shapes, streets=simplified_collection(shapes.streets, tolerance, digits),
                   outline=simplified_collection(shapes.outline, tolerance, digits)), bounds


def unit_collection(shapes, street: str | None) -> dict:
    """The units a map of ``street`` draws: the streets (None) or that street's communities.
    ``shapes`` is a ``boundaries.Shapes``."""
    if street is None:
        return shapes.streets
    return {"type": "FeatureCollection",
            "features": [f for f in shapes.communities["features"] if f["properties"]["street_code"] == street]}


def label_points(collection: dict) -> pd.DataFrame:
    """A point well inside each feature (pole of inaccessibility) for its label: code, name, name_en (the
    English name where the shape has one, a street's; else the name), lon, lat and the shape's area
    (square degrees: which label a crowded map keeps)."""
    rows = []
    for feature in collection.get("features", []):
        geom = shape(feature["geometry"])
        area = geom.area
        if geom.geom_type == "MultiPolygon":
            geom = max(geom.geoms, key=lambda g: g.area)
        point = polylabel(geom, tolerance=1e-4)
        properties = feature["properties"]
        rows.append({"code": properties["code"], "name": properties["name"],
                     "name_en": properties.get("name_en") or properties["name"],
                     "lon": point.x, "lat": point.y, "area": area})
    return pd.DataFrame(rows, columns=["code", "name", "name_en", "lon", "lat", "area"])


def _screen_xy(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixels at ``zoom`` (deck.gl's 512-pixel world at zoom 0)."""
    world = 512 * 2 ** zoom
    return (lon + 180) / 360 * world, (1 - _mercator_y(lat) / math.pi) / 2 * world


def legible_labels(labels: pd.DataFrame, zoom: float, size: int, gap: int = 2) -> pd.DataFrame:
    """The labels that do not overlap at ``zoom`` (the map's opening zoom), the biggest units' first.

    A city's 110 streets fill the district map with labels laid over one another; the units a label
    leaves out keep their name in the tooltip, and a click on a street shows its communities, named.
    A label's box is estimated from its text: one ``size`` high, a Chinese character (or ·) one ``size``
    wide, others 0.6, and ``gap`` pixels between boxes.
    """
    if labels.empty:
        return labels
    ordered = labels.sort_values("area", ascending=False, kind="stable") if "area" in labels else labels
    half_h = (size + gap) / 2
    kept, boxes = [], []
    for position, name, lon, lat in zip(range(len(ordered)), ordered["name"].tolist(), ordered["lon"].tolist(),
                                        ordered["lat"].tolist(), strict=True):
        half_w = (sum(1.0 if ord(c) > 0x2E80 or c == "·" else 0.6 for c in str(name)) * size + gap) / 2
        x, y = _screen_xy(float(lon), float(lat), zoom)
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in boxes):
            kept.append(position)
            boxes.append(box)
    return ordered.iloc[kept].sort_index()


def _tooltip_lines(title: str, lines: list[str]) -> str:
    """Tooltip HTML: the caller passes lines already escaped where they carry data."""
    return f"<b>{title}</b><br/>" + "<br/>".join(lines)


def unit_tooltip(row, measure: str, lang: str) -> str:
    esc = html.escape
    lines = [f"{esc(measure_label(measure, lang))}：<b>{esc(format_measure(measure, row.get(measure), lang))}</b>"]
    if row.get("street_name") and row.get("street_name") != row.get("name"):
        lines.append(esc(text("map.tip.street", lang, value=row["street_name"])))
    if not _missing(row.get("population")):
        lines.append(esc(text("map.tip.population", lang, value=formatting.count(row["population"]))))
    lines.append(esc(text("map.tip.requests", lang, received=formatting.count(row.get("requests")),
                          rate=formatting.percent(row.get("resolution_rate"), lang))))
    lines.append(esc(text("map.tip.projects", lang, n=formatting.count(row.get("projects")),
                          done=formatting.count(row.get("projects_completed")))))
    return _tooltip_lines(esc(str(row.get("name", ""))), lines)


def unit_features(units: pd.DataFrame, shapes: dict, measure: str, scale: ColourScale, lang: str) -> list[dict]:
    """The shapes of the units in the frame, each carrying its value, fill colour and tooltip."""
    by_code = {str(r["code"]): r for r in units.to_dict("records")}
    features = []
    for feature in shapes.get("features", []):
        code = str(feature["properties"]["code"])
        row = by_code.get(code)
        if row is None:
            continue
        value = row.get(MEASURES[measure].column)
        value = None if _missing(value) else float(value)
        tooltip = unit_tooltip({**row, measure: value}, measure, lang)
        props = {"code": code, "name": html.escape(str(row.get("name", ""))),
                 "street_code": str(row.get("street_code") or ""), "value": value,
                 "fill": scale.colour(value), "tooltip": tooltip}
        features.append({"type": "Feature", "geometry": feature["geometry"], "properties": props,
                         "tooltip": tooltip})
    return features


@dataclass
class MapView:
    """A built map: the Deck, its legend and whether the shapes are schematic (the page says so)."""

    deck: pdk.Deck
    legend: Legend
    schematic: bool
    unit_codes: list[str]


def _text_layer(layer_id: str, labels: pd.DataFrame, size: int, colour: list[int]) -> pdk.Layer:
    data = [{"text": str(r.name), "position": [float(r.lon), float(r.lat)]} for r in labels.itertuples()]
    return pdk.Layer(
        "TextLayer", id=layer_id, data=data, get_position="position", get_text="text", get_size=size,
        size_units='"pixels"', get_color=colour, character_set='"auto"', font_family=FONT_FAMILY,
        font_weight=600, font_settings={"sdf": True}, outline_width=4, outline_color=[255, 255, 255, 235],
        get_text_anchor='"middle"', get_alignment_baseline='"center"', billboard=True, pickable=False,
    )


class CompactDeck(pdk.Deck):
    """A pydeck Deck whose JSON (what st.pydeck_chart sends) is compact. pydeck indents it, which also
    forces Python's pure-Python encoder: a city's overview map was 4 MB and 250 ms of every rerun."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def community_map(
    units: pd.DataFrame,
    unit_shapes: dict,
    outline: dict,
    measure: str,
    lang: str = "zh",
    *,
    district_value: float | None = None,
    street_shapes: dict | None = None,
    labels: pd.DataFrame | None = None,
    label_size: int = 15,
    highlight: str | None = None,
    hotspots: pd.DataFrame | None = None,
    venues: pd.DataFrame | None = None,
    project_points: pd.DataFrame | None = None,
    basemap: bool = False,
    bounds=None,
    schematic: bool = True,
    width: int = 1100,
    height: int = 620,
) -> MapView:
    """The choropleth of ``units`` by ``measure`` with street outlines, labels, district outline and
    optional layers. ``units`` holds one row per unit (code, name, street_name, the measure columns);
    ``unit_shapes`` the FeatureCollection keyed by ``code``."""
    if measure not in MEASURES:
        raise KeyError(measure)
    scale = colour_scale(measure, units[MEASURES[measure].column] if len(units) else pd.Series(dtype=float),
                         district_value)
    legend = legend_for(scale, lang)
    features = unit_features(units, unit_shapes, measure, scale, lang)
    # The district's outline goes to the browser once (at city scale 145 KB): its fill and its border in
    # one layer under the units. The units cover the border's inner half, so it is drawn twice as wide.
    layers = [
        pdk.Layer("GeoJsonLayer", id="district", data=outline, filled=True, stroked=True,
                  get_fill_color=[236, 239, 243, 255], get_line_color=[30, 35, 45, 255],
                  line_width_units='"pixels"', get_line_width=6, pickable=False),
    ]
    # When the units are the streets, their own borders are the street lines: the shapes go to the
    # browser once, not twice (at city scale each copy of 110 streets is a fifth of the map's spec).
    units_are_streets = street_shapes is unit_shapes
    layers.append(pdk.Layer(
        "GeoJsonLayer", id="units", data={"type": "FeatureCollection", "features": features}, filled=True,
        stroked=True, get_fill_color="properties.fill",
        get_line_color=STREET_LINE if units_are_streets else [255, 255, 255, 230],
        line_width_units='"pixels"', get_line_width=2 if units_are_streets else 1, pickable=True,
        auto_highlight=True, highlight_color=[255, 255, 255, 90],
    ))
    bounds = bounds or collection_bounds({"features": features}) or DISTRICT_BOUNDS
    if street_shapes is not None and not units_are_streets:
        layers.append(pdk.Layer("GeoJsonLayer", id="street-lines", data=features_near(street_shapes, bounds),
                                filled=False, stroked=True,
                                get_line_color=STREET_LINE, line_width_units='"pixels"', get_line_width=2,
                                pickable=False))
    if highlight:
        chosen = [f for f in features if f["properties"]["code"] == highlight]
        layers.append(pdk.Layer("GeoJsonLayer", id="highlight", data={"type": "FeatureCollection",
                                "features": chosen}, filled=False, stroked=True, get_line_color=[200, 16, 46, 255],
                                line_width_units='"pixels"', get_line_width=4, pickable=False))
    notes: list[str] = []
    if hotspots is not None and len(hotspots):
        peak = float(hotspots["requests"].max()) or 1.0
        cells = [{"position": [float(r.lon), float(r.lat)], "requests": int(r.requests),
                  "colour": _interpolate(HOTSPOT_COLOURS, math.sqrt(r.requests / peak)) + [200],
                  "tooltip": html.escape(text("map.tip.hotspot", lang, n=formatting.count(r.requests)))}
                 for r in hotspots.itertuples()]
        layers.append(pdk.Layer("ColumnLayer", id="hotspots", data=cells, get_position="position",
                                disk_resolution=4, radius=350, angle=45, extruded=False, get_fill_color="colour",
                                pickable=True))
        notes.append(html.escape(text("map.legend.hotspots", lang, max=formatting.count(peak))))
    if project_points is not None and len(project_points):
        peak = max(int(project_points["projects"].max()), 1)
        points = [{"position": [float(r.lon), float(r.lat)], "radius": 90 + 520 * math.sqrt(r.projects / peak),
                   "tooltip": html.escape(text("map.tip.project_point", lang, name=r.name,
                                               n=formatting.count(r.projects)))}
                  for r in project_points.itertuples() if r.projects > 0]
        layers.append(pdk.Layer("ScatterplotLayer", id="projects", data=points, get_position="position",
                                get_radius="radius", radius_units='"meters"', get_fill_color=[136, 86, 167, 150],
                                get_line_color=[84, 39, 143, 255], stroked=True, line_width_min_pixels=1,
                                pickable=True))
        notes.append(html.escape(text("map.legend.projects", lang, max=formatting.count(peak))))
    if venues is not None and len(venues):
        points = [{"position": [float(r.lon), float(r.lat)],
                   "tooltip": _tooltip_lines(html.escape(str(r.name)), [text(
                       "map.tip.venue", lang, kind=html.escape(str(r.kind)),
                       community=html.escape(str(r.community_name)), hours=html.escape(str(r.opening_hours)))])}
                  for r in venues.itertuples()]
        layers.append(pdk.Layer("ScatterplotLayer", id="venues", data=points, get_position="position",
                                get_radius=4, radius_units='"pixels"', get_fill_color=[33, 33, 33, 230],
                                get_line_color=[255, 255, 255, 255], stroked=True, line_width_min_pixels=1,
                                pickable=True))
        notes.append(html.escape(text("map.legend.venues", lang, n=formatting.count(len(venues)))))
    view = fit_view(bounds, width, height)
    if labels is not None and len(labels):
        if lang == "en" and "name_en" in labels:  # streets have English names; communities keep theirs
            labels = labels.assign(name=labels["name_en"].where(labels["name_en"].astype(bool), labels["name"]))
        layers.append(_text_layer("labels", legible_labels(labels, view.zoom, label_size), label_size,
                                  [25, 30, 40, 255]))
    legend.notes = notes
    deck = CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider="carto" if basemap else None,
        map_style="light" if basemap else NO_BASEMAP_STYLE,
        tooltip={"html": "{tooltip}", "style": {"backgroundColor": "#ffffff", "color": "#1f2937",
                                                 "fontSize": "13px", "border": "1px solid #d1d5db",
                                                 "borderRadius": "4px", "padding": "6px 8px"}},
    )
    return MapView(deck, legend, schematic, [f["properties"]["code"] for f in features])


def unit_averages(units: pd.DataFrame, count: int | None = None, composites: pd.Series | None = None
                  ) -> dict[str, float | None]:
    """The measures over all the given units together: rates from summed counts, counts per unit, the
    composite as a mean. The units may also come summed already (the district's own row): then ``count``
    says how many units they are and ``composites`` gives each unit's composite."""
    if units.empty:
        return {m: None for m in MEASURES}
    count = count or len(units)
    population = float(units["population"].sum())
    requests = float(units["requests"].sum())
    projects = float(units["projects"].sum())
    composite = pd.to_numeric(units["composite"] if composites is None else composites, errors="coerce").dropna()
    return {
        "requests_per_1000": requests / population * 1000 if population else None,
        "resolution_rate": float(units["resolved"].sum()) / requests if requests else None,
        "median_days": None,
        "projects": projects / count,
        "projects_completed_share": float(units["projects_completed"].sum()) / projects if projects else None,
        "composite": float(composite.mean()) if len(composite) else None,
        "resources_used": float(units["resources_used"].sum()) / count,
        "volunteers_per_1000": float(units["new_volunteers"].sum()) / population * 1000 if population else None,
    }
