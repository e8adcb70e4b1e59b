"""Load: browser sessions that cycle through every page against one server, for a while.

    python -m bench.load [--url URL] [--sessions 10] [--seconds 120] [--timeout 120] [--pid PID]

Without ``--url`` it starts ``streamlit run app.py`` itself (``DATABASE_URL`` and
``LONGGANG_DATA_DIR`` pass through; with neither, the seed database is built in a temporary
folder). One headless Chromium (asyncio Playwright) opens ``--sessions`` contexts at
1920×1080, every non-loopback request aborted. Each session repeats: open a page with a scope
in the URL (district, a street and a year, a community…; a new Streamlit session), then
click through the sidebar to every other page of app.py, until the time is up. Each page
time runs from the navigation start or the click until the script has finished and no
element is still loading (``browser_support.wait_until_done``).

An error is: an exception element, an error alert (the app's guard), Streamlit's "Page not
found" pop-up, a page that does not finish within ``--timeout`` seconds, a navigation that
fails, a request to a non-loopback host, or a page switch that loses the scope. The server's
process tree resident memory is sampled every second (``/proc``; with ``--url`` the process
listening on its port, or ``--pid``). It prints pages loaded, errors, p50/p95/max page time
and peak RSS, and exits 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from bench.browser_support import (
    BUJI,
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCALE,
    LONGLING,
    VIEWPORT,
    AppPage,
    app_pages,
    arm_for_rerun_async,
    dashboard_server,
    install_offline_guard,
    listening_pid,
    nav_link_async,
    page_problems_async,
    page_url,
    process_tree_rss,
    track_script_runs,
    wait_until_done_async,
)

#: The scopes sessions open pages with, in turn (district; a street in a year; a community; a quarter).
LOAD_SCOPES: list[dict[str, str]] = [
    {},
    {"street": BUJI, "period": "2023"},
    {"community": LONGLING},
    {"street": "440307003", "period": "2022-Q4"},
]


@dataclass
class Results:
    times_ms: list[float] = field(default_factory=list)
    per_page: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rss_samples: list[int] = field(default_factory=list)

    def page_done(self, page: str, ms: float) -> None:
        self.times_ms.append(ms)
        self.per_page.setdefault(page, []).append(ms)


def _percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _scope_kept(url: str, params: dict[str, str]) -> bool:
    query = parse_qs(urlsplit(url).query)
    return all(query.get(key) == [value] for key, value in params.items())


async def _session(browser, base_url: str, pages: list[AppPage], index: int, deadline: float,
                   timeout_ms: float, results: Results) -> None:
    context = await browser.new_context(viewport=VIEWPORT, locale=LOCALE)
    external: list[str] = []
    install_offline_guard(context, external)
    page = await context.new_page()
    track_script_runs(page)  # a click's rerun is seen from the server's messages (browser_support)
    cycle = index  # sessions start at different scopes and pages
    try:
        while time.monotonic() < deadline:
            params = LOAD_SCOPES[cycle % len(LOAD_SCOPES)]
            start = cycle % len(pages)
            order = pages[start:] + pages[:start]
            cycle += 1
            for step, target in enumerate(order):
                if time.monotonic() >= deadline:
                    break
                where = f"session {index} {target.url_path} {params or 'district'}"
                try:
                    if step == 0:
                        await page.goto(page_url(base_url, target, params), timeout=timeout_ms)
                    else:
                        await arm_for_rerun_async(page)
                        link = await nav_link_async(page, target)
                        await link.click(timeout=timeout_ms)
                    ms = await wait_until_done_async(page, timeout_ms)
                    problems = await page_problems_async(page)
                    if urlsplit(page.url).path != f"/{target.path}":
                        problems.append(f"landed on {urlsplit(page.url).path}")
                    if not _scope_kept(page.url, params):
                        problems.append(f"scope lost: {page.url}")
                except Exception as error:  # noqa: BLE001 - a timeout or a failed navigation is an error here
                    results.errors.append(f"{where}: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
                    break  # start the next cycle from a fresh navigation
                if external:
                    problems += [f"external request: {u}" for u in external]
                    external.clear()
                if problems:
                    results.errors.extend(f"{where}: {p}" for p in problems)
                    break
                results.page_done(target.url_path, ms)
    finally:
        await context.close()


async def _sample_rss(pid: int | None, results: Results, stop: asyncio.Event) -> None:
    while pid and not stop.is_set():
        results.rss_samples.append(process_tree_rss(pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)


async def run_load(base_url: str, sessions: int = 10, seconds: float = 120, *, pid: int | None = None,
                   timeout_s: float = 120, pages: list[AppPage] | None = None, warm_up: bool = True) -> Results:
    """Drive ``sessions`` browser sessions for ``seconds``; page times, errors and RSS samples."""
    from playwright.async_api import async_playwright

    pages = pages or app_pages()
    results = Results()
    stop = asyncio.Event()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if warm_up:  # the first visit builds the database and leaves the older multipage mode
            context = await browser.new_context(viewport=VIEWPORT, locale=LOCALE)
            page = await context.new_page()
            await page.goto(f"{base_url}/", timeout=300_000)
            await wait_until_done_async(page, 300_000)
            await context.close()
        sampler = asyncio.create_task(_sample_rss(pid, results, stop))
        try:
            deadline = time.monotonic() + seconds
            await asyncio.gather(*(_session(browser, base_url, pages, i, deadline, timeout_s * 1000, results)
                                   for i in range(sessions)))
        finally:
            stop.set()
            await sampler
            await browser.close()
    return results


def report(results: Results, sessions: int, seconds: float) -> str:
    times = results.times_ms
    lines = [f"sessions: {sessions}, duration: {seconds:.0f} s",
             f"pages loaded: {len(times)}",
             f"errors: {len(results.errors)}"]
    lines += [f"  {e}" for e in results.errors[:20]]
    if times:
        lines.append(f"page time ms: p50 {_percentile(times, 50):.0f}, p95 {_percentile(times, 95):.0f}, "
                     f"max {max(times):.0f}")
        for name, values in sorted(results.per_page.items()):
            lines.append(f"  {name:<14} n={len(values):<4} median {statistics.median(values):7.0f}  "
                         f"p95 {_percentile(values, 95):7.0f}")
    if results.rss_samples:
        lines.append(f"server peak RSS (incl. children): {max(results.rss_samples) / 2**20:.0f} MB "
                     f"({len(results.rss_samples)} samples; at start {results.rss_samples[0] / 2**20:.0f} MB)")
    else:
        lines.append("server peak RSS: not measured (no pid)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running dashboard (default: start one)")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--timeout", type=float, default=120, help="seconds one page may take before it is an error")
    parser.add_argument("--pid", type=int, help="server process to measure (default: the one started, or the "
                        "one listening on --url's port)")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.url:
            url = args.url.rstrip("/")
            pid = args.pid or listening_pid(urlsplit(url).port or 80)
        else:
            server = stack.enter_context(dashboard_server())
            url, pid = server.url, args.pid or server.pid
        print(f"{args.sessions} sessions for {args.seconds:.0f} s …", file=sys.stderr, flush=True)
        results = asyncio.run(run_load(url, args.sessions, args.seconds, pid=pid, timeout_s=args.timeout))
    print(report(results, args.sessions, args.seconds))
    return 1 if results.errors or not results.times_ms else 0


if __name__ == "__main__":
    sys.exit(main())
