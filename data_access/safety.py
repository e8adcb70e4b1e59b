"""Monthly safety outcomes and their average yearly decline.

The decline compares like with like: T(y) is the total over the calendar months
the period covers in its last year (January–October for the whole sample), for
the period's first year and its last; with a one-year period the year before is
the first. Average yearly decline = 1 − (T(last) / T(first)) ^ (1 / (last − first)),
the compound rate the article's 21.2%, 21.49% and 30% are read as.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, literal, select

from data_access import schema, summary_rows
from data_access.database import Database
from data_access.domain import SAFETY_MEASURES
from data_access.scope import Scope
from data_access.sql import date_filter, month_of, place_filter, year_of
from data_access.units import breakdown_level, unit_map

SM = schema.safety_months


def _source(db: Database, scope: Scope):
    """(table, its rows in the scope): the per-unit month summary when built (a few rows for the
    district), else safety_months filtered to the scope's communities."""
    if summary_rows.covered(db, None):
        return summary_rows.safety_source(scope), []
    return SM, [place_filter(SM.c.community_code, scope)]


def safety_by_month(db: Database, scope: Scope) -> pd.DataFrame:
    """Alerts and disputes per month in the scope."""
    src, in_scope = _source(db, scope)
    month = month_of(src.c.month).label("month")
    stmt = (
        select(month, *[func.sum(src.c[m]).label(m) for m in SAFETY_MEASURES])
        .where(*in_scope, date_filter(src.c.month, scope.period))
        .group_by(month)
        .order_by(month)
    )
    return db.frame(stmt)


def decline_window(scope: Scope, data_start: date) -> tuple[int, int, list[int]]:
    """(first year, last year, calendar months compared) for the scope's period."""
    period = scope.period
    last = period.end.year
    first = period.start.year if period.start.year < last else last - 1
    first = max(first, data_start.year)
    start_month = period.start.month if period.start.year == last else 1
    return first, last, list(range(start_month, period.end.month + 1))


def safety_yearly_decline(db: Database, scope: Scope, data_start: date) -> pd.DataFrame:
    """Per measure: the two yearly totals compared and the average yearly decline (a fraction)."""
    first, last, months = decline_window(scope, data_start)
    columns = ["measure", "first_year", "last_year", "first_total", "last_total", "decline"]
    if first >= last:
        return pd.DataFrame(columns=columns)
    month_days = [date(y, m, 1) for y in (first, last) for m in months]
    src, in_scope = _source(db, scope)
    year = year_of(src.c.month).label("year")
    stmt = (
        select(year, *[func.sum(src.c[m]).label(m) for m in SAFETY_MEASURES])
        .where(*in_scope, src.c.month.in_(month_days))
        .group_by(year)
    )
    totals = db.frame(stmt).set_index("year")
    rows = []
    for measure in SAFETY_MEASURES:
        t_first = totals[measure].get(first) if first in totals.index else None
        t_last = totals[measure].get(last) if last in totals.index else None
        decline = average_yearly_decline(t_first, t_last, last - first)
        rows.append([measure, first, last, t_first, t_last, decline])
    return pd.DataFrame(rows, columns=columns)


def average_yearly_decline(first_total, last_total, years: int) -> float | None:
    """1 − (T(last) / T(first)) ^ (1 / years); None without a positive first total."""
    decline = yearly_declines(pd.Series([first_total], dtype=float), pd.Series([last_total], dtype=float), years)[0]
    return None if pd.isna(decline) else float(decline)


def yearly_declines(first_totals: pd.Series, last_totals: pd.Series, years: int) -> pd.Series:
    """:func:`average_yearly_decline` for aligned series of totals (NaN where it is None)."""
    first_totals, last_totals = first_totals.astype(float), last_totals.astype(float)
    if years <= 0:
        return pd.Series(float("nan"), index=first_totals.index)
    usable = (first_totals > 0) & last_totals.notna()
    return (1 - (last_totals / first_totals.where(usable)) ** (1 / years)).where(usable)


