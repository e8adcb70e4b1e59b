"""The bulletin (通报) on SQLite and PostgreSQL: a hand-built database with known answers, then the sample.

Hand-built: streets S1 (communities C1, C2), S2 (C3), S3 (C4, one request: below the minimum)
and S4 (C5, no request), months 2023-08 to 2023-10, data as of 2023-10-31. Category A has a
response target of 24 hours and a resolution target of 3 days; B 12 hours and 7 days.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select

from components import bulletin_report as report
from data_access import bulletin, bulletin_counts, schema
from data_access.bulletin import BulletinConfig, BulletinError, build_bulletin, parse_bulletin_period
from data_access.database import Database

TARGETS = (("A", 3.0), ("B", 7.0), ("*", 7.0))
CONFIG = BulletinConfig(
    response_hours=(("A", 24.0), ("B", 12.0), ("*", 24.0)),
    weights=(("response_rate", 20.0), ("resolution_rate", 30.0), ("on_time_rate", 20.0),
             ("satisfaction_rate", 30.0)),
    min_requests=2,
    red_list_size=3,
    floors=(("satisfaction_rate", 0.85), ("on_time_rate", 0.90), ("response_rate", 0.95)),
)


class Rows:
    """Requests and their status history, written consistently."""

    def __init__(self):
        self.requests: list[dict] = []
        self.history: list[dict] = []

    def add(self, rid, community, submitted, category="A", *, accept_h=1.0, resolve_d=None, close=True,
            satisfaction=None, returned=False, reopen=None):
        """``reopen=(reopened_d, resolved_again_d)`` reopens a resolved request and resolves it again."""
        steps = [("待受理", submitted)]
        accepted = resolved = closed = None
        if returned:
            steps.append(("已退回", submitted + timedelta(hours=2)))
        else:
            accepted = submitted + timedelta(hours=accept_h)
            steps.append(("已受理", accepted))
            if resolve_d is not None:
                resolved = submitted + timedelta(days=resolve_d)
                steps.append(("已办结", resolved))
                if reopen:
                    steps.append(("办理中", submitted + timedelta(days=reopen[0])))
                    resolved = submitted + timedelta(days=reopen[1])
                    steps.append(("已办结", resolved))
                if close:
                    closed = resolved + timedelta(hours=6)
                    steps.append(("已关闭", closed))
            else:
                steps.append(("办理中", accepted + timedelta(hours=1)))
        status = steps[-1][0]
        self.requests.append({
            "id": rid, "channel": "平安码上办", "category": category, "community_code": community,
            "compound_code": None, "lat": 22.7, "lon": 114.2, "submitted_at": submitted, "accepted_at": accepted,
            "resolved_at": resolved, "closed_at": closed, "status": status, "handling_unit": "测试单位",
            "satisfaction": satisfaction, "requester_name": "张三", "requester_phone": "13812345678",
            "description": "测试",
        })
        self.history += [{"request_id": rid, "seq": i, "status": s, "changed_at": at}
                         for i, (s, at) in enumerate(steps, start=1)]

    def good(self, rid, community, submitted):
        self.add(rid, community, submitted, resolve_d=1, satisfaction=5)

    def poor(self, rid, community, submitted):
        self.add(rid, community, submitted, returned=True)


def _rows() -> Rows:
    rows = Rows()
    # August: S1 first (all good), S2 last (one returned)
    rows.good("A1", "C1", datetime(2023, 8, 3, 9))
    rows.good("A2", "C2", datetime(2023, 8, 4, 9))
    rows.good("A3", "C3", datetime(2023, 8, 5, 9))
    rows.poor("A4", "C3", datetime(2023, 8, 6, 9))
    # September: S2 first, S1 last
    rows.good("B1", "C1", datetime(2023, 9, 3, 9))
    rows.poor("B2", "C2", datetime(2023, 9, 4, 9))
    rows.good("B3", "C3", datetime(2023, 9, 5, 9))
    rows.good("B4", "C3", datetime(2023, 9, 6, 9))
    # October, S1: every measure worked out by hand in the tests below
    rows.add("R1", "C1", datetime(2023, 10, 2, 9), resolve_d=2, satisfaction=5)
    rows.add("R2", "C1", datetime(2023, 10, 3, 9), accept_h=30, resolve_d=4, satisfaction=2)  # late twice
    rows.add("R3", "C2", datetime(2023, 10, 5, 9), "B", accept_h=11, resolve_d=7, satisfaction=4)  # at target
    rows.add("R4", "C2", datetime(2023, 10, 10, 9), returned=True)  # returned, open past its target
    rows.add("R5", "C1", datetime(2023, 10, 30, 9), accept_h=2)  # open, not yet due
    rows.add("R6", "C1", datetime(2023, 10, 1, 9), resolve_d=1, reopen=(2, 2.5), satisfaction=4)  # reopened
    rows.add("R7", "C1", datetime(2023, 10, 29, 9), resolve_d=4, satisfaction=1)  # resolved after the cut-off
    # October, S2: three good ones; S3: one (below the minimum of 2)
    rows.good("R8", "C3", datetime(2023, 10, 5, 9))
    rows.good("R9", "C3", datetime(2023, 10, 6, 9))
    rows.add("R10", "C3", datetime(2023, 10, 7, 9), resolve_d=1, satisfaction=4)
    rows.good("R11", "C4", datetime(2023, 10, 8, 9))
    return rows


@pytest.fixture
def small_db(empty_url):
    db = Database(empty_url)
    schema.metadata.create_all(db.engine)
    rows = _rows()
    with db.engine.begin() as conn:
        conn.execute(schema.streets.insert(), [
            {"code": c, "name": n, "name_en": e, "population": 1, "lat": 0, "lon": 0}
            for c, n, e in [("S1", "甲街道", "Jia"), ("S2", "乙街道", "Yi"), ("S3", "丙街道", "Bing"),
                            ("S4", "丁街道", "Ding")]
        ])
        conn.execute(schema.communities.insert(), [
            {"code": c, "street_code": s, "name": n, "population": 1, "households": 1, "is_pilot": False,
             "lat": 0, "lon": 0}
            for c, s, n in [("C1", "S1", "一社区"), ("C2", "S1", "二社区"), ("C3", "S2", "三社区"),
                            ("C4", "S3", "四社区"), ("C5", "S4", "五社区")]
        ])
        conn.execute(schema.requests.insert(), rows.requests)
        conn.execute(schema.request_status_history.insert(), rows.history)
        conn.execute(schema.dataset_info.insert(), [{"key": "data_start", "value": "2023-08-01"},
                                                    {"key": "reference_date", "value": "2023-10-31"}])
    yield db
    db.dispose()


def make(db, period="2023-10", level="street", street=None, role="district", **kw):
    return build_bulletin(db, period, level, street, role, config=CONFIG, targets=TARGETS, **kw)


def by_code(b) -> pd.DataFrame:
    return b.table.set_index("code")


# --- periods and configuration -------------------------------------------------------------


def test_periods_months_and_iso_weeks():
    month = parse_bulletin_period("2023-10")
    assert (month.kind, month.start, month.end, month.previous().key) == ("month", date(2023, 10, 1),
                                                                          date(2023, 10, 31), "2023-09")
    week = parse_bulletin_period("2023-W42")
    assert (week.kind, week.start, week.end, week.previous().key) == ("week", date(2023, 10, 16),
                                                                      date(2023, 10, 22), "2023-W41")
    assert parse_bulletin_period("2023-01").previous().key == "2022-12"
    assert parse_bulletin_period("2021-W01").previous().key == "2020-W53"
    # the cut-off: the period's last day, or the data's as-of date when earlier
    assert bulletin.cutoff_date(parse_bulletin_period("2023-W44"), date(2023, 10, 31)) == date(2023, 10, 31)
    assert bulletin.cutoff_date(week, date(2023, 10, 31)) == date(2023, 10, 22)
    for bad in ("2023-13", "2023-W54", "2023/10", "", "十月"):
        with pytest.raises(BulletinError, match="无效"):
            parse_bulletin_period(bad)
    keys = [p.key for p in bulletin.period_options(date(2023, 8, 15), date(2023, 10, 31), "month")]
    assert keys == ["2023-10", "2023-09", "2023-08"]


def test_the_month_a_show_slide_or_a_briefing_names():
    start, reference = date(2021, 1, 1), date(2023, 10, 31)
    month = bulletin.month_for
    assert month("2023-07", start, reference).key == "2023-07"  # a month: itself
    # all, a year, a quarter: its latest complete month up to the as-of date
    assert [month(k, start, reference).key for k in ("all", "2023", "2023-Q4", "2023-Q3", "2022")] == [
        "2023-10", "2023-10", "2023-10", "2023-09", "2022-12"]
    # as of mid-October, October is not complete: September; unless the period has no complete month yet
    assert month("all", start, date(2023, 10, 15)).key == "2023-09"
    assert month("2023-Q4", start, date(2023, 10, 15)).key == "2023-10"
    for bad in ("2023-11", "2020-12", "2030", "2023-W42", "2023-13", "", "十月"):
        assert month(bad, start, reference) is None, bad


def test_config_file_holds_the_issue_defaults():
    config = bulletin.load_bulletin_config()
    assert config.default_hours == 24
    assert dict(config.weights) == {"response_rate": 20, "resolution_rate": 30, "on_time_rate": 20,
                                    "satisfaction_rate": 30}
    assert config.min_requests == 20
    assert dict(config.floors) == {"satisfaction_rate": 0.85, "on_time_rate": 0.90, "response_rate": 0.95}


def test_bad_config_is_refused_in_chinese(tmp_path):
    path = tmp_path / "bulletin.toml"
    path.write_text("[weights]\nresponse_rate = -1\n", encoding="utf-8")
    with pytest.raises(BulletinError, match="权重"):
        bulletin.load_bulletin_config(path)


# --- measures on the hand-built database ---------------------------------------------------


def test_each_rate_of_a_street(small_db):
    s1 = by_code(make(small_db)).loc["S1"]
    assert s1["received"] == 7
    # responded: R1, R3 (11 h against B's 12), R5, R6, R7; R2 was accepted after 30 h, R4 returned
    assert s1["responded"] == 5 and s1["response_rate"] == pytest.approx(5 / 7)
    # resolved by the cut-off: R1, R2, R3, R6 (R7 only on 2 November)
    assert s1["resolved"] == 4 and s1["resolution_rate"] == pytest.approx(4 / 7)
    # due: the four resolved and R4 (open past its 3 days); R5 and R7 are not yet due.
    # on time: R1, R3 (exactly 7 days), R6 (resolved again after 2.5 days); R2 took 4 days
    assert (s1["due"], s1["on_time"]) == (5, 3) and s1["on_time_rate"] == pytest.approx(0.6)
    # rated and resolved by the cut-off: R1 5, R2 2, R3 4, R6 4 (R7's 1 came after the cut-off)
    assert (s1["rated"], s1["satisfied"], s1["dissatisfied"]) == (4, 3, 1)
    assert s1["satisfaction_rate"] == pytest.approx(0.75)
    assert (s1["returned"], s1["reopened"], s1["returned_reopened"]) == (1, 1, 2)
    expected = (20 * 5 / 7 + 30 * 4 / 7 + 20 * 0.6 + 30 * 0.75) / 100 * 100
    assert s1["composite"] == pytest.approx(expected)


def test_ranks_unranked_units_and_lists(small_db):
    b = make(small_db)
    table = by_code(b)
    assert list(b.table["code"]) == ["S2", "S1", "S3", "S4"]
    assert table.loc["S2", "composite"] == pytest.approx(100.0)
    assert (table.loc["S2", "rank"], table.loc["S1", "rank"]) == (1, 2)
    assert pd.isna(table.loc["S3", "rank"]) and table.loc["S3", "unranked_reason"] == "below_min"
    assert table.loc["S3", "received"] == 1 and table.loc["S3", "composite"] == pytest.approx(100.0)
    assert pd.isna(table.loc["S4", "rank"]) and table.loc["S4", "unranked_reason"] == "no_requests"
    assert list(b.red["code"]) == ["S2", "S1"]
    assert list(b.black["code"]) == ["S1"]
    assert b.black.iloc[0]["failing"] == ["satisfaction_rate", "on_time_rate", "response_rate"]
    assert b.cutoff == date(2023, 10, 31) and b.previous_key == "2023-09"


def test_rank_change_and_streaks(small_db):
    september = by_code(make(small_db, "2023-09"))
    assert (september.loc["S2", "rank"], september.loc["S1", "rank"]) == (1, 2)
    assert (september.loc["S2", "rank_change"], september.loc["S1", "rank_change"]) == (1, -1)
    assert (september.loc["S2", "first_streak"], september.loc["S1", "last_streak"]) == (1, 1)
    october = by_code(make(small_db, "2023-10"))
    assert (october.loc["S2", "rank_change"], october.loc["S1", "rank_change"]) == (0, 0)
    assert (october.loc["S2", "first_streak"], october.loc["S2", "last_streak"]) == (2, 0)
    assert (october.loc["S1", "first_streak"], october.loc["S1", "last_streak"]) == (0, 2)
    assert pd.isna(october.loc["S3", "rank_change"]) and october.loc["S3", "first_streak"] == 0
    august = make(small_db, "2023-08")
    assert august.previous_key is None and august.table["rank_change"].isna().all()
    assert by_code(august).loc["S1", "first_streak"] == 1


def test_community_level(small_db):
    b = make(small_db, level="community", street="S1")
    table = by_code(b)
    assert list(table.index) == ["C1", "C2"]  # C1: 5 requests, C2: 2
    assert (table.loc["C1", "received"], table.loc["C2", "received"]) == (5, 2)
    assert table.loc["C2", "on_time_rate"] == pytest.approx(0.5)  # R3 on time, R4 due and open
    assert b.street_name == "甲街道"
    assert report.heading(b) == "甲街道社区民生诉求办理情况月度通报（2023年10月）"
    with pytest.raises(BulletinError, match="指定街道"):
        make(small_db, level="community")
    with pytest.raises(BulletinError, match="不存在"):
        make(small_db, level="community", street="S9")


def test_snapshot_ignores_what_happened_after_the_cut_off(small_db):
    # 2 to 8 October: R1, R2, R3 in S1, resolved on the 4th, the 7th and the 12th
    week = make(small_db, "2023-W40")
    s1 = by_code(week).loc["S1"]
    assert week.cutoff == date(2023, 10, 8)
    assert (s1["received"], s1["resolved"]) == (3, 2)
    early = make(small_db, "2023-W40", reference=date(2023, 10, 5))  # as of the 5th: only R1 resolved
    assert early.cutoff == date(2023, 10, 5)
    assert tuple(by_code(early).loc["S1", ["received", "resolved"]]) == (3, 1)
    with pytest.raises(BulletinError, match="不在数据范围内"):
        make(small_db, "2023-11")
    with pytest.raises(BulletinError, match="层级"):
        make(small_db, level="district")


def test_street_role_sees_only_the_other_streets_composite_and_rank(small_db):
    b = make(small_db, role="street:S1")
    table = by_code(b)
    assert table.loc["S1", "received"] == 7
    for other in ("S2", "S3", "S4"):
        assert table.loc[other, "received"] is None and table.loc[other, "response_rate"] is None
    assert table.loc["S2", "composite"] == pytest.approx(100.0) and table.loc["S2", "rank"] == 1
    assert set(b.hidden) == {"S2", "S3", "S4"}
    assert list(b.black["code"]) == ["S1"]
    shown = report.display_frame(b)
    assert shown.loc[shown["单位"] == "乙街道", "受理量"].iloc[0] == "—"
    # a community bulletin of a street role is its own street's, whatever street is asked for
    own = make(small_db, level="community", street="S2", role="street:S1")
    assert own.street == "S1" and set(own.table["code"]) == {"C1", "C2"}


def test_xlsx_and_html_of_the_small_bulletin(small_db):
    b = make(small_db)
    sheet = openpyxl.load_workbook(io.BytesIO(report.bulletin_xlsx(b, generated_at=datetime(2023, 11, 1))),
                                   ).active
    values = [[v for v in row if v is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["龙岗区民生诉求办理情况月度通报（2023年10月）"]
    assert values[1][0].startswith("统计截止：2023年10月31日")
    header = values.index(["排名", "单位", "受理量", "响应率", "办结率", "按时办结率", "满意率", "不满意数",
                           "退回/重办", "综合得分", "排名变化", "连续", "说明"])
    first = values[header + 1]
    assert first[:3] == [1, "乙街道", 3] and first[3] == pytest.approx(1.0)
    s1 = values[header + 2]
    assert s1[:3] == [2, "甲街道", 7] and s1[3] == pytest.approx(5 / 7)
    flat = "\n".join(str(v) for row in values for v in row)
    assert "受理量不足2件，不参与排名" in flat and "本期无诉求，不参与排名" in flat
    assert "甲街道：满意率 75.0%（底线 85%）" in flat
    assert "响应率20、办结率30、按时办结率20、满意率30" in flat
    html = report.bulletin_html(b)
    assert "size: A4 landscape" in html and "龙岗区民生诉求办理情况月度通报（2023年10月）" in html
    english = report.bulletin_html(b, "en")
    assert "monthly bulletin (2023-10)" in english and "Jia" in english


# --- the sample data -----------------------------------------------------------------------


def _independent_counts(db: Database) -> pd.DataFrame:
    """2023-10 per street straight from the request rows (no status history, no bulletin code)."""
    r, c = schema.requests, schema.communities
    rows = db.frame(select(c.c.street_code, r.c.category, r.c.submitted_at, r.c.accepted_at, r.c.resolved_at,
                           r.c.status, r.c.satisfaction)
                    .join(c, c.c.code == r.c.community_code)
                    .where(r.c.submitted_at >= datetime(2023, 10, 1), r.c.submitted_at < datetime(2023, 11, 1)))
    for column in ("submitted_at", "accepted_at", "resolved_at"):
        rows[column] = pd.to_datetime(rows[column])
    hours = dict(bulletin.load_bulletin_config().response_hours)
    rows["responded"] = ((rows["accepted_at"] - rows["submitted_at"]).dt.total_seconds().round()
                         <= rows["category"].map(lambda k: hours.get(k, hours["*"])) * 3600)
    rows["resolved"] = rows["resolved_at"].notna()
    rows["rated"] = rows["resolved"] & rows["satisfaction"].notna()
    rows["satisfied"] = rows["rated"] & (rows["satisfaction"] >= 4)
    rows["dissatisfied"] = rows["rated"] & (rows["satisfaction"] <= 2)
    rows["returned"] = rows["status"] == "已退回"
    return rows.groupby("street_code").agg(
        received=("status", "size"), responded=("responded", "sum"), resolved=("resolved", "sum"),
        rated=("rated", "sum"), satisfied=("satisfied", "sum"), dissatisfied=("dissatisfied", "sum"),
        returned=("returned", "sum"))


def test_sample_october_equals_an_independent_count(db):
    b = build_bulletin(db, "2023-10", "street")
    table = b.table.set_index("code")
    expected = _independent_counts(db)
    assert len(table) == 11 and set(expected.index) == set(table.index)
    for column in expected.columns:
        assert table.loc[expected.index, column].astype(int).tolist() == expected[column].astype(int).tolist(), column
    assert table["response_rate"].astype(float).tolist() == pytest.approx(
        (table["responded"] / table["received"]).astype(float).tolist())
    assert table["ranked"].all()
    assert list(table["rank"]) == sorted(table["rank"])
    assert b.cutoff == date(2023, 10, 31)


def test_sample_xlsx_names_every_street_and_the_cli_writes_both(db, tmp_path):
    b = build_bulletin(db, "2023-10", "street")
    sheet = openpyxl.load_workbook(io.BytesIO(report.bulletin_xlsx(b))).active
    text = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    assert text.startswith("龙岗区民生诉求办理情况月度通报（2023年10月）")
    assert "统计截止：2023年10月31日" in text
    for name in b.table["name"]:
        assert name in text
    assert "响应率20、办结率30、按时办结率20、满意率30" in text
    out = tmp_path / "bulletin.xlsx"
    assert bulletin.main(["--period", "2023-10", "--level", "street", "--url", db.url, "--out", str(out)]) == 0
    again = openpyxl.load_workbook(out).active
    assert again["A1"].value == "龙岗区民生诉求办理情况月度通报（2023年10月）"
    page = tmp_path / "bulletin.html"
    assert bulletin.main(["--period", "2023-W42", "--level", "community", "--street", "440307014",
                          "--url", db.url, "--out", str(page)]) == 0
    assert "布吉街道社区民生诉求办理情况周通报（2023年第42周）" in page.read_text(encoding="utf-8")
    assert bulletin.main(["--period", "2023-13", "--url", db.url, "--out", str(out)]) == 2


def test_sample_street_role_sees_no_other_street_figures(db):
    own = "440307014"
    b = build_bulletin(db, "2023-10", "street", role=f"street:{own}")
    others = b.table[b.table["code"] != own]
    assert others[["received", "response_rate", "dissatisfied"]].isna().all().all()
    assert others["composite"].notna().all() and others["rank"].notna().all()
    communities = build_bulletin(db, "2023-10", "community", street="440307003", role=f"street:{own}")
    codes = set(communities.table["code"])
    assert codes and all(code.startswith(own) for code in codes)


# --- the worklist (督办清单) ----------------------------------------------------------------


def test_worklist_on_the_small_database(small_db):
    from data_access import worklist
    from data_access.scope import Period, Scope

    scope = Scope(Period("all", date(2023, 8, 1), date(2023, 10, 31)))
    # the one open request: R5, category A (3 days), submitted 30 October 09:00, due 2 November 09:00;
    # from the end of 31 October that leaves 1 day and 9 hours
    work = worklist.worklist(small_db, scope, date(2023, 10, 31), 3, TARGETS)
    assert list(work["id"]) == ["R5"] and work.iloc[0]["state"] == "due_soon"
    assert work.iloc[0]["days_left"] == pytest.approx(1.375)
    assert work.iloc[0]["due"] == pd.Timestamp("2023-11-02 09:00")
    assert worklist.worklist(small_db, scope, date(2023, 10, 31), 1, TARGETS).empty
    late = worklist.worklist(small_db, scope, date(2023, 11, 5), 0, TARGETS)  # as of 5 November: overdue
    assert list(late["state"]) == ["overdue"] and late.iloc[0]["days_left"] == pytest.approx(-3.625)
    assert worklist.worklist(small_db, Scope(scope.period, role="street:S2"), date(2023, 11, 5), 0, TARGETS).empty
    with pytest.raises(ValueError, match="临期"):
        worklist.worklist(small_db, scope, date(2023, 10, 31), -1, TARGETS)


def test_worklist_on_the_sample(db):
    from data_access import geography, projects, worklist
    from data_access.scope import Period, Scope

    start, reference = geography.data_range(db)
    scope = Scope(Period("all", start, reference))
    work = worklist.worklist(db, scope, reference, 3)
    overdue_projects = projects.overdue_projects(db, scope, reference)
    mine = work[(work["kind"] == "project") & (work["state"] == "overdue")]
    assert sorted(mine["id"]) == sorted(overdue_projects["code"])
    assert list(work["days_left"]) == sorted(work["days_left"])
    assert (work["days_left"] <= 3).all() and len(work[work["kind"] == "request"]) > 0
    assert not {"requester_name", "requester_phone"} & set(work.columns)
    own = worklist.worklist(db, Scope(scope.period, role="street:440307014"), reference, 3)
    assert set(own["street"]) == {"布吉街道"}


@pytest.mark.parametrize("days_ahead", [0, 3])
def test_the_worklist_counts_and_its_most_urgent_rows_are_those_of_the_whole_list(db, monkeypatch, days_ahead):
    """The page counts in the database and shows the most urgent rows only; both agree with the whole list,
    read from the open requests' summary table or from the raw rows."""
    from summary_paths import raw_rows_only

    from data_access import geography, worklist
    from data_access.scope import Period, Scope

    start, reference = geography.data_range(db)
    everything = Period("all", start, reference)
    for scope in (Scope(everything), Scope(everything, street="440307014"),
                  Scope(everything, community=geography.communities(db)["code"].iloc[0])):
        whole = worklist.worklist(db, scope, reference, days_ahead)
        assert len(whole) > (0 if scope.community else 40)
        counts = worklist.worklist_counts(db, scope, reference, days_ahead)
        assert counts == {"overdue": int((whole["state"] == "overdue").sum()),
                          "due_soon": int((whole["state"] == "due_soon").sum())}
        for limit in (1, 40, len(whole) + 5):
            pd.testing.assert_frame_equal(worklist.worklist(db, scope, reference, days_ahead, limit=limit),
                                          whole.head(limit))
        with raw_rows_only(monkeypatch, db):
            pd.testing.assert_frame_equal(worklist.worklist(db, scope, reference, days_ahead), whole)
            pd.testing.assert_frame_equal(worklist.worklist(db, scope, reference, days_ahead, limit=40),
                                          whole.head(40))
            assert worklist.worklist_counts(db, scope, reference, days_ahead) == counts


