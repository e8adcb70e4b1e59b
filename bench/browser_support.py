"""What the browser tests, the load script and the browser timing share.

* :func:`app_pages` reads the pages from ``app.py`` (every ``st.Page(...)`` call), so a page
  added there is tested, loaded and timed without touching this code.
* :class:`StreamlitServer` runs ``streamlit run <file>`` on a free loopback port in its own
  process group, waits for ``/_stcore/health`` and can report the resident memory of its
  process tree (``/proc``, no psutil).
* :func:`wait_until_done` (and :func:`wait_until_done_async`) wait in the browser until the
  script run has finished (``stApp``'s ``data-test-script-state`` is ``notRunning``, the
  connection is up), no element is stale and no ``stSkeleton`` (a lazily loaded element
  still loading) remains, for a short settle time; they return how long that took in
  milliseconds, from the navigation start or from :func:`arm_for_rerun` before a click.
* :func:`page_problems` names what is wrong on a page: an exception element, an error
  alert (the app's guard shows one when a page raises), Streamlit's "Page not found" pop-up.
* :func:`install_offline_guard` records every request to a non-loopback host; a browser launched
  with :data:`CHROMIUM_ARGS` lets none of them through.

Playwright is imported lazily, so importing this module costs nothing.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
APP_FILE = ROOT / "app.py"
CHROMIUM = os.environ.get("LONGGANG_CHROMIUM", "/usr/bin/chromium")
#: WebGL on ANGLE's SwiftShader (software): deck.gl draws there. With --disable-gpu it draws nothing.
#: The page itself is composited by Skia on the CPU (--disable-gpu-compositing): compositing every frame
#: through SwiftShader was about a third of a page load's work (docs/performance.md).
#: Offline: every request to a non-loopback host goes to a proxy on a loopback port where nothing listens,
#: and fails (Chromium never sends loopback addresses through a proxy); :func:`install_offline_guard`
#: records them. Not a Playwright route: routing turns the browser's HTTP cache off, and every page
#: load then fetched and compiled Streamlit's scripts again (about twice a cached load's work).
OFFLINE_PROXY = "http://127.0.0.1:1"
CHROMIUM_ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-gpu-compositing",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--proxy-server={OFFLINE_PROXY}"]
LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}
VIEWPORT = {"width": 1920, "height": 1080}
LOCALE = "zh-CN"

#: The scopes the tests, the load and the timing use: the district, a street, one community
#: (布吉街道 and its 龙岭社区, official NBS codes).
BUJI = "440307014"
LONGLING = "440307014003"
DISTRICT_SCOPE: dict[str, str] = {}
STREET_SCOPE = {"street": BUJI}
COMMUNITY_SCOPE = {"community": LONGLING}
SCOPES = {"district": DISTRICT_SCOPE, "community": COMMUNITY_SCOPE}

EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'
SKELETON = '[data-testid="stSkeleton"]'
NAV_LINK = '[data-testid="stSidebarNavLink"]'
NAV_MORE = '[data-testid="stSidebarNavViewButton"]'
DECK_MAP = '[data-testid="stDeckGlJsonChart"]'
PLOTLY_CHART = '[data-testid="stPlotlyChart"]'


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class AppPage:
    """One ``st.Page`` of app.py: its script, its URL path and whether it is the default page."""

    script: str
    url_path: str
    default: bool = False

    @property
    def path(self) -> str:
        """The path to open: the default page lives at ``/`` (``/overview`` shows "Page not found")."""
        return "" if self.default else self.url_path


def app_pages(app_file: Path = APP_FILE) -> list[AppPage]:
    """Every ``st.Page(...)`` in app.py, in order (conditional ones too, e.g. the data page)."""
    pages = []
    calls = sorted((n for n in ast.walk(ast.parse(app_file.read_text(encoding="utf-8")))
                    if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
    for node in calls:
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "Page"):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        script = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        if not isinstance(script, str):
            continue
        url_path = keywords.get("url_path")
        default = keywords.get("default")
        pages.append(AppPage(
            script=script,
            url_path=url_path.value if isinstance(url_path, ast.Constant) else Path(script).stem,
            default=isinstance(default, ast.Constant) and default.value is True,
        ))
    return pages


def page_sections(script: str, root: Path = APP_FILE.parent) -> list[str]:
    """The lazy section ids of a page script (the keys of its ``render_sections({...})`` call), the default
    first; empty for a page without sections."""
    for node in ast.walk(ast.parse((root / script).read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "render_sections"
                and len(node.args) > 1 and isinstance(node.args[1], ast.Dict)):
            return [k.value for k in node.args[1].keys if isinstance(k, ast.Constant)]
    return []


def page_url(base_url: str, page: AppPage | str, params: dict[str, str] | None = None) -> str:
    path = page.path if isinstance(page, AppPage) else page
    query = f"?{urlencode(params)}" if params else ""
    return f"{base_url.rstrip('/')}/{path}{query}"


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def process_tree_rss(pid: int) -> int:
    """Resident memory in bytes of ``pid`` and all its descendants (0 when it is gone)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def listening_pid(port: int) -> int | None:
    """The process listening on a local TCP port (to measure a server someone else started)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """``preexec_fn`` of a server: Linux sends it ``sig`` when the process that started it dies, even
    by SIGKILL (``PR_SET_PDEATHSIG``), so a killed pytest or benchmark leaves no server behind. A
    process that must tear down first asks for SIGTERM for itself instead."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, sig)  # 1 = PR_SET_PDEATHSIG


