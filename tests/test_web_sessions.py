"""data_access.web_sessions: the rows behind the session cookie (both engines)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine

from data_access import web_sessions

IDLE = timedelta(minutes=30)


@pytest.fixture
def engine(empty_url):
    engine = create_engine(empty_url)
    yield engine
    engine.dispose()


def test_a_ticket_gives_one_signed_token_once(engine, monkeypatch):
    monkeypatch.setenv("LONGGANG_SESSION_SECRET", "s" * 32)
    ticket = web_sessions.open_session(engine, "buji", "street:440307014", "abcd")
    token = web_sessions.redeem(engine, ticket)
    assert token and web_sessions.redeem(engine, ticket) is None  # single use
    assert web_sessions.redeem(engine, "made-up") is None
    value = web_sessions.sign(token)
    assert web_sessions.unsign(value) == token
    assert web_sessions.unsign(value[:-1] + ("0" if value[-1] != "0" else "1")) is None  # forged signature
    assert web_sessions.unsign(token) is None and web_sessions.unsign(None) is None
    monkeypatch.setenv("LONGGANG_SESSION_SECRET", "t" * 32)  # another key: no cookie of the old one holds
    assert web_sessions.unsign(value) is None
    status, session = web_sessions.check(engine, token, IDLE)
    assert status == "ok" and session == web_sessions.Session("buji", "street:440307014", "abcd")


def test_a_late_ticket_is_refused(engine, monkeypatch):
    ticket = web_sessions.open_session(engine, "buji", "district", "abcd")
    start = web_sessions.now_utc()
    monkeypatch.setattr(web_sessions, "now_utc", lambda: start + timedelta(seconds=web_sessions.TICKET_SECONDS + 1))
    assert web_sessions.redeem(engine, ticket) is None


def test_idle_expiry_and_logout_end_the_session(engine, monkeypatch):
    token = web_sessions.redeem(engine, web_sessions.open_session(engine, "buji", "district", "abcd"))
    start = web_sessions.now_utc()
    monkeypatch.setattr(web_sessions, "now_utc", lambda: start + timedelta(minutes=29))
    assert web_sessions.check(engine, token, IDLE)[0] == "ok"  # seen: the idle time starts again
    monkeypatch.setattr(web_sessions, "now_utc", lambda: start + timedelta(minutes=29 + 31))
    assert web_sessions.check(engine, token, IDLE)[0] == "timeout"
    assert web_sessions.check(engine, token, IDLE) == ("ended", None)  # ended for good, on every replica
    token = web_sessions.redeem(engine, web_sessions.open_session(engine, "buji", "district", "abcd"))
    assert web_sessions.end(engine, token, "logout") and not web_sessions.end(engine, token, "logout")
    assert web_sessions.check(engine, token, IDLE) == ("ended", None)
    token = web_sessions.redeem(engine, web_sessions.open_session(engine, "buji", "district", "abcd"))
    later = web_sessions.now_utc() + web_sessions.lifetime() + timedelta(seconds=1)
    monkeypatch.setattr(web_sessions, "now_utc", lambda: later)
    assert web_sessions.check(engine, token, timedelta(days=365)) == ("ended", None)  # absolute expiry


@pytest.mark.parametrize("raw, safe", [
    ("/requests?section=backlog", "/requests?section=backlog"), ("/", "/"), (None, "/"), ("", "/"),
    ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("/a\r\nSet-Cookie: x", "/"),
])
def test_next_is_a_path_of_this_site_only(raw, safe):
    assert web_sessions.safe_next(raw) == safe
