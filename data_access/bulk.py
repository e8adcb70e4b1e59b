"""Bulk inserts through the DB-API cursor of a SQLAlchemy connection, inside its transaction.

SQLAlchemy's ``executemany`` builds a parameter dictionary and runs the bind processors row by row
in Python: for the tens of thousands of rows a load or a summary rebuild writes, that costs more
than the database's own work. Here PostgreSQL (psycopg) gets ``COPY … FROM STDIN`` and SQLite one
``executemany`` of plain tuples whose values went through SQLAlchemy's own bind processors column by
column, so dates and datetimes are stored exactly as SQLAlchemy writes and compares them. Other
drivers fall back to SQLAlchemy's insert. ``upsert_columns`` does the same for an insert-or-update:
SQLite one ``executemany`` of ``INSERT … ON CONFLICT DO UPDATE``, PostgreSQL a COPY into a temporary
table and one ``INSERT … SELECT … ON CONFLICT``; another PostgreSQL driver SQLAlchemy's upsert.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _array_element(value) -> str:
    if value is None:
        return "NULL"
    text = str(value)  # numbers and timestamps as PostgreSQL reads them
    if '"' in text or "\\" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def array_literal(values: list) -> str:
    """A PostgreSQL array literal of ``values`` (None: NULL), to pass as one text parameter cast to the array
    type: psycopg's list dumper checks every element with a regular expression, which took about 2 s of a
    5,000-row import at city scale (the percentile walks' arrays, the summary rows looked up by key)."""
    try:  # ids and codes: plain strings, joined at once
        body = '","'.join(values)
    except TypeError:  # a None or a number
        body = None
    if values and body is not None and '"' not in body and "\\" not in body:
        return '{"' + body + '"}'
    return "{" + ",".join(map(_array_element, values)) + "}"


def bound_column(conn: Connection, column, values: Sequence) -> list:
    """``values`` (None for NULL) as SQLAlchemy's bind processor for ``column``'s type turns them into
    DB-API values on this connection's dialect."""
    dialect = conn.dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return list(values)
    return [None if v is None else process(v) for v in values]


def insert_columns(conn: Connection, table, names: Sequence[str], columns: Sequence[Sequence], *,
                   bound: bool = False, chunk: int = 20_000) -> None:
    """Insert rows given column by column (``columns[i]`` holds column ``names[i]``; plain Python values,
    None for NULL) into ``table`` on ``conn``, in its transaction. ``bound``: the SQLite values went through
    :func:`bound_column` (or an equivalent) already."""
    names = list(names)
    if not columns or not len(columns[0]):
        return
    dialect = conn.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            copy_rows(cursor, table.name, names, columns)
        finally:
            cursor.close()
        return
    if dialect.name == "sqlite":
        _sqlite_insert(conn, table, names, columns, bound=bound, chunk=chunk)
        return
    rows = list(zip(*columns, strict=True))
    statement = table.insert()
    for start in range(0, len(rows), chunk):
        conn.execute(statement, [dict(zip(names, row, strict=True)) for row in rows[start:start + chunk]])


def upsert_columns(conn: Connection, table, keys: Sequence[str], names: Sequence[str], columns: Sequence[Sequence],
                   *, chunk: int = 20_000) -> None:
    """Insert rows given column by column (as :func:`insert_columns`), a row whose ``keys`` exist updating
    that row's other columns (SQLite and PostgreSQL: ``ON CONFLICT … DO UPDATE``)."""
    names = list(names)
    if not columns or not len(columns[0]):
        return
    dialect = conn.dialect
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n not in keys)
    conflict = f"ON CONFLICT ({_quoted(keys)}) DO UPDATE SET {updates}"
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        # the rows COPYed into a temporary table of the columns' types, then one INSERT … SELECT: psycopg
        # writes COPY rows in C, where arrays of parameters went through Python value by value (3 times slower)
        staged = f"lg_staged_{table.name}"
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(f'CREATE TEMPORARY TABLE "{staged}" ON COMMIT DROP AS '
                           f'SELECT {_quoted(names)} FROM "{table.name}" WITH NO DATA')
            copy_rows(cursor, staged, names, columns)
            cursor.execute(f'INSERT INTO "{table.name}" ({_quoted(names)}) SELECT {_quoted(names)} FROM "{staged}" '
                           f"{conflict}")
            cursor.execute(f'DROP TABLE "{staged}"')
        finally:
            cursor.close()
        return
    if dialect.name == "postgresql":  # another driver than psycopg: SQLAlchemy's upsert
        from sqlalchemy.dialects.postgresql import insert

        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_={n: statement.excluded[n] for n in names if n not in keys})
        rows = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        for start in range(0, len(rows), chunk):
            conn.execute(statement, rows[start:start + chunk])
        return
    _sqlite_insert(conn, table, names, columns, chunk=chunk, on_conflict=conflict)


def copy_rows(cursor, table_name: str, names: list[str], columns: Sequence[Sequence]) -> None:
    """``COPY … FROM STDIN`` of rows given column by column, on a psycopg cursor."""
    with cursor.copy(f'COPY "{table_name}" ({_quoted(names)}) FROM STDIN') as copy:
        for row in zip(*columns, strict=True):
            copy.write_row(row)


def _sqlite_insert(conn: Connection, table, names: list[str], columns: Sequence[Sequence], *, bound: bool = False,
                   chunk: int, on_conflict: str = "") -> None:
    """One ``executemany`` of an ``INSERT`` (with ``on_conflict`` appended) of the rows as bound tuples."""
    if not bound:
        columns = [bound_column(conn, table.c[name], values) for name, values in zip(names, columns, strict=True)]
    rows = list(zip(*columns, strict=True))
    sql = f'INSERT INTO "{table.name}" ({_quoted(names)}) VALUES ({", ".join("?" for _ in names)}) {on_conflict}'
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        for start in range(0, len(rows), chunk):
            cursor.executemany(sql, rows[start:start + chunk])
    finally:
        cursor.close()
