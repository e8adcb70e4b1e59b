"""Hardening: hostile input is data, a killed import changes nothing, errors show a message and a retry."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from import_db import fresh_url, table_fingerprint
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest
from test_importer import example, zh_file

from data_access import importer, schema
from data_access.database import Database
from data_access.import_specs import KIND_TEXT, SPECS

ROOT = Path(__file__).resolve().parent.parent
INJECTIONS = [
    "'; DROP TABLE projects; --",
    "1' OR '1'='1",
    '<script>alert("x")</script>',
    '<img src=x onerror=alert(1)>',
    "{lang}{0}%s%(x)s",
    "\u202e\x00控制字符",
]
OVERSIZED = "长" * 20_000


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_db(request, tmp_path):
    database = Database(fresh_url(request.param, request, tmp_path))
    yield database
    database.dispose()


# --- import fields ----------------------------------------------------------------------------


def test_injection_and_oversized_values_in_every_import_field_are_data(fresh_db):
    """Every column of every area, given hostile text: a reported problem or stored verbatim; nothing else."""
    before = table_fingerprint(fresh_db)
    for area, spec in SPECS.items():
        for column in spec.columns:
            for value in (INJECTIONS[0], OVERSIZED):
                row = example(area, **{column.name: value})
                report = importer.import_bytes(fresh_db.engine, area, zh_file(area, [row]), "x.csv", dry_run=True)
                # accepted only where text of that length is allowed, and never written (dry run)
                fits = column.kind == KIND_TEXT and not column.allowed and not column.references \
                    and len(value) <= (column.max_length or importer.MAX_TEXT_LENGTH) \
                    and column.name not in ("compound_code",)
                if not fits:
                    assert not report.ok, (area, column.name, value[:20])
                    assert any(p.column == column.zh for p in report.problems), (area, column.name)
    assert table_fingerprint(fresh_db) == before


def test_hostile_text_is_stored_verbatim(fresh_db):
    P = schema.projects
    rows = [example("projects", code=f"LG-2023-98{i:02d}", title=value[:120], description=value)
            for i, value in enumerate(INJECTIONS[:-1])]
    report = importer.import_bytes(fresh_db.engine, "projects", zh_file("projects", rows), "x.csv")
    assert report.ok, report.problems
    stored = dict(fresh_db.frame(select(P.c.code, P.c.description).where(P.c.code.like("LG-2023-98%"))).values)
    assert stored == {row["code"]: row["description"] for row in rows}
    assert fresh_db.scalar(select(P.c.code).where(P.c.code == "LG-2021-0001")) == "LG-2021-0001"


# --- a killed import ----------------------------------------------------------------------------


def test_a_process_killed_inside_the_transaction_leaves_the_database_as_it_was(fresh_db, tmp_path):
    before = table_fingerprint(fresh_db)
    rows = [example("projects", code="LG-2021-0001", title="被中断的更新")] + [
        example("projects", code=f"LG-2023-97{i:02d}") for i in range(50)]
    path = tmp_path / "big.csv"
    path.write_bytes(zh_file("projects", rows))
    marker = tmp_path / "writing.marker"
    env = {**os.environ, importer.PAUSE_ENV: str(marker), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "data_access.importer", "projects", str(path),
                             "--url", fresh_db.url], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            assert proc.poll() is None, "the import ended before pausing"
            assert time.monotonic() < deadline, "the import never reached its writes"
            time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait(timeout=60)
    fresh_db.dispose()
    after = table_fingerprint(fresh_db)
    assert after == before
    # and the database takes the next import normally
    report = importer.import_bytes(fresh_db.engine, "projects", zh_file("projects", rows[:1]), "x.csv")
    assert report.ok and report.updated == 1


def test_bad_rows_in_the_middle_leave_every_table_unchanged(fresh_db):
    rows = [example("projects", code=f"LG-2023-96{i:02d}") for i in range(20)]
    rows[10]["applied_on"] = "not a date"
    rows[11]["community_code"] = "' OR 1=1 --"
    before = table_fingerprint(fresh_db)
    report = importer.import_bytes(fresh_db.engine, "projects", zh_file("projects", rows), "x.csv")
    assert [p.row for p in report.problems] == [12, 13]
    assert table_fingerprint(fresh_db) == before


# --- the app ---------------------------------------------------------------------------------------


def run(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


@pytest.mark.parametrize("value", INJECTIONS[:-1] + ["9" * 5000])
def test_hostile_url_parameters_are_dropped_as_data(value, sqlite_db):
    at = run(street=value, community=value, period=value, lang=value, project=value, measure=value)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "总览"
    assert "链接中的参数无效" in at.warning[0].value
    assert {m.label: m.value for m in at.metric}["实践项目"] == "578"
    assert all("<script" not in m.value and "<img" not in m.value for m in at.markdown)


def test_unreachable_database_shows_a_message_and_retry_then_recovers(sqlite_db, monkeypatch, tmp_path):
    from components import data

    data.reset()
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")
    at = run()
    assert not at.exception
    assert "暂时无法连接数据库" in at.error[0].value
    assert at.button[0].label == "重试"
    monkeypatch.delenv("DATABASE_URL")
    at.button[0].click().run()
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "总览"
    data.reset()


def test_an_error_inside_a_page_shows_a_message_and_retry_then_recovers(sqlite_db, monkeypatch):
    from data_access import projects

    original = projects.project_totals

    def broken(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("database disk image is malformed"))

    broken.__module__, broken.__name__ = original.__module__, original.__name__
    monkeypatch.setattr(projects, "project_totals", broken)
    at = run()
    assert not at.exception
    assert "暂时无法连接数据库" in at.error[0].value
    assert not at.title or at.title[0].value == "总览"
    monkeypatch.setattr(projects, "project_totals", original)
    at.button(key="page_error_retry").click().run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["实践项目"] == "578"


def test_import_report_shows_hostile_values_as_text_not_html():
    report = importer.ImportReport(area="projects", file_name="x.csv")
    report.problems.append(importer.Problem(2, "状态", INJECTIONS[2], "不是允许的值"))
    rows = report.problem_rows()
    assert rows[0]["value"] == INJECTIONS[2]  # shown in st.dataframe, which renders text, never HTML
    source = (ROOT / "pages" / "data_page.py").read_text(encoding="utf-8")
    assert "unsafe_allow_html" not in source


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*_page.py") if p.name != "data_page.py"))
def test_every_page_shows_a_message_and_retry_when_its_queries_fail(page, sqlite_db, monkeypatch):
    """Every query call made through components.data fails: each page ends in the message and a retry."""
    from components import data

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("could not connect to server"))

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    monkeypatch.setattr(data, "cached", unreachable)
    monkeypatch.setattr(data, "cached_pair", unreachable)
    at.switch_page(f"pages/{page}")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "暂时无法连接数据库" in at.error[0].value
    assert [b.label for b in at.button if b.key in ("error_retry", "page_error_retry")] == ["重试"]
