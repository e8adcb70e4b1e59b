"""The app's one layout stylesheet for phones and tablets, and the phone hint the maps use.

Streamlit stacks every ``st.columns`` row one column per line below 640 px, so the overview's
fourteen headline tiles filled five phone screens before the first chart. One style block,
drawn once per run from app.py, lets rows of tiles wrap instead (two to a row on a phone, as
many as fit on a tablet), keeps chart and tile text legible and stops anything from widening
the page; tables scroll inside their own box (``components.tables``).

A map is fitted on the server (pydeck has no "fit to the canvas" in its JSON), so it needs the
width it will be drawn at. The page's own width comes from the browser: a tiny component
(:func:`track_width`, Streamlit's components v2, no iframe) measures the main column and reports it
when it is narrow (below :data:`NARROW_PX`), so a desktop window narrowed to a phone's width gets a
phone's map too; a wide page reports nothing and costs no rerun. Before the first report the
User-Agent is the hint (:func:`is_phone`: phones say "Mobi", tablets do not, as MDN recommends).
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components_v2

#: Tiles are at least this wide before a row wraps: two to a row on a 360-390 px phone, four on
#: a portrait tablet, a desktop row of seven on one line.
TILE_MIN_WIDTH = "9.5rem"
#: the smallest text the layout allows on any screen (CSS px), checked by the browser tests
MIN_TEXT_PX = 11

#: the session-state key of the page width the browser reported (:func:`track_width`)
WIDTH_KEY = "lg-page-width"
#: a main column narrower than this (CSS px) gets maps fitted to its width; wider ones the page's own size
NARROW_PX = 700

#: Streamlit draws captions at 0.6 opacity: 3.9:1 on white, below WCAG AA; at this they are 5.4:1 or more
CAPTION_OPACITY = 0.72
#: the small tables' header text, as a share of the theme's text colour
HEADER_INK_PERCENT = 78

_TILE_ROW = ('[data-testid="stHorizontalBlock"]:has([data-testid="stMetric"])'
             ':not(:has([data-testid="stHorizontalBlock"]))')

_CHART_ROW = '[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stPlotlyChart"])'

LAYOUT_CSS = f"""<style>
/* rows of headline tiles wrap instead of stacking one per line (Streamlit's rule below 640 px) */
{_TILE_ROW} {{ flex-wrap: wrap; }}
{_TILE_ROW} > [data-testid="stColumn"] {{
  min-width: min({TILE_MIN_WIDTH}, calc(50% - 1rem)); flex: 1 1 calc(14% - 1rem); }}
{_TILE_ROW} > [data-testid="stColumn"]:empty {{ display: none; }}
.st-key-{WIDTH_KEY} {{ display: none; }}
[data-testid="stMetricLabel"] {{ min-height: 0; }}
/* text at WCAG AA on both themes (tests/test_palettes.py): captions a little less faint than Streamlit's
   0.6, the small tables' headers (components/tables.py) in the theme's own text colour, the open tab's
   name in the text colour too (its primary-coloured underline marks it; the dark red is 3.9:1 as text) */
[data-testid="stCaptionContainer"] {{ opacity: {CAPTION_OPACITY}; }}
table.lg-small th {{ color: color-mix(in srgb, currentColor {HEADER_INK_PERCENT}%, transparent) !important; }}
[data-testid="stTabs"] [role="tab"][aria-selected="true"] {{ color: inherit; }}
/* nothing widens the page: wide content scrolls inside its own box */
[data-testid="stMainBlockContainer"] {{ max-width: 100%; }}
[data-testid="stElementContainer"], [data-testid="stMarkdownContainer"] {{ max-width: 100%; }}
[data-testid="stMarkdownContainer"] pre, [data-testid="stCode"] {{ overflow-x: auto; }}
[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"] {{ max-width: 100%; overflow: hidden; }}
[data-testid="stDeckGlJsonChart"] {{ touch-action: none; }}
/* the map's measure box and layer toggles: a toggle keeps its whole label, the row wraps instead */
.st-key-map-controls [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; row-gap: 0.5rem; }}
.st-key-map-controls [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
  flex: 1 1 auto; width: auto; min-width: max-content; }}
