"""The loader: complete loads or none, built once, safe when started twice at once."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from csv_counts import csv_row_counts
from sqlalchemy import func, select

from data_access import schema
from data_access.database import DEFAULT_SQLITE_NAME, REPO_ROOT, Database
from data_access.loader import SAMPLE_DIR, LoadError, ensure_database, load_csv_dir, main

DB_NAME = DEFAULT_SQLITE_NAME


def table_counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in schema.DATA_TABLES
        }


def loaded_at(database: Database) -> str:
    return database.dataset_info()["loaded_at"]


def open_db(url: str) -> Database:
    return Database(url)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty, not yet existing data folder for the default SQLite database."""
    folder = tmp_path / "fresh" / "data"
    monkeypatch.setenv("LONGGANG_DATA_DIR", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return folder


def subprocess_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
    env["LONGGANG_DATA_DIR"] = str(data_dir)
    return env


# --- load_csv_dir on a small generated folder, on both engines ---------------------------------


def test_tiny_folder_loads_with_types_and_nulls(empty_url: str, tiny_csv_dir: Path) -> None:
    database = open_db(empty_url)
    try:
        result = load_csv_dir(database.engine, tiny_csv_dir)
        assert table_counts(database) == {t.name: 3 for t in schema.DATA_TABLES}
        assert result.rows == table_counts(database)
        info = database.dataset_info()
        assert info["source"] == "tiny_csv"
        assert info["row_count"] == str(3 * len(schema.DATA_TABLES))
        assert datetime.fromisoformat(info["loaded_at"]).tzinfo is not None

        projects = database.frame(select(schema.projects).order_by(schema.projects.c.code))
        assert pd.isna(projects["approved_on"].iloc[0])  # empty cell -> NULL
        assert projects["applied_on"].iloc[1] == date(2023, 2, 2)
        assert projects["description"].iloc[2] == '测试、projects "2", 第2行'

        requests = database.frame(select(schema.requests).order_by(schema.requests.c.id))
        assert requests["submitted_at"].iloc[1] == datetime(2023, 2, 15, 8, 1, 5)
        assert pd.isna(requests["compound_code"].iloc[0])
        assert requests["satisfaction"].iloc[2] == 3

        communities = database.frame(select(schema.communities).order_by(schema.communities.c.code))
        assert communities["is_pilot"].tolist() == [False, True, False]

        # datetimes compare as datetimes (SQLite stores them as SQLAlchemy writes them)
        req = schema.requests
        later = database.scalar(
            select(func.count()).select_from(req).where(req.c.submitted_at >= datetime(2023, 2, 15, 8, 1, 5))
        )
        assert later == 2
    finally:
        database.dispose()


def test_reload_replaces_rows(empty_url: str, tiny_csv_dir: Path) -> None:
    database = open_db(empty_url)
    try:
        first = load_csv_dir(database.engine, tiny_csv_dir)
        second = load_csv_dir(database.engine, tiny_csv_dir)
        assert table_counts(database) == {t.name: 3 for t in schema.DATA_TABLES}
        assert second.loaded_at != first.loaded_at
        assert loaded_at(database) == second.loaded_at
    finally:
        database.dispose()


def test_missing_csv_is_a_clear_error(tmp_path: Path, tiny_csv_dir: Path) -> None:
    (tiny_csv_dir / "venues.csv").unlink()
    database = open_db(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(LoadError, match="venues.csv: missing"):
        load_csv_dir(database.engine, tiny_csv_dir)


def test_wrong_header_is_a_clear_error(tmp_path: Path, tiny_csv_dir: Path) -> None:
    path = tiny_csv_dir / "streets.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("name_en", "name_english", 1), encoding="utf-8")
    database = open_db(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(LoadError, match=r"streets.csv: header .*'name_en'.*'name_english'"):
        load_csv_dir(database.engine, tiny_csv_dir)


@pytest.mark.parametrize(
    ("column", "value", "what"),
    [
        ("population", "12a", "integer"),
        ("lat", "north", "number"),
        ("lon", "nan", "number"),
        ("is_pilot", "yes", "boolean"),
    ],
)
def test_bad_value_names_file_row_and_column(tmp_path: Path, tiny_csv_dir: Path, column: str,
                                             value: str, what: str) -> None:
    path = tiny_csv_dir / "communities.csv"
    rows = read_csv_rows(path)
    rows[2][rows[0].index(column)] = value
    write_csv_rows(path, rows)
    database = open_db(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    message = rf"communities.csv: data row 2: column '{column}': cannot read '{value}' as {what}"
    with pytest.raises(LoadError, match=message):
        load_csv_dir(database.engine, tiny_csv_dir)


@pytest.mark.parametrize("value", ["2023-02-30", "2023/02/01", "2023-02-01 08:00"])
def test_bad_dates_are_refused(tmp_path: Path, tiny_csv_dir: Path, value: str) -> None:
    path = tiny_csv_dir / "projects.csv"
    rows = read_csv_rows(path)
    rows[1][rows[0].index("applied_on")] = value
    write_csv_rows(path, rows)
    database = open_db(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(LoadError, match="projects.csv: data row 1: column 'applied_on'"):
        load_csv_dir(database.engine, tiny_csv_dir)


# --- a broken folder leaves the stored data exactly as it was ------------------------------------


def read_csv_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def write_csv_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def corrupt(csv_dir: Path, kind: str) -> str:
    """Break one row in the middle of the latest table that allows it; return the table name."""
    counts = csv_row_counts(csv_dir)
    for table in reversed(schema.DATA_TABLES[len(schema.DATA_TABLES) // 2:]):
        if counts[table.name] < 3:
            continue
        path = csv_dir / f"{table.name}.csv"
        rows = read_csv_rows(path)
        middle = len(rows) // 2
        if kind == "non-numeric":
            ints = [c.name for c in table.columns if c.type.python_type is int and not c.foreign_keys]
            if not ints:
                continue
            rows[middle][rows[0].index(ints[0])] = "12x"
        else:  # duplicate primary key
            rows.insert(middle + 1, list(rows[middle]))
        write_csv_rows(path, rows)
        return table.name
    raise AssertionError(f"no later table with rows to corrupt in {csv_dir}")


@pytest.mark.parametrize("kind", ["non-numeric", "duplicate-key"])
def test_broken_csv_rolls_back_and_keeps_previous_data(empty_url: str, tiny_csv_dir: Path,
                                                      copy_csv_dir, kind: str) -> None:
    database = open_db(empty_url)
    try:
        load_csv_dir(database.engine, tiny_csv_dir)
        counts_before = table_counts(database)
        info_before = database.dataset_info()

        broken = copy_csv_dir(SAMPLE_DIR)
        table = corrupt(broken, kind)
        with pytest.raises(LoadError, match=rf"{table}\.csv"):
            load_csv_dir(database.engine, broken)

        assert table_counts(database) == counts_before
        assert database.dataset_info() == info_before
    finally:
        database.dispose()


# --- the sample data, on both engines ------------------------------------------------------------


def test_sample_data_loads_completely(db: Database) -> None:
    expected = csv_row_counts(SAMPLE_DIR)
    assert table_counts(db) == expected
    info = db.dataset_info()
    assert info["source"] == "sample_data"
    assert int(info["row_count"]) == sum(expected.values())


# --- ensure_database and the command line on the default SQLite file ----------------------------


def test_ensure_builds_the_sqlite_file_once(data_dir: Path) -> None:
    assert not data_dir.exists()
    url = ensure_database()
    path = data_dir / DB_NAME
    assert url == f"sqlite:///{path}"
    assert path.is_file()
    database = open_db(url)
    try:
        assert table_counts(database) == csv_row_counts(SAMPLE_DIR)
        first_loaded_at = loaded_at(database)
    finally:
        database.dispose()
    mtime = path.stat().st_mtime_ns

    assert ensure_database() == url
    assert path.stat().st_mtime_ns == mtime
    database = open_db(url)
    try:
        assert loaded_at(database) == first_loaded_at
    finally:
        database.dispose()
    assert leftovers(data_dir) == []


def leftovers(data_dir: Path) -> list[str]:
    """Files beside the database other than the database and its lock file."""
    return sorted(p.name for p in data_dir.iterdir() if p.name not in (DB_NAME, f"{DB_NAME}.lock"))


def test_ensure_rebuilds_a_file_that_is_not_a_loaded_database(data_dir: Path, tiny_csv_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / DB_NAME).write_bytes(b"half a file")
    url = ensure_database(csv_dir=tiny_csv_dir)
    database = open_db(url)
    try:
        assert table_counts(database) == csv_row_counts(tiny_csv_dir)
    finally:
        database.dispose()


def test_cli_reload_rebuilds(data_dir: Path, tiny_csv_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny = ["--csv-dir", str(tiny_csv_dir)]
    assert main(tiny) == 0
    assert capsys.readouterr().out.startswith("loaded ")
    url = f"sqlite:///{data_dir / DB_NAME}"
    database = open_db(url)
    try:
        before = loaded_at(database)
    finally:
        database.dispose()

    assert main(tiny) == 0
    assert capsys.readouterr().out.startswith("already loaded")
    assert main(["--reload", *tiny]) == 0
    out = capsys.readouterr().out
    assert out.startswith("loaded ") and " rows " in out and out.rstrip().endswith(" s")

    database = open_db(url)
    try:
        assert loaded_at(database) != before
        assert table_counts(database) == csv_row_counts(tiny_csv_dir)
    finally:
        database.dispose()
    assert leftovers(data_dir) == []


def test_a_rebuild_keeps_what_people_and_jobs_did(data_dir: Path, tiny_csv_dir: Path) -> None:
    """The records outside the data (schema.ops_metadata: the audit trail, alerts, follow-ups, login
    failures…) survive a reload and a first build over a file that holds only them (the users command
    run before the app's first start writes its audit record there)."""
    from data_access import audit, login_attempts

    url = f"sqlite:///{data_dir / DB_NAME}"
    data_dir.mkdir(parents=True, exist_ok=True)
    database = open_db(url)
    try:
        login_attempts.record_failure(database.engine, "buji", "10.0.0.1")  # creates the tables (before any data)
        audit.record(database.engine, "user_add", "admin", target="buji")
    finally:
        database.dispose()
    tiny = ["--csv-dir", str(tiny_csv_dir)]
    assert main(tiny) == 0  # the first build
    assert main(["--reload", *tiny]) == 0
    database = open_db(url)
    try:
        assert table_counts(database) == csv_row_counts(tiny_csv_dir)
        records = audit.records(database.engine)
        assert records[["user_name", "action", "target"]].values.tolist() == [["admin", "user_add", "buji"]]
        assert audit.verify(database.engine).ok
        with database.engine.connect() as conn:
            failures = conn.execute(select(schema.login_failures.c.user_name)).scalars().all()
        assert failures == ["buji"]
    finally:
        database.dispose()
    assert leftovers(data_dir) == []


def test_cli_failure_exits_non_zero_and_builds_nothing(data_dir: Path, tiny_csv_dir: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tiny_csv_dir / "venues.csv").unlink()
    assert main(["--csv-dir", str(tiny_csv_dir)]) == 1
    assert "venues.csv: missing" in capsys.readouterr().err
    assert not (data_dir / DB_NAME).exists()
    assert leftovers(data_dir) == []


def test_cli_reload_failure_keeps_the_old_file(data_dir: Path, tiny_csv_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--csv-dir", str(tiny_csv_dir)]) == 0
    path = data_dir / DB_NAME
    mtime = path.stat().st_mtime_ns
    (tiny_csv_dir / "venues.csv").write_text("code\nnot-enough-columns\n", encoding="utf-8")
    assert main(["--reload", "--csv-dir", str(tiny_csv_dir)]) == 1
    assert "venues.csv: header" in capsys.readouterr().err
    assert path.stat().st_mtime_ns == mtime
    assert leftovers(data_dir) == []


def test_cli_explicit_sqlite_url(tmp_path: Path, tiny_csv_dir: Path) -> None:
    path = tmp_path / "elsewhere" / "custom.sqlite3"
    assert main(["--url", f"sqlite:///{path}", "--csv-dir", str(tiny_csv_dir)]) == 0
    database = open_db(f"sqlite:///{path}")
    try:
        assert database.dataset_info()["source"] == "tiny_csv"
    finally:
        database.dispose()


# --- ensure_database on PostgreSQL ---------------------------------------------------------------


def test_ensure_loads_an_empty_postgresql_database_once(new_pg_url, tiny_csv_dir: Path) -> None:
    url = new_pg_url()
    assert ensure_database(url, csv_dir=tiny_csv_dir) == url
    database = open_db(url)
    try:
        first = loaded_at(database)
        assert ensure_database(url, csv_dir=tiny_csv_dir) == url
        assert loaded_at(database) == first
    finally:
        database.dispose()


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_two_processes_loading_at_once_load_once(engine_name: str, request: pytest.FixtureRequest,
                                                 tmp_path: Path) -> None:
    """Two loaders started together: one loads, the other finds the database loaded (both exit 0)."""
    if engine_name == "sqlite":
        data_dir = request.getfixturevalue("data_dir")
        url, args, env = f"sqlite:///{data_dir / DB_NAME}", [], subprocess_env(data_dir)
    else:
        url = request.getfixturevalue("new_pg_url")()
        args, env = ["--url", url], subprocess_env(tmp_path / "unused")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "data_access.loader", *args], cwd=REPO_ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, f"stdout: {out}\nstderr: {err}"
    lines = [out.strip() for out, _ in outputs]
    assert sum(line.startswith("loaded ") for line in lines) == 1, lines
    if engine_name == "sqlite":
        assert sum(line.startswith("already loaded") for line in lines) == 1, lines
    database = open_db(url)
    try:
        assert table_counts(database) == csv_row_counts(SAMPLE_DIR)
    finally:
        database.dispose()
    if engine_name == "sqlite":
        assert leftovers(data_dir) == []


# --- the app starts from a clean clone with no database ------------------------------------------

_CLONE_FALLBACK = ["app.py", "pages", "components", "data_access", "sample_data", ".streamlit"]
_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache", "data"}


def _git(*args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None


def clone_files() -> list[str]:
    """What a fresh clone holds: tracked files, or (before the first commit) what git would add."""
    listed = None
    head = _git("rev-parse", "--verify", "--quiet", "HEAD")
    if head is not None and head.returncode == 0:
        listed = _git("ls-files", "-z")
    elif head is not None:  # a repository with no commit yet, or no repository at all
        listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is not None and listed.returncode == 0:
        return [name for name in listed.stdout.split("\0") if name]
    files = []
    for name in _CLONE_FALLBACK:
        path = REPO_ROOT / name
        if path.is_file():
            files.append(name)
        elif path.is_dir():
            files += [
                str(p.relative_to(REPO_ROOT)) for p in path.rglob("*")
                if p.is_file() and not _SKIP_PARTS & set(p.relative_to(REPO_ROOT).parts)
            ]
    return files


_RUN_APP = textwrap.dedent(
    """
    import sys
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(sys.argv[1], default_timeout=60)
    at.run()
    for exc in at.exception:
        print("exception:", exc.value, file=sys.stderr)
        print("\\n".join(exc.stack_trace), file=sys.stderr)
    for error in at.error:  # the app shows a failed database start as st.error
        print("st.error:", error.value, file=sys.stderr)
    sys.exit(1 if at.exception or at.error else 0)
    """
)


def test_app_starts_from_a_clean_clone_without_a_database(tmp_path: Path) -> None:
    assert (REPO_ROOT / "app.py").is_file(), "app.py is missing"
    clone = tmp_path / "clone"
    for name in clone_files():
        source = REPO_ROOT / name
        if not source.is_file() or _SKIP_PARTS & set(Path(name).parts[:1]) or "__pycache__" in name:
            continue
        target = clone / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    assert (clone / "app.py").is_file(), "app.py is not in the files a clone would get"
    data_dir = tmp_path / "empty_data"
    data_dir.mkdir()

    # A fresh interpreter in the clone, so the app imports the clone's own modules.
    run = subprocess.run(
        [sys.executable, "-c", _RUN_APP, str(clone / "app.py")], cwd=clone,
        env=subprocess_env(data_dir), capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert (data_dir / DB_NAME).is_file()
