"""Integrity of the committed sample data and its schematic geography.

The generator must reproduce the committed files byte for byte; every CSV must
have its table's header, typed cells and sound keys; the schematic cells must
tile the district outline. The article's figures are checked elsewhere, through
the query functions (tests/test_calibration.py).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import Boolean, Date, DateTime, Float, Integer

from data_access import domain, schema
from sample_data import generate, geography

SAMPLE_DIR = Path(generate.__file__).resolve().parent
GEO_DIR = SAMPLE_DIR / "geo"
GEOJSON = ["streets_schematic.geojson", "communities_schematic.geojson", "district_outline.geojson"]
GENERATED = [f"{t.name}.csv" for t in schema.DATA_TABLES] + [f"geo/{name}" for name in GEOJSON]

CELL_PATTERNS = {
    Date: re.compile(r"\d{4}-\d{2}-\d{2}"),
    DateTime: re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"),
    Boolean: re.compile(r"true|false"),
    Integer: re.compile(r"-?\d+"),
    Float: re.compile(r"-?\d+\.\d+"),
}

#: Coded columns and the domain lists their values come from.
CODED = {
    ("projects", "status"): domain.PROJECT_STATUSES,
    ("requests", "channel"): domain.REQUEST_CHANNELS,
    ("requests", "category"): domain.REQUEST_CATEGORIES,
    ("requests", "status"): domain.REQUEST_STATUSES,
    ("request_status_history", "status"): domain.REQUEST_STATUSES,
    ("micro_wishes", "status"): domain.WISH_STATUSES,
    ("micro_wishes", "claimer_kind"): domain.WISH_CLAIMER_KINDS,
    ("partner_units", "kind"): domain.PARTNER_KINDS,
    ("participation_events", "kind"): domain.EVENT_KINDS,
    ("catalogue_items", "list_kind"): [domain.CATALOGUE_RESOURCE, domain.CATALOGUE_SERVICE],
    ("fund_entries", "direction"): [domain.FUND_IN, domain.FUND_OUT],
    ("compounds", "kind"): ["小区", "城中村", "园区"],
    ("evaluation_scores", "unit_level"): ["street", "community"],
}


@cache
def read(table: str) -> pd.DataFrame:
    """A committed CSV, every cell as text ('' for NULL)."""
    return pd.read_csv(SAMPLE_DIR / f"{table}.csv", dtype=str, keep_default_na=False, na_filter=False)


@cache
def features(name: str) -> list[dict]:
    return json.loads((GEO_DIR / name).read_text(encoding="utf-8"))["features"]


def shapes(name: str) -> dict[str, object]:
    return {f["properties"]["code"]: shape(f["geometry"]) for f in features(name)}


def outline():
    return shape(features("district_outline.geojson")[0]["geometry"])


# --- the generator ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_data")
    generate.generate(out)
    return out


@pytest.mark.parametrize("name", GENERATED)
def test_generator_reproduces_the_committed_files(regenerated, name):
    assert (regenerated / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), (
        f"{name} differs: run `python -m sample_data.generate` and commit the output"
    )


def test_the_generator_reads_only_its_own_geo_folder():
    """A clone is self-contained: the inputs and their attribution ship in sample_data/geo."""
    assert geography.GEO_DIR == GEO_DIR
    for name in (geography.OUTLINE_FILE, geography.STREETS_FILE, geography.COMMUNITIES_FILE, "SOURCES.md"):
        assert (GEO_DIR / name).is_file(), name


# --- CSV shape --------------------------------------------------------------------------------


@pytest.mark.parametrize("table", schema.DATA_TABLES, ids=lambda t: t.name)
def test_header_is_the_tables_columns_in_order(table):
    raw = (SAMPLE_DIR / f"{table.name}.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    header = raw.decode("utf-8").split("\n", 1)[0]
    assert header == ",".join(c.name for c in table.columns)


@pytest.mark.parametrize("table", schema.DATA_TABLES, ids=lambda t: t.name)
def test_cells_are_typed_and_required_ones_present(table):
    frame = read(table.name)
    assert len(frame) > 0
    for column in table.columns:
        cells = frame[column.name]
        empty = cells == ""
        if not column.nullable:
            assert not empty.any(), f"{table.name}.{column.name} has empty required cells"
        pattern = next((p for kind, p in CELL_PATTERNS.items() if isinstance(column.type, kind)), None)
        if pattern is not None:
            bad = cells[~empty & ~cells.str.fullmatch(pattern)]
            assert bad.empty, f"{table.name}.{column.name}: {bad.head(3).tolist()}"


@pytest.mark.parametrize("table", schema.DATA_TABLES, ids=lambda t: t.name)
def test_primary_keys_are_unique(table):
    key = [c.name for c in table.primary_key.columns]
    assert not read(table.name).duplicated(key).any()


@pytest.mark.parametrize("table", schema.DATA_TABLES, ids=lambda t: t.name)
def test_foreign_keys_resolve(table):
    frame = read(table.name)
    for fk in table.foreign_keys:
        values = set(frame[fk.parent.name]) - {""}
        targets = set(read(fk.column.table.name)[fk.column.name])
        assert values <= targets, f"{table.name}.{fk.parent.name}: {sorted(values - targets)[:3]}"


def test_evaluation_units_exist():
    scores = read("evaluation_scores")
    for level, table in (("street", "streets"), ("community", "communities")):
        units = set(scores.loc[scores["unit_level"] == level, "unit_code"])
        assert units == set(read(table)["code"])


def test_compound_of_a_row_belongs_to_its_community():
    owner = dict(zip(read("compounds")["code"], read("compounds")["community_code"], strict=True))
    for table in ("requests", "participation_events"):
        frame = read(table)
        with_compound = frame[frame["compound_code"] != ""]
        assert (with_compound["compound_code"].map(owner) == with_compound["community_code"]).all(), table


@pytest.mark.parametrize(("table", "column"), list(CODED), ids=lambda v: str(v))
def test_coded_columns_use_the_domain_lists(table, column):
    values = set(read(table)[column]) - {""}
    assert values <= set(CODED[(table, column)])


def test_request_history_ends_in_the_requests_status():
    history = read("request_status_history")
    seqs = history.groupby("request_id")["seq"].apply(lambda s: s.astype(int).tolist())
    assert all(s == list(range(1, len(s) + 1)) for s in seqs)
    last = history.groupby("request_id")["status"].last()
    requests = read("requests").set_index("id")
    assert set(last.index) == set(requests.index)
    assert (last.reindex(requests.index) == requests["status"]).all()


def test_nothing_happens_after_the_reference_date():
    assert read("requests")[["submitted_at", "accepted_at", "resolved_at", "closed_at"]].max().max() \
        <= "2023-10-31 23:59:59"
    assert read("project_milestones")["done_on"].max() <= "2023-10-31"


# --- geography ----------------------------------------------------------------------------------


def test_geojson_has_the_expected_features_and_properties():
    streets, communities = features("streets_schematic.geojson"), features("communities_schematic.geojson")
    assert len(streets) == 11 and len(communities) == 111
    assert {f["properties"]["code"] for f in streets} == set(read("streets")["code"])
    assert {f["properties"]["code"] for f in communities} == set(read("communities")["code"])
    assert all(set(f["properties"]) == {"code", "name", "name_en", "schematic"} for f in streets)
    assert all(set(f["properties"]) == {"code", "name", "street_code", "street_name", "schematic"}
               for f in communities)
    assert all(f["properties"]["schematic"] is True for f in streets + communities)


@pytest.mark.parametrize("name", GEOJSON)
def test_coordinates_have_at_most_five_decimals(name):
    for feature in features(name):
        coords = shapely.get_coordinates(shape(feature["geometry"]))
        assert (abs(coords - coords.round(5)) < 1e-9).all()


def test_cells_are_valid_polygons():
    for name in ("streets_schematic.geojson", "communities_schematic.geojson", "district_outline.geojson"):
        for geom in shapes(name).values() if name != "district_outline.geojson" else [outline()]:
            assert geom.geom_type == "Polygon" and geom.is_valid, name


def test_communities_tile_the_outline():
    cells = list(shapes("communities_schematic.geojson").values())
    area = outline().area
    assert shapely.union_all(cells).area == pytest.approx(area, rel=1e-6)
    assert sum(c.area for c in cells) == pytest.approx(area, rel=1e-6), "cells overlap"
    assert shapely.union_all(cells).symmetric_difference(outline()).area < 1e-6 * area


def test_each_street_is_the_union_of_its_communities():
    streets = shapes("streets_schematic.geojson")
    cells = shapes("communities_schematic.geojson")
    street_of = {f["properties"]["code"]: f["properties"]["street_code"]
                 for f in features("communities_schematic.geojson")}
    for code, street in streets.items():
        union = shapely.union_all([cells[c] for c, s in street_of.items() if s == code])
        assert union.symmetric_difference(street).area < 1e-9 * street.area, code


def test_outline_is_the_real_district_outline():
    source = json.loads((GEO_DIR / "longgang_district_datav_wgs84.geojson").read_text(encoding="utf-8"))
    proper = next(shape(f["geometry"]) for f in source["features"] if f["properties"].get("part") == "longgang_proper")
    assert outline().symmetric_difference(proper).area < 1e-4 * proper.area  # rounding to 5 decimals only


@pytest.mark.parametrize(
    ("table", "cells"),
    [("streets", "streets_schematic.geojson"), ("communities", "communities_schematic.geojson")],
)
def test_label_points_lie_in_their_cells(table, cells):
    polygons = shapes(cells)
    for row in read(table).itertuples():
        assert polygons[row.code].contains(shapely.Point(float(row.lon), float(row.lat))), row.code


@pytest.mark.parametrize("table", ["requests", "venues"])
def test_points_lie_in_their_community_cell(table):
    polygons = shapes("communities_schematic.geojson")
    frame = read(table)
    for code, group in frame.groupby("community_code"):
        inside = shapely.contains_xy(polygons[code], group["lon"].astype(float), group["lat"].astype(float))
        assert inside.all(), f"{table}: {int((~inside).sum())} points outside {code}"
