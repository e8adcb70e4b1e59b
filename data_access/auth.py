"""Users and roles: one TOML file of salted scrypt password hashes, and the check of a login.

The file is ``config/users.toml`` (git-ignored; ``LONGGANG_USERS_FILE`` moves it). Without
it the app runs as an open demo; with it, every session must log in. A user looks like::

    [users.buji]
    role = "street:440307014"     # district | street:<9-digit street code> | presenter
    salt = "…hex…"
    hash = "…hex…"                 # scrypt(password, salt, n=2**14, r=8, p=1), 32 bytes
    password_set = "2026-12-06T00:10:00"   # when (UTC); for the optional expiry

Add or replace a user with ``python -m data_access.auth add-user NAME --role ROLE``
(prompts for the password twice, or reads it from standard input with ``--password-stdin``);
``passwd NAME`` sets a new password. Passwords are never stored; each user has their own random
salt. A new password must pass :func:`password_problems` (等保 2.0 identification: length,
character classes, not the user name, not a common password). With ``LONGGANG_PASSWORD_MAX_DAYS``
set, a password older than that must be changed at the next login. An account locked after
failed logins (data_access/login_attempts.py) is unlocked with ``python -m data_access.auth unlock NAME``.
Every change made here is written to the audit trail (user ``cli:<OS user>``) before it is saved.
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
import string
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from filelock import FileLock

from data_access import audit, login_attempts
from data_access.database import REPO_ROOT, Database
from data_access.scope import DISTRICT_ROLE, PRESENTER_ROLE, STREET_ROLE_PREFIX

DEFAULT_USERS_FILE = REPO_ROOT / "config" / "users.toml"
USERS_FILE_ENV = "LONGGANG_USERS_FILE"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
HASH_BYTES = 32
MIN_PASSWORD_LENGTH = 10
MIN_CHARACTER_CLASSES = 3
MAX_PASSWORD_LENGTH = 1024
PASSWORD_MAX_DAYS_ENV = "LONGGANG_PASSWORD_MAX_DAYS"
#: The reasons a new password is refused, in the order they are reported (the UI's catalogue has
#: ``password.problem.<code>`` for each).
PASSWORD_PROBLEMS = ("too_short", "too_long", "classes", "user_name", "common")
_USER_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
_STREET_ROLE = re.compile(r"^street:\d{9}$")


class AuthError(ValueError):
    """A users file or an argument that cannot be used; ``key`` names its text in the catalogue
    (components/text/cli.py) for the command line, when it has one."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


class WeakPasswordError(AuthError):
    """A new password the policy refuses; ``problems`` are codes of :data:`PASSWORD_PROBLEMS`."""

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        super().__init__("password refused: " + "; ".join(_PROBLEM_EN[p] for p in self.problems))


_PROBLEM_EN = {
    "too_short": f"at least {MIN_PASSWORD_LENGTH} characters",
    "too_long": f"at most {MAX_PASSWORD_LENGTH} characters",
    "classes": f"at least {MIN_CHARACTER_CLASSES} of: lower-case letters, upper-case letters, digits, symbols",
    "user_name": "must not be or contain the user name",
    "common": "too common (in the list of most used passwords)",
}


@dataclass(frozen=True)
class User:
    name: str
    role: str
    salt: str
    hash: str
    password_set: datetime | None = None  # naive UTC; None in files written before the expiry existed


def now_utc() -> datetime:
    """Wall-clock time, naive UTC to the second (tests replace it)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords, lower-case: zxcvbn's frequency list (Dropbox's zxcvbn, as packaged
    by zxcvbn-python on PyPI; drawn from leaked-password corpora), loaded once."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digits and anything else (symbols, spaces, CJK) it uses."""
    return (any(c.islower() for c in password) + any(c.isupper() for c in password)
            + any(c.isdigit() for c in password) + any(not c.isalnum() for c in password))


def _is_common(password: str) -> bool:
    """In the list as typed, ignoring case, or once the digits and symbols around a word are taken off
    (``Password123!`` and ``!!Qwerty2024`` are the list's words in thin disguise)."""
    lowered = password.lower()
    core = lowered.strip(string.digits + string.punctuation + " ")
    listed = common_passwords()
    return lowered in listed or (len(core) >= 4 and core in listed)


