"""Digest delivery (jobs.digest) against real local servers: an aiosmtpd SMTP server and an http.server per
robot webhook that checks the documented payload; sent once per subscription and period, a failure retried."""

from __future__ import annotations

import dataclasses
import email
import io
import json
import os
import socket
import threading
from datetime import date
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from alerts_support import C1, C2, S2, add_requests, build, request_rows

from data_access import followup
from jobs import alerts as alert_job
from jobs import digest
from jobs.rules import parse_rules

RULES = parse_rules({"rules": [
    {"id": "sat", "name": "满意率低于 85%", "kind": "threshold", "measure": "satisfaction_rate", "floor": 0.85},
    {"id": "od", "name": "超时诉求", "kind": "overdue", "subject": "requests", "severity": "high"},
]})


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd connects to its own port to check it started)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("LONGGANG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LONGGANG_SMTP_PORT", str(port))
    monkeypatch.setenv("LONGGANG_SMTP_SECURITY", "none")
    monkeypatch.setenv("LONGGANG_SMTP_FROM", "看板 <dashboard@example.org>")
    monkeypatch.delenv("LONGGANG_SMTP_USER", raising=False)
    yield inbox
    controller.stop()


class Robot:
    """A local stand-in for a 企业微信 or 钉钉 robot: checks the payload, answers like the real one."""

    def __init__(self, kind: str):
        self.kind, self.received, self.fail_next = kind, [], 0
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if robot.fail_next:
                    robot.fail_next -= 1
                    self.send_response(502)
                    self.end_headers()
                    return
                payload = json.loads(body.decode("utf-8"))
                problem = robot.check(payload, self.path)
                answer = {"errcode": 0, "errmsg": "ok"} if not problem else {"errcode": 40008, "errmsg": problem}
                if not problem:
                    robot.received.append((self.path, payload))
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?key=test-key"

    def check(self, payload: dict, path: str) -> str | None:
        if payload.get("msgtype") != "markdown" or set(payload) != {"msgtype", "markdown"}:
            return "invalid msgtype"
        body = payload["markdown"]
        if self.kind == "wecom":
            if set(body) != {"content"} or not isinstance(body["content"], str):
                return "invalid markdown"
            if len(body["content"].encode("utf-8")) > 4096:
                return "content exceed max length"
        else:
            if set(body) != {"title", "text"} or not body["title"] or not body["text"]:
                return "invalid markdown"
        return None

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robots(monkeypatch):
    wecom, dingtalk = Robot("wecom"), Robot("dingtalk")
    monkeypatch.setenv("TEST_WECOM", wecom.url)
    monkeypatch.setenv("TEST_DINGTALK", dingtalk.url)
    monkeypatch.setenv("TEST_DINGTALK_SECRET", "SEC-test")
    yield wecom, dingtalk
    wecom.stop()
    dingtalk.stop()


def settings(**extra):
    return digest.parse_settings({"dashboard_url": "http://dash.example:8501", "subscriptions": [
        {"id": "district", "name": "区级", "scope": "district", "schedule": "weekly",
         "email_to": ["a@example.org", "b@example.org"], "wecom_url_env": "TEST_WECOM",
         "dingtalk_url_env": "TEST_DINGTALK", "dingtalk_secret_env": "TEST_DINGTALK_SECRET", **extra},
    ]})


def _database(url):
    db = build(url)
    add_requests(db, request_rows(C1, date(2023, 10, 5), 10, satisfaction=1))
    add_requests(db, request_rows(C2, date(2023, 9, 1), 3, status="办理中"))
    alert_job.evaluate(db, RULES)
    followup.create_item(db, actor="区", role="district", task="整改超时诉求", due_on=date(2020, 1, 1),
                         unit_level="street", unit_code=S2)
    return db


