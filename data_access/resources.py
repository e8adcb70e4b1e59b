"""Resource sharing: the district catalogues, their use, partner units, venues and the fund.

Catalogue sizes are district-wide lists; partner units and venues are counted
as a stock (joined or opened by the period's end); uses and fund entries are
flows within the period.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Float, case, cast, distinct, func, literal, select

from data_access import schema, summary_rows
from data_access.database import Database
from data_access.domain import (
    CATALOGUE_RESOURCE,
    CATALOGUE_SERVICE,
    FUND_IN,
    FUND_OUT,
    PARTNER_MERCHANT_KIND,
    PARTNER_SOCIAL_ORG_KIND,
    PARTNER_UNIT_KINDS,
)
from data_access.requests import wish_totals  # requests is the wishes' home
from data_access.scope import Scope
from data_access.sql import date_filter, datetime_filter, month_of, month_starts, place_filter, ratio

CI, U, PU, V, F = (schema.catalogue_items, schema.resource_uses, schema.partner_units, schema.venues,
                  schema.fund_entries)
C, S, R, W = schema.communities, schema.streets, schema.requests, schema.micro_wishes

DEMAND_MAP_PATH = Path(__file__).resolve().parent.parent / "config" / "resource_demand_map.toml"


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def resource_totals(db: Database, scope: Scope) -> pd.DataFrame:
    """One row of headline resource-sharing figures for the scope."""
    catalogue = db.frame(
        select(
            _count_if(CI.c.list_kind == CATALOGUE_RESOURCE).label("resource_items"),
            _count_if(CI.c.list_kind == CATALOGUE_SERVICE).label("service_items"),
        )
    )
    if summary_rows.covered(db, scope.period):
        own = summary_rows.resource_use_rows(scope).subquery("uses")
        uses = db.frame(select(func.coalesce(func.sum(own.c.uses), 0).label("resource_uses"),
                               func.coalesce(func.sum(own.c.beneficiaries), 0).label("beneficiaries")))
    else:
        uses = db.frame(
            select(
                func.count().label("resource_uses"),
                func.coalesce(func.sum(U.c.beneficiaries), 0).label("beneficiaries"),
            ).where(place_filter(U.c.community_code, scope), date_filter(U.c.used_on, scope.period))
        )
    partners = db.frame(
        select(
            _count_if(PU.c.kind.in_(PARTNER_UNIT_KINDS)).label("partner_units"),
            _count_if(PU.c.kind == PARTNER_SOCIAL_ORG_KIND).label("social_organisations"),
            _count_if(PU.c.kind == PARTNER_MERCHANT_KIND).label("caring_merchants"),
            func.coalesce(func.sum(PU.c.public_services_undertaken), 0).label("public_services"),
        ).where(place_filter(PU.c.community_code, scope), PU.c.joined_on <= scope.period.end)
    )
    venues = db.frame(
        select(func.count().label("venues")).where(
            place_filter(V.c.community_code, scope), V.c.opened_on <= scope.period.end
        )
    )
    fund = db.frame(
        select(
            func.coalesce(func.sum(case((F.c.direction == FUND_IN, F.c.amount_yuan), else_=0)), 0).label(
                "fund_raised_yuan"
            ),
            func.coalesce(func.sum(case((F.c.direction == FUND_OUT, F.c.amount_yuan), else_=0)), 0).label(
                "fund_spent_yuan"
            ),
        ).where(place_filter(F.c.community_code, scope), date_filter(F.c.entry_date, scope.period))
    )
    return pd.concat([catalogue, uses, partners, venues, fund], axis=1)


def _as_date_column(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """SQLite returns dates from MAX() as text, PostgreSQL as dates: make both dates (None when missing)."""
    values = pd.to_datetime(frame[column], errors="coerce")
    frame[column] = [v.date() if not pd.isna(v) else None for v in values]
    return frame


# --- catalogues -----------------------------------------------------------------


def catalogue_uptake(db: Database, scope: Scope) -> pd.DataFrame:
    """Every catalogue item (both lists, district-wide) with its use in the scope and period.

    Items nobody used still appear, with zero uses and no last use, so the page can
    list them.
    """
    used = (
        select(
            U.c.item_code,
            func.count(distinct(U.c.community_code)).label("communities"),
            func.count().label("uses"),
            func.sum(U.c.beneficiaries).label("beneficiaries"),
            func.max(U.c.used_on).label("last_used"),
        )
        .where(place_filter(U.c.community_code, scope), date_filter(U.c.used_on, scope.period))
        .group_by(U.c.item_code)
        .subquery("used")
    )
    stmt = (
        select(
            CI.c.code, CI.c.list_kind, CI.c.name, CI.c.kind, CI.c.provider_unit,
            func.coalesce(used.c.communities, 0).label("communities"),
            func.coalesce(used.c.uses, 0).label("uses"),
            func.coalesce(used.c.beneficiaries, 0).label("beneficiaries"),
            used.c.last_used,
        )
        .select_from(CI.outerjoin(used, used.c.item_code == CI.c.code))
        .order_by(CI.c.list_kind, CI.c.code)
    )
    return _as_date_column(db.frame(stmt), "last_used")


# --- partner units and venues (stocks at the period's end) -----------------------


def partners_by_street(db: Database, scope: Scope) -> pd.DataFrame:
    """Partner units joined by the period's end, per street and kind (爱心商家 included, kept apart by kind)."""
    stmt = (
        select(
            S.c.code.label("street_code"), S.c.name.label("street_name"), S.c.name_en.label("street_name_en"),
            PU.c.kind,
            func.count().label("units"),
            _count_if(PU.c.is_party_cobuilding).label("party_cobuilding"),
            func.coalesce(func.sum(PU.c.public_services_undertaken), 0).label("public_services"),
        )
        .select_from(PU.join(C, C.c.code == PU.c.community_code).join(S, S.c.code == C.c.street_code))
        .where(place_filter(PU.c.community_code, scope), PU.c.joined_on <= scope.period.end)
        .group_by(S.c.code, S.c.name, S.c.name_en, PU.c.kind)
        .order_by(S.c.code, PU.c.kind)
    )
    return db.frame(stmt)


