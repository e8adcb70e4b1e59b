"""The one place that owns database connections and query limits.

Pages and components never open a connection: they call query functions in the
area modules, which build SQLAlchemy Core statements and hand them to
:meth:`Database.frame`. Like Datasette's ``Database`` class, this keeps limits
(row cap, statement timeout) and dialect quirks in one small class.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.sql import Executable

from data_access import schema

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "data"
DEFAULT_SQLITE_NAME = "longgang.sqlite3"

#: Aggregates are small; a query returning more rows than this is a bug, not a view.
DEFAULT_ROW_LIMIT = 200_000
DEFAULT_TIMEOUT_S = 30


class QueryLimitError(RuntimeError):
    """A query returned more rows than the configured limit."""


def default_sqlite_path() -> Path:
    """Where the embedded database lives; ``LONGGANG_DATA_DIR`` moves it."""
    return Path(os.environ.get("LONGGANG_DATA_DIR", DEFAULT_DATA_DIR)) / DEFAULT_SQLITE_NAME


def database_url() -> str:
    """``DATABASE_URL`` if set, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite_path()}"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, timeout_s: int = DEFAULT_TIMEOUT_S) -> Engine:
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        database = make_url(url).database or ""
        file_database = bool(database) and database != ":memory:" and "mode=memory" not in database
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": timeout_s}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if file_database:
                _use_wal(cursor)
            cursor.close()

        return engine
    if backend == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": f"-c statement_timeout={timeout_s * 1000}"},
        )
    return create_engine(url, pool_pre_ping=True)


def lift_statement_timeout(conn) -> None:
    """No statement timeout for the rest of ``conn``'s transaction (PostgreSQL): the page's limit guards
    readers, but a load or a full summary build reads and writes millions of rows in one statement."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")


def _use_wal(cursor) -> None:
    """Write-ahead logging, so a page's queries read the last committed data while an import or a
    sync writes, instead of waiting for it (rollback-journal readers and writers lock each other out).
    The mode is stored in the file; a read-only connection, or a file another connection holds in
    another mode, keeps its mode (the busy timeout still applies then)."""
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL is durable at every checkpoint; NORMAL skips a sync per commit and stays consistent
        cursor.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.OperationalError:  # pragma: no cover - read-only file or a locked database
        pass


class Database:
    """An engine plus the limits every query runs under."""

    def __init__(self, url: str | None = None, *, row_limit: int = DEFAULT_ROW_LIMIT,
                 timeout_s: int = DEFAULT_TIMEOUT_S):
        self.url = normalise_url(url or database_url())
        self.row_limit = row_limit
        self.engine = make_engine(self.url, timeout_s)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def frame(self, stmt: Executable) -> pd.DataFrame:
        """Run a SELECT and return its rows as a DataFrame, refusing oversized results."""
        columns, rows = self._fetch(stmt)
        return pd.DataFrame(rows, columns=columns)

    def rows(self, stmt: Executable) -> list[tuple]:
        """Run a SELECT and return its rows as plain tuples (no DataFrame for a few values), refusing
        oversized results."""
        return self._fetch(stmt)[1]

    def _fetch(self, stmt: Executable) -> tuple[list[str], list[tuple]]:
        with self.engine.connect() as conn:
            result = conn.execute(stmt)
            columns = list(result.keys())
            rows = result.fetchmany(self.row_limit + 1)
        if len(rows) > self.row_limit:
            raise QueryLimitError(f"query returned more than {self.row_limit} rows")
        # plain tuples: pandas reads SQLAlchemy Row objects one by one, about six times slower
        return columns, [tuple(row) for row in rows]

    def scalar(self, stmt: Executable):
        with self.engine.connect() as conn:
            return conn.execute(stmt).scalar()

    def dataset_info(self) -> dict[str, str]:
        """Bookkeeping written by the loader (load time, source); used to key caches."""
        info = schema.dataset_info
        with self.engine.connect() as conn:
            return {k: v for k, v in conn.execute(select(info.c.key, info.c.value))}

    def dispose(self) -> None:
        self.engine.dispose()
