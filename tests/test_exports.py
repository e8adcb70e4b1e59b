"""Table exports: the XLSX opened back with openpyxl equals the table; the CSV keeps its BOM and headers;
text that looks like a formula never becomes one."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from components.exports import (
    csv_bytes,
    download_filename,
    export_filters,
    neutralised,
    sheet_name,
    xlsx_bytes,
)

INJECTIONS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "=1+1"]


def sample_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["LG-2023-0001", "LG-2023-0002", "=1+1", "@SUM(A1)", "-2+3"],
        "title": ["龙岭社区加装电梯", None, "+1+1", "=HYPERLINK(\"http://x\",\"y\")", "普通<b>标题</b>"],
        "projects": np.array([3, 0, 12, 5, 7], dtype="int64"),
        "share": [0.5, np.nan, 0.125, 1.0, 0.333],
        "planned_end": [date(2023, 5, 1), date(2022, 12, 31), None, date(2021, 1, 1), date(2023, 10, 31)],
        "submitted_at": pd.to_datetime(["2023-01-02 08:30:00", "2023-03-04 23:59:59", None, "2021-01-01 00:00:00",
                                        "2023-10-31 12:00:00"]),
        "done": [True, False, True, False, True],
    })


HEADERS = {"code": "项目编号", "title": "项目名称", "projects": "项目数", "share": "占比", "planned_end": "计划完成",
           "submitted_at": "提交时间", "done": "已完成"}


def filters(rows: int, **kw):
    return export_filters("龙岗区 › 布吉街道", "2023年", date(2023, 10, 31), "zh", rows=rows,
                          exported_at=datetime(2023, 11, 1, 9, 30), **kw)


def open_book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_has_the_filters_sheet_first_in_chinese():
    frame = sample_frame()
    book = open_book(xlsx_bytes(frame, HEADERS, filters(len(frame), role="街道账号（440307014）"),
                                sheet="overdue_projects"))
    assert book.sheetnames == ["筛选条件", "overdue_projects"]
    rows = [tuple(c.value for c in row) for row in book["筛选条件"].iter_rows()]
    assert rows[0] == ("项目", "取值")
    shown = dict(rows[1:])
    assert shown == {"范围": "龙岗区 › 布吉街道", "时段": "2023年", "账号权限": "街道账号（440307014）",
                     "数据截至": "2023-10-31", "导出时间": "2023-11-01 09:30:00", "行数": "5"}


def test_xlsx_filters_in_english_and_without_a_role():
    frame = sample_frame()
    items = export_filters("Longgang District", "2023", date(2023, 10, 31), "en", rows=5,
                           exported_at=datetime(2023, 11, 1, 9, 30))
    book = open_book(xlsx_bytes(frame, None, items, sheet="x", lang="en"))
    assert book.sheetnames[0] == "Filters"
    labels = [row[0].value for row in book["Filters"].iter_rows(min_row=2)]
    assert labels == ["Scope", "Period", "Data as of", "Exported at", "Rows"]


def test_xlsx_table_equals_the_frame_cell_by_cell():
    frame = sample_frame()
    book = open_book(xlsx_bytes(frame, HEADERS, filters(len(frame)), sheet="table"))
    sheet = book.worksheets[1]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [HEADERS[c] for c in frame.columns]
    assert len(rows) == len(frame) + 1
    for got, (_, want) in zip(rows[1:], frame.iterrows(), strict=True):
        code, title, projects, share, planned_end, submitted_at, done = got
        assert code == want["code"]  # text kept exactly, even when it starts with = + - @
        assert title == (None if pd.isna(want["title"]) else want["title"])
        assert projects == int(want["projects"]) and isinstance(projects, int)
        if pd.isna(want["share"]):
            assert share is None
        else:
            assert share == pytest.approx(want["share"]) and isinstance(share, (int, float))
        if pd.isna(want["planned_end"]):
            assert planned_end is None
        else:  # a date cell (openpyxl reads dates back as midnight datetimes)
            assert isinstance(planned_end, datetime) and planned_end.date() == want["planned_end"]
        if pd.isna(want["submitted_at"]):
            assert submitted_at is None
        else:
            assert submitted_at == want["submitted_at"].to_pydatetime()
        assert done is bool(want["done"])
    # numbers are numbers and dates are dates, not text
    assert sheet["C2"].data_type == "n" and sheet["D2"].data_type == "n"
    assert sheet["E2"].is_date and sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["F2"].is_date and sheet["F2"].number_format == "yyyy-mm-dd hh:mm:ss"
    # frozen header row, readable widths (Chinese counts double), an autofilter over the table
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 2 * len("龙岭社区加装电梯")
    assert sheet.auto_filter.ref == "A1:G6"


def test_xlsx_formula_lookalikes_stay_text():
    frame = pd.DataFrame({"v": INJECTIONS})
    data = xlsx_bytes(frame, {"v": "内容"}, filters(len(frame)), sheet="t")
    sheet = open_book(data).worksheets[1]
    assert [c.value for c in sheet["A"][1:]] == INJECTIONS
    assert all(c.data_type == "s" for c in sheet["A"][1:])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_xlsx_of_an_empty_table_and_of_pandas_nullable_types():
    empty = pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="object")})
    sheet = open_book(xlsx_bytes(empty, {"a": "甲", "b": "乙"}, filters(0), sheet="t")).worksheets[1]
    assert [c.value for c in sheet[1]] == ["甲", "乙"] and sheet.max_row == 1
    nullable = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"), "f": pd.array([1.5, None, 2.0],
                                                                                      dtype="Float64"),
                             "s": pd.array(["x", None, "=y"], dtype="string")})
    sheet = open_book(xlsx_bytes(nullable, None, filters(3), sheet="t")).worksheets[1]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [[1, 1.5, "x"], [None, None, None],
                                                                               [3, 2.0, "=y"]]


def test_sheet_names_are_valid():
    assert sheet_name("a/b\\c[d]:e*f?g") == "a_b_c_d__e_f_g"
    assert len(sheet_name("x" * 50)) == 31
    assert sheet_name("'quoted'") == "quoted"
    assert sheet_name("", "数据") == "数据"
    book = open_book(xlsx_bytes(pd.DataFrame({"a": [1]}), None, filters(1), sheet="indicator_averages_by_community"))
    assert book.sheetnames[1] == "indicator_averages_by_community"[:31]


def test_csv_has_bom_headers_and_neutralised_formulas():
    frame = sample_frame()
    data = csv_bytes(frame, HEADERS)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert list(back.columns) == [HEADERS[c] for c in frame.columns]
    assert back["项目编号"].tolist() == ["LG-2023-0001", "LG-2023-0002", "'=1+1", "'@SUM(A1)", "'-2+3"]
    assert back["项目名称"].tolist()[2:4] == ["'+1+1", "'=HYPERLINK(\"http://x\",\"y\")"]
    assert back["项目数"].tolist() == [3, 0, 12, 5, 7]  # numbers untouched, negative ones too
    assert csv_bytes(pd.DataFrame({"n": [-1.5, 2.0]})).decode("utf-8-sig").splitlines() == ["n", "-1.5", "2.0"]
    assert neutralised("\tcmd") == "'\tcmd" and neutralised("正常") == "正常" and neutralised(-3) == -3


def test_download_filenames():
    assert download_filename("projects", "龙岗区 › 布吉街道") == "projects_龙岗区_布吉街道.csv"
    assert download_filename("projects", "龙岗区 › 布吉街道", "xlsx") == "projects_龙岗区_布吉街道.xlsx"
    assert download_filename("briefing", "龙岗区", "html") == "briefing_龙岗区.html"