def venue_list(db: Database, scope: Scope) -> pd.DataFrame:
    """Shared venues and spaces open by the period's end: every column of the record (so its download
    imports back), with the street's and community's names."""
    stmt = (
        select(
            V.c.code, V.c.name, V.c.kind, S.c.name.label("street_name"), S.c.name_en.label("street_name_en"),
            V.c.community_code, C.c.name.label("community_name"),
            V.c.owner_unit, V.c.opening_hours, V.c.opened_on, V.c.lat, V.c.lon,
        )
        .select_from(V.join(C, C.c.code == V.c.community_code).join(S, S.c.code == C.c.street_code))
        .where(place_filter(V.c.community_code, scope), V.c.opened_on <= scope.period.end)
        .order_by(S.c.code, C.c.code, V.c.code)
    )
    return _as_date_column(db.frame(stmt), "opened_on")


def venues_by_street(db: Database, scope: Scope) -> pd.DataFrame:
    """Venues open by the period's end, per street and kind."""
    stmt = (
        select(
            S.c.code.label("street_code"), S.c.name.label("street_name"), S.c.name_en.label("street_name_en"),
            V.c.kind, func.count().label("venues"),
        )
        .select_from(V.join(C, C.c.code == V.c.community_code).join(S, S.c.code == C.c.street_code))
        .where(place_filter(V.c.community_code, scope), V.c.opened_on <= scope.period.end)
        .group_by(S.c.code, S.c.name, S.c.name_en, V.c.kind)
        .order_by(S.c.code, V.c.kind)
    )
    return db.frame(stmt)


# --- the community service fund ---------------------------------------------------


