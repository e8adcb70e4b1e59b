"""Periods, previous periods and role limits of the Scope value."""

from datetime import date

import pytest

from data_access.scope import Period, Scope, parse_period, period_options

START, REF = date(2021, 1, 1), date(2023, 10, 31)


def test_period_options_cover_all_years_and_quarters_newest_first():
    keys = [p.key for p in period_options(START, REF)]
    assert keys[:4] == ["all", "2023", "2022", "2021"]
    assert keys[4] == "2023-Q4"
    assert keys[-1] == "2021-Q1"
    assert len(keys) == 1 + 3 + 12  # 2023 has Q1–Q4 (Q4 partial), 2022 and 2021 four each


def test_partial_periods_are_clipped_to_the_reference_date():
    periods = {p.key: p for p in period_options(START, REF)}
    assert periods["all"] == Period("all", START, REF)
    assert periods["2023"].end == REF
    assert periods["2023-Q4"].start == date(2023, 10, 1) and periods["2023-Q4"].end == REF


def test_previous_period_is_like_for_like():
    periods = {p.key: p for p in period_options(START, REF)}
    prev = periods["2023"].previous(START)
    assert (prev.start, prev.end) == (date(2022, 1, 1), date(2022, 10, 31))
    prev_q = periods["2023-Q4"].previous(START)
    assert (prev_q.start, prev_q.end) == (date(2023, 7, 1), date(2023, 7, 31))
    assert periods["2021"].previous(START) is None
    assert periods["2021-Q1"].previous(START) is None
    assert periods["all"].previous(START) is None


def test_previous_of_a_quarter_ending_on_the_31st_clamps_to_month_end():
    q = Period("2022-Q1", date(2022, 1, 1), date(2022, 3, 31), 3)
    prev = q.previous(START)
    assert (prev.start, prev.end) == (date(2021, 10, 1), date(2021, 12, 31))


@pytest.mark.parametrize("key", ["", "2020", "2024", "2023-Q5", "all ", "1; DROP TABLE x", "2023-q1", None, "9" * 50])
def test_parse_period_rejects_malformed_or_uncovered_keys(key):
    assert parse_period(key, START, REF) is None


def test_parse_period_accepts_known_keys():
    assert parse_period("2022-Q3", START, REF).start == date(2022, 7, 1)


def test_street_role_cannot_move_to_another_street():
    period = Period("all", START, REF)
    scope = Scope(period, street="440307013", role="street:440307014")
    assert scope.effective_street == "440307014"
    assert Scope(period, street="440307013").effective_street == "440307013"
    assert scope.widened().effective_street == "440307014"


def test_scope_levels():
    period = Period("all", START, REF)
    assert Scope(period).level == "district"
    assert Scope(period, street="440307014").level == "street"
    assert Scope(period, street="440307014", community="440307014001").level == "community"
    assert Scope(period, street="440307014", community="x").without_community().level == "street"
