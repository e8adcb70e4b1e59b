"""The shapes the community map draws: schematic ones shipped with the app, or real ones loaded.

Public street and community boundaries of Longgang do not exist, so the app ships
schematic cells (``sample_data/geo``). An office that holds the real boundaries
loads them with::

    python -m data_access.boundaries communities.geojson

The file is a GeoJSON FeatureCollection, one feature per community keyed by its
official 12-digit code (property ``code``). It is checked with shapely (every
code known, no duplicates, all communities present, every geometry a valid
Polygon or MultiPolygon) and only then replaces the shapes in use, atomically,
in ``<LONGGANG_DATA_DIR>/boundaries/``. Street shapes are the unions of their
communities. A rejected file changes nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from shapely import make_valid
from shapely.geometry import mapping, shape
from shapely.ops import unary_union
from shapely.validation import explain_validity

from data_access.database import REPO_ROOT, default_sqlite_path
from data_access.office_text import decode_office_text

GEO_DIR = REPO_ROOT / "sample_data" / "geo"
SCHEMATIC_COMMUNITIES = GEO_DIR / "communities_schematic.geojson"
SCHEMATIC_STREETS = GEO_DIR / "streets_schematic.geojson"
DISTRICT_OUTLINE = GEO_DIR / "district_outline.geojson"
COMMUNITIES_FILE = "communities.geojson"
STREETS_FILE = "streets.geojson"
OUTLINE_FILE = "outline.geojson"
#: a loaded file must be WGS-84 longitude/latitude inside this box around Longgang
LON_RANGE, LAT_RANGE = (113.7, 114.7), (22.3, 23.1)


class BoundaryError(ValueError):
    """A boundary file was rejected; ``problems`` names each offending feature."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Shapes:
    """FeatureCollections of the communities, streets and district outline, and whether schematic."""

    communities: dict
    streets: dict
    outline: dict
    schematic: bool


def boundaries_dir(data_dir: Path | str | None = None) -> Path:
    """Where loaded boundaries live: ``<LONGGANG_DATA_DIR>/boundaries``."""
    base = Path(data_dir) if data_dir is not None else default_sqlite_path().parent
    return base / "boundaries"


