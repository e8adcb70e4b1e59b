"""KPI tiles: a figure with its change against the previous like-for-like period."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components import formatting
from components.i18n import text

DELTA_UNITS = {"pp": {"zh": "个百分点", "en": " pp"}}


def _rounded(change: float, scale: float = 1) -> float:
    """The change in display units to one decimal, with -0.0 made 0.0 (shown as '+0.0', not '-0.0')."""
    return round(change * scale, 1) + 0.0


def delta_text(current, previous, kind: str = "relative", lang: str = "zh") -> str | None:
    """The change as readers expect it: relative % for counts and sums, points for rates, days for times.

    None when there is nothing to compare (no previous period, or a zero base for a relative change).
    """
    if formatting.is_missing(current) or formatting.is_missing(previous):
        return None
    current, previous = float(current), float(previous)
    if kind == "relative":
        if previous == 0:
            return None
        return f"{_rounded(current / previous - 1, 100):+.1f}%"
    if kind == "points":
        return f"{_rounded(current - previous, 100):+.1f}{DELTA_UNITS['pp'][lang]}"
    if kind == "days":
        return text("unit.days", lang, value=f"{_rounded(current - previous):+.1f}")
    raise ValueError(f"unknown delta kind {kind!r}")


def kpi_tile(label: str, current, previous, fmt: Callable, lang: str, *, kind: str = "relative",
             lower_is_better: bool = False, help: str | None = None) -> None:
    st.metric(
        label,
        fmt(current, lang),
        delta=delta_text(current, previous, kind, lang) if previous is not None else None,
        delta_color="inverse" if lower_is_better else "normal",
        help=help,
        border=True,
    )


def frame_tiles(translate: Callable[..., str], lang: str) -> Callable[..., None]:
    """A page's tile drawer: ``tile(label_key, frame, frame_prev, column, fmt, **kw)`` shows one column of a
    one-row query result against the same column of the previous span's (None or empty: no change; an
    empty current frame: a missing value). One rule for every page that draws tiles from frames."""

    def tile(label_key: str, frame, frame_prev, column: str, fmt: Callable, **kw) -> None:
        current = frame[column].iloc[0] if frame is not None and len(frame) else None
        previous = frame_prev[column].iloc[0] if frame_prev is not None and len(frame_prev) else None
        kpi_tile(translate(label_key), current, previous, fmt, lang, **kw)

    return tile
