"""Pure figure builders of the 资源共享 (Resources) page: DataFrame in, plotly figure out."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import FONT, PALETTE, SERIES, _layout
from components.i18n import CATALOGUE, text, value_name

#: Partner kinds in the order the offices list them, caring merchants last (counted apart).
PARTNER_KIND_ORDER = ["企事业单位", "社区社会组织", "物业服务企业", "爱心商家"]


def value_label(value, lang: str = "zh") -> str:
    """A stored value of this area (resource, partner or venue kind, fund source or purpose) as shown."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    key = f"resources.v.{value}"
    if key in CATALOGUE:
        return text(key, lang)
    return value_name(str(value), lang)


def street_label(frame: pd.DataFrame, lang: str) -> pd.Series:
    return frame["street_name_en"] if lang == "en" else frame["street_name"]


def top_items_bars(uptake: pd.DataFrame, lang: str = "zh", top: int = 12) -> go.Figure:
    """The most used catalogue items, most used on top, coloured by list (columns name, list_kind, uses)."""
    shown = uptake[uptake["uses"] > 0].sort_values(["uses", "code"], ascending=[False, True]).head(top)
    fig = go.Figure()
    for i, list_kind in enumerate(("resource", "service")):
        part = shown[shown["list_kind"] == list_kind]
        fig.add_bar(
            x=part["uses"], y=part["name"], orientation="h", name=text(f"resources.list.{list_kind}", lang),
            marker_color=SERIES[i], text=[f"{v:,}" for v in part["uses"]], textposition="auto",
            customdata=[value_label(k, lang) for k in part["kind"]],
            hovertemplate="%{y}（%{customdata}）: %{x:,}<extra></extra>",
        )
    fig.update_yaxes(categoryorder="array", categoryarray=list(shown["name"])[::-1], title=None)
    fig.update_xaxes(title=text("resources.col.uses", lang), tickformat=",d")
    return _layout(fig, height=max(300, 28 * len(shown) + 80))


def _stacked_by_street(frame: pd.DataFrame, value: str, kinds: list[str], lang: str, x_title: str) -> go.Figure:
    streets = frame.drop_duplicates("street_code").sort_values("street_code")
    labels = dict(zip(streets["street_code"], street_label(streets, lang), strict=True))
    order = [labels[c] for c in streets["street_code"]]
    fig = go.Figure()
    for i, kind in enumerate(kinds):
        part = frame[frame["kind"] == kind]
        if part.empty:
            continue
        fig.add_bar(
            y=[labels[c] for c in part["street_code"]], x=part[value], orientation="h",
            name=value_label(kind, lang), marker_color=SERIES[i % len(SERIES)],
            hovertemplate="%{y} · " + html.escape(value_label(kind, lang)) + ": %{x:,}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], title=None)
    fig.update_xaxes(title=x_title, tickformat=",d")
    return _layout(fig, height=max(300, 34 * len(order) + 90))


def partner_street_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Partner units per street, stacked by kind (columns street_code, street_name(_en), kind, units)."""
    kinds = [k for k in PARTNER_KIND_ORDER if k in set(frame["kind"])] + sorted(
        set(frame["kind"]) - set(PARTNER_KIND_ORDER))
    return _stacked_by_street(frame, "units", kinds, lang, text("resources.col.units", lang))


def venue_street_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Shared venues per street, stacked by kind, commonest kind first (columns street_code, kind, venues)."""
    kinds = list(frame.groupby("kind")["venues"].sum().sort_values(ascending=False).index)
    return _stacked_by_street(frame, "venues", kinds, lang, text("resources.col.venues", lang))


def fund_cumulative_lines(frame: pd.DataFrame, lang: str = "zh", height: int = 340) -> go.Figure:
    """Cumulative raised against spent by month, in 万元 (columns month, raised_cumulative, spent_cumulative)."""
    fig = go.Figure()
    fig.add_scatter(x=frame["month"], y=frame["raised_cumulative"] / 1e4, name=text("resources.fund.raised", lang),
                    mode="lines", line={"color": PALETTE["primary"], "width": 2.5, "shape": "hv"})
    fig.add_scatter(x=frame["month"], y=frame["spent_cumulative"] / 1e4, name=text("resources.fund.spent", lang),
                    mode="lines", line={"color": PALETTE["warn"], "width": 2.5, "shape": "hv"},
                    fill="tonexty", fillcolor="rgba(31,95,168,0.08)")
    fig.update_xaxes(title=None, type="category", nticks=12)
    fig.update_yaxes(title=text("resources.unit.wan", lang) if lang == "zh" else "10k yuan", rangemode="tozero",
                     tickformat=",.0f")
    return _layout(fig, height=height)


def fund_share_bars(frame: pd.DataFrame, column: str, lang: str = "zh") -> go.Figure:
    """Amounts per source or purpose as horizontal bars in 万元, largest on top (columns <column>, amount_yuan)."""
    labels = [value_label(v, lang) for v in frame[column]]
    total = float(frame["amount_yuan"].sum()) or 1.0
    fig = go.Figure(go.Bar(
        x=frame["amount_yuan"] / 1e4, y=labels, orientation="h",
        marker_color=SERIES[0] if column == "source" else SERIES[1],
        text=[f"{v / 1e4:,.1f} ({v / total:.0%})" for v in frame["amount_yuan"]], textposition="auto",
    ))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=text("resources.unit.wan", lang) if lang == "zh" else "10k yuan")
    return _layout(fig, height=60 * len(frame) + 90)