.st-key-map-controls [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:first-child {{
  flex: 3 1 14rem; min-width: min(14rem, 100%); }}
@media (max-width: 640px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 3.5rem 0.75rem 4rem; }}
  h1 {{ font-size: 1.75rem !important; padding-top: 0.5rem !important; }}
  h2 {{ font-size: 1.4rem !important; }}
  h3 {{ font-size: 1.2rem !important; }}
  {_TILE_ROW} {{ gap: 0.5rem; }}
  {_TILE_ROW} > [data-testid="stColumn"] {{ min-width: calc(50% - 0.25rem); flex: 1 1 calc(50% - 0.25rem); }}
  /* a tile's padding is on the metric and on its inner box: tight on a phone, so figures keep their room */
  [data-testid="stMetric"] {{ padding: 0 !important; }}
  [data-testid="stMetric"] > div {{ padding: 0.45rem 0.55rem !important; }}
  [data-testid="stMetricValue"] {{ font-size: 1.45rem; }}
  [data-testid="stMetricLabel"] p {{ font-size: 0.8rem; }}
  [data-testid="stMetricDelta"] {{ font-size: 0.75rem; }}
  [data-testid="stTabs"] [role="tablist"] {{ overflow-x: auto; }}
}}
@media (max-width: 640px), (hover: none) {{
  /* plotly's tool bar would sit on the legend (a tablet shows it all the time, having no hover); a phone
     or tablet pans and zooms with its fingers */
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none !important; }}
}}
@media (min-width: 480px) and (max-width: 640px) {{
  /* a wide phone (or one turned sideways): three tiles to a row */
  {_TILE_ROW} > [data-testid="stColumn"] {{ min-width: calc(33.3% - 0.34rem); flex: 1 1 calc(33.3% - 0.34rem); }}
}}
@media (max-width: 1100px) {{
  /* charts side by side get half a portrait tablet each (their axes crowd): one under the other */
  {_CHART_ROW} {{ flex-wrap: wrap; }}
  {_CHART_ROW} > [data-testid="stColumn"] {{ min-width: 100%; }}
  /* the map page: the figures panel under the map, so a portrait tablet shows the whole district */
  .st-key-map-row [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; }}
  .st-key-map-row [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{ min-width: 100%; }}
}}
@media (max-width: 1100px) {{
  /* a long figure ("100.0%（10/10）") or name wraps in its tile instead of ending in "…" */
  [data-testid="stMetricValue"] p, [data-testid="stMetricLabel"] p {{ white-space: normal; overflow-wrap: anywhere; }}
}}
@media (min-width: 641px) and (max-width: 1100px) {{
  [data-testid="stMainBlockContainer"] {{ padding-left: 1.5rem; padding-right: 1.5rem; }}
  [data-testid="stMetricValue"] {{ font-size: 1.8rem; }}
}}
</style>"""


#: Measures the main column (the page less its padding) and reports it, to 10 px, while it is narrower
#: than NARROW_PX; 0 once it is wide again. It reports only what differs from the width the server
#: already fits to (``data.known``), so a page the server guessed right is not run twice.
WIDTH_JS = """
export default function({ data, setStateValue }) {
  const NARROW = __NARROW__, known = data && typeof data.known === "number" ? data.known : -1;
  const measure = () => {
    const box = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!box) return;
    const style = getComputedStyle(box);
    const width = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const reported = width < NARROW ? Math.floor(width / 10) * 10 : 0;
    if (reported === 0 ? known > 0 : Math.abs(reported - known) >= 20) setStateValue("width", reported);
  };
  let timer = null;
  const later = () => { clearTimeout(timer); timer = setTimeout(measure, 250); };
  measure();
  window.addEventListener("resize", later);
  return () => { clearTimeout(timer); window.removeEventListener("resize", later); };
}
""".replace("__NARROW__", str(NARROW_PX))

_width_component = components_v2.component("longgang_page_width", js=WIDTH_JS)


def inject_layout_css() -> None:
    """Draw the layout stylesheet (a style-only ``st.html`` takes no space on the page) and the page
    width tracker (hidden by the stylesheet)."""
    st.html(LAYOUT_CSS)
    track_width()


def track_width() -> None:
    """Mount the width tracker; the browser's report lands in ``st.session_state[WIDTH_KEY]``."""
    known = reported_width()
    if known is None:
        known = PHONE_MAP[0] if is_phone() else -1  # -1: nothing known, a narrow page reports
    _width_component(key=WIDTH_KEY, data={"known": known}, on_width_change=lambda: None)


def reported_width() -> int | None:
    """The main column's width the browser reported: px when narrow, 0 when wide, None before any report."""
    state = st.session_state.get(WIDTH_KEY)
    width = state.get("width") if hasattr(state, "get") else None
    return int(width) if isinstance(width, int | float) else None


def narrow_width() -> int | None:
    """The width a map is fitted to when the page is narrow (reported, or a phone's), else None."""
    width = reported_width()
    if width is not None:
        return width or None
    return PHONE_MAP[0] if is_phone() else None


def is_phone() -> bool:
    """Whether the browser says it is a phone ("Mobi" in its User-Agent); False when unknown (tests, bots)."""
    try:
        agent = st.context.headers.get("User-Agent", "") or ""
    except Exception:  # no request behind this run (AppTest)
        return False
    return "Mobi" in agent


#: A map on a phone: fitted to a 360 px wide canvas (the narrowest common phone, 390 px less the
#: page's margins is 366), a little taller than wide so the district's shape fills it.
PHONE_MAP = (360, 420)
#: street and community labels on a phone map, in px: at the floor, so nine of the eleven street names fit
PHONE_LABEL_PX = 12


def map_canvas(width: int, height: int) -> tuple[int, int]:
    """The canvas a page's map is fitted to: its desktop size, or on a narrow page (a phone, a narrowed
    window) the page's width and a height a little more than that (the district's shape fills it)."""
    narrow = narrow_width()
    if narrow is None:
        return width, height
    if narrow == PHONE_MAP[0]:
        return PHONE_MAP
    return narrow, max(280, min(520, round(narrow * PHONE_MAP[1] / PHONE_MAP[0])))


def map_label_px(size: int) -> int:
    """A map label's size: the page's, or the smaller :data:`PHONE_LABEL_PX` on a narrow page."""
    return min(size, PHONE_LABEL_PX) if narrow_width() is not None else size
