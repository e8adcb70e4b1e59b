"""Load ``sample_data/*.csv`` into the database, all at once or not at all.

* :func:`load_csv_dir` replaces every table of :mod:`data_access.schema` with the
  rows of a folder of CSVs in one transaction: any error rolls the whole load
  back and leaves what was stored before untouched.
* :func:`ensure_database` makes sure the database the app is about to use holds
  data. The embedded SQLite file is built in a temporary file beside it and
  moved into place, under a file lock, so a half-built file is never visible and
  two sessions starting at once build it once. On PostgreSQL, an advisory lock
  keeps two replicas from loading at the same time.

Run ``python -m data_access.loader`` to build the database if it is missing, or
``python -m data_access.loader --reload`` to rebuild it from ``sample_data/``.
This module never imports Streamlit.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from data_access import schema, summaries
from data_access.bulk import bound_column, insert_columns
from data_access.database import REPO_ROOT, default_sqlite_path, lift_statement_timeout, make_engine, normalise_url

SAMPLE_DIR = REPO_ROOT / "sample_data"

#: ``pg_advisory_xact_lock`` key held while loading, so two replicas never load at once.
PG_LOAD_LOCK_KEY = 0x4C47_4C4F  # "LGLO"

#: How long a session waits for another process building the SQLite file.
SQLITE_BUILD_WAIT_S = 600

_TMP_PREFIX = "."  # temporary build files: ".<name>.<random>.tmp" beside the database
_TMP_SUFFIX = ".tmp"


class LoadError(RuntimeError):
    """The CSV folder could not be loaded; nothing was changed."""


@dataclass
class LoadResult:
    """What one load stored."""

    source: str
    loaded_at: str
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def row_count(self) -> int:
        return sum(self.rows.values())


# --- reading and converting CSV values -----------------------------------------


def _to_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(f"not true/false: {value!r}")


def _to_float(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _to_datetime(value: str) -> datetime:
    # fromisoformat is some 50 times faster than strptime; the length check keeps
    # out the other ISO forms it accepts (dates alone, fractions, time zones).
    if len(value) != 19 or value[10] not in " T":
        raise ValueError(f"not YYYY-MM-DD HH:MM:SS: {value!r}")
    return datetime.fromisoformat(value)


def _to_date(value: str) -> date:
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(f"not YYYY-MM-DD: {value!r}")
    return date.fromisoformat(value)


def _converter(column) -> tuple[Callable[[str], object] | None, str]:
    """The function turning a non-empty CSV cell into a value of ``column``'s type."""
    kind = column.type
    # DateTime before Date, Boolean before Integer: check the most specific first.
    if isinstance(kind, DateTime):
        return _to_datetime, "datetime YYYY-MM-DD HH:MM:SS"
    if isinstance(kind, Date):
        return _to_date, "date YYYY-MM-DD"
    if isinstance(kind, Boolean):
        return _to_bool, "boolean true/false"
    if isinstance(kind, Integer):
        return int, "integer"
    if isinstance(kind, Float):
        return _to_float, "number"
    if isinstance(kind, String):  # Text is a String
        return None, "text"
    raise LoadError(f"{column.table.name}.{column.name}: no CSV conversion for type {kind!r}")