# --- a request's timeline ----------------------------------------------------------------------


def test_request_timeline_on_the_small_database(small_db):
    from data_access import worklist
    from data_access.scope import Period, Scope

    scope = Scope(Period("all", date(2023, 8, 1), date(2023, 10, 31)))
    row, history = worklist.request_timeline(small_db, scope, "R6", date(2023, 10, 31), TARGETS)
    assert list(history["status"]) == ["待受理", "已受理", "已办结", "办理中", "已办结", "已关闭"]
    assert row["reopened"] and not row["returned"]
    assert row["expected_completion"] == pd.Timestamp("2023-10-04 09:00")
    assert row["requester_name"] != "张三" and row["requester_phone"] != "13812345678"  # masked
    assert history["days_in_status"].iloc[1] == pytest.approx(1 - 1 / 24)  # accepted after 1 h, resolved at 1 day
    assert history["current"].tolist() == [False] * 5 + [True]
    returned, _ = worklist.request_timeline(small_db, scope, "R4", date(2023, 10, 31), TARGETS)
    assert returned["returned"] and not returned["reopened"]
    # another street's request is "not found", exactly like an unknown id
    assert worklist.request_timeline(small_db, Scope(scope.period, role="street:S2"), "R6", date(2023, 10, 31),
                                     TARGETS) is None
    assert worklist.request_timeline(small_db, scope, "NOPE", date(2023, 10, 31), TARGETS) is None


