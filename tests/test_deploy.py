"""The two-replica deployment: deploy/run_local.py starts PostgreSQL, two replicas and nginx on
loopback, renders the overview page through nginx from each replica in Chromium, and stops.

The stack test needs nginx, PostgreSQL's server binaries and /usr/bin/chromium; without them it
is skipped, except under ``CI=true``, where it fails (scripts/test.sh installs all three as root).
The configuration tests run anywhere: they keep the nginx template, docker-compose.yml and
deploy/streamlit.env consistent with each other.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pg_server import NOT_FOUND_REASON, find_pg_bin_dir

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
sys.path.insert(0, str(DEPLOY))

import run_local  # noqa: E402

#: start-up, two cold and two warm page loads on a slow shared machine, and the stop
STACK_TIMEOUT_S = 1200


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _missing() -> list[str]:
    missing = []
    if run_local.find_nginx() is None:
        missing.append("nginx is not installed (apt-get install nginx)")
    if find_pg_bin_dir() is None:
        missing.append(NOT_FOUND_REASON)
    if not Path(run_local.CHROMIUM).exists():
        missing.append(f"{run_local.CHROMIUM} is missing")
    return missing


def _closed(addr: str) -> bool:
    host, port = addr.rsplit(":", 1)
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((host, int(port))) != 0


def test_two_replicas_serve_rendered_pages_through_nginx():
    missing = _missing()
    if missing:
        if _in_ci():
            pytest.fail("; ".join(missing) + " (CI=true: the deployment test must run)", pytrace=False)
        pytest.skip("; ".join(missing))
    done = subprocess.run(
        [sys.executable, str(DEPLOY / "run_local.py"), "--no-install", "--timeout", "400"],
        cwd=ROOT, capture_output=True, text=True, timeout=STACK_TIMEOUT_S,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("summary: ")]
    assert lines, f"no summary line (exit {done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    summary = json.loads(lines[-1][len("summary: "):])
    assert done.returncode == 0, f"{summary['problems']}\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert summary["ok"] is True and summary["problems"] == []

    replicas = summary["replicas"]
    assert len(set(replicas)) == 2
    assert sorted(summary["served_by"]) == sorted(replicas)
    assert summary["cookie_affinity"]["first_replica"] in replicas
    pages = summary["pages"]
    assert sorted((p["replica"], p["visit"]) for p in pages) == sorted(
        (r, v) for r in replicas for v in ("first", "second"))
    for page in pages:
        assert page["status"] == "rendered"
        assert page["upstreams"] == [page["replica"]]  # every response from its own replica
        assert page["connection_state"] == "CONNECTED"  # the WebSocket through nginx is up
        assert page["websocket_upgrades"] >= 2
        assert page["websockets"] and all(u.endswith("/_stcore/stream") for u in page["websockets"])
        assert page["external_requests"] == []
        assert page["policy_violations"] == []  # the Content-Security-Policy lets the app run whole
        assert page["title"] == "龙岗区基层社会治理看板"
    # nginx sends the security headers on every answer, from both replicas
    assert summary["security_headers"]["missing"] == {}
    assert "frame-ancestors 'self'" in summary["security_headers"]["content_security_policy"]
    # with a users file in place, anonymous visitors get the login form only, on both replicas
    assert summary["anonymous"] == {"checked": 2 * len(run_local.ANONYMOUS_FORMS), "problems": []}
    # failed logins through one replica lock the account for the other; the CLI unlock frees it on both
    lockout = summary["lockout"]
    assert {lockout["replica_a"], lockout["replica_b"]} == set(replicas)
    assert lockout["a_wrong_password"] == ["用户名或密码不正确。"] * 4 + [lockout["b_right_password"]]
    assert "失败次数过多" in lockout["b_right_password"] and lockout["b_after_unlock"] == "in"
    assert lockout["ok"] and "已解锁" in lockout["unlock"]
    # the two first sessions raced to load the empty database: it was loaded once
    assert summary["data"]["requests"] > 0
    assert summary["data"]["loaded_at_rows"] == 1
    # with replica 1 stopped, its browsers' requests reach replica 2
    assert summary["failover"]["ok"] and summary["failover"]["statuses"] == [200, 200, 200]
    # and everything is stopped
    assert all(_closed(addr) for addr in [*replicas, summary["nginx"].removeprefix("http://")])
    assert not Path(summary["folder"]).exists()


# --- configuration, no servers needed --------------------------------------------------------------


def _template() -> str:
    return run_local.TEMPLATE.read_text(encoding="utf-8")


def _compose() -> str:
    return (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")


def test_template_fills_only_its_own_placeholders():
    placeholders = set(re.findall(r"\$\{(LONGGANG_\w+)\}", _template()))
    assert placeholders == {"LONGGANG_LISTEN", "LONGGANG_REPLICA_1", "LONGGANG_REPLICA_2", "LONGGANG_ACCESS_LOG"}
    rendered = run_local.render_template(_template(), {name: "x" for name in placeholders})
    assert "${" not in rendered
    for nginx_variable in ("$http_upgrade", "$connection_upgrade", "$request_id", "$cookie_lg_affinity",
                           "$upstream_addr", "$http_host"):
        assert nginx_variable in rendered
    with pytest.raises(run_local.StackError):
        run_local.render_template(_template(), {"LONGGANG_LISTEN": "80"})


def test_compose_gives_nginx_every_placeholder_and_envsubst_only_ours():
    compose = _compose()
    for name in re.findall(r"\$\{(LONGGANG_\w+)\}", _template()):
        assert re.search(rf"^\s+{name}: \S", compose, re.M), f"docker-compose.yml does not set {name}"
    assert 'NGINX_ENVSUBST_FILTER: "^LONGGANG_"' in compose
    assert "./nginx/longgang.conf.template:/etc/nginx/templates/default.conf.template" in compose
    assert compose.count("<<: *app") == 2 and "DATABASE_URL: postgresql://" in compose


def test_upload_limits_agree():
    """nginx's body limit leaves room for the multipart envelope of Streamlit's largest upload."""
    streamlit_mb = int(run_local.read_env_file(run_local.STREAMLIT_ENV)["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"])
    nginx_mb = int(re.search(r"client_max_body_size (\d+)m;", _template()).group(1))
    assert nginx_mb == streamlit_mb + 1
    from data_access import importer

    assert streamlit_mb >= importer.DEFAULT_MAX_MB


def test_websocket_and_affinity_settings():
    template = _template()
    assert re.search(r"hash \$lg_affinity_key consistent;", template)
    stream = re.search(r"location = /_stcore/stream \{(.*?)\}", template, re.S).group(1)
    assert "proxy_read_timeout 1d;" in stream
    server = template[template.index("server {"):]
    for directive in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                      "proxy_set_header Connection $connection_upgrade;", "proxy_set_header Host $http_host;",
                      "add_header X-Upstream $upstream_addr always;", "gzip on;"):
        assert directive in server
    # a location with its own proxy_set_header would drop the server's (Upgrade, Host) silently
    for location in re.findall(r"location [^{]+\{(.*?)\}", template, re.S):
        assert "proxy_set_header" not in location and "add_header" not in location


def _compose_services() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(_compose())["services"]


def test_compose_has_a_cron_scheduler_with_the_replicas_environment():
    """The `scheduler` service runs the jobs on Debian's cron, with the replicas' environment."""
    services = _compose_services()
    scheduler, replicas = services["scheduler"], [services["app1"], services["app2"]]
    for replica in replicas:
        assert scheduler["environment"] == replica["environment"]
        assert "DATABASE_URL" in replica["environment"]
        env_files = scheduler["env_file"]
        assert replica["env_file"] in env_files  # streamlit.env, as the replicas
    assert {"path": "jobs.env", "required": False} in scheduler["env_file"]
    assert scheduler["build"]["target"] == "scheduler" and scheduler["build"]["dockerfile"] == "deploy/Dockerfile"
    assert scheduler["image"] != replicas[0]["image"]  # two images: never one tag for two targets
    assert replicas[0]["build"]["target"] == "app"
    assert scheduler["depends_on"]["db"] == {"condition": "service_healthy"}
    assert "ports" not in scheduler and scheduler["restart"] == "unless-stopped"
    # the Dockerfile: a scheduler stage with Debian's cron and our crontab, and the app as the last stage
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM \S+ AS (\w+)$", dockerfile, re.M)
    assert stages == ["base", "scheduler", "app"]
    scheduler_stage = dockerfile[dockerfile.index("AS scheduler"):dockerfile.index("AS app")]
    assert "apt-get install -y --no-install-recommends cron" in scheduler_stage
    assert "deploy/scheduler/crontab /etc/cron.d/longgang" in scheduler_stage
    assert 'CMD ["/app/deploy/scheduler/entrypoint.sh"]' in scheduler_stage
    assert "deploy/scheduler" not in (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    # the crontab (cron.d format: a user field) runs both jobs; the scripts are valid sh and executable
    jobs = [line.split(None, 6) for line in (DEPLOY / "scheduler" / "crontab").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#") and "=" not in line.split()[0]]
    assert all(len(job) == 7 and job[5] == "root" for job in jobs)
    commands = [job[6] for job in jobs]
    assert any(c.endswith("run-job.sh python -m jobs.alerts evaluate") for c in commands)
    assert any(c.endswith("run-job.sh python -m jobs.digest --due") for c in commands)
    assert any(c.endswith("run-job.sh python -m jobs.sync due") for c in commands)
    # alerts follow any load or import within 5 minutes, and the loader's own load at once
    assert any(c.endswith("run-job.sh python -m jobs.alerts evaluate --if-stale") for c in commands)
    assert "python -m jobs.alerts evaluate --if-stale" in " ".join(services["loader"]["command"])
    host_cron = (DEPLOY / "digest.cron").read_text(encoding="utf-8")
    assert "python -m jobs.alerts evaluate --if-stale" in host_cron
    assert "ExecStart=/usr/bin/python3 -m jobs.alerts evaluate --if-stale" in (
        DEPLOY / "systemd" / "longgang-sync.service").read_text(encoding="utf-8")
    for fields in jobs:
        if fields[0].startswith("*/"):  # every N minutes (the sync)
            assert 0 < int(fields[0][2:]) < 60 and fields[1:5] == ["*", "*", "*", "*"]
            continue
        minute, hour = int(fields[0]), int(fields[1])
        assert 0 <= minute < 60 and 0 <= hour < 24 and fields[2:5] == ["*", "*", "*"]
    for script in ("entrypoint.sh", "run-job.sh"):
        path = DEPLOY / "scheduler" / script
        assert os.access(path, os.X_OK), f"{script} is not executable"
        subprocess.run(["sh", "-n", str(path)], check=True)
    assert "exec cron -f" in (DEPLOY / "scheduler" / "entrypoint.sh").read_text(encoding="utf-8")
    assert "runuser -u longgang" in (DEPLOY / "scheduler" / "run-job.sh").read_text(encoding="utf-8")


def test_the_policy_allows_streamlit_s_own_inline_scripts_by_hash():
    """The policy allows no inline script but those of Streamlit's index.html, by their hashes: a
    Streamlit upgrade that changes one fails here, naming the hash to put in the template."""
    import base64
    import hashlib

    import streamlit

    from bench.browser_support import deploy_content_security_policy

    index = (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", index, re.S)
    policy = deploy_content_security_policy()
    script_src = re.search(r"script-src ([^;]+)", policy).group(1).split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src, f"add 'sha256-{digest}' to script-src in the nginx template"
