"""Social-governance practice projects: how many, at which stage, what they solved.

A period's projects are those *applied for* (申报) in it; their status is the
status at the reference date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Date, Float, Integer, and_, case, cast, func, literal, or_, select, union_all

from data_access import schema, summary_rows
from data_access.database import Database
from data_access.domain import PROJECT_COMPLETED, PROJECT_STATUSES
from data_access.scope import Scope
from data_access.sql import capped, date_filter, day_number, place_filter, ratio

P, PI, S = schema.projects, schema.project_indicators, schema.project_scores


def _in_scope(scope: Scope, table=P):
    """The scope's projects: by their community and application date, as ``table`` holds them."""
    return [place_filter(table.c.community_code, scope), date_filter(table.c.applied_on, scope.period)]


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


# --- the progress board, timeline, overdue work, roll-ups and acceptance (issue 4) ----------------

M, ST, SC = schema.project_milestones, schema.streets, schema.communities
#: an indicator counts for at most 120% of its target in a project's weighted total (as the evaluation composite)
ACCEPTANCE_CAP = 1.2
#: default for "stalled": no milestone done for this many days
STALLED_DAYS = 90
#: the columns a breakdown may group by
BREAKDOWNS = {"category": P.c.category, "funding_source": P.c.funding_source, "need": P.c.need,
              "lead_unit": P.c.lead_unit}


def _days_from(start, reference: date):
    """Whole days from a date column to the reference date."""
    return cast(day_number(literal(reference, Date)) - day_number(start), Integer)


def last_done_select():
    """Per project: the latest milestone done, and how many are done of how many."""
    return (
        select(M.c.project_code, func.max(M.c.done_on).label("last_done"),
               func.count(M.c.done_on).label("milestones_done"), func.count().label("milestones"))
        .group_by(M.c.project_code)
    )


def _stage_since(last_done):
    """When a project entered its current status (what 'days in stage' counts from)."""
    return case(
        (P.c.status == "申报", P.c.applied_on),
        (P.c.status == "立项", func.coalesce(P.c.approved_on, P.c.applied_on)),
        (P.c.status == "实施", func.coalesce(P.c.actual_start, P.c.approved_on, P.c.applied_on)),
        (P.c.status.in_(["验收", PROJECT_COMPLETED]), func.coalesce(P.c.actual_end, P.c.actual_start, P.c.applied_on)),
        else_=func.coalesce(last_done.c.last_done, P.c.actual_start, P.c.approved_on, P.c.applied_on),
    )


def stage_select():
    """Per project, one row each: its status, when it entered it, its milestones (latest done, done, all),
    and its community and application date (the board's scope, read from the stage table alone)."""
    last = last_done_select().subquery("last_done")
    return (
        select(P.c.code.label("project_code"), P.c.status, _stage_since(last).label("stage_since"), last.c.last_done,
               func.coalesce(last.c.milestones_done, 0).label("milestones_done"),
               func.coalesce(last.c.milestones, 0).label("milestones"), P.c.community_code, P.c.applied_on)
        .select_from(P.outerjoin(last, last.c.project_code == P.c.code))
    )


@dataclass(frozen=True)
class _Stages:
    """Where a query finds each project's stage (:func:`stage_select` as ``table``) and projects joined to it."""

    table: object
    joined: object


def _stages(db: Database) -> _Stages:
    """The loader's indexed summary of :func:`stage_select` when built, else the subquery itself."""
    if summary_rows.covered(db, None):
        stage = schema.project_stage_summary.alias("stage")
    else:
        stage = stage_select().subquery("stage")
    return _Stages(stage, P.join(stage, stage.c.project_code == P.c.code))


def _last_activity(stage):
    """A project's latest sign of life: its last milestone done, else its approval, else its application."""
    return func.coalesce(stage.c.last_done, P.c.approved_on, P.c.applied_on)


