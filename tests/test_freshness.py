"""Data freshness: when the data last changed, and the warning when the scheduled sync falls behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apptest_support import open_app

from data_access import schema
from data_access.freshness import LOCAL_TZ, freshness

NOW = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)


def test_the_last_change_is_shown_in_shenzhen_time_and_no_sync_means_no_warning():
    fresh = freshness({"loaded_at": "2026-12-05T23:30:00.123456+00:00"}, now=NOW, max_age=24)
    assert fresh.refreshed_at == datetime(2026, 12, 6, 7, 30, 0, 123456, tzinfo=LOCAL_TZ)
    assert not fresh.stale and fresh.last_sync_ok is None


def test_a_sync_older_than_the_allowed_age_or_never_successful_is_stale():
    recent = {"last_sync_ok": "2026-12-05T12:00:00+00:00 open311 http://x", "last_sync": "2026-12-05T12:00:00+00:00"}
    assert not freshness(recent, now=NOW, max_age=24).stale
    assert freshness(recent, now=NOW, max_age=6).stale
    assert freshness({"last_sync": "2026-12-05T12:00:00+00:00 open311：失败"}, now=NOW, max_age=24).stale


def test_max_age_from_the_environment(monkeypatch):
    from data_access import freshness as module

    monkeypatch.setenv("LONGGANG_SYNC_MAX_AGE_HOURS", "2")
    assert module.max_age_hours() == 2
    monkeypatch.setenv("LONGGANG_SYNC_MAX_AGE_HOURS", "soon")
    assert module.max_age_hours() == 24


@pytest.fixture
def old_sync(sqlite_db):
    """The session database as if its last successful sync were three days ago."""
    info = schema.dataset_info
    stamp = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="seconds")
    with sqlite_db.engine.begin() as conn:
        conn.execute(info.insert().values(key="last_sync_ok", value=f"{stamp} open311 http://127.0.0.1/requests.json"))
    yield stamp
    with sqlite_db.engine.begin() as conn:
        conn.execute(info.delete().where(info.c.key == "last_sync_ok"))


def test_the_sidebar_shows_the_refresh_time_and_warns_of_an_old_sync(old_sync, sqlite_db):
    at = open_app()
    captions = [c.value for c in at.sidebar.caption]
    loaded = freshness(sqlite_db.dataset_info()).refreshed_at.strftime("%Y-%m-%d %H:%M")
    assert f"数据更新于 {loaded}" in captions
    warnings = [w.value for w in at.sidebar.warning]
    assert len(warnings) == 1 and "已超过 24 小时未成功" in warnings[0]
    assert datetime.fromisoformat(old_sync).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") in warnings[0]
    at.sidebar.radio(key="lang").set_value("en").run()
    assert any("No successful data sync for over 24 hours" in w.value for w in at.sidebar.warning)
