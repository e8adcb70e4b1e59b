"""Fresh data without a person at the upload form: a pull from a live request system, and a watched inbox.

    python -m jobs.sync open311 URL [--page-size N] [--url DB]   # GeoReport v2 GET requests.json
    python -m jobs.sync inbox DIR [--settle S] [--url DB]        # DIR/<area>/*.csv|xlsx
    python -m jobs.sync due [--url DB]   # the scheduler's entry: the sources the environment configures
                                         # (LONGGANG_OPEN311_URL, LONGGANG_INBOX_DIR); none set: nothing to do

**open311** pages through ``URL?updated_after=…&page=…&page_size=…`` from the high-water mark stored in
``dataset_info`` (a minute of overlap: upserts are idempotent), maps each record back through the tables
the export uses (:mod:`data_access.open311`: ``service_code`` → category, ``status_detail`` or
``status_detail_en`` → status; ``open``/``closed`` alone is not enough and is reported, never guessed),
checks the rows with the importer's validation (a dry run; a bad row is reported with its id and reason
and left out) and upserts the good ones through :func:`data_access.importer.import_bytes` (each batch
one transaction, summaries refreshed incrementally). Network errors, server errors and unreadable pages
are retried with back-off. The mark moves only after every page is in, so an interrupted run is simply
run again: rows already in come back ``unchanged``, nothing is lost or counted twice.

**inbox** imports every CSV/XLSX file in ``DIR/<area>/`` (area: an import area or table name, as the
importer's command line), oldest first, and moves it to ``done/`` or ``failed/`` beside a
``<file>.report.txt`` with the importer's row-level report. A file is claimed by an atomic rename
into ``.processing/`` (two runs never take the same file); a file still being written (its size or
time changes over ``--settle`` seconds, an Office ``~$`` lock or a ``.lock`` file beside it, a
``.part``/``.tmp`` name) waits for the next run.

Each run prints one line of counts (cron appends it to the jobs log) and records the outcome in
``dataset_info`` (``last_sync``, and ``last_sync_ok`` on success), which the sidebar shows.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from data_access import importer, schema
from data_access.domain import REQUEST_STATUSES
from data_access.open311 import LOCAL_TZ, SERVICE_CODES, STATUS_EN

CATEGORY_OF_CODE = {code: category for category, code in SERVICE_CODES.items()}
STATUS_OF_EN = {english: status for status, english in STATUS_EN.items()}
#: The columns a pulled record fills; the others (compound, accepted time) keep their stored values.
OPEN311_COLUMNS = ["id", "channel", "category", "community_code", "lat", "lon", "submitted_at", "resolved_at",
                   "closed_at", "status", "handling_unit", "satisfaction", "requester_name", "requester_phone",
                   "description"]
RESOLVED_STATUSES = ("已办结", "已关闭")
NOT_GIVEN = "未提供"
OVERLAP = timedelta(minutes=1)
LAST_SYNC, LAST_SYNC_OK = "last_sync", "last_sync_ok"
#: What ``python -m jobs.sync due`` (the scheduler's entry) runs.
OPEN311_ENV, INBOX_ENV = "LONGGANG_OPEN311_URL", "LONGGANG_INBOX_DIR"


class SyncError(RuntimeError):
    """A run that could not finish (a page that kept failing); what was imported before stays."""


@dataclass
class SyncReport:
    """What a run fetched, imported and rejected."""

    source: str
    pages: int = 0
    records: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    retries: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (record id or file, reason)
    high_water: str | None = None
    error: str | None = None

    def line(self) -> str:
        outcome = f"失败：{self.error}" if self.error else "完成"
        return (f"{self.source}：{outcome}；{self.pages} 页 {self.records} 条，新增 {self.inserted}，"
                f"更新 {self.updated}，未变 {self.unchanged}，拒收 {len(self.rejected)}，重试 {self.retries}"
                + (f"，水位 {self.high_water}" if self.high_water else ""))


# --- dataset_info bookkeeping -------------------------------------------------------------------


def _info_key(url: str) -> str:
    """The high-water mark's key for one source (dataset_info keys are short)."""
    return "sync_hw_" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]


def _get_info(engine: Engine, key: str) -> str | None:
    info = schema.dataset_info
    with engine.connect() as conn:
        return conn.execute(select(info.c.value).where(info.c.key == key)).scalar()