def _per_unit(db: Database, scope: Scope, period_of, *where) -> pd.DataFrame:
    """Each measure's total per unit (street, or community below the district) and ``period_of(month
    column)``, over the months matching ``where`` (functions of the month column): from the month summary's
    rows of that level when built (about 100 rows a month for the district), else from safety_months."""
    if summary_rows.covered(db, None):
        summary = schema.safety_month_summary
        in_scope = summary_rows.level_where(summary, scope, breakdown_level(scope))
        source, rows, unit_code = summary, summary, summary.c.unit_code
    else:
        units = unit_map(scope)
        source, rows, unit_code, in_scope = (SM.join(units, units.c.community_code == SM.c.community_code), SM,
                                             units.c.unit_code, [])
    month = rows.c.month
    key = period_of(month)
    return db.frame(
        select(unit_code.label("unit_code"), key, *[func.sum(rows.c[m]).label(m) for m in SAFETY_MEASURES])
        .select_from(source).where(*in_scope, *[condition(month) for condition in where])
        .group_by(unit_code, key)
    )


def _unit_names(db: Database, scope: Scope) -> pd.DataFrame:
    """unit_code, unit_name and population of every unit in the scope (units with no months included)."""
    units = unit_map(scope)
    return db.frame(select(units.c.unit_code, units.c.unit_name, func.sum(units.c.population).label("population"))
                    .group_by(units.c.unit_code, units.c.unit_name))


def safety_by_unit_month(db: Database, scope: Scope) -> pd.DataFrame:
    """Alerts and disputes per unit (street, or community below the district) and month."""
    frame = _per_unit(db, scope, lambda m: month_of(m).label("month"), lambda m: date_filter(m, scope.period))
    names = _unit_names(db, scope)[["unit_code", "unit_name"]]
    frame = names.merge(frame, on="unit_code")[["unit_code", "unit_name", "month", *SAFETY_MEASURES]]
    return frame.sort_values(["unit_code", "month"]).reset_index(drop=True)


def safety_by_unit(db: Database, scope: Scope, data_start: date) -> pd.DataFrame:
    """Per unit: each measure's total in the period, per 1,000 residents, and its average yearly decline.

    The decline uses the same window and formula as :func:`safety_yearly_decline`,
    so a negative decline means the measure rose there.
    """
    frame = _unit_names(db, scope)
    totals = _per_unit(db, scope, lambda m: literal(1).label("all"),
                       lambda m: date_filter(m, scope.period)).set_index("unit_code")
    for measure in SAFETY_MEASURES:
        frame[measure] = frame["unit_code"].map(totals[measure] if len(totals) else {}).fillna(0).astype(int)
        frame[f"{measure}_per_1000"] = 1000.0 * frame[measure] / frame["population"].where(frame["population"] > 0)
    first, last, months = decline_window(scope, data_start)
    for measure in SAFETY_MEASURES:
        frame[f"{measure}_decline"] = float("nan")
    if first < last:
        yearly = _per_unit(db, scope, lambda m: year_of(m).label("year"),
                           lambda m: m.in_([date(y, m_, 1) for y in (first, last) for m_ in months]))
        of_year = {y: yearly[yearly["year"] == y].set_index("unit_code") for y in (first, last)}
        codes = frame["unit_code"]
        for measure in SAFETY_MEASURES:
            frame[f"{measure}_decline"] = yearly_declines(codes.map(of_year[first][measure]),
                                                          codes.map(of_year[last][measure]), last - first)
    return frame.sort_values("unit_code").reset_index(drop=True)


def units_where_rising(by_unit: pd.DataFrame) -> pd.DataFrame:
    """One row per unit and measure whose average yearly decline is negative (the measure rose)."""
    rows = []
    for measure in SAFETY_MEASURES:
        rising = by_unit.loc[by_unit[f"{measure}_decline"] < 0]
        for item in rising.itertuples():
            rows.append([measure, item.unit_code, item.unit_name, getattr(item, f"{measure}_decline")])
    return pd.DataFrame(rows, columns=["measure", "unit_code", "unit_name", "decline"])
