"""A throwaway PostgreSQL server for tests and benchmarks.

    with PgServer() as server:
        url = server.create_database("scratch")   # postgresql+psycopg://postgres@127.0.0.1:PORT/scratch

It runs ``initdb`` and ``pg_ctl`` from the first PostgreSQL found on PATH or in
``/usr/lib/postgresql/*/bin``, with its data and socket in a temporary folder,
listening on a free loopback port with trust authentication and ``fsync=off``.
As root, the server runs as the ``postgres`` user (PostgreSQL refuses root).
``stop()`` shuts it down and removes the folder; it also runs at interpreter exit.

Run ``python tests/pg_server.py`` to start one by hand and print its URL.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "postgres"
NOT_FOUND_REASON = "PostgreSQL 15 not installed: initdb/pg_ctl not found"


class PgNotFound(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


class PgStartError(RuntimeError):
    """The server binaries are there but the server would not start."""


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", bin_dir.parent.name)
    return tuple(int(n) for n in numbers)


def find_pg_bin_dir() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    candidates: list[Path] = []
    initdb = shutil.which("initdb")
    if initdb:
        # /usr/local/bin/initdb may be a link into /usr/lib/postgresql/NN/bin
        candidates.append(Path(initdb).resolve().parent)
        candidates.append(Path(initdb).parent)
    candidates += sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")), key=_version_key, reverse=True
    )
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """One PostgreSQL server in a temporary folder; a context manager."""

    def __init__(self, bin_dir: Path | None = None, *, base_dir: Path | None = None):
        found = bin_dir or find_pg_bin_dir()
        if found is None:
            raise PgNotFound(NOT_FOUND_REASON)
        self.bin_dir = Path(found)
        self._base_parent = base_dir
        self.root: Path | None = None
        self.port: int | None = None
        self._run_as: list[str] = []
        self._db_counter = 0

    # -- paths -------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    # -- lifecycle -----------------------------------------------------------------------
    def _cmd(self, name: str, *args: str) -> list[str]:
        return [*self._run_as, str(self.bin_dir / name), *args]

    def _run(self, name: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._cmd(name, *args), capture_output=True, text=True, timeout=timeout,
            stdin=subprocess.DEVNULL, env=self._env(),
        )

    @staticmethod
    def _env() -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return env

    def start(self) -> PgServer:
        if self.root is not None:
            return self
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-", dir=self._base_parent))
        try:
            self.socket_dir.mkdir()
            if os.geteuid() == 0:
                try:
                    user = pwd.getpwnam(SUPERUSER)
                except KeyError:
                    raise PgStartError(
                        f"running as root, PostgreSQL needs the {SUPERUSER!r} user to run as"
                    ) from None
                for path in (self.root, self.socket_dir):
                    os.chown(path, user.pw_uid, user.pw_gid)
                self._run_as = ["runuser", "-u", SUPERUSER, "--"]
            init = self._run(
                "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                "--no-locale", "-E", "UTF8", "--no-sync",
            )
            if init.returncode != 0:
                raise PgStartError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
            last_error = ""
            for _attempt in range(3):  # a free port may be taken between probe and start
                self.port = free_port()
                options = (
                    f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                )
                started = self._run(
                    "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file),
                    "-w", "-t", "60", "-o", options, "start",
                )
                if started.returncode == 0:
                    atexit.register(self.stop)
                    return self
                last_error = f"{started.stdout}\n{started.stderr}\n{self.log_tail()}"
                time.sleep(0.2)
            raise PgStartError(f"pg_ctl start failed:\n{last_error}")
        except BaseException:
            self._remove()
            raise

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop", timeout=60)
        finally:
            self._remove()
            atexit.unregister(self.stop)

    def _remove(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # -- databases -----------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its URL."""
        import psycopg  # here, so that importing this module needs no driver

        if name is None:
            self._db_counter += 1
            name = f"test_{os.getpid()}_{self._db_counter}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"unsafe database name: {name!r}")
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


if __name__ == "__main__":  # pragma: no cover - manual use
    with PgServer() as server:
        print(server.url(), flush=True)
        print("running; press Ctrl-C to stop", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