def _sum_if(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def fund_summary(db: Database, scope: Scope) -> pd.DataFrame:
    """One row: raised and spent in the period, and the balance at the period's end.

    The balance is everything raised minus everything spent up to the period's end
    (not only within it): what the communities still hold.
    """
    place = place_filter(F.c.community_code, scope)
    in_period = db.frame(
        select(
            _sum_if(F.c.direction == FUND_IN, F.c.amount_yuan).label("raised_yuan"),
            _sum_if(F.c.direction == FUND_OUT, F.c.amount_yuan).label("spent_yuan"),
        ).where(place, date_filter(F.c.entry_date, scope.period))
    )
    to_end = db.frame(
        select(
            (_sum_if(F.c.direction == FUND_IN, F.c.amount_yuan)
             - _sum_if(F.c.direction == FUND_OUT, F.c.amount_yuan)).label("balance_yuan"),
        ).where(place, F.c.entry_date <= scope.period.end)
    )
    return pd.concat([in_period, to_end], axis=1).astype(float)


def fund_by_month(db: Database, scope: Scope) -> pd.DataFrame:
    """Raised and spent per month of the period, with running totals from the period's start."""
    month = month_of(F.c.entry_date).label("month")
    monthly = (
        select(
            month,
            _sum_if(F.c.direction == FUND_IN, F.c.amount_yuan).label("raised_yuan"),
            _sum_if(F.c.direction == FUND_OUT, F.c.amount_yuan).label("spent_yuan"),
        )
        .where(place_filter(F.c.community_code, scope), date_filter(F.c.entry_date, scope.period))
        .group_by(month)
        .subquery("monthly")
    )
    stmt = select(
        monthly.c.month, monthly.c.raised_yuan, monthly.c.spent_yuan,
        func.sum(monthly.c.raised_yuan).over(order_by=monthly.c.month).label("raised_cumulative"),
        func.sum(monthly.c.spent_yuan).over(order_by=monthly.c.month).label("spent_cumulative"),
    ).order_by(monthly.c.month)
    frame = db.frame(stmt)
    if frame.empty:
        return frame
    # Every month of the period, so the running totals read as steps rather than jumps between entries.
    months = pd.DataFrame({"month": month_starts(scope.period.start, scope.period.end)})
    frame = months.merge(frame, on="month", how="left")
    frame[["raised_yuan", "spent_yuan"]] = frame[["raised_yuan", "spent_yuan"]].fillna(0.0)
    cumulative = ["raised_cumulative", "spent_cumulative"]
    frame[cumulative] = frame[cumulative].ffill().fillna(0.0)
    return frame


def _fund_by(db: Database, scope: Scope, column, direction: str) -> pd.DataFrame:
    """Fund entries of one direction in the period, summed per value of ``column``, largest first."""
    stmt = (
        select(column, func.sum(F.c.amount_yuan).label("amount_yuan"), func.count().label("entries"))
        .where(place_filter(F.c.community_code, scope), date_filter(F.c.entry_date, scope.period),
               F.c.direction == direction)
        .group_by(column)
        .order_by(func.sum(F.c.amount_yuan).desc())
    )
    return db.frame(stmt)


def fund_by_source(db: Database, scope: Scope) -> pd.DataFrame:
    """Money raised in the period per source (enterprises, share companies, people, charity matching)."""
    return _fund_by(db, scope, F.c.source, FUND_IN)


def fund_by_purpose(db: Database, scope: Scope) -> pd.DataFrame:
    """Money spent in the period per purpose (帮扶困难群体, 完善公共服务, 改善环境品质)."""
    return _fund_by(db, scope, F.c.purpose, FUND_OUT)


# --- flows ------------------------------------------------------------------------


def resource_flows(db: Database, scope: Scope) -> pd.DataFrame:
    """Uses in the period from each provider unit through resource kind to street (the Sankey's links)."""
    stmt = (
        select(
            CI.c.provider_unit, CI.c.kind, S.c.code.label("street_code"), S.c.name.label("street_name"),
            S.c.name_en.label("street_name_en"), func.count().label("uses"),
        )
        .select_from(
            U.join(CI, CI.c.code == U.c.item_code)
            .join(C, C.c.code == U.c.community_code)
            .join(S, S.c.code == C.c.street_code)
        )
        .where(place_filter(U.c.community_code, scope), date_filter(U.c.used_on, scope.period))
        .group_by(CI.c.provider_unit, CI.c.kind, S.c.code, S.c.name, S.c.name_en)
        .order_by(CI.c.provider_unit, CI.c.kind, S.c.code)
    )
    return db.frame(stmt)


# --- supply against demand ------------------------------------------------------------


@dataclass(frozen=True)
class DemandMap:
    """Which request categories (and whether micro wishes) each resource kind serves, and the gap rule.

    Kept as data in ``config/resource_demand_map.toml`` so the office can change the
    mapping without touching code; frozen and made of tuples so it can key a cache.
    """

    #: (resource kind, request categories it serves, whether it serves micro wishes)
    kinds: tuple[tuple[str, tuple[str, ...], bool], ...]
    per_residents: int = 1000
    threshold: float = 0.5

    @property
    def resource_kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.kinds]

    @property
    def request_categories(self) -> list[str]:
        return [category for _, categories, _ in self.kinds for category in categories]

    @property
    def wish_kinds(self) -> list[str]:
        return [kind for kind, _, wishes in self.kinds if wishes]

    def kind_of_category(self) -> dict[str, str]:
        return {category: kind for kind, categories, _ in self.kinds for category in categories}