def test_delivers_by_mail_and_robots_once_per_period(empty_url, smtp, robots):
    wecom, dingtalk = robots
    db = _database(empty_url)
    config = settings()
    report = digest.run_due(db, config)
    assert report.failed == [] and len(report.sent) == 3

    # the mail: subject, recipients, Chinese body, an XLSX with a Chinese name that openpyxl opens
    assert len(smtp.messages) == 1
    recipients, raw = smtp.messages[0]
    assert recipients == ["a@example.org", "b@example.org"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"].startswith("【龙岗区基层治理看板】龙岗区预警督办摘要")
    assert "新增预警 2 条" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "一街道 满意率: 0.0%，低于下限 85.0%" in body
    assert "整改超时诉求" in body and "已逾期" in body
    attachments = list(message.iter_attachments())
    week = digest.period_of("weekly", digest.now_utc().date())[0]
    month = digest.data_range(db)[1]
    bulletin_name = f"龙岗区民生诉求办理情况月度通报（{month.year}年{month.month}月）.xlsx"
    assert [a.get_filename() for a in attachments] == [f"龙岗区预警督办摘要_{week}.xlsx", f"龙岗区简报_{week}.html",
                                                        bulletin_name]
    assert "简报未能生成" not in body and "月度通报未能生成" not in body
    # the month's bulletin (通报) of the streets, as the 通报 page downloads it: title row, then the table
    bulletin_book = openpyxl.load_workbook(io.BytesIO(attachments[2].get_content()))
    sheet = bulletin_book.active
    assert sheet.title == "通报"
    assert sheet["A1"].value == bulletin_name.removesuffix(".xlsx")
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "一街道" in cells and "二街道" in cells
    assert attachments[2].get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    briefing = attachments[1].get_content()  # the overview's printable briefing, standalone HTML
    assert briefing.lstrip().lower().startswith("<!doctype html") and "龙岗区" in briefing
    book = openpyxl.load_workbook(io.BytesIO(attachments[0].get_content()))
    assert book.sheetnames == ["预警", "督办事项"]
    rows = list(book["预警"].iter_rows(values_only=True))
    assert rows[0][:4] == ("级别", "规则", "单位", "说明") and len(rows) == 3
    assert list(book["督办事项"].iter_rows(values_only=True))[1][1] == "整改超时诉求"

    # the robots: the documented markdown messages, with the link back
    [(_, wecom_payload)] = wecom.received
    assert wecom_payload["markdown"]["content"].startswith("## 龙岗区预警督办摘要")
    assert "http://dash.example:8501/alerts" in wecom_payload["markdown"]["content"]
    [(path, ding_payload)] = dingtalk.received
    assert ding_payload["markdown"]["title"].startswith("龙岗区预警督办摘要")
    assert "timestamp=" in path and "sign=" in path  # signed with the robot's secret

    # a second run in the same period sends nothing again
    again = digest.run_due(db, config)
    assert again.sent == [] and len(again.already) == 3
    assert len(smtp.messages) == 1 and len(wecom.received) == 1 and len(dingtalk.received) == 1
    log = digest.send_log(db)
    assert sorted(log["status"]) == ["sent"] * 3 and log["attempts"].tolist() == [1, 1, 1]
    assert "test-key" not in " ".join(log["target"])  # a robot's key never reaches the log


def test_a_failing_server_is_retried_without_duplicates(empty_url, smtp, robots):
    wecom, dingtalk = robots
    db = _database(empty_url)
    wecom.fail_next = 1
    first = digest.run_due(db, settings())
    assert len(first.failed) == 1 and "wecom" in first.failed[0]
    assert len(smtp.messages) == 1 and wecom.received == [] and len(dingtalk.received) == 1
    log = digest.send_log(db).set_index("channel")
    assert log.loc["wecom", "status"] == "failed" and "502" in log.loc["wecom", "last_error"]

    second = digest.run_due(db, settings())
    assert [s.split("/")[-1] for s in second.sent] == ["wecom"] and len(second.already) == 2
    assert len(smtp.messages) == 1 and len(wecom.received) == 1 and len(dingtalk.received) == 1
    log = digest.send_log(db).set_index("channel")
    assert log.loc["wecom", "status"] == "sent" and log.loc["wecom", "attempts"] == 2


def test_smtp_failure_is_logged_and_retried(empty_url, smtp, robots, monkeypatch):
    wecom, dingtalk = robots
    db = _database(empty_url)
    port = os.environ["LONGGANG_SMTP_PORT"]
    monkeypatch.setenv("LONGGANG_SMTP_PORT", "1")  # nothing listens there
    first = digest.run_due(db, settings())
    week = digest.period_of("weekly", digest.now_utc().date())[0]
    assert [f.split(":")[0] for f in first.failed] == [f"district/{week}/email"]
    assert smtp.messages == [] and len(wecom.received) == 1 and len(dingtalk.received) == 1
    log = digest.send_log(db).set_index("channel")
    assert log.loc["email", "status"] == "failed" and log.loc["email", "attempts"] == 1

    monkeypatch.setenv("LONGGANG_SMTP_PORT", port)  # the mail server is back: the next run retries the mail only
    second = digest.run_due(db, settings())
    assert [s.split("/")[-1] for s in second.sent] == ["email"] and not second.failed
    assert len(smtp.messages) == 1 and len(wecom.received) == 1 and len(dingtalk.received) == 1
    log = digest.send_log(db).set_index("channel")
    assert log.loc["email", "status"] == "sent" and log.loc["email", "attempts"] == 2
    third = digest.run_due(db, settings())  # everything sent for this period: nothing goes twice
    assert not third.sent and not third.failed and len(smtp.messages) == 1


def test_wecom_content_fits_its_limit():
    lines = "\n".join(f"- 第 {i} 条预警：某某社区 物业管理" for i in range(400))
    long = digest.Digest(subject="s", title="t", markdown=lines, text="")
    payload = digest.wecom_payload(long, "http://x/alerts")
    content = payload["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("[打开看板查看全部](http://x/alerts)")


def test_skip_when_nothing_new(empty_url, smtp, robots):
    db = build(empty_url)  # no alert, no item
    report = digest.run_due(db, settings())
    assert len(report.skipped) == 3 and smtp.messages == []
    report = digest.run_due(db, settings(skip_when_empty=False))
    assert len(report.sent) == 3 and len(smtp.messages) == 1


def test_street_digest_holds_its_street_only(empty_url):
    db = _database(empty_url)
    sub = digest.Subscription(id="s2", name="二街道", scope=f"street:{S2}", schedule="daily")
    built = digest.build_digest(db, sub, "2030-01-01", digest.period_of("daily", digest.now_utc().date())[1], "http://d")
    assert built.title.startswith("二街道") and "一街道" not in built.markdown
    assert "二街道 超时未办结诉求" in built.markdown and "整改超时诉求" in built.markdown
    # the street's own bulletin: its communities, titled with its name
    [(name, content, _)] = [a for a in built.attachments if "通报" in a[0]]
    month = digest.data_range(db)[1]
    assert name == f"二街道社区民生诉求办理情况月度通报（{month.year}年{month.month}月）.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == name.removesuffix(".xlsx")
    cells = {c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert not any("一街道" in c for c in cells)
    without = digest.build_digest(db, dataclasses.replace(sub, attach_bulletin=False, attach_briefing=False),
                                  "2030-01-01", digest.period_of("daily", digest.now_utc().date())[1], "http://d")
    assert [a[0] for a in without.attachments] == ["二街道预警督办摘要_2030-01-01.xlsx"]


def test_subscription_errors_are_named_in_chinese():
    with pytest.raises(digest.DigestError) as error:
        digest.parse_settings({"subscriptions": [
            {"id": "a", "scope": "city", "schedule": "hourly", "email_to": ["nobody"]},
            {"id": "b", "wecom_url_env": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"},
        ]})
    message = str(error.value)
    assert "订阅 a：字段 scope" in message and "订阅 a：字段 schedule" in message
    assert "订阅 a：字段 email_to" in message
    assert "订阅 b：字段 wecom_url_env 应为环境变量名" in message


def test_cli_due_and_preview(empty_url, smtp, robots, tmp_path, capsys):
    _database(empty_url)
    path = tmp_path / "subscriptions.toml"
    path.write_text('dashboard_url = "http://d"\n[[subscriptions]]\nid = "x"\nscope = "district"\n'
                    'schedule = "monthly"\nemail_to = ["a@example.org"]\n', encoding="utf-8")
    assert digest.main(["--url", empty_url, "--subscriptions", str(path), "--due"]) == 0
    assert "已发送 x/" in capsys.readouterr().out
    assert digest.main(["--url", empty_url, "--subscriptions", str(path), "--due"]) == 0
    assert "本周期已发送" in capsys.readouterr().out
    assert len(smtp.messages) == 1
    assert digest.main(["--url", empty_url, "--preview", "--scope", f"street:{S2}"]) == 0
    assert "二街道预警督办摘要" in capsys.readouterr().out


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_over_tls_with_login(tmp_path, monkeypatch, security):
    """A real TLS server (a certificate made here, trusted through LONGGANG_SMTP_CAFILE) that demands a login."""
    import ssl
    import subprocess

    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"robot", b"s3cret")
        logins.append(ok)
        return AuthResult(success=ok)

    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {"ssl_context": server_context} if security == "ssl" else {
        "tls_context": server_context, "require_starttls": True}
    # aiosmtpd does not count an implicit-TLS connection as TLS when it advertises AUTH: allow it there
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=security == "starttls", **options)
    controller.start()
    try:
        for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "SECURITY": security, "USER": "robot",
                            "PASSWORD": "s3cret", "CAFILE": str(cert), "FROM": "dashboard@example.org"}.items():
            monkeypatch.setenv(f"LONGGANG_SMTP_{name}", value)
        sample = digest.Digest(subject="【测试】预警摘要", title="t", markdown="m", text="正文",
                               attachments=[("预警摘要_2023-10.xlsx", b"PK-not-really", digest.XLSX_MIME)])
        digest.send_email(sample, ["a@example.org"])
    finally:
        controller.stop()
    assert logins == [True]
    message = email.message_from_bytes(inbox.messages[0][1], policy=policy.default)
    assert message["Subject"] == "【测试】预警摘要"
    assert [a.get_filename() for a in message.iter_attachments()] == ["预警摘要_2023-10.xlsx"]
