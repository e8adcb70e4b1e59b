"""The spreadsheets a street office really has (issue 25): title rows, footers, several sheets,
full-width digits, Chinese dates; each fixture file is built here, in the layout offices use."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from import_db import fresh_url, import_fingerprint
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


def tables(db: Database, area: str) -> dict:
    """What an import of ``area`` could have written (``import_db.import_fingerprint``), to compare before and
    after a refused import."""
    return import_fingerprint(db, area)


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
    assert "忽略表格下方的 3 行说明或合计（如 制表人、填报日期、合计）" in report.notes
    assert sqlite_fresh.scalar(select(func.count()).select_from(R)) == before + 2
    assert sqlite_fresh.scalar(select(R.c.description).where(R.c.id == "R2023900002")) == "路灯不亮"
    text = importer.format_report(report)
    assert "说明：第 3 行为表头" in text


def test_a_bad_row_below_a_title_is_named_by_its_spreadsheet_row_and_nothing_is_written(sqlite_fresh):
    rows = [example("requests"), example("requests", id="R2023900002", status="不存在的状态")]
    data = office_workbook("requests", rows, title="龙岗区居民诉求台账（2023年1月）", footer=FOOTER)
    before = tables(sqlite_fresh, "requests")
    report = importer.import_bytes(sqlite_fresh.engine, "requests", data, "台账.xlsx")
    assert not report.committed
    assert [(p.row, p.column, p.value) for p in report.problems] == [(5, "状态", "不存在的状态")]
    assert report.problems[0].reason.startswith("不是允许的值")
    assert tables(sqlite_fresh, "requests") == before


def test_a_sheet_without_the_areas_headers_is_refused_as_before(sqlite_fresh):
    workbook = Workbook()
    workbook.active.append(["甲", "乙"])
    workbook.active.append(["1", "2"])
    out = io.BytesIO()
    workbook.save(out)
    before = tables(sqlite_fresh, "requests")
    report = importer.import_bytes(sqlite_fresh.engine, "requests", out.getvalue(), "x.xlsx")
    assert not report.ok and (1, "甲", "无法识别的列名（请使用模板中的列名）") in \
        [(p.row, p.column, p.reason) for p in report.problems]
    assert tables(sqlite_fresh, "requests") == before


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
    before = tables(sqlite_fresh, "requests")
    report = importer.import_bytes(sqlite_fresh.engine, "requests",
                                   gb18030_csv(headers("requests"), body("requests", [row])), "d.csv")
    assert [(p.row, p.column, p.value, p.reason) for p in report.problems] == \
        [(2, "提交时间", "2023年2月30日 10:00", "时间不存在")]
    assert tables(sqlite_fresh, "requests") == before


# --- 3. check what is plausible ---------------------------------------------------------------


def problems_of(report) -> list[tuple]:
    return [(p.row, p.column, p.value, p.reason) for p in report.problems]


def refused(db: Database, area: str, data: bytes, name: str) -> list[tuple]:
    """Import a file that must be refused; the problems, after checking it wrote nothing."""
    before = tables(db, area)
    report = importer.import_bytes(db.engine, area, data, name)
    assert not report.ok and not report.committed
    assert tables(db, area) == before
    return problems_of(report)


LAT_BOX = "坐标不在本区范围内：纬度应在 22.54～22.86 之间（WGS-84 十进制度，例如 22.63064）"
LON_BOX = "坐标不在本区范围内：经度应在 114.00～114.39 之间（WGS-84 十进制度，例如 114.10109）"


def test_coordinates_outside_the_loaded_area_are_refused_with_the_expected_box(sqlite_fresh):
    rows = [example("requests", lon=14.10109),  # a dropped digit
            example("requests", id="R2023900002", lat=0, lon=0),
            example("requests", id="R2023900003", lat=22.63064, lon=22.63064),  # latitude typed twice
            example("requests", id="R2023900004")]
    data = gb18030_csv(headers("requests"), body("requests", rows))
    assert refused(sqlite_fresh, "requests", data, "坐标.csv") == [
        (2, "经度", "14.10109", LON_BOX),
        (3, "纬度", "0", LAT_BOX),
        (3, "经度", "0", LON_BOX),
        (4, "经度", "22.63064", LON_BOX + "；经度和纬度可能填反了"),
    ]


def test_venue_coordinates_are_checked_too_and_good_ones_land(sqlite_fresh):
    data = gb18030_csv(headers("venues"), body("venues", [example("venues", lat="０", lon="０")]))
    assert [p[1] for p in refused(sqlite_fresh, "venues", data, "阵地.csv")] == ["纬度", "经度"]
    good = gb18030_csv(headers("venues"), body("venues", [example("venues", lat="22.7", lon="114.25")]))
    report = importer.import_bytes(sqlite_fresh.engine, "venues", good, "阵地.csv")
    assert report.ok and report.inserted == 1, report.problems
    V = schema.venues
    assert sqlite_fresh.frame(select(V.c.lat, V.c.lon).where(V.c.code == "V9001")).iloc[0].tolist() == [22.7, 114.25]


def test_satisfaction_outside_its_scale_says_the_scale(sqlite_fresh):
    rows = [example("requests", satisfaction=6, status="已办结", resolved_at="2023-10-11 10:00:00"),
            example("requests", id="R2023900002", satisfaction="4.5"),
            example("requests", id="R2023900003", satisfaction="0")]
    data = gb18030_csv(headers("requests"), body("requests", rows))
    scale = "满意度为 1～5 的整数：1 很不满意，5 很满意"
    assert refused(sqlite_fresh, "requests", data, "满意度.csv") == [
        (2, "满意度", "6", f"不能大于 5（{scale}）"),
        (3, "满意度", "4.5", f"应为整数（{scale}）"),
        (4, "满意度", "0", f"不能小于 1（{scale}）"),
    ]


def saved_on(data: bytes, modified: str) -> bytes:
    """The workbook as if last saved at ``modified`` (UTC, as Excel writes docProps/core.xml)."""
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + modified.encode(), content)
            target.writestr(item, content)
    return out.getvalue()


def test_dates_after_the_file_was_saved_or_before_2000_are_refused(sqlite_fresh):
    rows = [example("requests", submitted_at="2023-12-05 09:00:00", accepted_at="2023-12-05 09:30:00"),
            example("requests", id="R2023900002", submitted_at="1999-12-31 10:00:00", accepted_at=""),
            example("requests", id="R2023900003", submitted_at="2023-11-01 23:59:00", accepted_at="")]
    # saved 2023-10-31 16:30 UTC = 2023-11-01 00:30 in Shenzhen: the 1st of November is not the future
    data = saved_on(office_workbook("requests", rows, title="诉求台账", footer=FOOTER), "2023-10-31T16:30:00Z")
    after = "日期晚于文件的制作日期 2023-11-01：已发生的事项不能是将来的日期，请检查年月日"
    assert refused(sqlite_fresh, "requests", data, "台账.xlsx") == [
        (4, "提交时间", "2023-12-05 09:00:00", after),
        (4, "受理时间", "2023-12-05 09:30:00", after),
        (5, "提交时间", "1999-12-31 10:00:00", "日期早于 2000-01-01，请检查年份"),
    ]


def test_planned_dates_may_lie_after_the_file(sqlite_fresh):
    row = example("projects", planned_end="2025-03-31")
    data = saved_on(office_workbook("projects", [row], title="项目台账", footer=[]), "2023-11-01T02:00:00Z")
    report = importer.import_bytes(sqlite_fresh.engine, "projects", data, "项目.xlsx")
    assert report.ok and report.inserted == 1, report.problems
    assert str(sqlite_fresh.scalar(select(P.c.planned_end).where(P.c.code == "LG-2023-9001")))[:10] == "2025-03-31"


@pytest.mark.parametrize("phone", ["13800000000", "+86 138 0000 0000", "0755-28881234", "28881234",
                                   "0755-28881234转123", "(0755)28881234-8001", "０７５５－２８８８１２３４"])
def test_phone_numbers_offices_write_are_accepted(sqlite_fresh, phone):
    data = gb18030_csv(headers("requests"), body("requests", [example("requests", requester_phone=phone)]))
    report = importer.import_bytes(sqlite_fresh.engine, "requests", data, "电话.csv")
    assert report.ok and report.inserted == 1, report.problems


def test_numbers_that_are_not_phone_numbers_are_refused(sqlite_fresh):
    rows = [example("requests", id=f"R20239000{i:02d}", requester_phone=phone)
            for i, phone in enumerate(["1380000000", "138000000000", "12345", "无", "0000-00000000"], start=1)]
    data = gb18030_csv(headers("requests"), body("requests", rows))
    reason = ("不是有效的电话号码：应为 11 位手机号（可带 +86），或固定电话（如 0755-28881234、28881234，"
              "分机写作 0755-28881234-123 或 转123）")
    assert refused(sqlite_fresh, "requests", data, "电话.csv") == [
        (row, "诉求人电话", phone, reason)
        for row, phone in enumerate(["1380000000", "138000000000", "12345", "无", "0000-00000000"], start=2)]


# --- 4. formula cells ---------------------------------------------------------------------------


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """The workbook as Excel saves it: each formula (by its text) with its calculated value."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            for formula, value in values.items():
                content = content.replace(f"<f>{formula}</f><v></v>".encode(),
                                          f"<f>{formula}</f><v>{value}</v>".encode())
            target.writestr(item, content)
    return out.getvalue()


