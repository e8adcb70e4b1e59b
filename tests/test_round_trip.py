"""Round trip (issue 25): every raw-record list a page lets an office download imports back unchanged.

Each page is run headless; its download buttons are captured where the page hands them their table
(components.downloads.csv_download), the CSV and XLSX bytes are built by the same functions the
buttons use, and the file is imported with ``dry_run=True``: every row found, none new, none changed,
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from apptest_support import open_app
from import_db import fresh_url

from components import downloads
from components.exports import csv_bytes, export_filters, xlsx_bytes
from data_access import importer
from data_access.database import Database

#: download stem -> import area, for each page download that lists stored records
RECORD_DOWNLOADS = {
    "requests_export": "requests",
    "projects": "projects",
    "resources_resource_list": "resources",
    "resources_service_list": "resources",
}

#: how each download is reached: page, URL parameters, session state to set before a rerun
PAGES = {
    "requests_export": ("pages/requests_page.py", {"section": "export", "street": "440307014"}, {}),
    "projects": ("pages/projects_page.py", {"section": "board"}, {"projects-list": True}),
    "resources_resource_list": ("pages/resources_page.py", {"section": "catalogue"}, {}),
    "resources_service_list": ("pages/resources_page.py", {"section": "catalogue"}, {}),
}


@pytest.fixture(scope="module")
def captured() -> dict[str, tuple]:
    """(table, headers) of every record download, as each page hands them to its buttons."""
    found: dict[str, tuple] = {}
    original = downloads.csv_download

    def record(frame, stem, scope_label, lang, headers=None, key=None, follows_scope=True):
        if stem in RECORD_DOWNLOADS:
            found[stem] = (frame() if callable(frame) else frame.copy(), dict(headers or {}), lang)
        return original(frame, stem, scope_label, lang, headers=headers, key=key, follows_scope=follows_scope)

    downloads.csv_download = record
    try:
        for stem, (page, params, state) in PAGES.items():
            if stem in found:
                continue
            at = open_app(page, timeout=300, **params)
            if state:
                for key, value in state.items():
                    at.session_state[key] = value
                at.run()
                assert not at.exception, [e.message for e in at.exception]
    finally:
        downloads.csv_download = original
    return found


def files(frame, headers, stem: str, lang: str) -> dict[str, bytes]:
    """The CSV and XLSX the two buttons give (components/downloads.py builds them the same way)."""
    filters = export_filters(place="龙岗区", period="全部", as_of=None, lang=lang, rows=len(frame),
                             exported_at=datetime(2023, 11, 1, 9, 0))
    return {"csv": csv_bytes(frame, headers), "xlsx": xlsx_bytes(frame, headers, filters, sheet=stem, lang=lang)}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory, sqlite_db):
    """A copy of the sample data the pages were run on, on each engine, shared by the file's tests:
    they only dry-run imports, which write nothing (tests/test_importer.py checks that)."""
    db = Database(fresh_url(request.param, request, tmp_path_factory.mktemp("round_trip")))
    yield db
    db.dispose()


@pytest.mark.parametrize("stem", list(RECORD_DOWNLOADS))
def test_a_downloaded_list_imports_back_unchanged(captured, database, stem):
    assert stem in captured, f"the page offered no {stem} download"
    frame, headers, lang = captured[stem]
    assert lang == "zh" and len(frame) > 0
    area = RECORD_DOWNLOADS[stem]
    for kind, data in files(frame, headers, stem, lang).items():
        report = importer.import_bytes(database.engine, area, data, f"{stem}.{kind}", dry_run=True)
        assert report.ok, (kind, report.problems[:5])
        assert (report.rows_read, report.inserted, report.updated, report.unchanged) == \
            (len(frame), 0, 0, len(frame)), (kind, report.notes)
        ignored = next(n for n in report.notes if n.startswith("忽略"))
        assert "本类别没有的列（不导入）" in ignored
