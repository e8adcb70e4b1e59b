"""Shared fixtures: a loaded SQLite and PostgreSQL database, and CSV folders.

* ``db`` runs a test once per engine (ids ``sqlite`` and ``postgresql``), on a
  database loaded from ``sample_data/``; ``sqlite_db`` and ``pg_db`` give one each.
  ``sqlite_db`` is the session's default SQLite file, the one ``app.py`` opens.
* ``pg_server`` is a throwaway PostgreSQL server for the whole session (see
  ``tests/pg_server.py``). Without PostgreSQL binaries its tests are skipped,
  except under ``CI=true``, where they fail.
* The sample is loaded once per run and engine (``sample_sqlite_template``, ``pg_sample_template``);
  ``sqlite_db``, ``pg_db`` and the import tests' copies (``tests/import_db.py``) are copies of it
  (SQLite's backup API, ``CREATE DATABASE … TEMPLATE``). Under pytest-xdist the workers share the
  SQLite template (the first builds it under a file lock); each worker has its own data folder and
  PostgreSQL server, so no two workers share a port or a file they write.
* ``empty_url`` is a fresh, empty database per engine; ``tiny_csv_dir`` a small
  generated CSV folder with every table; ``copy_csv_dir`` copies a CSV folder
  into a temporary one that a test may corrupt.

Tests never touch the developer's ``data/`` folder: the session points
``LONGGANG_DATA_DIR`` at a temporary folder and drops any ``DATABASE_URL``.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = Path(__file__).resolve().parent
for _path in (REPO_ROOT, TESTS_DIR):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from import_db import copy_sqlite, pg_copy  # noqa: E402
from pg_server import NOT_FOUND_REASON, PgNotFound, PgServer  # noqa: E402
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String  # noqa: E402

from data_access import auth, schema  # noqa: E402
from data_access.database import DEFAULT_SQLITE_NAME, Database, make_engine  # noqa: E402
from data_access.loader import SAMPLE_DIR, ensure_database, load_csv_dir  # noqa: E402

_saved_env: dict[str, str | None] = {}
_session_data_dir: str | None = None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def pytest_configure(config: pytest.Config) -> None:
    """Before any test module is imported: a private data folder, no DATABASE_URL, and no
    users file (a developer's config/users.toml would put every AppTest behind the login form)."""
    global _session_data_dir
    _session_data_dir = tempfile.mkdtemp(prefix="longgang-test-data-")
    for name in ("LONGGANG_DATA_DIR", "DATABASE_URL", "LONGGANG_USERS_FILE"):
        _saved_env[name] = os.environ.get(name)
    os.environ["LONGGANG_DATA_DIR"] = _session_data_dir
    os.environ["LONGGANG_USERS_FILE"] = os.path.join(_session_data_dir, "no-users.toml")
    os.environ.pop("DATABASE_URL", None)
    # A run ended by SIGTERM (a timeout, say) still tears down: the PostgreSQL server
    # is stopped and the temporary folders are removed.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # A worker gets that SIGTERM when the pytest that started it dies in any way, SIGKILL included:
        # it tears down, and the servers it started die with it.
        from bench.browser_support import die_with_parent

        die_with_parent(signal.SIGTERM)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if _session_data_dir:
        shutil.rmtree(_session_data_dir, ignore_errors=True)


# --- scheduling under pytest-xdist ---------------------------------------------------------

#: The test files that take a minute or more on the 2-core machine (``--durations``), slowest first. Under
#: ``--dist loadfile`` they are handed out before the others (xdist would order files by their number of
#: tests, and these few-but-long files came last: one worker ran the last minutes alone). A file missing
#: here only runs later; a file listed here that no longer exists is ignored.
SLOW_FILES = (
    "tests/test_summaries_incremental.py", "tests/test_loader.py", "tests/test_hardening.py",
    "tests/test_summaries.py", "tests/test_office_files.py", "tests/test_importer.py", "tests/test_privacy.py",
    "tests/test_round_trip.py", "tests/test_auth.py", "tests/test_deck.py", "tests/test_chart_text.py",
)
#: The same for the browser run (``tests/browser`` and ``tests/test_deploy.py``, a run of their own): files
#: that take half a minute or more, slowest first.
SLOW_BROWSER_FILES = (
    "tests/browser/test_mobile_browser.py", "tests/browser/test_pages_browser.py",
    "tests/browser/test_login_browser.py", "tests/browser/test_privacy_browser.py", "tests/test_deploy.py",
    "tests/browser/test_browser_timing.py",
)
#: Files whose tests share no module fixture and run once per engine: each engine's half is its own unit
#: of work, so the two halves run on two workers at once.
SPLIT_BY_ENGINE = ("tests/test_summaries_incremental.py", "tests/test_hardening.py")


def _engine_of(nodeid: str) -> str | None:
    params = nodeid.rpartition("[")[2].rstrip("]") if nodeid.endswith("]") else ""
    return next((e for e in ("sqlite", "postgresql") if e in params.split("-")), None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow files first (see SLOW_FILES), each file's tests in their own order."""
    rank = {path: i for i, path in enumerate(SLOW_FILES + SLOW_BROWSER_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under ``--dist loadfile``: files in collection order (slow first), SPLIT_BY_ENGINE's halves apart."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SlowFirstFileScheduling(LoadFileScheduling):
        def __init__(self, config, log=None):
            super().__init__(config, log)
            config.option.loadscopereorder = False  # keep the collection's order: slow files first

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            engine = _engine_of(nodeid) if path in SPLIT_BY_ENGINE else None
            return f"{path}[{engine}]" if engine else path

    return SlowFirstFileScheduling(config, log)


# --- CSV folders ----------------------------------------------------------------------


def _tiny_value(column, i: int) -> str:
    kind = column.type
    if isinstance(kind, DateTime):
        return f"2023-0{i % 9 + 1}-15 08:{i % 60:02d}:05"
    if isinstance(kind, Date):
        return f"2023-0{i % 9 + 1}-{i % 28 + 1:02d}"
    if isinstance(kind, Boolean):
        return "true" if i % 2 else "false"
    if isinstance(kind, Integer):
        return str(i + 1)
    if isinstance(kind, Float):
        return f"{i + 0.25}"
    if isinstance(kind, String):
        if kind.length is None:  # Text: non-ASCII, a comma and a quote to test the CSV round trip
            return f'测试、{column.table.name} "{i}", 第{i}行'
        return f"{column.name}-{i}"[-kind.length:]
    raise TypeError(f"no tiny value for {column.type!r}")


def write_tiny_csv_dir(folder: Path, rows: int = 3) -> Path:
    """A CSV folder for every table of the schema, ``rows`` consistent rows each.

    Row 0 leaves every nullable column empty (NULL); foreign keys point at the
    parent's row of the same number, so the folder loads on both engines.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[dict[str, str]]] = {}
    for table in schema.DATA_TABLES:
        table_rows = []
        for i in range(rows):
            row = {}
            for column in table.columns:
                fks = list(column.foreign_keys)
                if i == 0 and column.nullable and not column.primary_key:
                    row[column.name] = ""
                elif fks:
                    target = fks[0].column
                    row[column.name] = written[target.table.name][i][target.name]
                else:
                    row[column.name] = _tiny_value(column, i)
            table_rows.append(row)
        written[table.name] = table_rows
        with open(folder / f"{table.name}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=[c.name for c in table.columns])
            writer.writeheader()
            writer.writerows(table_rows)
    return folder


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty users file of the test's own, which auth reads through its environment variable."""
    path = tmp_path / "users.toml"
    monkeypatch.setenv(auth.USERS_FILE_ENV, str(path))
    return path


@pytest.fixture
def tiny_csv_dir(tmp_path: Path) -> Path:
    """A small generated CSV folder with every table (3 rows each)."""
    return write_tiny_csv_dir(tmp_path / "tiny_csv")


@pytest.fixture
def copy_csv_dir(tmp_path: Path) -> Callable[..., Path]:
    """``copy_csv_dir(src=SAMPLE_DIR)`` copies a folder's CSVs into a temporary folder."""

    def copy(src: Path = SAMPLE_DIR) -> Path:
        dest = tmp_path / f"csv_copy_{len(list(tmp_path.glob('csv_copy_*')))}"
        dest.mkdir()
        for path in Path(src).glob("*.csv"):
            shutil.copy2(path, dest / path.name)
        return dest

    return copy


# --- PostgreSQL -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL server: skipped without binaries, failed so under CI=true."""
    try:
        server = PgServer()
    except PgNotFound:
        if in_ci():
            pytest.fail(f"{NOT_FOUND_REASON} (CI=true: PostgreSQL tests must run)", pytrace=False)
        pytest.skip(NOT_FOUND_REASON)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def new_pg_url(pg_server: PgServer) -> Callable[[], str]:
    """``new_pg_url()`` creates an empty database on the test server and returns its URL."""
    return pg_server.create_database


# --- loaded databases -----------------------------------------------------------------

PG_SAMPLE_TEMPLATE = "sample_template"


@pytest.fixture(scope="session")
def sample_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file holding the sample, loaded once per test run: under pytest-xdist in the run's
    shared temporary folder, built by the first worker under a file lock and read by the others."""
    folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = folder.parent  # the run's folder, above each worker's own (popen-gw0, popen-gw1 …)
    path = folder / "sample-template.sqlite3"
    with FileLock(f"{path}.lock"):
        if not path.exists():
            building = folder / "sample-template.sqlite3.building"
            building.unlink(missing_ok=True)
            engine = make_engine(f"sqlite:///{building}")
            try:
                load_csv_dir(engine, SAMPLE_DIR)
            finally:
                engine.dispose()
            os.replace(building, path)
    return path



@pytest.fixture(scope="session")
def sqlite_db(sample_sqlite_template: Path) -> Iterator[Database]:
    """The session's default SQLite file (in the temporary ``LONGGANG_DATA_DIR``), a copy of the
    sample: the very file AppTests of ``app.py`` open, so both see one data set."""
    assert _session_data_dir is not None
    path = Path(_session_data_dir) / DEFAULT_SQLITE_NAME
    copy_sqlite(sample_sqlite_template, path)
    database = Database(ensure_database(f"sqlite:///{path}"))  # loaded already: ensure only checks
    # The copy replaced whatever file an earlier test's app had opened, and the template (a plain load)
    # has no operational tables: create them, since that app's process remembers having created them.
    schema.ops_metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def pg_sample_template(pg_server: PgServer) -> str:
    """The name of a database on the test server holding the sample, loaded once; never opened
    after the load, so ``CREATE DATABASE … TEMPLATE`` can copy it."""
    engine = make_engine(pg_server.create_database(PG_SAMPLE_TEMPLATE))
    try:
        load_csv_dir(engine, SAMPLE_DIR)
    finally:
        engine.dispose()
    return PG_SAMPLE_TEMPLATE


@pytest.fixture(scope="session")
def pg_db(pg_server: PgServer, pg_sample_template: str) -> Iterator[Database]:
    database = Database(pg_copy(pg_server, pg_sample_template, "sample"))
    yield database
    database.dispose()


_ENGINE_FIXTURES = {"sqlite": "sqlite_db", "postgresql": "pg_db"}


@pytest.fixture(params=list(_ENGINE_FIXTURES))
def db(request: pytest.FixtureRequest) -> Database:
    """The sample data loaded into each engine in turn (ids ``sqlite``, ``postgresql``)."""
    return request.getfixturevalue(_ENGINE_FIXTURES[request.param])


@pytest.fixture(params=list(_ENGINE_FIXTURES))
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each engine in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return request.getfixturevalue("new_pg_url")()


@pytest.fixture(autouse=True)
def fresh_streamlit_caches():
    """Every test starts and ends with empty st.cache_data, so no figure leaks between tests."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()
