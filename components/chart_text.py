"""Every chart's text alternative: its main fact in one line, computed from the figure's own data.

A screen reader cannot read a plotly chart, and a phone reader often cannot see its small labels, so
every page draws its charts through :func:`show_chart`: the chart, then a caption such as
"图示要点：满意率最高 龙城街道 96.2%；最低 …". The fact is taken from the figure's traces (the
bars' own labels when they have them, else the value axis' format), so it is always the figure's
numbers and no page keeps a second copy of them. All words come from the catalogue
(``chart.fact.*``), Chinese first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from components.charts import PLOTLY_CONFIG
from components.i18n import text

#: at most this many series get their own fact (a caption is one or two lines, not a table)
MAX_SERIES = 3
_TAG = re.compile(r"<[^>]+>")


def _plain(label) -> str:
    """A category label as text: plotly's <br> and tags out, spaces kept single."""
    return " ".join(_TAG.sub(" ", str(label)).split())


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _axis_format(fig: go.Figure, axis: str) -> tuple[str, str]:
    """(tickformat, ticksuffix) of the figure's first x or y axis."""
    layout_axis = getattr(fig.layout, f"{axis}axis", None)
    if layout_axis is None:
        return "", ""
    return layout_axis.tickformat or "", layout_axis.ticksuffix or ""


def format_value(value: float, tickformat: str = "", suffix: str = "") -> str:
    """A value as its axis shows it: percent formats as %, integers with separators, else one decimal."""
    if "%" in tickformat:
        digits = re.search(r"\.(\d+)", tickformat)
        sign = "+" if tickformat.startswith("+") else ""
        return f"{value * 100:{sign},.{int(digits.group(1)) if digits else 1}f}%"
    if float(value).is_integer():
        return f"{int(value):,}{suffix}"
    return f"{value:,.1f}{suffix}"


def _shown(trace, index: int, value: float, tickformat: str, suffix: str) -> str:
    """The value as the chart labels it: the bar's own text when it has a number, else formatted."""
    labels = getattr(trace, "text", None)
    if isinstance(labels, Sequence) and not isinstance(labels, str) and index < len(labels):
        label = _plain(labels[index])
        if any(ch.isdigit() for ch in label):
            return label
    return format_value(value, tickformat, suffix)


def _pairs(trace) -> tuple[list[str], list[float | None], str]:
    """(category labels, values, value axis) of a bar or line trace."""
    orientation = getattr(trace, "orientation", None)
    horizontal = orientation == "h" or (trace.type == "funnel" and orientation != "v")  # a funnel's default
    labels, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
    labels, values = list(labels if labels is not None else []), list(values if values is not None else [])
    return [_plain(v) for v in labels], [_number(v) for v in values], "x" if horizontal else "y"


_PERIOD = re.compile(r"^\d{4}(-\d{2}|-W\d{2}|年)")


def _over_time(labels: list[str]) -> bool:
    """Whether the categories are months, weeks or dates (then the latest point and the peak are the news)."""
    return bool(labels) and all(_PERIOD.match(label) for label in labels)


def _extremes(fig, trace, lang: str) -> list[str]:
    labels, values, axis = _pairs(trace)
    if _over_time(labels):
        return _series(fig, trace, lang)
    points = [(i, v) for i, v in enumerate(values) if v is not None and i < len(labels)]
    if not points:
        return []
    fmt = _axis_format(fig, axis)
    high = max(points, key=lambda p: p[1])
    low = min(points, key=lambda p: p[1])
    facts = [text("chart.fact.highest", lang, label=labels[high[0]], value=_shown(trace, high[0], high[1], *fmt))]
    if len(points) > 1 and low[0] != high[0]:
        facts.append(text("chart.fact.lowest", lang, label=labels[low[0]], value=_shown(trace, low[0], low[1], *fmt)))
    return facts


def _series(fig, trace, lang: str) -> list[str]:
    """A line over time: its latest point and its peak."""
    labels, values, axis = _pairs(trace)
    points = [(i, v) for i, v in enumerate(values) if v is not None and i < len(labels)]
    if not points:
        return []
    fmt = _axis_format(fig, axis)
    last = points[-1]
    high = max(points, key=lambda p: p[1])
    facts = [text("chart.fact.latest", lang, label=labels[last[0]], value=format_value(last[1], *fmt))]
    if high[0] != last[0]:
        facts.append(text("chart.fact.peak", lang, label=labels[high[0]], value=format_value(high[1], *fmt)))
    return facts


def _stacked_totals(fig, bars: list, lang: str) -> list[str]:
    """Stacked bars: the categories' totals across the stacked series."""
    totals: dict[str, float] = {}
    for trace in bars:
        labels, values, axis = _pairs(trace)
        for label, value in zip(labels, values, strict=False):
            totals[label] = totals.get(label, 0.0) + (value or 0.0)
    if not totals:
        return []
    fmt = _axis_format(fig, axis)
    if _over_time(list(totals)):
        return _series(fig, go.Bar(x=list(totals), y=list(totals.values())), lang)
    high = max(totals, key=totals.get)
    low = min(totals, key=totals.get)
    facts = [text("chart.fact.highest_total", lang, label=high, value=format_value(totals[high], *fmt))]
    if low != high:
        facts.append(text("chart.fact.lowest_total", lang, label=low, value=format_value(totals[low], *fmt)))
    return facts


