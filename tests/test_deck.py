"""Meeting decks (components/deck.py, jobs/deck.py): read back with python-pptx, and rendered by
LibreOffice Impress (pages kept as PNGs in screenshots/deck/ to look at)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE

from components import briefing, deck, formatting, maps, playlist, scope_deck
from components.i18n import text
from data_access import boundaries, bulletin, community_measures, geography, projects, requests
from data_access.scope import Scope, parse_period
from jobs import deck as deck_job
from tests.conftest import in_ci

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "screenshots" / "deck"
BUJI = "440307014"


@pytest.fixture(scope="module")
def show() -> playlist.Show:
    return playlist.load_show(playlist.DEFAULT_SHOW_NAME)


@pytest.fixture(scope="module")
def span(sqlite_db):
    return geography.data_range(sqlite_db)


@pytest.fixture(scope="module")
def district_deck(sqlite_db, show, span) -> bytes:
    return deck.build_show_deck(show, deck.direct(sqlite_db), start=span[0], reference=span[1])


@pytest.fixture(scope="module")
def street_deck(sqlite_db, show, span) -> bytes:
    return deck.build_show_deck(show, deck.direct(sqlite_db), start=span[0], reference=span[1],
                                role=f"street:{BUJI}", theme="light")


def _read(data: bytes):
    return Presentation(io.BytesIO(data))


def _named(slide, prefix: str) -> list:
    return [s for s in slide.shapes if s.name.startswith(prefix)]


def _text_of(slide, name: str) -> str:
    return _named(slide, name)[0].text_frame.text


def test_one_16_9_slide_per_show_slide_with_title_scope_and_as_of(district_deck, show, span):
    prs = _read(district_deck)
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=1e-3)
    assert len(prs.slides) == len(show.slides)
    for page, slide in zip(prs.slides, show.slides, strict=True):
        assert _text_of(page, "title") == slide.heading("zh")
        assert text("district", "zh") in _text_of(page, "scope")
        assert formatting.day(span[1], "zh") in _text_of(page, "as-of")
        notes = page.notes_slide.notes_text_frame.text
        assert slide.heading("zh") in notes and text("deck.source", "zh") in notes
        runs = [r for p in _named(page, "title")[0].text_frame.paragraphs for r in p.runs]
        assert runs[0]._r.find(".//{*}ea").get("typeface") == deck.FONT


def _charts(page) -> list:
    return sorted((s for s in page.shapes if s.has_chart), key=lambda s: s.name)


def _series(chart) -> dict[str, list[float]]:
    return {s.name: list(s.values) for s in chart.plots[0].series}


def test_charts_are_native_and_carry_the_query_results_of_the_slides_scope(district_deck, show, span, sqlite_db):
    prs = _read(district_deck)
    call = deck.direct(sqlite_db)
    for page, slide in zip(prs.slides, show.slides, strict=True):
        scope = deck.slide_scope(slide, *span)
        content = deck.slide_content(slide, scope, "zh", call, span[1])
        charts = _charts(page)
        assert len(charts) == len(content.charts)
        for frame, spec in zip(charts, content.charts, strict=True):
            got = _series(frame.chart)
            for name, values in spec.series:
                expected = values[::-1] if spec.kind in ("bar", "stacked") else values
                assert got[name] == pytest.approx(expected)
    # and against the queries themselves: the overview's trend (district, all) and the 2023 requests slide
    overview = _charts(prs.slides[0])[0].chart
    by_month = requests.requests_by_month(sqlite_db, deck.slide_scope(show.slides[0], *span))
    assert list(overview.plots[0].categories) == list(by_month["month"])
    assert _series(overview)["受理诉求"] == pytest.approx(list(by_month["received"].astype(float)))
    stages = projects.project_stage_counts(sqlite_db, deck.slide_scope(show.slides[0], *span))
    assert _series(_charts(prs.slides[0])[1].chart)["实践项目"] == pytest.approx(list(stages["projects"])[::-1])
    kinds = {frame.chart.chart_type for page in prs.slides for frame in _charts(page)}
    assert len(kinds) >= 3  # line, bar, stacked bar, doughnut
    # the bulletin slide: the month's 通报 composites, best first (a bar chart lists from the bottom)
    number = next(i for i, slide in enumerate(show.slides) if slide.panel == "bulletin")
    month = bulletin.month_for(show.slides[number].period, *span)
    ranked = bulletin.build_bulletin(sqlite_db, month.key, "street").table.query("ranked").sort_values("rank")
    composites = _series(_charts(prs.slides[number])[0].chart)[text("bulletin.col.composite")]
    assert composites == pytest.approx(list(ranked["composite"].astype(float))[::-1])


def test_map_slide_has_one_freeform_per_unit_filled_by_its_class(district_deck, show, span, sqlite_db):
    prs = _read(district_deck)
    index = next(i for i, s in enumerate(show.slides) if s.panel == "map" and not s.street)
    page, slide = prs.slides[index], show.slides[index]
    units = community_measures.unit_measures(sqlite_db, deck.slide_scope(slide, *span), "street")
    shapes = _named(page, "unit:")
    assert sorted(s.name[5:] for s in shapes) == sorted(units["code"])
    assert all(s.shape_type == MSO_SHAPE_TYPE.FREEFORM for s in shapes)
    content = deck.slide_content(slide, deck.slide_scope(slide, *span), "zh", deck.direct(sqlite_db), span[1])
    for s in shapes:
        value = units.set_index("code").loc[s.name[5:], maps.MEASURES[slide.measure].column]
        assert str(s.fill.fore_color.rgb) == maps.rgb_hex(content.map.scale.colour(value)).lstrip("#").upper()
    assert len(_named(page, "legend:")) >= 2 and len(_named(page, "label:")) == len(units)
    if boundaries.load_shapes().schematic:
        assert text("map.schematic_note", "zh") in _text_of(page, "map-note")
    assert not _charts(page)


def test_a_street_roles_deck_shows_only_its_street(street_deck, show, sqlite_db):
    prs = _read(street_deck)
    assert len(prs.slides) == len(show.slides)
    buji = geography.streets(sqlite_db).set_index("code").loc[BUJI, "name"]
    for page in prs.slides:
        assert buji in _text_of(page, "scope")
    communities = geography.communities(sqlite_db)
    buji_codes = set(communities.loc[communities["street_code"] == BUJI, "code"])
    for index, slide in enumerate(show.slides):
        if slide.panel == "map":
            codes = {s.name[5:] for s in _named(prs.slides[index], "unit:")}
            assert codes and codes <= buji_codes


def test_bulletin_deck_has_the_ranking_table_and_the_lists(sqlite_db):
    b = bulletin.build_bulletin(sqlite_db, "2023-10")
    prs = _read(deck.build_bulletin_deck(b))
    assert len(prs.slides) == 2
    table = _named(prs.slides[0], "ranking")[0].table
    assert len(table.rows) == len(b.table) + 1
    names = [table.cell(i, 1).text for i in range(1, len(table.rows))]
    assert names == list(b.table["name"])
    red, black = _text_of(prs.slides[1], "red"), _text_of(prs.slides[1], "black")
    assert all(name in red for name in b.red["name"])
    assert all(name in black for name in b.black["name"])
    assert prs.slides[0].notes_slide.notes_text_frame.text


def test_cli_writes_show_and_bulletin_decks(tmp_path, capsys):
    out = tmp_path / "deck.pptx"
    assert deck_job.main(["--show", "default", "--out", str(out), "--lang", "en", "--theme", "light"]) == 0
    prs = Presentation(str(out))
    assert _text_of(prs.slides[0], "title") == playlist.load_show("default").slides[0].heading("en")
    assert deck_job.main(["--bulletin", "2023-10", "--out", str(tmp_path / "b.pptx")]) == 0
    assert deck_job.main(["--show", "nope", "--out", str(out)]) == 2
    assert deck_job.main(["--show", "default", "--out", str(out), "--role", "bogus"]) == 2
    assert deck.latest_complete_month(date(2023, 10, 31)) == "2023-10"
    assert deck.latest_complete_month(date(2023, 10, 30)) == "2023-09"


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found or not shutil.which("pdftoppm"):
        if in_ci():
            pytest.fail("soffice/pdftoppm not found (CI=true: the deck must render)", pytrace=False)
        pytest.skip("LibreOffice Impress or poppler-utils not installed")
    return found


def test_libreoffice_renders_the_decks(district_deck, street_deck, overview_deck, street_overview_deck, show,
                                       sqlite_db, tmp_path):
    """The show (district, and a street office's), the bulletin and the overview's decks (district 2023, and a
    street office's) convert to PDF; their pages are kept as PNGs in screenshots/deck/ to look at."""
    soffice = _soffice()
    b = bulletin.build_bulletin(sqlite_db, "2023-10")
    decks = {"show": district_deck, "show-street": street_deck, "bulletin": deck.build_bulletin_deck(b),
             "overview": overview_deck, "overview-street": street_overview_deck}
    for stem, data in decks.items():
        (tmp_path / f"{stem}.pptx").write_bytes(data)
    profile = tmp_path / "profile"
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path)] + [str(tmp_path / f"{stem}.pptx") for stem in decks],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stem, data in decks.items():
        pages = len(_read(data).slides)
        pdf = tmp_path / f"{stem}.pdf"
        assert pdf.exists(), result.stdout + result.stderr
        for old in ARTIFACTS.glob(f"{stem}-[0-9]*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / stem)], check=True, timeout=120)
        rendered = sorted(ARTIFACTS.glob(f"{stem}-[0-9]*.png"))
        assert len(rendered) == pages
        assert all(p.stat().st_size > 5_000 for p in rendered)


def test_the_show_launcher_offers_the_deck():
    from apptest_support import open_app

    at = open_app("pages/show_page.py")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "导出 PowerPoint" in labels


# --- map labels: thinned, never overlapping ---------------------------------------------------------------


def _boxes(page) -> dict[str, tuple[int, int, int, int]]:
    return {s.name[6:]: (s.left, s.top, s.left + s.width, s.top + s.height) for s in _named(page, "label:")}


def _overlapping(boxes: dict[str, tuple[int, int, int, int]]) -> list[tuple[str, str]]:
    items = sorted(boxes.items())
    return [(a, b) for i, (a, p) in enumerate(items) for b, q in items[i + 1:]
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]


def test_map_labels_on_the_community_map_do_not_overlap(street_deck, show):
    prs = _read(street_deck)
    index = next(i for i, s in enumerate(show.slides) if s.panel == "map" and s.street)
    page = prs.slides[index]
    units = {s.name[5:] for s in _named(page, "unit:")}
    boxes = _boxes(page)
    assert len(units) == 17 and set(boxes) <= units  # every community a shape; labels only on shapes
    assert not _overlapping(boxes)
    unlabelled = units - set(boxes)
    notes = page.notes_slide.notes_text_frame.text
    names = {s.name[5:]: s for s in _named(page, "unit:")}
    assert all(code in names for code in unlabelled)
    if unlabelled:
        assert text("deck.unlabelled", "zh").split("：")[0] in notes


def test_label_layout_drops_or_shrinks_the_smaller_units_labels_deterministically():
    inch = 914400
    crowded = [deck.MapLabel(f"c{i}", "某某社区", inch * 3 + (i % 3) * inch // 4, inch * 3 + (i // 3) * inch // 8,
                             area=float(10 - i), shape_width=inch) for i in range(9)]
    placed = deck.map_label_layout(crowded)
    assert placed == deck.map_label_layout(list(reversed(crowded)))  # the same labels whatever the order
    assert placed[0].code == "c0" and placed[0].size == max(deck.MAP_LABEL_SIZES)  # the biggest unit first
    assert 1 < len(placed) < len(crowded)
    boxes = {p.code: p.box for p in placed}
    assert not _overlapping(boxes)
    narrow = deck.map_label_layout([deck.MapLabel("n", "某某社区", inch, inch, 1.0, shape_width=inch // 2)])
    assert narrow[0].size < max(deck.MAP_LABEL_SIZES)  # shrunk to its shape's width
    assert narrow[0].box[2] - narrow[0].box[0] <= inch // 2 or narrow[0].size == min(deck.MAP_LABEL_SIZES)


# --- the overview's deck: the briefing of a scope and period as slides -------------------------------------


@pytest.fixture(scope="module")
def year_scope(span) -> Scope:
    return Scope(period=parse_period("2023", *span))


@pytest.fixture(scope="module")
def overview_deck(sqlite_db, span, year_scope) -> bytes:
    return scope_deck.build_scope_deck(deck.direct(sqlite_db), year_scope, start=span[0], reference=span[1])


@pytest.fixture(scope="module")
def street_overview_deck(sqlite_db, span) -> bytes:
    """A street office asking for the district: it gets its street (as the show's slides fall back)."""
    role = f"street:{BUJI}"
    scope = scope_deck.scope_for("district", parse_period("2023", *span), geography.streets(sqlite_db),
                                 geography.communities(sqlite_db), role)
    return scope_deck.build_scope_deck(deck.direct(sqlite_db), scope, start=span[0], reference=span[1])


def _top_down(frame) -> tuple[list[str], list[list[float]]]:
    """A chart's categories and series as the page lists them (a bar chart's are stored bottom-up)."""
    chart = frame.chart
    categories = list(chart.plots[0].categories)
    series = [list(s.values) for s in chart.plots[0].series]
    if chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED:
        return categories[::-1], [values[::-1] for values in series]
    return categories, series


def test_overview_deck_slides_are_the_briefings_with_titles_and_notes(overview_deck, sqlite_db, span, year_scope):
    prs = _read(overview_deck)
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=1e-3)
    content = briefing.collect_briefing(deck.direct(sqlite_db), year_scope, span[0], span[1], "龙岗区",
                                        formatting.period_label(year_scope.period, "zh"))
    charts = -(-len(content.charts) // 2)
    map_title = text("deck.scope.map", measure=maps.measure_label(maps.DEFAULT_MEASURE, "zh"))
    expected = ([text("briefing.title"), text("briefing.headline")] + [text("briefing.charts")] * charts + [map_title]
                + [section for section, tables in content.sections for _ in tables])
    assert [_text_of(page, "title") for page in prs.slides] == expected
    tables = [t for _, ts in content.sections for t in ts]
    assert [_text_of(page, "subtitle") for page in list(prs.slides)[3 + charts:]] == [t.title for t in tables]
    for number, page in enumerate(prs.slides, start=1):
        notes = page.notes_slide.notes_text_frame.text
        assert text("deck.source") in notes
        if number > 1:
            assert formatting.period_label(year_scope.period, "zh") in _text_of(page, "scope")
            assert text("show.counter", n=number, total=len(prs.slides)) in _text_of(page, "as-of")
    # the headline figures: the overview's tiles, as the briefing (and the page) formats them
    headline = prs.slides[1]
    values = [s.text_frame.paragraphs[1].text for s in sorted(_named(headline, "kpi:"), key=lambda s: int(s.name[4:]))]
    assert values == [tile.value for tile in content.tiles]
    received = requests.request_totals(sqlite_db, year_scope)["received"].iloc[0]
    assert formatting.count(received) in values
    assert text("deck.def.rate") in headline.notes_slide.notes_text_frame.text
    # a table slide: the briefing's rows (as many as fit), the rest counted in a note
    overdue = next(page for page in prs.slides if _named(page, "subtitle")
                   and _text_of(page, "subtitle") == tables[0].title)
    table = _named(overdue, "table")[0].table
    codes = [table.cell(i, 0).text for i in range(1, len(table.rows))]
    assert codes == list(tables[0].frame.iloc[:, 0])[:len(codes)] and codes
    if len(codes) < len(tables[0].frame):
        assert str(len(tables[0].frame)) in _text_of(overdue, "rows-note")


def test_overview_deck_charts_are_the_query_results_of_the_scope(overview_deck, sqlite_db, year_scope):
    from data_access import participation, safety
    from data_access.domain import SAFETY_MEASURES

    prs = _read(overview_deck)
    frames = [frame for page in list(prs.slides)[2:5] for frame in _charts(page)]
    by_month = requests.requests_by_month(sqlite_db, year_scope)
    categories, series = _top_down(frames[0])
    assert frames[0].chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert categories == list(by_month["month"])
    assert series == [pytest.approx(list(by_month["received"])), pytest.approx(list(by_month["resolved"]))]
    channels = requests.requests_by_channel(sqlite_db, year_scope)
    categories, series = _top_down(frames[1])
    assert categories == list(channels["channel"])
    assert series == [pytest.approx(list(channels["received"])), pytest.approx(list(channels["resolved"]))]
    stages = projects.project_stage_counts(sqlite_db, year_scope)
    categories, series = _top_down(frames[2])
    assert categories == list(stages["status"]) and series == [pytest.approx(list(stages["projects"]))]
    events = participation.events_by_kind(sqlite_db, year_scope)
    categories, series = _top_down(frames[3])
    assert frames[3].chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert categories == list(events["kind"]) and series == [pytest.approx(list(events["events"]))]
    months = safety.safety_by_month(sqlite_db, year_scope)
    categories, series = _top_down(frames[4])
    assert series == [pytest.approx(list(months[m])) for m in SAFETY_MEASURES]


def test_overview_deck_map_has_one_freeform_per_unit(overview_deck, sqlite_db, year_scope):
    prs = _read(overview_deck)
    page = next(p for p in prs.slides if _named(p, "unit:"))
    units = community_measures.unit_measures(sqlite_db, year_scope, "street")
    shapes = _named(page, "unit:")
    assert sorted(s.name[5:] for s in shapes) == sorted(units["code"])
    assert all(s.shape_type == MSO_SHAPE_TYPE.FREEFORM for s in shapes)
    assert not _overlapping(_boxes(page))
    assert text("deck.def.map.requests_per_1000") in page.notes_slide.notes_text_frame.text


def _all_text(prs) -> str:
    parts = []
    for page in prs.slides:
        for shape in page.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                parts += [str(c) for c in shape.chart.plots[0].categories]
                parts += [s.name for s in shape.chart.plots[0].series]
    return "\n".join(parts)


def test_a_street_roles_overview_deck_shows_only_its_street(street_overview_deck, sqlite_db):
    prs = _read(street_overview_deck)
    streets = geography.streets(sqlite_db).set_index("code")["name"]
    everything = _all_text(prs)
    assert streets[BUJI] in everything
    assert not [name for code, name in streets.items() if code != BUJI and name in everything]
    for page in list(prs.slides)[1:]:
        assert streets[BUJI] in _text_of(page, "scope")
    communities = geography.communities(sqlite_db)
    codes = {s.name[5:] for page in prs.slides for s in _named(page, "unit:")}
    assert codes == set(communities.loc[communities["street_code"] == BUJI, "code"])
    page = next(p for p in prs.slides if _named(p, "unit:"))
    assert not _overlapping(_boxes(page))
    assert text("requests.col.requester_phone") not in everything  # masked or not, no phone on a slide


def test_cli_writes_an_overview_deck_and_refuses_bad_scopes_and_periods(tmp_path, capsys):
    out = tmp_path / "scope.pptx"
    assert deck_job.main(["--scope", BUJI, "--period", "2023-Q3", "--out", str(out), "--lang", "en"]) == 0
    prs = Presentation(str(out))
    assert _text_of(prs.slides[0], "title") == text("briefing.title", "en")
    assert "Buji" in _text_of(prs.slides[1], "scope")
    assert "Buji" in capsys.readouterr().out  # the saved line names the place, not the code
    assert deck_job.main(["--scope", "district", "--out", str(out)]) == 0
    assert deck_job.main(["--scope", "nowhere", "--out", str(out)]) == 2
    assert deck_job.main(["--scope", BUJI, "--period", "2023-10", "--out", str(out)]) == 2
    assert "2023-Q4" in capsys.readouterr().err  # a month is pointed to its quarter (and the bulletin)


def test_the_overview_offers_the_deck_of_its_scope_and_records_the_export(sqlite_db, monkeypatch):
    """The page's button builds the deck of the scope on screen, and the click writes an export record."""
    import streamlit
    from apptest_support import open_app

    from data_access import audit

    downloads = {}
    original = streamlit.download_button

    def recording(label, data, file_name=None, *args, **kwargs):
        downloads[label] = (file_name, data)
        return original(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    open_app(None, street=BUJI, period="2023")
    file_name, build = downloads[text("deck.scope.download")]
    assert file_name.endswith(".pptx") and "布吉街道" in file_name
    before = len(audit.records(sqlite_db.engine, action="export"))
    prs = _read(build())
    assert "布吉街道" in _text_of(prs.slides[1], "scope")
    assert formatting.period_label(parse_period("2023", *geography.data_range(sqlite_db)), "zh") in _text_of(
        prs.slides[1], "scope")
    records = audit.records(sqlite_db.engine, action="export")
    assert len(records) == before + 1
    assert records.sort_values("seq").iloc[-1][["target", "file_name"]].tolist() == ["deck", file_name]


def _table_rows(page) -> list[list[str]]:
    shape = _named(page, "followups")[0]
    assert shape.has_table
    return [[cell.text for cell in row.cells] for row in shape.table.rows]


def test_the_followup_slide_is_a_native_table_of_the_items_and_a_street_sees_only_its_own(sqlite_db, span):
    from alerts_support import PINGHU, plant_followups

    from data_access import followup

    tag = "【汇报督办】"
    ids = plant_followups(sqlite_db, tag)
    source = ('[[slide]]\npanel = "followups"\ntitle = "督办事项"\nduration_s = 20\n'
              f'[[slide]]\npanel = "followups"\ntitle = "平湖督办"\nduration_s = 20\nstreet = "{PINGHU}"\n')
    show = playlist.parse_show(source, "meeting")
    prs = _read(deck.build_show_deck(show, deck.direct(sqlite_db), start=span[0], reference=span[1]))
    header, *rows = _table_rows(prs.slides[0])
    assert header == ["编号", "督办内容", "责任单位", "办结期限", "状态", "最新进展"]
    mine = [r for r in rows if r[1].startswith(tag)]
    assert [r[0] for r in mine] == [f"#{ids[k]}" for k in ("longling", "buji", "pinghu")]  # overdue first
    assert [r[2] for r in mine] == ["龙岭社区", "布吉街道", "平湖街道"]
    assert mine[0][4] == "办理中 · 逾期 12 天" and mine[1][4] == "待核实"
    assert mine[0][5].endswith(f"{tag}已回访 12 户")
    every = followup.meeting_items(sqlite_db, "district")
    assert len(rows) == min(len(every), deck.FOLLOWUP_ROWS)
    kpis = {_text_of(prs.slides[0], f"kpi:{i}").split("\n")[0]: _text_of(prs.slides[0], f"kpi:{i}").split("\n")[1]
            for i in range(4)}
    assert kpis["未办结"] == str(len(every)) and kpis["已逾期"] == str(int(every["overdue"].sum()))
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert text("deck.def.followups", "zh") in notes and "督办状态截至" in notes
    # the 平湖 slide: 平湖's items only
    _, *rows = _table_rows(prs.slides[1])
    assert [r[1] for r in rows if r[1].startswith(tag)] == [f"{tag}平湖逾期项目清理"]
    assert {r[2] for r in rows} <= set(followup.meeting_items(sqlite_db, "district", street=PINGHU)["unit_name"])

    # a street role's deck: its own street's items, even on the slide set to another street
    street = deck.build_show_deck(show, deck.direct(sqlite_db), start=span[0], reference=span[1],
                                  role=f"street:{BUJI}", lang="en")
    for page in _read(street).slides:
        _, *rows = _table_rows(page)
        assert [r[1] for r in rows if r[1].startswith(tag)] == [f"{tag}龙岭物业整改", f"{tag}布吉满意率回访"]
        assert next(r[4] for r in rows if r[1] == f"{tag}龙岭物业整改") == "in progress · 12 days overdue"
