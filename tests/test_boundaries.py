"""Loading real community boundaries: valid files replace the shapes in use, invalid ones change nothing."""

import copy
import csv
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
        boundaries.import_boundaries(_write(tmp_path, bad), COMMUNITIES, STREETS, data_dir=tmp_path, lang="en")
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
    problems = boundaries.validate(shifted, {c: i["street_code"] for c, i in COMMUNITIES.items()}, "en")
    assert any("feature 3" in p and "WGS-84" in p for p in problems)
    assert boundaries.validate([], {}, "en") == ["not a GeoJSON FeatureCollection"]
    assert boundaries.validate([], {}) == ["不是 GeoJSON FeatureCollection"]
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
    assert result.returncode == 1 and "缺少 1 个社区" in result.stderr and "当前使用的形状不变" in result.stderr
    assert not (tmp_path / "boundaries").exists()
    result = subprocess.run([sys.executable, "-m", "data_access.boundaries", str(_write(tmp_path, _official())),
                             "--url", url], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert boundaries.load_shapes(tmp_path).schematic is False
    in_gcj02 = _write(tmp_path, _shifted_to_gcj02(), "gcj.geojson")
    result = subprocess.run([sys.executable, "-m", "data_access.boundaries", str(in_gcj02), "--url", url,
                             "--lang", "en"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "add --from-gcj02" in result.stderr
    result = subprocess.run([sys.executable, "-m", "data_access.boundaries", str(in_gcj02), "--url", url,
                             "--from-gcj02"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "已把坐标从 GCJ-02 转换为 WGS-84" in result.stdout


# --- issue 25: files as offices have them, and shapes that cannot be right --------------------------

WITH_POINTS = {code: dict(info) for code, info in COMMUNITIES.items()}
for _row in csv.DictReader((ROOT / "sample_data" / "communities.csv").open(encoding="utf-8")):
    WITH_POINTS[_row["code"]].update(lat=float(_row["lat"]), lon=float(_row["lon"]))


def _loaded_state(tmp_path: Path) -> dict[str, bytes]:
    """The loaded boundary files, byte for byte (what a refused file must leave alone)."""
    folder = tmp_path / "boundaries"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def _refused(tmp_path: Path, collection: dict | Path, lang: str = "zh") -> list[str]:
    boundaries.import_boundaries(_write(tmp_path, _official()), WITH_POINTS, STREETS, data_dir=tmp_path)
    before = _loaded_state(tmp_path)
    source = collection if isinstance(collection, Path) else _write(tmp_path, collection)
    with pytest.raises(boundaries.BoundaryError) as caught:
        boundaries.import_boundaries(source, WITH_POINTS, STREETS, data_dir=tmp_path, lang=lang)
    assert _loaded_state(tmp_path) == before
    return caught.value.problems


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_geojson_saved_in_gbk_or_with_a_bom_loads(tmp_path, encoding):
    collection = _official()
    for feature in collection["features"]:
        feature["properties"]["name"] = WITH_POINTS[feature["properties"]["code"]]["name"]  # Chinese names
    path = tmp_path / "社区边界.geojson"
    path.write_bytes(json.dumps(collection, ensure_ascii=False).encode(encoding))
    shapes = boundaries.import_boundaries(path, WITH_POINTS, STREETS, data_dir=tmp_path)
    assert len(shapes.communities["features"]) == 111 and boundaries.load_shapes(tmp_path).schematic is False


def test_a_file_that_is_not_json_is_refused_in_chinese(tmp_path):
    path = tmp_path / "坏文件.geojson"
    path.write_bytes("{\"type\": \"FeatureCollection\",\n \"features\": [社区]}".encode("gbk"))
    assert _refused(tmp_path, path) == ["坏文件.geojson 不是有效的 JSON（第 2 行：Expecting value）"]


def test_every_community_the_same_small_square_is_refused(tmp_path):
    square = {"type": "Polygon", "coordinates": [[[114.10, 22.60], [114.11, 22.60], [114.11, 22.61],
                                                  [114.10, 22.61], [114.10, 22.60]]]}
    collection = _official()
    for feature in collection["features"]:
        feature["geometry"] = square
    problems = _refused(tmp_path, collection)
    codes = [f["properties"]["code"] for f in collection["features"]]
    assert problems[0] == (f"第 0 个要素（社区编码 {codes[0]}）与第 1 个要素（社区编码 {codes[1]}）重叠，"
                           "重叠面积占较小者的 100%（容差 1%）")
    assert problems[10] == f"另有 {111 * 110 // 2 - 10} 对社区重叠"
    assert problems[11].startswith("所有社区合起来只覆盖区界的 0%（应至少覆盖 80%）")


def test_shapes_swapped_between_streets_are_refused_by_their_points(tmp_path):
    collection = _official()
    features = collection["features"]
    first = 0
    second = next(i for i, f in enumerate(features)
                  if WITH_POINTS[f["properties"]["code"]]["street_code"] !=
                  WITH_POINTS[features[0]["properties"]["code"]]["street_code"])
    swapped = features[second]["geometry"], features[first]["geometry"]
    features[first]["geometry"], features[second]["geometry"] = swapped
    problems = _refused(tmp_path, collection)
    names = [WITH_POINTS[features[i]["properties"]["code"]]["name"] for i in (first, second)]
    codes = [features[i]["properties"]["code"] for i in (first, second)]
    assert problems == [
        f"第 {first} 个要素（社区编码 {codes[0]}）：{names[0]}的位置点不在该形状内（形状可能与别的社区对调了）",
        f"第 {second} 个要素（社区编码 {codes[1]}）：{names[1]}的位置点不在该形状内（形状可能与别的社区对调了）",
    ]


def _shifted_to_gcj02() -> dict:
    """The communities as a Chinese web map draws them (GCJ-02, about 600 m off in Longgang)."""
    def shift(coordinates):
        if isinstance(coordinates[0], int | float):
            return list(boundaries.wgs84_to_gcj02(coordinates[0], coordinates[1]))
        return [shift(c) for c in coordinates]

    collection = _official()
    for feature in collection["features"]:
        feature["geometry"] = {**feature["geometry"], "coordinates": shift(feature["geometry"]["coordinates"])}
    return collection


def test_a_gcj02_file_is_detected_and_converted_with_from_gcj02(tmp_path):
    shifted = _shifted_to_gcj02()
    problems = _refused(tmp_path, shifted)
    assert len(problems) == 1 and problems[0].startswith("整体偏移约 ")
    assert problems[0].endswith("米，与 GCJ-02（火星坐标，高德、腾讯等地图使用）一致："
                                "请加 --from-gcj02 把坐标转换为 WGS-84 后再导入")
    metres = float(problems[0].removeprefix("整体偏移约 ").split(" ")[0])
    assert 400 <= metres <= 800
    assert _refused(tmp_path, shifted, lang="en")[0].startswith("everything is offset by about ")
    boundaries.import_boundaries(_write(tmp_path, shifted), WITH_POINTS, STREETS, data_dir=tmp_path,
                                 from_gcj02_datum=True)
    loaded = boundaries.load_shapes(tmp_path).communities["features"][0]["geometry"]["coordinates"][0][0]
    original = _official()["features"][0]["geometry"]["coordinates"][0][0]
    assert loaded == pytest.approx(original, abs=1e-7)


@pytest.mark.parametrize("wgs, gcj", [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # the published test points
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # of eviltransform
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
])
def test_the_gcj02_transform_matches_the_published_points(wgs, gcj):
    assert boundaries.wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)
    assert boundaries.gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=1e-8)
