"""A city-scale dataset (all of Shenzhen, several years) built from the district sample, for benchmarks.

The seed CSVs in ``sample_data/`` describe one district (11 streets, 111 communities,
40,921 requests). A city is about ten districts, so the district is *tiled*: tile ``k``
gets its own street and community codes (the district prefix ``440307`` becomes
``4403{07+k}``, so codes keep their 9/12 digits), names with a ``·k`` suffix, its own keys
for every record, and its map shapes moved beside the others on a grid. Requests and
their status history are copied about five times per tile, each copy with a new id and
its times moved by one random offset (order kept, inside the data span), to reach two
million. Projects get a few percent extra copies per tile (with milestones and scores) to
pass 6,000. Reference tables (catalogue items, indicators, dimensions, courtesy plans)
are shared, not tiled. Everything is vectorised and seeded, so a build is deterministic.

    python -m bench.city_data --out /tmp/lgcity [--requests 2000000] [--tiles 10] [--load] [--url URL]

writes ``DIR/csv/<table>.csv`` (the exact format of ``sample_data/*.csv``), the map shapes
in ``DIR/boundaries/`` (read by the app when ``LONGGANG_DATA_DIR=DIR``) and, with ``--load``,
``DIR/longgang.sqlite3`` (the app's embedded database for that data dir) or the ``--url``
database.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from data_access import schema

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "sample_data"
GEO_DIR = SEED_DIR / "geo"
SEED = 20231031
DISTRICT_PREFIX = "440307"
#: The data span: jittered request times stay inside it.
START = np.datetime64("2021-01-01T00:00:00", "s").astype("int64")
END = np.datetime64("2023-10-31T23:59:59", "s").astype("int64")
#: Largest random move of one request copy's times, in seconds (either way).
JITTER_S = 3 * 86_400
#: Share of a tile's first request copy replaced by extra rows of its last copy (tiles differ).
REQUEST_SWAP_SHARE = 0.03
#: Projects per ten tiles (the city target); each tile tops its 578 projects up to its share.
PROJECTS_PER_10_TILES = 6_000

#: Reference tables every tile shares.
SHARED = {"catalogue_items", "project_indicators", "evaluation_dimensions", "courtesy_plans"}
#: Integer ids renumbered 1..n over the whole city.
INTEGER_IDS = {"fund_entries", "resource_uses", "participation_events", "project_milestones"}
#: String keys that get a ``-k`` suffix in tile k > 0 (they carry no place code).
SUFFIXED_KEYS = {"micro_wishes": "id", "partner_units": "code", "venues": "code", "projects": "code"}
#: Columns holding a street, community or compound code (all start with the district prefix).
PLACE_COLUMNS = {"street_code", "community_code", "compound_code", "unit_code"}
DATETIME_COLUMNS = ("submitted_at", "accepted_at", "resolved_at", "closed_at")


def tile_prefix(tile: int) -> str:
    """The 6-digit stand-in for the district code in tile ``tile`` (tile 0 keeps the real one)."""
    if not 0 <= tile <= 92:
        raise ValueError("at most 93 tiles: codes must keep 6 digits")
    return f"4403{7 + tile:02d}"


def grid_shape(tiles: int) -> tuple[int, int]:
    """(columns, rows) of the tile grid: about 2.5 times as wide as high (5 × 2 for ten)."""
    rows = max(1, round(math.sqrt(tiles / 2.5)))
    return math.ceil(tiles / rows), rows


def read_seed(seed_dir: Path = SEED_DIR) -> dict[str, pd.DataFrame]:
    """Every seed CSV as text columns ('' for empty), exactly as written."""
    return {t.name: pd.read_csv(seed_dir / f"{t.name}.csv", dtype=str, keep_default_na=False, na_filter=False)
            for t in schema.DATA_TABLES}


def _district_box() -> tuple[float, float, float, float]:
    with open(GEO_DIR / "communities_schematic.geojson", encoding="utf-8") as f:
        geoms = [shapely.geometry.shape(feat["geometry"]) for feat in json.load(f)["features"]]
    return shapely.union_all(geoms).bounds


def tile_offsets(tiles: int) -> list[tuple[float, float]]:
    """(d lon, d lat) per tile, rounded to the 5 decimals of the data: tile 0 stays put, the rest go
    west (columns) and south (rows) by the district's bounding box plus a small gap."""
    minx, miny, maxx, maxy = _district_box()
    width, height = (maxx - minx) * 1.02, (maxy - miny) * 1.02
    cols, _ = grid_shape(tiles)
    return [(round(-(k % cols) * width, 5), round(-(k // cols) * height, 5)) for k in range(tiles)]


# --- column helpers ------------------------------------------------------------------------------


def _recode(values: pd.Series, prefix: str) -> pd.Series:
    """Swap the district prefix of place codes ('' stays '')."""
    if prefix == DISTRICT_PREFIX:
        return values
    return values.where(values == "", prefix + values.str.slice(6))


def _shift(values: pd.Series, delta: float) -> pd.Series:
    """Coordinates moved by ``delta``, written with 5 decimals like the generator."""
    if delta == 0:
        return values
    return pd.Series(np.char.mod("%.5f", values.astype(float).to_numpy() + delta), index=values.index)


def _suffix(values: pd.Series, tile: int, extra: str = "") -> pd.Series:
    return values if tile == 0 and not extra else values + f"-{tile}{extra}"


def _seconds(values: pd.Series) -> np.ndarray:
    """'YYYY-MM-DD HH:MM:SS' (or '') -> int64 seconds (NaT -> INT64 min)."""
    parsed = pd.to_datetime(values.replace("", None), format="%Y-%m-%d %H:%M:%S")
    return parsed.to_numpy(dtype="datetime64[s]").astype("int64")


_NAT = np.datetime64("NaT").astype("int64")


def _timestamp_text(seconds: np.ndarray) -> np.ndarray:
    """int64 seconds -> 'YYYY-MM-DD HH:MM:SS', '' where missing."""
    missing = seconds == _NAT
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    text = pd.Series(text).str.replace("T", " ", regex=False).to_numpy(dtype=object)
    text[missing] = ""
    return text


def _place_tile(frame: pd.DataFrame, tile: int, prefix: str, dx: float, dy: float) -> pd.DataFrame:
    """A tile's copy of a table: place codes recoded, points moved."""
    out = frame.copy()
    for col in PLACE_COLUMNS & set(out.columns):
        out[col] = _recode(out[col], prefix)
    if "lon" in out.columns:
        out["lon"] = _shift(out["lon"], dx)
        out["lat"] = _shift(out["lat"], dy)
    return out


# --- the tables ------------------------------------------------------------------------------------


def _geography_tables(seed, tiles, offsets):
    streets, communities, compounds = [], [], []
    for k in range(tiles):
        prefix, (dx, dy) = tile_prefix(k), offsets[k]
        s = _place_tile(seed["streets"], k, prefix, dx, dy)
        s["code"] = _recode(s["code"], prefix)
        c = _place_tile(seed["communities"], k, prefix, dx, dy)
        c["code"] = _recode(c["code"], prefix)
        if k:
            s["name"] = s["name"] + f"·{k}"
            s["name_en"] = s["name_en"] + f" {k}"
            c["name"] = c["name"] + f"·{k}"
        p = _place_tile(seed["compounds"], k, prefix, dx, dy)
        p["code"] = _recode(p["code"], prefix)
        streets.append(s)
        communities.append(c)
        compounds.append(p)
    return pd.concat(streets, ignore_index=True), pd.concat(communities, ignore_index=True), \
        pd.concat(compounds, ignore_index=True)


def _tiled(seed_frame, tiles, offsets, key=None):
    """Plain tiling: place codes recoded per tile, ``key`` suffixed in tiles after the first."""
    parts = []
    for k in range(tiles):
        part = _place_tile(seed_frame, k, tile_prefix(k), *offsets[k])
        if key:
            part[key] = _suffix(part[key], k)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _project_tables(seed, tiles, offsets, rng_of):
    """Projects, milestones and scores: tiled, plus a few percent extra copies per tile."""
    projects, milestones, scores = seed["projects"], seed["project_milestones"], seed["project_scores"]
    n = len(projects)
    target_total = max(n * tiles, math.ceil(PROJECTS_PER_10_TILES * tiles / 10))
    per_tile = [target_total // tiles + (1 if k < target_total % tiles else 0) for k in range(tiles)]
    ms_by = milestones.groupby("project_code", sort=False)
    sc_by = scores.groupby("project_code", sort=False)
    out_p, out_m, out_s = [], [], []
    for k in range(tiles):
        prefix = tile_prefix(k)
        extra = max(0, per_tile[k] - n)
        picks = np.sort(rng_of("projects", k).choice(n, size=min(extra, n), replace=False))
        for rows, tag in ((projects, ""), (projects.iloc[picks], "d")):
            if rows.empty:
                continue
            new_code = dict(zip(rows["code"], _suffix(rows["code"], k, tag), strict=True))
            p = rows.copy()
            p["code"] = p["code"].map(new_code)
            p["community_code"] = _recode(p["community_code"], prefix)
            out_p.append(p)
            if tag:
                m = pd.concat([ms_by.get_group(c) for c in rows["code"] if c in ms_by.groups])
                s = pd.concat([sc_by.get_group(c) for c in rows["code"] if c in sc_by.groups])
            else:
                m, s = milestones.copy(), scores.copy()
            m = m.assign(project_code=m["project_code"].map(new_code))
            s = s.assign(project_code=s["project_code"].map(new_code))
            out_m.append(m)
            out_s.append(s)
    return pd.concat(out_p, ignore_index=True), pd.concat(out_m, ignore_index=True), \
        pd.concat(out_s, ignore_index=True)


def _request_tables(seed, tiles, offsets, total, rng_of):
    """Requests and their status history, copied to ``total`` requests over the tiles.

    Each copy of a request moves all its times (and its history's) by one random offset,
    clipped so the earliest stays after the data start and the latest before its end.
    """
    req, hist = seed["requests"], seed["request_status_history"]
    n = len(req)
    times = {col: _seconds(req[col]) for col in DATETIME_COLUMNS}
    hist_ts = _seconds(hist["changed_at"])
    # history rows are grouped by request, in the requests' order
    order = pd.Index(req["id"]).get_indexer(hist["request_id"])
    if (order < 0).any() or (np.diff(order) < 0).any():
        raise ValueError("request_status_history must list known requests in the order of requests.csv")
    counts = np.bincount(order, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    latest = np.max(np.vstack([np.where(t == _NAT, np.iinfo(np.int64).min, t) for t in times.values()]), axis=0)
    hist_latest = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(hist_latest, order, hist_ts)
    lo = START - times["submitted_at"]
    hi = END - np.maximum(latest, hist_latest)
    per_tile = [total // tiles + (1 if k < total % tiles else 0) for k in range(tiles)]
    copies = max(math.ceil(p / n) for p in per_tile)

    req_parts, hist_parts = [], []
    for k in range(tiles):
        rng = rng_of("requests", k)
        full, rem = divmod(per_tile[k], n)
        swap = min(round(REQUEST_SWAP_SHARE * n), n - rem) if full else 0
        chosen = [np.arange(n) for _ in range(full)]
        copy_no = [np.full(n, c) for c in range(full)]
        if swap:
            keep = np.sort(rng.choice(n, size=n - swap, replace=False))
            chosen[0], copy_no[0] = keep, copy_no[0][:n - swap]
        if rem + swap:
            chosen.append(np.sort(rng.choice(n, size=rem + swap, replace=False)))
            copy_no.append(np.full(rem + swap, full))
        idx, copy_no = np.concatenate(chosen), np.concatenate(copy_no)
        suffix = k * copies + copy_no
        offset = rng.integers(-JITTER_S, JITTER_S + 1, size=len(idx))
        offset = np.clip(offset, lo[idx], hi[idx])
        offset[suffix == 0] = 0  # tile 0's first copy is the seed itself

        ids = req["id"].to_numpy(dtype=object)[idx]
        tagged = suffix != 0
        ids[tagged] = ids[tagged] + "-" + suffix[tagged].astype(str).astype(object)
        part = _place_tile(req, k, tile_prefix(k), *offsets[k]).iloc[idx].reset_index(drop=True)
        part["id"] = ids
        for col, secs in times.items():
            moved = secs[idx]
            moved = np.where(moved == _NAT, _NAT, moved + offset)
            part[col] = _timestamp_text(moved)
        req_parts.append(part)

        c = counts[idx]
        firsts = np.repeat(starts[idx] - (np.cumsum(c) - c), c) + np.arange(c.sum())
        h = pd.DataFrame({
            "request_id": np.repeat(ids, c),
            "seq": hist["seq"].to_numpy(dtype=object)[firsts],
            "status": hist["status"].to_numpy(dtype=object)[firsts],
            "changed_at": _timestamp_text(hist_ts[firsts] + np.repeat(offset, c)),
        })
        hist_parts.append(h)
    return pd.concat(req_parts, ignore_index=True), pd.concat(hist_parts, ignore_index=True)


def build_tables(seed: dict[str, pd.DataFrame], requests: int = 2_000_000, tiles: int = 10,
                 seed_value: int = SEED) -> dict[str, pd.DataFrame]:
    """Every table of the city, as text frames in the CSV format."""
    if tiles < 1:
        raise ValueError("tiles must be at least 1")
    offsets = tile_offsets(tiles)

    def rng_of(area: str, tile: int) -> np.random.Generator:
        return np.random.default_rng([seed_value, tile, sum(area.encode())])

    out: dict[str, pd.DataFrame] = {}
    out["streets"], out["communities"], out["compounds"] = _geography_tables(seed, tiles, offsets)
    out["projects"], out["project_milestones"], out["project_scores"] = _project_tables(seed, tiles, offsets,
                                                                                       rng_of)
    out["requests"], out["request_status_history"] = _request_tables(seed, tiles, offsets, requests, rng_of)
    for table in schema.DATA_TABLES:
        name = table.name
        if name in out:
            continue
        if name in SHARED:
            out[name] = seed[name]
        else:
            out[name] = _tiled(seed[name], tiles, offsets, SUFFIXED_KEYS.get(name))
    for name in INTEGER_IDS:
        out[name]["id"] = np.arange(1, len(out[name]) + 1).astype(str)
    return out


# --- writing -------------------------------------------------------------------------------------------


def write_csvs(tables: dict[str, pd.DataFrame], csv_dir: Path) -> None:
    """One CSV per schema table, columns in schema order, as sample_data/generate.py writes them."""
    csv_dir.mkdir(parents=True, exist_ok=True)
    for table in schema.DATA_TABLES:
        columns = [c.name for c in table.columns]
        tables[table.name][columns].to_csv(csv_dir / f"{table.name}.csv", index=False, lineterminator="\n",
                                          encoding="utf-8")


def _feature(geom, properties) -> dict:
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": properties}


def write_boundaries(tables: dict[str, pd.DataFrame], tiles: int, out_dir: Path) -> dict[str, int]:
    """communities/streets/outline GeoJSON in ``out_dir`` (the app's ``<data dir>/boundaries``):
    the schematic community cells moved per tile, streets as unions of their communities, the
    outline as the union of all."""
    with open(GEO_DIR / "communities_schematic.geojson", encoding="utf-8") as f:
        seed_features = json.load(f)["features"]
    seed_geoms = [shapely.geometry.shape(feat["geometry"]) for feat in seed_features]
    seed_codes = [feat["properties"]["code"] for feat in seed_features]
    communities = tables["communities"].set_index("code")
    streets = tables["streets"].set_index("code")
    offsets = tile_offsets(tiles)
    community_features, by_street = [], {}
    for k in range(tiles):
        dx, dy = offsets[k]
        prefix = tile_prefix(k)
        for code, geom in zip(seed_codes, seed_geoms, strict=True):
            new_code = prefix + code[6:]
            moved = shapely.transform(geom, lambda xy, dx=dx, dy=dy: np.round(xy + (dx, dy), 5))
            info = communities.loc[new_code]
            by_street.setdefault(info["street_code"], []).append(moved)
            community_features.append(_feature(moved, {
                "code": new_code, "name": info["name"], "street_code": info["street_code"],
                "street_name": streets.loc[info["street_code"], "name"], "schematic": True}))
    street_features, unions = [], []
    for code in sorted(by_street):
        union = shapely.make_valid(shapely.union_all(by_street[code]))
        unions.append(union)
        street_features.append(_feature(union, {"code": code, "name": streets.loc[code, "name"],
                                                "name_en": streets.loc[code, "name_en"], "schematic": True}))
    outline = shapely.make_valid(shapely.union_all(unions))
    out_dir.mkdir(parents=True, exist_ok=True)
    collections = {
        "communities.geojson": community_features,
        "streets.geojson": street_features,
        "outline.geojson": [_feature(outline, {"name": f"深圳市 (synthetic: {tiles} tiles of 龙岗区)"})],
    }
    for name, features in collections.items():
        with open(out_dir / name, "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)
    return {name: len(features) for name, features in collections.items()}


def build_city(out_dir: Path | str, requests: int = 2_000_000, tiles: int = 10, *,
               timings: dict[str, float] | None = None) -> dict[str, int]:
    """Write ``out_dir/csv/*.csv`` and ``out_dir/boundaries/*.geojson``; return rows per table."""
    out_dir = Path(out_dir)
    timings = {} if timings is None else timings
    started = time.perf_counter()
    tables = build_tables(read_seed(), requests=requests, tiles=tiles)
    timings["generate"] = time.perf_counter() - started
    started = time.perf_counter()
    write_csvs(tables, out_dir / "csv")
    write_boundaries(tables, tiles, out_dir / "boundaries")
    timings["write"] = time.perf_counter() - started
    return {t.name: len(tables[t.name]) for t in schema.DATA_TABLES}


def load_city(out_dir: Path | str, url: str | None = None) -> tuple[str, float]:
    """Load ``out_dir/csv`` into ``url`` or ``out_dir/longgang.sqlite3`` (replacing what is there)."""
    from data_access.database import DEFAULT_SQLITE_NAME
    from data_access.loader import prepare_database

    out_dir = Path(out_dir)
    url = url or f"sqlite:///{(out_dir / DEFAULT_SQLITE_NAME).resolve()}"
    started = time.perf_counter()
    url, _ = prepare_database(url, csv_dir=out_dir / "csv", reload=True)
    return url, time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.city_data", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder (csv/, boundaries/, sqlite)")
    parser.add_argument("--requests", type=int, default=2_000_000, help="requests in the whole city")
    parser.add_argument("--tiles", type=int, default=10, help="copies of the district (≈ districts of a city)")
    parser.add_argument("--load", action="store_true", help="load the CSVs into the database afterwards")
    parser.add_argument("--url", help="database to load into (default: OUT/longgang.sqlite3)")
    args = parser.parse_args(argv)
    timings: dict[str, float] = {}
    rows = build_city(args.out, requests=args.requests, tiles=args.tiles, timings=timings)
    for name, count in rows.items():
        print(f"{name:28s} {count:>12,}")
    print(f"{'total':28s} {sum(rows.values()):>12,}")
    print(f"generate {timings['generate']:.1f} s, write CSV + boundaries {timings['write']:.1f} s "
          f"-> {args.out / 'csv'}, {args.out / 'boundaries'}")
    if args.load or args.url:
        url, seconds = load_city(args.out, args.url)
        from sqlalchemy.engine import make_url
        print(f"load {seconds:.1f} s -> {make_url(url).render_as_string(hide_password=True)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
