"""Tables on screen (components/tables.py): short ones as escaped HTML, numbers to the right, missing as
a dash, figures as the data grid would show them; long ones in the data grid."""

import pandas as pd
from streamlit.testing.v1 import AppTest

from components.tables import SMALL_ROWS, decimals_needed, formatted, small_table_html


def test_cells_are_escaped_and_numbers_aligned_right():
    frame = pd.DataFrame({"名称": ["<b>甲</b>", "乙 & 丙"], "人数": [1234, 5], "比率": [0.5, None],
                          "得分": ["95.8%", "—"]})
    out = small_table_html(frame, right=("得分",))
    assert "<b>甲</b>" not in out and "&lt;b&gt;甲&lt;/b&gt;" in out and "乙 &amp; 丙" in out
    assert '<td class="n">1,234</td>' in out and '<td class="n">0.5</td>' in out
    assert '<th class="n">得分</th>' in out and '<td class="n">95.8%</td>' in out
    assert "<td>—</td>" in out  # a missing value
    assert out.count("<tr>") == 3  # the header and two rows


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
