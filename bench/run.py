"""The benchmark: every page at seed and city scale, its data work, its whole run, its browser time.

    python -m bench.run                      # seed + city scale, SQLite, browser and load included
    python -m bench.run --city-dir /tmp/lgcity --runs 5 --out bench/results/latest.md
    python -m bench.run --skip-browser --skip-load --scales seed
    python -m bench.run --city-dir /tmp/lgcity --city-url postgresql://…/lgcity --skip-browser   # city on PostgreSQL
    python -m bench.run --city-dir /tmp/lgcity --city-url postgresql://…/lgcity --seed-url postgresql://…/seed \
        --skip-browser   # and the seed on PostgreSQL too: the city ÷ seed ratio on one engine

For every page of app.py and a district, a street and a community scope:

- **data work**: the query calls the page makes (recorded once through ``components.data.cached``)
  replayed with no result cache anywhere, as on the first click after a filter change, on an engine
  that has run them once (a running server has compiled its statements; the very first run on a new
  engine is reported apart) (bench/data_work.py); median, min and max of ``--runs`` runs; and the same
  for each of the page's other lazy tabs (components/sections.py), the slowest one shown;
- **page run**: the whole page in AppTest with Streamlit's caches cleared, the two scales taking
  turns run by run, so the city ÷ seed ratio compares runs made in the same minutes;
- **browser** (city scale): the page in headless Chromium at 1920×1080 until the script has
  finished and no skeleton remains, against the matching empty page (one title, one metric, and
  the front-end libraries the page draws: a small deck.gl map, a small plotly chart) and the
  plain empty page, alternating (bench/browser_timing.py);
- **memory**: the server's peak RSS (with its children) while ten browser sessions cycle
  through every page (bench/load.py).

The city-scale data (bench/city_data.py) is built once into ``--city-dir`` and reused; with ``--city-url``
the city's pages read that database instead (PostgreSQL, loaded by ``bench.city_data --url``), the map
shapes still from ``--city-dir``; ``--seed-url`` does the same for the seed (loaded with the sample when
empty). The
printed table (Markdown) is also written to ``--out`` (bench/results/latest.md, linked from docs/performance.md).
Targets (issue #10): data work < 150 ms, browser ≤ 1.5× the matching empty page, city page run ≤ 1.5× the
seed page run, RSS < 1.5 GB with ten sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from bench import data_work
from bench.browser_support import app_pages, page_sections
from data_access import geography
from data_access.database import DEFAULT_SQLITE_NAME, Database
from data_access.loader import prepare_database

ROOT = Path(__file__).resolve().parent.parent
TARGET_DATA_MS = 150
TARGET_RATIO = 1.5
TARGET_RSS_MB = 1536


def machine() -> str:
    cores = os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            memory = f"{int(f.readline().split()[1]) / 2**20:.0f} GB RAM, "
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {cores} cores, {memory}Python {platform.python_version()}"


def current_summaries(folder: Path, say, url: str | None = None) -> None:
    """Rebuild the folder's (or ``url``'s) summaries if another version built them (else pages would read
    raw rows)."""
    from data_access import summaries

    url = url or f"sqlite:///{(folder / DEFAULT_SQLITE_NAME).resolve()}"
    db = Database(url)
    try:
        current = summaries.covered(db, None)
    finally:
        db.dispose()
    if not current:
        say(f"rebuilding the summaries of {url} (built by another version) …")
        summaries.main(["--url", url])


def seed_dir(base: Path, say) -> Path:
    """A folder with the seed SQLite database (built from sample_data/ if missing)."""
    folder = base / "seed"
    folder.mkdir(parents=True, exist_ok=True)
    prepare_database(f"sqlite:///{(folder / DEFAULT_SQLITE_NAME).resolve()}")
    current_summaries(folder, say)
    return folder


def city_dir(folder: Path, requests: int, say) -> Path:
    """A folder with the city-scale SQLite database and boundaries (built once)."""
    from bench.city_data import build_city, load_city

    if not (folder / DEFAULT_SQLITE_NAME).exists():
        timings: dict[str, float] = {}
        say(f"building the city-scale data in {folder} …")
        counts = build_city(folder, requests=requests, timings=timings)
        _, load_s = load_city(folder)
        say(f"  {counts['requests']:,} requests, generate {timings['generate']:.0f} s, write "
            f"{timings['write']:.0f} s, load (with summaries) {load_s:.0f} s")
    current_summaries(folder, say)
    return folder


def scopes_of(url: str) -> dict[str, dict[str, str]]:
    """District, the first street, and that street's first community, as URL parameters."""
    db = Database(url)
    try:
        street = geography.streets(db)["code"].iloc[0]
        communities = geography.communities(db)
        community = communities.loc[communities["street_code"] == street, "code"].iloc[0]
    finally:
        db.dispose()
    return {"district": {}, "street": {"street": street}, "community": {"community": community}}


