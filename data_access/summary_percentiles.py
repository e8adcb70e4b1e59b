"""Exact median and p90 days of the request summaries, moved by an import at a cost that grows with its rows.

A percentile does not add up across requests, so a summary row's median cannot be patched like its
counts. Recounting it means reading every resolved request of the unit and span: for the district's
whole period, every request in the database (seconds at city scale, on every import). Instead each
summary row keeps the request at each percentile's lower rank (its *anchor*, in the order of days,
then id), and ``request_durations`` keeps every resolved request's days, indexed per unit in that
order. After an import the anchor's new rank is its old rank, minus the changed requests that left
the group below it, plus those that joined below it; the new percentile is a few steps from there
along the index (as many steps as changed requests in the group, not the group's size).

Percentiles are linear interpolations, as data_access.sql.percentile_select computes them: for n
values and p %, h = (n-1)·p/100 and v[floor h] + frac(h)·(v[floor h + 1] − v[floor h]), with the
floor and fraction from integer arithmetic, so the summary, the walk and the raw SQL agree.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, select

from data_access import schema
from data_access.bulk import array_literal
from data_access.sql import among

D = schema.request_durations
#: summary column prefix -> percent
PERCENTILES = {"median": 50, "p90": 90}
#: the durations column a unit level filters on (the district: none)
LEVEL_COLUMN = {"district": None, "street": "street_code", "community": "community_code"}
DIM_COLUMN = {"all": None, "category": "category"}
#: the breakdowns whose rows keep percentiles: the pages read a unit's median and p90 days and its
#: categories', never a channel's (requests_by_channel reads counts); a channel's rows keep NULL, which
#: spares an import a third of its walks and ``request_durations`` a column in every index
PERCENTILE_DIMS = tuple(DIM_COLUMN)
GROUP_KEYS = ["unit_level", "unit_code", "span_start", "span_end", "dim", "dim_value"]
#: what a summary row keeps of each percentile (``median_days``, ``median_anchor``, ``median_next`` …)
PARTS = ("days", "anchor", "next")
#: the ids among them
ID_PARTS = ("anchor", "next")
#: (days, id) pairs a walk reads from its target rank: the anchor and the one after it (an interpolated
#: percentile needs both, and the next import needs the next one stored)
_READ = 2


def rank_and_fraction(n, percent: int):
    """The lower rank (0-based) and the fraction towards the next, from integers as the SQL does (``n``: a
    count or an array of counts)."""
    if isinstance(n, int):
        lower, rest = divmod((n - 1) * percent, 100)
        return lower, rest / 100.0
    scaled = (np.asarray(n) - 1) * percent
    return scaled // 100, (scaled % 100) / 100.0


def group_percentiles(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys``: ``median_days``, ``p90_days``, their anchors (the id at the lower rank) and the
    ids right after them (None at the group's end), from rows with ``days`` and ``id`` already sorted by
    (days, id). Indexed by ``keys``."""
    columns = [f"{name}_{part}" for name in PERCENTILES for part in PARTS]
    if rows.empty:
        return pd.DataFrame(columns=[*keys, *columns]).set_index(keys)
    codes = rows.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")  # groups together, (days, id) order kept inside each
    sorted_codes = codes[order]
    days, ids = rows["days"].to_numpy()[order], rows["id"].to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    out = rows[keys].iloc[order[starts]].reset_index(drop=True)
    for name, percent in PERCENTILES.items():
        lower, frac = rank_and_fraction(sizes, percent)
        at = starts + lower
        upper = days[np.minimum(at + 1, len(days) - 1)]
        out[f"{name}_days"] = days[at] * (1 - frac) + np.where(frac > 0, upper, 0.0) * frac
        out[f"{name}_anchor"] = ids[at]
        out[f"{name}_next"] = np.where(lower + 1 < sizes, ids[np.minimum(at + 1, len(ids) - 1)], None)
    return out.set_index(keys)


