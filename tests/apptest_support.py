"""Running the app headless for page tests: the start-up steps every page test shares.

AppTest must first run ``app.py`` (it builds the sidebar scope and the navigation), and only
then switch to a page file, or Streamlit's older pages/ mode would run the page alone.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe, Html

ROOT = Path(__file__).resolve().parent.parent


def open_app(page: str | None = None, *, timeout: float = 240, **params) -> AppTest:
    """app.py run with these URL parameters, then switched to ``page`` (a path like
    "pages/map_page.py") if given; fails the test on any uncaught exception, and on any error the page
    guard (components/guard.py) caught and showed as a message with a retry button."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not [b for b in at.button if b.key == "page_error_retry"], [e.value for e in at.error]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Metric tiles by label."""
    return {m.label: m.value for m in at.metric}


class SectionViews(dict):
    """Each lazy section's AppTest by section id. Element lists read across all of them
    (``views.dataframe``, ``views.metric`` …), so a test can check the whole page at once."""

    def __getattr__(self, name: str) -> list:
        return [element for at in self.values() for element in getattr(at, name)]

    def elements(self, element_type: str) -> list:
        """``at.get(element_type)`` across every section."""
        return [element for at in self.values() for element in at.get(element_type)]


def every_section(page: str, sections: list[str], *, timeout: float = 240, **params) -> SectionViews:
    """The page opened once per lazy section (``section=<id>`` in the link)."""
    return SectionViews({section: open_app(page, timeout=timeout, section=section, **params)
                         for section in sections})


class _TableParser(HTMLParser):
    """The tables of an HTML fragment: header cells and body rows, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            value = "".join(self._cell).strip()
            headers, rows = self.tables[-1]
            (headers if tag == "th" else rows[-1]).append(value)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _html_frames(body: str) -> list[pd.DataFrame]:
    parser = _TableParser()
    parser.feed(body)
    return [pd.DataFrame([r for r in rows if r], columns=headers) for headers, rows in parser.tables]


def html_tables(at: AppTest) -> list[pd.DataFrame]:
    """The small HTML tables a page drew (components/tables.py) as frames of their text."""
    return [frame for element in at.get("html") for frame in _html_frames(element.proto.body)]


_NUMBER = re.compile(r"^[+-]?[\d,]*\.?\d+%?$")


def _as_read(column: pd.Series) -> pd.Series:
    """An HTML table's text column as a reader takes it: numbers (grouped, signed or with a % sign)
    as numbers, a dash as missing; any other text stays text."""
    present = [v for v in column if v != "—"]
    if not present or not all(_NUMBER.match(v) for v in present):
        return column
    numbers = pd.Series([None if v == "—" else float(v.replace(",", "").rstrip("%")) for v in column],
                        index=column.index, dtype="float64")
    return numbers.astype("int64") if numbers.notna().all() and (numbers % 1 == 0).all() else numbers


def tables(at: AppTest | SectionViews) -> list[pd.DataFrame]:
    """Every table the page (or each of its sections) drew, long ones from the data grid and short
    ones from their HTML (components.tables.show_frame picks by length), the HTML's figures read
    back as numbers."""
    if isinstance(at, SectionViews):
        return [frame for view in at.values() for frame in tables(view)]
    frames = []
    for node in at.main:  # in page order
        if isinstance(node, Dataframe):
            frames.append(node.value)
        elif isinstance(node, Html):
            frames += [frame.apply(_as_read) for frame in _html_frames(node.proto.body)]
    return frames