#: Scale -> the database its pages read when it is not the folder's SQLite file (--city-url).
DATABASE_URLS: dict[str, str] = {}


def use_folder(folder: Path, url: str | None = None) -> str:
    """Point the app (LONGGANG_DATA_DIR) at ``folder`` and its database, or at ``url`` (DATABASE_URL) with
    the folder's map shapes; the database URL."""
    os.environ["LONGGANG_DATA_DIR"] = str(folder)
    if url:
        os.environ["DATABASE_URL"] = url
        return url
    os.environ.pop("DATABASE_URL", None)
    return f"sqlite:///{(folder / DEFAULT_SQLITE_NAME).resolve()}"


def measure_page_runs(folders: dict[str, Path], runs: int, say) -> dict[str, pd.DataFrame]:
    """The whole page run in AppTest per page and scope at each scale, the scales taking turns run
    by run (seed, city, seed, city …), as the browser timing alternates a page with its empty page.

    Measured one scale after the other, minutes apart, a slower spell of the machine (this one
    varies by a third between runs) fell on one scale only and moved the city ÷ seed ratio by
    itself; taking turns puts it on both.
    """
    scopes = {scale: scopes_of(use_folder(folder, DATABASE_URLS.get(scale))) for scale, folder in folders.items()}
    rows: dict[str, list[dict]] = {scale: [] for scale in folders}
    for page in app_pages():
        for scope_name in next(iter(scopes.values())):
            times: dict[str, list[float]] = {scale: [] for scale in folders}
            for _ in range(runs):
                for scale, folder in folders.items():
                    use_folder(folder, DATABASE_URLS.get(scale))
                    times[scale].append(data_work.timed_page_run(page.script, scopes[scale][scope_name]) * 1000)
            for scale, runs_ms in times.items():
                rows[scale].append({"page": page.url_path, "scope": scope_name, "run_ms": statistics.median(runs_ms),
                                    "run_min": min(runs_ms), "run_max": max(runs_ms)})
            say(f"  {page.url_path:<14} {scope_name:<10} run " + "  ".join(
                f"{scale} {statistics.median(t):5.0f} ms" for scale, t in times.items()))
    return {scale: pd.DataFrame(frame_rows) for scale, frame_rows in rows.items()}


