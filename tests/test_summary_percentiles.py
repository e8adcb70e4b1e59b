"""The percentile bookkeeping of the request summaries: each anchor's next id, and finding it again after an
import from the stored one and the changed requests alone (data_access.summary_percentiles)."""

from __future__ import annotations

import pandas as pd

from data_access.summary_percentiles import _next_in_place, group_percentiles, sorted_by_days


def test_group_percentiles_store_the_id_after_each_anchor_and_none_at_a_groups_end():
    rows = sorted_by_days(pd.DataFrame({"g": ["a"] * 4 + ["b"], "days": [4.0, 1.0, 3.0, 2.0, 7.0],
                                        "id": ["w", "x", "y", "z", "v"]}))
    out = group_percentiles(rows, ["g"])
    # a: x(1) z(2) y(3) w(4): median rank 1.5 -> z then y; p90 rank 2.7 -> y then w
    assert out.loc["a", "median_days"] == 2.5 and out.loc["a", "median_anchor"] == "z"
    assert out.loc["a", "median_next"] == "y" and out.loc["a", "p90_next"] == "w"
    assert out.loc["b", "median_anchor"] == "v" and pd.isna(out.loc["b", "median_next"])


def test_the_next_one_is_found_from_the_stored_one_and_the_changed_requests():
    anchor, stored = (2.0, "a"), (3.0, "b")
    assert _next_in_place(stored, anchor, gone=[], joined=[]) == stored  # nothing near: it stays
    assert _next_in_place(stored, anchor, gone=[], joined=[(2.5, "j")]) == (2.5, "j")  # one joined between
    assert _next_in_place(stored, anchor, gone=[], joined=[(1.0, "k"), (9.0, "j")]) == stored
    # the stored next one changed but kept its place: it left and joined with the same key
    assert _next_in_place(stored, anchor, gone=[stored], joined=[stored]) == stored
    # it left: one that joined before its place follows the anchor; else what stayed after it is unknown
    assert _next_in_place(stored, anchor, gone=[stored], joined=[(2.9, "j")]) == (2.9, "j")
    assert _next_in_place(stored, anchor, gone=[stored], joined=[(3.5, "j")]) is False
    assert _next_in_place(stored, anchor, gone=[stored], joined=[]) is False
    # the anchor was the group's last: only what joined after it can follow it
    assert _next_in_place(None, anchor, gone=[(5.0, "c")], joined=[]) is None
    assert _next_in_place(None, anchor, gone=[], joined=[(1.0, "k"), (8.0, "j")]) == (8.0, "j")