# --- comparison ------------------------------------------------------------------------------


def test_compare_units_on_the_small_database(small_db):
    trend = bulletin.compare_units(small_db, ["S1", "S2", "district"], "2023-10", config=CONFIG, targets=TARGETS)
    assert sorted(set(trend["period"])) == ["2023-08", "2023-09", "2023-10"]  # the data start in August
    october = trend[trend["period"] == "2023-10"].set_index("code")
    assert list(october.index) == ["S1", "S2", "district"]
    expected = by_code(make(small_db))
    for code in ("S1", "S2"):
        for column in ("received", "composite", *bulletin.MEASURES):
            assert october.loc[code, column] == pytest.approx(expected.loc[code, column]), (code, column)
    district = october.loc["district"]
    assert district["received"] == 11 and district["name"] == "龙岗区"
    assert district["responded"] == expected["responded"].sum()
    assert district["response_rate"] == pytest.approx(expected["responded"].sum() / 11)
    months = bulletin.month_comparison(trend, "S1", "2023-10")
    assert list(months["which"]) == ["current", "previous"]  # no October 2022 in the data
    assert list(months["received"]) == [7, 2]


def test_compare_units_respects_the_role_and_input(small_db):
    units = bulletin.comparison_units(small_db, "street", None, "street:S1")
    assert list(units["code"]) == ["S1"]  # no other street, and no district total, for a street office
    with pytest.raises(BulletinError, match="不在您的查看范围内"):
        bulletin.compare_units(small_db, ["S1", "S2"], "2023-10", role="street:S1", config=CONFIG, targets=TARGETS)
    own = bulletin.compare_units(small_db, ["C1", "C2"], "2023-10", "community", "S2", "street:S1",
                                 config=CONFIG, targets=TARGETS)
    assert set(own["code"]) == {"C1", "C2"}
    with pytest.raises(BulletinError, match="按月"):
        bulletin.compare_units(small_db, ["S1", "S2"], "2023-W42", config=CONFIG, targets=TARGETS)
    with pytest.raises(BulletinError, match="1至4"):
        bulletin.compare_units(small_db, ["S1", "S2", "S3", "S4", "district"], "2023-10", config=CONFIG,
                               targets=TARGETS)