def measure_app(folder: Path, runs: int, say, url: str | None = None) -> pd.DataFrame:
    """Data work per page and scope (and per other tab), with LONGGANG_DATA_DIR at ``folder`` (and
    DATABASE_URL at ``url`` when given)."""
    url = use_folder(folder, url)
    rows = []
    for page in app_pages():
        sections = page_sections(page.script)
        for scope_name, params in scopes_of(url).items():
            calls = data_work.page_calls(page.script, params)
            first, warm, per_call = data_work.cold_and_warm(url, calls, runs)
            totals = [w * 1000 for w in warm]
            slowest = max(per_call.items(), key=lambda kv: kv[1])[0] if calls else ""
            # every other section is a click away: its data work (default view's tiles included)
            section_ms = {}
            for section in sections[1:]:
                section_calls = data_work.page_calls(page.script, {**params, "section": section})
                section_ms[section] = statistics.median(data_work.cold_and_warm(url, section_calls, runs)[1]) * 1000
            worst = max(section_ms.items(), key=lambda kv: kv[1]) if section_ms else ("", float("nan"))
            row = {
                "page": page.url_path, "scope": scope_name, "queries": len(calls),
                "data_ms": statistics.median(totals), "data_min": min(totals), "data_max": max(totals),
                "first_ms": first * 1000, "slowest_query": slowest,
                "section": worst[0], "section_ms": worst[1],
            }
            rows.append(row)
            say(f"  {page.url_path:<14} {scope_name:<10} data {row['data_ms']:7.0f} ms (first {row['first_ms']:.0f})"
                f"  slowest section {worst[0] or '-'} {worst[1]:.0f} ms")
    return pd.DataFrame(rows)


def measure_browser(folder: Path, runs: int, say) -> tuple[pd.DataFrame, str]:
    """Browser times against the empty pages, then ten sessions of load (peak RSS), on one server."""
    from bench.browser_support import dashboard_server
    from bench.browser_timing import empty_server, measure_pages
    from bench.load import report, run_load

    with dashboard_server(folder) as app, empty_server() as empty:
        url = f"sqlite:///{(folder / DEFAULT_SQLITE_NAME).resolve()}"
        frame = measure_pages(app.url, empty.url, scopes={k: v for k, v in scopes_of(url).items()
                                                           if k != "street"}, runs=runs, progress=say)
        results = asyncio.run(run_load(app.url, sessions=10, seconds=120, pid=app.process.pid))
        return frame, report(results, 10, 120)


def _ms(value: float) -> str:
    return f"{value:,.0f}"