def password_problems(name: str, password: str) -> list[str]:
    """Why a new password for ``name`` is refused (codes of :data:`PASSWORD_PROBLEMS`); empty when it
    passes: at least 10 characters, 3 of 4 character classes, not the user name (nor containing it,
    either way round or in any case), not a common password."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("too_long")
    if character_classes(password) < MIN_CHARACTER_CLASSES:
        problems.append("classes")
    lowered, user = password.lower(), (name or "").lower()
    if user and (lowered == user or (len(user) >= 3 and (user in lowered or user[::-1] in lowered))):
        problems.append("user_name")
    if _is_common(password):
        problems.append("common")
    return problems


def check_password(name: str, password: str) -> None:
    """Raise :class:`WeakPasswordError` unless the password passes :func:`password_problems`."""
    problems = password_problems(name, password)
    if problems:
        raise WeakPasswordError(problems)


def random_password() -> str:
    """A 20-character random password that passes the policy (for scripts and test stacks)."""
    alphabet = string.ascii_letters + string.digits + "-_.!"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(20))
        if not password_problems("", password):
            return password


def password_max_days() -> int | None:
    """``LONGGANG_PASSWORD_MAX_DAYS``: a password's longest life in days; unset, empty or 0 = no expiry."""
    value = os.environ.get(PASSWORD_MAX_DAYS_ENV, "").strip()
    try:
        days = int(value) if value else 0
    except ValueError:
        raise AuthError(f"{PASSWORD_MAX_DAYS_ENV}: a whole number of days, got {value!r}") from None
    return days if days > 0 else None


def password_expired(user: User, now: datetime | None = None) -> bool:
    """True when expiry is on and the password is older than allowed (or its age is unknown)."""
    days = password_max_days()
    if days is None:
        return False
    if user.password_set is None:
        return True
    return (now or now_utc()) - user.password_set > timedelta(days=days)


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


def _with_password(user: User, password: str) -> User:
    """``user`` with a new password: checked against the policy, a fresh salt, set now."""
    check_password(user.name, password)
    salt = secrets.token_bytes(16)
    return replace(user, salt=salt.hex(), hash=hash_password(password, salt), password_set=now_utc())


def new_user(name: str, role: str, password: str) -> User:
    """A user with a fresh random salt (validates name, role and password)."""
    if not _USER_NAME.match(name or ""):
        raise AuthError("user name: 1-40 letters, digits, '_', '.' or '-'", key="cli.auth.bad_name")
    if not valid_role(role):
        raise AuthError("role: district, presenter or street:<9-digit street code>", key="cli.auth.bad_role")
    return _with_password(User(name, role, "", ""), password)


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
        password_set = entry.get("password_set")
        if password_set is not None:
            try:
                password_set = datetime.fromisoformat(str(password_set)).replace(tzinfo=None)
            except ValueError:
                raise AuthError(f"{path}: user {name!r} has an unreadable password_set {password_set!r}") from None
        users[name] = User(name, entry["role"], entry["salt"], entry["hash"], password_set)
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
        ]
        if user.password_set is not None:
            lines.append(f"password_set = {_toml_string(user.password_set.isoformat(timespec='seconds'))}")
        lines.append("")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def users_lock(path: Path | None = None) -> FileLock:
    """The lock held around a read-change-write of the users file, so that two changes at once (two
    replicas, the app and the command line) do not lose one of them."""
    path = path or users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path.with_name(f".{path.name}.lock")), timeout=30)


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
    return put_user(new_user(name, role, password), path)


def put_user(user: User, path: Path | None = None) -> User:
    """Write one (validated) user into the file, keeping the others."""
    with users_lock(path):
        users = load_users(path)
        users[user.name] = user
        save_users(users, path)
    return user


def set_password(name: str, password: str, path: Path | None = None) -> User:
    """Give an existing user a new password (checked against the policy); the other users are kept."""
    with users_lock(path):
        users = load_users(path)
        if name not in users:
            raise AuthError(f"no user {name}")
        user = users[name] = _with_password(users[name], password)
        save_users(users, path)
    return user


def change_password(name: str, current: str, new: str, path: Path | None = None) -> User:
    """A user's own change: the current password must match and the new one differ from it and pass the
    policy. Raises :class:`AuthError` (``WrongPasswordError``, ``SamePasswordError`` or
    :class:`WeakPasswordError`)."""
    if authenticate(name, current, path) is None:
        raise WrongPasswordError("the current password does not match")
    if new == current:
        raise SamePasswordError("the new password equals the current one")
    return set_password(name, new, path)


class WrongPasswordError(AuthError):
    """The current password given for a change does not match."""


class SamePasswordError(AuthError):
    """The new password is the current one."""


def remove_user(name: str, path: Path | None = None) -> bool:
    """Remove one user from the file; False if there was none."""
    with users_lock(path):
        users = load_users(path)
        if users.pop(name, None) is None:
            return False
        save_users(users, path)
    return True


