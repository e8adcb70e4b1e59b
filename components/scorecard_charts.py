"""Pure builders of the Scorecards page: radar, league bars, trends, safety and star ratings.

DataFrame in, plotly figure (or display DataFrame) out; no Streamlit, no database.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components import charts
from components.charts import PALETTE, SERIES
from components.i18n import text
from data_access.domain import SAFETY_MEASURES

STAR_COLORS = {1: "#c23b3b", 2: "#d9822b", 3: "#e0c341", 4: "#5aa36e", 5: "#1f7a4d"}


def dimension_label(row, lang: str) -> str:
    return row["name_en"] if lang == "en" else row["name"]


def radar(breakdown: pd.DataFrame, averages: pd.DataFrame, unit_name: str, lang: str = "zh") -> go.Figure:
    """The unit's ten scores against the district average and the targets (Scatterpolar, closed loops)."""
    labels = [dimension_label(r, lang) for _, r in breakdown.iterrows()]
    average = breakdown["code"].map(averages.set_index("code")["average"]) if len(averages) else None
    loop = labels + labels[:1]

    def closed(values):
        values = list(values)
        return values + values[:1]

    fig = go.Figure()
    fig.add_trace(go.Scatterpolar(r=closed(breakdown["target"]), theta=loop, name=text("scorecards.radar.target", lang),
                                  mode="lines", line={"color": PALETTE["muted"], "dash": "dot", "width": 1.5}))
    if average is not None:
        fig.add_trace(go.Scatterpolar(r=closed(average), theta=loop, name=text("scorecards.radar.average", lang),
                                      mode="lines", line={"color": PALETTE["warn"], "width": 2}))
    fig.add_trace(go.Scatterpolar(r=closed(breakdown["score"]), theta=loop, name=unit_name, mode="lines+markers",
                                  fill="toself", fillcolor="rgba(31,95,168,0.18)",
                                  line={"color": PALETTE["primary"], "width": 2.5}))
    low = min(50.0, float(pd.concat([breakdown["score"], breakdown["target"]]).min(skipna=True) or 50) - 5)
    fig.update_layout(polar={"radialaxis": {"range": [low, 100], "tickfont": {"size": 11}},
                             "angularaxis": {"tickfont": {"size": 12}}})
    fig = charts._layout(fig, height=420)
    fig.update_layout(margin={"l": 60, "r": 60, "t": 40, "b": 20}, legend={"y": -0.12, "yanchor": "top"})
    return fig


def rank_change_label(change) -> str:
    """+2 → '↑2', -1 → '↓1', 0 → '–', missing → ''."""
    if change is None or pd.isna(change):
        return ""
    change = int(change)
    return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "–"


def league_bars(frame: pd.DataFrame, lang: str = "zh", good: bool = True) -> go.Figure:
    """Units by composite, best on top, with the change in rank beside the score."""
    labels = [f"{r}. {n}" for r, n in zip(frame["rank"], frame["name"], strict=True)]
    values = [f"{v:.1f} {rank_change_label(c)}".strip()
              for v, c in zip(frame["composite"], frame["rank_change"], strict=True)]
    fig = go.Figure(go.Bar(x=frame["composite"], y=labels, orientation="h", text=values, textposition="auto",
                           marker_color=PALETTE["done"] if good else PALETTE["warn"]))
    fig.add_vline(x=100, line_dash="dash", line_color=PALETTE["muted"])
    fig.update_yaxes(autorange="reversed", title=None)
    low = max(0.0, float(frame["composite"].min()) - 10) if len(frame) else 0
    high = max(105.0, float(frame["composite"].max()) + 4) if len(frame) else 120
    fig.update_xaxes(title=text("label.composite", lang), range=[low, min(high, 120.0)])
    return charts._layout(fig, height=60 + 36 * max(len(frame), 1))


