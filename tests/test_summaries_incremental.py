"""The incremental summary refresh after an import gives the very tables a full rebuild gives, on both
engines, after a mixed series of imports (new requests, changed ones, requests that move between
communities, statuses and months, and the other areas' templates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from import_db import fresh_url, table_fingerprint
from sqlalchemy import func, select, text, update

from bench.incremental_import import changed_requests_csv
from data_access import importer, schema, summaries, summary_rows
from data_access.database import Database
from data_access.domain import REQUEST_OPEN_STATUSES
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


def request_rows_csv(*rows: dict) -> bytes:
    header = [c.name for c in SPECS["requests"].columns]
    lines = [",".join(header)] + [",".join(str(dict(SPECS["requests"].example, **row)[h]) for h in header)
                                  for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_moved_as_of_date_is_patched_and_agrees_with_a_full_rebuild(fresh_db, monkeypatch):
    """A sync's first new day moves the reference ("as of") date, and with it the spans that end on it (all,
    the current year and quarter, their previous spans) and every open request's idle days: patched, not
    rebuilt, and the same tables as a full rebuild. Steps: a request the next day; a status change whose
    resolution is the newest date (no request submitted in the new days); requests in a new quarter and a
    new year (new spans, the old quarter and year complete)."""
    ways = []
    original = summaries.refresh_changes
    monkeypatch.setattr(summaries, "refresh_changes", lambda conn, changes: ways.append(original(conn, changes)))
    reference = date.fromisoformat(fresh_db.dataset_info()["reference_date"])
    spans_before = summary_tables(fresh_db)["summary_spans"][0]
    blank = dict(accepted_at="", resolved_at="", closed_at="", satisfaction="")
    steps = [
        [dict(blank, id="RLATE0001", submitted_at=f"{reference + timedelta(days=1)} 09:00:00", status="待受理")],
        [dict(blank, id="RLATE0001", submitted_at=f"{reference + timedelta(days=1)} 09:00:00", status="已办结",
              accepted_at=f"{reference + timedelta(days=1)} 10:00:00",
              resolved_at=f"{reference + timedelta(days=4)} 16:30:00")],
        [dict(blank, id="RLATE0002", submitted_at="2023-12-30 08:00:00", status="办理中",
              community_code="440307016002", compound_code=""),
         dict(blank, id="RLATE0003", submitted_at="2024-01-03 11:00:00", status="待受理")],
    ]
    expected_reference = [reference + timedelta(days=1), reference + timedelta(days=4), date(2024, 1, 3)]
    for number, (rows, as_of) in enumerate(zip(steps, expected_reference, strict=True)):
        report = importer.import_bytes(fresh_db.engine, "requests", request_rows_csv(*rows), f"late-{number}.csv")
        assert report.ok, report.problems
        assert ways[-1] == "incremental" and fresh_db.dataset_info()["reference_date"] == as_of.isoformat()
        incremental = summary_tables(fresh_db)
        assert incremental == rebuilt(fresh_db), f"step {number}"
    assert summary_tables(fresh_db)["summary_spans"][0] > spans_before  # 2024 and its quarter came in


def test_a_moved_first_date_rebuilds_everything(fresh_db, monkeypatch):
    """A request before the first date moves every previous span: the import rebuilds in full (the "full"
    way is :func:`summaries.refresh` itself, so no second rebuild to compare with: the summaries cover the
    new first date, and the spans that start at the first date start there)."""
    ways = []
    original = summaries.refresh_changes
    monkeypatch.setattr(summaries, "refresh_changes", lambda conn, changes: ways.append(original(conn, changes)))
    earlier = date.fromisoformat(fresh_db.dataset_info()["data_start"]) - timedelta(days=1)
    row = dict(id="REARLY001", submitted_at=f"{earlier} 09:00:00", status="待受理", accepted_at="", resolved_at="",
               closed_at="", satisfaction="")
    report = importer.import_bytes(fresh_db.engine, "requests", request_rows_csv(row), "early.csv")
    assert report.ok, report.problems
    assert ways == ["full"] and fresh_db.dataset_info()["data_start"] == earlier.isoformat()
    assert summary_rows.covered(fresh_db, None)
    with fresh_db.engine.connect() as conn:
        starts = {row.span_start for row in conn.execute(select(schema.summary_spans.c.span_start))}
    assert earlier in {date.fromisoformat(str(start)[:10]) for start in starts}


def test_the_first_import_after_an_upgrade_rebuilds_the_summaries_in_this_versions_layout(fresh_db):
    """Summaries built by a version whose open-request table had no category column: the next import
    rebuilds every summary table in this version's layout instead of failing on the missing column."""
    INFO, OPEN = schema.dataset_info, schema.open_request_summary
    with fresh_db.engine.begin() as conn:
        OPEN.drop(conn)
        conn.execute(text("CREATE TABLE open_request_summary (id VARCHAR(16) PRIMARY KEY, status VARCHAR(6) NOT NULL,"
                          " community_code VARCHAR(12) NOT NULL, submitted_at TIMESTAMP NOT NULL,"
                          " idle_since TIMESTAMP NOT NULL)"))
        conn.execute(update(INFO).where(INFO.c.key == "summary_version").values(value="an earlier layout"))
    assert not summary_rows.covered(fresh_db, None)
    report = importer.import_bytes(fresh_db.engine, "requests", changed_requests_csv(fresh_db.engine, 40), "up.csv")
    assert report.ok, report.problems[:3]
    assert summary_rows.covered(fresh_db, None)
    R = schema.requests
    open_now = fresh_db.scalar(select(func.count()).select_from(R).where(R.c.status.in_(REQUEST_OPEN_STATUSES)))
    stored = fresh_db.frame(select(OPEN.c.id, OPEN.c.category))
    assert len(stored) == open_now > 0 and stored["category"].notna().all()
