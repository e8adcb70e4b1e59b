"""The audit trail (安全审计): an append-only, hash-chained table of who did what.

Each record (``audit_log``, an ops table on both engines) has a sequence number 1, 2, 3 … and
``hash = sha256(prev_hash + canonical content)``, where ``prev_hash`` is the previous record's hash
(64 zeros for the first). An altered record no longer matches its hash; a deleted one leaves a gap in
the sequence and breaks the next record's ``prev_hash``. Two writers at once cannot fork the chain:
the sequence number is the primary key, so the second insert fails and is retried on the new end.

Writing the record is part of the action: :func:`record` raises :class:`AuditError` when it cannot
write, and the caller does not carry the action out (the export is not served).

    python -m data_access.audit verify        # exit 1 naming the first broken record
    python -m data_access.audit list [--json] [--user U] [--action A] [--limit N]

This module never imports Streamlit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from data_access import schema
from data_access.alerts import ensure_tables
from data_access.database import Database

A = schema.audit_log
GENESIS = "0" * 64
CONTENT_FIELDS = ("seq", "at", "user_name", "role", "address", "action", "target", "scope", "rows",
                  "file_name", "detail")
ACTIONS = ("login", "login_failed", "logout", "timeout", "session_ended", "export", "view_request", "import",
           "password_change", "user_add", "user_remove", "user_unlock", "show_edit", "alert_rule_edit",
           "followup_change", "archive")
_RETRIES = 5
#: The key of the PostgreSQL advisory lock that serialises appends ("audit" in ASCII).
_ADVISORY_KEY = 0x6175646974


class AuditError(RuntimeError):
    """The audit record could not be written: the action must not go ahead."""


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def canonical(row: dict) -> str:
    """The record's content as hashed: its fields in a fixed order, as JSON."""
    content = {}
    for field in CONTENT_FIELDS:
        value = row.get(field)
        if isinstance(value, datetime):
            value = value.replace(microsecond=0).isoformat(sep=" ")
        content[field] = value
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, row: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode("utf-8")).hexdigest()


def _row(action: str, user: str, *, role: str = "", address: str = "", target: str = "", scope: str = "",
         rows: int | None = None, file_name: str = "", detail: str = "") -> dict:
    if action not in ACTIONS:
        raise AuditError(f"unknown audit action {action!r}")
    return {"at": now_utc(), "user_name": (user or "")[:40], "role": (role or "")[:20],
            "address": (address or "")[:64], "action": action, "target": target or "", "scope": scope or "",
            "rows": None if rows is None else int(rows), "file_name": file_name or "", "detail": detail or ""}


def _take_the_end(conn: Connection) -> None:
    """On PostgreSQL, one appender at a time until its transaction ends (a transaction-level advisory
    lock), so a record written inside a longer action's transaction cannot lose its sequence number to
    another writer; SQLite has one writer at a time anyway."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


def append(conn: Connection, action: str, user: str, **fields) -> int:
    """Append one record inside the caller's transaction (so the action and its record commit or roll
    back together); its sequence number. The audit table must exist (:func:`ensure_tables`)."""
    row = _row(action, user, **fields)
    _take_the_end(conn)
    last = conn.execute(select(A.c.seq, A.c.hash).order_by(A.c.seq.desc()).limit(1)).first()
    row["seq"] = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    conn.execute(insert(A).values(**row, prev_hash=prev, hash=chain_hash(prev, row)))
    return row["seq"]


def record(engine: Engine, action: str, user: str, *, role: str = "", address: str = "", target: str = "",
           scope: str = "", rows: int | None = None, file_name: str = "", detail: str = "") -> int:
    """Append one record; its sequence number. Raises :class:`AuditError` if it cannot be written."""
    fields = {"role": role, "address": address, "target": target, "scope": scope, "rows": rows,
              "file_name": file_name, "detail": detail}
    _row(action, user, **fields)  # an unknown action fails before any connection is opened
    try:
        ensure_tables(engine)
        for _ in range(_RETRIES):
            try:
                with engine.begin() as conn:
                    return append(conn, action, user, **fields)
            except IntegrityError:  # another writer took this sequence number: go again on the new end
                continue
    except SQLAlchemyError as exc:
        raise AuditError(f"audit record not written: {type(exc).__name__}") from exc
    raise AuditError("audit record not written: the chain kept moving")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    records: int
    broken_seq: int | None = None
    reason: str = ""


def verify(engine: Engine) -> Verdict:
    """Walk the chain in sequence order: the first record whose number, link or hash does not hold."""
    ensure_tables(engine)
    prev_hash, expected_seq, count = GENESIS, 1, 0
    with engine.connect() as conn:
        for row in conn.execute(select(A).order_by(A.c.seq)).mappings():
            row = dict(row)
            count += 1
            if row["seq"] != expected_seq:
                return Verdict(False, count, row["seq"], f"expected record {expected_seq} (deleted?)")
            if row["prev_hash"] != prev_hash:
                return Verdict(False, count, row["seq"], "does not link to the previous record")
            if chain_hash(prev_hash, row) != row["hash"]:
                return Verdict(False, count, row["seq"], "content does not match its hash (altered)")
            prev_hash, expected_seq = row["hash"], expected_seq + 1
    return Verdict(True, count)


def records(engine: Engine, *, user: str | None = None, action: str | None = None,
            since: datetime | None = None, until: datetime | None = None, limit: int = 10_000) -> pd.DataFrame:
    """The records, newest first, filtered by user, action and time."""
    ensure_tables(engine)
    stmt = select(*[A.c[f] for f in CONTENT_FIELDS]).order_by(A.c.seq.desc()).limit(limit)
    if user:
        stmt = stmt.where(A.c.user_name == user)
    if action:
        stmt = stmt.where(A.c.action == action)
    if since is not None:
        stmt = stmt.where(A.c.at >= since)
    if until is not None:
        stmt = stmt.where(A.c.at < until)
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame([tuple(r) for r in result], columns=list(CONTENT_FIELDS))


def users(engine: Engine) -> list[str]:
    ensure_tables(engine)
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(select(A.c.user_name).group_by(A.c.user_name).order_by(A.c.user_name))]


def count(engine: Engine) -> int:
    ensure_tables(engine)
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(A)).scalar() or 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.audit", description="The audit trail.")
    parser.add_argument("--database-url", help="default: DATABASE_URL or the embedded SQLite file")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("verify", help="check the hash chain; exit 1 naming the first broken record")
    listing = commands.add_parser("list", help="print the records, newest first")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--user")
    listing.add_argument("--action", choices=ACTIONS)
    listing.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args(argv)
    database = Database(args.database_url)
    try:
        if args.command == "verify":
            verdict = verify(database.engine)
            if verdict.ok:
                print(f"audit chain intact: {verdict.records} records")
                return 0
            print(f"audit chain broken at record {verdict.broken_seq}: {verdict.reason}", file=sys.stderr)
            return 1
        frame = records(database.engine, user=args.user, action=args.action, limit=args.limit)
        rows = [{k: (v.isoformat(sep=" ") if isinstance(v, datetime) else (None if pd.isna(v) else v))
                 for k, v in row.items()} for row in frame.astype(object).to_dict("records")]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for row in rows:
                print("\t".join("" if row[f] is None else str(row[f]) for f in CONTENT_FIELDS))
        return 0
    finally:
        database.dispose()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