def dimension_trends(trend: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Small multiples: each dimension's score by year (solid) and its target (dashed)."""
    order = trend.drop_duplicates("code").sort_values("seq")
    titles = [dimension_label(r, lang) for _, r in order.iterrows()]
    cols = 5
    rows = max(1, -(-len(order) // cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=0.22, horizontal_spacing=0.05)
    for i, (_, dim) in enumerate(order.iterrows()):
        part = trend.loc[trend["code"] == dim["code"]].sort_values("year")
        row, col = i // cols + 1, i % cols + 1
        years = [str(y) for y in part["year"]]
        fig.add_scatter(x=years, y=part["score"], mode="lines+markers+text", showlegend=False,
                        text=[f"{v:.1f}" for v in part["score"]], textposition="top center",
                        textfont={"size": 11}, line={"color": PALETTE["primary"], "width": 2}, row=row, col=col)
        fig.add_scatter(x=years, y=[dim["target"]] * len(years), mode="lines", showlegend=False,
                        line={"color": PALETTE["muted"], "dash": "dash", "width": 1}, row=row, col=col,
                        hovertemplate=text("scorecards.radar.target", lang) + ": %{y}<extra></extra>")
    fig.update_yaxes(range=[50, 100])
    fig.update_xaxes(type="category")
    fig = charts._layout(fig, height=240 * rows)
    fig.update_annotations(font={"size": 13})
    return fig


def safety_heatmap(unit_month: pd.DataFrame, measure: str, lang: str = "zh") -> go.Figure:
    """Units down, months across, one measure's monthly count as colour."""
    wide = unit_month.pivot_table(index="unit_name", columns="month", values=measure, aggfunc="sum", fill_value=0)
    order = unit_month.drop_duplicates("unit_code")["unit_name"]
    wide = wide.reindex([n for n in order if n in wide.index])
    fig = go.Figure(go.Heatmap(z=wide.to_numpy(), x=list(wide.columns), y=list(wide.index), colorscale="Blues",
                               colorbar={"title": None, "thickness": 12},
                               hovertemplate="%{y} %{x}: %{z:,}<extra></extra>"))
    fig.update_xaxes(type="category", nticks=12)
    fig.update_yaxes(autorange="reversed")
    return charts._layout(fig, height=max(260, 60 + 24 * len(wide)))


def decline_bars(by_unit: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Each unit's average yearly decline of the three measures; a rise (negative) is drawn in red."""
    fig = go.Figure()
    for i, measure in enumerate(SAFETY_MEASURES):
        values = by_unit[f"{measure}_decline"]
        colors = [PALETTE["bad"] if (pd.notna(v) and v < 0) else SERIES[i] for v in values]
        fig.add_bar(y=by_unit["unit_name"], x=values, name=text(f"measure.{measure}", lang), orientation="h",
                    marker_color=colors, text=[f"{v * 100:.1f}%" if pd.notna(v) else "" for v in values],
                    textposition="auto")
    fig.update_layout(barmode="group")
    fig.update_xaxes(tickformat=".0%", title=None)
    fig.update_yaxes(autorange="reversed", title=None)
    return charts._layout(fig, height=max(300, 80 + 54 * len(by_unit)))


def star_distribution(distribution: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Rated compounds per star level, district (or scope) total."""
    totals = distribution.groupby("stars")["compounds"].sum().reindex(range(1, 6), fill_value=0)
    labels = [f"{s}★" for s in totals.index]
    fig = go.Figure(go.Bar(x=labels, y=totals.to_numpy(), marker_color=[STAR_COLORS[s] for s in totals.index],
                           text=[f"{v:,}" for v in totals], textposition="auto"))
    fig.update_yaxes(title=text("scorecards.col.compounds", lang), tickformat=",d")
    return charts._layout(fig, height=300)


def stars_by_unit(distribution: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Each unit's rated compounds stacked by star level (shares, so big and small units compare)."""
    wide = distribution.pivot_table(index="unit_name", columns="stars", values="compounds", aggfunc="sum",
                                    fill_value=0).reindex(columns=range(1, 6), fill_value=0)
    order = distribution.drop_duplicates("unit_code")["unit_name"]
    wide = wide.reindex([n for n in order if n in wide.index])
    shares = wide.div(wide.sum(axis=1).where(wide.sum(axis=1) > 0), axis=0)
    fig = go.Figure()
    for stars in range(1, 6):
        fig.add_bar(y=list(wide.index), x=shares[stars], name=f"{stars}★", orientation="h",
                    marker_color=STAR_COLORS[stars], customdata=wide[stars],
                    hovertemplate="%{y} " + f"{stars}★" + ": %{customdata} (%{x:.0%})<extra></extra>")
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return charts._layout(fig, height=max(300, 80 + 26 * len(wide)))


def disputes_by_stars(by_level: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Average property disputes per 1,000 households of the communities at each star level."""
    labels = [f"{s}★" for s in by_level["star_level"]]
    fig = go.Figure(go.Bar(
        x=labels, y=by_level["disputes_per_1000_households"],
        marker_color=[STAR_COLORS.get(int(s), PALETTE["muted"]) for s in by_level["star_level"]],
        text=[f"{v:.2f}（n={n}）" if lang == "zh" else f"{v:.2f} (n={n})"
              for v, n in zip(by_level["disputes_per_1000_households"], by_level["communities"], strict=True)],
        textposition="auto",
    ))
    fig.update_yaxes(title=text("scorecards.col.disputes_per_1000", lang), rangemode="tozero")
    return charts._layout(fig, height=300)
