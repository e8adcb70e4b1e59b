"""The Streamlit side of the data layer: one shared Database, and cached query calls.

Query functions live in ``data_access`` and know nothing of Streamlit; this is
where their results are cached, keyed by the function, its arguments (the scope
above all) and the dataset's load time, so a reload never serves stale figures.
"""

from __future__ import annotations

import gc
import importlib
import threading
from dataclasses import dataclass
from datetime import date

import streamlit as st

from data_access import boundaries, geography
from data_access.database import Database
from data_access.loader import ensure_database


@st.cache_resource(show_spinner=False)
def database() -> Database:
    """The app's one Database, building the embedded SQLite file on first start."""
    return Database(ensure_database())


_heap = {"settled": False}
_heap_lock = threading.Lock()


def settle_heap() -> None:
    """Once per server process, after its first page run: a full collection, then every object alive
    (modules, the Database, compiled statements) moved out of the collector's reach (``gc.freeze``).
    Otherwise each later full collection walks them all again, on whichever click happens to trigger
    it (bench/ measures what that costs at city scale). Objects made later are collected as usual; what the first
    session held in reference cycles at that moment stays until the process ends (a one-off, small).
    Once per process, not per cache: :func:`reset` must not make a later click pay the collection."""
    with _heap_lock:
        if not _heap["settled"]:
            gc.collect()
            gc.freeze()
            _heap["settled"] = True


@st.cache_data(ttl=30, show_spinner=False)
def data_version() -> str:
    """When the data was loaded; part of every cache key."""
    return database().dataset_info().get("loaded_at", "")


@st.cache_data(show_spinner=False, max_entries=4096)
def _call(module: str, name: str, args: tuple, kwargs: tuple, version: str):
    fn = getattr(importlib.import_module(module), name)
    return fn(database(), *args, **dict(kwargs))


def cached(fn, *args, **kwargs):
    """``fn(database(), *args, **kwargs)``, cached per arguments and data version; a query marked
    ``live_data`` (the 督办 items, which change between loads) runs afresh every time."""
    if getattr(fn, "live_data", False):
        return fn(database(), *args, **kwargs)
    return _call(fn.__module__, fn.__name__, args, tuple(sorted(kwargs.items())), data_version())


def cached_pair(fn, scope, previous, *args, **kwargs):
    """The figure for the scope and for the previous like-for-like scope (None if there is none)."""
    current = cached(fn, scope, *args, **kwargs)
    return current, (cached(fn, previous, *args, **kwargs) if previous is not None else None)


_shapes_memo: dict[tuple, tuple] = {}  # signature of the files -> (shapes, what is derived from them)
_shapes_lock = threading.Lock()


def map_shapes() -> boundaries.Shapes:
    """The boundaries the maps draw, coordinates rounded for display.

    Kept per process for as long as the files are unchanged (``boundaries.shapes_signature``), so
    no click and no cache reset reads and rounds them again (a city's shapes are slow to read); a
    boundary import writes new files, and the next run reads those. Shared: never modify them.
    """
    return _memo_entry()[0]


def map_labels(street: str | None):
    """Label points of the streets, or of one street's communities: a search inside each shape,
    done once per shapes."""
    from components.maps import label_points, unit_collection

    return _derived(("labels", street), lambda shapes: label_points(unit_collection(shapes, street)))


def district_map_shapes(width: int, height: int) -> tuple[boundaries.Shapes, tuple]:
    """(shapes, bounds) for a map of the whole district on a canvas of this size: it opens on every
    street, and the streets and outline are simplified for that zoom (``maps.district_view``), once per
    shapes and size."""
    from components.maps import district_view

    return _derived(("district", width, height), lambda shapes: district_view(shapes, width, height))


def _derived(key: tuple, build):
    """``build(shapes)``, kept beside the shapes it was made from."""
    shapes, derived = _memo_entry()
    if key not in derived:
        derived[key] = build(shapes)
    return derived[key]


def _memo_entry() -> tuple[boundaries.Shapes, dict]:
    signature = boundaries.shapes_signature()
    with _shapes_lock:
        entry = _shapes_memo.get(signature)
        if entry is None:
            from components.maps import rounded_collection

            raw = boundaries.load_shapes()
            shapes = boundaries.Shapes(rounded_collection(raw.communities), rounded_collection(raw.streets),
                                       rounded_collection(raw.outline), raw.schematic)
            if len(_shapes_memo) >= 4:  # a few data folders at most (tests switch between them)
                _shapes_memo.clear()
            entry = _shapes_memo[signature] = (shapes, {})
        return entry


@dataclass(frozen=True)
class DataContext:
    """The span of the data: its first date and the reference ("as of") date."""

    start: date
    reference: date


def data_context() -> DataContext:
    start, reference = cached(geography.data_range)
    return DataContext(start, reference)


def reset() -> None:
    """Forget the connection and every cached result (after a reload or an outage)."""
    st.cache_data.clear()
    st.cache_resource.clear()
