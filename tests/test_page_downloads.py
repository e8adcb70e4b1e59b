"""One rule for what a download holds (issue 29, docs/exports.md), checked over every table download of the
pages (tests/page_downloads.py): the query's values at full precision, never the screen's rounding or scaling;
a share or ratio as a fraction (1 = 100%) whose header says so; a stored percentage (进度（%）) in its own unit,
named in its header."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from page_downloads import STREET, page_downloads
from sqlalchemy import func, select

from components.downloads import fraction_headers
from data_access import schema

FRACTION = "（比例，1 = 100%）"
#: a header naming a share or a ratio (Chinese downloads): 办结率, 按时办结率, 达标率, 覆盖率, 完成率, 占比 …
SHARE_WORDS = re.compile(r"率|占比|比例")


@pytest.fixture(scope="module")
def every_download(sqlite_db):
    P, C = schema.projects, schema.communities
    code = sqlite_db.scalar(select(P.c.code).join(C, C.c.code == P.c.community_code)
                            .where(C.c.street_code == STREET).order_by(P.c.code).limit(1))
    found = page_downloads("zh", code)
    assert len(found) >= 50, sorted(found)
    return found


def numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").dropna().astype(float)


def test_every_share_is_a_fraction_and_its_header_says_so(every_download):
    marked = 0
    for stem, download in every_download.items():
        for column, header in download.headers.items():
            if header.endswith(FRACTION):
                marked += 1
                values = numbers(download.frame, column)
                assert pd.api.types.is_float_dtype(download.frame[column]), (stem, column)
                assert values.abs().max() <= 2, (stem, header, values.abs().max())  # 1.2 at most (capped ratios)
            elif SHARE_WORDS.search(header):
                raise AssertionError(f"{stem}: {header} names a share but is not marked as a fraction")
    assert marked >= 15


def test_a_stored_percentage_keeps_its_unit_and_says_it(every_download):
    seen = 0
    for stem, download in every_download.items():
        for column, header in download.headers.items():
            if "（%）" in header:
                seen += 1
                values = numbers(download.frame, column)
                assert values.between(0, 100).all() and values.max() > 1, (stem, header)
    assert seen >= 5


def test_values_are_not_rounded_for_the_screen(every_download, sqlite_db):
    """Shares keep every digit; a page's 1-decimal or 2-decimal screen rounding never reaches a file."""
    for stem, download in every_download.items():
        for column, header in download.headers.items():
            values = numbers(download.frame, column)
            if header.endswith(FRACTION) and values.nunique() >= 3:
                assert ((values - values.round(4)).abs() > 1e-9).any(), (stem, header)
    days_left = numbers(every_download["worklist"].frame, "days_left")
    assert ((days_left - days_left.round(1)).abs() > 1e-9).any()  # the screen shows one decimal
    by_category = every_download["requests_by_category"].frame
    assert (by_category["resolution_rate"] == by_category["resolved"] / by_category["received"]).all()
    R, C = schema.requests, schema.communities
    received = sqlite_db.scalar(select(func.count()).select_from(R.join(C, C.c.code == R.c.community_code))
                                .where(C.c.street_code == STREET))
    assert by_category["received"].sum() == received


def test_the_fraction_mark_in_english():
    assert fraction_headers({"rate": "Resolution rate", "n": "Received"}, ["rate"], "en") == \
        {"rate": "Resolution rate (fraction, 1 = 100%)", "n": "Received"}
