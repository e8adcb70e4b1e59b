"""The app's one layout stylesheet for phones and tablets, and the phone hint the maps use.

Streamlit stacks every ``st.columns`` row one column per line below 640 px, so the overview's
fourteen headline tiles filled five phone screens before the first chart. One style block,
drawn once per run from app.py, lets rows of tiles wrap instead (two to a row on a phone, as
many as fit on a tablet), keeps chart and tile text legible and stops anything from widening
the page; tables scroll inside their own box (``components.tables``).

A map is fitted on the server (pydeck has no "fit to the canvas" in its JSON), so it needs the
screen's size before the browser draws: :func:`is_phone` reads the browser's User-Agent
(phones say "Mobi", tablets do not), the hint MDN recommends for exactly this.
"""

from __future__ import annotations

import streamlit as st

#: Tiles are at least this wide before a row wraps: two to a row on a 360-390 px phone, four on
#: a portrait tablet, a desktop row of seven on one line.
TILE_MIN_WIDTH = "9.5rem"
#: the smallest text the layout allows on any screen (CSS px), checked by the browser tests
MIN_TEXT_PX = 11

_TILE_ROW = ('[data-testid="stHorizontalBlock"]:has([data-testid="stMetric"])'
             ':not(:has([data-testid="stHorizontalBlock"]))')

LAYOUT_CSS = f"""<style>
/* rows of headline tiles wrap instead of stacking one per line (Streamlit's rule below 640 px) */
{_TILE_ROW} {{ flex-wrap: wrap; }}
{_TILE_ROW} > [data-testid="stColumn"] {{
  min-width: min({TILE_MIN_WIDTH}, calc(50% - 1rem)); flex: 1 1 calc(14% - 1rem); }}
{_TILE_ROW} > [data-testid="stColumn"]:empty {{ display: none; }}
[data-testid="stMetricLabel"] {{ min-height: 0; }}
/* nothing widens the page: wide content scrolls inside its own box */
[data-testid="stMainBlockContainer"] {{ max-width: 100%; }}
[data-testid="stElementContainer"], [data-testid="stMarkdownContainer"] {{ max-width: 100%; }}
[data-testid="stMarkdownContainer"] pre, [data-testid="stCode"] {{ overflow-x: auto; }}
[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"] {{ max-width: 100%; overflow: hidden; }}
[data-testid="stDeckGlJsonChart"] {{ touch-action: none; }}
@media (max-width: 640px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 3.5rem 0.75rem 4rem; }}
  h1 {{ font-size: 1.75rem !important; padding-top: 0.5rem !important; }}
  h2 {{ font-size: 1.4rem !important; }}
  h3 {{ font-size: 1.2rem !important; }}
  {_TILE_ROW} {{ gap: 0.5rem; }}
  {_TILE_ROW} > [data-testid="stColumn"] {{ min-width: calc(50% - 0.25rem); flex: 1 1 calc(50% - 0.25rem); }}
  [data-testid="stMetric"] {{ padding: 0.5rem 0.6rem !important; }}
  [data-testid="stMetricValue"] {{ font-size: 1.45rem; }}
  [data-testid="stMetricLabel"] p {{ font-size: 0.8rem; }}
  [data-testid="stMetricDelta"] {{ font-size: 0.75rem; }}
  [data-testid="stTabs"] [role="tablist"] {{ overflow-x: auto; }}
  /* plotly's tool bar would sit on the legend; a phone pans and zooms with its fingers */
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none !important; }}
}}
@media (max-width: 1100px) {{
  /* the map page: the figures panel under the map, so a portrait tablet shows the whole district */
  .st-key-map-row [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; }}
  .st-key-map-row [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{ min-width: 100%; }}
}}
@media (min-width: 641px) and (max-width: 1100px) {{
  [data-testid="stMainBlockContainer"] {{ padding-left: 1.5rem; padding-right: 1.5rem; }}
  [data-testid="stMetricValue"] {{ font-size: 1.8rem; }}
}}
</style>"""


def inject_layout_css() -> None:
    """Draw the layout stylesheet (a style-only ``st.html`` takes no space on the page)."""
    st.html(LAYOUT_CSS)


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
    """The canvas a page's map is fitted to: its desktop size, or :data:`PHONE_MAP` on a phone."""
    return PHONE_MAP if is_phone() else (width, height)


def map_label_px(size: int) -> int:
    """A map label's size: the page's, or the smaller :data:`PHONE_LABEL_PX` on a phone."""
    return min(size, PHONE_LABEL_PX) if is_phone() else size