def flow_sankey(frame: pd.DataFrame, lang: str = "zh", top_providers: int = 10) -> go.Figure:
    """Provider unit → resource kind → street, link width = uses (columns provider_unit, kind, street_*, uses).

    Providers beyond the ``top_providers`` with most uses are merged into one "other units" node,
    so 20-odd small bureaus do not crowd the left edge into unreadable labels.
    """
    ranked = frame.groupby("provider_unit")["uses"].sum().sort_values(ascending=False, kind="stable")
    if len(ranked) > top_providers:
        keep = set(ranked.index[: top_providers - 1])
        other = text("resources.flows.other", lang)
        frame = frame.assign(provider_unit=[p if p in keep else other for p in frame["provider_unit"]])
    streets = street_label(frame, lang)
    providers = list(frame.groupby("provider_unit")["uses"].sum().sort_values(ascending=False, kind="stable").index)
    kinds = list(frame.groupby("kind")["uses"].sum().sort_values(ascending=False, kind="stable").index)
    street_order = list(dict.fromkeys(streets.loc[frame["street_code"].sort_values().index]))
    nodes = ([html.escape(p) for p in providers] + [html.escape(value_label(k, lang)) for k in kinds]
             + [html.escape(s) for s in street_order])
    index = {("p", p): i for i, p in enumerate(providers)}
    index.update({("k", k): len(providers) + i for i, k in enumerate(kinds)})
    index.update({("s", s): len(providers) + len(kinds) + i for i, s in enumerate(street_order)})
    first = frame.groupby(["provider_unit", "kind"], as_index=False)["uses"].sum()
    second = frame.assign(street=streets).groupby(["kind", "street"], as_index=False)["uses"].sum()
    kind_colour = {k: SERIES[i % len(SERIES)] for i, k in enumerate(kinds)}
    source = [index[("p", p)] for p in first["provider_unit"]] + [index[("k", k)] for k in second["kind"]]
    target = [index[("k", k)] for k in first["kind"]] + [index[("s", s)] for s in second["street"]]
    colours = [_translucent(kind_colour[k]) for k in list(first["kind"]) + list(second["kind"])]
    node_colours = ([PALETTE["muted"]] * len(providers) + [kind_colour[k] for k in kinds]
                    + [PALETTE["primary"]] * len(street_order))
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": nodes, "pad": 8, "thickness": 14, "color": node_colours,
              "line": {"width": 0}, "hovertemplate": "%{label}: %{value:,}<extra></extra>"},
        link={"source": source, "target": target, "value": list(first["uses"]) + list(second["uses"]),
              "color": colours,
              "hovertemplate": "%{source.label} → %{target.label}: %{value:,}<extra></extra>"},
    ))
    fig.update_layout(font={"family": FONT, "size": 12}, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      height=max(520, 24 * len(providers) + 60))
    return fig


