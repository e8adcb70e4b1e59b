"""Pure builders of the presenter show: the page's CSS, the slide header, KPI tiles, legends, and
figures restyled for a big screen (dark or light). No Streamlit, no database.

Type is sized for the back of a meeting room at 1920×1080: titles 44px, KPI values 64px,
chart text 20px. Every text that comes from a show file or the data is escaped.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from components.charts import FONT
from components.i18n import text

THEMES = ("dark", "light")
DEFAULT_THEME = "dark"


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    panel: str
    panel_border: str
    text: str
    muted: str
    accent: str
    grid: str
    plotly_template: str


THEME_STYLES = {
    # 数据大屏 convention: deep navy, cyan accents, light text.
    "dark": Theme("dark", "radial-gradient(ellipse at top, #0d2a52 0%, #061327 70%)", "rgba(16, 45, 86, 0.72)",
                  "rgba(64, 196, 255, 0.45)", "#e8f1fb", "#9fb9d6", "#3fd0ff", "rgba(255,255,255,0.12)",
                  "plotly_dark"),
    "light": Theme("light", "#f3f6fa", "#ffffff", "#d3dce7", "#16212d", "#50606f", "#1f5fa8", "rgba(0,0,0,0.08)",
                   "plotly_white"),
}

TITLE_PX = 44
SCOPE_PX = 26
KPI_VALUE_PX = 64
KPI_LABEL_PX = 24
CHART_FONT_PX = 20
#: values longer than this (say 1,234,567 人次) get a smaller size so a row of five still fits
LONG_VALUE = 9


def theme_style(theme: str) -> Theme:
    return THEME_STYLES.get(theme, THEME_STYLES[DEFAULT_THEME])


def page_css(theme: str) -> str:
    """Full screen within the browser: no sidebar, header, toolbar or menus; the theme's colours."""
    t = theme_style(theme)
    return f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stMainMenu"], [data-testid="stSidebarNav"],
footer {{ display: none !important; }}
/* The show draws no dialog of its own; Streamlit's "page not found" notice, sent to the first session
   of a freshly started server that opens a page by its URL, would otherwise cover the wall. */
[data-testid="stDialog"] {{ display: none !important; }}
[data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  background: {t.background} !important; color: {t.text};
}}
[data-testid="stMainBlockContainer"], .block-container {{
  padding: 14px 36px 96px 36px !important; max-width: 100% !important;
}}
[data-testid="stMain"] {{ color: {t.text}; }}
[data-testid="stMain"] [data-testid="stCaptionContainer"] {{ font-size: 20px; color: {t.muted}; }}
[data-testid="stAlert"] p {{ font-size: 26px !important; }}
.lg-show-head {{ display: flex; justify-content: space-between; align-items: flex-end; gap: 32px;
  border-bottom: 2px solid {t.panel_border}; padding-bottom: 10px; margin-bottom: 6px; }}
.lg-show-title {{ font-size: {TITLE_PX}px; font-weight: 700; line-height: 1.2; color: {t.text}; }}
.lg-show-scope {{ font-size: {SCOPE_PX}px; color: {t.accent}; margin-top: 6px; line-height: 1.3; }}
.lg-show-meta {{ text-align: right; font-size: {SCOPE_PX}px; color: {t.muted}; white-space: nowrap;
  line-height: 1.35; }}
.lg-show-meta b {{ color: {t.text}; font-size: 30px; }}
.lg-show-kpis {{ display: flex; gap: 18px; margin: 6px 0 10px 0; }}
.lg-show-kpi {{ flex: 1 1 0; background: {t.panel}; border: 1px solid {t.panel_border}; border-radius: 10px;
  padding: 12px 18px; min-width: 0; container-type: inline-size; }}
