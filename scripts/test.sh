#!/usr/bin/env bash
# Install what the checks need, then lint and run the tests: the README's test command, and CI's.
# Works on a fresh machine with only Python 3.11 (as root, as in CI). Extra arguments go to pytest.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python}"

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bin_found() {
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

echo "== installing Python packages"
PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install -q --disable-pip-version-check -r requirements-dev.txt

# Browser tests (later) drive Debian's Chromium; the CJK fonts render the Chinese labels.
if [ ! -x /usr/bin/chromium ] && is_root; then
    echo "== installing chromium and fonts-noto-cjk"
    apt_install chromium fonts-noto-cjk || echo "warning: could not install chromium (browser tests will not run)" >&2
fi

# The deployment test (tests/test_deploy.py) puts nginx in front of two replicas. A policy-rc.d
# that forbids service starts keeps the package from starting its own nginx on port 80.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] && is_root; then
    echo "== installing nginx"
    added_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && added_policy=1
    fi
    apt_install nginx || echo "warning: could not install nginx (the deployment test will not run)" >&2
    if [ "$added_policy" -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# The deck test (tests/test_deck.py) converts .pptx decks with LibreOffice Impress (CJK text in Noto Sans CJK)
# and renders the PDF's pages.
if { ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; } && is_root; then
    echo "== installing libreoffice-impress and poppler-utils"
    apt_install libreoffice-impress poppler-utils fonts-noto-cjk \
        || echo "warning: could not install libreoffice-impress (the deck render test will not run)" >&2
fi

# The PostgreSQL tests start a throwaway server with initdb/pg_ctl (tests/pg_server.py).
if ! pg_bin_found; then
    if is_root; then
        echo "== installing postgresql"
        apt_install postgresql
    else
        echo "warning: PostgreSQL binaries not found and not root: PostgreSQL tests will be skipped" >&2
    fi
fi

echo "== ruff check"
"$PYTHON" -m ruff check .

# With no arguments, three pytest runs:
# - the tests that need no browser in parallel (pytest-xdist, one file per worker at a time, so a file's
#   module fixtures are built once; each worker has its own data folder and PostgreSQL server).
#   LONGGANG_TEST_WORKERS sets the number of workers (default: one per core; 0 runs them in one process);
# - the browser tests, one at a time (one server and one Chromium for the session);
# - the two-replica deployment test (its own PostgreSQL, replicas, nginx and Chromium).
# By default the last two run after the first, one at a time: on 2 cores, beside the unit tests, the
# whole took about as long (16 min 20 s against 16 min 53 s) and timed the page loads under that load.
# LONGGANG_TEST_SERIAL_AFTER=0 runs them beside the first (output shown when all have finished).
# With arguments (files, -k …): one plain pytest run of exactly those.
pytest_status() {
    local status=0
    "$PYTHON" -m pytest -q "$@" || status=$?
    if [ "$status" -eq 5 ]; then
        echo "pytest collected no tests: failing" >&2
        return 1
    fi
    return "$status"
}

SERIAL_TESTS=(tests/browser tests/test_deploy.py)
status=0
if [ "$#" -gt 0 ]; then
    echo "== pytest"
    pytest_status "$@" || status=$?
else
    workers="${LONGGANG_TEST_WORKERS:-auto}"
    serial_dir="$(mktemp -d -t longgang-serial-tests.XXXXXX)"
    serial_pids=()
    stop_serial() {
        for pid in "${serial_pids[@]}"; do
            if kill -0 "$pid" 2>/dev/null; then
                kill -TERM "$pid" 2>/dev/null || true  # its servers die with it (PR_SET_PDEATHSIG)
                wait "$pid" 2>/dev/null || true
            fi
        done
        rm -rf "$serial_dir"
    }
    trap stop_serial EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if [ "${LONGGANG_TEST_SERIAL_AFTER:-1}" != "1" ]; then
        for i in "${!SERIAL_TESTS[@]}"; do
            echo "== pytest: ${SERIAL_TESTS[$i]}, beside the others (output below)"
            # pytest itself in the background (not a subshell), told to stop by SIGTERM if this script dies
            # in any way (PR_SET_PDEATHSIG, kept across exec); its servers die with it
            "$PYTHON" -c 'import ctypes, os, signal, sys; ctypes.CDLL(None).prctl(1, signal.SIGTERM); os.execv(sys.executable, [sys.executable, *sys.argv[1:]])' \
                -m pytest -q "${SERIAL_TESTS[$i]}" >"$serial_dir/$i.log" 2>&1 &
            serial_pids+=("$!")
        done
    fi
    echo "== pytest: unit tests and AppTests (workers: $workers)"
    ignores=()
    for path in "${SERIAL_TESTS[@]}"; do ignores+=("--ignore=$path"); done
    if [ "$workers" = "0" ]; then
        pytest_status tests "${ignores[@]}" || status=$?
    else
        pytest_status -n "$workers" --dist loadfile tests "${ignores[@]}" || status=$?
    fi
    if [ "${#serial_pids[@]}" -gt 0 ]; then
        for i in "${!serial_pids[@]}"; do
            serial_status=0
            wait "${serial_pids[$i]}" || serial_status=$?
            echo "== pytest: ${SERIAL_TESTS[$i]} (ran beside the unit tests)"
            cat "$serial_dir/$i.log"
            if [ "$serial_status" -eq 5 ]; then
                echo "pytest collected no tests: failing" >&2
                serial_status=1
            fi
            [ "$serial_status" -eq 0 ] || status=$serial_status
        done
        serial_pids=()
    else
        echo "== pytest: browser tests and the deployment test, one at a time"
        pytest_status "${SERIAL_TESTS[@]}" || status=$?
    fi
fi
exit "$status"