def load_demand_map(path: Path | str = DEMAND_MAP_PATH) -> DemandMap:
    """Read the mapping from resource kinds to request categories, and the gap rule's figures."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    kinds = tuple(
        (kind, tuple(entry.get("request_categories", [])), bool(entry.get("micro_wishes", False)))
        for kind, entry in raw.get("resource_kinds", {}).items()
    )
    seen = [c for _, categories, _ in kinds for c in categories]
    if len(seen) != len(set(seen)):
        raise ValueError(f"{path}: a request category is mapped to two resource kinds")
    gap = raw.get("gap", {})
    return DemandMap(kinds, int(gap.get("per_residents", 1000)), float(gap.get("threshold", 0.5)))


def _unit_of(community_code, level: str | None):
    """The unit column of a per-community raw query: the community, or (level None) the scope as one unit."""
    return (community_code if level == "community" else literal(summary_rows.DISTRICT_UNIT)).label("unit_code")


def _requests_in_categories(db: Database, scope: Scope, categories: list[str], level: str | None = "community"):
    """Subquery (unit_code, category, n): requests submitted in the period per community (``level`` None: in
    the whole scope) and category, only these categories; from the request summary when it covers the period."""
    if summary_rows.covered(db, scope.period):
        return summary_rows.category_counts(scope, categories, level).subquery("req_counts")
    unit = _unit_of(R.c.community_code, level)
    return (
        select(unit, R.c.category, func.count().label("n"))
        .where(place_filter(R.c.community_code, scope), datetime_filter(R.c.submitted_at, scope.period),
               R.c.category.in_(categories))
        .group_by(unit, R.c.category)
        .subquery("req_counts")
    )


def _requests_by_kind(db: Database, scope: Scope, demand_map: DemandMap, level: str | None = "community"):
    """Requests submitted in the period in mapped categories, per unit and serving resource kind."""
    mapping = demand_map.kind_of_category()
    counts = _requests_in_categories(db, scope, list(mapping), level)
    kind = case(mapping, value=counts.c.category).label("resource_kind") if mapping else literal(None).label(
        "resource_kind")
    return select(counts.c.unit_code, kind, func.sum(counts.c.n).label("requests")).group_by(counts.c.unit_code, kind)


def _wishes_by_community(scope: Scope):
    return (
        select(W.c.community_code, func.count().label("wishes"))
        .where(place_filter(W.c.community_code, scope), datetime_filter(W.c.posted_at, scope.period))
        .group_by(W.c.community_code)
    )


def _uses_by_kind(db: Database, scope: Scope, demand_map: DemandMap, level: str | None = "community"):
    """Uses of mapped resource kinds per community (``level`` None: in the whole scope) and kind, in the period."""
    if summary_rows.covered(db, scope.period):
        rows = summary_rows.resource_use_rows(scope, level, list(demand_map.resource_kinds)).subquery("used")
        return select(rows.c.unit_code, rows.c.resource_kind, rows.c.uses)
    unit = _unit_of(U.c.community_code, level)
    return (
        select(unit, CI.c.kind.label("resource_kind"), func.count().label("uses"))
        .select_from(U.join(CI, CI.c.code == U.c.item_code))
        .where(place_filter(U.c.community_code, scope), date_filter(U.c.used_on, scope.period),
               CI.c.kind.in_(demand_map.resource_kinds))
        .group_by(unit, CI.c.kind)
    )


def supply_demand_by_kind(db: Database, scope: Scope, demand_map: DemandMap | None = None) -> pd.DataFrame:
    """Per mapped resource kind, in map order: the requests (and micro wishes) it serves in the scope beside
    its uses; the totals of :func:`supply_demand_by_community`, read from the scope's own summary rows."""
    demand_map = demand_map or load_demand_map()
    frame = pd.DataFrame({"resource_kind": demand_map.resource_kinds})
    for column, stmt in (("requests", _requests_by_kind(db, scope, demand_map, None)),
                         ("uses", _uses_by_kind(db, scope, demand_map, None))):
        totals = db.frame(stmt).groupby("resource_kind")[column].sum()
        frame[column] = frame["resource_kind"].map(totals).fillna(0).astype(int)
    posted = int(wish_totals(db, scope)["posted"].iloc[0])
    frame["wishes"] = frame["resource_kind"].isin(demand_map.wish_kinds) * posted
    return frame[["resource_kind", "requests", "wishes", "uses"]]


def catalogue_kinds(db: Database) -> list[str]:
    """The kinds of the catalogue items (both lists, district-wide), sorted."""
    return sorted(db.frame(select(CI.c.kind).distinct())["kind"])


