"""Fresh copies of the sample database for import tests (never the shared session databases).

The sample is loaded once per run and engine (``conftest.sample_sqlite_template``,
``conftest.pg_sample_template``) and each test gets its own copy: SQLite's online backup
(``sqlite3.Connection.backup``, page by page, no re-import), or ``CREATE DATABASE … TEMPLATE``.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access import schema, summaries
from data_access.database import Database
from data_access.import_specs import SPECS

_copies = itertools.count(1)


def copy_sqlite(source: Path, target: Path) -> None:
    """``source`` copied to ``target`` page by page with SQLite's online backup (no re-import)."""
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def pg_copy(pg_server, template: str, name: str) -> str:
    """The URL of a new database ``name`` on the test server, a copy of ``template``."""
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return pg_server.url(name)


def fresh_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new copy of the sample database on ``engine_name``."""
    if engine_name == "sqlite":
        path = tmp_path / "import.sqlite3"
        copy_sqlite(request.getfixturevalue("sample_sqlite_template"), path)
        return f"sqlite:///{path}"
    template = request.getfixturevalue("pg_sample_template")
    return pg_copy(request.getfixturevalue("pg_server"), template, f"import_copy_{next(_copies)}")


def table_fingerprint(db: Database, tables=None) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of the rows (in key order) of ``tables`` (names; default every table,
    dataset_info included). The rows come through the DB-API cursor as the driver returns them (no SQLAlchemy
    type processing) and are hashed column-wise by pandas, floats rounded to 6 places: comparable between
    two states of one database (the summaries of an incremental refresh and a full rebuild, say), not
    across engines. Row by row in Python it took seconds per call."""
    wanted = None if tables is None else set(tables)
    out = {}
    with db.engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            if wanted is not None and table.name not in wanted:
                continue
            stmt = select(*table.columns).order_by(*table.primary_key.columns)
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                cursor.execute(str(stmt.compile(dialect=conn.dialect)))
                frame = pd.DataFrame(cursor.fetchall(), columns=[c.name for c in table.columns])
            finally:
                cursor.close()
            for name in frame.columns:
                if pd.api.types.is_float_dtype(frame[name]):
                    frame[name] = frame[name].round(6)
            hashed = pd.util.hash_pandas_object(frame, index=False, categorize=False).to_numpy()
            out[table.name] = (len(frame), hashlib.sha256(hashed.tobytes()).hexdigest())
    return out


def import_fingerprint(db: Database, *areas: str) -> dict[str, tuple]:
    """What an import of ``areas`` could change, to compare before and after: the rows of their tables,
    of dataset_info and of the summary tables refreshed from them (an import writes nothing else), and
    the row count of every other table. Checksumming every table (the request history's 170,000 rows)
    costs seconds per call."""
    names = {SPECS[area].table.name for area in areas}
    content = names | {schema.dataset_info.name, summaries.SPANS.name} | {
        table.name for tables, sources, _build in summaries.PARTS.values() if names & set(sources)
        for table in tables}
    out: dict[str, tuple] = table_fingerprint(db, content)
    with db.engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            if table.name not in content:
                out[table.name] = (conn.execute(select(func.count()).select_from(table)).scalar_one(),)
    return out