def _board_select(stages: _Stages, scope: Scope | None, reference: date):
    """Every project of the scope (None: of the district) with what a board card and the list need (unordered).

    Days in stage, days overdue and days since the last milestone are counted to the
    data's reference date, never the wall clock.
    """
    stage = stages.table
    last_activity = _last_activity(stage)
    overdue = case(
        (and_(P.c.status != PROJECT_COMPLETED, P.c.planned_end < reference), _days_from(P.c.planned_end, reference)),
        else_=None,
    )
    return (
        select(
            P.c.code, P.c.title, P.c.status, P.c.category, P.c.funding_source, P.c.lead_unit, P.c.need,
            P.c.community_code, SC.c.name.label("community_name"), SC.c.street_code,
            ST.c.name.label("street_name"), ST.c.name_en.label("street_name_en"),
            P.c.applied_on, P.c.approved_on, P.c.planned_start, P.c.planned_end, P.c.actual_start, P.c.actual_end,
            P.c.budget_yuan, P.c.spent_yuan, P.c.progress_pct, P.c.residents_participating,
            stage.c.stage_since, _days_from(stage.c.stage_since, reference).label("days_in_stage"),
            stage.c.last_done, _days_from(last_activity, reference).label("days_since_milestone"),
            stage.c.milestones_done, stage.c.milestones, overdue.label("days_overdue"),
        )
        .select_from(stages.joined)
        .join(SC, SC.c.code == P.c.community_code)
        .join(ST, ST.c.code == SC.c.street_code)
        .where(*(_in_scope(scope, stage) if scope is not None else []))
    )


def project_board(db: Database, scope: Scope, reference: date) -> pd.DataFrame:
    """Every project of the scope, by code, as the board's cards describe them (exports and checks).

    The page itself reads :func:`board_view`: a city has thousands.
    """
    return db.frame(_board_select(_stages(db), scope, reference).order_by(P.c.code))


#: the board's sort orders: key -> (column of the board, ascending); ties go by code.
#: Most days in stage first is the earliest stage start first.
BOARD_SORTS = {"days_in_stage": ("stage_since", True), "progress_asc": ("progress_pct", True),
               "budget": ("budget_yuan", False), "applied": ("applied_on", False)}
#: the columns the board filters on (several values each; none picked = any)
BOARD_FILTERS = ("category", "funding_source", "status", "lead_unit")


@dataclass(frozen=True)
class BoardView:
    """What the board, its timeline and its list show: values picked per column, a search, a sort."""

    category: tuple[str, ...] = ()
    funding_source: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    lead_unit: tuple[str, ...] = ()
    search: str = ""
    sort: str = "days_in_stage"

    def __post_init__(self):
        if self.sort not in BOARD_SORTS:
            raise ValueError(f"unknown sort {self.sort!r}; known: {', '.join(BOARD_SORTS)}")


def _view_where(view: BoardView, stages: _Stages) -> list:
    """The view's filters and search (the status read from the stage table, as the board ranks by it)."""
    where = [(stages.table.c.status if c == "status" else P.c[c]).in_(getattr(view, c))
             for c in BOARD_FILTERS if getattr(view, c)]
    return where + _search_where(view.search)


def _view_order(view: BoardView, stages: _Stages) -> list:
    """The view's order, ties by code, in the stage table's columns where it can: on the summary, a
    stage's first few projects by days in stage are then an index range read, not a sort of them all."""
    column, ascending = BOARD_SORTS[view.sort]
    key = stages.table.c.stage_since if column == "stage_since" else P.c[column]
    return [key if ascending else key.desc(), stages.table.c.project_code]


