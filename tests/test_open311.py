"""The Open311 GeoReport v2 export: required keys, types, ISO 8601 datetimes and the status mapping."""

import json
from datetime import datetime

import pandas as pd
import pytest

from data_access import geography, open311, requests
from data_access.domain import REQUEST_OPEN_STATUSES, REQUEST_STATUSES
from data_access.scope import Period, Scope

STRING_KEYS = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
               "agency_responsible", "requested_datetime", "updated_datetime", "address")
DATETIME_KEYS = ("requested_datetime", "updated_datetime", "expected_datetime")


def _is_iso8601(value: str) -> bool:
    parsed = datetime.fromisoformat(value)
    return parsed.tzinfo is not None and "T" in value


def test_status_mapping_covers_every_status():
    assert set(open311.STATUS_MAP) == set(REQUEST_STATUSES)
    assert set(open311.STATUS_MAP.values()) == {"open", "closed"}
    for status in REQUEST_STATUSES:
        assert (open311.STATUS_MAP[status] == "open") == (status in REQUEST_OPEN_STATUSES)
    assert open311.STATUS_MAP["已退回"] == "closed" and open311.STATUS_MAP["已上报"] == "open"


def test_export_schema_on_the_sample(db):
    start, reference = geography.data_range(db)
    frame = requests.requests_for_export(db, Scope(Period("all", start, reference)), limit=800)
    targets = dict(requests.load_request_targets())
    records = json.loads(open311.open311_json(frame, targets))
    assert len(records) == 800
    statuses = set()
    for record in records:
        assert set(open311.REQUIRED_KEYS) <= set(record)
        for key in STRING_KEYS:
            assert isinstance(record[key], str) and record[key], key
        for key in DATETIME_KEYS:
            assert _is_iso8601(record[key]), (key, record[key])
        assert record["status"] in {"open", "closed"}
        assert isinstance(record["lat"], float) and isinstance(record["long"], float)
        assert 22 < record["lat"] < 23 and 113 < record["long"] < 115
        extra = record["extended_attributes"]
        assert extra["status_detail"] in REQUEST_STATUSES
        assert record["status"] == open311.STATUS_MAP[extra["status_detail"]]
        assert datetime.fromisoformat(record["updated_datetime"]) >= datetime.fromisoformat(
            record["requested_datetime"])
        statuses.add(record["status"])
    assert statuses == {"open", "closed"}


def test_expected_datetime_adds_the_category_target():
    frame = pd.DataFrame([{
        "id": "R1", "category": "治安联防", "status": "办理中", "description": "巡逻", "handling_unit": "派出所",
        "submitted_at": pd.Timestamp("2023-01-01 08:00:00"), "accepted_at": pd.Timestamp("2023-01-01 09:00:00"),
        "last_change": pd.Timestamp("2023-01-02 10:30:00"), "lat": 22.7, "lon": 114.2, "street": "布吉街道",
        "community": "龙岭社区", "community_code": "440307014003", "channel": "平安码上办", "satisfaction": None,
        "requester_name": "李四", "requester_phone": "13900001111",
    }])
    record = open311.to_open311(frame, {"治安联防": 3.0, "*": 7.0})[0]
    assert record["requested_datetime"] == "2023-01-01T08:00:00+08:00"
    assert record["expected_datetime"] == "2023-01-04T08:00:00+08:00"
    assert record["updated_datetime"] == "2023-01-02T10:30:00+08:00"
    assert record["status"] == "open" and record["extended_attributes"]["status_detail"] == "办理中"
    assert record["service_code"] == open311.SERVICE_CODES["治安联防"]
    assert record["address"] == "龙岗区布吉街道龙岭社区"
    assert record["extended_attributes"]["satisfaction"] is None


@pytest.mark.parametrize("value", [None, pd.NaT])
def test_missing_datetimes_are_null(value):
    assert open311.iso8601(value) is None
