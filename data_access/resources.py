"""Resource sharing: the district catalogues, their use, partner units, venues and the fund.

Catalogue sizes are district-wide lists; partner units and venues are counted
as a stock (joined or opened by the period's end); uses and fund entries are
flows within the period.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select

from data_access import schema
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
from data_access.scope import Scope
from data_access.sql import date_filter, place_filter

CI, U, PU, V, F = (schema.catalogue_items, schema.resource_uses, schema.partner_units, schema.venues,
                  schema.fund_entries)


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