def board_view(db: Database, scope: Scope, reference: date, view: BoardView, per_column: int,
               list_rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the board draws for a view, in two queries however many projects match:

    - the cards: the first ``per_column`` of each stage in the view's order, stage by stage, with
      ``column_total``, how many projects that stage has in the view (stages with none are absent);
    - the list: the first ``list_rows`` projects of the view, in its order.

    Each stage's cards and the list's rows are a SELECT with a LIMIT of their own (one UNION ALL),
    so a city's thousands of projects are never read into Python.
    """
    stages = _stages(db)
    where, order = _view_where(view, stages), _view_order(view, stages)
    matching = _board_select(stages, scope, reference).where(*where)
    statuses = sorted(view.status or PROJECT_STATUSES)
    parts = [matching.where(stages.table.c.status == status).order_by(*order).limit(per_column)
             for status in statuses]
    parts.append(matching.order_by(*order).limit(list_rows))
    rows = db.frame(union_all(*(part.add_columns(literal(i).label("board_part")).subquery().select()
                                for i, part in enumerate(parts))))
    column, ascending = BOARD_SORTS[view.sort]  # a UNION's rows come in no promised order
    rows = rows.sort_values(["board_part", column, "code"], ascending=[True, ascending, True], kind="stable")
    totals = db.frame(select(stages.table.c.status, func.count().label("projects")).select_from(stages.joined)
                      .where(*_in_scope(scope, stages.table), *where).group_by(stages.table.c.status))
    cards = rows[rows["board_part"] < len(statuses)].drop(columns="board_part").reset_index(drop=True)
    cards["column_total"] = cards["status"].map(totals.set_index("status")["projects"]).astype(int)
    listed = rows[rows["board_part"] == len(statuses)].drop(columns="board_part").reset_index(drop=True)
    return cards, listed


def board_list(db: Database, scope: Scope, reference: date, view: BoardView) -> pd.DataFrame:
    """Every project of the view, in its order (the list's downloads)."""
    stages = _stages(db)
    matching = _board_select(stages, scope, reference).where(*_view_where(view, stages))
    return db.frame(matching.order_by(*_view_order(view, stages)))


def board_options(db: Database, scope: Scope) -> pd.DataFrame:
    """Per filter column (``column``), the values its projects take (``value``), each once, sorted."""
    columns = [c for c in BOARD_FILTERS if c != "status"]
    combos = db.frame(select(*[P.c[c] for c in columns]).where(*_in_scope(scope)).group_by(*[P.c[c] for c in columns]))
    frame = pd.DataFrame([(c, v) for c in columns for v in combos[c].dropna().unique()], columns=["column", "value"])
    return frame.sort_values(["column", "value"], ignore_index=True)  # code-point order on every engine


def project_titles(db: Database, scope: Scope, search: str = "", limit: int | None = None) -> pd.DataFrame:
    """Code and title of the scope's projects whose code or title holds ``search`` (any case, taken
    literally, as the board's search), by code, at most ``limit`` (the project picker: a city has
    thousands, a list to pick from needs a search first)."""
    stmt = select(P.c.code, P.c.title).where(*_in_scope(scope), *_search_where(search)).order_by(P.c.code)
    return db.frame(stmt.limit(limit) if limit is not None else stmt)


def _search_where(search: str) -> list:
    """A project's code or title holds the text, in any case; ``%`` and ``_`` are plain characters."""
    if not search:
        return []
    return [or_(P.c.title.icontains(search, autoescape=True), P.c.code.icontains(search, autoescape=True))]


def overdue_projects(db: Database, scope: Scope, reference: date) -> pd.DataFrame:
    """Projects past their planned end and not completed, most overdue first.

    A project whose planned end IS the reference date is not yet overdue; the day after it is.
    """
    stmt = (
        select(
            P.c.code, P.c.title, SC.c.name.label("community_name"), ST.c.name.label("street_name"), P.c.status,
            P.c.lead_unit, P.c.planned_end, P.c.progress_pct,
            _days_from(P.c.planned_end, reference).label("days_overdue"),
        )
        .join(SC, SC.c.code == P.c.community_code)
        .join(ST, ST.c.code == SC.c.street_code)
        .where(*_in_scope(scope), P.c.status != PROJECT_COMPLETED, P.c.planned_end < reference)
        .order_by(P.c.planned_end, P.c.code)
    )
    return db.frame(stmt)


def stalled_projects(db: Database, scope: Scope, reference: date, days: int = STALLED_DAYS) -> pd.DataFrame:
    """Unfinished projects with no milestone done for more than ``days`` days, longest silence first.

    With no milestone done yet, the silence counts from approval (or application).
    """
    stages = _stages(db)
    last_activity = _last_activity(stages.table)
    cutoff = reference - timedelta(days=days)
    stmt = (
        select(
            P.c.code, P.c.title, SC.c.name.label("community_name"), ST.c.name.label("street_name"), P.c.status,
            P.c.lead_unit, last_activity.label("last_activity"),
            _days_from(last_activity, reference).label("days_since_milestone"), P.c.progress_pct,
        )
        .select_from(stages.joined)
        .join(SC, SC.c.code == P.c.community_code)
        .join(ST, ST.c.code == SC.c.street_code)
        .where(*_in_scope(scope), P.c.status != PROJECT_COMPLETED, last_activity < cutoff)
        .order_by(last_activity, P.c.code)
    )
    return db.frame(stmt)


def _weighted_progress():
    """Decidim-style roll-up: Σ budget·progress / Σ budget (percent)."""
    return ratio(func.sum(P.c.budget_yuan * P.c.progress_pct), func.sum(P.c.budget_yuan))


def progress_rollup(db: Database, scope: Scope, level: str = "street") -> pd.DataFrame:
    """Budget-weighted progress per street or community (or one district row), with projects and budget.

    Columns: code, name, projects, completed, budget_yuan, weighted_progress (0–100), mean_progress.
    """
    measures = [
        func.count().label("projects"),
        func.sum(case((P.c.status == PROJECT_COMPLETED, 1), else_=0)).label("completed"),
        func.sum(P.c.budget_yuan).label("budget_yuan"),
        _weighted_progress().label("weighted_progress"),
        func.avg(P.c.progress_pct).label("mean_progress"),
    ]
    base = select().select_from(P).join(SC, SC.c.code == P.c.community_code).join(ST, ST.c.code == SC.c.street_code)
    if level == "community":
        keys = [SC.c.code, SC.c.name, SC.c.street_code]
    elif level == "street":
        keys = [ST.c.code, ST.c.name, ST.c.name_en]
    elif level == "district":
        keys = []
    else:
        raise ValueError(f"unknown level {level!r}")
    stmt = base.add_columns(*keys, *measures).where(*_in_scope(scope))
    if keys:
        stmt = stmt.group_by(*keys).order_by(keys[0])
    frame = db.frame(stmt)
    if not keys and frame["projects"].iloc[0] == 0:
        frame = frame.iloc[0:0]
    return frame


def projects_by(db: Database, scope: Scope, dimension: str) -> pd.DataFrame:
    """Projects, completed, budget, spending and weighted progress per category, funding source, need…"""
    column = BREAKDOWNS[dimension]
    stmt = (
        select(
            column.label("value"),
            func.count().label("projects"),
            func.sum(case((P.c.status == PROJECT_COMPLETED, 1), else_=0)).label("completed"),
            func.sum(P.c.budget_yuan).label("budget_yuan"),
            func.sum(P.c.spent_yuan).label("spent_yuan"),
            func.sum(P.c.residents_participating).label("residents_participating"),
            _weighted_progress().label("weighted_progress"),
        )
        .where(*_in_scope(scope))
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return db.frame(stmt)


def project_funnel(db: Database, scope: Scope) -> pd.DataFrame:
    """How many projects reached each lifecycle stage (a funnel: applied ≥ approved ≥ started ≥ …)."""
    reached = {
        "申报": P.c.applied_on.is_not(None),
        "立项": P.c.approved_on.is_not(None),
        "实施": P.c.actual_start.is_not(None),
        "验收": P.c.actual_end.is_not(None),
        PROJECT_COMPLETED: P.c.status == PROJECT_COMPLETED,
    }
    stmt = select(*[func.coalesce(func.sum(case((cond, 1), else_=0)), 0).label(f"s{i}")
                    for i, cond in enumerate(reached.values())]).where(*_in_scope(scope))
    row = db.frame(stmt).iloc[0]
    return pd.DataFrame({"stage": list(reached), "projects": [int(row[f"s{i}"]) for i in range(len(reached))]})


def project_milestones(db: Database, scope: Scope, codes: list[str]) -> pd.DataFrame:
    """Dated milestones of the given projects (only those inside the scope's place)."""
    if not codes:
        return pd.DataFrame(columns=["project_code", "seq", "name", "planned_on", "done_on"])
    stmt = (
        select(M.c.project_code, M.c.seq, M.c.name, M.c.planned_on, M.c.done_on)
        .join(P, P.c.code == M.c.project_code)
        .where(M.c.project_code.in_(codes), place_filter(P.c.community_code, scope))
        .order_by(M.c.project_code, M.c.seq)
    )
    return db.frame(stmt)


def project_detail(db: Database, scope: Scope, code: str) -> pd.DataFrame:
    """One project with its community and street — empty when it does not exist or lies outside the
    scope's place (and so outside a street role's street). The period does not hide a linked project."""
    stmt = (
        select(P, SC.c.name.label("community_name"), SC.c.street_code, ST.c.name.label("street_name"),
               ST.c.name_en.label("street_name_en"))
        .join(SC, SC.c.code == P.c.community_code)
        .join(ST, ST.c.code == SC.c.street_code)
        .where(P.c.code == code, place_filter(P.c.community_code, scope))
    )
    return db.frame(stmt)


def _achievement():
    """An indicator's score over its target (target over score where lower is better), capped."""
    raw = case(
        (PI.c.direction == "lower",
         case((S.c.score <= 0, ACCEPTANCE_CAP), else_=cast(PI.c.target, Float) / func.nullif(S.c.score, 0))),
        else_=cast(S.c.score, Float) / func.nullif(PI.c.target, 0),
    )
    return capped(raw, ACCEPTANCE_CAP)


def project_scorecard(db: Database, scope: Scope, code: str) -> pd.DataFrame:
    """The 18 indicators of one project: score, weight, target, achievement and weighted shortfall.

    Shortfall = weight × (1 − achievement) for indicators below target, else 0; the total
    is 100 × Σ weight·achievement / Σ weight (100 = every indicator on target).
    """
    achievement = _achievement()
    stmt = (
        select(
            PI.c.code, PI.c.seq, PI.c.name, PI.c.name_en, PI.c.direction, PI.c.weight, PI.c.target,
            S.c.score, S.c.year, achievement.label("achievement"),
            case((achievement < 1, PI.c.weight * (1 - achievement)), else_=0.0).label("weighted_shortfall"),
        )
        .select_from(PI)
        .join(S, and_(S.c.indicator_code == PI.c.code, S.c.project_code == code))
        .join(P, P.c.code == S.c.project_code)
        .where(place_filter(P.c.community_code, scope))
        .order_by(PI.c.seq)
    )
    return db.frame(stmt)


def project_totals_select(scope: Scope | None):
    """Each scored project of the scope (every project with None): its weighted acceptance total."""
    total = (100.0 * func.sum(PI.c.weight * _achievement()) / func.sum(PI.c.weight)).label("total")
    return (
        select(S.c.project_code, P.c.community_code, SC.c.street_code, total,
               func.count(S.c.score).label("indicators_scored"))
        .join(PI, PI.c.code == S.c.indicator_code)
        .join(P, P.c.code == S.c.project_code)
        .join(SC, SC.c.code == P.c.community_code)
        .where(*(_in_scope(scope) if scope is not None else []))
        .group_by(S.c.project_code, P.c.community_code, SC.c.street_code)
    )


def _project_totals(db: Database, scope: Scope):
    """:func:`project_totals_select` as a subquery, read from the loader's per-project summary when built."""
    if not summary_rows.covered(db, None):
        return project_totals_select(scope).subquery("totals")
    A = schema.project_acceptance_summary
    return (
        select(A.c.project_code, P.c.community_code, SC.c.street_code, A.c.total, A.c.indicators_scored)
        .join(P, P.c.code == A.c.project_code)
        .join(SC, SC.c.code == P.c.community_code)
        .where(*_in_scope(scope))
        .subquery("totals")
    )


def acceptance_totals(db: Database, scope: Scope) -> pd.DataFrame:
    """Each scored project's weighted acceptance total (0–120), for the distribution of totals."""
    sub = _project_totals(db, scope)
    stmt = (
        select(sub.c.project_code, P.c.title, SC.c.name.label("community_name"), sub.c.street_code,
               sub.c.total, sub.c.indicators_scored)
        .join(P, P.c.code == sub.c.project_code)
        .join(SC, SC.c.code == sub.c.community_code)
        .order_by(sub.c.total.desc(), sub.c.project_code)
    )
    return db.frame(stmt)


def acceptance_average(db: Database, scope: Scope) -> pd.DataFrame:
    """One row: projects scored and their average weighted total in the scope (NULL when none)."""
    sub = _project_totals(db, scope)
    return db.frame(select(func.count().label("projects_scored"), func.avg(sub.c.total).label("average_total")))


def indicator_scores_select():
    """Every score with its project's community and application day and its achievement: what the
    indicator summary (data_access.summary_rows) adds up per unit, span and indicator."""
    return (select(P.c.community_code, P.c.applied_on, S.c.indicator_code, S.c.score,
                   _achievement().label("achievement"))
            .join(P, P.c.code == S.c.project_code).join(PI, PI.c.code == S.c.indicator_code))


def _indicator_figures(db: Database, scope: Scope, level: str | None):
    """(source, unit column, figure columns, conditions) for the per-indicator averages: the loader's
    indicator summary when it holds the scope's span (a few rows per unit), else the raw scores."""
    # (a street's row of the summary holds the whole street, not the one community a scope may name)
    if summary_rows.covered(db, scope.period) and not (level == "street" and scope.community):
        summary = schema.indicator_span_summary
        figures = [(func.sum(summary.c.score_sum) / func.nullif(func.sum(summary.c.score_count), 0))
                   .label("average_score"),
                   (func.sum(summary.c.achievement_sum) / func.nullif(func.sum(summary.c.achievement_count), 0))
                   .label("average_achievement"),
                   ratio(func.sum(summary.c.below_target), func.sum(summary.c.scores)).label("share_below_target"),
                   func.sum(summary.c.scores).label("projects")]
        return (summary, summary.c.unit_code, summary.c.indicator_code, figures,
                summary_rows.span_where(summary, scope, level or None))
    achievement = _achievement()
    figures = [func.avg(S.c.score).label("average_score"), func.avg(achievement).label("average_achievement"),
               ratio(func.sum(case((achievement < 1, 1), else_=0)), func.count()).label("share_below_target"),
               func.count().label("projects")]
    raw = (S.join(P, P.c.code == S.c.project_code).join(PI, PI.c.code == S.c.indicator_code)
           .join(SC, SC.c.code == P.c.community_code))
    unit = SC.c.street_code if level == "street" else P.c.community_code
    return raw, unit, S.c.indicator_code, figures, _in_scope(scope)


def indicator_averages(db: Database, scope: Scope, level: str = "street") -> pd.DataFrame:
    """Average score and achievement per indicator per street or community (long format)."""
    if level not in ("street", "community"):
        raise ValueError(f"unknown level {level!r}")
    source, unit_code, indicator_code, figures, where = _indicator_figures(db, scope, level)
    per_unit = (select(unit_code.label("code"), indicator_code.label("indicator_code"), *figures[:2], figures[3])
                .select_from(source).where(*where).group_by(unit_code, indicator_code).subquery("per_unit"))
    unit = [ST.c.code, ST.c.name, ST.c.name_en] if level == "street" else [SC.c.code, SC.c.name, SC.c.street_code]
    stmt = (
        select(*unit, PI.c.code.label("indicator_code"), PI.c.seq, PI.c.name.label("indicator_name"),
               PI.c.name_en.label("indicator_name_en"), per_unit.c.average_score, per_unit.c.average_achievement,
               per_unit.c.projects)
        .join(per_unit, per_unit.c.code == unit[0])
        .join(PI, PI.c.code == per_unit.c.indicator_code)
        .order_by(unit[0], PI.c.seq)
    )
    return db.frame(stmt)


def weakest_indicators(db: Database, scope: Scope) -> pd.DataFrame:
    """Per indicator: average score against target, average achievement and share of projects
    below target, weakest (lowest average achievement) first."""
    source, _, indicator_code, figures, where = _indicator_figures(db, scope, None)
    per_indicator = (select(indicator_code.label("indicator_code"), *figures)
                     .select_from(source).where(*where).group_by(indicator_code).subquery("per_indicator"))
    stmt = (
        select(PI.c.code, PI.c.name, PI.c.name_en, PI.c.direction, PI.c.weight, PI.c.target,
               *[per_indicator.c[f.name] for f in figures])
        .join(per_indicator, per_indicator.c.indicator_code == PI.c.code)
        .order_by(per_indicator.c.average_achievement, PI.c.code)
    )
    return db.frame(stmt)