def test_stored_counts_are_the_raw_counts_of_every_month_and_week(db, monkeypatch):
    """bulletin_count_summary (built by the summary refresh) gives every month and ISO week at its cut-off, at
    both levels, exactly what the raw statement counts; other definitions or cut-offs are counted raw."""
    from data_access.geography import data_range
    from data_access.requests import load_request_targets

    config, targets = bulletin.load_bulletin_config(), load_request_targets()
    start, reference = data_range(db)
    stored_counts = bulletin_counts._stored_counts
    for kind in ("month", "week"):
        periods = bulletin.period_options(start, reference, kind)
        periods = periods if kind == "month" else periods[:12] + periods[-3:]  # the newest and the oldest weeks
        spans = [(p, bulletin.cutoff_date(p, reference)) for p in periods]
        for level, street in (("street", None), ("community", "440307003")):
            stored, rest = stored_counts(db, spans, level, street, config, targets)
            assert rest == [] and stored is not None and len(stored), (kind, level)
            stored = bulletin_counts._by_period(stored)
            monkeypatch.setattr(bulletin_counts, "_stored_counts", lambda _db, spans, *_a: (None, list(spans)))
            raw = bulletin.period_counts(db, spans, level, street, config, targets)
            monkeypatch.undo()
            assert raw.keys() == stored.keys()
            for key, frame in raw.items():
                pd.testing.assert_frame_equal(stored[key].set_index("code").astype(float),
                                              frame.set_index("code").astype(float), obj=f"{kind} {key} {level}")
    october = bulletin.parse_bulletin_period("2023-10")
    other = BulletinConfig(response_hours=(("*", 1.0),), weights=CONFIG.weights)
    assert stored_counts(db, [(october, date(2023, 10, 31))], "street", None, other, targets)[0] is None
    assert stored_counts(db, [(october, date(2023, 10, 20))], "street", None, config, targets)[0] is None


