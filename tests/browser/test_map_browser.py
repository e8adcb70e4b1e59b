"""The community map in a real browser: drawn offline, and a click on a community moves the scope.

Runs against ``streamlit run app.py`` (fixture ``app_server``) in Chromium with every
request to a non-loopback host aborted and counted (fixture ``offline_page``).
"""

from __future__ import annotations

import io
import math
import os
import time
from pathlib import Path

from PIL import Image

from components import maps
from data_access import boundaries

BUJI = "440307014"
MAP = '[data-testid="stDeckGlJsonChart"]'
SHOTS = Path(os.environ.get("LONGGANG_SCREENSHOT_DIR", "")) if os.environ.get("LONGGANG_SCREENSHOT_DIR") else None


#: how long deck.gl may take to draw its layers once its canvas is there (software WebGL, a busy machine)
DRAW_TIMEOUT_S = 60


def _wait_for_drawn_map(page) -> None:
    """Until deck.gl has a sized WebGL canvas in the map element and has drawn on it (the map shows more
    than 30 colours: filled cells, outlines, labels), then a moment to finish."""
    page.wait_for_selector(f"{MAP} canvas", state="attached")
    page.wait_for_function(
        """(sel) => [...document.querySelectorAll(sel + ' canvas')].some(c => c.width > 100 && c.height > 100
              && (c.getContext('webgl2') || c.getContext('webgl')))""",
        arg=MAP,
    )
    deadline = time.monotonic() + DRAW_TIMEOUT_S
    while _distinct_colours(page) <= 30:
        assert time.monotonic() < deadline, f"the map drew nothing in {DRAW_TIMEOUT_S} s"
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)


def _pixel_of(lon: float, lat: float, view) -> tuple[float, float]:
    """Offset in CSS pixels from the canvas centre (Web Mercator, 512-px world at zoom 0)."""
    scale = 512 * 2 ** view.zoom / (2 * math.pi)

    def project(lo, la):
        return math.radians(lo) * scale, -math.log(math.tan(math.pi / 4 + math.radians(la) / 2)) * scale

    x, y = project(lon, lat)
    cx, cy = project(view.longitude, view.latitude)
    return x - cx, y - cy


def _shot(page, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def _distinct_colours(page) -> int:
    """How many colours the drawn map shows: a blank or failed canvas has one or two."""
    image = Image.open(io.BytesIO(page.locator(MAP).first.screenshot())).convert("RGB")
    return len(image.resize((200, 120)).getcolors(maxcolors=200 * 120))


def test_map_draws_offline_at_every_scope(app_server, offline_page):
    page = offline_page
    page.goto(f"{app_server}/map")
    _wait_for_drawn_map(page)
    _shot(page, "map_district")
    assert _distinct_colours(page) > 30  # filled streets, outlines and labels, not an empty canvas
    assert page.get_by_text("示意图", exact=False).count() >= 1
    assert page.locator(".lg-map-legend").count() == 1
    page.goto(f"{app_server}/map?street={BUJI}&measure=resolution_rate")
    _wait_for_drawn_map(page)
    _shot(page, "map_street")
    assert "measure=resolution_rate" in page.url
    assert page.external_requests == []


def test_clicking_a_community_moves_the_scope(app_server, offline_page):
    page = offline_page
    page.goto(f"{app_server}/map?street={BUJI}")
    _wait_for_drawn_map(page)

    # the community nearest the centre of the street's view, clicked at its label point (inside its cell)
    shapes = boundaries.load_shapes()
    street = {"type": "FeatureCollection",
              "features": [f for f in shapes.communities["features"] if f["properties"]["street_code"] == BUJI]}
    view = maps.fit_view(maps.collection_bounds(street), 1100, 620)
    points = maps.label_points(street)
    offsets = [_pixel_of(r.lon, r.lat, view) for r in points.itertuples()]
    index = min(range(len(offsets)), key=lambda i: math.hypot(*offsets[i]))
    target = points.iloc[index]
    box = page.locator(f"{MAP} canvas").first.bounding_box()
    x, y = box["x"] + box["width"] / 2 + offsets[index][0], box["y"] + box["height"] / 2 + offsets[index][1]
    page.mouse.move(x, y)
    page.wait_for_timeout(800)
    page.mouse.click(x, y)
    page.wait_for_function(f"() => window.location.search.includes('community={target['code']}')",
                           timeout=90_000)
    _wait_for_drawn_map(page)
    _shot(page, "map_community")
    # the page's scope line now ends with it (龙岗区 › 布吉街道 › <community>)
    page.wait_for_function("(name) => document.body.innerText.includes('› ' + name)", arg=target["name"],
                           timeout=60_000)
    assert page.external_requests == []