def cli_actor() -> str:
    """Who the audit trail names for a change made on the command line: ``cli:<OS user>``."""
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in a bare container
        who = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"cli:{who}"[:40]


def _read_new_password(from_stdin: bool, say) -> str | None:
    """The new password from standard input's first line, or typed twice (None when they differ)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass(say("cli.auth.prompt"))
    if getpass.getpass(say("cli.auth.prompt_again")) != password:
        return None
    return password


def _audit(database_url: str | None, action: str, target: str, detail: str = "") -> None:
    """The audit record of a change made here, written before the change (no record, no change)."""
    database = Database(database_url)
    try:
        audit.record(database.engine, action, cli_actor(), role="cli", target=target, detail=detail)
    finally:
        database.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    # the command line's text comes from the one catalogue (plain dicts, no Streamlit)
    from components.i18n import text

    lang, argv = audit.cli_language(argv)

    def say(key: str, **values) -> str:
        return text(key, lang, **values)

    parser = argparse.ArgumentParser(prog="python -m data_access.auth", description=say("cli.auth.description"))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=say("cli.lang"))
    files = argparse.ArgumentParser(add_help=False)
    files.add_argument("--file", type=Path, help=say("cli.auth.file", env=USERS_FILE_ENV, default=DEFAULT_USERS_FILE))
    databases = argparse.ArgumentParser(add_help=False)
    databases.add_argument("--database-url", help=say("cli.auth.database_url"))
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help=say("cli.auth.add_user"), parents=[files, databases])
    add.add_argument("name")
    add.add_argument("--role", required=True, help=say("cli.auth.role"))
    add.add_argument("--password-stdin", action="store_true", help=say("cli.auth.password_stdin"))
    passwd = commands.add_parser("passwd", help=say("cli.auth.passwd"), parents=[files, databases])
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help=say("cli.auth.password_stdin"))
    remove = commands.add_parser("remove-user", help=say("cli.auth.remove_user"), parents=[files, databases])
    remove.add_argument("name")
    commands.add_parser("list", help=say("cli.auth.list"), parents=[files])
    unlock = commands.add_parser("unlock", help=say("cli.auth.unlock"), parents=[databases])
    unlock.add_argument("name")
    args = parser.parse_args(argv)
    path = getattr(args, "file", None) or users_file()
    try:
        if args.command in ("add-user", "passwd"):
            password = _read_new_password(args.password_stdin, say)
            if password is None:
                print(say("cli.auth.mismatch"), file=sys.stderr)
                return 1
            if args.command == "add-user":
                user = new_user(args.name, args.role, password)  # refused before anything is written
                replaced = args.name in load_users(path)
                detail = f"role={args.role}" + (", replaced" if replaced else "")
                _audit(args.database_url, "user_add", args.name, detail)
                put_user(user, path)
                print(say("cli.auth.saved", name=args.name, role=args.role, path=path))
            else:
                if args.name not in load_users(path):
                    print(say("cli.auth.no_user", name=args.name), file=sys.stderr)
                    return 1
                check_password(args.name, password)
                _audit(args.database_url, "password_change", args.name, "set by an administrator")
                set_password(args.name, password, path)
                print(say("cli.auth.password_changed", name=args.name, path=path))
        elif args.command == "remove-user":
            if args.name not in load_users(path):
                print(say("cli.auth.no_user", name=args.name), file=sys.stderr)
                return 1
            _audit(args.database_url, "user_remove", args.name)
            remove_user(args.name, path)
            print(say("cli.auth.removed", name=args.name, path=path))
        elif args.command == "unlock":
            _audit(args.database_url, "user_unlock", args.name)
            database = Database(args.database_url)
            try:
                was = login_attempts.unlock(database.engine, args.name)
            finally:
                database.dispose()
            print(say("cli.auth.unlocked" if was else "cli.auth.not_locked", name=args.name))
        else:
            for user in load_users(path).values():
                print(f"{user.name}\t{user.role}")
    except WeakPasswordError as exc:
        reasons = (" " if lang == "en" else "").join(
            text(f"password.problem.{code}", lang, min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)
            for code in exc.problems)
        print(say("cli.auth.password_refused", reasons=reasons), file=sys.stderr)
        return 1
    except AuthError as exc:
        print(say(exc.key) if exc.key else say("cli.auth.error", reason=exc), file=sys.stderr)
        return 1
    except audit.AuditError as exc:
        print(say("cli.auth.audit_failed", reason=exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
