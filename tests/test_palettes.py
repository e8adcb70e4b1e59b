"""The app's colours stay apart for readers with the common colour-vision deficiencies (#27), and its text
meets WCAG AA contrast: the app's light and dark themes (.streamlit/config.toml) with the layout
stylesheet's captions and table headers, the tiles' red and green changes, the map legend, the project
board, and the show's two themes.

Deuteranopia and protanopia are simulated with ``colorspacious`` (Machado, Oliveira and Fernandes
2009, at full severity); distances are ΔE in CAM02-UCS, where about 1 is a just-noticeable
difference. Ordered scales (the map's classes, star levels, satisfaction scores, project stages)
are checked step by step, sets whose colours mean different things (red/amber/green, the bulletin's
red list, black list and the rest, chart series) pair by pair.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from colorspacious import cspace_convert, deltaE

from components import charts, maps, project_charts, request_charts, responsive, scorecard_charts, show_charts

#: the smallest distance two neighbouring classes (or two different meanings) may have, in CAM02-UCS ΔE
MIN_DELTA_E = 10.0
DEFICIENCIES = (None, "deuteranomaly", "protanomaly")  # at severity 100: deuteranopia, protanopia

P = charts.PALETTE
ORDERED = {
    "map sequential": maps.SEQUENTIAL,
    "map diverging": maps.DIVERGING,
    "map hotspots": maps.HOTSPOT_COLOURS,
    "property stars": list(scorecard_charts.STAR_COLORS.values()),
    "satisfaction scores": list(request_charts.SCORE_COLOURS.values()),
    "project stages": list(project_charts.STAGE_COLORS.values()),
}
DISTINCT = {
    "red / amber / green": [P["bad"], P["warn"], P["done"]],
    "bulletin red list / others / black list": [P["done"], P["muted"], P["bad"]],
    "chart series": charts.SERIES,
}


def _rgb(colour: str) -> np.ndarray:
    colour = colour.lstrip("#")
    return np.array([int(colour[i:i + 2], 16) for i in (0, 2, 4)]) / 255


def seen_as(colour: str, deficiency: str | None) -> np.ndarray:
    """The colour as a reader with the deficiency sees it (sRGB in 0–1)."""
    if deficiency is None:
        return _rgb(colour)
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(cspace_convert(_rgb(colour), space, "sRGB1"), 0, 1)


def distance(a: str, b: str, deficiency: str | None) -> float:
    return float(deltaE(seen_as(a, deficiency), seen_as(b, deficiency), input_space="sRGB1",
                        uniform_space="CAM02-UCS"))


@pytest.mark.parametrize("deficiency", DEFICIENCIES, ids=["normal", "deuteranopia", "protanopia"])
@pytest.mark.parametrize("name", list(ORDERED))
def test_neighbouring_classes_of_an_ordered_scale_stay_apart(name, deficiency):
    colours = ORDERED[name]
    steps = {f"{a}→{b}": round(distance(a, b, deficiency), 1) for a, b in itertools.pairwise(colours)}
    assert min(steps.values()) >= MIN_DELTA_E, steps


@pytest.mark.parametrize("deficiency", DEFICIENCIES, ids=["normal", "deuteranopia", "protanopia"])
@pytest.mark.parametrize("name", list(DISTINCT))
def test_colours_that_mean_different_things_stay_apart(name, deficiency):
    colours = DISTINCT[name]
    pairs = {f"{a}/{b}": round(distance(a, b, deficiency), 1) for a, b in itertools.combinations(colours, 2)}
    assert min(pairs.values()) >= MIN_DELTA_E, pairs


def test_the_simulation_is_the_real_one():
    # red and green, told apart by hue alone, come close for both deficiencies; blue and orange do not
    assert distance("#ff0000", "#00aa00", None) > 40
    assert distance("#d62728", "#2ca02c", "deuteranomaly") < distance("#d62728", "#2ca02c", None) / 2
    assert distance("#1f77b4", "#ff7f0e", "protanomaly") > 30


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""
    def luminance(colour: str) -> float:
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(colour)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("theme", show_charts.THEMES)
def test_the_shows_text_meets_wcag_aa_on_its_grounds(theme):
    style = show_charts.theme_style(theme)
    # the dark theme's ground is a gradient: its lightest stop is the hardest case
    grounds = ["#0d2a52", "#061327"] if theme == "dark" else [style.background, style.panel]
    assert theme == "light" or all(ground in style.background for ground in grounds)
    for ground in grounds:
        assert contrast(style.text, ground) >= 4.5, (style.text, ground)
        assert contrast(style.muted, ground) >= 4.5, (style.muted, ground)
        assert contrast(style.accent, ground) >= 3.0, (style.accent, ground)  # large figures: 3:1


# --- the app's themes -------------------------------------------------------------------------------------

THEMES = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())["theme"]
#: the theme's text colours that Streamlit draws on its grounds: body text, and the red/amber/green of the
#: tiles' changes (st.metric's deltas), of status text and of :red[…] markdown (the bulletin's black list)
THEME_TEXT = ("textColor", "redTextColor", "orangeTextColor", "greenTextColor", "blueTextColor", "grayTextColor")
AA = 4.5  # text below 24 px (every text the tables, captions and tiles' labels and changes use)


def blend(foreground: str, background: str, alpha: float) -> str:
    """An opaque colour: ``foreground`` at ``alpha`` over ``background``."""
    mixed = _rgb(foreground) * alpha + _rgb(background) * (1 - alpha)
    return "#" + "".join(f"{round(c * 255):02x}" for c in mixed)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_themes_text_meets_wcag_aa_on_both_grounds(theme):
    colours = THEMES[theme]
    ratios = {f"{name} on {ground}": round(contrast(colours[name], colours[ground]), 2)
              for name in THEME_TEXT for ground in ("backgroundColor", "secondaryBackgroundColor")}
    assert min(ratios.values()) >= AA, ratios


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_stylesheets_faded_text_meets_wcag_aa(theme):
    colours, css = THEMES[theme], responsive.LAYOUT_CSS
    assert f"opacity: {responsive.CAPTION_OPACITY};" in css
    assert f"currentColor {responsive.HEADER_INK_PERCENT}%, transparent" in css
    for ground in (colours["backgroundColor"], colours["secondaryBackgroundColor"]):
        caption = blend(colours["textColor"], ground, responsive.CAPTION_OPACITY)
        header = blend(colours["textColor"], ground, responsive.HEADER_INK_PERCENT / 100)
        assert contrast(caption, ground) >= AA and contrast(header, ground) >= AA, (caption, header, ground)
    # Streamlit's own 0.6 would not do on white: the reason for the override
    assert contrast(blend(THEMES["light"]["textColor"], "#ffffff", 0.6), "#ffffff") < AA


def test_the_light_cards_name_their_own_text_colours_at_wcag_aa():
    legend = maps.legend_html(maps.legend_for(maps.colour_scale(maps.DEFAULT_MEASURE, pd.Series([1.0, 2.0]))))
    board = project_charts.board_column_html(_board_cards(), "实施", 3)
    assert f"background:{maps.LEGEND_GROUND};color:{maps.LEGEND_INK}" in legend
    assert f"background:{project_charts.BOARD_GROUND};color:{project_charts.BOARD_INK}" in board
    # no other text colour is left to inherit a dark theme's light text, or hard-coded below AA
    for block in (legend, board):
        for colour in set(re.findall(r"[^-]color:(#[0-9a-fA-F]{6})", block)):
            for ground in ("#ffffff", project_charts.BOARD_GROUND):
                assert contrast(colour, ground) >= AA, (colour, ground)
    assert contrast(charts.PALETTE["bad"], project_charts.CARD_GROUND) >= AA  # the board's "overdue" badge


def _board_cards() -> pd.DataFrame:
    return pd.DataFrame({"code": ["P1"], "title": ["项目"], "community_name": ["社区"], "lead_unit": ["街道办"],
                         "progress_pct": [50.0], "days_in_stage": [3], "days_overdue": [2]})
