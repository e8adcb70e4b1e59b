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
    python -m data_access.audit archive --before YYYY-MM-DD --out FILE   # retention, see archive()
    python -m data_access.audit verify-archive FILE

This module never imports Streamlit.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, func, insert, select, text
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
#: 等保 2.0 keeps audit records at least six months: an archive takes nothing younger.
RETENTION_DAYS = 180
#: The key of the PostgreSQL advisory lock that serialises appends ("audit" in ASCII).
_ADVISORY_KEY = 0x6175646974


class AuditError(RuntimeError):
    """The audit record could not be written: the action must not go ahead. ``key`` and ``values`` name
    its text in the catalogue (components/text/cli.py) for the command line, when it has one."""

    def __init__(self, message: str, key: str | None = None, **values):
        super().__init__(message)
        self.key, self.values = key, values


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


def _archive_anchor(conn: Connection, first_seq: int) -> str | None:
    """The hash of record ``first_seq - 1``, kept by the archive record that took it away (None if none did)."""
    for (detail,) in conn.execute(select(A.c.detail).where(A.c.action == "archive").order_by(A.c.seq.desc())):
        try:
            kept = json.loads(detail)
        except (TypeError, ValueError):
            continue
        if isinstance(kept, dict) and kept.get("through_seq") == first_seq - 1:
            return kept.get("head_hash")
    return None


def verify(engine: Engine) -> Verdict:
    """Walk the chain in sequence order: the first record whose number, link or hash does not hold. After an
    archive the table starts later: the chain then starts from the archived head's hash, as kept in the
    (itself chained) archive record."""
    ensure_tables(engine)
    prev_hash, expected_seq, count = GENESIS, 1, 0
    with engine.connect() as conn:
        first = conn.execute(select(func.min(A.c.seq))).scalar()
        if first is not None and first > 1:
            anchor = _archive_anchor(conn, first)
            if anchor is None:
                return Verdict(False, 0, first, f"records before {first} deleted without an archive record")
            prev_hash, expected_seq = anchor, first
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


# --- retention: archive old records to a file, never delete them silently ---------------------------------


@dataclass(frozen=True)
class Archived:
    records: int
    from_seq: int | None = None
    through_seq: int | None = None
    sha256: str = ""
    record_seq: int | None = None  # the archive's own audit record


def _json_value(value):
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


def archive(engine: Engine, before: date, out: Path, *, user: str, today: date | None = None) -> Archived:
    """Move the records older than ``before`` (the chain's prefix up to the last record dated before it) to
    ``out``, a JSON-lines file (one record a line, hashes included, so it can be re-verified); then, in one
    transaction, append an ``archive`` record holding the file's sha256, the range and the archived head's
    hash, and delete the archived rows. Refused for a date less than :data:`RETENTION_DAYS` ago (等保 2.0:
    at least six months kept), for a broken chain (the evidence stays in place), and for an existing
    ``out``. If anything fails the table is unchanged and the file removed."""
    today = today or now_utc().date()
    if before > today - timedelta(days=RETENTION_DAYS):
        latest = today - timedelta(days=RETENTION_DAYS)
        raise AuditError(f"records are kept at least {RETENTION_DAYS} days: --before must be on or before {latest}",
                         key="cli.audit.retention", days=RETENTION_DAYS, latest=latest)
    out = Path(out)
    if out.exists():
        raise AuditError(f"{out} exists: an archive is never overwritten", key="cli.audit.exists", out=out)
    verdict = verify(engine)
    if not verdict.ok:
        raise AuditError(f"audit chain broken at record {verdict.broken_seq} ({verdict.reason}): archive refused",
                         key="cli.audit.archive_refused", seq=verdict.broken_seq, reason=verdict.reason)
    cutoff = datetime.combine(before, time())
    written = False
    try:
        with engine.begin() as conn:
            _take_the_end(conn)
            through = conn.execute(select(func.max(A.c.seq)).where(A.c.at < cutoff)).scalar()
            if through is None:
                return Archived(0)
            rows = [dict(r) for r in conn.execute(select(A).where(A.c.seq <= through).order_by(A.c.seq)).mappings()]
            payload = "".join(json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False,
                                         sort_keys=True) + "\n" for row in rows).encode("utf-8")
            out.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
            try:
                with os.fdopen(handle, "wb") as f:
                    f.write(payload)
                    f.flush()
                    os.fsync(f.fileno())
                os.link(temp, out)  # fails rather than overwrite an archive made meanwhile
                written = True
            finally:
                Path(temp).unlink(missing_ok=True)
            digest = hashlib.sha256(payload).hexdigest()
            first, last = rows[0], rows[-1]
            kept = {"from_seq": first["seq"], "through_seq": last["seq"], "head_hash": last["hash"],
                    "sha256": digest, "before": before.isoformat()}
            seq = append(conn, "archive", user, role="cli", target=out.name, file_name=str(out), rows=len(rows),
                         scope=f"{_json_value(first['at'])} – {_json_value(last['at'])}",
                         detail=json.dumps(kept, sort_keys=True))
            conn.execute(delete(A).where(A.c.seq <= through))
    except BaseException:
        if written:
            out.unlink(missing_ok=True)
        raise
    return Archived(len(rows), first["seq"], last["seq"], digest, seq)


