#!/usr/bin/env python3
"""Run the two-replica stack on this machine, load a page through nginx from each replica, stop.

    python deploy/run_local.py            # start, check, print a summary, stop; exit 0 if both served
    python deploy/run_local.py --keep     # ... then leave it running until Ctrl-C

What it starts, all on 127.0.0.1 with free ports and in one temporary folder:

1. a throwaway PostgreSQL 15 server (tests/pg_server.py: as the ``postgres`` user when run as
   root) and an empty database ``longgang`` on it;
2. two ``streamlit run serve.py`` replicas (app.py with the session-cookie routes) at once, both
   with ``DATABASE_URL`` pointing at that
   database and the settings of deploy/streamlit.env. The first sessions on the two replicas
   are opened together, so both try to load the sample data into the empty database at the
   same time: the loader's PostgreSQL advisory lock lets one load and the other wait;
3. nginx with deploy/nginx/longgang.conf.template (cookie affinity, WebSocket upgrade),
   workers as ``www-data`` (or ``nobody``) when run as root; nginx is installed with apt when
   it is missing and the script runs as root (``--no-install`` forbids that).

Then it checks, through nginx only: the health endpoint answers from each replica; a browser
without the affinity cookie gets one and stays on its replica; and headless Chromium, in two
contexts whose affinity cookies map to different replicas, renders the overview page (its
title and KPI cards, which arrive over the WebSocket) with every response from the expected
replica, a WebSocket upgrade (101) to each replica in nginx's log, no error on the page, and
no request to any non-loopback host (all are aborted and counted). Last, it stops replica 1 and
checks that its browsers' requests reach replica 2 instead (skipped with ``--keep``). The last line printed is
``summary: {json}``; the exit status is 0 only if both replicas served a rendered page.

Everything is stopped and the folder removed at the end, on failure, on Ctrl-C and on SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookies
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "nginx" / "longgang.conf.template"
STREAMLIT_ENV = DEPLOY / "streamlit.env"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pg_server import PgNotFound, PgServer, PgStartError  # noqa: E402

from bench.browser_support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    REPORT_POLICY_VIOLATIONS_JS,
    anonymous_view_problems,
    install_offline_guard,
    wait_until_done,
)

AFFINITY_COOKIE = "lg_affinity"
#: the security headers nginx must send on every answer (the template's add_header ... always)
SECURITY_HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")
#: what the overview page shows once its script has run over the WebSocket
OVERVIEW_TITLE = "总览"
WORKER_USERS = ("www-data", "nobody")


class StackError(RuntimeError):
    """The stack could not be started or did not serve as it should."""


def log(message: str) -> None:
    print(f"[run_local {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of deploy/streamlit.env (the subset docker compose's env_file reads alike)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill the ${LONGGANG_...} placeholders (as the nginx image's envsubst does), nothing else."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    left = re.findall(r"\$\{LONGGANG_\w+\}", template)
    if left:
        raise StackError(f"unfilled placeholders in {TEMPLATE.name}: {sorted(set(left))}")
    return template


# --- nginx ---------------------------------------------------------------------------------------


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def install_nginx() -> str:
    """apt-get install nginx, without letting the package start its own server on port 80."""
    log("nginx not found: installing it with apt-get (root)")
    policy = Path("/usr/sbin/policy-rc.d")
    added_policy = not policy.exists()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        if added_policy:  # "101: action forbidden": no service start in a container
            policy.write_text("#!/bin/sh\nexit 101\n")
            policy.chmod(0o755)
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
    except subprocess.CalledProcessError as exc:
        raise StackError(f"could not install nginx: {exc}") from None
    finally:
        if added_policy:
            policy.unlink(missing_ok=True)
    found = find_nginx()
    if not found:
        raise StackError("nginx installed but not found on PATH")
    return found


def worker_user() -> pwd.struct_passwd | None:
    """The unprivileged user nginx's workers run as when the master runs as root."""
    if os.geteuid() != 0:
        return None
    for name in WORKER_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise StackError(f"running as root, nginx workers need one of the users {WORKER_USERS}")


