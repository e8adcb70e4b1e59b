"""No page shows an unmasked phone number or full name (issue 26), for every phone and name form.

A copy of the browser server's database gets every form of tests/test_privacy.py in its requests;
a second server runs on it, and each page (the open demo: the district role), each section of the
requests page and the details of requests holding each form are opened. Two things are searched
for the raw values: the page's text (the DOM), and everything the server sent over the WebSocket
(tables are drawn on a canvas, so their cells are in the Arrow data of those messages, not in the
DOM).
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from conftest import START_TIMEOUT_S, streamlit_server, wait_until_done
from sqlalchemy import create_engine, select
from test_privacy import NAME_FORMS, PHONE_FORMS, leaks, write_personal_forms

from bench.browser_support import app_pages, guarded_page
from data_access import schema
from data_access.database import DEFAULT_SQLITE_NAME

#: the requests page's sections (docs/architecture.md): the residents', backlog and export tabs list requests
REQUEST_SECTIONS = ("volumes", "funnel", "responsiveness", "backlog", "residents", "satisfaction", "wishes",
                    "talks", "export")


@pytest.fixture(scope="module")
def masked_server(app_server, app_data_dir, tmp_path_factory):
    """A server on a copy of the browser database whose requests hold every phone and name form; the
    ids of the newest request of each form."""
    data_dir = tmp_path_factory.mktemp("privacy-data")
    source = sqlite3.connect(app_data_dir / DEFAULT_SQLITE_NAME)
    target = sqlite3.connect(data_dir / DEFAULT_SQLITE_NAME)
    source.backup(target)  # a consistent copy while the other server may read
    source.close()
    target.close()
    for extra in app_data_dir.glob("*.geojson"):
        shutil.copy2(extra, data_dir / extra.name)
    engine = create_engine(f"sqlite:///{data_dir / DEFAULT_SQLITE_NAME}")
    with engine.begin() as conn:
        write_personal_forms(conn)
        R = schema.requests
        newest = {}
        for row in conn.execute(select(R.c.id, R.c.requester_phone).order_by(R.c.submitted_at.desc()).limit(400)):
            newest.setdefault(row.requester_phone, row.id)
    engine.dispose()
    assert set(newest) == set(PHONE_FORMS)
    with streamlit_server(data_dir) as url:
        yield url, newest


def _addresses(newest: dict[str, str]) -> list[str]:
    pages = [f"/{page.url_path}" if not page.default else "/" for page in app_pages()]
    sections = [f"/requests?section={section}" for section in REQUEST_SECTIONS]
    details = [f"/requests?request={request_id}" for request_id in list(newest.values())[::3]]
    return pages + sections + details


def test_no_page_shows_an_unmasked_phone_or_name(chromium, masked_server):
    url, newest = masked_server
    page = guarded_page(chromium, START_TIMEOUT_S * 1000)
    received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(
        payload if isinstance(payload, bytes) else payload.encode("utf-8"))))
    shown_masked = 0
    try:
        for address in _addresses(newest):
            received.clear()
            page.goto(f"{url}{address}")
            wait_until_done(page, START_TIMEOUT_S * 1000)
            text = page.locator("body").inner_text()
            assert not leaks(text), f"{address} shows {leaks(text)[:5]}"
            sent = b"".join(received).decode("utf-8", "replace")
            assert not leaks(sent), f"{address} sent {leaks(sent)[:5]}"
            shown_masked += ("170****" in text) or ("****" in sent and "170****" in sent)
    finally:
        page.context.close()
    # the lists and details did carry the forms, masked (so the search above searched something)
    assert shown_masked >= 3
    assert page.external_requests == [] and page.policy_violations == []
    assert NAME_FORMS  # the name forms are searched by leaks() too
