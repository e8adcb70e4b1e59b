"""The raw-row path of the summary-backed queries, for tests that check both paths.

The area modules ask ``summary_rows.covered`` whether the summary tables answer a query;
:func:`raw_rows_only` says no for the duration and fails if any summary table is read all
the same, so a test of the raw path cannot quietly run the summary path twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from data_access import schema, summary_rows
from data_access.database import Database

_SUMMARY_TABLE = re.compile(r"\b(" + "|".join(t.name for t in schema.SUMMARY_TABLES) + r")\b")


@contextmanager
def summary_tables_read(db: Database) -> Iterator[set[str]]:
    """The names of the summary tables the statements run on ``db`` inside the block read."""
    seen: set[str] = set()

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.update(_SUMMARY_TABLE.findall(statement))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@contextmanager
def raw_rows_only(monkeypatch: pytest.MonkeyPatch, db: Database) -> Iterator[None]:
    """Summaries switched off: every query reads the raw rows (asserted at the end of the block)."""
    with monkeypatch.context() as patch, summary_tables_read(db) as seen:
        patch.setattr(summary_rows, "covered", lambda *_a, **_k: False)
        yield
    assert not seen, f"the raw-row path read summary tables: {sorted(seen)}"