def resource_use_sheet() -> bytes:
    rows = [example("resource_uses", beneficiaries="=10+2"),
            example("resource_uses", used_on="2023-10-02", beneficiaries="=SUM(3,4)")]
    return office_workbook("resource_uses", rows, title="资源使用登记表", footer=["制表人：赵六"])


def test_formula_cells_use_the_value_excel_saved(sqlite_fresh):
    data = with_cached_values(resource_use_sheet(), {"10+2": "12", "SUM(3,4)": "7"})
    report = importer.import_bytes(sqlite_fresh.engine, "resource_uses", data, "资源.xlsx")
    assert report.ok and report.committed, report.problems
    U = schema.resource_uses
    stored = sqlite_fresh.frame(select(U.c.used_on, U.c.beneficiaries).where(
        U.c.item_code == "R01", U.c.community_code == "440307014003",
        U.c.used_on.in_([datetime(2023, 10, 1).date(), datetime(2023, 10, 2).date()])).order_by(U.c.used_on))
    assert stored["beneficiaries"].tolist() == [12, 7]


def test_formula_cells_without_a_saved_value_say_how_to_fix_them(sqlite_fresh):
    fix = ("单元格是公式，但文件里没有保存计算结果（多见于程序生成、未经 Excel 保存的文件）："
           "请用 Excel 或 WPS 打开后保存再导入，或将该列复制后“选择性粘贴 → 数值”")
    assert refused(sqlite_fresh, "resource_uses", resource_use_sheet(), "资源.xlsx") == [
        (4, "受益人数", "=10+2", fix),
        (5, "受益人数", "=SUM(3,4)", fix),
    ]


