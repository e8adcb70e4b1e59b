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
        if "db" not in params:
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
