"""Row counts of a CSV folder, shared by the fixtures and the loader tests.

A module of its own, not conftest: tests/ and tests/browser/ each have a conftest.py,
and ``from conftest import`` would pick whichever was imported first.
"""

import csv
from pathlib import Path

from data_access import schema


def csv_row_counts(csv_dir: Path) -> dict[str, int]:
    """Data rows in each table's CSV (quoted newlines counted right)."""
    counts = {}
    for table in schema.DATA_TABLES:
        with open(Path(csv_dir) / f"{table.name}.csv", newline="", encoding="utf-8-sig") as f:
            counts[table.name] = sum(1 for _ in csv.reader(f)) - 1
    return counts