# --- 5. a downloaded list edited and uploaded back ----------------------------------------------


def test_an_edited_download_updates_what_was_edited_and_keeps_the_masked_values(sqlite_fresh):
    stored = sqlite_fresh.frame(select(R).order_by(R.c.id).limit(1)).iloc[0]
    header = ["诉求编号", "街道", "承办单位", "诉求内容", "诉求人姓名", "诉求人电话"]
    row = [stored["id"], "布吉街道", "布吉街道城管所", "'=3楼漏水（已复查）", stored["requester_name"][0] + "**",
           stored["requester_phone"][:3] + "****" + stored["requester_phone"][-4:]]
    data = ("\ufeff" + ",".join(header) + "\r\n" + ",".join(row) + "\r\n").encode("utf-8")
    report = importer.import_bytes(sqlite_fresh.engine, "requests", data, "requests_export_龙岗区.csv")
    assert report.ok and report.committed and (report.updated, report.inserted) == (1, 0), report.problems
    assert "忽略 1 个本类别没有的列（不导入）：街道" in report.notes
    assert "2 个脱敏的单元格（含 *，如下载的列表）保留数据库中原有的值" in report.notes
    after = sqlite_fresh.frame(select(R).where(R.c.id == stored["id"])).iloc[0]
    assert after["handling_unit"] == "布吉街道城管所" and after["description"] == "=3楼漏水（已复查）"
    assert (after["requester_name"], after["requester_phone"]) == (stored["requester_name"], stored["requester_phone"])
    assert (after["channel"], after["submitted_at"]) == (stored["channel"], stored["submitted_at"])


