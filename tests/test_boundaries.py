"""Loading real community boundaries: valid files replace the shapes in use, invalid ones change nothing."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from data_access import boundaries

ROOT = Path(__file__).resolve().parent.parent
SCHEMATIC = json.loads(boundaries.SCHEMATIC_COMMUNITIES.read_text(encoding="utf-8"))
COMMUNITIES = {f["properties"]["code"]: {"name": f["properties"]["name"], "street_code": f["properties"]["street_code"]}
               for f in SCHEMATIC["features"]}
STREETS = {f["properties"]["code"]: {"name": f["properties"]["name"], "name_en": f["properties"]["name_en"]}
           for f in json.loads(boundaries.SCHEMATIC_STREETS.read_text(encoding="utf-8"))["features"]}


def _write(tmp_path: Path, collection: dict, name: str = "in.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def _official() -> dict:
    """The schematic cells stripped to what an office would supply: code and geometry."""
    features = [{"type": "Feature", "properties": {"code": f["properties"]["code"]}, "geometry": f["geometry"]}
                for f in SCHEMATIC["features"]]
    return {"type": "FeatureCollection", "features": features}


def test_without_a_loaded_file_the_schematic_shapes_are_used(tmp_path):
    shapes = boundaries.load_shapes(tmp_path)
    assert shapes.schematic is True
    assert len(shapes.communities["features"]) == 111 and len(shapes.streets["features"]) == 11


def test_a_valid_file_replaces_the_shapes(tmp_path):
    shapes = boundaries.import_boundaries(_write(tmp_path, _official()), COMMUNITIES, STREETS, data_dir=tmp_path)
    loaded = boundaries.load_shapes(tmp_path)
    assert loaded.schematic is False
    assert len(loaded.communities["features"]) == 111
    assert len(loaded.streets["features"]) == 11 == len(shapes.streets["features"])
    assert loaded.communities["features"][0]["properties"]["name"]
    assert sorted(p.name for p in (tmp_path / "boundaries").iterdir()) == [
        "communities.geojson", "outline.geojson", "streets.geojson"]
    assert not list(tmp_path.glob(".boundaries-*"))  # no staging folder left behind
    # loading again replaces the first load cleanly
    boundaries.import_boundaries(_write(tmp_path, _official()), COMMUNITIES, STREETS, data_dir=tmp_path)
    assert boundaries.load_shapes(tmp_path).schematic is False


def test_unknown_codes_and_invalid_geometry_are_rejected_by_name(tmp_path):
    boundaries.import_boundaries(_write(tmp_path, _official()), COMMUNITIES, STREETS, data_dir=tmp_path)
    before = (tmp_path / "boundaries" / "communities.geojson").read_bytes()
    bad = _official()
    bad["features"][0]["properties"]["code"] = "440307999999"
    bowtie = [[[114.1, 22.6], [114.2, 22.7], [114.2, 22.6], [114.1, 22.7], [114.1, 22.6]]]
    bad["features"][1]["geometry"] = {"type": "Polygon", "coordinates": bowtie}
    bad["features"].append(copy.deepcopy(bad["features"][5]))
    bad["features"].append({"type": "Feature", "properties": {"code": bad["features"][6]["properties"]["code"]},
                            "geometry": {"type": "Point", "coordinates": [114.1, 22.6]}})
    with pytest.raises(boundaries.BoundaryError) as caught:
        boundaries.import_boundaries(_write(tmp_path, bad), COMMUNITIES, STREETS, data_dir=tmp_path)
    problems = "\n".join(caught.value.problems)
    assert "feature 0 (code '440307999999'): unknown community code" in problems
    assert "feature 1" in problems and "invalid geometry" in problems and "Self-intersection" in problems
    assert "duplicate of feature 5" in problems
    assert "not Polygon or MultiPolygon" in problems
    assert "1 communities missing" in problems
    assert (tmp_path / "boundaries" / "communities.geojson").read_bytes() == before


def test_projected_coordinates_and_garbage_are_rejected(tmp_path):
    shifted = _official()
    shifted["features"][3]["geometry"] = {"type": "Polygon", "coordinates": [[[0, 0], [1000, 0], [0, 1000], [0, 0]]]}
    problems = boundaries.validate(shifted, {c: i["street_code"] for c, i in COMMUNITIES.items()})
    assert any("feature 3" in p and "WGS-84" in p for p in problems)
    assert boundaries.validate([], {}) == ["not a GeoJSON FeatureCollection"]
    with pytest.raises(boundaries.BoundaryError):
        boundaries.import_boundaries(tmp_path / "missing.geojson", COMMUNITIES, STREETS, data_dir=tmp_path)
    assert boundaries.load_shapes(tmp_path).schematic is True


def test_command_line(tmp_path, sqlite_db):
    env = {"LONGGANG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    url = sqlite_db.url
    bad = _official()
    bad["features"] = bad["features"][:-1]
    result = subprocess.run([sys.executable, "-m", "data_access.boundaries", str(_write(tmp_path, bad)), "--url", url],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "1 communities missing" in result.stderr
    assert not (tmp_path / "boundaries").exists()
    result = subprocess.run([sys.executable, "-m", "data_access.boundaries", str(_write(tmp_path, _official())),
                             "--url", url], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert boundaries.load_shapes(tmp_path).schematic is False
