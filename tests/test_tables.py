"""Small HTML tables (components/tables.py): escaped, numbers to the right, missing as a dash."""

import pandas as pd

from components.tables import small_table_html


def test_cells_are_escaped_and_numbers_aligned_right():
    frame = pd.DataFrame({"名称": ["<b>甲</b>", "乙 & 丙"], "人数": [1234, 5], "比率": [0.5, None],
                          "得分": ["95.8%", "—"]})
    out = small_table_html(frame, right=("得分",))
    assert "<b>甲</b>" not in out and "&lt;b&gt;甲&lt;/b&gt;" in out and "乙 &amp; 丙" in out
    assert '<td class="n">1,234</td>' in out and '<td class="n">0.5</td>' in out
    assert '<th class="n">得分</th>' in out and '<td class="n">95.8%</td>' in out
    assert "<td>—</td>" in out  # a missing value
    assert out.count("<tr>") == 3  # the header and two rows