class StreamlitServer:
    """``streamlit run <script>`` on a free loopback port, in its own process group.

    ``env`` is added to the current environment. Use as a context manager; ``url`` and ``pid``
    are set once it answers on ``/_stcore/health``.
    """

    def __init__(self, script: Path | str = APP_FILE, *, env: dict[str, str] | None = None,
                 drop_env: tuple[str, ...] = (), log_path: Path | None = None, port: int | None = None,
                 start_timeout_s: float = 300):
        self.script, self.env, self.drop_env = Path(script), env or {}, drop_env
        self.log_path, self.port, self.start_timeout_s = log_path, port or free_port(), start_timeout_s
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> StreamlitServer:
        env = {**os.environ, **self.env}
        for name in self.drop_env:
            env.pop(name, None)
        log = open(self.log_path, "w", encoding="utf-8") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=die_with_parent,
        )
        if log is not subprocess.DEVNULL:
            log.close()  # the child keeps its own handle
        deadline = time.monotonic() + self.start_timeout_s
        while not healthy(self.url):
            if self.process.poll() is not None:
                detail = self.log_path.read_text() if self.log_path else ""
                raise RuntimeError(f"streamlit exited with {self.process.returncode}: {detail}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit did not become healthy in {self.start_timeout_s:.0f}s")
            time.sleep(0.5)
        return self

    def rss(self) -> int:
        return process_tree_rss(self.pid) if self.process and self.process.poll() is None else 0

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def dashboard_server(data_dir: Path | None = None, log_path: Path | None = None) -> Iterator[StreamlitServer]:
    """``streamlit run app.py`` as an open demo. ``DATABASE_URL`` and ``LONGGANG_DATA_DIR`` pass through;
    with neither set, it builds the seed SQLite database in a temporary folder (never in ``data/``)."""
    with contextlib.ExitStack() as stack:
        env = {}
        if data_dir is not None:
            env["LONGGANG_DATA_DIR"] = str(data_dir)
        elif not os.environ.get("DATABASE_URL") and not os.environ.get("LONGGANG_DATA_DIR"):
            env["LONGGANG_DATA_DIR"] = stack.enter_context(tempfile.TemporaryDirectory(prefix="lg-bench-"))
        folder = Path(env.get("LONGGANG_DATA_DIR") or tempfile.gettempdir())
        env.setdefault("LONGGANG_USERS_FILE", str(folder / "no-users.toml"))  # the open demo
        yield stack.enter_context(StreamlitServer(APP_FILE, env=env, log_path=log_path))


# ---------------------------------------------------------------- in the browser

#: Arm before a click that reruns the script: "done" then also needs a run the server finished after
#: the click (:func:`arm_for_rerun` sets ``__lgSeenRun`` once Streamlit's own messages report one), so a
#: quick rerun that never shows 'running' in the DOM counts as well as a slow one, whatever it changes.
ARM_JS = """() => {
  window.__lgArmedAt = performance.now();
  window.__lgSeenRun = false;
  window.__lgDoneSince = null;
}"""

