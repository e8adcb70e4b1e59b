"""Importing k changed requests: the incremental summary refresh against the full rebuild, and a page's
reader during the import (its worst wait for an answer).

    python -m bench.incremental_import [--url URL [--scratch]] [--sizes 50 5000] [--refresh incremental] [--out FILE]

Without ``--url`` it loads the sample (seed scale) into a temporary SQLite file. Every measurement runs
on a fresh copy of that database (SQLite's backup API). With ``--url`` the runs import into that database,
or with ``--scratch`` into one copy of it made for the run and removed afterwards (the loaded city stays as
generated: each run adds thousands of new requests). The files imported are real mixes
(:func:`changed_requests_csv`): new requests, status changes, requests moved to another community and to
another month.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import multiprocessing
import os
import sqlite3
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from data_access import importer, schema, summaries
from data_access.database import make_engine
from data_access.domain import REQUEST_OPEN_STATUSES

R = schema.requests
_DATETIMES = ("submitted_at", "accepted_at", "resolved_at", "closed_at")


def changed_requests_csv(engine: Engine, n: int, offset: int = 0, id_prefix: str = "RX",
                         street: str | None = None) -> bytes:
    """A requests CSV of ``n`` rows taken from the database and changed in turn: a new request (a copy
    under a new id), a status change (open → resolved, resolved → open again), a move to another
    community, a move by a month (inside the data range, so the spans stay). ``offset`` picks other
    rows, so a series of files changes different requests; ``street`` keeps them (and the moves) in
    one street, as a street office's file or a morning's sync would."""
    columns = [c.name for c in R.columns]
    CM = schema.communities
    with engine.connect() as conn:
        communities = [c for (c,) in conn.execute(
            select(CM.c.code).where(CM.c.street_code == street if street else True).order_by(CM.c.code))]
        in_place = R.c.community_code.in_(communities)
        total = conn.execute(select(func.count()).select_from(R).where(in_place)).scalar()
        step = max(1, total // max(n, 1))
        ids = [row[0] for row in conn.execute(select(R.c.id).where(in_place).order_by(R.c.id))][offset % step::step][:n]
        rows = [dict(r) for r in conn.execute(select(R).where(R.c.id.in_(ids)).order_by(R.c.id)).mappings()]
        info = dict(conn.execute(select(schema.dataset_info.c.key, schema.dataset_info.c.value)).all())
    start, reference = date.fromisoformat(info["data_start"]), date.fromisoformat(info["reference_date"])
    last_minute = datetime.combine(reference, datetime.min.time()) + timedelta(hours=23, minutes=59)
    out = []
    for i, row in enumerate(rows):
        kind = (i + offset) % 4
        if kind == 0:
            row["id"] = f"{id_prefix}{offset:03d}{i:06d}"[:16]
        elif kind == 1:
            if row["status"] in REQUEST_OPEN_STATUSES:
                # resolved two days on, but not past the data's last day: the spans stay (a new day moves
                # the "as of" date and every span ending on it: a day's first sync, not a file's cost)
                row.update(status="已办结", closed_at=None,
                           resolved_at=min(row["submitted_at"] + timedelta(days=2, hours=3), last_minute))
            else:
                row.update(status="办理中", resolved_at=None, closed_at=None, satisfaction=None)
        elif kind == 2:
            row["community_code"] = communities[(communities.index(row["community_code"]) + 3) % len(communities)]
            row["compound_code"] = None
        else:
            dated = [row[c] for c in _DATETIMES if row[c] is not None]
            shift = timedelta(days=-31) if (row["submitted_at"] - timedelta(days=31)).date() > start else \
                timedelta(days=31) if (max(dated) + timedelta(days=31)).date() < reference else timedelta(0)
            for column in _DATETIMES:
                if row[column] is not None:
                    row[column] = row[column] + shift
        out.append(row)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    for row in out:
        writer.writerow(["" if row[c] is None else row[c].strftime("%Y-%m-%d %H:%M:%S")
                         if hasattr(row[c], "strftime") else row[c] for c in columns])
    return text.getvalue().encode("utf-8")


@contextlib.contextmanager
def scratch_copy(url: str, folder: Path):
    """A copy of the database at ``url`` for the run, removed afterwards (its URL): the loaded city stays as
    generated, so the pages' benchmark and the next run see the same data. SQLite: the backup API;
    PostgreSQL: ``CREATE DATABASE … TEMPLATE`` (a file copy: no other session may be on the database)."""
    engine = make_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            target = folder / "scratch.sqlite3"
            try:
                yield sqlite_copy(Path(engine.url.database), target)
            finally:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{target}{suffix}").unlink(missing_ok=True)
            return
        name = f"{engine.url.database}_bench_{os.getpid()}"
        engine.dispose()  # the template must have no session
        admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{engine.url.database}"'))
            try:
                yield engine.url.set(database=name).render_as_string(hide_password=False)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()
    finally:
        engine.dispose()


def sqlite_copy(source: Path, target: Path) -> str:
    """A copy of an SQLite database through the backup API (safe with WAL files beside it)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return f"sqlite:///{target}"


