"""bench/city_data.py: a tiny two-district "city" is consistent, loads, and the app's queries read it."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date

import pandas as pd
import pytest

from bench import city_data
from data_access import auth, boundaries, geography, projects, requests, schema
from data_access.database import Database
from data_access.scope import Period, Scope

TILES, REQUESTS = 2, 85_000  # > 2 × 40,921: every tile holds a second copy of some requests


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """(folder, row counts, loaded Database) of a tiny city."""
    out = tmp_path_factory.mktemp("city")
    rows = city_data.build_city(out, requests=REQUESTS, tiles=TILES)
    url, _ = city_data.load_city(out)
    db = Database(url)
    yield out, rows, db
    db.dispose()


@pytest.fixture(scope="module")
def csvs(city):
    out = city[0]
    return {t.name: pd.read_csv(out / "csv" / f"{t.name}.csv", dtype=str, keep_default_na=False)
            for t in schema.DATA_TABLES}


@pytest.fixture(scope="module")
def seed():
    return city_data.read_seed()


def test_sizes(city, csvs, seed):
    _, rows, db = city
    assert rows["requests"] == REQUESTS == len(csvs["requests"])
    assert rows["streets"] == TILES * len(seed["streets"])
    assert rows["communities"] == TILES * len(seed["communities"])
    assert rows["projects"] >= TILES * len(seed["projects"])
    assert rows["projects"] >= city_data.PROJECTS_PER_10_TILES * TILES / 10
    for name in ("micro_wishes", "participation_events", "venues", "safety_months", "evaluation_scores"):
        assert rows[name] == TILES * len(seed[name])
    for name in city_data.SHARED:
        assert rows[name] == len(seed[name])
    with sqlite3.connect(db.url.removeprefix("sqlite:///")) as conn:
        for name, count in rows.items():
            assert conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == count  # noqa: S608


def test_headers_and_formats_match_the_seed(city, csvs, seed):
    for table in schema.DATA_TABLES:
        assert list(csvs[table.name].columns) == [c.name for c in table.columns]
    stamp = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)?$")
    for col in city_data.DATETIME_COLUMNS:
        assert csvs["requests"][col].str.match(stamp).all()
    assert csvs["request_status_history"]["changed_at"].str.match(stamp).all()
    assert csvs["requests"]["lat"].str.match(r"^\d+\.\d{5}$").all()
    # tile 0's first copy of a request is the seed row unchanged
    tile0 = csvs["requests"].set_index("id").reindex(seed["requests"]["id"]).dropna()
    assert len(tile0) >= 0.5 * len(seed["requests"])
    assert (tile0.reset_index() == seed["requests"].set_index("id").loc[tile0.index].reset_index()).all().all()


def test_unique_keys(csvs):
    for table in schema.DATA_TABLES:
        keys = [c.name for c in table.primary_key.columns]
        assert not csvs[table.name].duplicated(keys).any(), table.name


def test_foreign_keys_resolve(city, csvs):
    _, _, db = city
    with sqlite3.connect(db.url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    for table in schema.DATA_TABLES:  # also in the CSVs, independent of the engine
        for fk in table.foreign_keys:
            values = csvs[table.name][fk.parent.name]
            values = values[values != ""]
            assert values.isin(set(csvs[fk.column.table.name][fk.column.name])).all(), f"{table.name}.{fk.parent}"
    scores = csvs["evaluation_scores"]
    for level, target in (("street", "streets"), ("community", "communities")):
        assert scores.loc[scores["unit_level"] == level, "unit_code"].isin(set(csvs[target]["code"])).all()
    assert (csvs["compounds"]["code"].str.slice(0, 12) == csvs["compounds"]["community_code"]).all()
    assert (csvs["communities"]["code"].str.slice(0, 9) == csvs["communities"]["street_code"]).all()


def test_request_times_stay_ordered_and_in_span(csvs):
    req = csvs["requests"]
    times = {c: pd.to_datetime(req[c].replace("", None)) for c in city_data.DATETIME_COLUMNS}
    assert times["submitted_at"].min() >= pd.Timestamp("2021-01-01")
    for earlier, later in (("submitted_at", "accepted_at"), ("accepted_at", "resolved_at"),
                           ("resolved_at", "closed_at")):
        both = times[earlier].notna() & times[later].notna()
        assert (times[earlier][both] <= times[later][both]).all()
    hist = csvs["request_status_history"]
    changed = pd.to_datetime(hist["changed_at"])
    assert changed.max() <= pd.Timestamp("2023-10-31 23:59:59")
    assert set(hist["request_id"]) == set(req["id"])
    first = hist.assign(t=changed).groupby("request_id", sort=False)["t"].min()
    assert (first.reindex(req["id"]).to_numpy() == times["submitted_at"].to_numpy()).all()


def test_codes_pass_the_apps_checks(csvs):
    assert csvs["streets"]["code"].str.fullmatch(r"\d{9}").all()
    assert csvs["communities"]["code"].str.fullmatch(r"\d{12}").all()
    assert all(auth.valid_role(f"street:{code}") for code in csvs["streets"]["code"])
    for table in schema.DATA_TABLES:
        for column in table.columns:
            if isinstance(column.type, schema.String) and column.type.length:
                assert csvs[table.name][column.name].str.len().max() <= column.type.length, column
    assert csvs["streets"]["name"].is_unique
    assert not csvs["communities"].duplicated(["street_code", "name"]).any()


def test_boundaries_one_feature_per_community(city, csvs):
    out = city[0]
    folder = out / "boundaries"
    shapes = boundaries.load_shapes(out)
    assert not shapes.schematic
    communities = json.loads((folder / "communities.geojson").read_text(encoding="utf-8"))
    codes = [f["properties"]["code"] for f in communities["features"]]
    assert sorted(codes) == sorted(csvs["communities"]["code"])
    known = dict(zip(csvs["communities"]["code"], csvs["communities"]["street_code"], strict=True))
    assert boundaries.validate(communities, known) == []
    streets = shapes.streets["features"]
    assert sorted(f["properties"]["code"] for f in streets) == sorted(csvs["streets"]["code"])
    assert len(shapes.outline["features"]) == 1


def test_app_queries_read_the_city(city, csvs):
    _, _, db = city
    start, reference = geography.data_range(db)
    assert (start, reference) == (date(2021, 1, 1), date(2023, 10, 31))
    city_scope = Scope(Period("all", start, reference))
    assert int(requests.request_totals(db, city_scope)["received"].iloc[0]) == REQUESTS
    assert len(geography.streets(db)) == len(csvs["streets"])
    req = csvs["requests"]
    community_street = dict(zip(csvs["communities"]["code"], csvs["communities"]["street_code"], strict=True))
    street = csvs["streets"]["code"].iloc[-1]  # a street of the last tile
    street_scope = Scope(city_scope.period, street=street)
    expected = req["community_code"].map(community_street).eq(street).sum()
    assert int(requests.request_totals(db, street_scope)["received"].iloc[0]) == expected
    community = csvs["communities"].loc[csvs["communities"]["street_code"] == street, "code"].iloc[0]
    local = Scope(city_scope.period, street=street, community=community)
    assert int(requests.request_totals(db, local)["received"].iloc[0]) == (req["community_code"] == community).sum()
    assert int(projects.project_totals(db, city_scope)["projects"].iloc[0]) == len(csvs["projects"])
    assert len(geography.communities(db, street_scope)) == len(
        csvs["communities"].loc[csvs["communities"]["street_code"] == street])
