"""The 数据管理 (Data) page: shown to the district office, with templates, checks and a report."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_support import open_app
from streamlit.testing.v1 import AppTest

from data_access.import_specs import SPECS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def open_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("LONGGANG_USERS_FILE", str(tmp_path / "no-users.toml"))  # the open demo: district


def data_page(sqlite_db) -> AppTest:
    return open_app("pages/data_page.py", timeout=120)


def test_district_sees_the_data_page_with_every_area(sqlite_db):
    at = data_page(sqlite_db)
    assert at.title[0].value == "数据管理"
    area = at.selectbox(key="data_area")
    assert area.options == [spec.title_zh for spec in SPECS.values()]
    assert at.checkbox(key="data_dry_run").value is False
    assert at.button(key="data_import")


def test_choosing_an_area_and_importing_without_a_file_asks_for_one(sqlite_db):
    at = data_page(sqlite_db)
    at.selectbox(key="data_area").select("requests").run()
    assert not at.exception
    at.button(key="data_import").click().run()
    assert not at.exception
    assert "请先选择要导入的文件" in at.warning[0].value


def test_english_labels(sqlite_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/data_page.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Data management"
    assert "Practice projects" in at.selectbox(key="data_area").options


def office_file() -> bytes:
    """A request ledger as a street office keeps it: a filters sheet first, a merged title, the header on
    row 3 with a 街道 column the area does not have (merged down over both rows), a full-width community
    code, a Chinese date-time and a footer."""
    import io

    from openpyxl import Workbook

    spec = SPECS["requests"]
    workbook = Workbook()
    workbook.active.title = "筛选条件"
    workbook.active.append(["筛选条件", "取值"])
    sheet = workbook.create_sheet("诉求台账")
    sheet.append(["龙岗区居民诉求台账（2023年10月）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(spec.columns) + 1)
    sheet.append([])
    sheet.append(["街道", *[c.zh for c in spec.columns]])
    first = dict(spec.example, community_code="４４０３０７０１４００３", submitted_at="2023年10月10日 13:04")
    second = dict(spec.example, id="R2023900002")
    sheet.append(["布吉街道", *[first.get(c.name, "") for c in spec.columns]])
    sheet.append([None, *[second.get(c.name, "") for c in spec.columns]])
    sheet.merge_cells("A4:A5")
    sheet.append(["制表人：王五"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload_and_check(at: AppTest) -> AppTest:
    at.selectbox(key="data_area").select("requests").run()
    at.get("file_uploader")[0].set_value(("台账.xlsx", office_file(), "application/octet-stream"))
    at.checkbox(key="data_dry_run").check()
    at.run()
    at.button(key="data_import").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_report_says_which_sheet_and_header_row_and_what_was_normalised(sqlite_db):
    at = upload_and_check(data_page(sqlite_db))
    assert "校验通过（试运行，未写入）：共 2 行，将新增 2 行" in at.success[0].value
    notes = at.info[0].value
    assert notes.startswith("**文件读取说明**")
    for line in ("- 读取工作表“诉求台账”（按列名识别数据所在的工作表）",
                 "- 第 3 行为表头（跳过上方 2 行标题或空行）",
                 "- 合并单元格已按合并区域的值填充：街道 1 格",
                 "- 忽略 1 个本类别没有的列（不导入）：街道",
                 "- 忽略表格下方的 1 行说明或合计（如 制表人、填报日期、合计）",
                 "- 已规范化（全角字符、中文日期、千位分隔符）：社区编码 1 格，提交时间 1 格"):
        assert line in notes, (line, notes)


def test_the_report_notes_in_english(sqlite_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/data_page.py")
    at.run()
    at = upload_and_check(at)
    notes = at.info[0].value
    assert notes.startswith("**How the file was read**")
    for line in ("- Read the sheet “诉求台账” \\(the data sheet is found by its column headers\\)",
                 "- Row 3 is the header \\(2 title or blank rows above it skipped\\)",
                 "- Merged cells filled with the value of their merged range: 街道 \\(1\\)",
                 "- Columns this area does not have, ignored \\(not imported\\), 1: 街道",
                 "- Normalised \\(full\\-width characters, Chinese dates, thousands separators\\): 社区编码 \\(1\\); "
                 "提交时间 \\(1\\)"):
        assert line in notes, (line, notes)
