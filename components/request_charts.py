"""Pure builders of the 诉求办理 page: DataFrames in, plotly figures (or display frames) out.

No Streamlit and no database here, so each builder is testable alone. Labels
come from the catalogue by ``lang``; stored Chinese values (categories,
channels) are translated with :func:`value_name`, statuses and claimer kinds
with their ``requests.status.*`` / ``requests.claimer.*`` keys.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import PALETTE, SERIES, _layout
from components.i18n import text, value_name

FUNNEL_STAGES = ["待受理", "已受理", "办理中", "已办结", "已关闭"]
SCORE_COLOURS = {1: PALETTE["bad"], 2: PALETTE["warn"], 3: PALETTE["muted"], 4: "#6cbf94", 5: PALETTE["done"]}


def status_name(status: str, lang: str = "zh") -> str:
    return text(f"requests.status.{status}", lang)


def claimer_name(kind: str, lang: str = "zh") -> str:
    return text(f"requests.claimer.{kind}", lang)


# --- pure frame transforms -----------------------------------------------------------


def with_change(current: pd.DataFrame, previous: pd.DataFrame | None, key: str,
                value: str = "received") -> pd.DataFrame:
    """``current`` with the previous period's ``value`` and the relative change (None without a base)."""
    frame = current.copy()
    if previous is None:
        frame["previous"] = None
        frame["change"] = None
        return frame
    base = previous.set_index(key)[value]
    frame["previous"] = frame[key].map(base).fillna(0).astype(int)
    frame["change"] = [
        (cur / prev - 1) if prev else None for cur, prev in zip(frame[value], frame["previous"], strict=True)
    ]
    return frame


def fastest_growing(changes: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """Categories by relative change, fastest-growing first (those with no base dropped)."""
    known = changes.dropna(subset=["change"])
    return known.sort_values("change", ascending=False).head(top).reset_index(drop=True)


def league_table(frame: pd.DataFrame, district: pd.DataFrame) -> pd.DataFrame:
    """The league frame with its difference from the district: days (median) and points (on-time share)."""
    frame = frame.copy()
    if district is None or district.empty:
        frame["median_vs_district"] = None
        frame["on_time_vs_district"] = None
        return frame
    frame["median_vs_district"] = frame["median_days"] - float(district["median_days"].iloc[0])
    frame["on_time_vs_district"] = frame["on_time_share"] - float(district["on_time_share"].iloc[0])
    return frame


# --- figures -------------------------------------------------------------------------


def _change_label(change) -> str:
    return "" if change is None or pd.isna(change) else f"{change * 100:+.1f}%"


def category_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Requests received per category with the change against the previous period in the label."""
    frame = frame.sort_values("received", ascending=True)
    labels = [value_name(c, lang) for c in frame["category"]]
    texts = [f"{r:,}  {_change_label(c)}".strip() for r, c in zip(frame["received"], frame["change"], strict=True)]
    fig = go.Figure(go.Bar(x=frame["received"], y=labels, orientation="h", marker_color=PALETTE["primary"],
                           text=texts, textposition="auto", name=text("label.received", lang)))
    fig.update_xaxes(title=text("label.received", lang), tickformat=",d")
    fig.update_yaxes(title=None)
    return _layout(fig, height=320)


def status_funnel(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """received → accepted → in progress → resolved → closed (columns status, reached)."""
    stages = frame.set_index("status").reindex(FUNNEL_STAGES).fillna(0)
    fig = go.Figure(go.Funnel(
        y=[status_name(s, lang) for s in FUNNEL_STAGES], x=stages["reached"].astype(int),
        texttemplate="%{value:,d}<br>%{percentInitial:.1%}",
        marker={"color": [SERIES[0], SERIES[0], SERIES[5], SERIES[2], SERIES[2]]},
        connector={"line": {"color": PALETTE["muted"], "width": 1}},
    ))
    fig.update_layout(separators=".,")
    return _layout(fig, height=320)


def league_bars(frame: pd.DataFrame, district_median: float | None, lang: str = "zh",
                label: str = "name") -> go.Figure:
    """Median (bar) and p90 (marker) days to resolve per unit, fastest on top, district median dashed."""
    labels = [f"{r}. {value_name(n, lang)}" for r, n in zip(frame["rank"], frame[label], strict=True)]
    fig = go.Figure()
    fig.add_bar(y=labels, x=frame["median_days"], orientation="h", marker_color=PALETTE["primary"],
                name=text("requests.col.median_days", lang), text=[f"{v:.1f}" for v in frame["median_days"]],
                textposition="auto")
    fig.add_scatter(y=labels, x=frame["p90_days"], mode="markers", name=text("requests.col.p90_days", lang),
                    marker={"color": PALETTE["warn"], "symbol": "diamond", "size": 9})
    if district_median is not None and not pd.isna(district_median):
        fig.add_vline(x=float(district_median), line_dash="dash", line_color=PALETTE["muted"])
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=text("requests.col.days", lang), rangemode="tozero")
    return _layout(fig, height=max(260, 26 * len(frame) + 80))


def per_thousand_bars(frame: pd.DataFrame, lang: str = "zh", top: int = 15) -> go.Figure:
    """Requests per 1,000 residents, highest communities first."""
    frame = frame.head(top)
    labels = [f"{n}（{s}）" if lang == "zh" else f"{n} ({s})" for n, s in
              zip(frame["name"], frame["street_name"], strict=True)]
    fig = go.Figure(go.Bar(x=frame["per_thousand"], y=labels, orientation="h", marker_color=PALETTE["primary"],
                           text=[f"{v:.1f}" for v in frame["per_thousand"]], textposition="auto"))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=text("requests.col.per_thousand", lang))
    return _layout(fig, height=max(260, 24 * len(frame) + 80))


def growth_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Relative change per category: growth in orange, decline in green (fewer requests is calmer)."""
    labels = [value_name(c, lang) for c in frame["category"]]
    colours = [PALETTE["warn"] if c > 0 else PALETTE["done"] for c in frame["change"]]
    fig = go.Figure(go.Bar(x=frame["change"], y=labels, orientation="h", marker_color=colours,
                           text=[_change_label(c) for c in frame["change"]], textposition="auto"))
    fig.add_vline(x=0, line_color=PALETTE["muted"])
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=text("requests.col.change", lang), tickformat="+.0%")
    return _layout(fig, height=320)


