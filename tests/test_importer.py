"""The validated import: formats, headers, checks, one transaction, re-import, templates, command line."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from import_db import fresh_url, import_fingerprint
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from data_access import importer, schema
from data_access.database import Database
from data_access.import_specs import SPECS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_db(request, tmp_path):
    """A private copy of the sample database on each engine."""
    database = Database(fresh_url(request.param, request, tmp_path))
    yield database
    database.dispose()


@pytest.fixture
def sqlite_fresh(request, tmp_path):
    database = Database(fresh_url("sqlite", request, tmp_path))
    yield database
    database.dispose()


def csv_bytes(header: list[str], rows: list[list], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def example(area: str, **changes) -> dict:
    row = dict(SPECS[area].example)
    row.update(changes)
    return row


def zh_file(area: str, rows: list[dict], encoding: str = "utf-8") -> bytes:
    spec = SPECS[area]
    return csv_bytes([c.zh for c in spec.columns], [[r.get(c.name, "") for c in spec.columns] for r in rows],
                     encoding)


def count(db: Database, table) -> int:
    return db.scalar(select(func.count()).select_from(table))


def loaded_at(db: Database) -> str:
    return db.dataset_info()["loaded_at"]


# --- templates and the happy path -----------------------------------------------------


def test_every_area_has_a_spec_with_chinese_headers_and_a_natural_key():
    assert len(SPECS) == 14
    for spec in SPECS.values():
        assert spec.natural_key
        assert all(c.zh and c.name in spec.table.c for c in spec.columns)
        assert len({c.zh for c in spec.columns}) == len(spec.columns), spec.area
        if spec.surrogate:
            assert "id" not in [c.name for c in spec.columns]


def test_templates_import_and_reimport_changes_nothing(fresh_db):
    """Each template (Chinese header + example row) imports; importing them again changes nothing."""
    templates = {area: importer.template_xlsx(area) for area in SPECS}
    for area, data in templates.items():
        rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
        assert list(rows[0]) == [c.zh for c in SPECS[area].columns] and len(rows) == 2
        report = importer.import_bytes(fresh_db.engine, area, data, f"{area}.xlsx")
        assert report.ok and report.committed, (area, report.problems)
    before = import_fingerprint(fresh_db, *templates)
    for area, data in templates.items():
        again = importer.import_bytes(fresh_db.engine, area, data, f"{area}.xlsx")
        assert again.ok and again.unchanged == 1 and again.inserted == again.updated == 0, area
    after = import_fingerprint(fresh_db, *templates)
    before.pop("dataset_info"), after.pop("dataset_info")
    assert before == after


def test_reimporting_a_sample_file_changes_nothing(fresh_db):
    data = (SAMPLE / "projects.csv").read_bytes()
    before = import_fingerprint(fresh_db, "projects")
    report = importer.import_bytes(fresh_db.engine, "projects", data, "projects.csv")
    assert report.ok and report.unchanged == 578 and report.inserted == report.updated == 0
    after = import_fingerprint(fresh_db, "projects")
    assert {k: v for k, v in after.items() if k != "dataset_info"} == \
        {k: v for k, v in before.items() if k != "dataset_info"}


def test_rows_are_matched_on_the_key_and_updated_nothing_else_lost(fresh_db):
    P = schema.projects
    before = count(fresh_db, P)
    stamp = loaded_at(fresh_db)
    rows = [example("projects", code="LG-2021-0001", title="更新后的名称"), example("projects")]
    report = importer.import_bytes(fresh_db.engine, "projects", zh_file("projects", rows), "p.csv")
    assert report.ok and report.updated == 1 and report.inserted == 1
    assert count(fresh_db, P) == before + 1
    assert fresh_db.scalar(select(P.c.title).where(P.c.code == "LG-2021-0001")) == "更新后的名称"
    # columns not in the file keep their stored values
    assert fresh_db.scalar(select(P.c.lead_unit).where(P.c.code == "LG-2021-0001")) == "社区党委"
    assert loaded_at(fresh_db) != stamp


def test_columns_left_out_of_the_file_keep_their_values(sqlite_fresh):
    P = schema.projects
    old = sqlite_fresh.frame(select(P).where(P.c.code == "LG-2021-0001")).iloc[0]
    required = [c for c in SPECS["projects"].columns if c.required]
    data = csv_bytes([c.name for c in required], [[old[c.name] if c.name != "title" else "新名称" for c in required]])
    report = importer.import_bytes(sqlite_fresh.engine, "projects", data, "p.csv")
    assert report.ok and report.updated == 1, report.problems
    new = sqlite_fresh.frame(select(P).where(P.c.code == "LG-2021-0001")).iloc[0]
    assert new["title"] == "新名称" and new["approved_on"] == old["approved_on"]


def test_surrogate_tables_match_on_their_natural_key(fresh_db):
    M, U = schema.project_milestones, schema.resource_uses
    milestones, uses = count(fresh_db, M), count(fresh_db, U)
    rows = [example("milestones", name="改名的节点"), example("milestones", seq=9, name="新增节点")]
    report = importer.import_bytes(fresh_db.engine, "milestones", zh_file("milestones", rows), "m.csv")
    assert report.ok and report.updated == 1 and report.inserted == 1, report.problems
    assert count(fresh_db, M) == milestones + 1
    new_use = example("resource_uses")
    report = importer.import_bytes(fresh_db.engine, "resource_uses", zh_file("resource_uses", [new_use]), "u.csv")
    assert report.ok and report.inserted == 1
    # a fresh id after the loaded ones (the PostgreSQL sequence was never advanced by COPY)
    assert fresh_db.scalar(select(func.max(U.c.id))) == uses + 1
    again = importer.import_bytes(fresh_db.engine, "resource_uses", zh_file("resource_uses", [new_use]), "u.csv")
    assert again.unchanged == 1 and count(fresh_db, U) == uses + 1


# --- formats and headers ----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_every_encoding_excel_writes(sqlite_fresh, encoding):
    data = zh_file("projects", [example("projects")], encoding)
    report = importer.import_bytes(sqlite_fresh.engine, "projects", data, "项目.csv")
    assert report.ok and report.inserted == 1, report.problems
    P = schema.projects
    assert sqlite_fresh.scalar(select(P.c.title).where(P.c.code == "LG-2023-9001")) == "龙岭社区加装电梯协商"


def test_xlsx_with_english_headers_and_excel_typed_cells(sqlite_fresh):
    from datetime import datetime

    spec = SPECS["requests"]
    row = example("requests", submitted_at=datetime(2023, 10, 10, 13, 4, 12), community_code=440307014003,
                  requester_phone=13800000000, lat=22.63064, satisfaction=None)
    data = xlsx_bytes([c.name.upper() for c in spec.columns], [[row.get(c.name) for c in spec.columns]])
    report = importer.import_bytes(sqlite_fresh.engine, "requests", data, "requests.xlsx")
    assert report.ok, report.problems
    R = schema.requests
    stored = sqlite_fresh.frame(select(R).where(R.c.id == "R2023900001")).iloc[0]
    assert stored["community_code"] == "440307014003" and stored["requester_phone"] == "13800000000"


def test_date_spellings_offices_use(sqlite_fresh):
    rows = [example("projects", applied_on="2023/9/1"), example("projects", code="LG-2023-9002",
                                                               applied_on="2023年9月2日")]
    report = importer.import_bytes(sqlite_fresh.engine, "projects", zh_file("projects", rows), "p.csv")
    assert report.ok, report.problems


# --- validation: every problem listed, nothing written ---------------------------------------


def test_bad_rows_are_all_reported_and_nothing_is_written(fresh_db):
    good = example("projects")
    rows = [
        good,
        example("projects", code="LG-2023-9101", applied_on="2023-02-30"),            # row 3: no such date
        example("projects", code="LG-2023-9102", status="进行中"),                    # row 4: not a status
        example("projects", code="LG-2023-9103", community_code="440307999999"),     # row 5: unknown community
        example("projects", code="LG-2023-9104", budget_yuan="十万"),                # row 6: not a number
        example("projects", code="LG-2023-9105", title=""),                          # row 7: required empty
        example("projects", code="LG-2023-9106", progress_pct=150),                  # row 8: out of range
        example("projects", code="LG-2023-9107", title="长" * 121),                  # row 9: too long
        good,                                                                          # row 10: duplicate of 2
        example("projects", code="LG-2023-9108"),
    ]
    before = import_fingerprint(fresh_db, "projects")
    report = importer.import_bytes(fresh_db.engine, "projects", zh_file("projects", rows), "bad.csv")
    assert not report.ok and not report.committed
    found = {(p.row, p.column) for p in report.problems}
    assert {(3, "申报日期"), (4, "状态"), (5, "社区编码"), (6, "预算（元）"), (7, "项目名称"), (8, "进度（%）"),
            (9, "项目名称")} <= found
    assert any(p.row == 10 and "重复" in p.reason for p in report.problems)
    assert any(p.value == "进行中" and "申报" in p.reason for p in report.problems)
    assert import_fingerprint(fresh_db, "projects") == before


def test_missing_and_unknown_columns(sqlite_fresh):
    data = csv_bytes(["项目编码", "项目名称", "备注"], [["LG-2023-9001", "x", "y"]])
    report = importer.import_bytes(sqlite_fresh.engine, "projects", data, "p.csv")
    reasons = {(p.column, p.reason) for p in report.problems}
    assert "忽略 1 个本类别没有的列（不导入）：备注" in report.notes  # a column the area has not is ignored
    assert ("社区编码", "缺少必填列") in reasons  # a new record without a required column is not


def test_references_to_missing_records_are_reported(sqlite_fresh):
    rows = [example("milestones", project_code="LG-0000-0000"), example("project_scores")]
    report = importer.import_bytes(sqlite_fresh.engine, "milestones", zh_file("milestones", rows[:1]), "m.csv")
    assert [(p.row, p.column) for p in report.problems] == [(2, "项目编码")]
    bad = example("evaluation_scores", unit_level="street", unit_code="440307014003")
    report = importer.import_bytes(sqlite_fresh.engine, "evaluation_scores", zh_file("evaluation_scores", [bad]),
                                   "e.csv")
    assert [p.column for p in report.problems] == ["单位编码"]
    wrong = example("participation_events", compound_code="440307003002-01")
    report = importer.import_bytes(sqlite_fresh.engine, "participation_events",
                                   zh_file("participation_events", [wrong]), "e.csv")
    assert any("不属于" in p.reason for p in report.problems)


def test_empty_file_and_header_only(sqlite_fresh):
    assert not importer.import_bytes(sqlite_fresh.engine, "projects", b"", "p.csv").ok
    header_only = csv_bytes([c.zh for c in SPECS["projects"].columns], [])
    assert not importer.import_bytes(sqlite_fresh.engine, "projects", header_only, "p.csv").ok


def test_dry_run_writes_nothing(fresh_db):
    before = import_fingerprint(fresh_db, "projects")
    report = importer.import_bytes(fresh_db.engine, "projects", zh_file("projects", [example("projects")]), "p.csv",
                                   dry_run=True)
    assert report.ok and report.inserted == 1 and not report.committed
    assert import_fingerprint(fresh_db, "projects") == before


# --- limits ----------------------------------------------------------------------------


def test_oversized_file_is_refused_before_it_is_read(sqlite_fresh, tmp_path, monkeypatch):
    monkeypatch.setenv("LONGGANG_IMPORT_MAX_MB", "0.001")
    path = tmp_path / "big.csv"
    path.write_bytes(zh_file("projects", [example("projects", description="长" * 2000)]))

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(importer.ImportRefused, match="文件过大"):
        importer.import_file(sqlite_fresh.engine, "projects", path)


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really a zip", b"\x00\x01\x02 garbage", b""])
def test_a_damaged_workbook_gets_a_clear_message(sqlite_fresh, data):
    with pytest.raises(importer.ImportRefused, match="不是有效的 Excel 工作簿"):
        importer.import_bytes(sqlite_fresh.engine, "projects", data, "damaged.xlsx")


# --- command line -------------------------------------------------------------------------


def test_command_line_dry_run_import_and_problems(sqlite_fresh, tmp_path, capsys):
    url = sqlite_fresh.url
    good = tmp_path / "good.csv"
    good.write_bytes(zh_file("projects", [example("projects")], "gb18030"))
    assert importer.main(["projects", str(good), "--dry-run", "--url", url]) == 0
    assert "试运行" in capsys.readouterr().out
    assert count(sqlite_fresh, schema.projects) == 578
    assert importer.main(["projects", str(good), "--url", url]) == 0
    assert count(sqlite_fresh, schema.projects) == 579
    bad = tmp_path / "bad.csv"
    bad.write_bytes(zh_file("projects", [example("projects", status="进行中")]))
    assert importer.main(["projects", str(bad), "--url", url]) == 1
    out = capsys.readouterr().out
    assert "行\t列\t值\t问题" in out and "2\t状态\t进行中" in out
    assert importer.main(["nonsense", str(bad), "--url", url]) == 2
    assert importer.main(["projects", str(tmp_path / "missing.csv"), "--url", url]) == 1


def test_command_line_as_a_process(sqlite_fresh, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(zh_file("projects", [example("projects", applied_on="明天")]))
    done = subprocess.run([sys.executable, "-m", "data_access.importer", "projects", str(bad), "--url",
                           sqlite_fresh.url], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "申报日期" in done.stdout and "应为日期" in done.stdout


def test_the_fingerprint_sees_one_changed_value_and_one_deleted_row(sqlite_fresh):
    """The 'nothing was written' checks above are only as good as import_fingerprint."""
    from sqlalchemy import text

    before = import_fingerprint(sqlite_fresh, "requests")
    with sqlite_fresh.engine.begin() as conn:
        conn.execute(text("UPDATE open_request_summary SET category = '其他' WHERE id = (SELECT min(id) FROM "
                          "open_request_summary)"))
    changed = import_fingerprint(sqlite_fresh, "requests")
    assert changed["open_request_summary"] != before["open_request_summary"]
    assert {k: v for k, v in changed.items() if k != "open_request_summary"} == \
        {k: v for k, v in before.items() if k != "open_request_summary"}
    with sqlite_fresh.engine.begin() as conn:
        conn.execute(text("DELETE FROM venues WHERE rowid = (SELECT min(rowid) FROM venues)"))
    assert import_fingerprint(sqlite_fresh, "requests")["venues"][0] == before["venues"][0] - 1