def _named(trace, facts: list[str], lang: str, named: bool) -> str:
    joined = text("chart.fact.join_series", lang).join(facts)
    return text("chart.fact.series", lang, name=_plain(trace.name), facts=joined) if named and trace.name else joined


def _main_polar(traces: list):
    """A radar's subject: the filled shape (the targets and averages are lines), else the last drawn."""
    polar = [t for t in traces if t.type == "scatterpolar" and t.r is not None]
    filled = [t for t in polar if t.fill == "toself"]
    return (filled or polar or [None])[-1]


def main_facts(fig: go.Figure, lang: str = "zh") -> list[str]:
    """The figure's main facts as sentences (largest and smallest, latest and peak, largest flow…)."""
    traces = [t for t in fig.data if getattr(t, "visible", True) not in (False, "legendonly")]
    bars = [t for t in traces if t.type == "bar" and getattr(t, "base", None) is None]
    lines = [t for t in traces if t.type == "scatter" and "lines" in (t.mode or "lines")]
    facts: list[str] = []
    if bars and fig.layout.barmode in ("stack", "relative") and len(bars) > 1:
        facts += _stacked_totals(fig, bars, lang)
    elif bars:
        unnamed = [t for t in bars if not t.name]
        if len(unnamed) > 1:  # one list split over subplots (a best and a worst five): one pool
            pooled = go.Bar(y=[y for t in unnamed for y in _pairs(t)[0]],
                            x=[x for t in unnamed for x in _pairs(t)[1]], orientation="h",
                            text=[s for t in unnamed for s in (t.text if t.text is not None else [""] * len(t.x))])
            facts += _extremes(fig, pooled, lang)
        named = [t for t in bars if t.name]
        for trace in named[:MAX_SERIES]:
            facts.append(_named(trace, _extremes(fig, trace, lang), lang, len(bars) > 1))
        if len(unnamed) == 1:
            facts += _extremes(fig, unnamed[0], lang)
    if lines:
        for trace in lines[:MAX_SERIES]:
            facts.append(_named(trace, _series(fig, trace, lang), lang, len(lines) > 1 or bool(bars)))
    for trace in traces:
        if trace.type == "funnel":
            labels, values, _ = _pairs(trace)
            if values and labels:
                facts.append(text("chart.fact.funnel", lang, first=labels[0], first_value=format_value(values[0] or 0),
                                  last=labels[-1], last_value=format_value(values[-1] or 0),
                                  share=f"{(values[-1] or 0) / values[0] * 100:.1f}%" if values[0] else "—"))
        elif trace.type == "heatmap" and trace.z is not None:
            cells = [(v, r, c) for r, row in enumerate(trace.z) for c, v in enumerate(row) if _number(v) is not None]
            if cells:
                value, row, column = max(cells, key=lambda cell: float(cell[0]))
                facts.append(text("chart.fact.cell", lang, row=_plain(trace.y[row]), column=_plain(trace.x[column]),
                                  value=format_value(float(value))))
        elif trace.type == "scatterpolar" and trace.r is not None and trace is _main_polar(traces):
            radial = go.Bar(x=list(trace.theta or []), y=list(trace.r))
            facts.append(_named(trace, _extremes(go.Figure(), radial, lang), lang, bool(trace.name)))
        elif trace.type == "sankey" and trace.link.value is not None and len(trace.link.value):
            values = list(trace.link.value)
            biggest = max(range(len(values)), key=lambda i: values[i])
            nodes = list(trace.node.label or [])
            facts.append(text("chart.fact.flow", lang, source=_plain(nodes[trace.link.source[biggest]]),
                              target=_plain(nodes[trace.link.target[biggest]]), value=format_value(values[biggest])))
        elif trace.type == "histogram" and trace.x is not None:
            values = sorted(v for v in (_number(x) for x in trace.x) if v is not None)
            if values:
                middle = len(values) // 2
                median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
                facts.append(text("chart.fact.distribution", lang, n=f"{len(values):,}", median=format_value(median),
                                  low=format_value(values[0]), high=format_value(values[-1])))
    facts = [fact for fact in facts if fact]
    if not facts:  # markers or bars on a time axis (a timeline, a scatter): how many things it shows
        count = sum(len(t.y if t.y is not None else t.x if t.x is not None else []) for t in traces
                    if t.type in ("bar", "scatter"))
        if count:
            facts.append(text("chart.fact.items", lang, n=f"{count:,}"))
    return facts


def chart_caption(fig: go.Figure, lang: str = "zh") -> str:
    """The caption under a chart: "图示要点：" and its main facts, or a note that it is empty."""
    facts = main_facts(fig, lang)
    if not facts:
        return text("chart.fact.empty", lang)
    return text("chart.fact.caption", lang, facts=text("chart.fact.join", lang).join(facts))


def show_chart(fig: go.Figure, lang: str, *, key: str | None = None, **options) -> None:
    """A page's plotly chart (the app's chart config) with its main fact as a caption under it."""
    st.plotly_chart(fig, config=PLOTLY_CONFIG, key=key, **options)
    st.caption(chart_caption(fig, lang))
