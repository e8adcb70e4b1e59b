"""Round trip (issue 25): every list of stored records a page lets an office download imports back unchanged,
in either language.

Each page is run headless (tests/page_downloads.py); its download buttons are captured where the page hands
them their table (components.downloads.csv_download), the CSV and XLSX bytes are built by the same functions
the buttons use, and the file is imported with ``dry_run=True``: every row found, none new, none changed, on
SQLite and PostgreSQL. A record download is the same file in English as in Chinese (the template's headers
and the stored values, docs/exports.md), so the English one imports back too.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from import_db import fresh_url
from page_downloads import RECORD_VIEWS, STREET, page_downloads
from sqlalchemy import select

from components.exports import csv_bytes, export_filters, xlsx_bytes
from data_access import importer, schema
from data_access.database import Database
from data_access.import_specs import SPECS

#: download stem (a project's detail ends in its code) -> import area, for each page download of stored records
RECORD_DOWNLOADS = {
    "requests_export": "requests",
    "stalest_open_requests": "requests",
    "projects": "projects",
    "overdue_projects": "projects",
    "stalled_projects": "projects",
    "milestones_": "milestones",
    "resources_resource_list": "resources",
    "resources_service_list": "resources",
    "resources_unused": "resources",
    "resources_venues": "venues",
}


def project_code(db: Database) -> str:
    """A project of the street the pages are run for (its detail has the milestones list)."""
    P, C = schema.projects, schema.communities
    return db.scalar(select(P.c.code).join(C, C.c.code == P.c.community_code)
                     .where(C.c.street_code == STREET).order_by(P.c.code).limit(1))


def downloaded(lang: str, db: Database, stem: str):
    found = page_downloads(lang, project_code(db), RECORD_VIEWS)
    matches = [name for name in found if name == stem or (stem.endswith("_") and name.startswith(stem))]
    assert matches, f"the pages offered no {stem} download ({lang}); found {sorted(found)}"
    return found[matches[0]]


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


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("stem", list(RECORD_DOWNLOADS))
def test_a_downloaded_list_imports_back_unchanged(sqlite_db, database, stem, lang):
    download = downloaded(lang, sqlite_db, stem)
    frame, headers = download.frame, download.headers
    assert download.lang == lang and len(frame) > 0
    area = RECORD_DOWNLOADS[stem]
    spec = SPECS[area]
    assert all(name in frame.columns for name in spec.natural_key)
    template = {c.name: c.zh for c in spec.columns}
    assert {c: h for c, h in headers.items() if c in template} == {c: template[c] for c in frame if c in template}
    extra = [headers[c] for c in frame.columns if c not in template]
    for kind, data in files(frame, headers, stem, lang).items():
        report = importer.import_bytes(database.engine, area, data, f"{stem}.{kind}", dry_run=True)
        assert report.ok, (kind, report.problems[:5])
        assert (report.rows_read, report.inserted, report.updated, report.unchanged) == \
            (len(frame), 0, 0, len(frame)), (kind, report.notes)
        ignored = [n for n in report.notes if n.key == "ignored_columns"]
        assert [n.values["columns"] for n in ignored] == ([extra] if extra else [])


@pytest.mark.parametrize("stem", list(RECORD_DOWNLOADS))
def test_a_record_download_is_the_same_file_in_both_languages(sqlite_db, stem):
    chinese, english = downloaded("zh", sqlite_db, stem), downloaded("en", sqlite_db, stem)
    assert english.headers == chinese.headers
    assert english.frame.equals(chinese.frame)


def test_the_venue_list_carries_every_column_of_a_venue(sqlite_db):
    venues = downloaded("zh", sqlite_db, "resources_venues")
    assert {c.name for c in SPECS["venues"].columns} <= set(venues.frame.columns)
    assert venues.headers["code"] == "阵地编码" and venues.frame["code"].str.match(r"^V\d+$").all()
