"""Fresh copies of the sample database for import tests (never the shared session databases).

The sample is loaded once per engine into a template (an SQLite file, a PostgreSQL
database) and each test gets its own copy: SQLite's online backup (``sqlite3.Connection.backup``,
page by page, no re-import), or ``CREATE DATABASE … TEMPLATE``.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from data_access import schema
from data_access.database import Database, make_engine
from data_access.loader import SAMPLE_DIR, load_csv_dir

_templates: dict[str, str] = {}


def _sqlite_template() -> Path:
    if "sqlite" not in _templates:
        folder = Path(tempfile.mkdtemp(prefix="longgang-import-template-"))
        path = folder / "template.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        load_csv_dir(engine, SAMPLE_DIR)
        engine.dispose()
        _templates["sqlite"] = str(path)
    return Path(_templates["sqlite"])


def _pg_copy(pg_server, name: str) -> str:
    import psycopg

    if "postgresql" not in _templates:
        url = pg_server.create_database("import_template")
        engine = make_engine(url)
        load_csv_dir(engine, SAMPLE_DIR)
        engine.dispose()
        _templates["postgresql"] = "import_template"
    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_templates["postgresql"]}"')
    return pg_server.url(name)


_counter = [0]


def fresh_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new copy of the sample database on ``engine_name``."""
    if engine_name == "sqlite":
        path = tmp_path / "import.sqlite3"
        with sqlite3.connect(_sqlite_template()) as source, sqlite3.connect(path) as target:
            source.backup(target)
        source.close(), target.close()
        return f"sqlite:///{path}"
    pg_server = request.getfixturevalue("pg_server")
    _counter[0] += 1
    return _pg_copy(pg_server, f"import_copy_{_counter[0]}")


def table_fingerprint(db: Database) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of the rows (in key order) of every table, dataset_info included."""
    out = {}
    with db.engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            stmt = select(*table.columns).order_by(*table.primary_key.columns)
            digest = hashlib.sha256()
            count = 0
            for row in conn.execute(stmt):
                digest.update(repr(tuple(_normal(v) for v in row)).encode("utf-8"))
                count += 1
            out[table.name] = (count, digest.hexdigest())
    return out


def _normal(value):
    if isinstance(value, float):
        return round(value, 6)
    return str(value) if value is not None else None
