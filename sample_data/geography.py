"""Schematic street and community shapes inside the real Longgang outline.

No public street or community boundary exists (see ``geo/SOURCES.md``), but the
map still needs areas to colour. So the district outline (real, DataV) is cut
into 11 street cells (Voronoi cells of the street points) and each street cell
into its communities (Voronoi cells of relaxed random points). All cells come
from one noded set of lines, so neighbours share exactly the same edges: each
street is exactly the union of its communities, and the communities tile the
outline with no gap or overlap. The shapes are schematic, not boundaries.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import MultiPoint, Point, Polygon, mapping, shape

GEO_DIR = Path(__file__).resolve().parent / "geo"
OUTLINE_FILE = "longgang_district_datav_wgs84.geojson"
STREETS_FILE = "longgang_streets.csv"
COMMUNITIES_FILE = "longgang_communities.csv"

#: Coordinates are written with 5 decimals (about 1 m), as the brief asks.
DECIMALS = 5

#: 园山 and 宝龙 have no public point. These are chosen by hand inside the
#: outline: 园山 east of 横岗, 宝龙 south-east of the 龙岗 point (lat, lon).
ASSUMED_STREET_POINTS = {"园山街道": (22.66, 114.26), "宝龙街道": (22.71, 114.30)}

#: Lloyd steps for the community points: enough to even out random sampling.
LLOYD_STEPS = 6
#: How far community lines reach past their street, so they always meet its edge.
OVERSHOOT_DEG = 0.003


@dataclass
class Street:
    code: str
    name: str
    name_en: str
    seed: Point
    seed_assumed: bool
    polygon: Polygon | None = None

    @property
    def label_point(self) -> Point:
        """A point surely inside the cell (streets.csv lat/lon)."""
        return round_geometry(self.polygon.point_on_surface())


@dataclass
class Community:
    code: str
    name: str
    street_code: str
    street_name: str
    seed: Point | None = None
    polygon: Polygon | None = None


@dataclass
class Geography:
    outline: Polygon
    streets: list[Street]
    communities: list[Community]

    def community(self, code: str) -> Community:
        return next(c for c in self.communities if c.code == code)


def round_geometry(geom):
    """Round to the written precision and drop the repeated points that rounding makes."""
    rounded = shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))
    return shapely.remove_repeated_points(rounded)


def load_outline(geo_dir: Path = GEO_DIR) -> Polygon:
    """The 11-street outline (DataV part ``longgang_proper``, Dapeng left out)."""
    data = json.loads((geo_dir / OUTLINE_FILE).read_text(encoding="utf-8"))
    part = next(f for f in data["features"] if f["properties"].get("part") == "longgang_proper")
    return round_geometry(shape(part["geometry"]))


def load_streets(outline: Polygon, geo_dir: Path = GEO_DIR) -> list[Street]:
    """The 11 streets with their seed points; the two missing points are assumed."""
    inner = outline.buffer(-0.002)
    streets = []
    with open(geo_dir / STREETS_FILE, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assumed = not row["lat"]
            lat, lon = ASSUMED_STREET_POINTS[row["street"]] if assumed else (float(row["lat"]), float(row["lon"]))
            seed = Point(lon, lat)
            if not outline.contains(seed):  # nudge a point outside the outline inwards
                seed = shapely.ops.nearest_points(inner, seed)[0]
            streets.append(Street(row["street_code"], row["street"], row["street_pinyin"], seed, assumed))
    return streets


def load_communities(geo_dir: Path = GEO_DIR) -> list[Community]:
    """The 111 communities in file order (grouped by street)."""
    with open(geo_dir / COMMUNITIES_FILE, encoding="utf-8") as fh:
        return [
            Community(row["code"], row["community"], row["street_code"], row["street"])
            for row in csv.DictReader(fh)
        ]


def _voronoi_cells(points: list[Point], region: Polygon) -> list[Polygon]:
    """Voronoi cells of ``points`` in input order, reaching well past ``region``."""
    cells = shapely.voronoi_polygons(
        MultiPoint(points), extend_to=region.envelope.buffer(0.1), ordered=True
    )
    return list(cells.geoms)


def _random_points(region: Polygon, n: int, rng: np.random.Generator) -> list[Point]:
    """``n`` uniform points inside ``region`` (rejection sampling on its bounds)."""
    x0, y0, x1, y1 = region.bounds
    found: list[Point] = []
    while len(found) < n:
        xs = rng.uniform(x0, x1, 64)
        ys = rng.uniform(y0, y1, 64)
        inside = shapely.contains_xy(region, xs, ys)
        found.extend(Point(x, y) for x, y in zip(xs[inside], ys[inside], strict=True))
    return found[:n]


def _relaxed_points(region: Polygon, n: int, rng: np.random.Generator) -> list[Point]:
    """Random points moved a few Lloyd steps towards their cell centroids, so cells are even."""
    points = _random_points(region, n, rng)
    for _ in range(LLOYD_STEPS):
        cells = [cell.intersection(region) for cell in _voronoi_cells(points, region)]
        points = [c.centroid if region.contains(c.centroid) else c.point_on_surface() for c in cells]
    return points


def _nearest(point: Point, seeds: list[Point]) -> int:
    return int(np.argmin([point.distance(s) for s in seeds]))


def _merge_stray_parts(polygons: dict[str, object]) -> dict[str, Polygon]:
    """Give detached slivers of a cell to the neighbour they share most edge with.

    A Voronoi cell clipped to a concave region can fall apart; the biggest part
    stays, every other part joins the touching cell that borders it longest.
    """
    result = dict(polygons)
    for key, geom in polygons.items():
        if geom.geom_type == "Polygon":
            continue
        parts = sorted(geom.geoms, key=lambda p: p.area, reverse=True)
        result[key] = parts[0]
        for part in parts[1:]:
            others = [k for k in result if k != key]
            best = max(others, key=lambda k: part.boundary.intersection(result[k].boundary).length)
            result[best] = shapely.union(result[best], part)
    return result


def build_geography(rng: np.random.Generator, geo_dir: Path = GEO_DIR) -> Geography:
    """Street cells, community cells and seeds, as described in the module docstring."""
    outline = load_outline(geo_dir)
    streets = load_streets(outline, geo_dir)
    communities = load_communities(geo_dir)

    street_raw = _voronoi_cells([s.seed for s in streets], outline)
    lines = [outline.exterior] + [cell.exterior for cell in street_raw]
    by_street: dict[str, list[Community]] = {}
    for street, raw in zip(streets, street_raw, strict=True):
        members = [c for c in communities if c.street_code == street.code]
        by_street[street.code] = members
        cell = raw.intersection(outline)
        for community, seed in zip(members, _relaxed_points(cell, len(members), rng), strict=True):
            community.seed = round_geometry(seed)
        reach = raw.buffer(OVERSHOOT_DEG)
        for ccell in _voronoi_cells([c.seed for c in members], cell):
            lines.append(ccell.exterior.intersection(reach))

    # One noding of every line, so shared edges are identical in both neighbours.
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.unary_union(lines))))
    probes = [face.point_on_surface() for face in faces]
    kept = [(f, p) for f, p in zip(faces, probes, strict=True) if outline.contains(p)]
    street_seeds = [s.seed for s in streets]
    street_of = [streets[_nearest(p, street_seeds)].code for _, p in kept]
    street_polygons = _merge_stray_parts(
        {s.code: shapely.union_all([f for (f, _), k in zip(kept, street_of, strict=True) if k == s.code])
         for s in streets}
    )
    pieces: dict[str, list[Polygon]] = {c.code: [] for c in communities}
    for face, probe in kept:
        street_code = next(code for code, poly in street_polygons.items() if poly.contains(probe))
        members = by_street[street_code]
        pieces[members[_nearest(probe, [c.seed for c in members])].code].append(face)

    polygons: dict[str, Polygon] = {}
    for street in streets:
        polygons.update(
            _merge_stray_parts({c.code: shapely.union_all(pieces[c.code]) for c in by_street[street.code]})
        )
    for community in communities:
        community.polygon = round_geometry(polygons[community.code])
    for street in streets:
        street.polygon = round_geometry(shapely.union_all([c.polygon for c in by_street[street.code]]))
    district = round_geometry(shapely.union_all([s.polygon for s in streets]))
    return Geography(district, streets, communities)


def random_points_in(polygon: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform (lon, lat) points inside ``polygon``, rounded to 5 decimals."""
    x0, y0, x1, y1 = polygon.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        m = max(64, 2 * (n - len(out)))
        xy = np.column_stack([rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)]).round(DECIMALS)
        out = np.vstack([out, xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]])
    return out[:n]