def _convert_column(column, values: list[str], csv_name: str) -> list[object]:
    convert, what = _converter(column)
    if convert is None:
        return [None if v == "" else v for v in values]
    try:
        return [None if v == "" else convert(v) for v in values]
    except ValueError:
        pass
    for row_number, value in enumerate(values, start=1):  # find the culprit for the message
        if value == "":
            continue
        try:
            convert(value)
        except ValueError:
            raise LoadError(
                f"{csv_name}: data row {row_number}: column {column.name!r}: "
                f"cannot read {value!r} as {what}"
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class TableData:
    """One CSV, column by column: the typed values and the cells as read."""

    names: list[str]
    values: list[list]
    texts: list[list[str]]

    @property
    def row_count(self) -> int:
        return len(self.texts[0]) if self.texts else 0


def read_table_csv(table, csv_dir: Path) -> TableData:
    """Read and check ``csv_dir/<table>.csv``, converting each cell to its column's type."""
    path = Path(csv_dir) / f"{table.name}.csv"
    if not path.is_file():
        raise LoadError(f"{path}: missing (every table of the schema needs its CSV)")
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig"
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise LoadError(f"{path.name}: cannot read CSV: {exc}") from exc
    header = list(frame.columns)
    expected = [c.name for c in table.columns]
    if sorted(header) != sorted(expected) or len(header) != len(set(header)):
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        raise LoadError(
            f"{path.name}: header does not match table {table.name!r}: "
            f"missing {missing}, unexpected {extra}"
        )
    texts = [frame[name].tolist() for name in expected]
    values = [
        _convert_column(table.c[name], cells, path.name)
        for name, cells in zip(expected, texts, strict=True)
    ]
    return TableData(expected, values, texts)


# --- writing ---------------------------------------------------------------------


#: For SQLite: turn a checked CSV date or datetime straight into SQLAlchemy's storage
#: string, several times faster than formatting the parsed value. Used only where
#: SQLAlchemy's own bind processor gives the same string for the probe.
_SQLITE_TEXT_FORMATS: list[tuple[type, str, Callable[[str], object], Callable[[str], str]]] = [
    (DateTime, "2023-04-05 06:07:08", _to_datetime, lambda t: f"{t[:10]} {t[11:19]}.000000"),
    (Date, "2023-04-05", _to_date, lambda t: t),
]


def _sqlite_columns(conn: Connection, table, data: TableData) -> list[list]:
    """Column values as SQLAlchemy would bind them on SQLite (dates as its strings)."""
    dialect = conn.dialect
    out = []
    for name, values, texts in zip(data.names, data.values, data.texts, strict=True):
        kind = table.c[name].type
        proc = kind.dialect_impl(dialect).bind_processor(dialect)
        for base, probe, parse, fast in _SQLITE_TEXT_FORMATS:
            if proc is not None and isinstance(kind, base) and proc(parse(probe)) == fast(probe):
                out.append([fast(t) if t else None for t in texts])
                break
        else:
            out.append(bound_column(conn, table.c[name], values))
    return out


def _insert_rows(conn: Connection, table, data: TableData) -> None:
    """Insert the rows on ``conn``, inside its transaction."""
    if conn.dialect.name == "sqlite":
        insert_columns(conn, table, data.names, _sqlite_columns(conn, table, data), bound=True)
    else:
        insert_columns(conn, table, data.names, data.values)


def _begin_sqlite_transaction(conn: Connection) -> None:
    """Make the DDL part of the transaction too: pysqlite only BEGINs before DML."""
    dbapi_conn = conn.connection.dbapi_connection
    if not dbapi_conn.in_transaction:
        conn.exec_driver_sql("BEGIN")


def _stored_loaded_at(conn: Connection) -> str | None:
    """``loaded_at`` from ``dataset_info``, or None where there is none."""
    if not inspect(conn).has_table(schema.dataset_info.name):
        return None
    info = schema.dataset_info
    return conn.execute(select(info.c.value).where(info.c.key == "loaded_at")).scalar()


def load_csv_dir(engine: Engine, csv_dir: Path | str = SAMPLE_DIR, *,
                 skip_if_loaded: bool = False) -> LoadResult | None:
    """Replace every table with the rows of ``csv_dir/<table>.csv``, in one transaction.

    With ``skip_if_loaded``, do nothing (and return None) if, once the load lock
    is held, the database turns out to be loaded already.
    """
    csv_dir = Path(csv_dir)
    if not csv_dir.is_dir():
        raise LoadError(f"{csv_dir}: no such folder")
    started = time.perf_counter()
    result = LoadResult(source=csv_dir.name, loaded_at="", seconds=0.0)
    try:
        with engine.begin() as conn:
            backend = conn.dialect.name
            if backend == "sqlite":
                _begin_sqlite_transaction(conn)
            elif backend == "postgresql":
                lift_statement_timeout(conn)
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOAD_LOCK_KEY})
            if skip_if_loaded and _stored_loaded_at(conn):
                return None
            schema.metadata.drop_all(conn)
            schema.metadata.create_all(conn)
            for table in schema.DATA_TABLES:
                data = read_table_csv(table, csv_dir)
                try:
                    _insert_rows(conn, table, data)
                except (SQLAlchemyError, conn.dialect.loaded_dbapi.Error) as exc:
                    # DB-API errors come straight from the raw cursor (COPY, executemany)
                    raise LoadError(f"{table.name}.csv: {_short(exc)}") from exc
                result.rows[table.name] = data.row_count
            summaries.refresh(conn)
            result.loaded_at = datetime.now(UTC).isoformat(timespec="microseconds")
            conn.execute(
                schema.dataset_info.insert(),
                [
                    {"key": "loaded_at", "value": result.loaded_at},
                    {"key": "source", "value": result.source},
                    {"key": "row_count", "value": str(result.row_count)},
                ],
            )
    except SQLAlchemyError as exc:
        raise LoadError(f"loading {csv_dir}: {_short(exc)}") from exc
    result.seconds = time.perf_counter() - started
    return result


