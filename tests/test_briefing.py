"""The printable briefing: for a scope it holds the same figures and lists as the pages' own queries,
works with no internet, escapes data text; the overview page offers it and pages offer Excel downloads."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pandas as pd
import pytest
from apptest_support import metrics, open_app, tables

from components import bulletin_report, formatting
from components.briefing import HEADLINE, TOTALS, Briefing, Table, briefing_html, collect_briefing
from components.i18n import text
from components.request_charts import status_name
from components.scope_sidebar import period_label, place_label
from data_access import bulletin, evaluation, geography, projects, requests, resources
from data_access.scope import Scope, period_options

GENERATED = datetime(2023, 11, 1, 9, 30)


def build(db, scope: Scope, lang: str = "zh") -> tuple[Briefing, str]:
    start, reference = geography.data_range(db)
    streets, communities = geography.streets(db), geography.communities(db)
    content = collect_briefing(lambda fn, *args: fn(db, *args), scope, start, reference,
                               place_label(scope, streets, communities, lang), period_label(scope.period, lang), lang,
                               streets)
    return content, briefing_html(content, GENERATED)


def scopes(db) -> dict[str, Scope]:
    start, reference = geography.data_range(db)
    periods = {p.key: p for p in period_options(start, reference)}
    longling = geography.communities(db).query("name == '龙岭社区'").iloc[0]
    return {"district": Scope(periods["all"]),
            "community": Scope(periods["2023"], street=longling["street_code"], community=longling["code"])}


def without_plotly(document: str) -> str:
    """The document with the inlined plotly.js library cut out (its source names URLs in strings)."""
    return re.sub(r"<script>/\*\*.*?</script>", "", document, count=1, flags=re.S)


def tiles(document: str) -> dict[str, str]:
    return dict(re.findall(r'<div class="label">(.*?)</div><div class="value">(.*?)</div>', document))


@pytest.mark.parametrize("which", ["district", "community"])
def test_briefing_holds_the_pages_figures_for_the_scope(db, which):
    scope = scopes(db)[which]
    start, reference = geography.data_range(db)
    content, document = build(db, scope)
    streets, communities = geography.streets(db), geography.communities(db)
    place = place_label(scope, streets, communities, "zh")

    # the filters and the data date, in the running header (repeated on every printed page) and the title block
    running = html.escape(f"范围：{place}\u3000时段：{period_label(scope.period, 'zh')}\u3000数据截至："
                          f"{formatting.day(reference, 'zh')}")
    assert running in document
    header = document[document.index('<table class="layout"><thead>'):document.index("</thead>")]
    for piece in (f"范围：{place}", f"时段：{period_label(scope.period, 'zh')}",
                  f"数据截至：{formatting.day(reference, 'zh')}"):
        assert f"<i>{html.escape(piece)}</i>" in header

    # the headline figures: the overview tiles' queries, formatted as the tiles format them
    expected = {html.escape(text(key)): html.escape(fmt(TOTALS[source](db, scope)[column].iloc[0], "zh"))
                for key, source, column, fmt in HEADLINE}
    assert tiles(document) == expected and len(expected) == len(HEADLINE)

    # every overdue project, by code and title
    overdue = projects.overdue_projects(db, scope, reference)
    for code, title in zip(overdue["code"], overdue["title"], strict=True):
        assert f"<td class=\"s\">{code}</td>" in document and html.escape(title) in document
    if overdue.empty:
        assert "该范围内没有逾期项目。" in document

    # the backlog: open requests by status, and the stalest ones, masked
    backlog = requests.open_requests_by_status(db, scope, reference)
    for status, open_count in zip(backlog["status"], backlog["open"], strict=True):
        if backlog["open"].sum():
            assert f'<td class="s">{status_name(status)}</td><td class="n">{int(open_count):,}</td>' in document
    stalest = requests.stalest_open_requests(db, scope, reference, 20)
    for request_id, phone in zip(stalest["id"], stalest["requester_phone"], strict=True):
        assert request_id in document and html.escape(phone) in document
        assert re.fullmatch(r"\d{3}\*+\d{4}", phone)

    # the resource gap list: every flagged community, in rank order
    ranking = resources.demand_gap_ranking(db, scope)
    flagged = ranking[ranking["flagged"]]
    heading = f"供需缺口清单（{len(flagged)}个社区）"
    assert heading in document
    gap_section = document[document.index(heading):].split("<section", 1)[0]
    rows = re.findall(r'<tr><td class="n">(\d+)</td><td class="s">(.*?)</td>', gap_section)
    assert rows == [(str(rank), html.escape(("● " if sel else "") + name)) for rank, (name, sel) in
                    enumerate(zip(flagged["community_name"], flagged["selected"], strict=True), 1)]

    # the league tables of the evaluation year the period falls in
    year = max(y for y in evaluation.evaluation_years(db) if y <= scope.period.end.year)
    for level in ("street", "community"):
        league = evaluation.league_table(db, scope, level, year)
        for rank, name, composite in zip(league["rank"], league["name"], league["composite"], strict=True):
            assert re.search(rf'<td class="n">{int(rank)}</td><td class="s">{re.escape(html.escape(name))}</td>'
                             rf'<td class="n">{composite:,.2f}</td>', document), (level, name)
    if which == "community":
        assert "龙岭社区：综合得分" in document  # the community's own scorecard breakdown

    # one self-contained file: plotly.js inlined exactly once, no external source or link
    assert document.count("<script>/**") == 1 and "plotly.js" in document
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", without_plotly(document), re.I)
    assert "cdn." not in without_plotly(document)
    assert len(content.charts) >= 4 and document.count('class="plotly-graph-div"') == len(content.charts)


def _section(document: str, title: str) -> str:
    start = document.index(f"<h2>{title}</h2>")
    return document[start:].split("</section>", 1)[0]


def test_briefing_holds_the_month_bulletin_with_its_lists_and_definitions(sqlite_db):
    db = sqlite_db
    content, document = build(db, scopes(db)["district"])
    assert content.sections[-2][0] == "月度通报" and "月度通报" in document.split("</nav>", 1)[0]  # in the contents
    section = _section(document, "月度通报")
    b = bulletin.build_bulletin(db, "2023-10")  # period "all": the latest complete month of the data
    assert "龙岗区民生诉求办理情况月度通报（2023年10月）" in section and "统计截止：2023年10月31日" in section
    assert "排名变化与上期（2023-09）相比" in section
    ranked = b.table[b.table["ranked"]]
    assert len(ranked) == 11
    for row in ranked.to_dict("records"):  # every street: rank, name, received, the rates, composite, change
        change = bulletin_report.rank_change_label(row["rank_change"], "zh", True)
        assert re.search(
            rf'<td class="n">{int(row["rank"])}</td><td class="s">{re.escape(row["name"])}</td>'
            rf'<td class="n">{int(row["received"]):,}</td><td class="n">{row["response_rate"] * 100:,.1f}%</td>'
            rf'.*?<td class="n">{row["composite"]:,.2f}</td><td class="s">{re.escape(change)}</td>', section), row
    red = section[section.index("红榜（综合得分前3名）"):section.index("黑榜（低于底线）")]
    assert [n for n in b.red["name"]] == re.findall(r'<td class="s">(\S+街道)</td>', red)
    black = section[section.index("黑榜（低于底线）"):]
    assert len(b.black) and all(name in black for name in b.black["name"])
    assert "满意率 81.7%（底线 85%）" in black  # the failing measure, its value and its floor
    notes = black[black.index('<ol class="notes">'):]
    for line in bulletin_report.notes(b, "zh"):
        assert f"<li>{html.escape(line)}</li>" in notes
    assert "响应率20、办结率30、按时办结率20、满意率30" in notes  # the weights


def test_briefing_bulletin_follows_the_scope_and_the_period(sqlite_db):
    db = sqlite_db
    start, reference = geography.data_range(db)
    periods = {p.key: p for p in period_options(start, reference)}
    _, document = build(db, Scope(periods["2023-Q3"]))
    assert "龙岗区民生诉求办理情况月度通报（2023年9月）" in _section(document, "月度通报")  # Q3's last month
    _, document = build(db, scopes(db)["community"], "en")  # a community: its street's communities ranked
    section = _section(document, "Monthly bulletin")
    assert "布吉街道 communities" in section.split("</h3>", 1)[0] and "龙岭社区" in section
    assert "Notes (definitions and weights)" in section
    # a street role: only its own street's communities, never another street's
    role = Scope(periods["2023"], role="street:440307003")
    _, document = build(db, role)
    section = _section(document, "月度通报")
    assert "平湖街道" in section.split("</h3>", 1)[0] and "龙岭社区" not in section


def test_briefing_escapes_data_text_and_shows_empty_states():
    evil = "<script>alert('x')</script>&"
    content = Briefing(
        "zh", f"龙岗区 › {evil}", "2023年", pd.Timestamp("2023-10-31").date(), [], [],
        [("节", [Table(evil, pd.DataFrame({"名称<b>": [evil, None], "数": [1, 2.5]}), caption="**规则**：" + evil),
                 Table("空", pd.DataFrame(), empty="没有数据。")])],
    )
    document = briefing_html(content, GENERATED)
    assert "<script>alert" not in document
    assert "名称<b>" not in document
    assert html.escape(evil) in document and "名称&lt;b&gt;" in document
    assert "<strong>规则</strong>" in document  # the catalogue's bold marks, and only those, become HTML
    assert "<td>—</td>" in document or '<td class="s">—</td>' in document
    assert '<td class="n">2.5</td>' in document and "没有数据。" in document
    assert "<script" not in document  # no chart: no plotly.js either


def test_briefing_in_english(sqlite_db):
    _, document = build(sqlite_db, scopes(sqlite_db)["district"], "en")
    assert '<html lang="en">' in document and "Longgang grassroots governance briefing" in document
    assert "Scope: Longgang District · Period: All (2021-01 to 2023-10) · Data as of 2023-10-31" in document
    assert "<i>Data as of: 2023-10-31</i>" in document
    assert "Overdue projects" in document and "Gap list" in document


def test_overview_offers_the_briefing_with_the_tiles_it_shows(sqlite_db):
    """The briefing's headline figures are the overview's tiles, for the same scope."""
    longling = geography.communities(sqlite_db).query("name == '龙岭社区'").iloc[0]
    at = open_app(None, community=longling["code"], period="2023")
    labels = [b.label for b in at.get("download_button")]
    assert "生成简报 (打印版)" in labels
    content, _ = build(sqlite_db, scopes(sqlite_db)["community"])
    shown = metrics(at)
    for tile in content.tiles:
        assert shown[tile.label] == tile.value, tile.label


def test_pages_offer_csv_and_excel_for_every_table():
    at = open_app("pages/resources_page.py", timeout=180)
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("下载 CSV") >= len(tables(at))
    assert labels.count("下载 Excel") == labels.count("下载 CSV")


def test_the_excel_export_is_the_table_on_screen(monkeypatch):
    """The projects page's overdue table: the XLSX behind its button equals what the screen shows."""
    import io

    import openpyxl
    import streamlit

    downloads = {}
    original = streamlit.download_button

    def recording(label, data, file_name=None, *args, **kwargs):
        downloads[file_name] = data
        return original(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    at = open_app("pages/projects_page.py", timeout=180, section="overdue")
    name = next(n for n in downloads if n.startswith("overdue_projects_") and n.endswith(".xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(downloads[name]()))
    headers = [c.value for c in book.worksheets[1][1]]
    screen = next(frame for frame in tables(at) if list(frame.columns) == headers)
    assert book.sheetnames[0] == "筛选条件"
    filters = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows(min_row=2)}
    assert filters["范围"] == "龙岗区" and filters["数据截至"] == "2023-10-31" and filters["行数"] == str(len(screen))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert list(rows[0]) == list(screen.columns)
    assert len(rows) == len(screen) + 1
    for got, want in zip(rows[1:], screen.itertuples(index=False, name=None), strict=True):
        for g, w in zip(got, want, strict=True):
            if hasattr(g, "date") and not isinstance(w, (str, int, float)):
                g = g.date()
            assert g == (w.date() if isinstance(w, pd.Timestamp) else w), (got, want)


def test_briefing_lists_the_scopes_unfinished_followup_items(sqlite_db):
    from alerts_support import BUJI, plant_followups

    from data_access import followup

    tag = "【简报督办】"
    plant_followups(sqlite_db, tag)
    content, document = build(sqlite_db, scopes(sqlite_db)["district"])
    assert [name for name, _ in content.sections][-2:] == ["月度通报", "督办事项"]
    section = _section(document, "督办事项")
    every = followup.meeting_items(sqlite_db, "district")
    assert f"未办结督办事项（{len(every)} 项，其中逾期 {int(every['overdue'].sum())} 项）" in section
    table = content.sections[-1][1][0].frame
    mine = table[table["督办内容"].str.startswith(tag)]
    assert mine["责任单位"].tolist() == ["龙岭社区", "布吉街道", "平湖街道"]  # overdue first
    assert mine["状态"].tolist() == ["办理中 · 逾期 12 天", "待核实", "办理中"]
    assert mine["最新进展"].iloc[0].endswith(f"{tag}已回访 12 户")
    for task in mine["督办内容"]:
        assert html.escape(task) in section
    # a street role's briefing: its own street's items only
    start, reference = geography.data_range(sqlite_db)
    role = Scope(period_options(start, reference)[0], role=f"street:{BUJI}")
    content, document = build(sqlite_db, role)
    table = content.sections[-1][1][0].frame
    assert set(table["责任单位"]) <= {"布吉街道", *geography.communities(sqlite_db).query(
        f"street_code == '{BUJI}'")["name"]}
    assert f"{tag}龙岭物业整改" in _section(document, "督办事项") and f"{tag}平湖逾期项目清理" not in document
