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
from sqlalchemy import func, select

from data_access import schema
from data_access.database import Database
from data_access.domain import SAFETY_MEASURES
from data_access.scope import Scope
from data_access.sql import date_filter, month_of, place_filter, year_of

SM = schema.safety_months


def safety_by_month(db: Database, scope: Scope) -> pd.DataFrame:
    """Alerts and disputes per month in the scope."""
    month = month_of(SM.c.month).label("month")
    stmt = (
        select(month, *[func.sum(SM.c[m]).label(m) for m in SAFETY_MEASURES])
        .where(place_filter(SM.c.community_code, scope), date_filter(SM.c.month, scope.period))
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
    year = year_of(SM.c.month).label("year")
    stmt = (
        select(year, *[func.sum(SM.c[m]).label(m) for m in SAFETY_MEASURES])
        .where(place_filter(SM.c.community_code, scope), SM.c.month.in_(month_days))
        .group_by(year)
    )
    totals = db.frame(stmt).set_index("year")
    rows = []
    for measure in SAFETY_MEASURES:
        t_first = totals[measure].get(first) if first in totals.index else None
        t_last = totals[measure].get(last) if last in totals.index else None
        decline = None
        if t_first and t_last is not None:
            decline = 1 - (float(t_last) / float(t_first)) ** (1 / (last - first))
        rows.append([measure, first, last, t_first, t_last, decline])
    return pd.DataFrame(rows, columns=columns)