def test_the_summary_refresh_stores_the_counts_and_an_unreadable_config_stores_none(small_db, monkeypatch, tmp_path):
    """The refresh stores every period's counts with the default definitions (the small bulletins above use
    others, so they are counted raw); a config file the bulletin refuses leaves no counts and no failed refresh."""
    from sqlalchemy import func

    from data_access import summaries
    from data_access.requests import load_request_targets

    bad = tmp_path / "bulletin.toml"
    bad.write_text("[weights]\nresponse_rate = -1\n", encoding="utf-8")
    monkeypatch.setattr(bulletin_counts, "CONFIG_FILE", bad)
    with small_db.engine.begin() as conn:
        summaries.refresh(conn)
    stored_rows = select(func.count()).select_from(schema.bulletin_count_summary)
    assert small_db.dataset_info()["bulletin_counts"] == "" and small_db.scalar(stored_rows) == 0
    monkeypatch.undo()
    with small_db.engine.begin() as conn:
        summaries.refresh(conn)
    assert small_db.scalar(stored_rows) > 0
    config, targets = bulletin.load_bulletin_config(), load_request_targets()
    for key in ("2023-08", "2023-10", "2023-W40"):
        spans = [(parse_bulletin_period(key), bulletin.cutoff_date(parse_bulletin_period(key), date(2023, 10, 31)))]
        stored, rest = bulletin_counts._stored_counts(small_db, spans, "community", "S1", config, targets)
        stored = bulletin_counts._by_period(stored)
        assert rest == [] and key in stored
        raw = small_db.frame(bulletin_counts._one_period_statement(*spans[0], "community", "S1", config, targets))
        pd.testing.assert_frame_equal(stored[key].set_index("code").astype(float),
                                      raw.set_index("code").astype(float))
    assert make(small_db).table.set_index("code").loc["S1", "received"] > 0  # CONFIG: counted raw


