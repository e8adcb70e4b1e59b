"""Personal data never leaves the data layer unmasked: the maskers, then every public request query."""

import inspect
import json
import re
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import geography, open311, requests, schema
from data_access.privacy import COMPOUND_SURNAMES, mask_name, mask_personal_data, mask_phone
from data_access.scope import Period, Scope

#: Runs of digits in a text: any raw phone number in it would be one of them.
DIGIT_RUNS = re.compile(r"\d{7,}")


@pytest.mark.parametrize("raw, masked", [
    ("张三", "张*"), ("张三丰", "张**"), ("张", "张"), ("", ""), (None, None), (" 李四 ", "李*"),
    # compound surnames (复姓) stay whole, whatever the name's length
    ("欧阳娜娜", "欧阳**"), ("欧阳锋", "欧阳*"), ("司马光", "司马*"), ("诸葛孔明", "诸葛**"), ("上官婉儿", "上官**"),
    ("慕容复", "慕容*"), ("东方不败", "东方**"), ("皇甫嵩", "皇甫*"), ("尉迟恭", "尉迟*"), ("公孙胜", "公孙*"),
    ("令狐冲", "令狐*"), ("长孙无忌", "长孙**"), ("宇文泰", "宇文*"), ("司徒雷登", "司徒**"), ("夏侯惇", "夏侯*"),
    ("欧阳", "欧*"),  # two characters only: surname 欧, given name 阳
    ("阿卜杜拉·买买提", "阿*******"),
])
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked


@pytest.mark.parametrize("raw, masked", [
    # mobiles, with or without +86/86, spaces or dashes
    ("13812345678", "138****5678"), ("138 1234 5678", "138****5678"), ("138-1234-5678", "138****5678"),
    ("+8613812345678", "138****5678"), ("+86 138 1234 5678", "138****5678"), ("86-138-1234-5678", "138****5678"),
    ("8613812345678", "138****5678"), ("0086 13812345678", "138****5678"), ("(+86) 138 1234 5678", "138****5678"),
    # landlines with the area code (which may stay): at most the last four digits
    ("0755-2888 1234", "0755-****1234"), ("075528881234", "0755-****1234"), ("(0755) 2888-1234", "0755-****1234"),
    ("010-8888 1234", "010-****1234"), ("+86 755 2888 1234", "0755-****1234"), ("0755-2888123", "0755-***8123"),
    # without it
    ("28881234", "****1234"), ("2888 1234", "****1234"), ("2888-1234", "****1234"), ("1234567", "***4567"),
    # extensions: starred
    ("0755-28881234-801", "0755-****1234 转***"), ("0755-2888 1234 转 801", "0755-****1234 转***"),
    ("28881234 ext. 12", "****1234 转**"), ("0755-28881234分机8001", "0755-****1234 转****"),
    # anything else: at most four digits, none of a short number
    ("1234", "****"), ("12345", "*2345"), ("", ""), (None, None),
])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked
    if masked:
        assert len(re.findall(r"\d", masked.split("-")[-1])) <= 4 or masked.startswith("1")


def test_mask_personal_data_copies_and_leaves_other_columns():
    frame = pd.DataFrame({"id": ["R1"], "requester_name": ["李四"], "requester_phone": ["13900001111"]})
    masked = mask_personal_data(frame)
    assert masked.iloc[0].to_dict() == {"id": "R1", "requester_name": "李*", "requester_phone": "139****1111"}
    assert frame["requester_name"].iloc[0] == "李四"  # the input is untouched
    other = pd.DataFrame({"x": [1]})
    assert mask_personal_data(other) is other


def _raw_personal_data(db):
    R = schema.requests
    raw = db.frame(select(R.c.requester_name, R.c.requester_phone).distinct())
    return set(raw["requester_name"]), set(raw["requester_phone"])


