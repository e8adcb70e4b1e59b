"""The spreadsheets a street office really has (issue 25): title rows, footers, several sheets,
full-width digits, Chinese dates; each fixture file is built here, in the layout offices use."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from import_db import fresh_url, table_fingerprint
from openpyxl import Workbook
from sqlalchemy import func, select

from data_access import importer, schema
from data_access.database import Database
from data_access.import_specs import SPECS

R = schema.requests
P = schema.projects


@pytest.fixture
def sqlite_fresh(request, tmp_path):
    database = Database(fresh_url("sqlite", request, tmp_path))
    yield database
    database.dispose()


def example(area: str, **changes) -> dict:
    row = dict(SPECS[area].example)
    row.update(changes)
    return row


def body(area: str, rows: list[dict]) -> list[list]:
    return [[r.get(c.name, "") for c in SPECS[area].columns] for r in rows]


def headers(area: str) -> list[str]:
    return [c.zh for c in SPECS[area].columns]


def office_workbook(area: str, rows: list[dict], *, title: str, footer: list[str]) -> bytes:
    """A filters sheet first (as the app's own exports have), then the data sheet: a merged title
    row, a blank row, the header on row 3, the data, a blank row and a footer of notes."""
    workbook = Workbook()
    filters = workbook.active
    filters.title = "筛选条件"
    filters.append(["筛选条件", "取值"])
    filters.append(["街道", "布吉街道"])
    sheet = workbook.create_sheet("诉求台账")
    columns = len(SPECS[area].columns)
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet.append([])
    sheet.append(headers(area))
    for cells in body(area, rows):
        sheet.append(cells)
    sheet.append([])
    for line in footer:
        sheet.append([line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def gb18030_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("gb18030")


def tables(db: Database) -> dict:
    return table_fingerprint(db)


# --- 1. find the header ----------------------------------------------------------------------


FOOTER = ["制表人：王五", "填报日期：2023年2月1日", "备注：本表由社区工作站填报"]


def test_title_row_blank_row_filters_sheet_and_footer_are_skipped(sqlite_fresh):
    rows = [example("requests"), example("requests", id="R2023900002", description="路灯不亮")]
    data = office_workbook("requests", rows, title="龙岗区居民诉求台账（2023年1月）", footer=FOOTER)
    before = sqlite_fresh.scalar(select(func.count()).select_from(R))
    report = importer.import_bytes(sqlite_fresh.engine, "requests", data, "台账.xlsx")
    assert report.ok and report.committed and report.inserted == 2, report.problems
    assert report.rows_read == 2
    assert "读取工作表“诉求台账”（按列名识别数据所在的工作表）" in report.notes
    assert "第 3 行为表头（跳过上方 2 行标题或空行）" in report.notes
    assert "忽略表格下方的 3 行说明（如 制表人、填报日期）" in report.notes
    assert sqlite_fresh.scalar(select(func.count()).select_from(R)) == before + 2
    assert sqlite_fresh.scalar(select(R.c.description).where(R.c.id == "R2023900002")) == "路灯不亮"
    text = importer.format_report(report)
    assert "说明：第 3 行为表头" in text


def test_a_bad_row_below_a_title_is_named_by_its_spreadsheet_row_and_nothing_is_written(sqlite_fresh):
    rows = [example("requests"), example("requests", id="R2023900002", status="不存在的状态")]
    data = office_workbook("requests", rows, title="龙岗区居民诉求台账（2023年1月）", footer=FOOTER)
    before = tables(sqlite_fresh)
    report = importer.import_bytes(sqlite_fresh.engine, "requests", data, "台账.xlsx")
    assert not report.committed
    assert [(p.row, p.column, p.value) for p in report.problems] == [(5, "状态", "不存在的状态")]
    assert report.problems[0].reason.startswith("不是允许的值")
    assert tables(sqlite_fresh) == before


def test_a_sheet_without_the_areas_headers_is_refused_as_before(sqlite_fresh):
    workbook = Workbook()
    workbook.active.append(["甲", "乙"])
    workbook.active.append(["1", "2"])
    out = io.BytesIO()
    workbook.save(out)
    before = tables(sqlite_fresh)
    report = importer.import_bytes(sqlite_fresh.engine, "requests", out.getvalue(), "x.xlsx")
    assert not report.ok and (1, "甲", "无法识别的列名（请使用模板中的列名）") in \
        [(p.row, p.column, p.reason) for p in report.problems]
    assert tables(sqlite_fresh) == before


def test_csv_with_a_title_line_in_gb18030(sqlite_fresh):
    header = headers("projects")
    data = gb18030_csv(["龙岗区民生项目台账"], [[], header, *body("projects", [example("projects")]),
                                               ["制表人：李四"]])
    report = importer.import_bytes(sqlite_fresh.engine, "projects", data, "项目.csv")
    assert report.ok and report.inserted == 1, report.problems
    assert "第 3 行为表头（跳过上方 2 行标题或空行）" in report.notes
    assert sqlite_fresh.scalar(select(P.c.title).where(P.c.code == "LG-2023-9001")) == "龙岭社区加装电梯协商"


# --- 2. normalise what people type --------------------------------------------------------------


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_full_width_key_and_code_and_chinese_date_times_are_one_record(sqlite_fresh):
    first = importer.import_bytes(sqlite_fresh.engine, "requests",
                                  gb18030_csv(headers("requests"), body("requests", [example("requests")])), "a.csv")
    assert first.ok and first.inserted == 1, first.problems
    count = sqlite_fresh.scalar(select(func.count()).select_from(R))
    typed = example("requests", id=full_width("R2023900001"), community_code=full_width("440307014003"),
                    compound_code=full_width("440307014003-02"), submitted_at="2023年10月10日 13:04:12",
                    accepted_at="2023年10月10日 13:47:21", requester_phone="１３８　0000　0000".replace("　", ""),
                    handling_unit="\u3000布吉街道应急管理办\u3000")
    data = gb18030_csv(headers("requests"), body("requests", [typed]))
    report = importer.import_bytes(sqlite_fresh.engine, "requests", data, "b.csv")
    assert report.ok and report.unchanged == 1 and report.inserted == report.updated == 0, report.problems
    assert sqlite_fresh.scalar(select(func.count()).select_from(R)) == count
    note = next(n for n in report.notes if n.startswith("已规范化"))
    assert note == ("已规范化（全角字符、中文日期、千位分隔符）：诉求编号 1 格，社区编码 1 格，小区编码 1 格，"
                    "提交时间 1 格，受理时间 1 格，承办单位 1 格，诉求人电话 1 格")


@pytest.mark.parametrize("typed, stored", [
    ("2023年1月5日", datetime(2023, 1, 5)),
    ("2023年1月5日 10:00", datetime(2023, 1, 5, 10, 0)),
    ("2023/1/5", datetime(2023, 1, 5)),
    ("2023.1.5", datetime(2023, 1, 5)),
    ("２０２３年１月５日　１０：３０", datetime(2023, 1, 5, 10, 30)),
])
def test_chinese_date_time_forms_in_date_time_columns(sqlite_fresh, typed, stored):
    row = example("requests", id="R2023900009", submitted_at=typed, accepted_at="")
    data = gb18030_csv(headers("requests"), body("requests", [row]))
    report = importer.import_bytes(sqlite_fresh.engine, "requests", data, "c.csv")
    assert report.ok and report.inserted == 1, report.problems
    assert sqlite_fresh.scalar(select(R.c.submitted_at).where(R.c.id == "R2023900009")) == stored


def test_thousands_separators_and_full_width_numbers_and_dates(sqlite_fresh):
    row = example("projects", budget_yuan="１，２３４，５６７", spent_yuan="12,000.50", applied_on="2023年9月1日",
                  approved_on="2023/9/20")
    data = gb18030_csv(headers("projects"), body("projects", [row]))
    report = importer.import_bytes(sqlite_fresh.engine, "projects", data, "p.csv")
    assert report.ok and report.inserted == 1, report.problems
    stored = sqlite_fresh.frame(select(P).where(P.c.code == "LG-2023-9001")).iloc[0]
    assert stored["budget_yuan"] == 1234567 and stored["spent_yuan"] == 12000.5
    assert str(stored["applied_on"])[:10] == "2023-09-01" and str(stored["approved_on"])[:10] == "2023-09-20"
    assert "申报日期 1 格，立项日期 1 格，预算（元） 1 格，已支出（元） 1 格" in " ".join(report.notes)


def test_free_text_keeps_its_chinese_punctuation(sqlite_fresh):
    row = example("projects", description="由社区党委牵头，推进加装电梯（一期）。")
    report = importer.import_bytes(sqlite_fresh.engine, "projects",
                                   gb18030_csv(headers("projects"), body("projects", [row])), "p.csv")
    assert report.ok, report.problems
    assert sqlite_fresh.scalar(select(P.c.description).where(P.c.code == "LG-2023-9001")) == \
        "由社区党委牵头，推进加装电梯（一期）。"


def test_an_impossible_chinese_date_is_refused_and_nothing_is_written(sqlite_fresh):
    row = example("requests", id="R2023900009", submitted_at="2023年2月30日 10:00")
    before = tables(sqlite_fresh)
    report = importer.import_bytes(sqlite_fresh.engine, "requests",
                                   gb18030_csv(headers("requests"), body("requests", [row])), "d.csv")
    assert [(p.row, p.column, p.value, p.reason) for p in report.problems] == \
        [(2, "提交时间", "2023年2月30日 10:00", "时间不存在")]
    assert tables(sqlite_fresh) == before
