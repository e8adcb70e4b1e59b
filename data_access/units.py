"""The units a scope breaks down into: streets for the district, communities for a street.

Per-unit tables (league tables, safety by unit, participation by unit) join
their rows on ``community_code`` to :func:`unit_map` and group by the unit, so
one query serves every level and keeps the scope's role limits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.sql import Subquery

from data_access import schema
from data_access.scope import Scope
from data_access.sql import place_filter

C, S = schema.communities, schema.streets

STREET, COMMUNITY = "street", "community"


def breakdown_level(scope: Scope) -> str:
    """Streets at district level, communities below."""
    return STREET if scope.level == "district" else COMMUNITY


def unit_map(scope: Scope, level: str | None = None) -> Subquery:
    """community_code → unit_code, unit_name, population, households, for every community in the scope."""
    level = level or breakdown_level(scope)
    if level == STREET:
        stmt = select(C.c.code.label("community_code"), S.c.code.label("unit_code"), S.c.name.label("unit_name"),
                      C.c.population, C.c.households).join(S, S.c.code == C.c.street_code)
    else:
        stmt = select(C.c.code.label("community_code"), C.c.code.label("unit_code"), C.c.name.label("unit_name"),
                      C.c.population, C.c.households)
    return stmt.where(place_filter(C.c.code, scope)).subquery("unit_map")
