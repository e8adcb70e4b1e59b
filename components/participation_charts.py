"""Pure builders of the Participation page: monthly volunteers and events, units per 1,000, party base."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components import charts
from components.charts import PALETTE, SERIES
from components.i18n import text, value_name
from data_access.participation import EVENT_COLUMNS


def volunteer_months(monthly: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """New volunteers and residents newly taking part (bars), active volunteers (line, right axis)."""
    fig = go.Figure()
    month = monthly["month"]
    fig.add_bar(x=month, y=monthly["new_volunteers"], name=text("participation.col.new_volunteers", lang),
                marker_color=PALETTE["primary"])
    fig.add_bar(x=month, y=monthly["residents_taking_part"], name=text("participation.col.residents_taking_part", lang),
                marker_color=PALETTE["done"])
    fig.add_scatter(x=month, y=monthly["active_volunteers"], name=text("participation.col.active_volunteers", lang),
                    mode="lines", yaxis="y2", line={"color": PALETTE["warn"], "width": 2.5})
    fig.update_layout(barmode="group", yaxis2={"overlaying": "y", "side": "right", "tickformat": ",d",
                                               "rangemode": "tozero", "showgrid": False})
    fig.update_xaxes(type="category", nticks=12, title=None)
    fig.update_yaxes(tickformat=",d", rangemode="tozero", title=None)
    return charts._layout(fig, height=340)


def event_months(monthly: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Events of each kind per month, stacked."""
    fig = go.Figure()
    for i, (kind, column) in enumerate(EVENT_COLUMNS.items()):
        fig.add_bar(x=monthly["month"], y=monthly[column], name=value_name(kind, lang),
                    marker_color=SERIES[i % len(SERIES)])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", nticks=12, title=None)
    fig.update_yaxes(tickformat=",d", title=None)
    return charts._layout(fig, height=340)


def unit_per_1000(by_unit: pd.DataFrame, column: str, label: str, lang: str = "zh") -> go.Figure:
    """One figure per 1,000 residents for each unit, highest first, with the scope's average line."""
    frame = by_unit.sort_values(f"{column}_per_1000", ascending=False)
    values = frame[f"{column}_per_1000"]
    fig = go.Figure(go.Bar(x=values, y=frame["unit_name"], orientation="h", marker_color=PALETTE["primary"],
                           text=[f"{v:.2f}" for v in values], textposition="auto",
                           customdata=frame[column],
                           hovertemplate="%{y}: %{x:.2f} (%{customdata:,})<extra></extra>"))
    total_pop = by_unit["population"].sum()
    if total_pop:
        fig.add_vline(x=1000.0 * by_unit[column].sum() / total_pop, line_dash="dash", line_color=PALETTE["warn"])
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=label)
    return charts._layout(fig, height=max(300, 60 + 26 * len(frame)))


def party_members(party: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Party members per compound for each unit, with retired members transferred in as labels."""
    fig = go.Figure()
    fig.add_bar(x=party["unit_name"], y=party["members_per_compound"],
                name=text("participation.col.members_per_compound", lang),
                marker_color=PALETTE["primary"], text=[f"{v:.1f}" for v in party["members_per_compound"]],
                textposition="auto")
    fig.add_bar(x=party["unit_name"], y=party["retired_members_transferred"],
                name=text("participation.col.retired_members_transferred", lang), marker_color=PALETTE["warn"],
                text=[f"{v:,}" for v in party["retired_members_transferred"]], textposition="auto")
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=None)
    fig.update_yaxes(title=None)
    return charts._layout(fig, height=320)