.lg-show-kpi-label {{ font-size: {KPI_LABEL_PX}px; color: {t.muted}; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.lg-show-kpi-value {{ font-size: min({KPI_VALUE_PX}px, calc(100cqi / var(--em, 4))); font-weight: 700;
  color: {t.accent}; line-height: 1.15;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-variant-numeric: tabular-nums; }}
.lg-show-kpi-value.long {{ font-size: min({KPI_VALUE_PX * 3 // 4}px, calc(100cqi / var(--em, 4)));
  line-height: 1.53; }}
.lg-show-kpi-note {{ font-size: 20px; color: {t.muted}; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.lg-show-kpis.stacked {{ flex-direction: column; }}
.lg-show-chart-title {{ font-size: 28px; font-weight: 600; color: {t.text}; margin: 4px 0 0 4px; }}
.lg-show-sr {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }}
.lg-show-legend {{ background: {t.panel}; border: 1px solid {t.panel_border}; border-radius: 10px;
  padding: 14px 18px; }}
.lg-show-legend-title {{ font-size: 26px; font-weight: 600; color: {t.text}; }}
.lg-show-legend-bar {{ height: 26px; border-radius: 5px; margin-top: 10px; }}
.lg-show-legend-ticks {{ display: flex; justify-content: space-between; font-size: 20px; color: {t.muted};
  margin-top: 4px; }}
.lg-show-bul {{ width: 100%; border-collapse: collapse; font-size: 24px; color: {t.text};
  font-variant-numeric: tabular-nums; }}
.lg-show-bul.compact {{ font-size: 19px; }}
.lg-show-bul th, .lg-show-bul td {{ border: none !important; }}
.lg-show-bul th {{ text-align: left; font-weight: 600; color: {t.muted};
  border-bottom: 2px solid {t.panel_border} !important; padding: 6px 12px; white-space: nowrap; }}
.lg-show-bul td {{ padding: 6px 12px; border-bottom: 1px solid {t.grid} !important; white-space: nowrap; }}
.lg-show-bul.compact td, .lg-show-bul.compact th {{ padding: 3px 10px; }}
.lg-show-bul td.n, .lg-show-bul th.n {{ text-align: right; }}
.lg-show-bul td.up {{ color: #2fb86b; font-weight: 700; }}
.lg-show-bul td.down {{ color: #ff5c5c; font-weight: 700; }}
.lg-show-bul td.muted {{ color: {t.muted}; }}
.lg-show-bul tr.unranked td {{ color: {t.muted}; }}
.lg-show-badge {{ display: inline-block; font-size: 0.7em; font-weight: 700; border-radius: 4px; padding: 1px 7px;
  margin-left: 10px; vertical-align: middle; }}
.lg-show-badge.red {{ background: #c62828; color: #fff; }}
.lg-show-badge.black {{ background: #111; color: #fff; border: 1px solid #888; }}
.lg-show-list {{ background: {t.panel}; border: 1px solid {t.panel_border}; border-radius: 10px;
  padding: 12px 18px; margin-bottom: 14px; }}
.lg-show-list-title {{ font-size: 26px; font-weight: 700; color: {t.text}; margin-bottom: 6px; }}
.lg-show-list.red .lg-show-list-title {{ color: {"#ff6b6b" if t.name == "dark" else "#c62828"}; }}
.lg-show-bul tr.own td {{ background: {t.panel}; font-weight: 700; }}
.lg-show-bul tr.own td:first-child {{ box-shadow: inset 5px 0 0 {t.accent}; }}
.lg-show-list ul {{ margin: 0; padding-left: 26px; }}
.lg-show-list li {{ font-size: 22px; line-height: 1.45; color: {t.text}; }}
.lg-show-list .lg-show-list-empty {{ font-size: 22px; color: {t.muted}; }}
.lg-show-list-note {{ font-size: 18px; color: {t.muted}; margin-top: 6px; }}
.lg-show-followups {{ font-size: 22px; }}
.lg-show-followups td {{ vertical-align: top; }}
.lg-show-bul td.wrap {{ white-space: normal; line-height: 1.3; }}
.lg-show-bul tr.overdue td.status {{ color: #ff5c5c; font-weight: 700; }}
.lg-show-bul tr.overdue td:first-child {{ box-shadow: inset 5px 0 0 #ff5c5c; }}
.lg-show-legend-note {{ font-size: 19px; color: {t.muted}; margin-top: 8px; }}
.st-key-show-controls {{ position: fixed; left: 0; right: 0; bottom: 0; z-index: 999990;
  background: {t.panel}; border-top: 2px solid {t.panel_border}; padding: 10px 36px;
  backdrop-filter: blur(6px); }}
.st-key-show-controls button {{ font-size: 22px !important; min-height: 52px; padding: 4px 22px;
  background: transparent !important; border: 1px solid {t.panel_border} !important; }}
.st-key-show-controls button:hover {{ border-color: {t.accent} !important; }}
.st-key-show-controls button p, .st-key-show-controls button span {{ font-size: 22px !important;
  color: {t.text} !important; }}
.st-key-show-controls button kbd, .st-key-show-controls button [data-testid="stButtonShortcut"] {{
  color: {t.muted} !important; }}
.lg-show-status {{ font-size: 24px; color: {t.text}; white-space: nowrap; }}
.lg-show-status .muted {{ color: {t.muted}; font-size: 20px; margin-left: 18px; }}
.lg-show-progress {{ height: 6px; background: {t.grid}; border-radius: 3px; margin-top: 6px; overflow: hidden; }}
.lg-show-progress > div {{ height: 100%; background: {t.accent}; }}
/* a tablet (1366 landscape, 1024 portrait): smaller type and padding, the bar's buttons show their icons */
@media (max-width: 1400px) {{
  [data-testid="stMainBlockContainer"], .block-container {{ padding: 12px 20px 96px 20px !important; }}
  .lg-show-title {{ font-size: {TITLE_PX * 3 // 4}px; }}
  .lg-show-scope, .lg-show-meta {{ font-size: 20px; }}
  .lg-show-kpi {{ padding: 10px 12px; }}
  .lg-show-kpi-label {{ font-size: 20px; }}
  .st-key-show-controls {{ padding: 8px 16px; }}
  .st-key-show-controls button {{ padding: 4px 10px; }}
  .st-key-show-controls button kbd {{ display: none; }}
  .lg-show-status .muted {{ display: none; }}
}}
@media (max-width: 1100px) {{
  .st-key-show-controls button p {{ display: none; }}
}}
</style>"""

#: The show on a touch screen: a tap on the left half goes back a slide, on the right half forward; a
#: swipe to the left goes forward, to the right back. It presses the bar's own buttons, so the touch,
#: the keys (←, →) and a click do the same thing. Installed once per browser tab; it does nothing once
#: the show (its control bar) is gone, and leaves buttons, fields and the bar itself alone.
TOUCH_SCRIPT = """<script>
(() => {
  if (window.lgShowTouch) return;
  window.lgShowTouch = true;
  const SWIPE_PX = 60, TAP_PX = 12, TAP_MS = 600;
  let start = null;
  const ignored = (target) => target.closest && target.closest(
    "button, a, input, select, textarea, [role=button], .st-key-show-controls");
  document.addEventListener("touchstart", (event) => {
    start = null;
    if (event.touches.length !== 1 || !document.querySelector(".st-key-show-controls") || ignored(event.target)) return;
    const touch = event.touches[0];
    start = {x: touch.clientX, y: touch.clientY, at: Date.now()};
  }, {passive: true, capture: true});
  document.addEventListener("touchend", (event) => {
    if (!start) return;
    const touch = event.changedTouches[0];
    const dx = touch.clientX - start.x, dy = touch.clientY - start.y, quick = Date.now() - start.at < TAP_MS;
    start = null;
    let step = 0;
    if (Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > 1.5 * Math.abs(dy)) step = dx < 0 ? 1 : -1;
    else if (quick && Math.abs(dx) < TAP_PX && Math.abs(dy) < TAP_PX)
      step = touch.clientX < window.innerWidth / 2 ? -1 : 1;
    const button = step && document.querySelector(step > 0 ? ".st-key-show_next button" : ".st-key-show_prev button");
    if (button) button.click();
  }, {passive: true, capture: true});
})();
</script>"""


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def header_html(title: str, scope_line: str, as_of: str, counter: str) -> str:
    """The slide's title and scope on the left, as-of date and slide n/N on the right."""
    return (
        '<div class="lg-show-head"><div>'
        f'<div class="lg-show-title">{_esc(title)}</div>'
        f'<div class="lg-show-scope" data-testid="lg-show-scope">{_esc(scope_line)}</div></div>'
        f'<div class="lg-show-meta"><div>{_esc(as_of)}</div><div><b>{_esc(counter)}</b></div></div></div>'
    )


def value_ems(value: str) -> float:
    """About how wide a KPI value is in its own font size (bold Noto Sans): a Chinese character one em,
    a digit or Latin letter 0.6, punctuation 0.35. The tile's CSS sizes the value to fit its width
    (``100cqi / --em``): 40,856 on a tablet's tile shrinks instead of reading "40…"."""
    narrow = set(".,:;'!|ilI ")
    ems = sum(1.0 if ord(c) > 0x2E80 else 0.35 if c in narrow else 0.85 if c in "%MWmw" else 0.6 for c in value)
    return round(max(ems, 1.0) * 1.04, 2)  # a little room, so the ellipsis never shows


def kpis_html(items: list[tuple[str, str] | tuple[str, str, str]], stacked: bool = False) -> str:
    """A row (or column) of big figures: (label, value) or (label, value, note)."""
    tiles = []
    for item in items:
        label, value = item[0], item[1]
        note = f'<div class="lg-show-kpi-note">{_esc(item[2])}</div>' if len(item) > 2 and item[2] else ""
        size = " long" if len(str(value)) > LONG_VALUE else ""
        tiles.append(f'<div class="lg-show-kpi"><div class="lg-show-kpi-label">{_esc(label)}</div>'
                     f'<div class="lg-show-kpi-value{size}" style="--em:{value_ems(str(value)):.2f}">'
                     f'{_esc(value)}</div>{note}</div>')
    return f'<div class="lg-show-kpis{" stacked" if stacked else ""}">{"".join(tiles)}</div>'


def chart_title_html(title: str, alternative: str = "") -> str:
    """The chart's title, and its text alternative (the main facts) for screen readers only: on a projector
    the slide is read from the chart, and a caption would take the height the chart needs."""
    hidden = f'<span class="lg-show-sr">{_esc(alternative)}</span>' if alternative else ""
    return f'<div class="lg-show-chart-title">{_esc(title)}{hidden}</div>'


def legend_html(title: str, unit: str, stops: list[tuple[str, str]], notes: list[str]) -> str:
    """A big map legend: the gradient with its tick labels, then notes (all escaped)."""
    gradient = ", ".join(colour for _, colour in stops) or "#9e9e9e, #9e9e9e"
    ticks = "".join(f"<span>{_esc(label)}</span>" for label, _ in stops)
    unit_part = f"（{_esc(unit)}）" if unit else ""
    note_part = "".join(f'<div class="lg-show-legend-note">{_esc(n)}</div>' for n in notes if n)
    return (f'<div class="lg-show-legend"><div class="lg-show-legend-title">{_esc(title)}{unit_part}</div>'
            f'<div class="lg-show-legend-bar" style="background:linear-gradient(to right, {gradient})"></div>'
            f'<div class="lg-show-legend-ticks">{ticks}</div>{note_part}</div>')


def status_html(counter: str, status: str, keys: str, fraction: float) -> str:
    """The control bar's text: slide n/N, the countdown (or paused), the keys, a progress line."""
    width = f"{max(0.0, min(1.0, fraction)) * 100:.1f}%"
    return (f'<div class="lg-show-status">{_esc(counter)}　{_esc(status)}<span class="muted">{_esc(keys)}</span></div>'
            f'<div class="lg-show-progress"><div style="width:{width}"></div></div>')


def big_screen(fig: go.Figure, theme: str, height: int) -> go.Figure:
    """A builder's figure restyled for the wall: the theme's template, transparent ground, large type."""
    t = theme_style(theme)
    fig.update_layout(
        template=t.plotly_template,
        height=height,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": FONT, "size": CHART_FONT_PX, "color": t.text},
        margin={"l": 10, "r": 20, "t": 50, "b": 10},
        legend={"font": {"size": CHART_FONT_PX}, "orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"size": CHART_FONT_PX}},
    )
    fig.update_xaxes(gridcolor=t.grid, zerolinecolor=t.grid, tickfont={"size": CHART_FONT_PX - 2},
                     title_font={"size": CHART_FONT_PX})
    fig.update_yaxes(gridcolor=t.grid, zerolinecolor=t.grid, tickfont={"size": CHART_FONT_PX - 2},
                     title_font={"size": CHART_FONT_PX})
    fig.update_traces(textfont={"size": CHART_FONT_PX}, selector={"type": "bar"})
    fig.update_traces(textfont={"size": CHART_FONT_PX + 2}, connector={"fillcolor": t.grid},
                      selector={"type": "funnel"})
    fig.update_traces(line={"width": 4}, selector={"type": "scatter", "mode": "lines"})
    fig.update_traces(line={"width": 4}, marker={"size": 9}, selector={"type": "scatter", "mode": "lines+markers"})
    return fig


# --- the bulletin panel (月度通报) ---------------------------------------------------------------------------

#: more rows than this (a street's communities) get the compact table so all fit above the control bar
COMPACT_ROWS = 12


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def bulletin_table_html(table: pd.DataFrame, lang: str = "zh", red_codes=(), black_codes=(),
                        min_requests: int = 20, highlight: str | None = None) -> str:
    """The bulletin's ranking for the wall: rank, unit, received, composite, rank change (↑ green,
    ↓ red), streaks or why a unit is not ranked, and a 红榜 / 黑榜 badge; the ``highlight`` unit's row
    (a community slide's own community) stands out. ``table`` is a bulletin's ranked table
    (data_access.bulletin.ranked_table plus rank_change and streaks); all text escaped."""
    from components.bulletin_report import rank_change_label, streak_label

    red_codes, black_codes = set(red_codes), set(black_codes)
    columns = [("rank", "n"), ("name", ""), ("received", "n"), ("composite", "n"), ("rank_change", "n"),
               ("streak", "")]
    head = "".join(f'<th class="{cls}">{_esc(text(f"bulletin.col.{c}", lang))}</th>' for c, cls in columns)
    rows = []
    for row in table.to_dict("records"):
        ranked = bool(row.get("ranked"))
        name = row.get("name")
        if lang == "en" and not _missing(row.get("name_en")):
            name = row["name_en"]
        badges = "".join(f'<span class="lg-show-badge {kind}">{_esc(text(f"show.bulletin.badge.{kind}", lang))}</span>'
                         for kind, codes in (("red", red_codes), ("black", black_codes)) if row.get("code") in codes)
        change = rank_change_label(row.get("rank_change"), lang, ranked)
        change_cls = "n up" if change.startswith("↑") else "n down" if change.startswith("↓") else "n muted"
        if ranked:
            note = streak_label(row, lang)
        else:
            reason = row.get("unranked_reason")
            note = text(f"bulletin.unranked.{reason}", lang, n=min_requests) if isinstance(reason, str) else ""
        rank, received, composite = row.get("rank"), row.get("received"), row.get("composite")
        cells = [
            f'<td class="n">{"—" if _missing(rank) or not ranked else int(rank)}</td>',
            f"<td>{_esc(name)}{badges}</td>",
            f'<td class="n">{"—" if _missing(received) else f"{int(received):,}"}</td>',
            f'<td class="n">{"—" if _missing(composite) else f"{float(composite):.2f}"}</td>',
            f'<td class="{change_cls}">{_esc(change)}</td>',
            f'<td class="muted">{_esc(note)}</td>',
        ]
        classes = " ".join(c for c, on in (("unranked", not ranked), ("own", row.get("code") == highlight)) if on)
        opening = f'<tr class="{classes}">' if classes else "<tr>"
        rows.append(f'{opening}{"".join(cells)}</tr>')
    compact = " compact" if len(rows) > COMPACT_ROWS else ""
    return (f'<table class="lg-show-bul{compact}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def bulletin_lists_html(red_title: str, red_lines: list[str], red_empty: str, black_title: str,
                        black_lines: list[str], black_empty: str, notes: list[str] = ()) -> str:
    """The red and black lists as two big boxes, then small notes (the cut-off, the comparison); escaped."""
    def box(kind: str, title: str, lines: list[str], empty: str) -> str:
        body = (f'<ul>{"".join(f"<li>{_esc(line)}</li>" for line in lines)}</ul>' if lines
                else f'<div class="lg-show-list-empty">{_esc(empty)}</div>')
        return f'<div class="lg-show-list {kind}"><div class="lg-show-list-title">{_esc(title)}</div>{body}</div>'

    note = "".join(f'<div class="lg-show-list-note">{_esc(n)}</div>' for n in notes if n)
    return box("red", red_title, red_lines, red_empty) + box("black", black_title, black_lines, black_empty) + note


# --- the follow-up panel (督办事项) ---------------------------------------------------------------------------

#: rows of the 督办 list on one slide (two lines each at most, above the control bar at 1080 px)
FOLLOWUP_ROWS = 8


def followups_table_html(table: pd.DataFrame, overdue: list[bool]) -> str:
    """A meeting's 督办 list for the wall (``components.alert_tables.meeting_table``): an overdue item's row
    is marked and its status in red; the task and the latest note wrap. All text escaped."""
    wrapped = {1, 5}  # task, latest note
    head = "".join(f'<th>{_esc(c)}</th>' for c in table.columns)
    rows = []
    for late, values in zip(overdue, table.itertuples(index=False, name=None), strict=True):
        cells = []
        for j, value in enumerate(values):
            classes = " ".join(c for c, on in (("wrap", j in wrapped), ("status", j == 4), ("muted", j == 0)) if on)
            cells.append(f'<td class="{classes}">{_esc(value)}</td>' if classes else f"<td>{_esc(value)}</td>")
        opening = '<tr class="overdue">' if late else "<tr>"
        rows.append(f'{opening}{"".join(cells)}</tr>')
    return (f'<table class="lg-show-bul lg-show-followups"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')
