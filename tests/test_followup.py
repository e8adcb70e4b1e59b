"""Follow-up items (督办) across roles, on both engines: created by the district, worked by the street,
verified or sent back; the history is kept; a street cannot see or touch another street's items."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alerts_support import C1, C2, S1, S2, add_requests, build, request_rows
from sqlalchemy import func, select

from data_access import followup as fu
from data_access import schema
from jobs import alerts as job
from jobs.rules import parse_rules

ST1, ST2 = f"street:{S1}", f"street:{S2}"


def _at(hour: int) -> datetime:
    return datetime(2023, 11, 1, hour, 0, 0)


def test_lifecycle_from_an_alert_across_roles(empty_url):
    db = build(empty_url)
    add_requests(db, request_rows(C1, date(2023, 10, 5), 10, satisfaction=1))
    job.evaluate(db, parse_rules({"rules": [{"id": "sat", "kind": "threshold", "measure": "satisfaction_rate",
                                              "floor": 0.85}]}))
    alert_id = int(job.store.list_alerts(db).iloc[0]["id"])

    item = fu.create_item(db, actor="区督查室", role="district", task="查明满意率下降原因并整改",
                          due_on=date(2023, 11, 15), alert_id=alert_id, note="月度例会交办", at=_at(9))
    listed = fu.list_items(db, ST1, reference=date(2023, 11, 2))
    assert listed["id"].tolist() == [item]
    row = listed.iloc[0]
    assert (row["unit_code"], row["street_code"], row["measure"], row["status"]) == (S1, S1, "satisfaction_rate",
                                                                                     "open")
    fu.add_progress(db, item, actor="一街道办", role=ST1, note="已约谈物业", at=_at(10))
    fu.mark_done(db, item, actor="一街道办", role=ST1, explanation="物业已整改，回访满意", at=_at(11))
    fu.send_back(db, item, actor="区督查室", role="district", note="请补充回访记录", at=_at(12))
    assert fu.list_items(db, "district").iloc[0]["status"] == "open"
    fu.mark_done(db, item, actor="一街道办", role=ST1, explanation="已补充 10 户回访记录", at=_at(13))
    fu.verify(db, item, actor="区督查室", role="district", note="同意办结", at=_at(14))
    assert fu.list_items(db, "district").iloc[0]["status"] == "closed"

    events = fu.history(db, item, ST1)
    assert events["action"].tolist() == ["create", "progress", "done", "send_back", "done", "verify"]
    assert events["status_after"].tolist() == ["open", "open", "done", "open", "done", "closed"]
    assert events["actor"].tolist()[:3] == ["区督查室", "一街道办", "一街道办"]
    assert events["note"].tolist()[2] == "物业已整改，回访满意"  # the first explanation is still there
    assert [pd_ts.hour for pd_ts in events["at"]] == [9, 10, 11, 12, 13, 14]
    # a closed item takes nothing more
    with pytest.raises(fu.FollowupError, match="已办结"):
        fu.add_progress(db, item, actor="一街道办", role=ST1, note="再补充")


def test_street_cannot_touch_another_streets_items(empty_url):
    db = build(empty_url)
    mine = fu.create_item(db, actor="区", role="district", task="甲", due_on=date(2023, 11, 30), unit_level="street",
                          unit_code=S1)
    theirs = fu.create_item(db, actor="区", role="district", task="乙", due_on=date(2023, 11, 30),
                            unit_level="community", unit_code=C2)
    assert fu.list_items(db, ST1)["id"].tolist() == [mine]
    assert fu.list_items(db, ST2)["id"].tolist() == [theirs]
    assert sorted(fu.list_items(db, "district")["id"]) == sorted([mine, theirs])
    for action in (lambda: fu.add_progress(db, theirs, actor="一街道办", role=ST1, note="x"),
                   lambda: fu.mark_done(db, theirs, actor="一街道办", role=ST1, explanation="x")):
        with pytest.raises(fu.FollowupError, match="无权处理"):
            action()
    assert fu.history(db, theirs, ST1).empty
    assert len(fu.history(db, theirs, ST2)) == 1
    # street roles neither create nor verify; presenters only read
    with pytest.raises(fu.FollowupError, match="只有区级"):
        fu.create_item(db, actor="一街道办", role=ST1, task="自建", due_on=date(2023, 11, 30), unit_level="street",
                       unit_code=S1)
    fu.mark_done(db, mine, actor="一街道办", role=ST1, explanation="完成")
    with pytest.raises(fu.FollowupError, match="只有区级"):
        fu.verify(db, mine, actor="一街道办", role=ST1)
    with pytest.raises(fu.FollowupError, match="只能查看"):
        fu.add_progress(db, theirs, actor="演示", role="presenter", note="x")
    assert db.scalar(select(func.count()).select_from(schema.followup_events)) == 3


def test_bad_input_is_refused_in_chinese(empty_url):
    db = build(empty_url)
    with pytest.raises(fu.FollowupError, match="督办内容"):
        fu.create_item(db, actor="区", role="district", task=" ", due_on=date(2023, 11, 30), unit_level="street",
                       unit_code=S1)
    with pytest.raises(fu.FollowupError, match="不是已知的街道或社区"):
        fu.create_item(db, actor="区", role="district", task="x", due_on=date(2023, 11, 30), unit_level="street",
                       unit_code="999")
    with pytest.raises(fu.FollowupError, match="找不到预警"):
        fu.create_item(db, actor="区", role="district", task="x", due_on=date(2023, 11, 30), alert_id=404)
    item = fu.create_item(db, actor="区", role="district", task="x", due_on=date(2023, 11, 30), unit_level="community",
                          unit_code=C1)
    with pytest.raises(fu.FollowupError, match="情况说明"):
        fu.mark_done(db, item, actor="一街道办", role=ST1, explanation="")
    with pytest.raises(fu.FollowupError, match="不能核实办结"):
        fu.verify(db, item, actor="区", role="district")
    with pytest.raises(fu.FollowupError, match="退回原因"):
        fu.send_back(db, item, actor="区", role="district", note="")


def test_overdue_items_are_listed_first(empty_url):
    db = build(empty_url)
    later = fu.create_item(db, actor="区", role="district", task="later", due_on=date(2023, 12, 31),
                           unit_level="street", unit_code=S1)
    late = fu.create_item(db, actor="区", role="district", task="late", due_on=date(2023, 11, 10),
                          unit_level="street", unit_code=S1)
    soon = fu.create_item(db, actor="区", role="district", task="soon", due_on=date(2023, 11, 20),
                          unit_level="street", unit_code=S1)
    listed = fu.list_items(db, "district", reference=date(2023, 11, 15))
    assert listed["id"].tolist() == [late, soon, later]
    assert listed["overdue"].tolist() == [True, False, False]


def test_meeting_items_are_the_unfinished_ones_with_their_latest_note(empty_url):
    """What the next meeting sees (show panel, deck, briefing): items in progress or awaiting verification,
    overdue first, each with its latest note; closed items left out; a street role only its street."""
    db = build(empty_url)
    street = fu.create_item(db, actor="区", role="district", task="街道整改", due_on=date(2023, 11, 30),
                            unit_level="street", unit_code=S1, note="例会交办", at=_at(8))
    late = fu.create_item(db, actor="区", role="district", task="社区整改", due_on=date(2023, 11, 10),
                          unit_level="community", unit_code=C1, at=_at(8))
    other = fu.create_item(db, actor="区", role="district", task="二街道", due_on=date(2023, 11, 20),
                           unit_level="community", unit_code=C2, at=_at(8))
    closed = fu.create_item(db, actor="区", role="district", task="已结", due_on=date(2023, 11, 1),
                            unit_level="street", unit_code=S2, at=_at(8))
    fu.add_progress(db, late, actor="一街道办", role=ST1, note="已约谈物业", at=_at(9))
    fu.add_progress(db, late, actor="一街道办", role=ST1, note="已回访 5 户", at=_at(10))
    fu.mark_done(db, other, actor="二街道办", role=ST2, explanation="已整改完毕", at=_at(11))
    fu.mark_done(db, closed, actor="二街道办", role=ST2, explanation="完成", at=_at(11))
    fu.verify(db, closed, actor="区", role="district", at=_at(12))

    items = fu.meeting_items(db, "district", reference=date(2023, 11, 15))
    assert items["id"].tolist() == [late, other, street]  # overdue first, then by due date; closed left out
    assert items["overdue"].tolist() == [True, False, False]
    assert items["days_overdue"].tolist() == [5, 0, 0]
    assert items["latest_note"].tolist() == ["已回访 5 户", "已整改完毕", "例会交办"]
    assert [t.hour for t in items["latest_note_at"]] == [10, 11, 8]
    assert items["status"].tolist() == ["open", "done", "open"]

    assert fu.meeting_items(db, ST1, reference=date(2023, 11, 15))["id"].tolist() == [late, street]
    assert fu.meeting_items(db, ST1, street=S2).empty  # a street role never sees another street's items
    assert fu.meeting_items(db, "district", street=S2)["id"].tolist() == [other]
    assert fu.meeting_items(db, "district", street=S1, community=C1)["id"].tolist() == [late]
    assert fu.meeting_items.live_data  # changes between loads: components.data.cached runs it afresh