def sorted_by_days(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in the order the percentiles read them: days, then id (byte order, as the index)."""
    return frame.sort_values(["days", "id"], kind="stable")


def durations_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The ``request_durations`` rows of a request frame (summaries._request_frame): its resolved requests."""
    resolved = frame[frame["resolved_at"].notna()]
    return resolved[[c.name for c in D.columns]]


def replace_durations(conn: Connection, ids: list[str], after: pd.DataFrame, write) -> None:
    """The changed requests' durations as they are now (a request no longer resolved loses its row)."""
    for start in range(0, len(ids), 5_000):
        conn.execute(delete(D).where(among(conn.dialect.name, D.c.id, ids[start:start + 5_000])))
    write(conn, D, durations_rows(after))


class _Walk:
    """One percentile of one summary row to find: its group, where the walk starts (a key whose rank in
    the group is known, or none: the group's start) and the ranks wanted."""

    __slots__ = ("group", "name", "level", "dim", "params", "key", "rank", "target", "frac", "found")


#: (days, id) pairs of a group in order from a key: "start" from the group's first, "up" from the key
#: on (the key included), "down" below the key, nearest first
_ORDER = {"start": "ORDER BY d.days, d.id", "up": "ORDER BY d.days, d.id", "down": "ORDER BY d.days DESC, d.id DESC"}
_FROM_KEY = {"start": "", "up": " AND (d.days, d.id) >= ({kd}, {kid})", "down": " AND (d.days, d.id) < ({kd}, {kid})"}


def _filter_sql(level: str, dim: str) -> str:
    """The WHERE of a group's members, with ``{unit}``, ``{value}``, ``{start}``, ``{end}`` placeholders."""
    sql = "d.submitted_at >= {start} AND d.submitted_at < {end}"
    if LEVEL_COLUMN[level]:
        sql += f" AND d.{LEVEL_COLUMN[level]} = {{unit}}"
    if DIM_COLUMN[dim]:
        sql += f" AND d.{DIM_COLUMN[dim]} = {{value}}"
    return sql


def _run_sqlite(conn: Connection, shape: tuple, walks: list[tuple[_Walk, int, int]]) -> None:
    """One statement per walk through the driver's cursor (SQLite answers an index range in microseconds;
    the statement is prepared once and cached by the driver)."""
    level, dim, mode = shape
    sql = (f"SELECT d.days, d.id FROM {D.name} d WHERE " + _filter_sql(level, dim) + _FROM_KEY[mode]
           + f" {_ORDER[mode]} LIMIT ? OFFSET ?")
    names = ["start", "end"] + (["unit"] if LEVEL_COLUMN[level] else []) + (["value"] if DIM_COLUMN[dim] else []) \
        + (["kd", "kid"] if mode != "start" else [])
    sql = sql.format(**{n: "?" for n in ("start", "end", "unit", "value", "kd", "kid")})
    to_text = D.c.submitted_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)  # as stored
    as_stored: dict = {}
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        for walk, offset, limit in walks:
            params = dict(walk.params)
            for bound in ("start", "end"):
                if params[bound] not in as_stored:
                    as_stored[params[bound]] = to_text(params[bound])
                params[bound] = as_stored[params[bound]]
            if walk.key is not None:
                params["kd"], params["kid"] = walk.key
            rows = cursor.execute(sql, [*(params[n] for n in names), limit, offset]).fetchall()
            walk.found = rows[::-1] if mode == "down" else rows
    finally:
        cursor.close()


def _run_postgresql(conn: Connection, shape: tuple, walks: list[tuple[_Walk, int, int]]) -> None:
    """One statement for every walk of a shape: the walks as arrays, each answered by an index range in a
    LATERAL subquery (one round trip, not one per walk)."""
    level, dim, mode = shape
    inner = (f"SELECT d.days, d.id FROM {D.name} d WHERE "
             + _filter_sql(level, dim).format(start="g.s", end="g.e", unit="g.unit", value="g.value")
             + _FROM_KEY[mode].format(kd="g.kd", kid='g.kid COLLATE "C"') + f" {_ORDER[mode]} OFFSET g.off LIMIT g.lim")
    sql = ("SELECT g.n, x.days, x.id FROM unnest(%s::text[], %s::text[], %s::timestamp[], %s::timestamp[], "
           "%s::float8[], %s::text[], %s::int[], %s::int[]) "
           "WITH ORDINALITY AS g(unit, value, s, e, kd, kid, off, lim, n) "
           f"CROSS JOIN LATERAL ({inner}) x")
    columns = {c: [] for c in ("unit", "value", "start", "end", "kd", "kid", "off", "lim")}
    for walk, offset, limit in walks:
        key = walk.key or (None, None)
        for column, value in zip(columns, (walk.params.get("unit"), walk.params.get("value"), walk.params["start"],
                                           walk.params["end"], key[0], key[1], offset, limit), strict=True):
            columns[column].append(value)
        walk.found = []
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, [array_literal(values) for values in columns.values()])
        for n, days, id_ in cursor.fetchall():
            walks[n - 1][0].found.append((days, id_))
    finally:
        cursor.close()
    for walk, _offset, _limit in walks:
        walk.found.sort()  # ascending (days, id): Python's string order is the C collation's


