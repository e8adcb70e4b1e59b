"""Pure figure builders: DataFrame in, plotly figure out; no Streamlit, no database.

Labels arrive already translated (or are translated here from the catalogue by
``lang``), so the same builder serves both languages and is testable alone.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.i18n import text, value_name

#: One palette for the whole app: a calm blue for volume, green for done, grey for context.
PALETTE = {
    "primary": "#1f5fa8",
    "done": "#2e9e6a",
    "muted": "#9aa7b4",
    "warn": "#d9822b",
    "bad": "#c23b3b",
}
#: The fourth is a light violet, not a dark purple: under protanopia a dark purple is the first one's blue.
SERIES = ["#1f5fa8", "#d9822b", "#2e9e6a", "#b060e0", "#c23b3b", "#3aa6b9"]
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
#: every page's plotly charts: no plotly logo in the mode bar (a government dashboard, not an advert)
PLOTLY_CONFIG = {"displaylogo": False}


def _layout(fig: go.Figure, height: int = 320) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"family": FONT, "size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        separators=".,",
        # a label that would have to shrink below 11 px to fit its bar is left off (phones)
        uniformtext={"minsize": 11, "mode": "hide"},
    )
    # Bar labels stay horizontal: Chinese and numbers read badly turned on their side.
    fig.update_traces(textangle=0, selector={"type": "bar"})
    return fig


def monthly_requests(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Received and resolved requests per month (columns month, received, resolved)."""
    fig = go.Figure()
    fig.add_scatter(x=frame["month"], y=frame["received"], name=text("label.received", lang), mode="lines+markers",
                    line={"color": PALETTE["primary"], "width": 2})
    fig.add_scatter(x=frame["month"], y=frame["resolved"], name=text("label.resolved", lang), mode="lines",
                    line={"color": PALETTE["done"], "width": 2, "dash": "dot"})
    fig.update_xaxes(title=None, type="category", nticks=12)
    fig.update_yaxes(title=None, rangemode="tozero", tickformat=",d")
    return _layout(fig)


def stage_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Projects per lifecycle stage as horizontal bars, first stage on top (columns status, projects)."""
    labels = [value_name(s, lang) for s in frame["status"]]
    colors = [PALETTE["done"] if s == "完成" else PALETTE["muted"] if s == "暂停" else PALETTE["primary"]
              for s in frame["status"]]
    fig = go.Figure(go.Bar(x=frame["projects"], y=labels, orientation="h", marker_color=colors,
                           text=[f"{v:,}" for v in frame["projects"]], textposition="auto"))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=text("label.projects", lang), tickformat=",d")
    return _layout(fig)


def channel_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Received against resolved per request channel (columns channel, received, resolved)."""
    labels = [value_name(c, lang) for c in frame["channel"]]
    fig = go.Figure()
    fig.add_bar(y=labels, x=frame["received"], name=text("label.received", lang), orientation="h",
                marker_color=PALETTE["muted"], text=[f"{v:,}" for v in frame["received"]], textposition="auto")
    fig.add_bar(y=labels, x=frame["resolved"], name=text("label.resolved", lang), orientation="h",
                marker_color=PALETTE["done"], text=[f"{v:,}" for v in frame["resolved"]], textposition="auto")
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=text("label.count", lang), tickformat=",d")
    return _layout(fig)


def safety_lines(frame: pd.DataFrame, measures: list[str], lang: str = "zh") -> go.Figure:
    """Monthly alerts and disputes, one line per measure (columns month and the measures)."""
    fig = go.Figure()
    for i, measure in enumerate(measures):
        fig.add_scatter(x=frame["month"], y=frame[measure], name=text(f"measure.{measure}", lang), mode="lines",
                        line={"color": SERIES[i % len(SERIES)], "width": 2})
    fig.update_xaxes(title=None, type="category", nticks=12)
    fig.update_yaxes(title=None, rangemode="tozero", tickformat=",d")
    return _layout(fig)


def ranking_pair(frame: pd.DataFrame, lang: str = "zh", size: int = 5, stacked: bool = False) -> go.Figure:
    """The ``size`` best communities by composite score beside the ``size`` worst, best on top in each
    (columns name, composite, rank; ranked best first). One figure, not two: on the overview each plotly
    chart costs the browser its own drawing, and the two lists share their scale and the 100 line.
    ``stacked``: the worst under the best (a phone: side by side, their names run into the other's bars)."""
    titles = (text("overview.ranking.top", lang), text("overview.ranking.bottom", lang))
    fig = (make_subplots(rows=2, cols=1, subplot_titles=titles, vertical_spacing=0.2) if stacked else
           make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.16))
    for i, (part, colour) in enumerate(((frame.head(size), PALETTE["done"]), (frame.tail(size), PALETTE["warn"]))):
        cell = {"row": i + 1, "col": 1} if stacked else {"row": 1, "col": i + 1}
        fig.add_bar(x=part["composite"], y=[f"{r}. {n}" for r, n in zip(part["rank"], part["name"], strict=True)],
                    orientation="h", marker_color=colour, text=[f"{v:.1f}" for v in part["composite"]],
                    textposition="auto", showlegend=False, **cell)
        fig.add_vline(x=100, line_dash="dash", line_color=PALETTE["muted"], **cell)
        fig.update_yaxes(autorange="reversed", title=None, **cell)
        fig.update_xaxes(title=text("label.composite", lang), range=[0, 120], **cell)
    return _layout(fig, height=520 if stacked else 280)


def event_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Participation events per kind (columns kind, events)."""
    labels = [value_name(k, lang) for k in frame["kind"]]
    fig = go.Figure(go.Bar(x=labels, y=frame["events"], marker_color=SERIES[: len(labels)],
                           text=[f"{v:,}" for v in frame["events"]], textposition="auto"))
    fig.update_yaxes(title=None, tickformat=",d")
    fig.update_xaxes(title=None)
    return _layout(fig)