def _set_info(engine: Engine, entries: dict[str, str]) -> None:
    info = schema.dataset_info
    with engine.begin() as conn:
        for key, value in entries.items():
            if conn.execute(select(info.c.key).where(info.c.key == key)).first():
                conn.execute(info.update().where(info.c.key == key).values(value=value[:200]))
            else:
                conn.execute(info.insert().values(key=key, value=value[:200]))


def record_run(engine: Engine, report: SyncReport) -> None:
    """``last_sync`` (every run) and ``last_sync_ok`` (runs that finished), UTC ISO time first."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    entries = {LAST_SYNC: f"{now} {report.line()}"}
    if report.error is None:
        entries[LAST_SYNC_OK] = f"{now} {report.source}"
    _set_info(engine, entries)


# --- open311 --------------------------------------------------------------------------------------


def fetch_json(url: str, *, attempts: int = 4, backoff_s: float = 1.0, timeout_s: float = 30.0,
               report: SyncReport | None = None, sleep: Callable[[float], None] = time.sleep):
    """GET ``url`` as JSON, retrying network errors, 5xx/429 answers and unreadable bodies with
    exponential back-off; a 4xx answer is final."""
    last = ""
    for attempt in range(attempts):
        if attempt:
            if report is not None:
                report.retries += 1
            sleep(backoff_s * 2 ** (attempt - 1))
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - a configured URL
                body = response.read()
            page = json.loads(body.decode("utf-8"))
            if not isinstance(page, list):
                raise ValueError("the page is not a JSON list of service requests")
            return page
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:
                raise SyncError(f"{url}: {last}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            last = f"{type(exc).__name__}: {str(exc)[:120]}"
    raise SyncError(f"{url}: {attempts} 次尝试均失败（{last}）")


def _local(value) -> datetime:
    """An ISO 8601 time (with or without offset) as the stored local (Shenzhen) time."""
    stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


def record_row(record) -> dict:
    """A GeoReport v2 record as a requests row; ValueError with the Chinese reason when it cannot be."""
    if not isinstance(record, dict):
        raise ValueError("记录不是 JSON 对象")
    extra = record.get("extended_attributes") or {}
    if not isinstance(extra, dict):
        raise ValueError("extended_attributes 不是 JSON 对象")
    if not str(record.get("service_request_id") or "").strip():
        raise ValueError("缺少 service_request_id")
    code = record.get("service_code")
    if code not in CATEGORY_OF_CODE:
        raise ValueError(f"未知的 service_code：{str(code)[:20]}")
    status = extra.get("status_detail")
    if status not in REQUEST_STATUSES:
        status = STATUS_OF_EN.get(extra.get("status_detail_en"))
    if status is None:
        raise ValueError(f"无法确定状态（status={str(record.get('status'))[:10]}，缺少 status_detail）")
    try:
        submitted = _local(record["requested_datetime"])
        updated = _local(record.get("updated_datetime") or record["requested_datetime"])
        lat, lon = float(record["lat"]), float(record["long"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"时间或坐标无效（{type(exc).__name__}: {str(exc)[:60]}）") from None
    resolved = _local(extra["resolved_datetime"]) if extra.get("resolved_datetime") else \
        updated if status in RESOLVED_STATUSES else None
    closed = _local(extra["closed_datetime"]) if extra.get("closed_datetime") else \
        updated if status == "已关闭" else None
    return {
        "id": str(record["service_request_id"]).strip(), "channel": extra.get("channel") or "",
        "category": CATEGORY_OF_CODE[code], "community_code": record.get("address_id") or "",
        "lat": lat, "lon": lon, "submitted_at": submitted, "resolved_at": resolved, "closed_at": closed,
        "status": status, "handling_unit": record.get("agency_responsible") or "",
        "satisfaction": extra.get("satisfaction"), "requester_name": extra.get("requester_name") or NOT_GIVEN,
        "requester_phone": extra.get("requester_phone") or NOT_GIVEN, "description": record.get("description") or "",
        "_updated": updated,
    }


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c].strftime("%Y-%m-%d %H:%M:%S")
                         if isinstance(row[c], datetime) else row[c] for c in columns])
    return out.getvalue().encode("utf-8")


def _import_checked(engine: Engine, rows: list[dict], name: str, report: SyncReport) -> None:
    """Dry-run the rows through the importer's checks, leave out (and report) the bad ones, import the rest."""
    if not rows:
        return
    dry = importer.import_bytes(engine, "requests", _csv(rows, OPEN311_COLUMNS), name, dry_run=True)
    bad_rows = {}
    for problem in dry.problems:
        index = (problem.row or 0) - 2
        key = rows[index]["id"] if 0 <= index < len(rows) else name
        shown = f"（{problem.value}）" if problem.value else ""
        bad_rows.setdefault(key, f"{problem.column}：{problem.reason}{shown}")
    whole_file = [p for p in dry.problems if p.row is None or p.row == 1]
    if whole_file:
        raise SyncError("；".join(f"{p.column}{p.reason}" for p in whole_file[:3]))
    report.rejected += list(bad_rows.items())
    good = [row for row in rows if row["id"] not in bad_rows]
    if not good:
        return
    result = importer.import_bytes(engine, "requests", _csv(good, OPEN311_COLUMNS), name)
    if not result.ok:
        raise SyncError("；".join(p.reason for p in result.problems[:3]))
    report.inserted += result.inserted
    report.updated += result.updated
    report.unchanged += result.unchanged