def _run(conn: Connection, jobs: list[tuple[_Walk, str, int, int]]) -> None:
    """Answer every (walk, mode, offset, limit): ``walk.found`` gets the pairs, in ascending order."""
    shapes: dict[tuple, list] = defaultdict(list)
    for walk, mode, offset, limit in jobs:
        shapes[(walk.level, walk.dim, mode)].append((walk, offset, limit))
    run = _run_postgresql if conn.dialect.name == "postgresql" else _run_sqlite
    for shape, walks in shapes.items():
        for start in range(0, len(walks), 20_000):
            run(conn, shape, walks[start:start + 20_000])


def _walk_values(conn: Connection, walks: list[_Walk]) -> None:
    """Each walk's ``_READ`` (days, id) pairs from rank ``target`` on (0-based, in (days, id) order), reached
    from its known key and rank: forward from the key, or backward when the target lies below it (then,
    if the values run past the key, forward from the key for the rest)."""
    jobs = []
    for walk in walks:
        if walk.key is None:  # no anchor: from the group's start (a new group: small)
            jobs.append((walk, "start", walk.target, _READ))
        elif walk.target >= walk.rank:
            jobs.append((walk, "up", walk.target - walk.rank, _READ))
        else:
            jobs.append((walk, "down", 0, walk.rank - walk.target))
    _run(conn, jobs)
    rest = []
    for walk in walks:
        if walk.key is not None and walk.target < walk.rank:
            walk.found = walk.found[:_READ]
            if len(walk.found) < _READ:
                rest.append((walk, walk.found))
    _run(conn, [(walk, "up", 0, _READ - len(below)) for walk, below in rest])
    for walk, below in rest:
        walk.found = below + walk.found


def _members(frame: pd.DataFrame, spans, exploded) -> dict[tuple, list[tuple[float, str]]]:
    """The (days, id) keys each group holds among ``frame``'s resolved requests (a few changed ones)."""
    out: dict[tuple, list[tuple[float, str]]] = defaultdict(list)
    resolved = frame[frame["resolved_at"].notna()]
    if resolved.empty:
        return out
    bounds = [(p.start, p.end) for p in spans]
    for level, dim, part in exploded(resolved, spans):
        for unit, value, span, days, id_ in zip(part["unit_code"].tolist(), part["dim_value"].tolist(),
                                                part["span"].tolist(), part["days"].tolist(), part["id"].tolist(),
                                                strict=True):
            out[(level, unit, *bounds[span], dim, value)].append((days, id_))
    return out


def _next_in_place(stored_next, key: tuple, gone: list, joined: list) -> tuple | None | bool:
    """The key right after an anchor that kept its rank, from what the summary stored and the changed
    requests alone: the stored next one if it stayed, or a changed request that joined between them.
    ``stored_next``: its (days, id) before the import, or None when the anchor was the group's last. None:
    the anchor is now the last; False: not known without a read (the stored next one left and nothing joined
    up to its place: what stayed after it is not known)."""
    at = bisect_right(joined, key)
    joined_next = joined[at] if at < len(joined) else None
    if stored_next is None:  # nothing stayed after the anchor: only what joined
        return joined_next
    left = (i := bisect_left(gone, stored_next)) < len(gone) and gone[i] == stored_next
    if not left:
        return stored_next if joined_next is None else min(stored_next, joined_next)
    return joined_next if joined_next is not None and joined_next <= stored_next else False


