"""Browser sessions behind a signed, HttpOnly session cookie, so that a login survives a reload and a
link opened in a new tab (issue 26). This module never imports Streamlit.

A Streamlit script cannot send ``Set-Cookie`` (it runs over the WebSocket), so the cookie is set by
a small HTTP route of ``serve.py`` (Streamlit's ``st.App``): after the password check the script
:func:`open_session` (a row with a one-time ticket, valid :data:`TICKET_SECONDS`) and sends the
browser to ``/session/start?ticket=…``; the route :func:`redeem` s the ticket once and sets the cookie
``lg_session=<token>.<signature>`` (HttpOnly, SameSite=Lax, Max-Age). Every run of the script reads it
back from ``st.context.cookies`` and :func:`check` s it: the signature (HMAC-SHA256), and the row —
not ended, not past its absolute expiry, seen within the idle time. Only hashes of the token and
ticket are stored. Logout, timeout and a changed account :func:`end` the row, on every replica at once.

The signing key: ``LONGGANG_SESSION_SECRET``, else ``STREAMLIT_SERVER_COOKIE_SECRET`` (the same on every
replica, deploy/streamlit.env), else a random key of this process (one replica; a restart logs
everyone out).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from data_access import schema
from data_access.alerts import ensure_tables

S = schema.web_sessions
COOKIE_NAME = "lg_session"
TICKET_SECONDS = 60
LIFETIME_ENV = "LONGGANG_SESSION_HOURS"
DEFAULT_LIFETIME_HOURS = 12
_process_key = secrets.token_bytes(32)
#: set by serve.py: the /session routes exist in this process, so a login may hand out a cookie
routes_served = False


def now_utc() -> datetime:
    """Wall-clock time, naive UTC (as stored); tests replace it."""
    return datetime.now(UTC).replace(tzinfo=None)


def lifetime() -> timedelta:
    """A session's absolute lifetime (``LONGGANG_SESSION_HOURS``, default 12): the cookie's Max-Age."""
    try:
        hours = float(os.environ.get(LIFETIME_ENV, DEFAULT_LIFETIME_HOURS))
    except ValueError:
        hours = DEFAULT_LIFETIME_HOURS
    return timedelta(hours=hours if hours > 0 else DEFAULT_LIFETIME_HOURS)


def _key() -> bytes:
    secret = os.environ.get("LONGGANG_SESSION_SECRET") or os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
    return secret.encode("utf-8") if secret else _process_key


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def sign(token: str) -> str:
    """The cookie's value: the token and its HMAC-SHA256 signature."""
    return f"{token}.{hmac.new(_key(), token.encode('utf-8'), hashlib.sha256).hexdigest()}"


def unsign(value: str | None) -> str | None:
    """The token of a cookie value whose signature holds, else None."""
    if not value or value.count(".") != 1:
        return None
    token, signature = value.split(".")
    expected = hmac.new(_key(), token.encode("utf-8"), hashlib.sha256).hexdigest()
    return token if token and hmac.compare_digest(signature, expected) else None


@dataclass(frozen=True)
class Session:
    user_name: str
    role: str
    credential: str


def open_session(engine: Engine, user_name: str, role: str, credential: str) -> str:
    """Store a session for a login that just succeeded; the one-time ticket that starts it."""
    ensure_tables(engine)
    ticket, at = secrets.token_urlsafe(32), now_utc()
    with engine.begin() as conn:
        conn.execute(insert(S).values(
            ticket_hash=_digest(ticket), ticket_expires=at + timedelta(seconds=TICKET_SECONDS),
            user_name=user_name, role=role, credential=credential, created_at=at, last_seen=at,
            expires_at=at + lifetime(), ended_reason=""))
    return ticket


def redeem(engine: Engine, ticket: str) -> str | None:
    """The session token for a ticket, once, within its minute; None for an unknown, used or late one."""
    ensure_tables(engine)
    token, at = secrets.token_urlsafe(32), now_utc()
    with engine.begin() as conn:
        done = conn.execute(update(S).where(
            S.c.ticket_hash == _digest(ticket or ""), S.c.token_hash.is_(None), S.c.ticket_expires > at,
            S.c.ended_at.is_(None),
        ).values(token_hash=_digest(token), ticket_hash=None, last_seen=at))
    return token if done.rowcount == 1 else None


def check(engine: Engine, token: str, idle: timedelta) -> tuple[str, Session | None]:
    """``("ok", session)`` for a live session (its last-seen time moved on); ``("timeout", session)``
    once idle longer than ``idle`` (the row is ended then); ``("ended", None)`` for an unknown, ended or
    expired one."""
    ensure_tables(engine)
    at = now_utc()
    with engine.begin() as conn:
        row = conn.execute(select(S).where(S.c.token_hash == _digest(token))).mappings().first()
        if row is None or row["ended_at"] is not None or row["expires_at"] <= at:
            return "ended", None
        session = Session(row["user_name"], row["role"], row["credential"])
        if at - row["last_seen"] > idle:
            conn.execute(update(S).where(S.c.id == row["id"]).values(ended_at=at, ended_reason="timeout"))
            return "timeout", session
        conn.execute(update(S).where(S.c.id == row["id"]).values(last_seen=at))
    return "ok", session


def end(engine: Engine, token: str | None, reason: str) -> bool:
    """End the session of ``token`` (logout, timeout, account changed); whether one was live."""
    if not token:
        return False
    ensure_tables(engine)
    with engine.begin() as conn:
        done = conn.execute(update(S).where(S.c.token_hash == _digest(token), S.c.ended_at.is_(None))
                            .values(ended_at=now_utc(), ended_reason=reason[:20]))
    return done.rowcount == 1


def safe_next(path: str | None) -> str:
    """Where to send the browser after the cookie is set: a path of this site only (``/x?y``), never
    another host (``//evil``, ``https://…``, ``/\\evil``)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or "\r" in path \
            or "\n" in path:
        return "/"
    return path