def _short(exc: BaseException) -> str:
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return first[0] if first else type(exc).__name__


# --- making sure the database is there ---------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise LoadError(f"{url}: the loader needs an SQLite database file")
    return Path(database)


def _sqlite_file_loaded(path: Path) -> bool:
    """True if ``path`` is an SQLite file with a ``loaded_at`` row (read-only check)."""
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT value FROM dataset_info WHERE key = 'loaded_at'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return bool(row and row[0])


def _build_sqlite(path: Path, csv_dir: Path) -> LoadResult:
    """Build into a temporary file beside ``path``, then move it into place."""
    fd, tmp_name = tempfile.mkstemp(
        prefix=f"{_TMP_PREFIX}{path.name}.", suffix=_TMP_SUFFIX, dir=path.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        engine = make_engine(f"sqlite:///{tmp}")
        try:
            result = load_csv_dir(engine, csv_dir)
            if path.exists():
                _carry_ops_records(engine, tmp, path)
        finally:
            engine.dispose()
        try:
            _copy_sqlite(tmp, path) if path.exists() else os.replace(tmp, path)
        except sqlite3.DatabaseError:  # not a database: nobody can have it open as one
            os.replace(tmp, path)
    finally:
        for leftover in (tmp, *(Path(f"{tmp}{suffix}") for suffix in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
    assert result is not None
    return result


def _carry_ops_records(engine: Engine, build: Path, live: Path) -> None:
    """Copy the live file's records of what people and jobs did (``schema.ops_metadata``: the audit
    trail, alerts, follow-ups, sends, login locks, sessions) into the new build before it replaces the
    file: the PostgreSQL load keeps those tables, and a rebuilt SQLite file must not erase them either."""
    schema.ops_metadata.create_all(engine)
    try:
        with contextlib.closing(sqlite3.connect(build, isolation_level=None)) as conn:
            conn.execute("ATTACH DATABASE ? AS live", (str(live),))
            stored = {row[0] for row in conn.execute("SELECT name FROM live.sqlite_master WHERE type = 'table'")}
            conn.execute("BEGIN")
            for table in schema.ops_metadata.sorted_tables:
                if table.name not in stored:
                    continue
                kept = {row[1] for row in conn.execute(f'PRAGMA live.table_info("{table.name}")')}
                columns = ", ".join(f'"{c.name}"' for c in table.columns if c.name in kept)
                conn.execute(f'INSERT INTO main."{table.name}" ({columns}) SELECT {columns} FROM live."{table.name}"')
            conn.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        if "not a database" not in str(error):
            raise  # the build fails and the live file stays as it is: nothing is lost
        # the file there is not a database: the caller moves the build over it


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy a database into a live file through SQLite's backup API: in WAL mode a file moved over
    one that apps have open would meet their ``-wal``/``-shm`` files and be corrupted; the backup
    writes in one transaction that readers see whole."""
    with sqlite3.connect(source) as src, sqlite3.connect(target, timeout=60) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _remove_stale_builds(path: Path) -> None:
    """Temporary files a killed build left behind (we hold the lock: none is live)."""
    for stale in path.parent.glob(f"{_TMP_PREFIX}{path.name}.*{_TMP_SUFFIX}*"):
        stale.unlink(missing_ok=True)


def _prepare_sqlite(path: Path, csv_dir: Path, reload: bool) -> LoadResult | None:
    if not reload and _sqlite_file_loaded(path):
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(f"{path}.lock", timeout=SQLITE_BUILD_WAIT_S)
    try:
        with lock:
            if not reload and _sqlite_file_loaded(path):  # another process built it meanwhile
                return None
            _remove_stale_builds(path)
            return _build_sqlite(path, csv_dir)
    except Timeout:
        raise LoadError(
            f"{path}: another process has been building the database for over "
            f"{SQLITE_BUILD_WAIT_S} s (lock file {lock.lock_file})"
        ) from None


def _prepare_server(url: str, csv_dir: Path, reload: bool) -> LoadResult | None:
    engine = make_engine(url)
    try:
        if not reload:
            try:
                with engine.connect() as conn:
                    if _stored_loaded_at(conn):
                        return None
            except SQLAlchemyError as exc:
                raise LoadError(
                    f"cannot reach {_display(url)}: {_short(exc)}"
                ) from exc
        # Under the advisory lock, the load re-checks: another replica may have won.
        return load_csv_dir(engine, csv_dir, skip_if_loaded=not reload)
    finally:
        engine.dispose()


def prepare_database(url: str | None = None, *, csv_dir: Path | str = SAMPLE_DIR,
                     reload: bool = False) -> tuple[str, LoadResult | None]:
    """Load the database if it holds no data (or always, with ``reload``).

    Returns the URL to use and what was loaded (None when nothing needed doing).
    """
    if url is None:
        url = os.environ.get("DATABASE_URL") or None
    csv_dir = Path(csv_dir)
    if url is None:
        path = default_sqlite_path()
        return f"sqlite:///{path}", _prepare_sqlite(path, csv_dir, reload)
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return url, _prepare_sqlite(_sqlite_path(url), csv_dir, reload)
    return url, _prepare_server(url, csv_dir, reload)


def ensure_database(url: str | None = None, *, csv_dir: Path | str = SAMPLE_DIR) -> str:
    """The URL of a loaded database: ``url``, ``DATABASE_URL`` or the SQLite default.

    Builds the SQLite file from ``csv_dir`` if it is missing, and loads an empty
    PostgreSQL database; returns at once when the data is there already.
    """
    return prepare_database(url, csv_dir=csv_dir)[0]


# --- command line --------------------------------------------------------------------


def _display(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_access.loader",
        description="Build the database from sample_data/ if it holds no data.",
    )
    parser.add_argument("--reload", action="store_true",
                        help="rebuild from the CSVs even if the database is loaded")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL, else the SQLite file)")
    parser.add_argument("--csv-dir", type=Path, default=SAMPLE_DIR,
                        help=f"folder of <table>.csv files (default: {SAMPLE_DIR})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        url, result = prepare_database(args.url, csv_dir=args.csv_dir, reload=args.reload)
    except (LoadError, OSError, SQLAlchemyError) as exc:
        print(f"data_access.loader: failed: {exc}", file=sys.stderr)
        return 1
    if result is None:
        print(f"already loaded: {_display(url)} "
              f"(checked in {time.perf_counter() - started:.2f} s)")
    else:
        print(f"loaded {result.row_count:,} rows in {len(result.rows)} tables "
              f"from {result.source} into {_display(url)} in {result.seconds:.2f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
