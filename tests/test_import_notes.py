"""components.import_notes: every note the importer writes reads the same from the catalogue in Chinese,
and has an English text."""

from __future__ import annotations

import pytest

from components.import_notes import note_text, notes_markdown
from data_access.importer import Note

#: one note of each key, as data_access.importer writes it
NOTES = [
    Note("sheet", "读取工作表“诉求台账”（按列名识别数据所在的工作表）", sheet="诉求台账"),
    Note("header_row", "第 3 行为表头（跳过上方 2 行标题或空行）", row=3, skipped=2),
    Note("ignored_columns", "忽略 2 个本类别没有的列（不导入）：街道、社区", count=2, columns=["街道", "社区"]),
    Note("footer", "忽略表格下方的 3 行说明或合计（如 制表人、填报日期、合计）", rows=3),
    Note("normalised", "已规范化（全角字符、中文日期、千位分隔符）：社区编码 2 格，提交时间 1 格",
         counts={"社区编码": 2, "提交时间": 1}),
    Note("merged", "合并单元格已按合并区域的值填充：街道 2 格", counts={"街道": 2}),
    Note("masked_kept", "2 个脱敏的单元格（含 *，如下载的列表）保留数据库中原有的值", cells=2),
]


@pytest.mark.parametrize("note", NOTES, ids=[n.key for n in NOTES])
def test_the_catalogue_says_each_note_as_the_importer_does(note):
    assert note_text(note, "zh") == str(note)
    english = note_text(note, "en")
    assert english != str(note) and english[0].isascii() and english.split(" ")[0].isascii()


def test_english_counts_and_lists():
    assert note_text(NOTES[4], "en") == ("Normalised (full-width characters, Chinese dates, thousands separators): "
                                         "社区编码 (2); 提交时间 (1)")
    assert note_text(NOTES[2], "en") == "Columns this area does not have, ignored (not imported), 2: 街道, 社区"


def test_markdown_escapes_the_files_own_text():
    note = Note("sheet", "读取工作表“*台账*”（按列名识别数据所在的工作表）", sheet="*台账*")
    assert notes_markdown([note], "en").startswith("- Read the sheet “\\*台账\\*”")
    assert note_text("a plain note", "en") == "a plain note"
