"""Small tables as plain HTML: escaped cells, numbers right-aligned, for the screen and the briefing.

``st.dataframe`` is the right tool for a table a reader sorts, searches or scrolls; it is also
the heaviest thing a page can draw: its data grid and Arrow code are about 1.2 MB of JavaScript
that the browser loads and runs before the page is done (about 0.5 s on the benchmark machine).
A panel of eight figures or a list of eight slides needs none of that, so it is drawn here.
"""

from __future__ import annotations

import html
from datetime import date, datetime

import pandas as pd

#: the on-screen look, close to Streamlit's own tables (one style block per table; st.html sanitises
#: and scopes nothing, so the class names are specific)
SCREEN_CSS = """<style>
table.lg-small { width: 100%; border-collapse: collapse; font-size: 0.875rem; margin: 0.25rem 0 0.5rem; }
table.lg-small th { text-align: left; font-weight: 600; color: rgba(49, 51, 63, 0.75);
  border-bottom: 1px solid rgba(49, 51, 63, 0.2); padding: 0.35rem 0.5rem; background: rgba(49, 51, 63, 0.03); }
table.lg-small td { padding: 0.3rem 0.5rem; border-bottom: 1px solid rgba(49, 51, 63, 0.1); vertical-align: top; }
table.lg-small td.n, table.lg-small th.n { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
</style>"""


def escape(value) -> str:
    return html.escape(str(value), quote=True)


def cell(value, digits: int | None = None) -> tuple[str, bool]:
    """A value as a page shows it, escaped, and whether it is a number (aligned right)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—", False
    if isinstance(value, bool):
        return escape(value), False
    if isinstance(value, int) or (hasattr(value, "dtype") and pd.api.types.is_integer_dtype(value.dtype)):
        return f"{int(value):,}", True
    if isinstance(value, float) or (hasattr(value, "dtype") and pd.api.types.is_float_dtype(value.dtype)):
        value = float(value)
        if digits is None:
            digits = 0 if value.is_integer() else 1
        return f"{value:,.{digits}f}", True
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return escape(value.strftime("%Y-%m-%d %H:%M")), False
    if isinstance(value, date):
        return escape(value.isoformat()), False
    return escape(value), False


def small_table_html(frame: pd.DataFrame, right: tuple[str, ...] = ()) -> str:
    """The frame (headers as its column names) as one HTML table for ``st.html``. Numbers, and
    the columns named in ``right`` (figures already formatted as text), are aligned right."""
    aligned = [c in right for c in frame.columns]
    head = "".join(f'<th class="n">{escape(c)}</th>' if a else f"<th>{escape(c)}</th>"
                   for c, a in zip(frame.columns, aligned, strict=True))
    rows = []
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for value, a in zip(row, aligned, strict=True):
            shown, number = cell(value)
            cells.append(f'<td class="n">{shown}</td>' if number or a else f"<td>{shown}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'{SCREEN_CSS}<table class="lg-small"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
