"""Pure builders of the projects board: figures (plotly) and the board's card HTML.

DataFrame in, figure or HTML string out; no Streamlit, no database. Text from the
data that lands in HTML or hover labels is escaped.
"""

from __future__ import annotations

import html
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go

from components.charts import PALETTE, _layout
from components.i18n import text, value_name

STAGE_COLORS = {"申报": "#7fa7d6", "立项": "#4f86c6", "实施": "#1f5fa8", "验收": "#d9822b", "完成": "#2e9e6a",
                "暂停": "#9aa7b4"}
#: timeline rows shown at most (a Gantt of hundreds of rows reads as noise)
TIMELINE_CAP = 40


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def funnel(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Projects that reached each stage (columns stage, projects), first stage on top."""
    labels = [value_name(s, lang) for s in frame["stage"]]
    fig = go.Figure(go.Funnel(
        y=labels, x=frame["projects"], textinfo="value+percent initial",
        marker={"color": [STAGE_COLORS.get(s, PALETTE["primary"]) for s in frame["stage"]]},
        hovertemplate="%{y}: %{x:,d}<extra></extra>",
    ))
    return _layout(fig, height=300)


#: The board is light cards on either theme, so it names its own text colours (tests/test_palettes.py)
BOARD_GROUND, CARD_GROUND, BOARD_INK, BOARD_MUTED = "#f6f8fb", "#ffffff", "#1f2937", "#555555"


def board_column_html(cards: pd.DataFrame, status: str, total: int, lang: str = "zh") -> str:
    """One board column: a header with the stage and its count, then cards, then a 'more' line.

    ``cards`` holds the cards to draw (already sorted and cut to the top N); ``total`` is
    how many projects the column has in all.
    """
    color = STAGE_COLORS.get(status, PALETTE["primary"])
    parts = [
        f'<div style="border-top:4px solid {color};background:{BOARD_GROUND};color:{BOARD_INK};border-radius:6px;'
        'padding:6px 8px;">',
        f'<div style="font-weight:600;font-size:15px;margin-bottom:6px;">{_esc(value_name(status, lang))}'
        f'<span style="float:right;color:{BOARD_MUTED};">{total:,}</span></div>',
    ]
    if total == 0:
        parts.append(f'<div style="color:{BOARD_MUTED};font-size:13px;">'
                     f'{_esc(text("projects.board.empty_column", lang))}</div>')
    for card in cards.itertuples():
        progress = max(0.0, min(100.0, float(card.progress_pct)))
        overdue = getattr(card, "days_overdue", None)
        badge = ""
        if overdue is not None and not pd.isna(overdue):
            badge = (f'<span style="color:{PALETTE["bad"]};font-size:12px;margin-left:6px;">'
                     f'{_esc(text("projects.card.overdue", lang, days=int(overdue)))}</span>')
        days_in_stage = "" if pd.isna(card.days_in_stage) else text("projects.card.days_in_stage", lang,
                                                                        days=int(card.days_in_stage))
        parts.append(
            f'<div style="background:{CARD_GROUND};border:1px solid #e1e5eb;border-radius:5px;padding:6px 8px;'
            'margin:5px 0;">'
            f'<div style="font-size:13px;font-weight:600;line-height:1.3;" title="{_esc(card.code)}">'
            f'{_esc(card.title)}</div>'
            f'<div style="font-size:12px;color:{BOARD_MUTED};">{_esc(card.community_name)} · '
            f'{_esc(value_name(card.lead_unit, lang))}</div>'
            f'<div style="background:#e8ecf1;border-radius:3px;height:6px;margin:4px 0;">'
            f'<div style="background:{color};width:{progress:.0f}%;height:6px;border-radius:3px;"></div></div>'
            f'<div style="font-size:12px;color:{BOARD_MUTED};">{progress:.0f}% · {_esc(days_in_stage)}{badge}</div>'
            '</div>'
        )
    hidden = total - len(cards)
    if hidden > 0:
        parts.append(f'<div style="font-size:12px;color:{BOARD_MUTED};text-align:center;">'
                     f'{_esc(text("projects.board.more", lang, n=f"{hidden:,}"))}</div>')
    parts.append("</div>")
    return "".join(parts)


def _as_datetime(value):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return pd.Timestamp(value).to_pydatetime()


def timeline(projects: pd.DataFrame, milestones: pd.DataFrame, reference: date, lang: str = "zh") -> go.Figure:
    """Gantt of planned (light, wide) against actual (dark, narrow) spans, milestones as diamonds,
    and the reference date as a red line. An unfinished actual span runs to the reference date."""
    projects = projects.head(TIMELINE_CAP)
    labels = [f"{t[:16]}（{c}）" if lang == "zh" else f"{t[:16]} ({c})"
              for t, c in zip(projects["title"], projects["code"], strict=True)]
    label_of = dict(zip(projects["code"], labels, strict=True))
    ref = _as_datetime(reference)
    fig = go.Figure()
    for kind, start_col, end_col, color, width in (
        ("planned", "planned_start", "planned_end", "#c7d6ea", 0.8),
        ("actual", "actual_start", "actual_end", PALETTE["primary"], 0.4),
    ):
        ys, bases, lengths, hovers = [], [], [], []
        for row, label in zip(projects.itertuples(), labels, strict=True):
            start = _as_datetime(getattr(row, start_col))
            end = _as_datetime(getattr(row, end_col)) or (ref if kind == "actual" and start else None)
            if start is None or end is None:
                continue
            ys.append(label)
            bases.append(start)
            lengths.append(max((end - start).total_seconds() * 1000, 86_400_000))
            hovers.append(f"{_esc(row.title)}<br>{start:%Y-%m-%d} → {end:%Y-%m-%d}")
        fig.add_bar(y=ys, x=lengths, base=bases, orientation="h", width=width, marker_color=color,
                    name=text(f"projects.timeline.{kind}", lang), hovertext=hovers, hoverinfo="text")
    if not milestones.empty:
        ms = milestones[milestones["project_code"].isin(label_of)]
        for done, symbol, key in ((True, "diamond", "milestone_done"), (False, "diamond-open", "milestone_open")):
            part = ms[ms["done_on"].notna()] if done else ms[ms["done_on"].isna()]
            if part.empty:
                continue
            when = part["done_on"] if done else part["planned_on"]
            fig.add_scatter(
                y=[label_of[c] for c in part["project_code"]], x=[_as_datetime(d) for d in when], mode="markers",
                marker={"symbol": symbol, "size": 9, "color": PALETTE["warn"], "line": {"width": 1.5,
                                                                                     "color": PALETTE["warn"]}},
                name=text(f"projects.timeline.{key}", lang),
                hovertext=[f"{_esc(value_name(n, lang))} {d:%Y-%m-%d}" for n, d in
                           zip(part["name"], [_as_datetime(d) for d in when], strict=True)],
                hoverinfo="text",
            )
    fig.add_shape(type="line", x0=ref, x1=ref, y0=0, y1=1, yref="paper", line={"color": PALETTE["bad"], "width": 2})
    fig.add_annotation(x=ref, y=1, yref="paper", text=text("projects.timeline.reference", lang), showarrow=False,
                       font={"color": PALETTE["bad"]}, yanchor="bottom")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(type="date", title=None)
    fig.update_yaxes(autorange="reversed", title=None, categoryorder="array", categoryarray=labels)
    return _layout(fig, height=max(320, 120 + 26 * len(labels)))


def rollup_bars(frame: pd.DataFrame, name_col: str, lang: str = "zh", overall: float | None = None) -> go.Figure:
    """Budget-weighted progress per unit (columns name_col, weighted_progress, projects, budget_yuan),
    lowest first so the laggards lead; a dashed line marks the overall figure."""
    frame = frame.sort_values("weighted_progress")
    fig = go.Figure(go.Bar(
        x=frame["weighted_progress"], y=[str(n) for n in frame[name_col]], orientation="h",
        marker_color=[PALETTE["done"] if v >= 95 else PALETTE["primary"] if v >= 85 else PALETTE["warn"]
                      for v in frame["weighted_progress"]],
        text=[f"{v:.1f}%" for v in frame["weighted_progress"]], textposition="auto",
        customdata=frame[["projects", "budget_yuan"]].to_numpy(),
        hovertemplate="%{y}: %{x:.1f}%<br>%{customdata[0]:,d} · ¥%{customdata[1]:,.0f}<extra></extra>",
    ))
    if overall is not None:
        fig.add_vline(x=overall, line_dash="dash", line_color=PALETTE["bad"])
    fig.update_xaxes(title=text("projects.axis.progress", lang), range=[0, 100])
    fig.update_yaxes(title=None)
    return _layout(fig, height=max(260, 60 + 22 * len(frame)))


def breakdown_bars(frame: pd.DataFrame, lang: str = "zh", top: int = 15) -> go.Figure:
    """Projects per group (columns value, projects, completed, weighted_progress), largest on top."""
    frame = frame.sort_values("projects", ascending=False).head(top)
    labels = [value_name(v, lang) for v in frame["value"]]
    fig = go.Figure()
    fig.add_bar(y=labels, x=frame["projects"], orientation="h", marker_color=PALETTE["muted"],
                name=text("projects.col.projects", lang), text=frame["projects"], textposition="auto")
    fig.add_bar(y=labels, x=frame["completed"], orientation="h", marker_color=PALETTE["done"],
                name=text("projects.col.completed", lang), text=frame["completed"], textposition="auto")
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=None, tickformat=",d")
    return _layout(fig, height=max(260, 80 + 34 * len(frame)))


def scorecard_bars(card: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """A project's 18 indicators as attainment bars (score ÷ target), below-target ones in orange,
    the 100% line drawn (columns name, name_en, achievement, score, target, weight)."""
    names = card["name_en"] if lang == "en" else card["name"]
    fig = go.Figure(go.Bar(
        x=card["achievement"] * 100, y=list(names), orientation="h",
        marker_color=[PALETTE["warn"] if a < 1 else PALETTE["done"] for a in card["achievement"]],
        text=[f"{s:g}" for s in card["score"]], textposition="auto",
        customdata=card[["score", "target", "weight"]].to_numpy(),
        hovertemplate="%{y}: %{x:.0f}%<br>%{customdata[0]} / %{customdata[1]} · w %{customdata[2]}<extra></extra>",
    ))
    fig.add_vline(x=100, line_dash="dash", line_color=PALETTE["bad"])
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=text("projects.axis.achievement", lang), ticksuffix="%", range=[0, 125])
    return _layout(fig, height=560)


def totals_histogram(totals: pd.DataFrame, lang: str = "zh", marks: dict[str, float] | None = None) -> go.Figure:
    """Distribution of projects' acceptance totals (column total), with optional marked values."""
    fig = go.Figure(go.Histogram(x=totals["total"], xbins={"size": 2}, marker_color=PALETTE["primary"],
                                 hovertemplate="%{x}: %{y:,d}<extra></extra>"))
    fig.add_vline(x=100, line_dash="dash", line_color=PALETTE["muted"])
    for i, (label, value) in enumerate((marks or {}).items()):
        if value is None or pd.isna(value):
            continue
        fig.add_vline(x=value, line_color=[PALETTE["bad"], PALETTE["warn"], PALETTE["done"]][i % 3], line_width=2)
        fig.add_annotation(x=value, y=1 - 0.08 * i, yref="paper", text=f"{label} {value:.1f}", showarrow=False,
                           xanchor="left", font={"size": 12})
    fig.update_xaxes(title=text("projects.axis.total", lang))
    fig.update_yaxes(title=text("projects.col.projects", lang), tickformat=",d")
    fig.update_layout(bargap=0.05)
    return _layout(fig, height=320)


def indicator_heatmap(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Average attainment per unit (rows) and indicator (columns), long frame with
    name/name_en, indicator_code, indicator_name(_en), average_achievement, average_score."""
    unit_col = "name_en" if lang == "en" and "name_en" in frame else "name"
    ind_col = "indicator_name_en" if lang == "en" else "indicator_name"
    order = frame.drop_duplicates("indicator_code").sort_values("seq")
    pivot = frame.pivot_table(index=unit_col, columns="indicator_code", values="average_achievement", sort=False)
    pivot = pivot[[c for c in order["indicator_code"] if c in pivot.columns]]
    names = dict(zip(order["indicator_code"], order[ind_col], strict=True))
    fig = go.Figure(go.Heatmap(
        z=pivot.to_numpy() * 100, x=[f"{c} {names[c][:8]}" for c in pivot.columns], y=[str(u) for u in pivot.index],
        colorscale=[[0, "#c23b3b"], [0.5, "#f7f1e3"], [1, "#2e9e6a"]], zmid=100, zmin=80, zmax=120,
        colorbar={"title": {"text": "%"}},
        hovertemplate="%{y} · %{x}: %{z:.1f}%<extra></extra>",
    ))
    fig.update_xaxes(tickangle=-45, title=None)
    fig.update_yaxes(autorange="reversed", title=None)
    return _layout(fig, height=max(320, 160 + 24 * len(pivot.index)))


def weakest_bars(frame: pd.DataFrame, lang: str = "zh", top: int = 8) -> go.Figure:
    """The indicators with the lowest average attainment (columns name, name_en, average_achievement,
    share_below_target), weakest on top."""
    frame = frame.sort_values("average_achievement").head(top)
    names = frame["name_en"] if lang == "en" else frame["name"]
    fig = go.Figure(go.Bar(
        x=frame["average_achievement"] * 100, y=list(names), orientation="h", marker_color=PALETTE["warn"],
        text=[f"{a * 100:.1f}%" for a in frame["average_achievement"]], textposition="auto",
        customdata=frame[["share_below_target"]].to_numpy() * 100,
        hovertemplate="%{y}: %{x:.1f}%<br>%{customdata[0]:.0f}%<extra></extra>",
    ))
    fig.add_vline(x=100, line_dash="dash", line_color=PALETTE["bad"])
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=text("projects.axis.achievement", lang), ticksuffix="%", range=[0, 125])
    return _layout(fig, height=320)