#: Truthy (ms since the navigation start or the arm) once the run has finished and nothing is
#: loading, and has stayed so for ``settle`` ms: a rerun or a lazily loaded element resets it.
DONE_JS = """(settle) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const done = !!app && window.__lgSeenRun !== false
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]');
  const now = performance.now();
  if (!done) { window.__lgDoneSince = null; return false; }
  if (window.__lgDoneSince == null) window.__lgDoneSince = now;
  if (now - window.__lgDoneSince < settle) return false;
  return Math.max(1, window.__lgDoneSince - (window.__lgArmedAt || 0));
}"""

#: What is wrong on the page, as short strings (empty when all is well).
PROBLEMS_JS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stException"]'))
    out.push('exception: ' + e.innerText.slice(0, 2000));
  for (const e of document.querySelectorAll('[data-testid="stAlertContentError"]'))
    out.push('error alert: ' + e.innerText.slice(0, 500));
  for (const e of document.querySelectorAll('[role="dialog"]'))
    if (/Page not found/i.test(e.innerText)) out.push('dialog: ' + e.innerText.slice(0, 300));
  return out;
}"""

SETTLE_MS = 250

#: What a visitor who has not logged in is shown, beyond the login form: any element below, or
#: any trace of the server (a traceback, a file path), is a leak.
ANONYMOUS_JS = r"""() => {
  const leaks = {metric: '[data-testid="stMetric"]', upload: 'input[type="file"]',
    chart: '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]',
    table: '[data-testid="stDataFrame"], [data-testid="stTable"]', editor: 'textarea',
    navigation: '[data-testid="stSidebarNav"]', exception: '[data-testid="stException"]'};
  const found = Object.entries(leaks).filter(([, css]) => document.querySelector(css)).map(([name]) => name);
  const text = document.body.innerText;
  const headings = [...document.querySelectorAll('[data-testid="stMain"] h1')].map(h => h.innerText.trim());
  return {found, headings, password: !!document.querySelector('input[type="password"]'),
          trace: /Traceback|File "|site-packages|\.py\b/.test(text) ? text.slice(0, 500) : ''};
}"""


#: Why a page is not done yet, for the message of a timeout.
STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {script: app && app.getAttribute('data-test-script-state'),
          connection: app && app.getAttribute('data-test-connection-state'),
          seenRun: window.__lgSeenRun, skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
          stale: document.querySelectorAll('[data-stale="true"]').length, url: location.href};
}"""


class PageNotDone(TimeoutError):
    """A page did not finish in time; the message says in what state it was."""


#: the ends of a script run as Streamlit reports them (a run cut short for a rerun is not an end)
_RUN_ENDS = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
             ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


def track_script_runs(page) -> None:
    """Count the script runs the server finishes for this page (sync or async Playwright, before its
    first navigation), from Streamlit's own ``script_finished`` messages on the WebSocket: after
    :func:`arm_for_rerun`, "a run was seen" is then a fact from the server for any kind of rerun (a
    page switch, a tab, an expander, a form), not a DOM state that a quick rerun may never show."""
    page.lg_runs, page.lg_armed_runs = 0, None

    def on_websocket(websocket):
        def on_frame(payload):
            if isinstance(payload, bytes | bytearray):
                message = ForwardMsg.FromString(bytes(payload))
                if message.WhichOneof("type") == "script_finished" and message.script_finished in _RUN_ENDS:
                    page.lg_runs += 1

        websocket.on("framereceived", on_frame)

    def on_request(request):
        # A page load (goto, reload, a redirect such as the login's /session/start): its app must finish
        # a run before it is done, as after an arm; downloads (/media/) and Streamlit's own files do not.
        path = urlsplit(request.url).path
        if (request.resource_type == "document" and request.frame == page.main_frame
                and not path.startswith(("/media/", "/_stcore/"))):
            page.lg_armed_runs = page.lg_runs

    page.on("websocket", on_websocket)
    page.on("request", on_request)


def _run_finished_since_arm(page) -> bool:
    """With :func:`track_script_runs`: the server has finished a run since the arm (or none was armed)."""
    armed = getattr(page, "lg_armed_runs", None)
    if armed is None:
        return True
    if page.lg_runs <= armed:
        return False
    page.lg_armed_runs = None
    return True


def _not_done(kind: str, timeout_ms: float, state: dict) -> PageNotDone:
    return PageNotDone(f"{kind} after {timeout_ms / 1000:.0f} s: {state}")


def wait_until_done(page, timeout_ms: float = 120_000, settle_ms: int = SETTLE_MS) -> float:
    """Wait (sync Playwright) until the script finished and nothing loads; the time it took in ms. A
    navigation while waiting (a redirect, a meta refresh) starts the wait over on the new page."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        while not _run_finished_since_arm(page):
            if time.monotonic() > deadline:
                raise _not_done("no script run finished since the arm", timeout_ms, page.evaluate(STATE_JS))
            page.wait_for_timeout(50)  # lets Playwright deliver the WebSocket frames
        left_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        try:
            page.evaluate("() => { window.__lgSeenRun = true; }")
            return float(page.wait_for_function(DONE_JS, arg=settle_ms, timeout=left_ms, polling=50).json_value())
        except Exception as error:
            if _navigated(error) and time.monotonic() < deadline:
                continue
            if "Timeout" not in type(error).__name__:
                raise
            raise _not_done("not done", timeout_ms, page.evaluate(STATE_JS)) from None


def _navigated(error: Exception) -> bool:
    """Whether a page call failed because the page navigated away meanwhile."""
    return "context was destroyed" in str(error) or "navigat" in str(error).lower()


async def wait_until_done_async(page, timeout_ms: float = 120_000, settle_ms: int = SETTLE_MS) -> float:
    """:func:`wait_until_done` for async Playwright."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        while not _run_finished_since_arm(page):
            if time.monotonic() > deadline:
                raise _not_done("no script run finished since the arm", timeout_ms, await page.evaluate(STATE_JS))
            await page.wait_for_timeout(50)
        left_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        try:
            await page.evaluate("() => { window.__lgSeenRun = true; }")
            handle = await page.wait_for_function(DONE_JS, arg=settle_ms, timeout=left_ms, polling=50)
            return float(await handle.json_value())
        except Exception as error:
            if _navigated(error) and time.monotonic() < deadline:
                continue
            if "Timeout" not in type(error).__name__:
                raise
            raise _not_done("not done", timeout_ms, await page.evaluate(STATE_JS)) from None


def _arm_count(page) -> None:
    if not hasattr(page, "lg_runs"):
        raise RuntimeError("arm_for_rerun needs track_script_runs(page) before the page's first navigation")
    page.lg_armed_runs = page.lg_runs


def arm_for_rerun(page) -> None:
    """Before a click that reruns (sync Playwright, a page with :func:`track_script_runs`): "done" then
    needs a run the server finished after the arm."""
    _arm_count(page)
    page.evaluate(ARM_JS)


async def arm_for_rerun_async(page) -> None:
    """:func:`arm_for_rerun` for async Playwright."""
    _arm_count(page)
    await page.evaluate(ARM_JS)


def guarded_page(browser, timeout_ms: float, viewport: dict | None = None):
    """A new page (sync Playwright, in its own context) as the browser tests use it: offline (requests to
    other hosts aborted, kept in ``page.external_requests``), under the deployment's Content-Security-Policy
    (what it refuses kept in ``page.policy_violations``), its script runs counted (:func:`track_script_runs`).
    Close it with ``page.context.close()``."""
    context = browser.new_context(viewport=viewport or VIEWPORT, locale=LOCALE)
    page = context.new_page()
    page.external_requests, page.policy_violations = [], []
    install_offline_guard(context, page.external_requests)
    install_deploy_policy(page, page.policy_violations)
    track_script_runs(page)
    page.set_default_timeout(timeout_ms)
    return page


def page_problems(page) -> list[str]:
    return list(page.evaluate(PROBLEMS_JS))


async def page_problems_async(page) -> list[str]:
    return list(await page.evaluate(PROBLEMS_JS))


def anonymous_view_problems(page, login_title: str | None) -> list[str]:
    """What a page shows to a visitor who has not logged in, beyond the login form (empty: nothing).
    ``login_title`` None: the app did not start at this address, so no login form is expected either."""
    view = page.evaluate(ANONYMOUS_JS)
    problems = [f"shows {name}" for name in view["found"]]
    if login_title is not None and (not view["password"] or view["headings"] != [login_title]):
        problems.append(f"not the login form: headings {view['headings']}")
    if view["trace"]:
        problems.append(f"server details in the page: {view['trace']!r}")
    return problems


def _is_external(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return False
    return (urlsplit(url).hostname or "") not in LOOPBACK


def install_offline_guard(context, sink: list[str]) -> None:
    """Record in ``sink`` every request of ``context`` (sync or async Playwright) to a non-loopback host.
    The browser's :data:`OFFLINE_PROXY` (in :data:`CHROMIUM_ARGS`) makes each of them fail."""
    context.on("request", lambda request: sink.append(request.url) if _is_external(request.url) else None)


def deploy_content_security_policy() -> str:
    """The Content-Security-Policy that deploy/nginx's template sends on every answer."""
    import re

    template = (ROOT / "deploy" / "nginx" / "longgang.conf.template").read_text(encoding="utf-8")
    return re.search(r'add_header Content-Security-Policy "([^"]+)" always;', template).group(1)


#: logs every Content-Security-Policy violation the page reports (securitypolicyviolation events cover
#: what no console message names, e.g. a refused WebAssembly compile inside a try/catch)
REPORT_POLICY_VIOLATIONS_JS = """document.addEventListener('securitypolicyviolation', e => console.error(
  'Content Security Policy violation: ' + e.effectiveDirective + ' ' + e.blockedURI + ' at ' +
  (e.sourceFile || '') + ':' + e.lineNumber));"""
#: Chromium flags for a browser whose pages get the policy from :func:`install_deploy_policy`: a document
#: fulfilled through the DevTools protocol comes from no address, so Chromium's Local Network Access checks
#: treat it as public and refuse its WebSocket to 127.0.0.1 (net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS:
#: the page pings forever). Behind nginx the document comes from the server itself and nothing is refused.
POLICY_CHROMIUM_ARGS = ["--disable-features=LocalNetworkAccessChecks"]
#: what no longer describes a document whose body passes decoded
_UNPASSED_HEADERS = {"content-security-policy", "content-encoding", "content-length"}


def install_deploy_policy(page, violations: list[str]) -> None:
    """Serve every document ``page`` loads with the deployment's Content-Security-Policy, as nginx does,
    and record in ``violations`` what the browser refuses under it: the policy must let every page run.
    Through the DevTools protocol's Fetch domain, documents only: a Playwright route would intercept
    every request and turn the HTTP cache off. (Chromium applies no policy added by Fetch.continueResponse,
    so the document is fulfilled with its own body.) A redirect passes as it came, with its Set-Cookie
    (nginx's policy on it would change nothing).
    The browser needs :data:`POLICY_CHROMIUM_ARGS`."""
    policy = deploy_content_security_policy()
    session = page.context.new_cdp_session(page)

    def with_policy(event):
        request_id, status = event["requestId"], event.get("responseStatusCode", 0)
        headers = [h for h in event.get("responseHeaders", []) if h["name"].lower() not in _UNPASSED_HEADERS]
        try:
            if 300 <= status < 400:  # a redirect has no body to fulfil with: it passes unchanged
                session.send("Fetch.continueRequest", {"requestId": request_id})
                return
            body = session.send("Fetch.getResponseBody", {"requestId": request_id})
            data = body["body"] if body["base64Encoded"] else base64.b64encode(body["body"].encode()).decode()
            session.send("Fetch.fulfillRequest", {
                "requestId": request_id, "responseCode": status, "body": data,
                "responseHeaders": [*headers, {"name": "Content-Security-Policy", "value": policy}]})
        except Exception:  # the page closed or navigated while its document was paused
            with contextlib.suppress(Exception):
                session.send("Fetch.continueRequest", {"requestId": request_id})

    session.on("Fetch.requestPaused", with_policy)
    session.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "resourceType": "Document",
                                                "requestStage": "Response"}]})
    page.add_init_script(REPORT_POLICY_VIOLATIONS_JS)
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: violations.append(str(error)) if "Content Security" in str(error) else None)


def _nav_selector(page_url_now: str, target: AppPage) -> str:
    """The sidebar link to ``target``: the default page's link is the root URL, not its url_path."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page_url_now))
    return f'{NAV_LINK}[href="{origin}/{target.path}"], {NAV_LINK}[href="/{target.path}"]'


def nav_link(page, target: AppPage):
    """The sidebar link to a page (sync), expanding "View more" when the list is folded."""
    link = page.locator(_nav_selector(page.url, target)).first
    if not link.is_visible() and page.locator(NAV_MORE).count():
        page.locator(NAV_MORE).first.click()
    return link


async def nav_link_async(page, target: AppPage):
    link = page.locator(_nav_selector(page.url, target)).first
    if not await link.is_visible() and await page.locator(NAV_MORE).count():
        await page.locator(NAV_MORE).first.click()
    return link