def satisfaction_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Rated requests per score 1–5, coloured from red (1) to green (5)."""
    labels = [text("requests.score", lang, value=int(s)) for s in frame["score"]]
    fig = go.Figure(go.Bar(x=labels, y=frame["requests"], marker_color=[SCORE_COLOURS[int(s)] for s in frame["score"]],
                           text=[f"{s * 100:.1f}%" for s in frame["share"]], textposition="auto"))
    fig.update_yaxes(title=None, tickformat=",d")
    fig.update_xaxes(title=None, type="category")
    return _layout(fig, height=300)


def average_satisfaction_bars(frame: pd.DataFrame, district: float | None, lang: str = "zh") -> go.Figure:
    """Average score per category or street (columns name, satisfaction), best on top, district dashed."""
    labels = [value_name(n, lang) for n in frame["name"]]
    fig = go.Figure(go.Bar(x=frame["satisfaction"], y=labels, orientation="h", marker_color=PALETTE["done"],
                           text=[f"{v:.2f}" for v in frame["satisfaction"]], textposition="auto"))
    if district is not None and not pd.isna(district):
        fig.add_vline(x=float(district), line_dash="dash", line_color=PALETTE["muted"])
    # A zoomed axis: averages sit close together, and the scale's 1–5 would hide every difference.
    low = max(1.0, float(frame["satisfaction"].min()) - 0.15) if len(frame) else 1.0
    high = min(5.0, float(frame["satisfaction"].max()) + 0.1) if len(frame) else 5.0
    fig.update_xaxes(range=[low, high], title=text("requests.col.satisfaction", lang))
    fig.update_yaxes(autorange="reversed", title=None)
    return _layout(fig, height=max(260, 26 * len(frame) + 80))


def wish_funnel(totals: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Micro wishes posted → claimed → fulfilled (one-row frame with those columns)."""
    row = totals.iloc[0]
    stages = ["已发布", "已认领", "已实现"]
    values = [int(row["posted"]), int(row["claimed"]), int(row["fulfilled"])]
    fig = go.Figure(go.Funnel(y=[text(f"requests.wish_status.{s}", lang) for s in stages], x=values,
                              texttemplate="%{value:,d}<br>%{percentInitial:.1%}",
                              marker={"color": [PALETTE["muted"], PALETTE["primary"], PALETTE["done"]]}))
    return _layout(fig, height=260)


def claimer_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Wishes claimed and fulfilled per kind of claimer."""
    labels = [claimer_name(k, lang) for k in frame["claimer_kind"]]
    fig = go.Figure()
    fig.add_bar(x=labels, y=frame["claimed"], name=text("requests.col.claimed", lang), marker_color=PALETTE["muted"],
                text=frame["claimed"], textposition="auto")
    fig.add_bar(x=labels, y=frame["fulfilled"], name=text("requests.col.fulfilled", lang),
                marker_color=PALETTE["done"], text=frame["fulfilled"], textposition="auto")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=None, tickformat=",d")
    return _layout(fig, height=260)


def wish_weeks_bars(frame: pd.DataFrame, lang: str = "zh", weeks: int = 12) -> go.Figure:
    """Fulfilled wishes by whole weeks from posting (columns week, wishes); the long tail in one last bar."""
    head = frame.loc[frame["week"] < weeks]
    tail = int(frame.loc[frame["week"] >= weeks, "wishes"].sum())
    labels = [text("requests.wishes.week", lang, n=int(w) + 1) for w in head["week"]]
    values = [int(v) for v in head["wishes"]]
    if tail:
        labels.append(text("requests.wishes.later", lang, n=weeks))
        values.append(tail)
    colours = [PALETTE["primary"]] * len(head) + [PALETTE["muted"]] * bool(tail)
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=colours, text=values, textposition="auto"))
    fig.update_xaxes(title=None, type="category")
    fig.update_yaxes(title=None, tickformat=",d")
    return _layout(fig, height=260)
