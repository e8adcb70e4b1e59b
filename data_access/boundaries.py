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


def shapes_signature(data_dir: Path | str | None = None) -> tuple:
    """Which files :func:`load_shapes` would read, with their size and change time: equal
    signatures mean equal shapes, so a reader can keep them until an import replaces a file."""
    files, _ = _shape_files(data_dir)
    stats = [(str(p), p.stat()) for p in files]
    return tuple((path, stat.st_mtime_ns, stat.st_size) for path, stat in stats)


def _label(index: int, feature) -> str:
    props = feature.get("properties") if isinstance(feature, dict) else None
    code = props.get("code") if isinstance(props, dict) else None
    return f"feature {index} (code {code!r})" if code is not None else f"feature {index}"


def validate(collection, known: Mapping[str, str]) -> list[str]:
    """Problems of a community FeatureCollection against ``known`` (code → street code); [] if none."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        return ["not a GeoJSON FeatureCollection"]
    features = collection.get("features")
    if not isinstance(features, list):
        return ["the FeatureCollection has no list of features"]
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        label = _label(index, feature)
        props = feature.get("properties") if isinstance(feature, dict) else None
        code = props.get("code") if isinstance(props, dict) else None
        code = str(code) if code is not None else None
        if code is None:
            problems.append(f"{label}: no property 'code'")
        elif code not in known:
            problems.append(f"{label}: unknown community code")
        elif code in seen:
            problems.append(f"{label}: duplicate of feature {seen[code]}")
        else:
            seen[code] = index
        try:
            geom = shape(feature["geometry"])
        except Exception as error:  # malformed geometry of any kind
            problems.append(f"{label}: unreadable geometry ({type(error).__name__})")
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(f"{label}: geometry is {geom.geom_type}, not Polygon or MultiPolygon")
        elif geom.is_empty:
            problems.append(f"{label}: empty geometry")
        elif not geom.is_valid:
            problems.append(f"{label}: invalid geometry ({explain_validity(geom)})")
        else:
            minx, miny, maxx, maxy = geom.bounds
            if not (LON_RANGE[0] <= minx and maxx <= LON_RANGE[1] and LAT_RANGE[0] <= miny and maxy <= LAT_RANGE[1]):
                problems.append(f"{label}: coordinates are not WGS-84 longitude/latitude in Longgang")
    missing = sorted(set(known) - set(seen))
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        problems.append(f"{len(missing)} communities missing: {shown}")
    return problems


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


def import_boundaries(source: Path | str, communities: Mapping[str, Mapping[str, str]],
                      streets: Mapping[str, Mapping[str, str]], data_dir: Path | str | None = None) -> Shapes:
    """Validate ``source`` and, only if it passes, make it the shapes in use. Raises BoundaryError.

    ``communities``: code → {"name", "street_code"}; ``streets``: code → {"name", "name_en"}.
    The three files are written into a fresh folder which then replaces the old one in a
    rename, so a reader sees the old shapes or the new ones, never a mix.
    """
    try:
        collection = _read(Path(source))
    except (OSError, ValueError) as error:
        raise BoundaryError([f"cannot read {source}: {error}"]) from error
    problems = validate(collection, {code: info["street_code"] for code, info in communities.items()})
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
    communities = {r.code: {"name": r.name, "street_code": r.street_code} for r in comm.itertuples()}
    street_info = {r.code: {"name": r.name, "name_en": r.name_en} for r in streets.itertuples()}
    try:
        shapes = import_boundaries(args.file, communities, street_info)
    except BoundaryError as error:
        print(f"Rejected {args.file}; the shapes in use are unchanged:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"Loaded {len(shapes.communities['features'])} communities and {len(shapes.streets['features'])} "
          f"streets into {boundaries_dir()}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
