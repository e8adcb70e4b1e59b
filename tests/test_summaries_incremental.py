"""The incremental summary refresh after an import gives the very tables a full rebuild gives, on both
engines, after a mixed series of imports (new requests, changed ones, requests that move between
communities, statuses and months, and the other areas' templates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from import_db import fresh_url, table_fingerprint

from bench.incremental_import import changed_requests_csv
from data_access import importer, schema, summaries
from data_access.database import Database
from data_access.import_specs import SPECS

SUMMARY_NAMES = {table.name for table in schema.SUMMARY_TABLES}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_db(request, tmp_path):
    database = Database(fresh_url(request.param, request, tmp_path))
    yield database
    database.dispose()


def summary_tables(db: Database) -> dict:
    return table_fingerprint(db, SUMMARY_NAMES)


def rebuilt(db: Database) -> dict:
    with db.engine.begin() as conn:
        summaries.refresh(conn)
    return summary_tables(db)


def test_incremental_and_full_refresh_agree_after_mixed_imports(fresh_db, monkeypatch):
    ways = []
    original = summaries.refresh_changes
    monkeypatch.setattr(summaries, "refresh_changes", lambda conn, changes: ways.append(original(conn, changes)))
    # each file: new rows, status changes, community moves, month moves; in one street (the district's
    # rows from its streets' sums) or across the district
    for offset, street in enumerate(["440307003", "440307016", None, "440307003", None]):
        data = changed_requests_csv(fresh_db.engine, 40, offset=offset, street=street)
        report = importer.import_bytes(fresh_db.engine, "requests", data, f"changed-{offset}.csv")
        assert report.ok and report.inserted == 10 and report.updated == 30, report.problems[:3]
    # a request moved twice (community and status, then back) and a file that changes nothing
    again = changed_requests_csv(fresh_db.engine, 40, offset=2)
    assert importer.import_bytes(fresh_db.engine, "requests", again, "again.csv").ok
    assert importer.import_bytes(fresh_db.engine, "requests", again, "same.csv").unchanged == 40
    assert ways == ["incremental"] * 6 + ["none"]
    incremental = summary_tables(fresh_db)
    assert incremental == rebuilt(fresh_db)


def test_other_areas_rebuild_only_their_parts_and_agree(fresh_db, monkeypatch):
    ways = []
    original = summaries.refresh_changes
    monkeypatch.setattr(summaries, "refresh_changes", lambda conn, changes: ways.append(original(conn, changes)))
    for area in SPECS:
        if area == "requests":
            continue
        report = importer.import_bytes(fresh_db.engine, area, importer.template_xlsx(area), f"{area}.xlsx")
        assert report.ok, (area, report.problems)
    assert "incremental" in ways
    assert summary_tables(fresh_db) == rebuilt(fresh_db)


def test_a_moved_data_range_rebuilds_everything(fresh_db, monkeypatch):
    """A request the day after the reference date moves every span's end: the import rebuilds in full."""
    ways = []
    original = summaries.refresh_changes
    monkeypatch.setattr(summaries, "refresh_changes", lambda conn, changes: ways.append(original(conn, changes)))
    later = date.fromisoformat(fresh_db.dataset_info()["reference_date"]) + timedelta(days=1)
    row = dict(SPECS["requests"].example, id="RLATE0001", submitted_at=f"{later} 09:00:00", status="待受理",
               accepted_at="", resolved_at="", closed_at="")
    header = [c.name for c in SPECS["requests"].columns]
    data = (",".join(header) + "\n" + ",".join(str(row[h]) for h in header) + "\n").encode("utf-8")
    report = importer.import_bytes(fresh_db.engine, "requests", data, "late.csv")
    assert report.ok, report.problems
    assert ways == ["full"] and fresh_db.dataset_info()["reference_date"] == later.isoformat()
    assert summary_tables(fresh_db) == rebuilt(fresh_db)
