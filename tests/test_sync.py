"""jobs.sync against a local GeoReport v2 server started by the test, and against a temporary inbox folder."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from import_db import fresh_url
from sqlalchemy import func, select

from data_access import alerts as alert_store
from data_access import importer, schema
from data_access.database import Database
from data_access.import_specs import SPECS
from jobs import sync

R = schema.requests
COMMUNITY = "440307014003"


def record(rid: str, updated: str, *, code="LG06", status="办理中", submitted="2023-06-10T09:00:00+08:00", **extra):
    return {
        "service_request_id": rid, "status": "open", "status_notes": status, "service_name": "隐患上报",
        "service_code": code, "description": f"测试诉求 {rid}", "agency_responsible": "布吉街道应急管理办",
        "service_notice": None, "requested_datetime": submitted, "updated_datetime": updated,
        "expected_datetime": None, "address": "龙岗区", "address_id": COMMUNITY, "lat": 22.63, "long": 114.1,
        "media_url": None,
        "extended_attributes": {"status_detail": status, "channel": "平安码上办", "satisfaction": None,
                                "requester_name": "张三", "requester_phone": "13812345678", **extra},
    }


class Source:
    """The live system: its records, and failures to serve (page -> how many times to answer 500)."""

    def __init__(self):
        self.records: list[dict] = []
        self.failures: dict[int, int] = {}
        self.requests: list[dict] = []


@pytest.fixture
def source():
    state = Source()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(self.path).query))
            state.requests.append(query)
            page, size = int(query.get("page", 1)), int(query.get("page_size", 1000))
            if state.failures.get(page, 0) > 0:
                state.failures[page] -= 1
                self.send_response(500)
                self.end_headers()
                return
            after = query.get("updated_after")
            chosen = [r for r in state.records
                      if not after or not isinstance(r, dict) or "updated_datetime" not in r
                      or datetime.fromisoformat(r["updated_datetime"]) > datetime.fromisoformat(after)]
            body = json.dumps(chosen[(page - 1) * size:page * size], ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/requests.json"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def db(request, tmp_path):
    database = Database(fresh_url("sqlite", request, tmp_path))
    yield database
    database.dispose()


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(R))


def stored(db, rid):
    return db.frame(select(R.c.status, R.c.category, R.c.resolved_at).where(R.c.id == rid)).to_dict("records")


def test_open311_pages_retries_rejects_and_follows_updates(source, db):
    before = count(db)
    good = [record(f"RS{i:04d}", f"2023-10-01T10:00:0{i}+08:00") for i in range(7)]
    duplicate_older = record("RS0001", "2023-09-01T10:00:00+08:00", status="待受理")
    unknown = record("RS0100", "2023-10-01T11:00:00+08:00", code="LG99")
    malformed = record("RS0101", "2023-10-01T11:00:00+08:00", submitted="not a time")
    bad_community = dict(record("RS0102", "2023-10-01T11:00:00+08:00"), address_id="440307999999")
    source.records = [*good[:3], duplicate_older, *good[3:], unknown, malformed, bad_community]
    source.failures = {2: 1}  # the server fails once in the middle of the run
    report = sync.sync_open311(db.engine, source.url, page_size=3, backoff_s=0.01)
    assert report.error is None and report.pages == 4 and report.records == 11 and report.retries == 1
    assert (report.inserted, report.updated) == (7, 0)
    assert dict(report.rejected).keys() == {"RS0100", "RS0101", "RS0102"}
    assert "LG99" in dict(report.rejected)["RS0100"] and "引用的记录不存在" in dict(report.rejected)["RS0102"]
    assert count(db) == before + 7
    assert stored(db, "RS0001")[0]["status"] == "办理中"  # the duplicate's latest version won
    info = db.dataset_info()
    assert info["last_sync_ok"].split(" ")[1] == "open311"

    # the live system moves on: two records change, one is new; the next run asks only for those
    source.requests.clear()
    source.records += [record("RS0002", "2023-10-05T08:00:00+08:00", status="已办结", satisfaction=5),
                       record("RS0003", "2023-10-05T08:00:01+08:00", status="已退回"),
                       record("RS0200", "2023-10-05T08:00:02+08:00")]
    again = sync.sync_open311(db.engine, source.url, page_size=3, backoff_s=0.01)
    assert source.requests[0]["updated_after"].startswith("2023-10-01T10:59")  # the mark, less a minute
    assert (again.inserted, again.updated, again.error) == (1, 2, None)
    assert count(db) == before + 8
    assert stored(db, "RS0002") == [{"status": "已办结", "category": "隐患上报",
                                     "resolved_at": datetime(2023, 10, 5, 8, 0)}]


def test_an_interrupted_run_is_run_again_without_loss_or_doubles(source, db, monkeypatch):
    before = count(db)
    source.records = [record(f"RI{i:04d}", f"2023-10-02T10:00:{i:02d}+08:00") for i in range(10)]
    source.failures = {3: 99}  # page 3 keeps failing: the run gives up, the mark stays
    failed = sync.sync_open311(db.engine, source.url, page_size=4, attempts=3, backoff_s=0.01)
    assert failed.error and "HTTP 500" in failed.error and failed.retries == 2
    assert sync._info_key(source.url) not in db.dataset_info()
    assert "last_sync_ok" not in db.dataset_info() and "失败" in db.dataset_info()["last_sync"]
    source.failures = {}

    # interrupted between two batches (the first one is committed)
    real = importer.import_bytes
    calls = []

    def dies_on_the_second_batch(*args, **kwargs):
        if not kwargs.get("dry_run"):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "import_bytes", dies_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        sync.sync_open311(db.engine, source.url, page_size=4, batch_size=6, backoff_s=0.01)
    monkeypatch.setattr(importer, "import_bytes", real)
    assert count(db) == before + 6
    rerun = sync.sync_open311(db.engine, source.url, page_size=4, batch_size=6, backoff_s=0.01)
    assert (rerun.inserted, rerun.unchanged, rerun.error) == (4, 6, None)
    assert count(db) == before + 10


def test_masked_names_and_phones_keep_the_stored_value_and_cannot_create_a_record(source, db):
    """A live system may send personal data masked (张*, 138****5678): on an update the stored value stays;
    a new record with one is refused by id and reason while the rest land."""
    source.records = [record("RM0001", "2023-10-01T10:00:00+08:00")]
    assert sync.sync_open311(db.engine, source.url, backoff_s=0.01).inserted == 1
    masked = {"requester_name": "张*", "requester_phone": "138****5678"}
    source.records += [record("RM0001", "2023-10-02T10:00:00+08:00", status="已办结", **masked),
                       record("RM0002", "2023-10-02T10:00:01+08:00", **masked),
                       record("RM0003", "2023-10-02T10:00:02+08:00")]
    report = sync.sync_open311(db.engine, source.url, backoff_s=0.01)
    assert (report.inserted, report.updated, report.error) == (1, 1, None)
    assert list(dict(report.rejected)) == ["RM0002"] and "脱敏" in dict(report.rejected)["RM0002"]
    person = db.frame(select(R.c.id, R.c.status, R.c.requester_name, R.c.requester_phone)
                      .where(R.c.id.in_(["RM0001", "RM0002", "RM0003"])).order_by(R.c.id)).to_dict("records")
    assert person == [
        {"id": "RM0001", "status": "已办结", "requester_name": "张三", "requester_phone": "13812345678"},
        {"id": "RM0003", "status": "办理中", "requester_name": "张三", "requester_phone": "13812345678"},
    ]


def test_records_without_a_full_status_are_reported_not_guessed():
    plain = record("RX1", "2023-10-01T10:00:00+08:00")
    del plain["extended_attributes"]["status_detail"]
    with pytest.raises(ValueError, match="无法确定状态"):
        sync.record_row(plain)
    plain["extended_attributes"]["status_detail_en"] = "escalated"
    assert sync.record_row(plain)["status"] == "已上报"


# --- inbox ----------------------------------------------------------------------------------------


def project_file(code: str, title: str) -> bytes:
    spec = SPECS["projects"]
    row = dict(spec.example, code=code, title=title)
    header = [c.zh for c in spec.columns]
    lines = [",".join(header), ",".join(str(row.get(c.name, "")) for c in spec.columns)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_inbox_imports_good_files_fails_bad_ones_and_waits_for_partial_ones(tmp_path, db):
    inbox = tmp_path / "inbox"
    folder = inbox / "projects"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_bytes(project_file("LG-2099-0001", "收件夹项目甲"))
    (folder / "b.csv").write_bytes(project_file("LG-2099-0002", "收件夹项目乙"))  # two at once
    bad = project_file("LG-2099-0003", "坏文件").replace(b"440307014003", b"440307999999")  # no such community
    (folder / "bad.csv").write_bytes(bad)
    (folder / "upload.csv.part").write_bytes(b"code,")  # a browser's partial download
    growing = folder / "growing.csv"
    growing.write_bytes(project_file("LG-2099-0004", "还在写"))

    def keep_writing():
        for _ in range(20):  # longer than the settle time, whatever the machine
            time.sleep(0.05)
            with growing.open("ab") as handle:
                handle.write(b"\n")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    report = sync.sync_inbox(db.engine, inbox, settle_s=0.2)
    writer.join()
    assert report.records == 3 and report.inserted == 2 and [name for name, _ in report.rejected] == ["bad.csv"]
    done = sorted(p.name for p in (folder / "done").iterdir())
    assert len(done) == 4 and done[0].endswith("-a.csv") and done[1].endswith("-a.csv.report.txt")
    failed = sorted((folder / "failed").iterdir())
    assert failed[0].name.endswith("-bad.csv") and "引用的记录不存在" in failed[1].read_text(encoding="utf-8")
    assert "导入成功" in (folder / "done" / done[1]).read_text(encoding="utf-8")
    assert growing.exists() and (folder / "upload.csv.part").exists()  # left for the next run
    P = schema.projects
    assert db.scalar(select(P.c.title).where(P.c.code == "LG-2099-0002")) == "收件夹项目乙"

    later = sync.sync_inbox(db.engine, inbox, settle_s=0.05)  # the file is complete now
    assert later.records == 1 and later.inserted == 1 and not growing.exists()
    assert db.scalar(select(P.c.title).where(P.c.code == "LG-2099-0004")) == "还在写"


def test_the_scheduler_entry_runs_what_the_environment_configures(source, db, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(sync.OPEN311_ENV, raising=False)
    monkeypatch.delenv(sync.INBOX_ENV, raising=False)
    assert sync.main(["--url", db.url, "due"]) == 0 and "未配置同步来源" in capsys.readouterr().out
    source.records = [record("RD0001", "2023-10-03T10:00:00+08:00")]
    (tmp_path / "inbox" / "projects").mkdir(parents=True)
    monkeypatch.setenv(sync.OPEN311_ENV, source.url)
    monkeypatch.setenv(sync.INBOX_ENV, str(tmp_path / "inbox"))
    assert sync.main(["--url", db.url, "due"]) == 0
    out = capsys.readouterr().out
    assert f"open311 {source.url}：完成；1 页 1 条，新增 1" in out and "inbox" in out
    assert db.scalar(select(func.count()).select_from(R).where(R.c.id == "RD0001")) == 1
    # a sync that changed data evaluates the alerts at once (the sidebar's count and the digest follow it)
    assert "预警已评估：新增" in out and not alert_store.is_stale(db)
    runs = db.scalar(select(func.count()).select_from(schema.alert_runs))
    assert sync.main(["--url", db.url, "due"]) == 0  # nothing new: nothing to evaluate
    assert "预警已评估" not in capsys.readouterr().out
    assert db.scalar(select(func.count()).select_from(schema.alert_runs)) == runs