#: Seconds a benchmark reader waits between answers (Reader).
READER_PAUSE_S = 0.25


class Reader(threading.Thread):
    """A page's query, run again and again until stopped: how many answered, the worst wait, any error.

    ``pause``: seconds between answers. The tests' tight loop (0.01 s) watches every moment of a seed-scale
    import; at city scale the query's whole-table count takes a core, and two readers in a tight loop kept
    both of a 2-core machine's cores busy, which no page does (the benchmark's default pauses 0.25 s: a new
    answer at least every 0.25 s plus the query's own time, so a wait of 1 s cannot go unseen)."""

    def __init__(self, engine: Engine, pause: float = 0.01):
        super().__init__(daemon=True)
        self.engine, self.stop, self.answers, self.worst, self.errors = engine, threading.Event(), 0, 0.0, []
        self.pause = pause
        self.answers_at: list[tuple[float, int]] = []  # (perf_counter when answered, requests counted)

    def run(self) -> None:
        S = schema.request_span_summary
        stmt = select(func.sum(S.c.received)).where(S.c.unit_level == "street", S.c.dim == "all")
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                with self.engine.connect() as conn:
                    conn.execute(stmt).scalar()
                    counted = conn.execute(select(func.count()).select_from(R)).scalar()
            except Exception as exc:  # reported, not raised: the bench and the test look at it
                self.errors.append(repr(exc))
                continue
            answered = time.perf_counter()
            self.worst = max(self.worst, answered - started)
            self.answers += 1
            self.answers_at.append((answered, counted))
            self.stop.wait(self.pause)


def _read_in_process(url: str, pause: float, stop, results) -> None:
    """:class:`Reader` in a process of its own, as a page of another server process reads (or any page
    while ``jobs.sync`` imports): it shares no interpreter lock with the import."""
    reader = Reader(make_engine(url), pause)
    reader.stop = stop
    reader.run()
    reader.engine.dispose()
    results.put((reader.answers, reader.worst, reader.errors[:1]))


class ProcessReader:
    """The reader in another process; ``answers``, ``worst`` and ``errors`` once stopped."""

    def __init__(self, url: str, pause: float):
        context = multiprocessing.get_context("spawn")
        self.stop, self.results = context.Event(), context.Queue()
        self.process = context.Process(target=_read_in_process, args=(url, pause, self.stop, self.results),
                                       daemon=True)
        self.answers, self.worst, self.errors = 0, 0.0, []

    def start(self) -> None:
        self.process.start()

    def join(self) -> None:
        self.stop.set()
        self.answers, self.worst, self.errors = self.results.get(timeout=120)
        self.process.join()


def timed_import(engine: Engine, data: bytes, full: bool,
                 reader_pause: float = READER_PAUSE_S) -> tuple[float, Reader, object, ProcessReader]:
    """Import ``data`` (requests) with the incremental or the full refresh while two readers run: a thread
    of this process (a page beside an upload in the app's own process, sharing Python's interpreter lock
    with the import) and another process (a page of another server process, or any page during a sync)."""
    original = summaries.refresh_changes
    if full:
        summaries.refresh_changes = lambda conn, changes, targets=None: summaries.refresh(conn, targets) and "full"
    url = str(engine.url.render_as_string(hide_password=False))
    reader, other = Reader(make_engine(url), reader_pause), ProcessReader(url, reader_pause)
    other.start()
    time.sleep(2.0)  # the process has started and answered before the import begins
    reader.start()
    try:
        started = time.perf_counter()
        report = importer.import_bytes(engine, "requests", data, "changed.csv")
        seconds = time.perf_counter() - started
    finally:
        summaries.refresh_changes = original
        reader.stop.set()
        reader.join()
        reader.engine.dispose()
        other.join()
    assert report.ok, report.problems[:5]
    return seconds, reader, report, other


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.incremental_import", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a loaded database (default: the sample in a temporary SQLite file)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 5000])
    parser.add_argument("--street", default="440307003", help="the street of the one-street files")
    parser.add_argument("--refresh", choices=["both", "incremental", "full"], default="both",
                        help="which refresh to time (a full rebuild at city scale takes minutes)")
    parser.add_argument("--reader-pause", type=float, default=READER_PAUSE_S,
                        help="seconds each reader waits between answers (default %(default)s; 0.01 is the tests' "
                             "tight loop, which at city scale keeps two cores busy with whole-table counts)")
    parser.add_argument("--scratch", action="store_true",
                        help="import into a copy of --url's database, removed afterwards (the city stays as "
                             "loaded; without it every run adds its new requests to --url)")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the results as Markdown there (bench/results/incremental_*.md)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="longgang-bench-incremental-"))
    # a copy's statistics start empty: the state is the database copied
    state = vacuum_state(args.url) if args.url else ""
    if args.url and args.scratch:
        state = " ".join(filter(None, [state, "The runs imported into a copy of it, dropped afterwards."]))
    with contextlib.ExitStack() as stack:
        if args.url and args.scratch:
            args.url = stack.enter_context(scratch_copy(args.url, folder))
        return _run(args, folder, state)