def sync_open311(engine: Engine, url: str, *, page_size: int = 500, batch_size: int = 5_000,
                 max_pages: int = 10_000, attempts: int = 4, backoff_s: float = 1.0) -> SyncReport:
    """Pull every request updated since the stored mark (see the module docstring)."""
    report = SyncReport(source=f"open311 {url}")
    key = _info_key(url)
    mark = _get_info(engine, key)
    params = {"page_size": page_size, "extensions": "true"}
    if mark:
        params["updated_after"] = (datetime.fromisoformat(mark) - OVERLAP).isoformat()
    latest: dict[str, dict] = {}
    newest = datetime.fromisoformat(mark) if mark else None
    try:
        for page_number in range(1, max_pages + 1):
            query = urllib.parse.urlencode({**params, "page": page_number})
            page = fetch_json(f"{url}{'&' if '?' in url else '?'}{query}", attempts=attempts, backoff_s=backoff_s,
                              report=report)
            report.pages += 1
            report.records += len(page)
            for record in page:
                try:
                    row = record_row(record)
                except ValueError as bad:
                    rid = record.get("service_request_id") if isinstance(record, dict) else None
                    report.rejected.append((str(rid or f"第 {page_number} 页"), str(bad)))
                    continue
                stamp = row["_updated"].replace(tzinfo=LOCAL_TZ)
                newest = stamp if newest is None or stamp > newest else newest
                if row["id"] not in latest or latest[row["id"]]["_updated"] <= row["_updated"]:
                    latest[row["id"]] = row  # a duplicate: the latest version wins
            if len(page) < page_size:
                break
        rows = sorted(latest.values(), key=lambda r: (r["_updated"], r["id"]))
        for start in range(0, len(rows), batch_size):
            _import_checked(engine, rows[start:start + batch_size], f"open311-{start // batch_size + 1}.csv", report)
    except SyncError as exc:
        report.error = str(exc)
    if report.error is None and newest is not None:
        report.high_water = newest.isoformat()
        _set_info(engine, {key: report.high_water})
    record_run(engine, report)
    return report


# --- inbox --------------------------------------------------------------------------------------------

SUFFIXES = (".csv", ".xlsx", ".xlsm")
BUSY_SUFFIXES = (".part", ".tmp", ".crdownload", ".lock")
DONE, FAILED, PROCESSING = "done", "failed", ".processing"


def _busy(path: Path) -> bool:
    """A file someone is still writing, by its name or a lock beside it."""
    name = path.name
    return (name.startswith((".", "~$")) or name.lower().endswith(BUSY_SUFFIXES)
            or (path.parent / f"~${name}").exists() or (path.parent / f"{name}.lock").exists())


def _settled(candidates: list[Path], settle_s: float) -> list[Path]:
    """The files whose size and modification time did not change over ``settle_s`` seconds."""
    def stat(path: Path):
        try:
            info = path.stat()
            return info.st_size, info.st_mtime_ns
        except OSError:
            return None

    first = {path: stat(path) for path in candidates}
    if candidates and settle_s > 0:
        time.sleep(settle_s)
    return [p for p in candidates if first[p] is not None and first[p][0] > 0 and stat(p) == first[p]]


def _move(path: Path, folder: Path, report_text: str) -> Path:
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = folder / f"{stamp}-{path.name}"
    counter = 1
    while target.exists():
        target = folder / f"{stamp}-{counter}-{path.name}"
        counter += 1
    os.replace(path, target)
    target.with_name(target.name + ".report.txt").write_text(report_text + "\n", encoding="utf-8")
    return target


