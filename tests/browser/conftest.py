"""Browser-test fixtures: a real ``streamlit run app.py`` server and an offline Chromium page.

``app_server`` starts the app once per session on a free port with its own temporary
``LONGGANG_DATA_DIR`` (so it builds its own SQLite file), waits for ``/_stcore/health``
and stops the server at the end. ``offline_page`` opens a 1920×1080 page in which every
request to a host other than the loopback one is aborted and recorded in
``page.external_requests``, so a test can assert the app never reached the internet.

Without /usr/bin/chromium the browser tests are skipped, except under ``CI=true``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
#: WebGL on ANGLE's SwiftShader (software): deck.gl draws and picks there. With --disable-gpu it
#: draws nothing, so that flag must not be used.
CHROMIUM_ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}
#: the machine may be slow and shared: building the database and the first render take a while
START_TIMEOUT_S = float(os.environ.get("LONGGANG_BROWSER_START_TIMEOUT", "300"))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real Streamlit server running app.py (own data folder, no internet use)."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    env = {**os.environ, "LONGGANG_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    log = open(data_dir / "server.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}: {(data_dir / 'server.log').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy in {START_TIMEOUT_S:.0f}s")
            time.sleep(0.5)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium (the system one), or a skip when it is missing outside CI."""
    if not Path(CHROMIUM).exists():
        if _in_ci():
            pytest.fail(f"{CHROMIUM} is missing (CI=true: browser tests must run)", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def offline_page(chromium):
    """A 1920×1080 page that aborts and records every request to a non-loopback host."""
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.external_requests = []

    def guard(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            page.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.set_default_timeout(START_TIMEOUT_S * 1000)
    try:
        yield page
    finally:
        context.close()
