"""The community map's per-unit figures, on SQLite and PostgreSQL, checked against raw counts."""

import math

import pytest
from sqlalchemy import func, select

from data_access import community_measures, geography, schema
from data_access.scope import Scope, period_options

BUJI = "440307014"


def _scope(db, key="all", **kw) -> Scope:
    start, reference = geography.data_range(db)
    period = next(p for p in period_options(start, reference) if p.key == key)
    return Scope(period, **kw)


def test_per_1000_of_a_community_matches_raw_counts(db):
    scope = _scope(db, "2022", street=BUJI)
    frame = community_measures.unit_measures(db, scope, "community")
    row = frame.iloc[0]
    R, C, VM = schema.requests, schema.communities, schema.volunteer_months
    received = db.scalar(select(func.count()).where(
        R.c.community_code == row["code"], R.c.submitted_at >= scope.period.start_at,
        R.c.submitted_at < scope.period.end_exclusive))
    resolved = db.scalar(select(func.count(R.c.resolved_at)).where(
        R.c.community_code == row["code"], R.c.submitted_at >= scope.period.start_at,
        R.c.submitted_at < scope.period.end_exclusive))
    population = db.scalar(select(C.c.population).where(C.c.code == row["code"]))
    volunteers = db.scalar(select(func.sum(VM.c.new_volunteers)).where(
        VM.c.community_code == row["code"], VM.c.month.between(scope.period.start, scope.period.end)))
    assert row["requests"] == received > 0
    assert row["population"] == population
    assert row["requests_per_1000"] == pytest.approx(received / population * 1000)
    assert row["resolution_rate"] == pytest.approx(resolved / received)
    assert row["volunteers_per_1000"] == pytest.approx(volunteers / population * 1000)


def test_levels_add_up_and_only_the_street_is_listed(db):
    scope = _scope(db)
    district = community_measures.unit_measures(db, scope, "district")
    streets = community_measures.unit_measures(db, scope, "street")
    communities = community_measures.unit_measures(db, scope, "community")
    assert len(streets) == 11 and len(communities) == 111 and len(district) == 1
    for col in ("requests", "resolved", "projects", "projects_completed", "resources_used", "population"):
        assert streets[col].sum() == communities[col].sum() == district[col].iloc[0], col
    assert district["projects"].iloc[0] == 578
    buji = community_measures.unit_measures(db, _scope(db, street=BUJI, community=None), "community")
    assert set(buji["street_code"]) == {BUJI}
    assert buji["composite"].notna().all()


def test_community_scope_keeps_the_neighbours(db):
    communities = geography.communities(db)
    one = communities.loc[communities["street_code"] == BUJI, "code"].iloc[0]
    frame = community_measures.unit_measures(db, _scope(db, street=BUJI, community=one), "community")
    assert one in set(frame["code"]) and len(frame) == (communities["street_code"] == BUJI).sum()


def test_street_role_cannot_see_other_streets(db):
    scope = _scope(db, role=f"street:{BUJI}")
    streets = community_measures.unit_measures(db, scope, "street")
    assert list(streets["code"]) == [BUJI]
    assert set(community_measures.venue_points(db, scope)["community_code"].str[:9]) == {BUJI}


def test_median_days_per_street_matches_pandas(db):
    scope = _scope(db, "2023-Q1")
    frame = community_measures.unit_measures(db, scope, "street").set_index("code")
    R, C = schema.requests, schema.communities
    raw = db.frame(select(C.c.street_code, R.c.submitted_at, R.c.resolved_at)
                   .join(C, C.c.code == R.c.community_code)
                   .where(R.c.submitted_at >= scope.period.start_at, R.c.submitted_at < scope.period.end_exclusive,
                          C.c.street_code == BUJI,
                          R.c.resolved_at.is_not(None)))
    days = (raw["resolved_at"] - raw["submitted_at"]).dt.total_seconds() / 86400
    assert frame.loc[BUJI, "median_days"] == pytest.approx(days.median(), abs=1e-6)


def test_hotspots_are_cell_counts_not_rows(db):
    scope = _scope(db, "2023", street=BUJI)
    cells = community_measures.request_hotspots(db, scope)
    total = community_measures.unit_measures(db, scope, "street")["requests"].sum()
    assert list(cells.columns) == ["lat", "lon", "requests"]
    assert cells["requests"].sum() == total
    assert len(cells) < total
    assert not cells.duplicated(["lat", "lon"]).any()


def test_a_period_without_requests_gives_missing_rates_not_zero(db):
    scope = _scope(db)
    late = scope.with_period(type(scope.period)("x", scope.period.end, scope.period.end))
    frame = community_measures.unit_measures(db, late, "community")
    quiet = frame.loc[frame["requests"] == 0]
    assert len(quiet)
    assert quiet["resolution_rate"].isna().all() and quiet["median_days"].isna().all()
    assert all(math.isfinite(v) for v in quiet["requests_per_1000"])


@pytest.mark.parametrize("role", ["district", f"street:{BUJI}"])
def test_the_average_community_from_the_district_row_equals_the_one_over_every_community(db, role):
    """The map reads the district's own row, not a thousand community rows, for its average community."""
    from components import maps
    from data_access import evaluation

    scope = Scope(_scope(db, "2023").period, role=role)
    every = community_measures.unit_measures(db, scope, "community")
    derived = maps.unit_averages(community_measures.unit_measures(db, scope, "district"),
                                 count=len(geography.communities(db, scope)),
                                 composites=evaluation.composite_scores(db, scope)["composite"])
    assert derived == pytest.approx(maps.unit_averages(every), rel=1e-12)
