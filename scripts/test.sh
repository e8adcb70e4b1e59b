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

# With no arguments, two pytest runs, one after the other, each in parallel (pytest-xdist, one file per
# worker at a time, so a file's module fixtures are built once):
# - the tests that need no browser; each worker has its own data folder and PostgreSQL server.
#   LONGGANG_TEST_WORKERS sets the number of workers (default: one per core; 0 runs them in one process);
# - the browser tests and the two-replica deployment test; each worker has its own Streamlit server and
#   Chromium (the deployment test its own PostgreSQL, replicas and nginx). They wait on page loads as
#   much as they compute, so they run after the unit tests, not beside them: there the two runs only
#   competed for the cores. LONGGANG_BROWSER_WORKERS sets their workers (default: one per core, at most
#   4; 0 runs them in one process).
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

# pytest over "$@" with "$1" workers (0: in one process), a test file per worker at a time
pytest_workers() {
    local workers="$1"
    shift
    if [ "$workers" = "0" ]; then
        pytest_status "$@"
    else
        pytest_status -n "$workers" --dist loadfile "$@"
    fi
}

BROWSER_TESTS=(tests/browser tests/test_deploy.py)
status=0
if [ "$#" -gt 0 ]; then
    echo "== pytest"
    pytest_status "$@" || status=$?
else
    workers="${LONGGANG_TEST_WORKERS:-auto}"
    cores="$(nproc 2>/dev/null || echo 2)"
    browser_workers="${LONGGANG_BROWSER_WORKERS:-$(( cores < 4 ? cores : 4 ))}"
    echo "== pytest: unit tests and AppTests (workers: $workers)"
    ignores=()
    for path in "${BROWSER_TESTS[@]}"; do ignores+=("--ignore=$path"); done
    pytest_workers "$workers" tests "${ignores[@]}" || status=$?
    echo "== pytest: browser tests and the deployment test (workers: $browser_workers)"
    pytest_workers "$browser_workers" "${BROWSER_TESTS[@]}" || status=$?
fi
exit "$status"