def _feature(properties: dict, geom) -> str:
    return json.dumps(
        {"type": "Feature", "properties": properties, "geometry": mapping(geom)},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _write_collection(path: Path, features: list[str]) -> None:
    """One feature per line: small diffs when the layout changes."""
    body = ",\n".join(features)
    path.write_text('{"type":"FeatureCollection","features":[\n' + body + "\n]}\n", encoding="utf-8")


def write_geojson(geo: Geography, out_dir: Path) -> None:
    """Write the schematic streets, communities and the outline they tile."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_collection(
        out_dir / "streets_schematic.geojson",
        [
            _feature({"code": s.code, "name": s.name, "name_en": s.name_en, "schematic": True}, s.polygon)
            for s in geo.streets
        ],
    )
    _write_collection(
        out_dir / "communities_schematic.geojson",
        [
            _feature(
                {
                    "code": c.code,
                    "name": c.name,
                    "street_code": c.street_code,
                    "street_name": c.street_name,
                    "schematic": True,
                },
                c.polygon,
            )
            for c in geo.communities
        ],
    )
    _write_collection(
        out_dir / "district_outline.geojson",
        [_feature({"name": "龙岗区 (11 streets, excl. Dapeng)", "adcode": 440307, "part": "longgang_proper"},
                  geo.outline)],
    )