def supply_demand_by_community(db: Database, scope: Scope, demand_map: DemandMap | None = None) -> pd.DataFrame:
    """Per community and mapped resource kind: the requests (and micro wishes) it serves beside its uses.

    One row per community of the scope and resource kind of the map, zeros included,
    so a community that asked much and received nothing shows up.
    """
    demand_map = demand_map or load_demand_map()
    places = db.frame(
        select(C.c.code.label("community_code"), C.c.name.label("community_name"),
               S.c.name.label("street_name"), S.c.name_en.label("street_name_en"), C.c.population)
        .select_from(C.join(S, S.c.code == C.c.street_code))
        .where(place_filter(C.c.code, scope))
        .order_by(C.c.street_code, C.c.code)
    )
    kinds = pd.DataFrame({"resource_kind": demand_map.resource_kinds})
    frame = places.merge(kinds, how="cross")
    keys = ["community_code", "resource_kind"]
    requests = db.frame(_requests_by_kind(db, scope, demand_map)).rename(columns={"unit_code": "community_code"})
    uses = db.frame(_uses_by_kind(db, scope, demand_map)).rename(columns={"unit_code": "community_code"})
    wishes = db.frame(_wishes_by_community(scope))
    frame = frame.merge(requests, on=keys, how="left").merge(uses, on=keys, how="left")
    frame = frame.merge(wishes, on="community_code", how="left")
    frame["wishes"] = frame["wishes"].where(frame["resource_kind"].isin(demand_map.wish_kinds), 0)
    for column in ("requests", "wishes", "uses"):
        frame[column] = frame[column].fillna(0).astype(int)
    return frame


def demand_gap_ranking(db: Database, scope: Scope, demand_map: DemandMap | None = None) -> pd.DataFrame:
    """Every community of the scope's street (or the district) ranked by its supply-demand gap.

    demand = (requests in mapped categories + micro wishes, if mapped) per ``per_residents``;
    supply = uses of mapped resource kinds per ``per_residents``; each is turned into a
    percentile rank, (rank − 1) / (n − 1) with ties sharing the lowest rank (SQL
    ``percent_rank``); gap score = demand rank − supply rank; ``flagged`` when the gap
    score is at least the map's threshold. A community scope is ranked among its street's
    communities, so one community still has peers to be compared with.
    """
    demand_map = demand_map or load_demand_map()
    peers = scope.without_community()
    counts = _requests_in_categories(db, peers, list(demand_map.request_categories))
    requests = select(counts.c.unit_code, func.sum(counts.c.n).label("n")).group_by(
        counts.c.unit_code).subquery("req")
    wishes = _wishes_by_community(peers).subquery("wish")
    by_kind = _uses_by_kind(db, peers, demand_map).subquery("by_kind")
    uses = select(by_kind.c.unit_code, func.sum(by_kind.c.uses).label("n")).group_by(
        by_kind.c.unit_code).subquery("use")
    wish_count = func.coalesce(wishes.c.wishes, 0) if demand_map.wish_kinds else literal(0)
    base = (
        select(
            C.c.code.label("community_code"), C.c.name.label("community_name"),
            S.c.name.label("street_name"), S.c.name_en.label("street_name_en"), C.c.population,
            func.coalesce(requests.c.n, 0).label("requests"),
            wish_count.label("wishes"),
            func.coalesce(uses.c.n, 0).label("uses"),
        )
        .select_from(
            C.join(S, S.c.code == C.c.street_code)
            .outerjoin(requests, requests.c.unit_code == C.c.code)
            .outerjoin(wishes, wishes.c.community_code == C.c.code)
            .outerjoin(uses, uses.c.unit_code == C.c.code)
        )
        .where(place_filter(C.c.code, peers))
        .subquery("base")
    )
    per = demand_map.per_residents
    demand_rate = func.coalesce(ratio((base.c.requests + base.c.wishes) * per, base.c.population), 0.0)
    supply_rate = func.coalesce(ratio(base.c.uses * per, base.c.population), 0.0)
    rated = select(*base.c, demand_rate.label("demand_rate"), supply_rate.label("supply_rate")).subquery("rated")
    ranked = select(
        *rated.c,
        cast(func.percent_rank().over(order_by=rated.c.demand_rate), Float).label("demand_rank"),
        cast(func.percent_rank().over(order_by=rated.c.supply_rate), Float).label("supply_rank"),
    ).subquery("ranked")
    gap = (ranked.c.demand_rank - ranked.c.supply_rank).label("gap_score")
    frame = db.frame(select(*ranked.c, gap))
    # Rounded before ordering: 1/3 − 1 and 0 − 2/3 differ in the last bit, and a tie must stay a tie.
    frame["gap_score"] = frame["gap_score"].astype(float).round(10)
    frame = frame.sort_values(["gap_score", "demand_rate", "community_code"], ascending=[False, False, True],
                              ignore_index=True)
    frame["flagged"] = frame["gap_score"] >= demand_map.threshold - 1e-9
    frame["selected"] = frame["community_code"] == scope.community if scope.community else False
    return frame
