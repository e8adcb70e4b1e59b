"""Portable SQL building blocks: scope filters, month buckets, durations, percentiles.

SQLite and PostgreSQL spell date arithmetic differently and SQLite has no
``percentile_cont``; these helpers compile to each dialect so the query modules
are written once and run unchanged on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ARRAY, Float, and_, any_, bindparam, case, cast, func, literal, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, Integer, String, Text

from data_access import schema
from data_access.bulk import array_literal
from data_access.scope import Period, Scope


class month_of(FunctionElement):
    """``'YYYY-MM'`` of a date or datetime column."""

    type = String()
    inherit_cache = True


@compiles(month_of)
def _month_of_default(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


class year_of(FunctionElement):
    """The calendar year of a date or datetime column, as an integer."""

    type = Integer()
    inherit_cache = True


@compiles(year_of)
def _year_of_default(element, compiler, **kw):
    return f"CAST(EXTRACT(YEAR FROM {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(year_of, "sqlite")
def _year_of_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%Y', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


class days_between(FunctionElement):
    """Days (fractional) from the first datetime to the second."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    start, end = list(element.clauses)
    # date_part, not EXTRACT: since PostgreSQL 14 EXTRACT returns numeric, and numeric arithmetic over the
    # open requests took a worklist's sort twice as long as the same in double precision
    return f"(date_part('epoch', {compiler.process(end, **kw)} - {compiler.process(start, **kw)}) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


class likely(FunctionElement):
    """A condition true for nearly every row, said so to SQLite's planner (``likelihood(X, 0.99)``): a page's
    period filter over the open requests made it pick a skip-scan of another index and sort them all (0.3 s
    on the city) instead of reading the wanted order's index and stopping early. Elsewhere the condition."""

    type = Boolean()
    inherit_cache = True


@compiles(likely)
def _likely_default(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(likely, "sqlite")
def _likely_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.99)"


class day_number(FunctionElement):
    """A date as a day count, so two of them subtract to whole days on SQLite and PostgreSQL alike."""

    type = Float()
    inherit_cache = True


@compiles(day_number)
def _day_number_default(element, compiler, **kw):
    return f"(CAST({compiler.process(element.clauses, **kw)} AS DATE) - DATE '2000-01-01')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    return f"julianday({compiler.process(element.clauses, **kw)})"


def among(dialect: str, column: ColumnElement, values: Sequence | None = None, *,
          name: str | None = None) -> ColumnElement:
    """``column IN values``, or IN the list given at execution as parameter ``name``. On PostgreSQL
    ``column = ANY(array)``, one parameter: an IN list is one placeholder per value, which SQLAlchemy renders
    and psycopg parses again (seconds for the hundred thousand ids an import looks up at city scale); the
    values go as one array literal (bulk.array_literal: psycopg's list dumper runs a regular expression per
    element)."""
    if dialect == "postgresql" and (name or len(values)):  # an empty array literal would have no type
        array = ARRAY(column.type)
        if name:
            return column == any_(bindparam(name, type_=array))
        return column == any_(cast(literal(array_literal(list(values)), Text), array))
    return column.in_(bindparam(name, expanding=True) if name else list(values))


# --- scope filters -------------------------------------------------------------


def place_filter(community_col: ColumnElement, scope: Scope) -> ColumnElement:
    """Rows of the scope's street and community (and only the role's street)."""
    conditions = []
    street = scope.effective_street
    if street:
        conditions.append(
            community_col.in_(
                select(schema.communities.c.code).where(schema.communities.c.street_code == street)
            )
        )
    if scope.community:
        conditions.append(community_col == scope.community)
    return and_(*conditions) if conditions else true()


def date_filter(col: ColumnElement, period: Period) -> ColumnElement:
    """A Date column inside the period (inclusive)."""
    return col.between(period.start, period.end)


def datetime_filter(col: ColumnElement, period: Period) -> ColumnElement:
    """A DateTime column inside the period: from its first midnight up to the next after its end."""
    return and_(col >= period.start_at, col < period.end_exclusive)


def ratio(numerator: ColumnElement, denominator: ColumnElement) -> ColumnElement:
    """numerator / denominator as a float, NULL when the denominator is zero."""
    return cast(numerator, Float) / func.nullif(denominator, 0)


def capped(value: ColumnElement, cap: float) -> ColumnElement:
    return case((value > cap, cap), else_=value)


# --- percentiles ---------------------------------------------------------------


def percentile_select(source: Select, value: str, groups: Sequence[str], percents: Sequence[int]) -> Select:
    """Percentiles of ``value`` per group, by linear interpolation (as pandas and percentile_cont).

    For n ordered values and p% the position is h = (n-1)·p/100; the result is
    v[floor(h)] + frac(h)·(v[floor(h)+1] − v[floor(h)]). Integer division and
    modulo give floor and fraction identically on SQLite and PostgreSQL, so no
    dialect-specific percentile function is needed.
    """
    src = source.subquery("pct_src")
    partition = [src.c[g] for g in groups]
    ranked = select(
        *partition,
        src.c[value].label("v"),
        func.row_number().over(partition_by=partition or None, order_by=src.c[value]).label("rn"),
        func.count().over(partition_by=partition or None).label("n"),
    ).where(src.c[value].is_not(None)).subquery("pct_ranked")
    columns = []
    for p in percents:
        lower = (ranked.c.n - 1) * p // 100 + 1
        frac = cast(((ranked.c.n - 1) * p) % 100, Float) / 100.0
        columns.append(
            func.sum(
                case(
                    (ranked.c.rn == lower, ranked.c.v * (1 - frac)),
                    (ranked.c.rn == lower + 1, ranked.c.v * frac),
                    else_=0.0,
                )
            ).label(f"p{p}")
        )
    grouped = [ranked.c[g] for g in groups]
    return select(*grouped, *columns).group_by(*grouped)


def month_starts(start: date, end: date) -> list[str]:
    """Every 'YYYY-MM' from start to end, so trend charts show months with no rows as zero."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
