"""Tables on screen (components/tables.py): short ones as escaped HTML, numbers to the right, missing as
a dash, figures as the data grid would show them; long ones in the data grid."""

import json

import pandas as pd
from streamlit.testing.v1 import AppTest

from components.tables import SMALL_ROWS, decimals_needed, formatted, identifier_columns, small_table_html


def test_cells_are_escaped_and_numbers_aligned_right():
    frame = pd.DataFrame({"名称": ["<b>甲</b>", "乙 & 丙"], "人数": [1234, 5], "比率": [0.5, None],
                          "得分": ["95.8%", "—"]})
    out = small_table_html(frame, right=("得分",))
    assert "<b>甲</b>" not in out and "&lt;b&gt;甲&lt;/b&gt;" in out and "乙 &amp; 丙" in out
    assert '<td class="n">1,234</td>' in out and '<td class="n">0.5</td>' in out
    assert '<th class="n">得分</th>' in out and '<td class="n">95.8%</td>' in out
    assert '<td class="s">—</td>' in out  # a missing value
    assert out.count("<tr>") == 3  # the header and two rows


def test_short_text_stays_on_one_line_and_long_text_wraps():
    # the scorecards' street table broke 平湖街道 onto two lines; a definition may still wrap
    definition = "按时办结率：截止日前应办结的诉求中，在时限内办结的比例"
    frame = pd.DataFrame({"单位": ["平湖街道", "坪地街道"], "定义": [definition, "—"]})
    out = small_table_html(frame)
    assert '<td class="s">平湖街道</td>' in out and "<td>按时办结率" in out
    assert "td.s { white-space: nowrap; }" in out


def test_figures_read_as_the_data_grid_shows_them():
    assert formatted(12345, "localized") == "12,345"
    assert formatted(0.5, "localized") == "0.50"
    assert formatted(12.345, "%.1f%%") == "12.3%"
    assert formatted(-1.25, "%+.1f") == "-1.2" and formatted(3, "%+.1f") == "+3.0"
    assert formatted(None, "%.2f") == "—" and formatted(float("nan"), "%.2f") == "—"
    assert formatted("甲", "%.2f") == "甲"


def _draw(rows: int, name: str = "<i>甲</i>"):
    import pandas as pd
    import streamlit as st  # noqa: F401 (AppTest runs this function's source alone)

    from components.tables import show_frame

    frame = pd.DataFrame({"name": [name] * rows, "share": [12.345] * rows, "count": range(rows),
                          "rate": [0.25, 1234.5] * (rows // 2) + [0.25] * (rows % 2)})
    show_frame(frame, {"name": "名称", "share": "占比", "count": "数量", "rate": "比率"}, {"share": "%.1f%%"})


def test_a_short_table_is_html_and_a_long_one_the_data_grid():
    short = AppTest.from_function(_draw, args=(SMALL_ROWS,)).run()
    assert not short.dataframe and len(short.get("html")) == 1
    body = short.get("html")[0].proto.body
    assert "<i>" not in body and "&lt;i&gt;甲&lt;/i&gt;" in body  # text, never markup
    assert '<th class="n">占比</th>' in body and body.count('<td class="n">12.3%</td>') == SMALL_ROWS
    assert '<td class="n">14</td>' in body
    assert '<td class="n">0.25</td>' in body and '<td class="n">1,234.50</td>' in body  # one width, no loss
    long = AppTest.from_function(_draw, args=(SMALL_ROWS + 1,)).run()
    assert not long.get("html") and list(long.dataframe[0].value.columns) == ["名称", "占比", "数量", "比率"]
    assert len(long.dataframe[0].value) == SMALL_ROWS + 1


def test_a_float_column_without_a_format_keeps_its_decimals():
    assert decimals_needed(pd.Series([1.0, 2.0, None])) == 0
    assert decimals_needed(pd.Series([0.34, 0.5])) == 2
    assert decimals_needed(pd.Series([1 / 3])) == 4


def _draw_identifiers(rows: int):
    import pandas as pd
    import streamlit as st  # noqa: F401 (AppTest runs this function's source alone)

    from components.tables import show_frame

    frame = pd.DataFrame({"measure": ["刑事治安总警情"] * rows, "first_year": [2021] * rows,
                          "last_year": [2023.0] * rows, "street_code": [440307014] * rows,
                          "request_id": [1234567] * rows, "first_total": [22719] * rows})
    show_frame(frame, {"first_year": "起始年", "last_year": "末年"},
               {"first_year": "localized", "first_total": "localized"})


def test_identifier_columns_are_found_by_name():
    frame = pd.DataFrame(columns=["year", "first_year", "street_code", "code", "id", "request_id", "yearly_total",
                                  "codes", "population", "Year"])
    assert identifier_columns(frame) == ["year", "first_year", "street_code", "code", "id", "request_id", "Year"]


def test_no_year_code_or_id_is_shown_with_digit_grouping():
    """The safety table of 考核评价 showed 2,021 and 2,023; years, codes and ids are labels, not amounts,
    in the HTML table and in the data grid, even when a caller asks for "localized" figures."""
    short = AppTest.from_function(_draw_identifiers, args=(3,)).run()
    body = short.get("html")[0].proto.body
    for shown in ("2021", "2023", "440307014", "1234567"):
        assert f"<td class=\"s\">{shown}</td>" in body
    for grouped in ("2,021", "2,023", "2023.0", "440,307,014", "1,234,567"):
        assert grouped not in body
    assert '<td class="n">22,719</td>' in body  # an amount keeps its grouping
    long = AppTest.from_function(_draw_identifiers, args=(SMALL_ROWS + 1,)).run()
    grid = long.dataframe[0]
    assert list(grid.value["起始年"])[:1] == ["2021"] and list(grid.value["末年"])[:1] == ["2023"]
    assert list(grid.value["street_code"])[:1] == ["440307014"]
    formats = {name: column.get("type_config", {}).get("format") for name, column in
               json.loads(grid.proto.columns).items()}
    assert formats.get("起始年") is None and formats.get("first_total") == "localized"