def patch(conn: Connection, rows: pd.DataFrame, old: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame,
          spans, exploded) -> pd.DataFrame:
    """``rows`` (summary rows with their new counts, indexed by GROUP_KEYS) with their percentiles, anchors and
    next ids moved from ``old`` (the stored rows: resolved count, anchors and next ids) by the changed
    requests' ``before`` and ``after`` states. ``request_durations`` already holds the new state.
    ``exploded(frame, spans)`` yields (level, dim, rows with unit_code, dim_value, span, days, id)."""
    removed, added = _members(before, spans, exploded), _members(after, spans, exploded)
    stored_ids = {i for name in PERCENTILES for part in ID_PARTS
                  for i in old.get(f"{name}_{part}", pd.Series(dtype=object)).dropna()}
    before_days = dict(zip(before["id"], before["days"], strict=True))
    changed = set(before["id"]) | set(after["id"])
    known = {i: before_days[i] for i in stored_ids if i in changed and i in before_days}
    lookup = sorted(stored_ids - changed)
    for start in range(0, len(lookup), 5_000):
        known.update(conn.execute(select(D.c.id, D.c.days)
                                  .where(among(conn.dialect.name, D.c.id, lookup[start:start + 5_000]))).all())
    out = rows.copy()
    for name in PERCENTILES:
        out[f"{name}_days"], out[f"{name}_anchor"], out[f"{name}_next"] = np.nan, None, None
    out = out.astype({f"{name}_{part}": object for name in PERCENTILES for part in ID_PARTS})
    bounds = {(p.start, p.end): (p.start_at, p.end_exclusive) for p in spans}
    results: dict[str, dict] = {name: {} for name in PERCENTILES}  # group -> (days, anchor id, next id)
    stored_columns = ["resolved", *(f"{name}_{part}" for name in PERCENTILES for part in PARTS)]
    stored_values = zip(*(old[c].tolist() for c in stored_columns), strict=True) if len(old) else ()
    stored_rows = {key: dict(zip(stored_columns, values, strict=True))
                   for key, values in zip(old.index, stored_values, strict=True)}

    def stored_key(value):
        """(days, id) before the import of a stored id (None: none stored; False: its days unknown)."""
        if value is None or pd.isna(value):
            return None
        return (known[value], value) if value in known else False

    walks = []
    for group, n in out["resolved"].items():
        if n <= 0 or group[4] not in PERCENTILE_DIMS:  # (…, dim, dim_value): a channel's row keeps none
            continue
        stored = stored_rows.get(group)
        gone, joined = sorted(removed.get(group, ())), sorted(added.get(group, ()))
        if stored is not None and gone == joined and not pd.isna(stored["median_anchor"]):
            for name in PERCENTILES:  # the same durations left and came back: nothing moved
                results[name][group] = (stored[f"{name}_days"], stored[f"{name}_anchor"], stored[f"{name}_next"])
            continue
        level, unit, span_start, span_end, dim, value = group
        start_at, end_at = bounds[(span_start, span_end)]
        for name, percent in PERCENTILES.items():
            walk = _Walk()
            walk.group, walk.name, walk.level, walk.dim = group, name, level, dim
            walk.params = {"start": start_at, "end": end_at, "unit": unit, "value": value}
            anchor = stored[f"{name}_anchor"] if stored is not None else None
            walk.key = stored_key(anchor) or None
            if walk.key is None:
                walk.rank = 0
            else:
                old_rank = int(rank_and_fraction(int(stored["resolved"]), percent)[0])
                walk.rank = old_rank - bisect_left(gone, walk.key) + bisect_left(joined, walk.key)
            target, frac = rank_and_fraction(int(n), percent)
            walk.target, walk.frac = int(target), frac
            if walk.key is not None and walk.target == walk.rank and anchor not in changed:
                # the anchor kept its rank: the one after it from the stored next id and the changed requests
                following = stored_key(stored[f"{name}_next"])
                following = False if following is False else _next_in_place(following, walk.key, gone, joined)
                if following is not False and (following is not None or frac == 0):
                    low = walk.key[0] * (1 - frac) + (following[0] * frac if frac > 0 else 0.0)
                    results[name][group] = (low, anchor, following[1] if following else None)
                    continue
            walks.append(walk)
    _walk_values(conn, walks)
    for walk in walks:
        (low, anchor), frac = walk.found[0], walk.frac
        following = walk.found[1][1] if len(walk.found) > 1 else None
        results[walk.name][walk.group] = (low * (1 - frac) + (walk.found[1][0] * frac if frac > 0 else 0.0), anchor,
                                          following)
    position = {group: i for i, group in enumerate(out.index)}  # the groups are unique: rows of a summary
    for name in PERCENTILES:
        columns = [out[f"{name}_{part}"].to_numpy(copy=True) for part in PARTS]
        for group, values in results[name].items():
            for column, value in zip(columns, values, strict=True):
                column[position[group]] = value
        for part, column in zip(PARTS, columns, strict=True):
            out[f"{name}_{part}"] = column
    return out
