"""The layout stylesheet and the phone hint (components/responsive.py), and the builders' phone forms."""

from types import SimpleNamespace

import pandas as pd
import pytest

from components import charts, responsive

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
ANDROID_PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
IPAD = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15"


def _agent(monkeypatch, agent: str | None, reported: int | None = None) -> None:
    """The browser's User-Agent and the page width it reported (None: no report yet)."""
    headers = {} if agent is None else {"User-Agent": agent}
    state = {} if reported is None else {responsive.WIDTH_KEY: {"width": reported}}
    fake = SimpleNamespace(context=SimpleNamespace(headers=headers), session_state=state)
    monkeypatch.setattr(responsive, "st", fake)


@pytest.mark.parametrize(("agent", "phone"), [(IPHONE, True), (ANDROID_PHONE, True), (ANDROID_TABLET, False),
                                              (IPAD, False), (None, False)])
def test_a_phone_is_known_by_its_user_agent(monkeypatch, agent, phone):
    _agent(monkeypatch, agent)
    assert responsive.is_phone() is phone
    assert responsive.map_canvas(1100, 620) == (responsive.PHONE_MAP if phone else (1100, 620))
    assert responsive.map_label_px(16) == (responsive.PHONE_LABEL_PX if phone else 16)


@pytest.mark.parametrize(("agent", "reported", "canvas"), [
    (None, 396, (396, 462)),  # a desktop window narrowed to 420 px: fitted to its width, whatever the agent says
    (IPAD, 650, (650, 520)),  # a split-screen tablet: its width, the height capped
    (IPHONE, 360, responsive.PHONE_MAP),
    (IPHONE, 0, (1100, 620)),  # a phone turned into a wide page (desktop mode): the page's own size
    (None, 0, (1100, 620)),
])
def test_a_narrow_page_gets_its_map_fitted_to_the_width_it_reported(monkeypatch, agent, reported, canvas):
    _agent(monkeypatch, agent, reported)
    assert responsive.reported_width() == reported
    assert responsive.map_canvas(1100, 620) == canvas
    assert responsive.map_label_px(16) == (16 if reported == 0 else responsive.PHONE_LABEL_PX)


def test_the_width_tracker_reports_only_narrow_widths_and_only_what_the_server_does_not_know():
    script = responsive.WIDTH_JS
    assert f"const NARROW = {responsive.NARROW_PX}," in script and "__NARROW__" not in script
    assert 'setStateValue("width", reported)' in script and "known > 0" in script  # wide: only after narrow
    assert f".st-key-{responsive.WIDTH_KEY} {{ display: none; }}" in responsive.LAYOUT_CSS


def test_the_stylesheet_wraps_tile_rows_and_keeps_text_at_the_floor():
    css = responsive.LAYOUT_CSS
    assert css.startswith("<style>") and css.endswith("</style>")
    assert '[data-testid="stHorizontalBlock"]:has([data-testid="stMetric"])' in css and "flex-wrap: wrap" in css
    assert "@media (max-width: 640px)" in css and "calc(50% - 0.25rem)" in css
    sizes = [float(v) for v in pd.Series(css.split("font-size: ")[1:]).str.extract(r"^([\d.]+)rem")[0].dropna()]
    assert sizes and min(sizes) * 16 >= responsive.MIN_TEXT_PX  # rem at the browser's 16 px


def test_the_ranking_pair_stacks_on_a_phone():
    frame = pd.DataFrame({"name": [f"社区{i}" for i in range(12)], "composite": range(120, 108, -1),
                          "rank": range(1, 13)})
    side = charts.ranking_pair(frame)
    stacked = charts.ranking_pair(frame, stacked=True)
    assert side.layout.xaxis2.domain[0] > side.layout.xaxis.domain[1]  # side by side
    assert stacked.layout.yaxis2.domain[1] < stacked.layout.yaxis.domain[0]  # one under the other
    assert list(stacked.data[0].y)[0] == "1. 社区0" and list(stacked.data[1].y)[-1] == "12. 社区11"
    assert stacked.layout.uniformtext.minsize == responsive.MIN_TEXT_PX