def _read(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _shape_files(data_dir: Path | str | None) -> tuple[list[Path], bool]:
    """The three files the maps read (communities, streets, outline) and whether they are schematic."""
    folder = boundaries_dir(data_dir)
    loaded = [folder / name for name in (COMMUNITIES_FILE, STREETS_FILE, OUTLINE_FILE)]
    if all(p.exists() for p in loaded):
        return loaded, False
    return [SCHEMATIC_COMMUNITIES, SCHEMATIC_STREETS, DISTRICT_OUTLINE], True


def load_shapes(data_dir: Path | str | None = None) -> Shapes:
    """The loaded real boundaries if there are any, else the schematic ones shipped with the app."""
    files, schematic = _shape_files(data_dir)
    return Shapes(*(_read(p) for p in files), schematic=schematic)


def loaded_outline_bounds(data_dir: Path | str | None = None) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the loaded real district outline, in degrees; None while the
    schematic shapes are in use (the importer then boxes coordinates by the stored points)."""
    files, schematic = _shape_files(data_dir)
    if schematic:
        return None
    outline = _read(files[2])
    geometries = [shape(f["geometry"]) for f in outline.get("features", []) if f.get("geometry")]
    if not geometries:
        return None
    return tuple(float(v) for v in unary_union(geometries).bounds)


def shapes_signature(data_dir: Path | str | None = None) -> tuple:
    """Which files :func:`load_shapes` would read, with their size and change time: equal
    signatures mean equal shapes, so a reader can keep them until an import replaces a file."""
    files, _ = _shape_files(data_dir)
    stats = [(str(p), p.stat()) for p in files]
    return tuple((path, stat.st_mtime_ns, stat.st_size) for path, stat in stats)


def _t(key: str, lang: str, **values) -> str:
    """A message of the catalogue (components/text/boundaries.py) in ``lang``."""
    from components.i18n import text  # no Streamlit: the catalogue is plain data

    return text(key, lang, **values)


def _label(index: int, feature, lang: str = "zh") -> str:
    props = feature.get("properties") if isinstance(feature, dict) else None
    code = props.get("code") if isinstance(props, dict) else None
    if code is not None:
        return _t("boundaries.feature_code", lang, index=index, code=code)
    return _t("boundaries.feature", lang, index=index)


def validate(collection, known: Mapping[str, str], lang: str = "zh") -> list[str]:
    """Problems of a community FeatureCollection against ``known`` (code → street code); [] if none."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        return [_t("boundaries.not_collection", lang)]
    features = collection.get("features")
    if not isinstance(features, list):
        return [_t("boundaries.no_features", lang)]
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        label = _label(index, feature, lang)
        props = feature.get("properties") if isinstance(feature, dict) else None
        code = props.get("code") if isinstance(props, dict) else None
        code = str(code) if code is not None else None
        if code is None:
            problems.append(_t("boundaries.no_code", lang, label=label))
        elif code not in known:
            problems.append(_t("boundaries.unknown_code", lang, label=label))
        elif code in seen:
            problems.append(_t("boundaries.duplicate", lang, label=label, other=seen[code]))
        else:
            seen[code] = index
        try:
            geom = shape(feature["geometry"])
        except Exception as error:  # malformed geometry of any kind
            problems.append(_t("boundaries.unreadable", lang, label=label, error=type(error).__name__))
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(_t("boundaries.not_polygon", lang, label=label, kind=geom.geom_type))
        elif geom.is_empty:
            problems.append(_t("boundaries.empty", lang, label=label))
        elif not geom.is_valid:
            problems.append(_t("boundaries.invalid", lang, label=label, why=explain_validity(geom)))
        else:
            minx, miny, maxx, maxy = geom.bounds
            if not (LON_RANGE[0] <= minx and maxx <= LON_RANGE[1] and LAT_RANGE[0] <= miny and maxy <= LAT_RANGE[1]):
                problems.append(_t("boundaries.not_wgs84", lang, label=label))
    missing = sorted(set(known) - set(seen))
    if missing:
        more = _t("boundaries.more", lang, n=len(missing) - 10) if len(missing) > 10 else ""
        shown = ", ".join(missing[:10]) + more
        problems.append(_t("boundaries.missing", lang, n=len(missing), shown=shown))
    return problems


# --- where the shapes lie: overlaps, coverage, community points, GCJ-02 ------------------------------

#: Two communities may overlap by this share of the smaller one (digitising slivers), no more.
OVERLAP_TOLERANCE = 0.01
#: The communities together must cover at least this share of the known district outline.
COVERAGE_NEEDED = 0.8
#: A community's point may lie this far (degrees, about 200 m) outside its shape (a point on the edge).
POINT_TOLERANCE = 0.002
#: An offset smaller than this (metres) is not called a datum shift.
GCJ_MIN_OFFSET_M = 200
_MAX_OVERLAPS_LISTED = 10


def known_outline() -> object:
    """The district outline the shapes are checked against (shipped with the app)."""
    return make_valid(unary_union([shape(f["geometry"]) for f in _read(DISTRICT_OUTLINE)["features"]]))


def check_geography(collection: dict, communities: Mapping[str, Mapping], outline, lang: str = "zh") -> list[str]:
    """Problems of where the shapes lie (the file has passed :func:`validate`): communities overlapping
    beyond :data:`OVERLAP_TOLERANCE`, a union covering less than :data:`COVERAGE_NEEDED` of ``outline``,
    a community's point (``lat``/``lon`` in ``communities``, when given) outside its shape, and an offset
    of the whole that is the GCJ-02 one."""
    from shapely import STRtree
    from shapely.geometry import Point

    features = collection["features"]
    geoms = [shape(f["geometry"]) for f in features]
    labels = [_label(i, f, lang) for i, f in enumerate(features)]
    problems: list[str] = []
    overlaps = []
    tree = STRtree(geoms)
    for i, geom in enumerate(geoms):
        for j in tree.query(geom, predicate="intersects"):
            j = int(j)
            if j <= i:
                continue
            share = geom.intersection(geoms[j]).area / max(min(geom.area, geoms[j].area), 1e-12)
            if share > OVERLAP_TOLERANCE:
                overlaps.append((i, j, share))
    overlaps.sort()
    for i, j, share in overlaps[:_MAX_OVERLAPS_LISTED]:
        problems.append(_t("boundaries.overlap", lang, first=labels[i], second=labels[j], share=share,
                           tolerance=OVERLAP_TOLERANCE))
    if len(overlaps) > _MAX_OVERLAPS_LISTED:
        problems.append(_t("boundaries.more_overlaps", lang, n=len(overlaps) - _MAX_OVERLAPS_LISTED))
    union = make_valid(unary_union(geoms))
    offset = gcj02_offset_metres(union, outline)
    if offset is not None:
        problems.append(_t("boundaries.gcj02", lang, metres=round(offset, -1)))
        return problems  # coverage and points are off for the same reason
    covered = union.intersection(outline).area / outline.area if outline.area else 1.0
    if covered < COVERAGE_NEEDED:
        problems.append(_t("boundaries.coverage", lang, share=covered, need=COVERAGE_NEEDED))
    for label, feature, geom in zip(labels, features, geoms, strict=True):
        info = communities.get(str(feature["properties"]["code"]), {})
        if info.get("lat") is None or info.get("lon") is None:
            continue
        if geom.distance(Point(float(info["lon"]), float(info["lat"]))) > POINT_TOLERANCE:
            problems.append(_t("boundaries.point_outside", lang, label=label, name=info.get("name", "")))
    return problems


def _metres(lon_offset: float, lat_offset: float, lat: float) -> float:
    return math.hypot(lon_offset * 111_320 * math.cos(math.radians(lat)), lat_offset * 110_540)


def gcj02_offset_metres(union, outline) -> float | None:
    """How far (metres) the shapes sit from ``outline`` when that offset is the GCJ-02 one, else None.

    The offset of the centres is compared with the GCJ-02 shift at that place: a file drawn on a
    Chinese web map is shifted by it (about 600 m in Shenzhen), a WGS-84 file is not.
    """
    if union.is_empty or outline.is_empty:
        return None
    here, there = union.centroid, outline.centroid
    found = (here.x - there.x, here.y - there.y)
    gcj_lon, gcj_lat = wgs84_to_gcj02(there.x, there.y)
    shift = (gcj_lon - there.x, gcj_lat - there.y)
    size = _metres(*found, there.y)
    mismatch = _metres(found[0] - shift[0], found[1] - shift[1], there.y)
    if size >= GCJ_MIN_OFFSET_M and mismatch < 0.3 * _metres(*shift, there.y):
        return size
    return None


# --- GCJ-02 ---------------------------------------------------------------------------------------
# The published GCJ-02 formula (Krasovsky 1940 ellipsoid), as in every open implementation; the
# PyPI packages that carry it (eviltransform, coord-convert) are unmaintained since 2018-2019, so
# it is written out here and checked against their published test points (tests/test_boundaries.py).

_A = 6378245.0
_EE = 0.00669342162296594323


def _delta(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * math.sqrt(magic)) * math.pi)
    dlon = (dlon * 180.0) / (_A / math.sqrt(magic) * math.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 longitude/latitude as a Chinese web map (GCJ-02) shows it."""
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """The WGS-84 point a GCJ-02 one stands for: the forward formula inverted by iteration (to 1e-9°)."""
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-9 and abs(dlat) < 1e-9:
            break
    return wlon, wlat


def _convert_coordinates(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        return [*gcj02_to_wgs84(coordinates[0], coordinates[1]), *coordinates[2:]]
    return [_convert_coordinates(c) for c in coordinates]


def from_gcj02(collection: dict) -> dict:
    """The FeatureCollection with every coordinate converted from GCJ-02 to WGS-84."""
    converted = json.loads(json.dumps(collection))
    for feature in converted.get("features", []):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if isinstance(geometry, dict) and isinstance(geometry.get("coordinates"), list):
            geometry["coordinates"] = _convert_coordinates(geometry["coordinates"])
    return converted


def read_geojson(source: Path | str, lang: str = "zh") -> dict:
    """A GeoJSON file in UTF-8 (with or without BOM) or GBK/GB18030, as offices save them."""
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BoundaryError([_t("boundaries.cannot_read", lang, path=path.name, error=error.strerror or error)]) \
            from error
    decoded = decode_office_text(data)
    if decoded is None:  # pragma: no cover - gb18030 decodes almost any byte string
        raise BoundaryError([_t("boundaries.encoding", lang, path=path.name)])
    try:
        return json.loads(decoded)
    except json.JSONDecodeError as error:
        raise BoundaryError([_t("boundaries.not_json", lang, path=path.name, line=error.lineno, error=error.msg)]) \
            from error


def derive(collection: dict, communities: Mapping[str, Mapping[str, str]],
           streets: Mapping[str, Mapping[str, str]]) -> Shapes:
    """Communities with names attached, streets as unions of their communities, the outline as the union."""
    by_street: dict[str, list] = {}
    community_features = []
    for feature in collection["features"]:
        code = str(feature["properties"]["code"])
        info = communities[code]
        geom = shape(feature["geometry"])
        by_street.setdefault(info["street_code"], []).append(geom)
        community_features.append({"type": "Feature", "geometry": mapping(geom), "properties": {
            "code": code, "name": info["name"], "street_code": info["street_code"],
            "street_name": streets[info["street_code"]]["name"], "schematic": False}})
    street_features, all_geoms = [], []
    for code in sorted(by_street):
        union = make_valid(unary_union(by_street[code]))
        all_geoms.append(union)
        street_features.append({"type": "Feature", "geometry": mapping(union), "properties": {
            "code": code, "name": streets[code]["name"], "name_en": streets[code].get("name_en", ""),
            "schematic": False}})
    outline = make_valid(unary_union(all_geoms))
    return Shapes(
        {"type": "FeatureCollection", "features": community_features},
        {"type": "FeatureCollection", "features": street_features},
        {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": mapping(outline), "properties": {"name": "龙岗区"}}]},
        schematic=False,
    )


def _write_atomically(path: Path, content: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(content, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_boundaries(source: Path | str, communities: Mapping[str, Mapping], streets: Mapping[str, Mapping[str, str]],
                      data_dir: Path | str | None = None, *, from_gcj02_datum: bool = False, lang: str = "zh",
                      outline=None) -> Shapes:
    """Validate ``source`` and, only if it passes, make it the shapes in use. Raises BoundaryError.

    ``communities``: code → {"name", "street_code"} and, when known, the community's point
    ("lat", "lon"); ``streets``: code → {"name", "name_en"}. ``from_gcj02_datum`` converts the
    file's coordinates from GCJ-02 first; ``outline`` is the district outline the shapes must
    cover (default :func:`known_outline`); messages are in ``lang``.
    The three files are written into a fresh folder which then replaces the old one in a
    rename, so a reader sees the old shapes or the new ones, never a mix.
    """
    collection = read_geojson(source, lang)
    if from_gcj02_datum and isinstance(collection, dict):
        collection = from_gcj02(collection)
    problems = validate(collection, {code: info["street_code"] for code, info in communities.items()}, lang)
    if not problems:
        problems = check_geography(collection, communities, known_outline() if outline is None else outline, lang)
    if problems:
        raise BoundaryError(problems)
    shapes = derive(collection, communities, streets)
    target = boundaries_dir(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".boundaries-"))
    try:
        for name, content in ((COMMUNITIES_FILE, shapes.communities), (STREETS_FILE, shapes.streets),
                              (OUTLINE_FILE, shapes.outline)):
            _write_atomically(staging / name, content)
        old = None
        if target.exists():
            old = target.parent / f".boundaries-old-{os.getpid()}"
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            for path in old.iterdir():
                path.unlink()
            old.rmdir()
    finally:
        if staging.exists():
            for path in staging.iterdir():
                path.unlink()
            staging.rmdir()
    return shapes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.boundaries", description=__doc__.split("\n")[0])
    parser.add_argument("file", help="GeoJSON FeatureCollection of the 111 communities, property 'code'")
    parser.add_argument("--url", help="database to read the community codes from (default: the app's)")
    parser.add_argument("--from-gcj02", action="store_true",
                        help="the file is in GCJ-02 (drawn on a Chinese web map): convert it to WGS-84 first")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the messages (default zh)")
    args = parser.parse_args(argv)
    from data_access import geography
    from data_access.database import Database
    from data_access.loader import ensure_database

    db = Database(ensure_database(args.url))
    try:
        comm = geography.communities(db)
        streets = geography.streets(db)
    finally:
        db.dispose()
    communities = {r.code: {"name": r.name, "street_code": r.street_code, "lat": r.lat, "lon": r.lon}
                   for r in comm.itertuples()}
    street_info = {r.code: {"name": r.name, "name_en": r.name_en} for r in streets.itertuples()}
    try:
        shapes = import_boundaries(args.file, communities, street_info, from_gcj02_datum=args.from_gcj02,
                                   lang=args.lang)
    except BoundaryError as error:
        print(_t("boundaries.rejected", args.lang, path=args.file), file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    if args.from_gcj02:
        print(_t("boundaries.converted", args.lang))
    print(_t("boundaries.loaded", args.lang, communities=len(shapes.communities["features"]),
             streets=len(shapes.streets["features"]), folder=boundaries_dir()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
