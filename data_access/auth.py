"""Users and roles: one TOML file of salted scrypt password hashes, and the check of a login.

The file is ``config/users.toml`` (git-ignored; ``LONGGANG_USERS_FILE`` moves it). Without
it the app runs as an open demo; with it, every session must log in. A user looks like::

    [users.buji]
    role = "street:440307014"     # district | street:<9-digit street code> | presenter
    salt = "…hex…"
    hash = "…hex…"                 # scrypt(password, salt, n=2**14, r=8, p=1), 32 bytes

Add or replace a user with ``python -m data_access.auth add-user NAME --role ROLE``
(prompts for the password twice, or reads it from standard input with ``--password-stdin``).
Passwords are never stored; each user has their own random salt. An account locked after
failed logins (data_access/login_attempts.py) is unlocked with ``python -m data_access.auth unlock NAME``.
This module never imports Streamlit.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import os
import re
import secrets
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from data_access import login_attempts
from data_access.database import REPO_ROOT, Database
from data_access.scope import DISTRICT_ROLE, PRESENTER_ROLE, STREET_ROLE_PREFIX

DEFAULT_USERS_FILE = REPO_ROOT / "config" / "users.toml"
USERS_FILE_ENV = "LONGGANG_USERS_FILE"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
HASH_BYTES = 32
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
_USER_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
_STREET_ROLE = re.compile(r"^street:\d{9}$")


class AuthError(ValueError):
    """A users file or an argument that cannot be used."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    salt: str
    hash: str


def users_file() -> Path:
    """Where the users file is (it may not exist)."""
    return Path(os.environ.get(USERS_FILE_ENV) or DEFAULT_USERS_FILE)


def login_required() -> bool:
    """True once a users file exists; without one the app is an open demo."""
    return users_file().is_file()


def valid_role(role: str) -> bool:
    return role in (DISTRICT_ROLE, PRESENTER_ROLE) or bool(_STREET_ROLE.match(role))


def may_import(role: str) -> bool:
    """Only the district office loads data (an import may touch every street)."""
    return role == DISTRICT_ROLE


def is_read_only(role: str) -> bool:
    return role == PRESENTER_ROLE or role.startswith(STREET_ROLE_PREFIX)


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=HASH_BYTES
    ).hex()


def new_user(name: str, role: str, password: str) -> User:
    """A user with a fresh random salt (validates name, role and password)."""
    if not _USER_NAME.match(name or ""):
        raise AuthError("user name: 1-40 letters, digits, '_', '.' or '-'")
    if not valid_role(role):
        raise AuthError("role: district, presenter or street:<9-digit street code>")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AuthError(f"password: {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")
    salt = secrets.token_bytes(16)
    return User(name, role, salt.hex(), hash_password(password, salt))


def load_users(path: Path | None = None) -> dict[str, User]:
    """The users of the file (an empty dict if it does not exist); malformed entries raise."""
    path = path or users_file()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AuthError(f"{path}: not a valid users file: {exc}") from None
    users = {}
    for name, entry in (data.get("users") or {}).items():
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("role", "salt", "hash")):
            raise AuthError(f"{path}: user {name!r} needs role, salt and hash")
        if not valid_role(entry["role"]):
            raise AuthError(f"{path}: user {name!r} has an unknown role {entry['role']!r}")
        users[name] = User(name, entry["role"], entry["salt"], entry["hash"])
    return users


_current: dict[str, tuple[tuple, dict[str, User]]] = {}


def current_users(path: Path | None = None) -> dict[str, User]:
    """:func:`load_users`, re-read only when the file changes (its mtime or size): cheap on every run,
    so a removed user or a changed role takes effect at the session's next interaction."""
    path = path or users_file()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _current.get(str(path))
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_users(path))
        _current[str(path)] = cached
    return cached[1]


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_users(users: dict[str, User], path: Path | None = None) -> None:
    """Write the users file (private to its owner), replacing it atomically."""
    path = path or users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Users of the Longgang dashboard: salted scrypt hashes only (data_access/auth.py).", ""]
    for user in sorted(users.values(), key=lambda u: u.name):
        lines += [
            f"[users.{_toml_string(user.name)}]",
            f"role = {_toml_string(user.role)}",
            f"salt = {_toml_string(user.salt)}",
            f"hash = {_toml_string(user.hash)}",
            "",
        ]
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.replace(tmp, path)


def authenticate(name: str, password: str, path: Path | None = None) -> User | None:
    """The user if the password matches, else None (same work whether or not the name exists)."""
    if not isinstance(name, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
        return None
    users = load_users(path)
    user = users.get(name)
    salt = bytes.fromhex(user.salt) if user else b"\x00" * 16
    computed = hash_password(password, salt)
    if user is None:
        return None
    return user if hmac.compare_digest(computed, user.hash) else None


def add_user(name: str, role: str, password: str, path: Path | None = None) -> User:
    """Add (or replace) one user in the file."""
    users = load_users(path)
    user = new_user(name, role, password)
    users[name] = user
    save_users(users, path)
    return user


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.auth", description="Manage dashboard users.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help="add or replace a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, help="district | street:<street code> | presenter")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--file", type=Path, help=f"users file (default: {USERS_FILE_ENV} or {DEFAULT_USERS_FILE})")
    remove = commands.add_parser("remove-user", help="remove a user")
    remove.add_argument("name")
    remove.add_argument("--file", type=Path)
    commands.add_parser("list", help="list users and roles").add_argument("--file", type=Path)
    unlock = commands.add_parser("unlock", help="lift the lockout of an account after failed logins")
    unlock.add_argument("name")
    unlock.add_argument("--database-url", help="default: DATABASE_URL or the embedded SQLite file")
    args = parser.parse_args(argv)
    path = getattr(args, "file", None) or users_file()
    try:
        if args.command == "add-user":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = getpass.getpass("Password: ")
                if getpass.getpass("Repeat password: ") != password:
                    print("passwords differ; nothing changed", file=sys.stderr)
                    return 1
            add_user(args.name, args.role, password, path)
            print(f"user {args.name} ({args.role}) saved in {path}")
        elif args.command == "remove-user":
            users = load_users(path)
            if users.pop(args.name, None) is None:
                print(f"no user {args.name}", file=sys.stderr)
                return 1
            save_users(users, path)
            print(f"user {args.name} removed from {path}")
        elif args.command == "unlock":
            database = Database(args.database_url)
            try:
                was = login_attempts.unlock(database.engine, args.name)
            finally:
                database.dispose()
            print(f"account {args.name} unlocked" if was else f"account {args.name} was not locked; failures reset")
        else:
            for user in load_users(path).values():
                print(f"{user.name}\t{user.role}")
    except AuthError as exc:
        print(f"data_access.auth: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
