"""The browser timing (bench/browser_timing.py) against the real server: each empty variant draws what
it names and renders offline, and each page is timed against the empty page that loads what it draws.
One test: the empty server's start and its variants' first loads (the test's checks, the timing's
warm-up) are paid once."""

from bench.browser_support import app_pages
from bench.browser_timing import VARIANTS, baseline_of, empty_server, load_once, measure_pages


def test_pages_are_timed_against_the_empty_variant_that_draws_what_they_draw(chromium, app_server):
    with empty_server() as empty:
        for flags in VARIANTS:
            name, url = baseline_of(empty.url, *flags)
            ms, drawn, problems = load_once(chromium, url)
            assert drawn == flags, name
            assert not problems and ms > 0, (name, problems)
        pages = [p for p in app_pages() if p.url_path in ("participation", "map")]
        frame = measure_pages(app_server, empty.url, pages=pages, scopes={"district": {}}, runs=1, browser=chromium,
                              baselines_warm=True)
    baselines = dict(zip(frame["page"], frame["baseline"], strict=True))
    assert baselines == {"map": "empty+map", "participation": "empty+plotly"}
    assert (frame["problems"] == "").all(), frame["problems"].tolist()
    assert ((frame["ratio"] - frame["median_ms"] / frame["empty_median_ms"]).abs() < 0.01).all()
    assert ((frame["plain_ratio"] - frame["median_ms"] / frame["plain_median_ms"]).abs() < 0.01).all()
