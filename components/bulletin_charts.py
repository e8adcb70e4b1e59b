"""Pure builders of the 通报 page: the bulletin's table in, a plotly figure out (no Streamlit, no database)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import PALETTE, _layout
from components.i18n import text


def composite_bars(table: pd.DataFrame, red_codes: set[str], black_codes: set[str], lang: str = "zh") -> go.Figure:
    """Composite score per ranked unit, best on top: red-list units green, black-list units red."""
    ranked = table[table["ranked"].astype(bool)].sort_values("rank", ascending=False)
    names = ranked["name"] if lang == "zh" or "name_en" not in ranked else ranked["name_en"].fillna(ranked["name"])
    colours = [PALETTE["done"] if c in red_codes else PALETTE["bad"] if c in black_codes else PALETTE["muted"]
               for c in ranked["code"]]
    fig = go.Figure(go.Bar(
        x=ranked["composite"].astype(float), y=list(names), orientation="h", marker_color=colours,
        text=[f"{v:.2f}" for v in ranked["composite"].astype(float)], textposition="outside",
        hovertemplate="%{y}: %{x:.2f}<extra></extra>",
    ))
    low = float(ranked["composite"].min()) if len(ranked) else 0.0
    fig.update_xaxes(range=[max(0.0, low - 10), 100], title=text("bulletin.chart.title", lang))
    return _layout(fig, height=max(260, 26 * len(ranked) + 80))


TREND_PANELS = ("response_rate", "resolution_rate", "on_time_rate", "satisfaction_rate", "composite")


def trend_multiples(trend: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Small multiples, one panel per bulletin measure and the composite, one line per unit, all on
    one 0–100 scale (rates in percent, the composite as scored)."""
    from plotly.subplots import make_subplots

    from components.charts import SERIES

    titles = [text(f"bulletin.col.{m}", lang) for m in TREND_PANELS]
    fig = make_subplots(rows=1, cols=len(TREND_PANELS), shared_yaxes=True, subplot_titles=titles,
                        horizontal_spacing=0.02)
    units = list(dict.fromkeys(trend["code"]))
    for i, code in enumerate(units):
        rows = trend[trend["code"] == code].sort_values("period")
        name = str(rows["name"].iloc[0])
        for col, measure in enumerate(TREND_PANELS, start=1):
            scale = 1.0 if measure == "composite" else 100.0
            fig.add_trace(go.Scatter(
                x=list(rows["period"]), y=(rows[measure].astype(float) * scale).round(2).tolist(), mode="lines+markers",
                name=name, legendgroup=code, showlegend=col == 1, line={"color": SERIES[i % len(SERIES)]},
                hovertemplate=f"{name} %{{x}}: %{{y:.1f}}<extra></extra>",
            ), row=1, col=col)
    values = [v for measure in TREND_PANELS
              for v in trend[measure].astype(float) * (1 if measure == "composite" else 100) if v == v]
    low = min([50.0, *[v - 5 for v in values]])
    fig.update_yaxes(range=[max(0.0, low), 100.5])
    fig.update_xaxes(tickangle=0, nticks=4)
    fig = _layout(fig, height=340)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0})
    return fig