def nginx_main_conf(folder: Path, site_conf: Path, user: pwd.struct_passwd | None) -> str:
    """The outer nginx.conf for a private, foreground nginx: everything under ``folder``."""
    temp = folder / "temp"
    lines = [
        "# generated by deploy/run_local.py",
        f"user {user.pw_name};" if user else "",
        "daemon off;",
        "worker_processes 1;",
        f"pid {folder / 'nginx.pid'};",
        f"error_log {folder / 'error.log'} warn;",
        "events { worker_connections 512; }",
        "http {",
        "    default_type application/octet-stream;",
        "    sendfile on;",
        "    keepalive_timeout 65;",
        *(f"    {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
        f"    include {site_conf};",
        "}",
    ]
    return "\n".join(line for line in lines if line) + "\n"


# --- processes -----------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path
    log_file: object = field(repr=False, default=None)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.alive():
            try:
                os.killpg(self.popen.pid, sig)
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
            except ProcessLookupError:
                pass
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None


def spawn(name: str, cmd: list[str], log_path: Path, env: dict[str, str] | None = None) -> Process:
    log_file = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed by Process.stop
    popen = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
    return Process(name, popen, log_path, log_file)


def http_get(url: str, cookie: str | None = None, timeout: float = 5) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive; ``get_all`` for repeated ones) and body of a GET."""
    request = urllib.request.Request(url, headers={"Cookie": f"{AFFINITY_COOKIE}={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, b""


def affinity_cookie_set(headers: Message) -> str | None:
    """The value of the affinity cookie nginx sets in this response, if it sets one."""
    for header in headers.get_all("Set-Cookie") or []:
        cookie = http.cookies.SimpleCookie(header)
        if AFFINITY_COOKIE in cookie:
            return cookie[AFFINITY_COOKIE].value
    return None


def wait_until(what: str, check, deadline: float, processes: list[Process]) -> None:
    while True:
        for process in processes:
            if not process.alive():
                raise StackError(f"{process.name} exited with {process.popen.returncode}:\n{process.log_tail()}")
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise StackError(f"timed out waiting for {what}")
        time.sleep(0.25)


# --- the stack -----------------------------------------------------------------------------------


class Stack:
    """PostgreSQL, two replicas and nginx in one temporary folder; ``stop()`` undoes everything."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="longgang-stack-"))
        self.folder.chmod(0o755)  # the postgres user and nginx's workers must reach their subfolders
        self.pg: PgServer | None = None
        self.database_url = ""
        self.replicas: list[Process] = []
        self.replica_addrs: list[str] = []
        self.nginx: Process | None = None
        self.nginx_port = 0
        self.timings: dict[str, float] = {}
        self.t0 = time.monotonic()

    @property
    def users_file(self) -> Path:
        return self.args.users_file.resolve() if self.args.users_file else self.folder / "users.toml"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def mark(self, name: str) -> None:
        self.timings[name] = round(time.monotonic() - self.t0, 2)

    def start(self) -> None:
        deadline = time.monotonic() + self.args.timeout
        nginx_bin = find_nginx()
        if nginx_bin is None:
            if os.geteuid() != 0 or self.args.no_install:
                raise StackError("nginx is not installed (apt-get install nginx)")
            nginx_bin = install_nginx()
            self.t0 = time.monotonic()  # the install is not part of the start-up time

        log("starting PostgreSQL")
        self.pg = PgServer(base_dir=self.folder)
        self.pg.start()
        self.database_url = self.pg.create_database("longgang")
        self.mark("postgresql_ready_s")

        log("starting two replicas (streamlit run serve.py) at once")
        env = {**os.environ, **read_env_file(STREAMLIT_ENV)}
        env.update({
            "DATABASE_URL": self.database_url,
            # the same on every replica (Streamlit signs cookies with it)
            "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
            # the open demo unless a users file is given: a login form would hide the page (the
            # anonymous check writes this file later: the replicas read it at every run)
            "LONGGANG_USERS_FILE": str(self.users_file),
        })
        for index in (1, 2):
            port = free_port()
            data_dir = self.folder / f"replica{index}-data"  # unused with DATABASE_URL; never the repo's data/
            data_dir.mkdir()
            replica_env = {**env, "LONGGANG_DATA_DIR": str(data_dir)}
            cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
                   "--server.address", "127.0.0.1"]
            self.replicas.append(spawn(f"replica{index}", cmd, self.folder / f"replica{index}.log", replica_env))
            self.replica_addrs.append(f"127.0.0.1:{port}")

        log("starting nginx")
        nginx_dir = self.folder / "nginx"
        for sub in ("", "temp"):
            (nginx_dir / sub).mkdir(exist_ok=True)
        user = worker_user()
        if user is not None:
            os.chown(nginx_dir / "temp", user.pw_uid, user.pw_gid)
        self.nginx_port = free_port()
        site = nginx_dir / "longgang.conf"
        site.write_text(render_template(TEMPLATE.read_text(encoding="utf-8"), {
            "LONGGANG_LISTEN": f"127.0.0.1:{self.nginx_port}",
            "LONGGANG_REPLICA_1": self.replica_addrs[0],
            "LONGGANG_REPLICA_2": self.replica_addrs[1],
            "LONGGANG_ACCESS_LOG": str(nginx_dir / "access.log"),
        }))
        main_conf = nginx_dir / "nginx.conf"
        main_conf.write_text(nginx_main_conf(nginx_dir, site, user))
        nginx_cmd = [nginx_bin, "-p", str(nginx_dir), "-e", str(nginx_dir / "error.log"), "-c", str(main_conf)]
        checked = subprocess.run([*nginx_cmd, "-t", "-q"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise StackError(f"nginx -t failed:\n{checked.stdout}{checked.stderr}")
        self.nginx = spawn("nginx", nginx_cmd, nginx_dir / "stdout.log")

        everything = [*self.replicas, self.nginx]
        for process, addr in zip(self.replicas, self.replica_addrs, strict=True):
            wait_until(f"{process.name} health", lambda a=addr: http_get(f"http://{a}/_stcore/health")[0] == 200,
                       deadline, everything)
        self.mark("replicas_healthy_s")
        wait_until("nginx", lambda: http_get(f"{self.base_url}/_stcore/health")[0] == 200, deadline, everything)
        self.mark("nginx_healthy_s")

    def affinity_keys(self) -> dict[str, str]:
        """One affinity cookie value per replica: random keys, sorted by where nginx sends them."""
        keys: dict[str, str] = {}
        for _ in range(200):
            key = secrets.token_hex(16)
            status, headers, _body = http_get(f"{self.base_url}/_stcore/health", cookie=key)
            upstream = headers.get("x-upstream", "")
            if status == 200 and upstream not in keys:
                keys[upstream] = key
            if len(keys) == len(self.replica_addrs):
                break
        if sorted(keys) != sorted(self.replica_addrs):
            raise StackError(f"health through nginx reached {sorted(keys)}, expected {self.replica_addrs}")
        return keys

    def cookie_affinity_check(self) -> dict:
        """A first visit gets a cookie; with it, every later request goes to the same replica."""
        status, headers, _ = http_get(f"{self.base_url}/")
        key, first = affinity_cookie_set(headers), headers.get("x-upstream")
        if status != 200 or not key:
            raise StackError(f"first page through nginx: status {status}, no {AFFINITY_COOKIE} cookie set")
        later = [http_get(f"{self.base_url}/_stcore/health", cookie=key)[1] for _ in range(5)]
        same = all(h.get("x-upstream") == first for h in later)
        resets = [h for h in later if affinity_cookie_set(h)]
        if not same or resets:
            raise StackError(f"affinity broken: first {first}, later {[h.get('x-upstream') for h in later]}")
        return {"first_replica": first, "requests_on_same_replica": len(later)}

    def failover_check(self, keys: dict[str, str]) -> dict:
        """Stop replica 1: its browsers' requests must reach replica 2 (a new session there), not fail."""
        gone, other = self.replica_addrs
        self.replicas[0].stop()
        answers = [http_get(f"{self.base_url}/_stcore/health", cookie=keys[gone]) for _ in range(3)]
        upstreams = [headers.get("x-upstream", "") for _status, headers, _body in answers]
        ok = all(status == 200 for status, _h, _b in answers) and all(u.endswith(other) for u in upstreams)
        return {"stopped": gone, "statuses": [a[0] for a in answers], "x_upstream": upstreams, "ok": ok}

    def security_headers_check(self, keys: dict[str, str]) -> dict:
        """Every answer through nginx (page, static file, health, a missing file) carries the security
        headers, from each replica; the names of any missing, per address."""
        missing = {}
        for key in keys.values():
            for path in ("/", "/_stcore/health", "/favicon.png", "/no-such-file"):
                _status, headers, _body = http_get(f"{self.base_url}{path}", cookie=key)
                absent = [name for name in SECURITY_HEADERS if not headers.get(name)]
                if absent:
                    missing[f"{headers.get('x-upstream', '?')} {path}"] = absent
        _status, headers, _body = http_get(f"{self.base_url}/")
        return {"missing": missing, "content_security_policy": headers.get("content-security-policy", "")}

    def http_latency_ms(self, keys: dict[str, str], rounds: int = 15) -> dict[str, float]:
        """Median time of a GET of the page's HTML, straight from a replica and through nginx."""
        def median_ms(url: str, cookie: str | None = None) -> float:
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                http_get(url, cookie=cookie)
                times.append((time.perf_counter() - started) * 1000)
            return round(sorted(times)[len(times) // 2], 1)

        addr, key = sorted(keys.items())[0]
        return {"direct": median_ms(f"http://{addr}/"), "through_nginx": median_ms(f"{self.base_url}/", key)}

    def stop(self) -> None:
        for process in [self.nginx, *reversed(self.replicas)]:
            if process is not None:
                process.stop()
        if self.pg is not None:
            self.pg.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def websocket_upgrades(self) -> dict[str, int]:
        """WebSocket upgrades (status 101 on /_stcore/stream) per replica, from nginx's access log."""
        counts = {addr: 0 for addr in self.replica_addrs}
        log_text = (self.folder / "nginx" / "access.log").read_text(errors="replace")
        for match in re.finditer(r'"GET /_stcore/stream HTTP/1\.1" 101 \d+ upstream=(\S+)', log_text):
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
        return counts

    def nginx_errors(self) -> list[str]:
        """Lines of nginx's error log at level error or worse (warnings are left out)."""
        log_text = (self.folder / "nginx" / "error.log").read_text(errors="replace")
        return [line for line in log_text.splitlines() if re.search(r"\[(error|crit|alert|emerg)\]", line)][-10:]

    def rows_loaded(self) -> dict:
        """What the replicas loaded into the empty database: once, not twice."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.pg.port, user="postgres", dbname="longgang") as conn:
            try:
                requests_rows = conn.execute("SELECT count(*) FROM requests").fetchone()[0]
                loaded = conn.execute("SELECT count(*) FROM dataset_info WHERE key = 'loaded_at'").fetchone()[0]
            except psycopg.errors.UndefinedTable:  # no session has run yet (--no-browser): nothing loaded
                return {"requests": 0, "loaded_at_rows": 0}
        return {"requests": requests_rows, "loaded_at_rows": loaded}


# --- the browser -------------------------------------------------------------------------------------

RENDERED_JS = """(title) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const failed = document.querySelector('[data-testid="stException"], [data-testid="stAlertContentError"]');
    if (failed) return 'error';
    const titled = [...document.querySelectorAll('h1')].some(h => h.innerText.includes(title));
    const kpis = document.querySelectorAll('[data-testid="stMetric"]').length;
    if (app && titled && kpis > 0 && app.getAttribute('data-test-script-state') === 'notRunning') return 'rendered';
    return '';
}"""


def _open_pages(browser, stack: Stack, keys: dict[str, str]) -> list[tuple]:
    """One fresh browser context per replica, holding that replica's affinity cookie."""
    pages = []
    for upstream, key in sorted(keys.items()):
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        context.add_cookies([{"name": AFFINITY_COOKIE, "value": key, "url": stack.base_url}])
        record = {"replica": upstream, "external_requests": [], "upstreams": set(), "responses": 0,
                  "websockets": [], "status": "", "policy_violations": []}

        def on_response(response, record=record):
            if response.url.startswith(stack.base_url):
                record["responses"] += 1
                record["upstreams"].add(response.headers.get("x-upstream", "?"))

        install_offline_guard(context, record["external_requests"])
        context.add_init_script(REPORT_POLICY_VIOLATIONS_JS)
        page = context.new_page()
        page.on("response", on_response)
        page.on("websocket", lambda ws, record=record: record["websockets"].append(ws.url))
        page.on("console", lambda message, record=record: record["policy_violations"].append(message.text)
                if "Content Security Policy" in message.text else None)
        page.on("pageerror", lambda error, record=record: record["policy_violations"].append(str(error))
                if "Content Security" in str(error) else None)
        pages.append((page, record))
    return pages


def _load_all(stack: Stack, pages: list[tuple], timeout: float) -> None:
    """Open the overview page in every context at once and wait until each has rendered (or failed)."""
    started = time.monotonic()
    for page, _record in pages:  # the sessions run at once: on an empty database the advisory lock decides
        page.goto(f"{stack.base_url}/", wait_until="commit", timeout=timeout * 1000)
    deadline = started + timeout
    while any(not record["status"] for _page, record in pages):
        for page, record in pages:
            if not record["status"]:
                state = page.evaluate(RENDERED_JS, OVERVIEW_TITLE)
                if state:
                    record["status"] = state
                    record["rendered_s"] = round(time.monotonic() - started, 2)
        if time.monotonic() > deadline:
            for _page, record in pages:
                record["status"] = record["status"] or "timeout"
        time.sleep(0.2)


def browse_each_replica(stack: Stack, keys: dict[str, str], shots: Path | None) -> list[dict]:
    """The overview page through nginx from each replica: a first (cold) visit, then a second one.

    The first visits start the replicas' first sessions together (on an empty database they load
    the sample data, one under the advisory lock); the second visits, in fresh contexts, time a
    page on a running stack. Both must render from the expected replica.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.mark("browser_ready_s")
        try:
            for visit in ("first", "second"):
                pages = _open_pages(browser, stack, keys)
                _load_all(stack, pages, stack.args.timeout)
                stack.mark(f"{visit}_pages_rendered_s")
                for index, (page, record) in enumerate(pages, start=1):
                    record["visit"] = visit
                    record["title"] = page.title()
                    record["connection_state"] = page.locator('[data-testid="stApp"]').get_attribute(
                        "data-test-connection-state")
                    if shots and visit == "first":
                        if record["status"] == "rendered":  # charts draw after the script ends: not a condition
                            with contextlib.suppress(PlaywrightTimeout):
                                page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=15_000)
                        shots.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(shots / f"replica{index}.png"))
                    page.context.close()
                    # a copy: responses still arriving add to the live record's set, never to a list
                    results.append({**record, "upstreams": sorted(record["upstreams"])})
        finally:
            browser.close()
    return results


#: addresses an anonymous visitor tries on each replica: the import, the show with data, a page file
ANONYMOUS_FORMS = ("/data", "/data_page", "/show_page?show=default&slide=2", "/map_page/")


def anonymous_check(stack: Stack, keys: dict[str, str]) -> dict:
    """With a users file in place from now on, every address in ANONYMOUS_FORMS through nginx on each
    replica shows a visitor who has not logged in nothing but the login form."""
    from playwright.sync_api import sync_playwright

    from components.i18n import text
    from data_access import auth

    auth.add_user("checker", "district", auth.random_password(), path=stack.users_file)
    problems, checked = [], 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for page, record in _open_pages(browser, stack, keys):
                for form in ANONYMOUS_FORMS:
                    page.goto(stack.base_url + form, timeout=stack.args.timeout * 1000)
                    wait_until_done(page, stack.args.timeout * 1000)
                    found = anonymous_view_problems(page, text("login.title"))
                    checked += 1
                    problems += [f"{record['replica']} {form}: {problem}" for problem in found]
                if record["upstreams"] != {record["replica"]}:
                    problems.append(f"{record['replica']}: anonymous pages came from {sorted(record['upstreams'])}")
                page.context.close()
        finally:
            browser.close()
    return {"checked": checked, "problems": problems}


LOCKOUT_USER = "lockcheck"


def _try_login(page, stack: Stack, name: str, password: str) -> str:
    """One login through the form in a new session (a fresh load of ``/``): ``"in"`` when the overview
    shows, else the error the form shows."""
    from components.i18n import text

    timeout_ms = stack.args.timeout * 1000
    page.goto(f"{stack.base_url}/", timeout=timeout_ms)
    wait_until_done(page, timeout_ms)
    page.get_by_label(text("login.user")).fill(name)
    page.get_by_label(text("login.password")).fill(password)
    page.get_by_role("button", name=text("login.submit")).click()
    answer = page.locator('[data-testid="stMetric"], [data-testid="stAlertContentError"]').first
    answer.wait_for(timeout=timeout_ms)
    if page.locator('[data-testid="stMetric"]').count():
        return "in"
    return page.locator('[data-testid="stAlertContentError"]').first.inner_text().strip()


def lockout_check(stack: Stack, keys: dict[str, str]) -> dict:
    """Failed logins through replica A lock the account for replica B (the count is in PostgreSQL, not in
    a session), until the account is unlocked on the command line. Each try is a new session."""
    from playwright.sync_api import sync_playwright

    from components.i18n import text
    from data_access import auth, login_attempts

    password = auth.random_password()
    auth.add_user(LOCKOUT_USER, "presenter", password, path=stack.users_file)
    limit = login_attempts.Policy.from_env().max_failures
    result: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            (page_a, record_a), (page_b, record_b) = _open_pages(browser, stack, keys)
            result["replica_a"], result["replica_b"] = record_a["replica"], record_b["replica"]
            result["a_wrong_password"] = [_try_login(page_a, stack, LOCKOUT_USER, password + "x")
                                          for _ in range(limit)]
            result["b_right_password"] = _try_login(page_b, stack, LOCKOUT_USER, password)
            unlocked = subprocess.run(
                [sys.executable, "-m", "data_access.auth", "unlock", LOCKOUT_USER, "--database-url",
                 stack.database_url], cwd=ROOT, capture_output=True, text=True, timeout=120)
            result["unlock"] = (unlocked.stdout or unlocked.stderr).strip()
            result["b_after_unlock"] = _try_login(page_b, stack, LOCKOUT_USER, password)
            result["upstreams"] = {"a": sorted(record_a["upstreams"]), "b": sorted(record_b["upstreams"])}
            for page in (page_a, page_b):
                page.context.close()
        finally:
            browser.close()
    failed, locked = text("login.failed"), text("login.too_many")
    result["ok"] = (result["a_wrong_password"] == [failed] * (limit - 1) + [locked]
                    and result["b_right_password"] == locked and result["b_after_unlock"] == "in"
                    and result["upstreams"] == {"a": [result["replica_a"]], "b": [result["replica_b"]]})
    return result


# --- main --------------------------------------------------------------------------------------------


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run(args: argparse.Namespace) -> int:
    if not args.no_browser and not Path(CHROMIUM).exists():
        raise StackError(f"{CHROMIUM} is missing (or pass --no-browser)")
    stack = Stack(args)
    summary: dict = {"ok": False, "load_average_at_start": os.getloadavg()[0], "cpus": os.cpu_count()}
    try:
        stack.start()
        log(f"stack up in {stack.timings['nginx_healthy_s']} s: {stack.base_url} -> {stack.replica_addrs}")
        keys = stack.affinity_keys()
        summary["cookie_affinity"] = stack.cookie_affinity_check()
        summary["html_get_median_ms"] = stack.http_latency_ms(keys)
        summary["security_headers"] = stack.security_headers_check(keys)
        problems = [f"security headers missing: {summary['security_headers']['missing']}"
                    ] if summary["security_headers"]["missing"] else []
        if args.no_browser:
            pages = []
            for upstream, key in sorted(keys.items()):
                status, headers, body = http_get(f"{stack.base_url}/", cookie=key)
                pages.append({"replica": upstream, "status": "served" if status == 200 else str(status),
                              "upstreams": [headers.get("x-upstream")], "html_bytes": len(body)})
        else:
            log("loading the overview page through nginx, one browser per replica")
            pages = browse_each_replica(stack, keys, args.screenshots)
            upgrades = stack.websocket_upgrades()
            for record in pages:
                record["websocket_upgrades"] = upgrades.get(record["replica"], 0)  # both visits
                if record["status"] != "rendered":
                    problems.append(f"{record['replica']} ({record['visit']} visit): "
                                    f"page {record['status'] or 'not rendered'}")
                if record["upstreams"] != [record["replica"]]:
                    problems.append(f"{record['replica']}: responses came from {record['upstreams']}")
                if record["websocket_upgrades"] < 2:
                    problems.append(f"{record['replica']}: no WebSocket upgrade in nginx's log")
                if record["external_requests"]:
                    problems.append(f"{record['replica']}: non-loopback requests {record['external_requests'][:5]}")
                if record["policy_violations"]:
                    problems.append(f"{record['replica']}: Content-Security-Policy violations "
                                    f"{record['policy_violations'][:3]}")
        if not args.no_browser and not args.users_file:  # the last browser check: it requires a login
            log("an anonymous visitor through nginx: the login form only")
            summary["anonymous"] = anonymous_check(stack, keys)
            problems += summary["anonymous"]["problems"]
            log("lockout across replicas: failures through one, the right password through the other")
            summary["lockout"] = lockout_check(stack, keys)
            if not summary["lockout"]["ok"]:
                problems.append(f"lockout across replicas: {summary['lockout']}")
        summary["data"] = stack.rows_loaded()
        summary["nginx_errors"] = stack.nginx_errors()  # reported, not a condition
        if not args.keep:  # the last check: it stops replica 1
            summary["failover"] = stack.failover_check(keys)
            if not summary["failover"]["ok"]:
                problems.append(f"failover: {summary['failover']}")
        if summary["data"]["requests"] <= 0 and not args.no_browser:
            problems.append("no requests loaded into PostgreSQL")
        served = {p["replica"] for p in pages if p["status"] in ("rendered", "served")}
        summary.update({
            "ok": not problems and served == set(stack.replica_addrs), "folder": str(stack.folder),
            "nginx": stack.base_url, "replicas": stack.replica_addrs, "served_by": sorted(served),
            "pages": pages, "problems": problems, "timings_s": stack.timings,
        })
        for record in pages:
            log(f"{record['replica']}{' (' + record['visit'] + ' visit)' if 'visit' in record else ''}: "
                f"{record['status']}"
                + (f" in {record.get('rendered_s')} s, WebSocket upgrades {record.get('websocket_upgrades')},"
                   f" responses {record.get('responses')} all from {record['upstreams']},"
                   f" external requests {len(record.get('external_requests', []))}" if not args.no_browser else ""))
        for problem in problems:
            log(f"PROBLEM: {problem}")
        log(f"timings (s since start): {stack.timings}; HTML GET median (ms): {summary['html_get_median_ms']}; "
            f"data: {summary['data']}; failover: {summary.get('failover')}")
        if args.keep:
            log(f"running: open {stack.base_url}/ (PostgreSQL {stack.database_url}); Ctrl-C stops it")
            try:
                while all(p.alive() for p in [*stack.replicas, stack.nginx]):
                    time.sleep(1)
                log("a process exited")
            except KeyboardInterrupt:
                pass
    except (StackError, PgNotFound, PgStartError) as exc:
        summary["problems"] = [str(exc)]
        log(f"FAILED: {exc}")
    except Exception as exc:  # noqa: BLE001 - whatever broke, stop the stack and say what it was
        traceback.print_exc()
        summary["problems"] = [f"{type(exc).__name__}: {exc}"]
        log(f"FAILED: {type(exc).__name__}: {exc}")
    finally:
        log("stopping")
        started = time.monotonic()
        stack.stop()
        summary["stop_s"] = round(time.monotonic() - started, 2)
        print("summary: " + json.dumps(summary, ensure_ascii=False, default=str), flush=True)
    return 0 if summary["ok"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack running until Ctrl-C")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("LONGGANG_STACK_TIMEOUT", "300")),
                        help="seconds to wait for start-up and for each page (default 300)")
    parser.add_argument("--no-install", action="store_true", help="never install nginx with apt")
    parser.add_argument("--no-browser", action="store_true",
                        help="check the HTML through nginx only (no Chromium; the WebSocket is not exercised)")
    parser.add_argument("--screenshots", type=Path, help="save one screenshot per replica in this folder")
    parser.add_argument("--users-file", type=Path,
                        help="users file for the replicas (default: none, the open demo)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)  # the terminal went away
    # Ctrl-C stops the stack even when started from a shell that ignores SIGINT for background jobs
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return run(args)
    except KeyboardInterrupt:
        log("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
