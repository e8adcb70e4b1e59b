"""Digests (推送): new and open alerts, follow-up items due or overdue and the headline figures of a scope,
sent by e-mail and to 企业微信 / 钉钉 group robots, once per subscription and period.

    python -m jobs.digest --due                      # every subscription whose current period is not sent yet
    python -m jobs.digest --subscription ID [--period KEY]
    python -m jobs.digest --preview [--scope district|street:<code>]   # print, send nothing

Subscriptions are in ``config/subscriptions.toml`` (``LONGGANG_SUBSCRIPTIONS`` moves it). Secrets
never come from the command line or that file: SMTP settings from ``LONGGANG_SMTP_HOST``, ``_PORT``,
``_SECURITY`` (starttls / ssl / none), ``_USER``, ``_PASSWORD``, ``_FROM``, ``_CAFILE`` (or an ``[smtp]`` table in
``.streamlit/secrets.toml``); a robot's webhook address (it holds the robot's key) from the
environment variable the subscription names.

Every send is logged in ``digest_sends`` (subscription, period, channel, target): a channel already
sent for the period is never sent again, a failed one is retried by the next run, and a send in
progress is claimed first, so two runs at once do not both send.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import io
import json
import os
import smtplib
import ssl
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import pandas as pd
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from data_access import alerts as alert_store
from data_access import followup, schema
from data_access.alerts import ensure_tables, now_utc, role_street
from data_access.database import Database
from data_access.geography import data_range
from data_access.measures import MEASURES, month_window, unit_names
from data_access.scope import DISTRICT_ROLE, STREET_ROLE_PREFIX
from jobs.alerts import evaluate_if_stale
from jobs.rules import SEVERITY_ZH, RuleError

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIPTIONS_FILE = ROOT / "config" / "subscriptions.toml"
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"
SCHEDULES = ("daily", "weekly", "monthly")
CHANNELS = ("email", "wecom", "dingtalk")
#: 企业微信 group robot: markdown content at most 4096 bytes (UTF-8)
WECOM_LIMIT = 4096
#: 钉钉 custom robot: a message at most 20000 bytes
DINGTALK_LIMIT = 20000
#: a send claimed longer ago than this is taken to have died and may be claimed again
STALE_CLAIM = timedelta(minutes=15)
XLSX_MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
S = schema.digest_sends


class DigestError(ValueError):
    """A subscriptions file or a setting that cannot be used (message in Chinese)."""


# --- subscriptions --------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    id: str
    name: str
    scope: str
    schedule: str
    email_to: tuple[str, ...] = ()
    wecom_url_env: str = ""
    dingtalk_url_env: str = ""
    dingtalk_secret_env: str = ""
    skip_when_empty: bool = True
    #: attach the printable briefing (components.briefing) of the scope's latest quarter to the mail
    attach_briefing: bool = True
    #: attach the month's bulletin (通报) XLSX: the streets for the district, the street's communities for a street
    attach_bulletin: bool = True

    def targets(self) -> list[tuple[str, str]]:
        """(channel, target) pairs; the target is what the log shows (recipients, or the variable's name)."""
        found = []
        if self.email_to:
            found.append(("email", ",".join(self.email_to)))
        if self.wecom_url_env:
            found.append(("wecom", self.wecom_url_env))
        if self.dingtalk_url_env:
            found.append(("dingtalk", self.dingtalk_url_env))
        return found


@dataclass(frozen=True)
class Settings:
    dashboard_url: str
    subscriptions: tuple[Subscription, ...]


_SUB_FIELDS = {"id", "name", "scope", "schedule", "email_to", "wecom_url_env", "dingtalk_url_env",
               "dingtalk_secret_env", "skip_when_empty", "attach_briefing",
               "attach_bulletin"}


def parse_settings(config: dict, source: str = "subscriptions.toml") -> Settings:
    problems: list[str] = []
    url = config.get("dashboard_url", "http://localhost:8501")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        problems.append(f"{source}：dashboard_url 应为 http:// 或 https:// 开头的地址")
    subs: list[Subscription] = []
    seen: set[str] = set()
    for n, raw in enumerate(config.get("subscriptions", []), start=1):
        sub_id = raw.get("id") if isinstance(raw, dict) else None
        where = f"订阅 {sub_id}" if isinstance(sub_id, str) and sub_id else f"第 {n} 个订阅"
        if not isinstance(raw, dict) or not isinstance(sub_id, str) or not sub_id.strip():
            problems.append(f"{where}：缺少字段 id")
            continue
        if sub_id in seen:
            problems.append(f"{where}：id 重复")
        seen.add(sub_id)
        unknown = sorted(set(raw) - _SUB_FIELDS)
        if unknown:
            problems.append(f"{where}：不认识字段 {', '.join(unknown)}")
        scope = raw.get("scope", DISTRICT_ROLE)
        if not isinstance(scope, str) or not (scope == DISTRICT_ROLE or (
                scope.startswith(STREET_ROLE_PREFIX) and scope[len(STREET_ROLE_PREFIX):].isdigit())):
            problems.append(f"{where}：字段 scope 应为 district 或 street:<街道代码>，现为 {scope!r}")
        schedule = raw.get("schedule", "weekly")
        if schedule not in SCHEDULES:
            problems.append(f"{where}：字段 schedule 应为 {' / '.join(SCHEDULES)} 之一，现为 {schedule!r}")
        email_to = raw.get("email_to", [])
        if isinstance(email_to, str):
            email_to = [email_to]
        if not isinstance(email_to, list) or not all(isinstance(a, str) and "@" in a for a in email_to):
            problems.append(f"{where}：字段 email_to 应为电子邮件地址的列表")
            email_to = []
        envs = {}
        for key in ("wecom_url_env", "dingtalk_url_env", "dingtalk_secret_env"):
            value = raw.get(key, "")
            if not isinstance(value, str) or (value and not value.replace("_", "").isalnum()):
                problems.append(f"{where}：字段 {key} 应为环境变量名（网址和密钥不写在此文件里）")
                value = ""
            envs[key] = value
        if not email_to and not envs["wecom_url_env"] and not envs["dingtalk_url_env"]:
            problems.append(f"{where}：没有推送渠道（email_to、wecom_url_env 或 dingtalk_url_env）")
        skip = raw.get("skip_when_empty", True)
        attach = raw.get("attach_briefing", True)
        attach_bulletin = raw.get("attach_bulletin", True)
        for key, value in (("skip_when_empty", skip), ("attach_briefing", attach),
                           ("attach_bulletin", attach_bulletin)):
            if not isinstance(value, bool):
                problems.append(f"{where}：字段 {key} 应为 true 或 false")
        subs.append(Subscription(id=sub_id, name=str(raw.get("name", sub_id)), scope=scope, schedule=schedule,
                                 email_to=tuple(email_to), skip_when_empty=bool(skip),
                                 attach_briefing=bool(attach), attach_bulletin=bool(attach_bulletin), **envs))
    if problems:
        raise DigestError(f"{source} 有 {len(problems)} 处问题：\n" + "\n".join(f"- {p}" for p in problems))
    return Settings(dashboard_url=url.rstrip("/"), subscriptions=tuple(subs))


def load_settings(path: Path | str | None = None) -> Settings:
    path = Path(path or os.environ.get("LONGGANG_SUBSCRIPTIONS") or SUBSCRIPTIONS_FILE)
    try:
        with open(path, "rb") as f:
            return parse_settings(tomllib.load(f), path.name)
    except FileNotFoundError as exc:
        raise DigestError(f"找不到订阅文件 {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DigestError(f"{path.name} 不是有效的 TOML：{exc}") from exc


# --- periods ----------------------------------------------------------------------------


def period_of(schedule: str, today: date) -> tuple[str, datetime]:
    """The period key a schedule is in on ``today`` and when that period began (UTC midnight)."""
    if schedule == "daily":
        start = today
        key = today.isoformat()
    elif schedule == "weekly":
        start = today - timedelta(days=today.weekday())
        year, week, _ = today.isocalendar()
        key = f"{year}-W{week:02d}"
    else:
        start = today.replace(day=1)
        key = f"{today:%Y-%m}"
    return key, datetime.combine(start, datetime.min.time())


def period_start(schedule: str, key: str) -> datetime:
    """When the period named by ``key`` began."""
    if schedule == "daily":
        day = date.fromisoformat(key)
    elif schedule == "weekly":
        year, week = key.split("-W")
        day = date.fromisocalendar(int(year), int(week), 1)
    else:
        day = date.fromisoformat(f"{key}-01")
    return datetime.combine(day, datetime.min.time())


# --- the digest --------------------------------------------------------------------------


@dataclass
class Digest:
    subject: str
    title: str
    markdown: str
    text: str
    attachments: list[tuple[str, bytes, tuple[str, str]]] = field(default_factory=list)
    new_alerts: int = 0
    open_alerts: int = 0
    items_due: int = 0

    @property
    def empty(self) -> bool:
        return self.new_alerts == 0 and self.items_due == 0


def headline_figures(db: Database, scope: str) -> list[tuple[str, str]]:
    """The scope's latest-month figures: requests received, satisfaction rate, overdue requests and projects."""
    _, reference = data_range(db)
    window = month_window(reference)
    own = role_street(scope)
    figures = []
    for key in ("requests_received", "satisfaction_rate", "overdue_requests", "overdue_projects"):
        measure = MEASURES[key]
        frame = measure.compute(db, "street", window, reference, {})
        if own:
            frame = frame[frame["unit_code"] == own]
        if measure.kind == "rate":
            base = frame["base"].sum()
            value = f"{(frame['value'] * frame['base']).sum() / base * 100:.1f}%" if base else "—"
        else:
            value = f"{frame['value'].sum():,.0f}"
        figures.append((measure.name_zh, value))
    return figures


def _scope_name(db: Database, scope: str) -> str:
    own = role_street(scope)
    if not own:
        return "龙岗区"
    return unit_names(db).get(("street", own), (own, own))[0]


def build_digest(db: Database, sub: Subscription, period: str, since: datetime, dashboard_url: str,
                 today: date | None = None) -> Digest:
    """The digest of a subscription's scope for a period: markdown (robots), text (mail), an XLSX."""
    today = today or now_utc().date()
    alerts = alert_store.list_alerts(db, sub.scope)
    new = alerts[pd.to_datetime(alerts["first_seen"]) >= pd.Timestamp(since)] if len(alerts) else alerts
    items = followup.list_items(db, sub.scope, reference=today)
    active = items[items["status"] != followup.CLOSED] if len(items) else items
    soon = pd.Timestamp(today + timedelta(days=7))
    due = active[pd.to_datetime(active["due_on"]) <= soon] if len(active) else active
    overdue = int(active["overdue"].sum()) if len(active) else 0
    _, reference = data_range(db)
    place = _scope_name(db, sub.scope)
    title = f"{place}预警督办摘要（{period}）"
    subject = f"【龙岗区基层治理看板】{title}：新增预警 {len(new)} 条，督办到期 {len(due)} 项"
    link = f"{dashboard_url}/alerts"
    if role_street(sub.scope):
        link += f"?street={role_street(sub.scope)}"
    lines = [f"## {title}", "", f"数据截至 {reference:%Y-%m-%d}", ""]
    lines += ["**主要指标（最新月份）**"] + [f"- {name}：{value}" for name, value in headline_figures(db, sub.scope)]
    lines += ["", f"**新增预警 {len(new)} 条**（未关闭共 {len(alerts)} 条）"]
    for row in new.head(20).to_dict("records"):
        lines.append(f"- [{SEVERITY_ZH.get(row['severity'], row['severity'])}] {row['reason']}")
    if len(new) > 20:
        lines.append(f"- ……另有 {len(new) - 20} 条")
    lines += ["", f"**督办事项：7 天内到期或已逾期 {len(due)} 项，其中逾期 {overdue} 项**"]
    for row in due.head(20).to_dict("records"):
        flag = "（已逾期）" if row["overdue"] else ""
        lines.append(f"- #{row['id']} {row['unit_name']}：{row['task']}，期限 {pd.Timestamp(row['due_on']):%Y-%m-%d}"
                     f"{flag}，{followup.STATUS_ZH[row['status']]}")
    lines += ["", f"[打开看板查看详情]({link})"]
    markdown = "\n".join(lines)
    plain = markdown.replace("## ", "").replace("**", "")
    plain = plain.replace(f"[打开看板查看详情]({link})", f"打开看板查看详情：{link}")
    attachments = [(f"{place}预警督办摘要_{period}.xlsx", _xlsx(alerts, items), XLSX_MIME)]
    if sub.attach_briefing:
        try:
            attachments.append((f"{place}简报_{period}.html", briefing_bytes(db, sub.scope, place), ("text", "html")))
        except Exception as exc:  # noqa: BLE001 - the digest still goes out, saying what is missing
            plain += f"\n\n（简报未能生成：{type(exc).__name__}: {exc}）"
    if sub.attach_bulletin:
        try:
            attachments.append((*bulletin_attachment(db, sub.scope), XLSX_MIME))
        except Exception as exc:  # noqa: BLE001 - as for the briefing: the digest goes out, naming what is missing
            plain += f"\n\n（月度通报未能生成：{type(exc).__name__}: {exc}）"
    return Digest(subject=subject, title=title, markdown=markdown, text=plain, attachments=attachments,
                  new_alerts=len(new), open_alerts=len(alerts), items_due=len(due))


def briefing_bytes(db: Database, scope_role: str, place: str) -> bytes:
    """The printable briefing (the overview's 生成简报) of the scope over the quarter holding the reference date."""
    from components import briefing
    from components.i18n import text
    from data_access import geography
    from data_access.scope import Scope, parse_period

    start, reference = data_range(db)
    period = parse_period(f"{reference.year}-Q{(reference.month - 1) // 3 + 1}", start, reference)
    scope = Scope(period=period, street=role_street(scope_role), role=scope_role)
    content = briefing.collect_briefing(lambda fn, *args: fn(db, *args), scope, start, reference, place,
                                        text("period.quarter", "zh", year=period.start.year, q=period.key[-1]), "zh",
                                        geography.streets(db))
    return briefing.briefing_html(content, datetime.now()).encode("utf-8")


def bulletin_attachment(db: Database, scope_role: str) -> tuple[str, bytes]:
    """(file name, XLSX) of the bulletin (通报) of the month holding the data's reference date, built like
    the 通报 page's download: the streets for the district, the street's communities for a street role.
    The file is named by its title, e.g. 龙岗区民生诉求办理情况月度通报（2023年10月）.xlsx."""
    from components import bulletin_report
    from data_access import bulletin

    _, reference = data_range(db)
    own = role_street(scope_role)
    built = bulletin.build_bulletin(db, bulletin.month_period(reference).key, "community" if own else "street",
                                    own, scope_role)
    name = bulletin_report.heading(built, "zh").replace("/", "／")
    return f"{name}.xlsx", bulletin_report.bulletin_xlsx(built, "zh", datetime.now())


def _xlsx(alerts: pd.DataFrame, items: pd.DataFrame) -> bytes:
    alert_sheet = pd.DataFrame({
        "级别": [SEVERITY_ZH.get(s, s) for s in alerts.get("severity", [])],
        "规则": alerts.get("rule_id", []), "单位": alerts.get("unit_name", []), "说明": alerts.get("reason", []),
        "月份": alerts.get("period", []), "数值": alerts.get("value", []), "阈值或基线": alerts.get("threshold", []),
        "首次发现": alerts.get("first_seen", []), "最近确认": alerts.get("last_seen", []),
    })
    item_sheet = pd.DataFrame({
        "编号": items.get("id", []), "督办内容": items.get("task", []), "责任单位": items.get("unit_name", []),
        "办结期限": items.get("due_on", []),
        "状态": [followup.STATUS_ZH.get(s, s) for s in items.get("status", [])],
        "逾期": ["是" if o else "" for o in items.get("overdue", [])],
    })
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        alert_sheet.to_excel(writer, sheet_name="预警", index=False)
        item_sheet.to_excel(writer, sheet_name="督办事项", index=False)
    return buffer.getvalue()


# --- channels ----------------------------------------------------------------------------


def _secrets_smtp() -> dict:
    if not SECRETS_FILE.exists():
        return {}
    try:
        with open(SECRETS_FILE, "rb") as f:
            return dict(tomllib.load(f).get("smtp", {}))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def smtp_settings() -> dict:
    """SMTP settings from the environment (else ``[smtp]`` in .streamlit/secrets.toml)."""
    secrets = _secrets_smtp()

    def get(name: str, default: str = "") -> str:
        return os.environ.get(f"LONGGANG_SMTP_{name.upper()}") or str(secrets.get(name, default))

    host = get("host")
    if not host:
        raise DigestError("未配置邮件服务器：请设置环境变量 LONGGANG_SMTP_HOST"
                          "（及 _PORT、_SECURITY、_USER、_PASSWORD、_FROM）")
    security = get("security", "starttls").lower()
    if security not in ("starttls", "ssl", "none"):
        raise DigestError(f"LONGGANG_SMTP_SECURITY 应为 starttls、ssl 或 none，现为 {security!r}")
    port = get("port", "465" if security == "ssl" else "587")
    if not port.isdigit():
        raise DigestError(f"LONGGANG_SMTP_PORT 应为端口号，现为 {port!r}")
    return {"host": host, "port": int(port), "security": security, "user": get("user"),
            "password": get("password"), "sender": get("from") or get("user") or "dashboard@localhost",
            "cafile": get("cafile")}


def build_email(digest: Digest, recipients: Sequence[str], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="longgang.dashboard")
    message.set_content(digest.text, charset="utf-8")
    for filename, content, (maintype, subtype) in digest.attachments:
        # EmailMessage writes a non-ASCII file name in RFC 2231 form, which mail clients decode
        if maintype == "text":  # with its charset, so the HTML briefing opens as UTF-8
            message.add_attachment(content.decode("utf-8"), subtype=subtype, charset="utf-8", cte="base64",
                                   filename=filename)
        else:
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send_email(digest: Digest, recipients: Sequence[str], timeout: float = 30) -> None:
    settings = smtp_settings()
    message = build_email(digest, recipients, settings["sender"])
    # the system's certificate authorities, or LONGGANG_SMTP_CAFILE for a server with a private CA
    context = ssl.create_default_context(cafile=settings["cafile"] or None)
    if settings["security"] == "ssl":
        client = smtplib.SMTP_SSL(settings["host"], settings["port"], timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings["host"], settings["port"], timeout=timeout)
    with client:
        if settings["security"] == "starttls":
            client.starttls(context=context)
        if settings["user"]:
            client.login(settings["user"], settings["password"])
        client.send_message(message, to_addrs=list(recipients))


def _fit(text: str, limit: int, link: str) -> str:
    """The text cut on a line boundary to fit ``limit`` UTF-8 bytes, ending with the link."""
    if len(text.encode("utf-8")) <= limit:
        return text
    tail = f"\n……（内容过长已截断）\n[打开看板查看全部]({link})"
    budget = limit - len(tail.encode("utf-8"))
    kept, used = [], 0
    for line in text.split("\n"):
        size = len(line.encode("utf-8")) + 1
        if used + size > budget:
            break
        kept.append(line)
        used += size
    return "\n".join(kept) + tail


def wecom_payload(digest: Digest, link: str) -> dict:
    """企业微信 group robot markdown message (content at most 4096 bytes)."""
    return {"msgtype": "markdown", "markdown": {"content": _fit(digest.markdown, WECOM_LIMIT, link)}}


def dingtalk_payload(digest: Digest, link: str) -> dict:
    """钉钉 custom robot markdown message (title, text)."""
    text = _fit(digest.markdown, DINGTALK_LIMIT - len(digest.title.encode("utf-8")) - 200, link)
    return {"msgtype": "markdown", "markdown": {"title": digest.title, "text": text}}


def dingtalk_signed(url: str, secret: str, now_ms: int | None = None) -> str:
    """The webhook address with 钉钉's signature (timestamp and sign) when the robot has a secret."""
    if not secret:
        return url
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def post_json(url: str, payload: dict, timeout: float = 15) -> None:
    """POST the payload; the robots answer HTTP 200 with ``errcode`` 0 when they accept it."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"HTTP {exc.code}") from exc
    try:
        code = json.loads(answer).get("errcode", 0)
    except (ValueError, AttributeError):
        code = 0
    if code not in (0, "0"):
        raise RuntimeError(f"机器人拒收：{answer[:200]}")


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise DigestError(f"环境变量 {name} 未设置（机器人的 webhook 地址）")
    return value


def deliver(channel: str, sub: Subscription, digest: Digest, dashboard_url: str) -> None:
    link = f"{dashboard_url}/alerts"
    if channel == "email":
        send_email(digest, sub.email_to)
    elif channel == "wecom":
        post_json(_env(sub.wecom_url_env), wecom_payload(digest, link))
    elif channel == "dingtalk":
        secret = os.environ.get(sub.dingtalk_secret_env, "") if sub.dingtalk_secret_env else ""
        post_json(dingtalk_signed(_env(sub.dingtalk_url_env), secret), dingtalk_payload(digest, link))
    else:  # pragma: no cover - parse_settings allows no other
        raise DigestError(f"未知渠道 {channel}")


# --- the send log ------------------------------------------------------------------------


def _claim(db: Database, sub: str, period: str, channel: str, target: str, at: datetime) -> bool:
    """Mark a send as in progress; False when it was sent already or another run holds it."""
    with db.engine.begin() as conn:
        row = conn.execute(select(S.c.id, S.c.status, S.c.last_try).where(
            S.c.subscription == sub, S.c.period == period, S.c.channel == channel, S.c.target == target)).first()
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(S.insert().values(subscription=sub, period=period, channel=channel, target=target,
                                                   status="sending", attempts=1, first_try=at, last_try=at))
                return True
            except IntegrityError:  # another run inserted it first
                return False
        # failed: retry; skipped (nothing new then): look again; sending for long: that run died
        claimable = or_(S.c.status.in_(["failed", "skipped"]),
                        and_(S.c.status == "sending", S.c.last_try < at - STALE_CLAIM))
        moved = conn.execute(update(S).where(S.c.id == row.id, claimable)
                             .values(status="sending", attempts=S.c.attempts + 1, last_try=at))
        return moved.rowcount == 1


def _finish(db: Database, sub: str, period: str, channel: str, target: str, status: str, error: str | None,
            at: datetime) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(S).where(S.c.subscription == sub, S.c.period == period, S.c.channel == channel,
                                     S.c.target == target)
                     .values(status=status, last_error=error, sent_at=at if status == "sent" else None))


def send_log(db: Database, subscription: str | None = None) -> pd.DataFrame:
    ensure_tables(db.engine)
    stmt = select(S).order_by(S.c.id)
    if subscription:
        stmt = stmt.where(S.c.subscription == subscription)
    return db.frame(stmt)


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def run_subscription(db: Database, settings: Settings, sub: Subscription, period: str | None = None,
                     today: date | None = None, report: SendReport | None = None) -> SendReport:
    """Send one subscription's digest for a period (default: its current one) on every channel not yet sent."""
    ensure_tables(db.engine)
    today = today or now_utc().date()
    report = report or SendReport()
    if period is None:
        period, since = period_of(sub.schedule, today)
    else:
        since = period_start(sub.schedule, period)
    digest = None
    for channel, target in sub.targets():
        label = f"{sub.id}/{period}/{channel}"
        at = now_utc()
        if not _claim(db, sub.id, period, channel, target, at):
            report.already.append(label)
            continue
        try:
            if digest is None:
                digest = build_digest(db, sub, period, since, settings.dashboard_url, today)
            if sub.skip_when_empty and digest.empty:
                _finish(db, sub.id, period, channel, target, "skipped", None, at)
                report.skipped.append(label)
                continue
            deliver(channel, sub, digest, settings.dashboard_url)
        except (OSError, smtplib.SMTPException, RuntimeError, DigestError, SQLAlchemyError) as exc:
            _finish(db, sub.id, period, channel, target, "failed", f"{type(exc).__name__}: {exc}"[:500], now_utc())
            report.failed.append(f"{label}: {exc}")
            continue
        _finish(db, sub.id, period, channel, target, "sent", None, now_utc())
        report.sent.append(label)
    return report


def run_due(db: Database, settings: Settings, today: date | None = None) -> SendReport:
    """Every subscription's current period on every channel not yet sent (failed ones are retried)."""
    report = SendReport()
    for sub in settings.subscriptions:
        run_subscription(db, settings, sub, today=today, report=report)
    return report


# --- command line ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.digest",
                                     description="预警督办摘要：按订阅推送（邮件、企业微信、钉钉）")
    parser.add_argument("--url", help="数据库地址（默认 DATABASE_URL，否则内置 SQLite 文件）")
    parser.add_argument("--subscriptions", help="订阅文件（默认 config/subscriptions.toml）")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--due", action="store_true", help="发送当前到期且尚未发送的所有订阅")
    what.add_argument("--subscription", help="只发送这一个订阅")
    what.add_argument("--preview", action="store_true", help="只打印摘要，不发送")
    parser.add_argument("--period", help="周期，例如 2026-12、2026-W49、2026-12-05（默认当前周期）")
    parser.add_argument("--scope", default=DISTRICT_ROLE, help="预览的范围：district 或 street:<街道代码>")
    args = parser.parse_args(argv)
    try:
        from data_access.loader import ensure_database

        db = Database(ensure_database(args.url))
        if args.preview:
            sub = Subscription(id="preview", name="预览", scope=args.scope, schedule="weekly")
            period, since = period_of("weekly", now_utc().date())
            print(build_digest(db, sub, args.period or period, since, "http://localhost:8501").markdown)
            return 0
        settings = load_settings(args.subscriptions)
        try:  # a load or an import since the last evaluation: evaluate first, so the digest is current
            evaluate_if_stale(db)
        except RuleError as exc:
            print(f"jobs.digest：预警规则有误，沿用上次评估的预警：{exc}", file=sys.stderr)
        if args.due:
            report = run_due(db, settings)
        else:
            matches = [s for s in settings.subscriptions if s.id == args.subscription]
            if not matches:
                print(f"找不到订阅 {args.subscription}", file=sys.stderr)
                return 2
            report = run_subscription(db, settings, matches[0], period=args.period)
    except DigestError as exc:
        print(f"jobs.digest：{exc}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, OSError, LookupError) as exc:
        print(f"jobs.digest 失败：{exc}", file=sys.stderr)
        return 1
    for label in report.sent:
        print(f"已发送 {label}")
    for label in report.skipped:
        print(f"无新内容，跳过 {label}")
    for label in report.already:
        print(f"本周期已发送，略过 {label}")
    for label in report.failed:
        print(f"发送失败（下次运行重试）{label}", file=sys.stderr)
    return 1 if report.failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