def _run(args, folder: Path, state: str) -> int:
    """The runs of :func:`main`'s arguments, the seed copies (without ``--url``) in ``folder``."""
    template = None
    if not args.url:
        from data_access.loader import SAMPLE_DIR, load_csv_dir

        template = folder / "template.sqlite3"
        engine = make_engine(f"sqlite:///{template}")
        load_csv_dir(engine, SAMPLE_DIR)
        engine.dispose()
    fulls = {"both": (True, False), "incremental": (False,), "full": (True,)}[args.refresh]
    # new requests' ids differ from file to file and run to run: a loaded database keeps what the earlier
    # files imported, and a later file may pick those requests up
    run_stamp, files = int(time.time()) % 100_000, 0
    rows = []
    if state:
        print(state, flush=True)
    print("rows   where        refresh       import s   reader answers (thread / process)   "
          "worst wait s (thread / process)", flush=True)
    for size in args.sizes:
        for street in (None, args.street):
            for full in fulls:
                url = sqlite_copy(template, folder / f"run-{size}-{street}-{full}.sqlite3") if template else args.url
                engine = make_engine(url)
                files += 1
                data = changed_requests_csv(engine, size, offset=1 if full else 2, street=street,
                                            id_prefix=f"R{run_stamp:05d}{files % 10}")
                seconds, reader, report, other = timed_import(engine, data, full, args.reader_pause)
                engine.dispose()
                errors = reader.errors + other.errors
                print(f"{size:>5}  {'one street' if street else 'district':<12} {'full' if full else 'incremental':<12}"
                      f" {seconds:>9.2f}   {reader.answers:>15} / {other.answers:<15}"
                      f" {reader.worst:>12.3f} / {other.worst:.3f}"
                      f"{'  errors: ' + errors[0] if errors else ''}", flush=True)
                rows.append(f"| {size:,} | {'one street' if street else 'district'} | "
                            f"{'full rebuild' if full else 'incremental'} | {seconds:.1f} s"
                            f"{' ✗' if seconds > TARGET_IMPORT_S.get(size, float('inf')) else ''} | "
                            f"{reader.worst:.2f} s{' ✗' if reader.worst > TARGET_WAIT_S else ''} | "
                            f"{other.worst:.2f} s{' ✗' if other.worst > TARGET_WAIT_S else ''} | "
                            f"{os.getloadavg()[0]:.1f} | {errors[0][:80] if errors else ''} |")
    if args.out:
        write_results(args.out, args.url or template, rows, state, args.reader_pause)
    return 0


def vacuum_state(url: str) -> str:
    """On PostgreSQL, the requests table's dead row versions and last vacuum before the run (else ""): the
    earlier imports' leftovers slow the readers' whole-table counts (index-only scans visit the heap) until
    a vacuum runs, so two runs compare only in the same state."""
    engine = make_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            return ""
        with engine.connect() as conn:
            dead, live, vacuumed = conn.execute(text(
                "SELECT n_dead_tup, n_live_tup, greatest(last_vacuum, last_autovacuum) FROM pg_stat_user_tables"
                " WHERE relname = 'requests'")).one()
    finally:
        engine.dispose()
    when = f"{vacuumed.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if vacuumed else "never"
    return f"Before the run: requests had {dead:,} dead row versions beside {live:,} live ones; last vacuum {when}."


#: The issue's targets at city scale: 5,000 rows < 15 s, 50 rows < 2 s, a reader never waits > 1 s.
TARGET_IMPORT_S = {50: 2.0, 5_000: 15.0}
TARGET_WAIT_S = 1.0


def write_results(out: Path, database, rows: list[str], state: str = "", pause: float = READER_PAUSE_S) -> None:
    """The run's table as Markdown, with when, where, on what database and how many requests."""
    import platform

    engine = make_engine(database if isinstance(database, str) else f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            requests = conn.execute(select(func.count()).select_from(R)).scalar()
        name = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite (WAL)"
    finally:
        engine.dispose()
    load = os.getloadavg()[0]
    text = "\n".join([
        f"Incremental import benchmark of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores (load average {load:.1f} at the end), Python {platform.python_version()}; "
        f"{name}, {requests:,} requests.",
        "Each file mixes new requests, status changes, moves to another community and to another month "
        "(bench/incremental_import.py). Reader: a page's query (a summary sum and a count of every request) "
        f"in a loop during the import, {pause:g} s between answers, in a thread of the importing process and "
        "in another process; its worst wait for an answer.",
        f"Targets: 5,000 rows < {TARGET_IMPORT_S[5_000]:.0f} s, 50 rows < {TARGET_IMPORT_S[50]:.0f} s (at city "
        f"scale), reader's worst wait < {TARGET_WAIT_S:.0f} s. ✗ = missed.",
        *([state] if state else []),
        "",
        "| rows | where | refresh | import | reader's worst wait (thread) | (other process) | load average | errors |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
