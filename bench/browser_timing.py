"""Browser timing: each dashboard page against an empty Streamlit page, loaded the same way.

Each page (every ``st.Page`` of app.py) at each scope is opened in a fresh headless Chromium
context at 1920×1080 (a cold browser: no HTTP cache, a new Streamlit session), every
non-loopback request aborted, and timed from the navigation start until the script has
finished and no ``stSkeleton`` remains (``browser_support.wait_until_done``). Its baseline is
the empty page ``bench/empty_pages/empty_app.py`` (one title, one metric) loaded the same way;
for a page that draws a deck.gl map, the variant with one small map (``?map=1``), since
deck.gl's own start-up is the floor there. Page and baseline loads alternate (the order
flips every run) so a burst of load on the machine hits both. One load of each, first,
is not counted: it warms the server's caches and finds out whether the page has a map.

    python -m bench.browser_timing                 # starts both servers (seed data in a temp folder)
    python -m bench.browser_timing --url http://127.0.0.1:8501 --runs 7 --csv timing.csv

From code (the main benchmark, with a server it started on a city-scale database)::

    from bench.browser_timing import measure_pages, empty_server
    with empty_server() as empty:
        frame = measure_pages(app_url, empty.url, runs=5)

Target: each page within 1.5× its empty page (column ``ratio`` = median ÷ empty median).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from bench.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DECK_MAP,
    LOCALE,
    ROOT,
    SCOPES,
    VIEWPORT,
    AppPage,
    StreamlitServer,
    app_pages,
    dashboard_server,
    install_offline_guard,
    page_problems,
    page_url,
    wait_until_done,
)

EMPTY_APP = ROOT / "bench" / "empty_pages" / "empty_app.py"
TARGET_RATIO = 1.5
DEFAULT_RUNS = 5


def empty_map_url_of(empty_url: str) -> str:
    return f"{empty_url.rstrip('/')}/?map=1"


@contextlib.contextmanager
def empty_server(log_path: Path | None = None) -> Iterator[StreamlitServer]:
    """The empty baseline app on its own free port (``.url``; ``empty_map_url_of(url)`` has the map)."""
    with StreamlitServer(EMPTY_APP, log_path=log_path) as server:
        yield server


def load_once(browser, url: str, timeout_ms: float = 180_000) -> tuple[float, bool, list[str]]:
    """One cold load in a fresh context: (ms until done, whether a deck.gl map is on it, problems)."""
    context = browser.new_context(viewport=VIEWPORT, locale=LOCALE)
    external: list[str] = []
    install_offline_guard(context, external)
    try:
        page = context.new_page()
        page.goto(url, timeout=timeout_ms)
        ms = wait_until_done(page, timeout_ms)
        problems = page_problems(page) + [f"external request: {u}" for u in external]
        return ms, page.locator(DECK_MAP).count() > 0, problems
    finally:
        context.close()


def _spread(values: Sequence[float]) -> float:
    return max(values) - min(values) if values else float("nan")


def measure_pages(base_url: str, empty_url: str, empty_map_url: str | None = None,
                  pages: Sequence[AppPage] | None = None, scopes: dict[str, dict[str, str]] | None = None,
                  runs: int = DEFAULT_RUNS, *, browser=None, timeout_ms: float = 180_000,
                  progress=None) -> pd.DataFrame:
    """Median page time and its ratio to the matching empty page, one row per page and scope.

    ``pages`` defaults to every page of app.py, ``scopes`` to district and one community
    (``{name: url params}``). ``browser`` is a sync-Playwright Chromium; without one, the
    system Chromium is started here. ``progress`` (a callable taking a str) hears each step.
    """
    pages = list(pages) if pages is not None else app_pages()
    scopes = scopes if scopes is not None else SCOPES
    empty_map_url = empty_map_url or empty_map_url_of(empty_url)
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            own = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return measure_pages(base_url, empty_url, empty_map_url, pages, scopes, runs, browser=own,
                                     timeout_ms=timeout_ms, progress=progress)
            finally:
                own.close()

    say = progress or (lambda _message: None)
    for url in (empty_url, empty_map_url):  # warm the baseline server once
        load_once(browser, url, timeout_ms)
    rows = []
    for app_page in pages:
        for scope_name, params in scopes.items():
            url = page_url(base_url, app_page, params)
            _, has_map, problems = load_once(browser, url, timeout_ms)  # warm-up, not counted
            baseline = empty_map_url if has_map else empty_url
            page_ms: list[float] = []
            empty_ms: list[float] = []
            for run in range(runs):
                order = [(url, page_ms), (baseline, empty_ms)]
                for target, sink in order if run % 2 == 0 else order[::-1]:
                    ms, _, found = load_once(browser, target, timeout_ms)
                    sink.append(ms)
                    if target == url:
                        problems += found
            median, empty_median = statistics.median(page_ms), statistics.median(empty_ms)
            rows.append({
                "page": app_page.url_path,
                "scope": scope_name,
                "runs": runs,
                "median_ms": round(median),
                "spread_ms": round(_spread(page_ms)),
                "baseline": "empty+map" if has_map else "empty",
                "empty_median_ms": round(empty_median),
                "empty_spread_ms": round(_spread(empty_ms)),
                "ratio": round(median / empty_median, 2),
                "pair_ratio_median": round(statistics.median(p / e for p, e in zip(page_ms, empty_ms,
                                                                                   strict=True)), 2),
                "problems": "; ".join(sorted(set(problems)))[:300],
            })
            say(f"{app_page.url_path:<14} {scope_name:<10} {median:8.0f} ms  ×{median / empty_median:.2f}")
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser_timing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running dashboard (default: start one; DATABASE_URL / "
                        "LONGGANG_DATA_DIR pass through, else seed data in a temporary folder)")
    parser.add_argument("--empty-url", help="a running empty baseline app (default: start one)")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed loads of each page and baseline")
    parser.add_argument("--pages", help="comma-separated url paths (default: every page of app.py)")
    parser.add_argument("--scopes", default=",".join(SCOPES), help=f"comma-separated, of {', '.join(SCOPES)}")
    parser.add_argument("--csv", type=Path, help="also write the table here")
    args = parser.parse_args(argv)

    pages = app_pages()
    if args.pages:
        wanted = args.pages.split(",")
        pages = [p for p in pages if p.url_path in wanted]
    scopes = {name: SCOPES[name] for name in args.scopes.split(",")}
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(dashboard_server()).url
        empty_url = args.empty_url or stack.enter_context(empty_server()).url
        frame = measure_pages(url, empty_url, pages=pages, scopes=scopes, runs=args.runs,
                              progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(frame.drop(columns=["problems"] if not frame["problems"].any() else []).to_string(index=False))
    over = frame[frame["ratio"] > TARGET_RATIO]
    names = ", ".join(over["page"] + "/" + over["scope"])
    print(f"\ntarget: each page within {TARGET_RATIO}× its empty page — {len(frame) - len(over)} of {len(frame)} within"
          + (f"; over: {names}" if len(over) else ""))
    if args.csv:
        frame.to_csv(args.csv, index=False)
    return 1 if frame["problems"].any() else 0


if __name__ == "__main__":
    sys.exit(main())
