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