def table(app: dict[str, pd.DataFrame], browser: pd.DataFrame | None) -> str:
    """One Markdown table: per page and scope, data work and page run at each scale, browser ratio."""
    scales = list(app)
    merged = None
    for scale, frame in app.items():
        part = frame.set_index(["page", "scope"]).add_prefix(f"{scale}_")
        merged = part if merged is None else merged.join(part, how="outer")
    header = ["page", "scope"]
    for scale in scales:
        header += [f"{scale} data ms (min–max)", f"{scale} slowest other tab ms", f"{scale} page run ms"]
    if len(scales) == 2:
        header.append("run city ÷ seed")
    if browser is not None:
        header += ["browser ms", "matching empty page", "its ms", "ratio", "plain empty page ms", "ratio to plain"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    shown = browser.set_index(["page", "scope"]) if browser is not None else None
    for (page, scope_name), row in merged.iterrows():
        cells = [page, scope_name]
        for scale in scales:
            flag = " ✗" if row[f"{scale}_data_ms"] > TARGET_DATA_MS else ""
            tab = row[f"{scale}_section"]
            tab_cell = (f"{_ms(row[f'{scale}_section_ms'])} ({tab})"
                        + (" ✗" if row[f"{scale}_section_ms"] > TARGET_DATA_MS else "")) if tab else "–"
            cells += [f"{_ms(row[f'{scale}_data_ms'])} ({_ms(row[f'{scale}_data_min'])}–"
                      f"{_ms(row[f'{scale}_data_max'])}){flag}", tab_cell, _ms(row[f"{scale}_run_ms"])]
        if len(scales) == 2:
            ratio = row[f"{scales[1]}_run_ms"] / row[f"{scales[0]}_run_ms"]
            cells.append(f"{ratio:.2f}" + (" ✗" if ratio > TARGET_RATIO else ""))
        if shown is not None:
            if (page, scope_name) in shown.index:
                b = shown.loc[(page, scope_name)]
                cells += [_ms(b["median_ms"]), b["baseline"], _ms(b["empty_median_ms"]),
                          f"{b['ratio']:.2f}" + (" ✗" if b["ratio"] > TARGET_RATIO else ""),
                          _ms(b["plain_median_ms"]), f"{b['plain_ratio']:.2f}"]
            else:
                cells += [""] * 6
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/longgang-bench"),
                        help="where the seed database lives (default /tmp/longgang-bench)")
    parser.add_argument("--city-dir", type=Path, default=None, help="city-scale data folder (built if empty)")
    parser.add_argument("--requests", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=7,
                        help="runs per figure (default 7: on a noisy 2-core machine a median of 5 moved a "
                             "browser ratio by 0.15 from run to run)")
    parser.add_argument("--scales", default="seed,city")
    parser.add_argument("--city-url", default=None,
                        help="the city's database when not --city-dir's SQLite file (PostgreSQL, loaded with "
                             "python -m bench.city_data --out CITY_DIR --url URL)")
    parser.add_argument("--seed-url", default=None,
                        help="the seed's database when not --work-dir's SQLite file (loaded with the sample if "
                             "empty): with --city-url on PostgreSQL, the city ÷ seed ratio then compares one engine")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.md")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    folders = {}
    for scale in args.scales.split(","):
        if scale == "seed":
            folders["seed"] = seed_dir(args.work_dir, say)
            if args.seed_url:
                DATABASE_URLS["seed"] = args.seed_url
                prepare_database(args.seed_url)
                current_summaries(folders["seed"], say, args.seed_url)
        elif scale == "city" and args.city_url:
            folders["city"] = args.city_dir or args.work_dir / "city"
            DATABASE_URLS["city"] = args.city_url
            current_summaries(folders["city"], say, args.city_url)
        elif scale == "city":
            folders["city"] = city_dir(args.city_dir or args.work_dir / "city", args.requests, say)
    app = {}
    for scale, folder in folders.items():
        say(f"{scale}: data work ({args.runs} runs each)")
        app[scale] = measure_app(folder, args.runs, say, DATABASE_URLS.get(scale))
    say(f"page runs, {' and '.join(folders)} taking turns ({args.runs} runs each)")
    for scale, runs in measure_page_runs(folders, args.runs, say).items():
        app[scale] = app[scale].merge(runs, on=["page", "scope"])
    browser, load_report = None, ""
    if not args.skip_browser and not DATABASE_URLS:
        largest = folders.get("city") or folders["seed"]
        say(f"browser timing and load on {largest}")
        browser, load_report = measure_browser(largest, args.runs, say)
    text = "\n".join([
        f"Benchmark of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; "
        + ("; ".join(f"{scale} on {'PostgreSQL' if 'postgresql' in DATABASE_URLS.get(scale, '') else 'SQLite'}"
                     for scale in folders))
        + f"; runs per figure: {args.runs}.",
        "Data ms: the page's query calls as a link opens it, Streamlit's caches cold, on a running server's engine "
        "(its compiled statements warm); slowest other tab: the same for the page's slowest other lazy tab.",
        "Browser: cold loads until done; matching empty page: one title and one metric plus what the page draws "
        "of deck.gl (+map) and plotly.js (+plotly), whose start-up is the floor of any page that draws them.",
        f"Targets: data work < {TARGET_DATA_MS} ms (cold), browser ≤ {TARGET_RATIO}× its matching empty page, "
        f"city page run ≤ {TARGET_RATIO}× seed, server RSS < {TARGET_RSS_MB} MB with 10 sessions. ✗ = missed.",
        "",
        table(app, browser),
        "",
        *[f"{scale}: a new engine's very first run of a view's queries (statements compiled once per server) took "
          f"up to {_ms(frame['first_ms'].max())} ms "
          f"({frame.loc[frame['first_ms'].idxmax(), 'page']}, {frame.loc[frame['first_ms'].idxmax(), 'scope']})."
          for scale, frame in app.items()],
        "",
        "Ten browser sessions for two minutes (browser column's server):" if load_report else "",
        "```" if load_report else "",
        load_report,
        "```" if load_report else "",
        f"(benchmark took {time.perf_counter() - started:.0f} s)",
    ])
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
