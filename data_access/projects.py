"""Social-governance practice projects: how many, at which stage, what they solved.

A period's projects are those *applied for* (申报) in it; their status is the
status at the reference date.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select

from data_access import schema
from data_access.database import Database
from data_access.domain import PROJECT_COMPLETED, PROJECT_STATUSES
from data_access.scope import Scope
from data_access.sql import date_filter, place_filter

P, PI = schema.projects, schema.project_indicators


def _in_scope(scope: Scope):
    return [place_filter(P.c.community_code, scope), date_filter(P.c.applied_on, scope.period)]


def project_stage_counts(db: Database, scope: Scope) -> pd.DataFrame:
    """Projects per status, every status listed (zero where none), in lifecycle order."""
    stmt = select(P.c.status, func.count().label("projects")).where(*_in_scope(scope)).group_by(P.c.status)
    counts = db.frame(stmt).set_index("status")["projects"]
    frame = pd.DataFrame({"status": PROJECT_STATUSES})
    frame["projects"] = frame["status"].map(counts).fillna(0).astype(int)
    return frame


def project_totals(db: Database, scope: Scope) -> pd.DataFrame:
    """One row: projects, completed, budget and spending, residents taking part, difficulties solved."""
    stmt = select(
        func.count().label("projects"),
        func.coalesce(func.sum(case((P.c.status == PROJECT_COMPLETED, 1), else_=0)), 0).label("completed"),
        func.coalesce(func.sum(P.c.budget_yuan), 0).label("budget_yuan"),
        func.coalesce(func.sum(P.c.spent_yuan), 0).label("spent_yuan"),
        func.coalesce(func.sum(P.c.residents_participating), 0).label("residents_participating"),
        func.coalesce(func.sum(P.c.difficulties_solved), 0).label("difficulties_solved"),
    ).where(*_in_scope(scope))
    return db.frame(stmt)


def project_indicators(db: Database) -> pd.DataFrame:
    """The 18 acceptance indicators with definition, direction, weight and target."""
    return db.frame(select(PI).order_by(PI.c.seq))