def test_a_new_record_in_an_edited_download_is_refused_by_row(sqlite_fresh):
    known = sqlite_fresh.scalar(select(R.c.id).order_by(R.c.id).limit(1))
    header = ["诉求编号", "承办单位", "诉求人电话"]
    rows = [[known, "布吉街道城管所", "138****0000"], ["R2099000001", "布吉街道城管所", "138****0000"]]
    data = gb18030_csv(header, rows)
    missing = "渠道、类别、社区编码、纬度、经度、提交时间、状态、诉求人姓名、诉求内容"
    assert refused(sqlite_fresh, "requests", data, "改过的列表.csv") == [
        (3, missing, "R2099000001",
         f"新记录缺少必填列 {missing}：文件中没有这些列时只能更新已有记录，新记录请用模板填写"),
        (3, "诉求人电话", "138****0000", "新记录不能填脱敏后的值（含 *），请填写完整的姓名或号码"),
    ]


def test_a_totals_row_summed_by_formulas_below_the_data_is_not_data(sqlite_fresh):
    rows = [example("projects"), example("projects", code="LG-2023-9002", budget_yuan=20000)]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["龙岗区民生项目台账"])
    sheet.append(headers("projects"))
    for cells in body("projects", rows):
        sheet.append(cells)
    budget = [c.name for c in SPECS["projects"].columns].index("budget_yuan")
    totals = ["合计"] + [""] * (budget - 1) + ["=SUM(M3:M4)"]
    sheet.append(totals)
    out = io.BytesIO()
    workbook.save(out)
    report = importer.import_bytes(sqlite_fresh.engine, "projects", out.getvalue(), "项目.xlsx")
    assert report.ok and report.inserted == 2, report.problems
    assert "忽略表格下方的 1 行说明或合计（如 制表人、填报日期、合计）" in report.notes
    assert sqlite_fresh.scalar(select(P.c.budget_yuan).where(P.c.code == "LG-2023-9002")) == 20000


# --- 6. merged cells inside the data area ----------------------------------------------------------