def _calls(db, scope: Scope, reference: date):
    """Every public query function of data_access.requests, called with each kind of argument it takes."""
    for name, fn in inspect.getmembers(requests, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != requests.__name__:
            continue
        params = inspect.signature(fn).parameters
        if "db" not in params or f"requests.{name}" in SKIP:
            continue
        args = [db, scope] + ([reference] if "reference" in params else [])
        if "level" in params:
            levels = requests.LEAGUE_LEVELS if name == "responsiveness" else ("category", "street")
            for level in levels:
                yield f"{name}({level})", fn(*args, level=level)
        else:
            yield name, fn(*args)


@pytest.mark.parametrize("place", ["district", "community"])
def test_no_query_returns_an_unmasked_name_or_phone(db, place):
    names, phones = _raw_personal_data(db)
    assert len(names) > 100 and len(phones) > 1000
    start, reference = geography.data_range(db)
    scope = Scope(Period("all", start, reference))
    if place == "community":
        communities = geography.communities(db)
        row = communities.loc[communities["name"] == "龙岭社区"].iloc[0]
        scope = Scope(scope.period, street=row["street_code"], community=row["code"])
    called = []
    for name, frame in _calls(db, scope, reference):
        called.append(name)
        assert isinstance(frame, pd.DataFrame), name
        values = set(pd.unique(frame.astype(str).to_numpy().ravel()))
        assert not values & names, name
        assert not values & phones, name
    assert {"stalest_open_requests", "requests_for_export", "request_totals"} <= set(called)


def test_exports_hold_no_unmasked_value(sqlite_db):
    names, phones = _raw_personal_data(sqlite_db)
    start, reference = geography.data_range(sqlite_db)
    frame = requests.requests_for_export(sqlite_db, Scope(Period("all", start, reference)))
    assert frame["requester_phone"].str.fullmatch(r"\d{3}\*+\d{4}").all()
    assert (frame["requester_name"].str.len() >= 2).all()
    kept = frame["requester_name"].str.rstrip("*")  # the surname: one character, or a compound one
    assert ((kept.str.len() == 1) | kept.isin(COMPOUND_SURNAMES)).all()
    assert frame["requester_name"].str.contains(r"\*").all()
    csv_text = frame.to_csv(index=False)
    assert not set(DIGIT_RUNS.findall(csv_text)) & phones
    records = json.loads(open311.open311_json(frame, dict(requests.load_request_targets())))
    for record in records:
        extra = record["extended_attributes"]
        assert extra["requester_name"] not in names
        assert extra["requester_phone"] not in phones
    json_text = json.dumps(records, ensure_ascii=False)
    assert not set(DIGIT_RUNS.findall(json_text)) & phones


def test_open311_masks_even_a_raw_frame():
    frame = pd.DataFrame([{
        "id": "R1", "category": "法律服务", "status": "已办结", "description": "咨询", "handling_unit": "司法所",
        "submitted_at": pd.Timestamp("2023-01-01 08:00"), "lat": 22.7, "lon": 114.2,
        "requester_name": "张三丰", "requester_phone": "13812345678",
    }])
    record = open311.to_open311(frame)[0]
    assert record["extended_attributes"]["requester_name"] == "张**"
    assert record["extended_attributes"]["requester_phone"] == "138****5678"


# --- every query function and export builder, on every phone and name form -----------------------
#
# The issue's forms are written into the requests of the loaded database (every request, cycling
# through them by the last two digits of its id, so every list — newest, oldest open, overdue, one
# community — holds all of them), then every public function of every data_access module that reads
# the database is called and its result, and every export built from it, is searched for any of
# the raw values. A new query function is called automatically: its parameters are filled by name
# from ARGUMENTS (a new parameter name fails the test, naming it), or it is skipped in SKIP, which
# says why.

#: raw phone forms → the digits that must never appear together (the national number of a mobile,
#: the 8-digit subscriber number of a landline); each form has its own number
PHONE_FORMS = {
    "17090901234": "17090901234", "170 9090 2234": "17090902234", "170-9090-3234": "17090903234",
    "+8617090904234": "17090904234", "+86 170 9090 5234": "17090905234", "86-170-9090-6234": "17090906234",
    "0086 17090907234": "17090907234",
    "0755-2888 7123": "28887123", "075528888123": "28888123", "(0755) 2888-9123": "28889123",
    "28880123": "28880123", "2888 1123": "28881123", "2888-6123": "28886123",
    "0755-28882123-801": "28882123", "0755-2888 3123 转 801": "28883123", "28884123 ext. 12": "28884123",
}
#: the hidden digits of every form above: a mask that keeps them (170 9090 ****, 2888 ****) leaks,
#: whatever else it hides (the whole numbers are checked on their own)
HIDDEN_DIGITS = re.compile(r"1709090|2888\*")
#: name forms: one- and two-character surnames, short and long names, a two-character name whose
#: first two characters look like a compound surname, a minority name with a middle dot
NAME_FORMS = ("张三丰", "李四", "王小明明", "欧阳娜娜", "司马光", "上官婉儿", "欧阳", "阿卜杜拉·买买提")
#: text separators a phone number may be written with
PHONE_SEPARATORS = re.compile(r"[\s\-()+]")

#: functions that read no personal data or take none to read, by "module.function", and why
SKIP = {
    # write, return nothing to show (their own tests check what they store)
    "alerts.ensure_tables": "creates the alert tables", "alerts.record_evaluation": "stores alerts",
    "audit.append": "appends an audit record", "audit.record": "appends an audit record",
    "audit.archive": "writes an archive file and deletes archived records",
    "followup.add_progress": "writes", "followup.create_item": "writes", "followup.mark_done": "writes",
    "followup.send_back": "writes", "followup.verify": "writes",
    "login_attempts.record_failure": "writes", "login_attempts.record_success": "writes",
    "login_attempts.unlock": "writes", "login_attempts.unlock_address": "writes",
    "loader.load_csv_dir": "loads CSV files", "summaries.analyze": "updates planner statistics",
    "summaries.refresh": "rebuilds the summary tables", "summaries.refresh_changes": "rebuilds summary rows",
    "summary_percentiles.patch": "moves summary rows' percentiles (durations and ids, no resident data)",
    "summary_percentiles.replace_durations": "writes durations",
    "bulk.insert_columns": "writes rows", "bulk.upsert_columns": "writes rows",
    "bulk.bound_column": "binds values (no database read)",
    "database.lift_statement_timeout": "sets the transaction's limit (no rows)",
    # the importer's checks take a file's parsed rows, not the database's (tests/test_importer.py)
    "importer.check_left_out": "import check", "importer.check_plausible": "import check",
    "importer.check_rows": "import check", "importer.keep_masked": "import check",
    "importer.coordinate_box": "a bounding box", "importer.import_bytes": "imports a file",
    "importer.import_file": "imports a file",
    # reads an archive file, not the database's records
    "audit.verify_archive": "checks an archive file",
    # a statement the listed readers use (stalest_open_requests, worklist.worklist): no rows of its own
    "requests.open_requests_subquery": "builds a statement",
    # the session cookie's rows: written at a login, read back by a cookie's token (no resident data)
    "web_sessions.open_session": "writes a session row", "web_sessions.redeem": "writes a session row",
    "web_sessions.end": "writes a session row", "web_sessions.check": "takes a cookie's token",
}
#: parameters the first of which marks a function that reads the database
DATABASE_PARAMETERS = ("db", "engine", "conn", "database")


def write_personal_forms(conn) -> None:
    """Give every request one of the phone and name forms above, by the last two digits of its id
    (also used by tests/browser/test_privacy_browser.py on its own database copy)."""
    from sqlalchemy import case, func, update

    R = schema.requests
    phones, names = list(PHONE_FORMS), list(NAME_FORMS)
    bucket = func.substr(R.c.id, func.length(R.c.id) - 1, 2)
    conn.execute(update(R).values(
        requester_phone=case({f"{n:02d}": phones[n % len(phones)] for n in range(100)}, value=bucket),
        requester_name=case({f"{n:02d}": names[n % len(names)] for n in range(100)}, value=bucket),
    ))


@pytest.fixture
def personal_forms(db):
    """The loaded database with every request's name and phone replaced by one of the forms above,
    restored afterwards (both engines; the summary tables hold no personal data, so they stay)."""
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS personal_backup"))
        conn.execute(text("CREATE TABLE personal_backup AS SELECT id, requester_name, requester_phone FROM requests"))
        conn.execute(text("CREATE UNIQUE INDEX personal_backup_id ON personal_backup (id)"))
        write_personal_forms(conn)
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            conn.execute(text(
                "UPDATE requests SET requester_name = (SELECT b.requester_name FROM personal_backup b"
                " WHERE b.id = requests.id), requester_phone = (SELECT b.requester_phone FROM personal_backup b"
                " WHERE b.id = requests.id)"))
            conn.execute(text("DROP TABLE personal_backup"))


def leaks(text_value: str) -> list[str]:
    """The raw phone and name forms found in a text (empty: nothing unmasked)."""
    found = [raw for raw in PHONE_FORMS if raw in text_value]
    joined = PHONE_SEPARATORS.sub("", text_value)
    found += [digits for digits in PHONE_FORMS.values() if digits in joined]
    found += HIDDEN_DIGITS.findall(joined)
    # a name is unmasked when it stands whole, not as the start of a masked compound surname (欧阳**)
    found += [name for name in NAME_FORMS if re.search(re.escape(name) + r"(?!\*)", text_value)]
    return found


def _as_text(result) -> str:
    """A query result as text, whatever its shape (frames, tuples, dicts, dataclasses, scalars)."""
    import dataclasses

    if isinstance(result, pd.DataFrame):
        return result.to_csv(index=False)
    if isinstance(result, pd.Series):
        return result.to_csv()
    if isinstance(result, dict):
        return "\n".join(f"{key}={_as_text(value)}" for key, value in result.items())
    if isinstance(result, (list, tuple, set)):
        return "\n".join(_as_text(item) for item in result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return "\n".join(_as_text(getattr(result, f.name)) for f in dataclasses.fields(result))
    return str(result)


def _zip_text(data: bytes) -> str:
    """Every XML part of an XLSX or PPTX file, unescaped (what a user sees in the file)."""
    import html
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(html.unescape(archive.read(name).decode("utf-8", "replace"))
                         for name in archive.namelist() if name.endswith((".xml", ".rels")))


def _query_functions():
    """(module name, function name, function) of every public function of every data_access module
    whose first parameter is the database."""
    import importlib
    import pkgutil

    import data_access

    for info in pkgutil.iter_modules(data_access.__path__):
        module = importlib.import_module(f"data_access.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            first = next(iter(inspect.signature(fn).parameters), None)
            if first in DATABASE_PARAMETERS:
                yield info.name, name, fn


def _arguments(db, scope: Scope, start: date, reference: date) -> dict:
    """A value for every parameter name the query functions take."""
    from data_access import bulletin, evaluation, measures, projects

    communities = geography.communities(db)
    request_ids = db.frame(select(schema.requests.c.id).where(
        schema.requests.c.community_code == communities["code"].iloc[0]).order_by(
        schema.requests.c.submitted_at.desc()).limit(len(PHONE_FORMS)))["id"].tolist()
    project_codes = projects.project_titles(db, scope)["code"].head(3).tolist()
    month = bulletin.month_period(reference)
    return {
        "db": db, "engine": db.engine, "scope": scope, "reference": reference, "data_start": start,
        "year": evaluation.evaluation_year(db, scope), "level": "street", "role": "district",
        "code": geography.streets(db)["code"].iloc[0], "codes": geography.streets(db)["code"].head(3).tolist(),
        "period_key": month.key, "period": month, "cutoff": reference, "street": None,
        "spans": [(month, reference)], "periods": [month],
        "config": bulletin.load_bulletin_config(), "targets": requests.load_request_targets(),
        "window": measures.month_window(reference), "params": {}, "view": projects.BoardView(),
        "per_column": 50, "list_rows": 1000, "dimension": "category",
        "first": f"{start:%Y-%m}", "last": f"{reference:%Y-%m}",
        "alert_id": 1, "item_id": 1, "name": "nobody", "address": "127.0.0.1",
        # per function where one name means different things
        "project_detail.code": project_codes[0], "project_scorecard.code": project_codes[0],
        "project_milestones.codes": project_codes, "covered.period": scope.period,
        "request_timeline.request_id": request_ids,
    }


def _calls_of_every_query(db, scope: Scope, start: date, reference: date):
    values = _arguments(db, scope, start, reference)
    for module, name, fn in _query_functions():
        if f"{module}.{name}" in SKIP:
            continue
        params = inspect.signature(fn).parameters
        required = [p for p, v in params.items()
                    if v.default is inspect.Parameter.empty and v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)]
        missing = [p for p in required if f"{name}.{p}" not in values and p not in values]
        assert not missing, f"{module}.{name}: give {missing} a value in _arguments, or skip it in SKIP saying why"
        kwargs = {p: values.get(f"{name}.{p}", values.get(p)) for p in required}
        if name == "request_timeline":  # one call per request of the seeded community: every form
            for request_id in kwargs.pop("request_id"):
                yield f"{module}.{name}({request_id})", fn(**kwargs, request_id=request_id)
            continue
        yield f"{module}.{name}", fn(**kwargs)


def test_every_query_and_export_masks_every_phone_and_name_form(db, personal_forms):
    from components import exports

    R = schema.requests
    stored = db.frame(select(R.c.requester_name, R.c.requester_phone).distinct())
    assert set(stored["requester_phone"]) == set(PHONE_FORMS) and set(stored["requester_name"]) == set(NAME_FORMS)
    start, reference = geography.data_range(db)
    scopes = {"district": Scope(Period("all", start, reference))}
    community = geography.communities(db).iloc[0]
    scopes["community"] = Scope(scopes["district"].period, street=community["street_code"],
                                community=community["code"])
    called, frames = set(), 0
    for place, scope in scopes.items():
        for label, result in _calls_of_every_query(db, scope, start, reference):
            called.add(label.split("(")[0])
            assert not leaks(_as_text(result)), f"{label} ({place}): {leaks(_as_text(result))[:5]}"
            # every export builder, on every frame a query returns (what a download button serves)
            for frame in [r for r in (result if isinstance(result, tuple) else (result,))
                          if isinstance(r, pd.DataFrame) and not r.empty]:
                frames += 1
                assert not leaks(exports.csv_bytes(frame).decode("utf-8-sig")), label
                xlsx = exports.xlsx_bytes(frame, None, [("范围", place)])
                assert not leaks(_zip_text(xlsx)), label
    # the masked lists were among them, and held the forms (masked)
    assert {"requests.requests_for_export", "requests.stalest_open_requests", "worklist.worklist",
            "worklist.request_timeline", "audit.records", "bulletin.build_bulletin"} <= called
    export = requests.requests_for_export(db, scopes["district"])
    assert export["requester_phone"].nunique() == len(PHONE_FORMS)
    assert export["requester_name"].nunique() == len(NAME_FORMS)
    assert frames > 50
    # the Open311 export (JSON), built from the export's rows
    open311_bytes = open311.open311_json(export, dict(requests.load_request_targets()))
    assert not leaks(open311_bytes.decode("utf-8") if isinstance(open311_bytes, bytes) else open311_bytes)
    assert not leaks(json.dumps(open311.to_open311(export), ensure_ascii=False))
    # the documents: the bulletin (XLSX, HTML, PowerPoint), the briefing, the show's deck
    from datetime import datetime

    from components import briefing, bulletin_report, deck, playlist
    from data_access import bulletin

    issue = bulletin.build_bulletin(db, bulletin.month_period(reference).key)
    assert not leaks(_zip_text(bulletin_report.bulletin_xlsx(issue)))
    assert not leaks(bulletin_report.bulletin_html(issue))
    assert not leaks(_zip_text(deck.build_bulletin_deck(issue)))
    content = briefing.collect_briefing(lambda fn, *args: fn(db, *args), scopes["district"], start, reference,
                                        "龙岗区", "全部", "zh", geography.streets(db))
    assert not leaks(briefing.briefing_html(content, datetime(2023, 11, 1, 9, 30)))
    show = playlist.load_show(playlist.DEFAULT_SHOW_NAME)
    assert not leaks(_zip_text(deck.build_show_deck(show, deck.direct(db), start=start, reference=reference)))


def test_every_query_module_is_covered_or_skipped():
    """SKIP names only functions that exist (a renamed one must not leave a stale entry)."""
    names = {f"{module}.{name}" for module, name, _fn in _query_functions()}
    assert set(SKIP) <= names, set(SKIP) - names
