"""data_access.bulk: rows written through the cursor read back as SQLAlchemy wrote them, on both engines."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Column, Date, DateTime, Float, MetaData, String, Table, create_engine, select

from data_access.bulk import array_literal, insert_columns, upsert_columns

metadata = MetaData()
counts = Table(
    "bulk_counts", metadata,
    Column("unit", String(12), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("value", Float),
    Column("seen_at", DateTime),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'bulk.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue(
        "new_pg_url")()
    engine = create_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(counts).order_by(counts.c.unit, counts.c.day))]


def test_an_upsert_updates_the_rows_it_finds_by_key_and_inserts_the_others(engine):
    names = ["unit", "day", "value", "seen_at"]
    with engine.begin() as conn:
        insert_columns(conn, counts, names, [["a", "b"], [date(2023, 1, 1), date(2023, 1, 1)], [1.5, None],
                                              [datetime(2023, 1, 1, 8, 0), None]])
    with engine.begin() as conn:
        upsert_columns(conn, counts, ["unit", "day"], names,
                       [["b", "c", "d"], [date(2023, 1, 1), date(2023, 2, 1), date(2023, 2, 1)], [2.25, None, 3],
                        [pd.Timestamp("2023-03-04 05:06:07"), None, datetime(2023, 2, 1)]])
        upsert_columns(conn, counts, ["unit", "day"], names, [[], [], [], []])  # nothing to write
    assert _rows(engine) == [
        ("a", date(2023, 1, 1), 1.5, datetime(2023, 1, 1, 8, 0)),
        ("b", date(2023, 1, 1), 2.25, datetime(2023, 3, 4, 5, 6, 7)),
        ("c", date(2023, 2, 1), None, None),
        ("d", date(2023, 2, 1), 3.0, datetime(2023, 2, 1)),  # an integer among a float column's values
    ]
    # a row written through the cursor is found by SQLAlchemy's own comparison of its key
    with engine.connect() as conn:
        assert conn.execute(select(counts.c.value).where(counts.c.day == date(2023, 2, 1))
                            .order_by(counts.c.unit)).all() == [(None,), (3.0,)]


def test_array_literals_read_back_as_the_values_on_postgresql(pg_db):
    """Quotes, backslashes, commas, braces, NULL, empty text, floats (numpy's too), dates and timestamps come
    back as they went in: the percentile walks' keys and the summary rows' keys must compare exactly."""
    texts = ['a"b', "c\\d", "e,f", "{g}", None, "", "R2023-0001"]
    stamps = [datetime(2023, 1, 1), None, datetime(2023, 10, 31, 23, 59, 59, 123456)]
    floats = [1.5, None, 0.1, np.float64(2 / 3), 1e-7]
    with pg_db.engine.connect() as conn:  # the session's database: its connection goes back to the pool clean
        plain = ["R2023-0001", "", "e,f", "{g}", "NULL", " x "]  # strings only: joined at once
        for values, cast in ((texts, "text"), (plain, "text"), (['a"b', "c"], "text"), (stamps, "timestamp"),
                             (floats, "float8"), ([1, None, 30], "int"),
                             ([date(2023, 2, 1)], "date"), ([], "text")):
            rows = conn.exec_driver_sql(f"SELECT unnest(%s::{cast}[])", (array_literal(values),)).all()
            assert [row[0] for row in rows] == values