def merged_fund_sheet(community: str = "440307014003") -> bytes:
    """A fund ledger as offices lay it out: a merged title, then 街道 and 社区编码 each merged down over
    the three rows of that community (only the first cell of a merged range holds the value)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "基金台账"
    columns = ["街道", *headers("fund_entries")]
    sheet.append(["社区基金收支台账（2023年10月）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.append(columns)
    rows = [example("fund_entries", entry_date="2023-10-08", amount_yuan=5000),
            example("fund_entries", entry_date="2023-10-09", amount_yuan=800, source="企业捐赠"),
            example("fund_entries", entry_date="2023-10-10", direction="out", amount_yuan=300, source="",
                    purpose="长者助餐")]
    for number, cells in enumerate(body("fund_entries", rows)):
        cells = ["布吉街道", *cells] if number == 0 else ["", *cells]
        if number:
            cells[1] = None  # the merged-over cells are empty in the file
        else:
            cells[1] = community
        sheet.append(cells)
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("B3:B5")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_merged_cells_in_the_data_area_are_filled_down_and_said(sqlite_fresh):
    F = schema.fund_entries
    before = sqlite_fresh.scalar(select(func.count()).select_from(F).where(F.c.community_code == "440307014003"))
    report = importer.import_bytes(sqlite_fresh.engine, "fund_entries", merged_fund_sheet(), "基金.xlsx")
    assert report.ok and report.committed and report.inserted == 3, report.problems
    assert "合并单元格已按合并区域的值填充：街道 2 格，社区编码 2 格" in report.notes
    merged = next(n for n in report.notes if n.key == "merged")
    assert merged.values == {"counts": {"街道": 2, "社区编码": 2}}
    assert "第 2 行为表头（跳过上方 1 行标题或空行）" in report.notes  # the merged title is not filled into data
    after = sqlite_fresh.frame(select(F.c.entry_date, F.c.amount_yuan, F.c.purpose).where(
        F.c.community_code == "440307014003", F.c.entry_date >= datetime(2023, 10, 8).date(),
        F.c.entry_date <= datetime(2023, 10, 10).date(), F.c.amount_yuan.in_([5000, 800, 300]),
    ).order_by(F.c.entry_date))
    assert after["amount_yuan"].tolist() == [5000, 800, 300]
    assert sqlite_fresh.scalar(select(func.count()).select_from(F).where(
        F.c.community_code == "440307014003")) == before + 3


def test_a_wrong_code_in_a_merged_cell_is_named_on_every_row_it_covers(sqlite_fresh):
    reason = "引用的记录不存在（社区中没有该编码）"
    assert refused(sqlite_fresh, "fund_entries", merged_fund_sheet("440307999999"), "基金.xlsx") == [
        (3, "社区编码", "440307999999", reason),
        (4, "社区编码", "440307999999", reason),
        (5, "社区编码", "440307999999", reason),
    ]


# --- 7. the coordinate box follows the loaded real outline ------------------------------------------


def load_outline(data_dir, west: float, south: float, east: float, north: float) -> None:
    """Real boundaries as data_access.boundaries leaves them (three files); only the outline matters here."""
    import json

    square = {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                  [west, south]]]}
    folder = data_dir / "boundaries"
    folder.mkdir(parents=True, exist_ok=True)
    feature = {"type": "Feature", "geometry": square, "properties": {"code": "440307014003"}}
    for name in ("communities.geojson", "streets.geojson", "outline.geojson"):
        (folder / name).write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")


def test_the_coordinate_box_is_the_loaded_outline_plus_the_margin(sqlite_fresh, tmp_path, monkeypatch):
    monkeypatch.setenv("LONGGANG_DATA_DIR", str(tmp_path))
    with sqlite_fresh.engine.connect() as conn:
        assert importer.coordinate_box(conn) == ((22.54, 22.86), (114.0, 114.39))  # the stored points
        load_outline(tmp_path, 114.2, 22.6, 114.3, 22.7)
        assert importer.coordinate_box(conn) == ((22.55, 22.75), (114.15, 114.35))
    # the template's example point (114.10109) lies inside the stored points' box, not inside this outline's
    data = gb18030_csv(headers("requests"), body("requests", [example("requests")]))
    assert refused(sqlite_fresh, "requests", data, "坐标.csv") == [
        (2, "经度", "114.10109",
         "坐标不在本区范围内：经度应在 114.15～114.35 之间（WGS-84 十进制度，例如 114.10109）")]
    good = gb18030_csv(headers("requests"), body("requests", [example("requests", lat=22.65, lon=114.25)]))
    report = importer.import_bytes(sqlite_fresh.engine, "requests", good, "坐标.csv")
    assert report.ok and report.inserted == 1, report.problems
