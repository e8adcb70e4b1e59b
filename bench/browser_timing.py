"""Browser timing: each dashboard page against an empty Streamlit page, loaded the same way.

Each page (every ``st.Page`` of app.py) at each scope is opened in a fresh headless Chromium
context at 1920×1080 (a cold browser: no HTTP cache, a new Streamlit session), every
non-loopback request aborted, and timed from the navigation start until the script has
finished and no ``stSkeleton`` remains (``browser_support.wait_until_done``). Its baseline is
the empty page ``bench/empty_pages/empty_app.py`` (one title, one metric) loaded the same way,
with the heavy front-end libraries the page draws: one small deck.gl map (``map=1``) for a page
with a map, one small plotly chart (``plotly=1``) for a page with a chart, since their start-up
is the floor of any page that draws one. The plain empty page is timed too (column
``plain_ratio``). Page and baseline loads alternate (the order turns every run) so a burst of
load on the machine hits all of them. One load of each, first, is not counted: it warms the
server's caches and finds out what the page draws.

    python -m bench.browser_timing                 # starts both servers (seed data in a temp folder)
    python -m bench.browser_timing --url http://127.0.0.1:8501 --runs 7 --csv timing.csv

From code (the main benchmark, with a server it started on a city-scale database)::

    from bench.browser_timing import measure_pages, empty_server
    with empty_server() as empty:
        frame = measure_pages(app_url, empty.url, runs=5)

Target: each page within 1.5× its matching empty page (column ``ratio`` = median ÷ that page's median).
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
    PLOTLY_CHART,
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


#: (has a deck.gl map, has a plotly chart) of each empty variant
VARIANTS = ((False, False), (True, False), (False, True), (True, True))


def baseline_of(empty_url: str, has_map: bool, has_plotly: bool) -> tuple[str, str]:
    """(name, url) of the empty page that loads the same front-end libraries as a page."""
    params = {"map": has_map, "plotly": has_plotly}
    drawn = [name for name, on in params.items() if on]
    query = "&".join(f"{name}=1" for name in drawn)
    return "+".join(["empty", *drawn]), f"{empty_url.rstrip('/')}/" + (f"?{query}" if query else "")


@contextlib.contextmanager
def empty_server(log_path: Path | None = None) -> Iterator[StreamlitServer]:
    """The empty baseline app on its own free port (``.url``; ``baseline_of`` gives its variants)."""
    with StreamlitServer(EMPTY_APP, log_path=log_path) as server:
        yield server


def load_once(browser, url: str, timeout_ms: float = 180_000) -> tuple[float, tuple[bool, bool], list[str]]:
    """One cold load in a fresh context: (ms until done, (has a deck.gl map, has a plotly chart), problems)."""
    context = browser.new_context(viewport=VIEWPORT, locale=LOCALE)
    external: list[str] = []
    install_offline_guard(context, external)
    try:
        page = context.new_page()
        page.goto(url, timeout=timeout_ms)
        ms = wait_until_done(page, timeout_ms)
        problems = page_problems(page) + [f"external request: {u}" for u in external]
        drawn = (page.locator(DECK_MAP).count() > 0, page.locator(PLOTLY_CHART).count() > 0)
        return ms, drawn, problems
    finally:
        context.close()


def _spread(values: Sequence[float]) -> float:
    return max(values) - min(values) if values else float("nan")


def measure_pages(base_url: str, empty_url: str,
                  pages: Sequence[AppPage] | None = None, scopes: dict[str, dict[str, str]] | None = None,
                  runs: int = DEFAULT_RUNS, *, browser=None, timeout_ms: float = 180_000,
                  progress=None, baselines_warm: bool = False) -> pd.DataFrame:
    """Median page time and its ratio to the matching empty page, one row per page and scope.

    ``pages`` defaults to every page of app.py, ``scopes`` to district and one community
    (``{name: url params}``). ``browser`` is a sync-Playwright Chromium; without one, the
    system Chromium is started here. ``progress`` (a callable taking a str) hears each step.
    ``baselines_warm``: the caller has loaded each empty variant once already (no warm-up loads here).
    """
    pages = list(pages) if pages is not None else app_pages()
    scopes = scopes if scopes is not None else SCOPES
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            own = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return measure_pages(base_url, empty_url, pages, scopes, runs, browser=own,
                                     timeout_ms=timeout_ms, progress=progress, baselines_warm=baselines_warm)
            finally:
                own.close()

    say = progress or (lambda _message: None)
    for flags in VARIANTS if not baselines_warm else ():  # warm the baseline server
        load_once(browser, baseline_of(empty_url, *flags)[1], timeout_ms)
    rows = []
    for app_page in pages:
        for scope_name, params in scopes.items():
            url = page_url(base_url, app_page, params)
            _, drawn, problems = load_once(browser, url, timeout_ms)  # warm-up, not counted
            baseline, baseline_url = baseline_of(empty_url, *drawn)
            plain_url = baseline_of(empty_url, False, False)[1]
            times: dict[str, list[float]] = {url: [], baseline_url: [], plain_url: []}
            targets = list(times)
            for run in range(runs):
                for target in targets[run % len(targets):] + targets[:run % len(targets)]:
                    ms, _, found = load_once(browser, target, timeout_ms)
                    times[target].append(ms)
                    if target == url:
                        problems += found
            page_ms, empty_ms = times[url], times[baseline_url]
            median, empty_median = statistics.median(page_ms), statistics.median(empty_ms)
            rows.append({
                "page": app_page.url_path,
                "scope": scope_name,
                "runs": runs,
                "median_ms": round(median),
                "spread_ms": round(_spread(page_ms)),
                "baseline": baseline,
                "empty_median_ms": round(empty_median),
                "empty_spread_ms": round(_spread(empty_ms)),
                "ratio": round(median / empty_median, 2),
                "pair_ratio_median": round(statistics.median(p / e for p, e in zip(page_ms, empty_ms,
                                                                                   strict=True)), 2),
                "plain_median_ms": round(statistics.median(times[plain_url])),
                "plain_ratio": round(median / statistics.median(times[plain_url]), 2),
                "problems": "; ".join(sorted(set(problems)))[:300],
            })
            say(f"{app_page.url_path:<14} {scope_name:<10} {median:8.0f} ms  ×{median / empty_median:.2f} "
                f"({baseline})")
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
