"""Login-failure handling in the database (登录失败处理): lockout that no new tab, browser or replica resets.

Every failed login is a row of ``login_failures`` (user name as typed, client address, time). When an
account has had ``max_failures`` failures within ``window`` (counted since its last success or unlock),
it is locked for ``lock`` (a ``login_locks`` row), whether the name exists or not, so the answer never
tells which names exist. A client address is locked the same way after ``max_address_failures``
(a password-spraying guard across names); the address ``unknown`` is never locked.

Settings (environment): ``LONGGANG_LOGIN_MAX_FAILURES`` (5), ``LONGGANG_LOGIN_WINDOW_MINUTES`` (15),
``LONGGANG_LOGIN_LOCK_MINUTES`` (15), ``LONGGANG_LOGIN_MAX_ADDRESS_FAILURES`` (20).
A district user unlocks an account with ``python -m data_access.auth unlock NAME``.
This module never imports Streamlit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from data_access import schema
from data_access.alerts import ensure_tables

F = schema.login_failures
L = schema.login_locks
UNKNOWN_ADDRESS = "unknown"


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Policy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)
    max_address_failures: int = 20

    @classmethod
    def from_env(cls) -> Policy:
        return cls(
            max_failures=_env_int("LONGGANG_LOGIN_MAX_FAILURES", 5),
            window=timedelta(minutes=_env_int("LONGGANG_LOGIN_WINDOW_MINUTES", 15)),
            lock=timedelta(minutes=_env_int("LONGGANG_LOGIN_LOCK_MINUTES", 15)),
            max_address_failures=_env_int("LONGGANG_LOGIN_MAX_ADDRESS_FAILURES", 20),
        )


def now_utc() -> datetime:
    """Wall-clock time, naive UTC (as stored); tests replace it."""
    return datetime.now(UTC).replace(tzinfo=None)


def _user_subject(name: str) -> str:
    return f"user:{(name or '')[:40]}"


def _address_subject(address: str) -> str:
    return f"address:{(address or UNKNOWN_ADDRESS)[:64]}"


def _lock_row(conn: Connection, subject: str):
    return conn.execute(select(L.c.locked_until, L.c.reset_at).where(L.c.subject == subject)).first()


def _set_lock(conn: Connection, subject: str, **values) -> None:
    done = conn.execute(update(L).where(L.c.subject == subject).values(**values))
    if done.rowcount == 0:
        try:
            with conn.begin_nested():
                conn.execute(insert(L).values(subject=subject, **values))
        except IntegrityError:  # another replica inserted it meanwhile
            conn.execute(update(L).where(L.c.subject == subject).values(**values))


def _locked(conn: Connection, subject: str, now: datetime) -> bool:
    row = _lock_row(conn, subject)
    return bool(row and row.locked_until and row.locked_until > now)


def is_locked(engine: Engine, name: str, address: str = UNKNOWN_ADDRESS) -> bool:
    """True while the account (or, for a known address, the address) is locked."""
    ensure_tables(engine)
    now = now_utc()
    with engine.connect() as conn:
        if _locked(conn, _user_subject(name), now):
            return True
        return address != UNKNOWN_ADDRESS and _locked(conn, _address_subject(address), now)


def _failures_since(conn: Connection, column, value: str, subject: str, now: datetime, window: timedelta) -> int:
    row = _lock_row(conn, subject)
    since = now - window
    if row and row.reset_at and row.reset_at > since:
        since = row.reset_at
    return conn.execute(select(func.count()).select_from(F).where(column == value, F.c.at > since)).scalar() or 0


def record_failure(engine: Engine, name: str, address: str = UNKNOWN_ADDRESS,
                   policy: Policy | None = None) -> bool:
    """Count one failed login; lock the account (and address) once over the limit. True if now locked."""
    ensure_tables(engine)
    policy = policy or Policy.from_env()
    now = now_utc()
    name, address = (name or "")[:40], (address or UNKNOWN_ADDRESS)[:64]
    with engine.begin() as conn:
        conn.execute(insert(F).values(at=now, user_name=name, address=address))
        locked = False
        user = _user_subject(name)
        if _failures_since(conn, F.c.user_name, name, user, now, policy.window) >= policy.max_failures:
            # the failures that locked it no longer count once the lock ends
            _set_lock(conn, user, locked_until=now + policy.lock, reset_at=now)
            locked = True
        if address != UNKNOWN_ADDRESS:
            subject = _address_subject(address)
            if _failures_since(conn, F.c.address, address, subject, now, policy.window) >= policy.max_address_failures:
                _set_lock(conn, subject, locked_until=now + policy.lock, reset_at=now)
                locked = True
    return locked


def record_success(engine: Engine, name: str) -> None:
    """A good login: the account's earlier failures no longer count."""
    ensure_tables(engine)
    with engine.begin() as conn:
        _set_lock(conn, _user_subject(name), locked_until=None, reset_at=now_utc())


def unlock(engine: Engine, name: str) -> bool:
    """Lift an account's lock and forget its failures so far; True if it was locked."""
    ensure_tables(engine)
    now = now_utc()
    with engine.begin() as conn:
        was = _locked(conn, _user_subject(name), now)
        _set_lock(conn, _user_subject(name), locked_until=None, reset_at=now)
    return was


def unlock_address(engine: Engine, address: str) -> bool:
    ensure_tables(engine)
    now = now_utc()
    with engine.begin() as conn:
        was = _locked(conn, _address_subject(address), now)
        conn.execute(delete(L).where(L.c.subject == _address_subject(address)))
        _set_lock(conn, _address_subject(address), locked_until=None, reset_at=now)
    return was