def test_composites_skip_missing_rates_and_match_one_row_at_a_time():
    """The composite weighs only the rates a unit has; scored together or one row at a time, every row gets the
    same float (ranks and ties must not depend on how many units are scored at once)."""
    import math

    rows = pd.DataFrame({"response_rate": [1.0, 0.5, None, 0.9], "resolution_rate": [0.5, None, None, 0.8],
                         "on_time_rate": [0.25, 0.75, None, 0.7], "satisfaction_rate": [None, 1.0, None, 0.6]})
    together = bulletin.composites(rows, CONFIG)
    alone = [bulletin.composites(rows.iloc[[i]], CONFIG)[0] for i in range(len(rows))]
    assert math.isnan(together[2]) and math.isnan(alone[2])
    assert [x for x in together if not math.isnan(x)] == [x for x in alone if not math.isnan(x)]
    weights = dict(CONFIG.weights)
    expected = sum(weights[m] * rows.loc[0, m] for m in ("response_rate", "resolution_rate", "on_time_rate")) / sum(
        weights[m] for m in ("response_rate", "resolution_rate", "on_time_rate")) * 100
    assert together[0] == pytest.approx(expected)


def test_the_streaks_ranks_are_the_ranked_tables_ranks(db):
    """The streak walk ranks each earlier period without building its table: the same ranks as the table."""
    from data_access.geography import data_range
    from data_access.requests import load_request_targets

    config, targets = bulletin.load_bulletin_config(), load_request_targets()
    start, reference = data_range(db)
    periods = bulletin.period_options(start, reference, "month")
    spans = [(p, bulletin.cutoff_date(p, reference)) for p in periods]
    for level, street in (("street", None), ("community", "440307003")):
        units = bulletin.unit_list(db, level, street)
        counts = bulletin.period_counts_long(db, spans, level, street, config, targets)
        ranks = bulletin.period_ranks(units, counts, config)
        assert len(ranks) > len(periods) / 2  # the first months rank no one: too few requests
        for key, frame in bulletin.period_counts(db, spans, level, street, config, targets).items():
            assert ranks.get(key, {}) == bulletin._ranks(bulletin.ranked_table(units, frame, config)), (level, key)
