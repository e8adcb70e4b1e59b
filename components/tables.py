"""Small tables as plain HTML: escaped cells, numbers right-aligned, for the screen and the briefing.

``st.dataframe`` is the right tool for a table a reader sorts, searches or scrolls; it is also
the heaviest thing a page can draw: its data grid and Arrow code are about 1.2 MB of JavaScript
that the browser loads and runs before the page is done (about 0.5 s on the benchmark machine).
A panel of eight figures, a list of eight slides or a table of a page's ten categories needs
none of that, so it is drawn here; ``show_frame`` picks one or the other by the table's length.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime

import pandas as pd

#: A table of at most this many rows is drawn as HTML: all of it fits on screen, so nobody scrolls
#: or sorts it. Longer ones keep the data grid.
SMALL_ROWS = 15

#: the on-screen look, close to Streamlit's own tables (one style block per table; st.html sanitises
#: and scopes nothing, so the class names are specific)
SCREEN_CSS = """<style>
div.lg-small-wrap { overflow-x: auto; max-width: 100%; }
table.lg-small { width: 100%; border-collapse: collapse; font-size: 0.875rem; margin: 0.25rem 0 0.5rem; }
table.lg-small th { text-align: left; font-weight: 600; color: rgba(49, 51, 63, 0.75);
  border-bottom: 1px solid rgba(49, 51, 63, 0.2); padding: 0.35rem 0.5rem; background: rgba(49, 51, 63, 0.03);
  white-space: nowrap; }
table.lg-small td { padding: 0.3rem 0.5rem; border-bottom: 1px solid rgba(49, 51, 63, 0.1); vertical-align: top; }
table.lg-small td.s { white-space: nowrap; }
table.lg-small td.n, table.lg-small th.n { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
</style>"""


#: A text column whose longest value is at most this many characters (a street's name, a status, a
#: measure) is kept on one line: the table grows and scrolls in its box, names never break in two.
SHORT_TEXT = 16

#: Columns that hold a year, a code or an id: labels that happen to be digits, never shown as
#: amounts ("2021", not "2,021"; "440307014", not "440,307,014").
IDENTIFIER_COLUMN = re.compile(r"(^|_)(year|code|id)$", re.IGNORECASE)


def identifier_columns(frame: pd.DataFrame) -> list[str]:
    """The frame's year, code and id columns (by name: ``year``, ``first_year``, ``street_code``, ``id``…)."""
    return [c for c in frame.columns if isinstance(c, str) and IDENTIFIER_COLUMN.search(c)]


def as_label(value) -> str:
    """A year, code or id as text without digit grouping (a float year 2021.0 is "2021"); missing: a dash."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
    short = [bool(len(frame)) and frame[c].astype(str).str.len().max() <= SHORT_TEXT for c in frame.columns]
    head = "".join(f'<th class="n">{escape(c)}</th>' if a else f"<th>{escape(c)}</th>"
                   for c, a in zip(frame.columns, aligned, strict=True))
    rows = []
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for value, a, s in zip(row, aligned, short, strict=True):
            shown, number = cell(value)
            cells.append(f'<td class="n">{shown}</td>' if number or a else f'<td class="s">{shown}</td>' if s
                         else f"<td>{shown}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    # a wide table (twenty columns of per-1,000 rates) scrolls sideways, as the data grid does
    return (f'{SCREEN_CSS}<div class="lg-small-wrap"><table class="lg-small"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def formatted(value, fmt: str) -> str:
    """A number as the data grid's ``NumberColumn(format=fmt)`` shows it: a printf format, or
    "localized" (digits grouped); a missing value is a dash."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, str):
        return value
    if fmt == "localized":
        return f"{value:,}" if float(value).is_integer() else f"{value:,.2f}"
    return fmt % value


def decimals_needed(values: pd.Series, most: int = 4) -> int:
    """The fewest decimals (up to ``most``) that show every value of a float column as it is, so a
    column without a stated format loses nothing against the data grid and keeps one width."""
    present = values.dropna().astype(float)
    for digits in range(most):
        if ((present.round(digits) - present).abs() < 10 ** -(most + 2)).all():
            return digits
    return most


def show_frame(frame: pd.DataFrame, headers: dict[str, str], formats: dict[str, str] | None = None,
               height: int | None = None) -> None:
    """A table on screen, its columns renamed by ``headers`` and numbers shown with ``formats``
    (column -> printf format): HTML when it is short, the data grid when a reader scrolls or sorts."""
    import streamlit as st  # here, so the briefing can build its tables without a Streamlit import

    labels = identifier_columns(frame)
    formats = {c: fmt for c, fmt in (formats or {}).items() if c not in labels}
    frame = frame.assign(**{c: [as_label(v) for v in frame[c]] for c in labels})
    if len(frame) <= SMALL_ROWS:
        shown = frame.copy()
        for column, fmt in formats.items():
            shown[column] = [formatted(v, fmt) for v in shown[column]]
        floats = [c for c in frame.columns if c not in formats and pd.api.types.is_float_dtype(frame[c])]
        for column in floats:
            digits = decimals_needed(frame[column])
            shown[column] = ["—" if pd.isna(v) else f"{v:,.{digits}f}" for v in frame[column]]
        right = tuple(headers.get(c, c) for c in [*formats, *floats])
        st.html(small_table_html(shown.rename(columns=headers), right=right))
        return
    config = {headers.get(c, c): st.column_config.NumberColumn(format=fmt) for c, fmt in formats.items()}
    st.dataframe(frame.rename(columns=headers), hide_index=True, column_config=config, width="stretch",
                 height=height if height and len(frame) > 10 else "auto")