def sync_inbox(engine: Engine, inbox: Path | str, *, settle_s: float = 2.0) -> SyncReport:
    """Import the settled files of ``inbox/<area>/`` (see the module docstring)."""
    inbox = Path(inbox)
    report = SyncReport(source=f"inbox {inbox}")
    candidates: list[tuple[str, Path]] = []
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir()) if inbox.is_dir() else []:
        area = importer.AREA_ALIASES.get(folder.name, folder.name)
        files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES and not _busy(p)]
        if area not in importer.SPECS:
            report.rejected += [(str(p), f"未知的导入类别（文件夹 {folder.name}）") for p in files]
            continue
        candidates += [(area, p) for p in files]
    if not inbox.is_dir():
        report.error = f"收件夹不存在：{inbox}"
    settled = set(_settled([p for _a, p in candidates], settle_s))
    for area, path in sorted(candidates, key=lambda item: (item[1].stat().st_mtime_ns, item[1].name)):
        if path not in settled:
            continue  # still being written: the next run takes it
        claimed = path.parent / PROCESSING / path.name
        claimed.parent.mkdir(exist_ok=True)
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            continue  # another run took it
        report.records += 1
        try:
            result = importer.import_file(engine, area, claimed)
            text = importer.format_report(result)
            ok = result.ok
        except importer.ImportRefused as refused:
            text, ok = f"{path.name}：未导入：{refused}", False
        if ok:
            report.inserted += result.inserted
            report.updated += result.updated
            report.unchanged += result.unchanged
            _move(claimed, path.parent / DONE, text)
        else:
            report.rejected.append((path.name, text.splitlines()[0]))
            _move(claimed, path.parent / FAILED, text)
    record_run(engine, report)
    return report


# --- command line ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.sync", description="同步数据：拉取诉求系统、导入收件夹")
    parser.add_argument("--url", help="数据库地址（默认 DATABASE_URL，否则内置 SQLite 文件）")
    commands = parser.add_subparsers(dest="command", required=True)
    pull = commands.add_parser("open311", help="从 GeoReport v2 requests.json 拉取更新的诉求")
    pull.add_argument("source", help="requests.json 的地址")
    pull.add_argument("--page-size", type=int, default=500)
    watch = commands.add_parser("inbox", help="导入 DIR/<类别>/ 中的 CSV、XLSX 文件")
    watch.add_argument("folder", type=Path)
    watch.add_argument("--settle", type=float, default=2.0, help="文件大小须保持不变的秒数")
    commands.add_parser("due", help="运行环境变量 LONGGANG_OPEN311_URL、LONGGANG_INBOX_DIR 配置的同步")
    args = parser.parse_args(argv)
    runs: list[Callable[[Engine], SyncReport]] = []
    if args.command == "open311":
        runs.append(lambda engine: sync_open311(engine, args.source, page_size=args.page_size))
    elif args.command == "inbox":
        runs.append(lambda engine: sync_inbox(engine, args.folder, settle_s=args.settle))
    else:
        source, folder = os.environ.get(OPEN311_ENV, "").strip(), os.environ.get(INBOX_ENV, "").strip()
        if source:
            runs.append(lambda engine: sync_open311(engine, source))
        if folder:
            runs.append(lambda engine: sync_inbox(engine, folder))
        if not runs:
            print(f"未配置同步来源（{OPEN311_ENV}、{INBOX_ENV}），无需运行。")
            return 0
    from data_access.database import make_engine
    from data_access.loader import ensure_database

    url = ensure_database(args.url)
    engine = make_engine(url)
    failed = changed = False
    try:
        for run in runs:
            report = run(engine)
            print(f"{datetime.now(UTC).isoformat(timespec='seconds')} {report.line()}")
            for what, reason in report.rejected:
                print(f"  拒收 {what}：{reason}")
            failed = failed or report.error is not None
            changed = changed or bool(report.inserted or report.updated)
    finally:
        engine.dispose()
    if changed:
        evaluate_alerts(url)
    return 1 if failed else 0


def evaluate_alerts(url: str) -> None:
    """Alerts after a sync that changed data (jobs.alerts), so the sidebar's count and the digest follow the
    new rows at once; a bad rules file is reported and does not undo the sync."""
    from data_access.database import Database
    from jobs.alerts import evaluate_if_stale
    from jobs.rules import RuleError

    try:
        result = evaluate_if_stale(Database(url))
    except RuleError as exc:
        print(f"  预警未评估：规则有误：{exc}", file=sys.stderr)
        return
    if result is not None:
        print(f"  预警已评估：新增 {result.opened}，更新 {result.updated}，关闭 {result.closed}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
