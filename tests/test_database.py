"""The Database class's connections: SQLite files run in WAL mode, so a page reads while an import writes."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from import_db import fresh_url
from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url

from bench.incremental_import import Reader, changed_requests_csv, scratch_copy, vacuum_state
from data_access import importer, schema
from data_access.database import Database, make_engine

#: A hang guard only: the worst wait is measured by bench/incremental_import.py, not asserted tightly here.
HANG_GUARD_S = 5.0


def test_sqlite_files_use_wal_and_a_busy_timeout(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    db.dispose()
    memory = Database("sqlite://")
    with memory.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "memory"
    memory.dispose()


def test_a_reader_keeps_getting_answers_while_an_import_holds_the_write_lock(request, tmp_path, monkeypatch):
    """The import writes its rows, then waits 1.5 s inside its transaction (the importer's test pause):
    the reader keeps answering throughout, sees the old rows until the commit and the new ones after."""
    url = fresh_url("sqlite", request, tmp_path)
    engine = make_engine(url)
    before = Database(url).scalar(select(func.count()).select_from(schema.requests))
    data = changed_requests_csv(engine, 400)
    paused = tmp_path / "paused"
    monkeypatch.setenv(importer.PAUSE_ENV, str(paused))
    monkeypatch.setenv("LONGGANG_IMPORT_PAUSE_S", "1.5")
    reader = Reader(make_engine(url))
    reader.start()
    outcome = {}
    writer = threading.Thread(target=lambda: outcome.update(report=importer.import_bytes(engine, "requests", data,
                                                                                         "changed.csv")))
    try:
        time.sleep(0.2)
        writer.start()
        while not paused.exists() and writer.is_alive():
            time.sleep(0.01)
        pause_started = time.perf_counter()
        writer.join(timeout=120)
        committed = time.perf_counter()
        time.sleep(0.2)
    finally:
        reader.stop.set()
        reader.join()
        engine.dispose()
        reader.engine.dispose()
    report = outcome["report"]
    assert report.ok and report.committed and report.inserted == 100
    assert not reader.errors
    # the transaction is open for 1.5 s from the pause file's creation: look at the first second after we saw it
    during = [counted for at, counted in reader.answers_at if pause_started < at < pause_started + 1.0]
    assert committed > pause_started + 1.0
    assert len(during) >= 5, "the reader got (almost) no answers while the import held the write lock"
    assert set(during) == {before}, "the reader saw uncommitted rows"
    assert reader.answers_at[-1][1] == before + 100
    assert reader.worst < HANG_GUARD_S


def test_the_benchmark_reports_the_requests_tables_dead_rows_on_postgresql(pg_db, sqlite_db):
    """bench/incremental_import.py's first line on PostgreSQL: two runs compare only in the same state."""
    state = vacuum_state(pg_db.engine.url.render_as_string(hide_password=False))
    assert re.fullmatch(r"Before the run: requests had [\d,]+ dead row versions beside [\d,]+ live ones; "
                        r"last vacuum (never|\d{4}-\d\d-\d\d \d\d:\d\d UTC)\.", state), state
    assert vacuum_state(sqlite_db.engine.url.render_as_string(hide_password=False)) == ""


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_the_benchmarks_scratch_copy_holds_the_data_and_leaves_the_original_as_it_was(engine_name, request,
                                                                                        tmp_path):
    """``bench.incremental_import --scratch``: the runs' imports go into a copy, dropped afterwards."""
    db = request.getfixturevalue({"sqlite": "sqlite_db", "postgresql": "pg_db"}[engine_name])
    url = db.engine.url.render_as_string(hide_password=False)
    count = select(func.count()).select_from(schema.requests)
    with db.engine.connect() as conn:
        before = conn.execute(count).scalar()
    db.dispose()  # a PostgreSQL template may have no other session
    with scratch_copy(url, tmp_path) as copy:
        engine = make_engine(copy)
        with engine.begin() as conn:
            assert conn.execute(count).scalar() == before > 0
            conn.execute(delete(schema.request_status_history))
            conn.execute(delete(schema.requests))
        engine.dispose()
    with db.engine.connect() as conn:
        assert conn.execute(count).scalar() == before
    if engine_name == "sqlite":
        assert not Path(make_url(copy).database).exists()
    else:
        with db.engine.connect() as conn:
            name = make_url(copy).database
            assert conn.exec_driver_sql("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).scalar() == 0