def verify_archive(engine: Engine, path: Path) -> Verdict:
    """An archive file against the trail: its sha256 must be the one an archive record holds, and its
    records must chain (numbers, links, hashes) up to the head that record kept."""
    payload = Path(path).read_bytes()
    digest = hashlib.sha256(payload).hexdigest()
    kept = None
    with engine.connect() as conn:
        for (detail,) in conn.execute(select(A.c.detail).where(A.c.action == "archive")):
            try:
                candidate = json.loads(detail)
            except (TypeError, ValueError):
                continue
            if isinstance(candidate, dict) and candidate.get("sha256") == digest:
                kept = candidate
    if kept is None:
        return Verdict(False, 0, None, "no archive record holds this file's sha256 (altered, or not an archive)")
    rows = [json.loads(line) for line in payload.decode("utf-8").splitlines() if line.strip()]
    prev_hash = rows[0]["prev_hash"] if rows else GENESIS
    for count, row in enumerate(rows, 1):
        row["at"] = datetime.fromisoformat(row["at"])
        if row["seq"] != kept["from_seq"] + count - 1 or row["prev_hash"] != prev_hash \
                or chain_hash(prev_hash, row) != row["hash"]:
            return Verdict(False, count, row["seq"], "the archive's records do not chain")
        prev_hash = row["hash"]
    if prev_hash != kept["head_hash"]:
        return Verdict(False, len(rows), None, "the archive does not end at the head its record kept")
    return Verdict(True, len(rows))


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


def cli_language(argv: Sequence[str] | None) -> tuple[str, list[str]]:
    """``--lang zh|en`` of a command line, anywhere in it (Chinese unless ``en``), and the other
    arguments: read before the parser is built, so that its help is in that language too."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", choices=("zh", "en"), default="zh")
    known, rest = early.parse_known_args(sys.argv[1:] if argv is None else list(argv))
    return known.lang, rest


def _cli_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:40]
    except Exception:  # noqa: BLE001 - no login name in a bare container
        return "cli"


def main(argv: Sequence[str] | None = None) -> int:
    # the command line's text comes from the one catalogue (plain dicts, no Streamlit)
    from components.i18n import text

    lang, argv = cli_language(argv)

    def say(key: str, **values) -> str:
        return text(key, lang, **values)

    parser = argparse.ArgumentParser(prog="python -m data_access.audit", description=say("cli.audit.description"))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=say("cli.lang"))
    parser.add_argument("--database-url", help=say("cli.audit.database_url"))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("verify", help=say("cli.audit.verify"))
    listing = commands.add_parser("list", help=say("cli.audit.list"))
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--user")
    listing.add_argument("--action", choices=ACTIONS)
    listing.add_argument("--limit", type=int, default=1000)
    archiving = commands.add_parser("archive", help=say("cli.audit.archive", days=RETENTION_DAYS))
    archiving.add_argument("--before", required=True, type=date.fromisoformat, help=say("cli.audit.before"))
    archiving.add_argument("--out", required=True, type=Path, help=say("cli.audit.out"))
    checking = commands.add_parser("verify-archive", help=say("cli.audit.verify_archive"))
    checking.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    database = Database(args.database_url)
    try:
        if args.command == "verify":
            verdict = verify(database.engine)
            if verdict.ok:
                print(say("cli.audit.intact", records=verdict.records))
                return 0
            print(say("cli.audit.broken", seq=verdict.broken_seq, reason=verdict.reason), file=sys.stderr)
            return 1
        if args.command == "archive":
            try:
                done = archive(database.engine, args.before, args.out, user=_cli_user())
            except AuditError as exc:
                print(say(exc.key, **exc.values) if exc.key else say("cli.audit.error", reason=exc), file=sys.stderr)
                return 1
            if not done.records:
                print(say("cli.audit.nothing", before=args.before))
            else:
                print(say("cli.audit.archived", first=done.from_seq, last=done.through_seq, records=done.records,
                          out=args.out, sha256=done.sha256, seq=done.record_seq))
            return 0
        if args.command == "verify-archive":
            verdict = verify_archive(database.engine, args.file)
            if verdict.ok:
                print(say("cli.audit.archive_intact", records=verdict.records))
                return 0
            print(say("cli.audit.archive_broken", reason=verdict.reason), file=sys.stderr)
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
