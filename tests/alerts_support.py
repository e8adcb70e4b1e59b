"""A small hand-built database for the alert, follow-up and digest tests.

Two streets (S1 = 440307001, S2 = 440307002) with one community each (C1, C2), reference date
2023-10-31, and helpers to add requests and projects.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert, update

from data_access import schema
from data_access.database import Database

S1, S2 = "440307001", "440307002"
C1, C2 = "440307001001", "440307002001"
REFERENCE = date(2023, 10, 31)
_ids = itertools.count(1)


def build(url: str) -> Database:
    db = Database(url)
    schema.metadata.create_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(insert(schema.streets), [
            {"code": S1, "name": "一街道", "name_en": "One", "population": 1000, "lat": 22.7, "lon": 114.2},
            {"code": S2, "name": "二街道", "name_en": "Two", "population": 1000, "lat": 22.7, "lon": 114.3},
        ])
        conn.execute(insert(schema.communities), [
            {"code": C1, "street_code": S1, "name": "甲社区", "population": 500, "households": 200,
             "is_pilot": False, "lat": 22.7, "lon": 114.2},
            {"code": C2, "street_code": S2, "name": "乙社区", "population": 500, "households": 200,
             "is_pilot": False, "lat": 22.7, "lon": 114.3},
        ])
        conn.execute(insert(schema.dataset_info), [
            {"key": "data_start", "value": "2022-01-01"},
            {"key": "reference_date", "value": REFERENCE.isoformat()},
            {"key": "loaded_at", "value": "2023-11-01T00:00:00+00:00"},
            {"key": "source", "value": "hand-built"},
        ])
    return db


def request_rows(community: str, day: date, n: int, *, category: str = "物业管理", status: str = "已办结",
                 satisfaction: int | None = 5) -> list[dict]:
    rows = []
    for i in range(n):
        submitted = datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=i)
        resolved = submitted + timedelta(days=1) if status in ("已办结", "已关闭") else None
        rows.append({
            "id": f"R{next(_ids):08d}", "channel": "平安码上办", "category": category, "community_code": community,
            "compound_code": None, "lat": 22.7, "lon": 114.2, "submitted_at": submitted,
            "accepted_at": submitted, "resolved_at": resolved, "closed_at": None, "status": status,
            "handling_unit": "测试单位", "satisfaction": satisfaction if resolved else None,
            "requester_name": "张三", "requester_phone": "13800000000", "description": "测试",
        })
    return rows


def add_requests(db: Database, rows: list[dict]) -> None:
    if not rows:
        return
    with db.engine.begin() as conn:
        conn.execute(insert(schema.requests), rows)


def clear_requests(db: Database, where=None) -> None:
    with db.engine.begin() as conn:
        stmt = delete(schema.requests)
        conn.execute(stmt.where(where) if where is not None else stmt)


def project_row(code: str, community: str, planned_end: date, status: str = "实施") -> dict:
    return {
        "code": code, "title": f"项目{code}", "community_code": community, "category": "治理", "need": "测试",
        "status": status, "applied_on": date(2023, 1, 5), "approved_on": None, "planned_start": None,
        "planned_end": planned_end, "actual_start": None, "actual_end": None, "budget_yuan": 1000.0,
        "spent_yuan": 0.0, "funding_source": "社区服务基金", "lead_unit": "测试", "partners": "",
        "residents_participating": 0, "difficulties_solved": 0, "progress_pct": 50.0, "description": "测试",
    }


def add_project(db: Database, row: dict) -> None:
    with db.engine.begin() as conn:
        conn.execute(insert(schema.projects), [row])


def month_days(months_back: int) -> date:
    """The 10th of the month ``months_back`` before the reference month."""
    index = REFERENCE.year * 12 + REFERENCE.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 10)


BUJI, PINGHU, LONGLING = "440307014", "440307003", "440307014003"  # sample data: 布吉街道, 平湖街道, 龙岭社区


def plant_followups(db: Database, tag: str) -> dict[str, int]:
    """Three 督办 items on the sample database for a meeting's views (show, deck, briefing), their tasks
    marked with ``tag``: 龙岭社区's overdue by 12 days with two progress notes, 平湖街道's due in 20 days,
    布吉街道's reported done (awaiting verification).

    The session database is shared: the items earlier tests left unfinished are closed first (as if
    verified), or they would fill a meeting view's first rows and push these three out of it."""
    from data_access import followup

    followup.ensure_tables(db.engine)
    items = schema.followups
    with db.engine.begin() as conn:
        conn.execute(update(items).where(items.c.status != followup.CLOSED).values(status=followup.CLOSED))

    today = date.today()
    district = {"actor": "区督查室", "role": "district"}
    ids = {
        "longling": followup.create_item(db, **district, task=f"{tag}龙岭物业整改", due_on=today - timedelta(days=12),
                                         unit_level="community", unit_code=LONGLING, note="例会交办"),
        "pinghu": followup.create_item(db, **district, task=f"{tag}平湖逾期项目清理",
                                       due_on=today + timedelta(days=20), unit_level="street", unit_code=PINGHU),
        "buji": followup.create_item(db, **district, task=f"{tag}布吉满意率回访", due_on=today + timedelta(days=5),
                                     unit_level="street", unit_code=BUJI),
    }
    street = {"actor": "布吉街道办", "role": f"street:{BUJI}"}
    followup.add_progress(db, ids["longling"], **street, note="已约谈物业公司")
    followup.add_progress(db, ids["longling"], **street, note=f"{tag}已回访 12 户")
    followup.mark_done(db, ids["buji"], **street, explanation="回访 30 户，满意 27 户")
    return ids