def _translucent(hex_colour: str, alpha: float = 0.35) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def demand_supply_kind_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Demand (requests + wishes) and uses per mapped resource kind, side by side on their own scales.

    Demand runs to thousands and uses to hundreds, so one shared axis would flatten
    the uses; two panels with the kinds on one shared axis keep both readable.
    """
    totals = frame.groupby("resource_kind", sort=False)[["requests", "wishes", "uses"]].sum().reset_index()
    labels = [value_label(k, lang) for k in totals["resource_kind"]]
    demand = totals["requests"] + totals["wishes"]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=(text("resources.col.demand", lang), text("resources.col.uses", lang)))
    fig.add_bar(y=labels, x=demand, orientation="h", name=text("resources.col.demand", lang),
                marker_color=PALETTE["warn"], text=[f"{v:,}" for v in demand], textposition="auto", row=1, col=1)
    fig.add_bar(y=labels, x=totals["uses"], orientation="h", name=text("resources.col.uses", lang),
                marker_color=PALETTE["primary"], text=[f"{v:,}" for v in totals["uses"]], textposition="auto",
                row=1, col=2)
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(tickformat=",d", title=None)
    fig.update_annotations(font={"size": 13})
    fig = _layout(fig, height=340)
    fig.update_layout(showlegend=False, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


GAP_SCATTER_POINTS = 300  # more "other" communities than this are drawn as a density


def gap_scatter(ranking: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Each community's demand against its resource use per 1,000 residents; gap-list communities in red."""
    fig = go.Figure()
    groups = [
        (~ranking["flagged"] & ~ranking["selected"], "resources.gap.others", PALETTE["muted"], 8),
        (ranking["flagged"] & ~ranking["selected"], "resources.gap.flagged", PALETTE["bad"], 10),
        (ranking["selected"].astype(bool), "resources.gap.selected", PALETTE["primary"], 14),
    ]
    for mask, key, colour, size in groups:
        part = ranking[mask]
        if part.empty:
            continue
        if key == "resources.gap.others" and len(part) > GAP_SCATTER_POINTS:
            # a city's thousand communities: the others as a density (one image, not a thousand SVG
            # markers, slow to draw in the browser; bench/ measures it), the flagged and chosen ones still as points
            fig.add_trace(go.Histogram2d(
                x=part["supply_rate"], y=part["demand_rate"], name=text(key, lang), nbinsx=40, nbinsy=30,
                colorscale=[[0, "rgba(255,255,255,0)"], [1e-9, "#e5e7eb"], [1, "#6b7280"]], showscale=False,
                showlegend=True, hovertemplate=html.escape(text("resources.gap.others", lang))
                + ": %{z}<extra></extra>",
            ))
            continue
        names = [html.escape(n) for n in part["community_name"]]
        fig.add_scatter(
            x=part["supply_rate"], y=part["demand_rate"], mode="markers", name=text(key, lang),
            marker={"color": colour, "size": size, "line": {"width": 1, "color": "white"}},
            customdata=list(zip(names, part["gap_score"], strict=True)),
            hovertemplate="%{customdata[0]}<br>" + html.escape(text("resources.col.demand_rate", lang))
            + ": %{y:.2f}<br>" + html.escape(text("resources.col.supply_rate", lang)) + ": %{x:.2f}<br>"
            + html.escape(text("resources.col.gap_score", lang)) + ": %{customdata[1]:.2f}<extra></extra>",
        )
    fig.update_xaxes(title=text("resources.col.supply_rate", lang), rangemode="tozero")
    fig.update_yaxes(title=text("resources.col.demand_rate", lang))
    return _layout(fig, height=380)
