"""Requests as Open311 GeoReport v2 service requests (the JSON of ``GET /requests.json``).

Mapping of our fields to GeoReport v2:

==================  =========================================================
service_request_id  requests.id
status              ``open`` or ``closed`` (see below)
status_notes        the full status in words, e.g. "已退回 (returned)"
service_name        the category (信访投诉, 纠纷化解, …)
service_code        a stable code per category: ``LG01`` … in domain order
description         the request's description
agency_responsible  the handling unit
service_notice      the target time to resolve, e.g. "target 5 days"
requested_datetime  submitted_at
updated_datetime    the last status change (else the latest timestamp)
expected_datetime   submitted_at + the category's target days
address             street and community, e.g. "龙岗区布吉街道龙岭社区"
address_id          the community code
lat, long           the request's point location
media_url           always null (no media are stored)
==================  =========================================================

Status: 待受理, 已受理, 办理中 and 已上报 (escalated, still being handled) are
``open``; 已办结, 已关闭 and 已退回 (returned, no further action) are
``closed``. The full status, channel, satisfaction and the masked requester
travel in ``extended_attributes`` (``status_detail``, ``status_detail_en``,
``channel``, ``satisfaction``, ``requester_name``, ``requester_phone``), as
GeoReport v2 allows with ``extensions=true``. Datetimes are ISO 8601 with
Shenzhen's offset (+08:00), the sample's local time.

Personal data stays masked: the frame comes from
:func:`data_access.requests.requests_for_export`, which masks it, and
:func:`to_open311` masks again, so no caller can leak a raw value.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pandas as pd

from data_access.domain import REQUEST_CATEGORIES, REQUEST_OPEN_STATUSES, REQUEST_STATUSES
from data_access.privacy import mask_personal_data

#: Shenzhen local time, in which the data's timestamps are recorded.
LOCAL_TZ = timezone(timedelta(hours=8))
OPEN, CLOSED = "open", "closed"
#: Our status → GeoReport v2 status.
STATUS_MAP = {status: (OPEN if status in REQUEST_OPEN_STATUSES else CLOSED) for status in REQUEST_STATUSES}
STATUS_EN = {"待受理": "received", "已受理": "accepted", "办理中": "in progress", "已办结": "resolved",
             "已关闭": "closed", "已退回": "returned", "已上报": "escalated"}
SERVICE_CODES = {category: f"LG{i + 1:02d}" for i, category in enumerate(REQUEST_CATEGORIES)}
DISTRICT_NAME = "龙岗区"
REQUIRED_KEYS = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                 "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                 "expected_datetime", "address", "address_id", "lat", "long", "media_url", "extended_attributes")


def iso8601(value) -> str | None:
    """A stored local timestamp as ISO 8601 with offset: '2023-10-31T22:50:34+08:00'."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value).to_pydatetime()
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=LOCAL_TZ)
    return stamp.replace(microsecond=0).isoformat()


def _number(value):
    return None if value is None or pd.isna(value) else float(value)


def _latest(row) -> datetime | None:
    stamps = [row.get(c) for c in ("last_change", "closed_at", "resolved_at", "accepted_at", "submitted_at")]
    stamps = [pd.Timestamp(s) for s in stamps if s is not None and not pd.isna(s)]
    return max(stamps) if stamps else None


def to_open311(frame: pd.DataFrame, targets: dict[str, float] | None = None) -> list[dict]:
    """Rows of :func:`requests_for_export` as GeoReport v2 service requests (see the module docstring)."""
    frame = mask_personal_data(frame)
    targets = dict(targets or {})
    default = targets.pop("*", None)
    records = []
    for row in frame.to_dict("records"):
        status = row["status"]
        target = targets.get(row["category"], default)
        submitted = pd.Timestamp(row["submitted_at"])
        satisfaction = row.get("satisfaction")
        records.append({
            "service_request_id": str(row["id"]),
            "status": STATUS_MAP.get(status, OPEN),
            "status_notes": f"{status} ({STATUS_EN.get(status, status)})",
            "service_name": row["category"],
            "service_code": SERVICE_CODES.get(row["category"], "LG99"),
            "description": row["description"],
            "agency_responsible": row["handling_unit"],
            "service_notice": f"target {target:g} days" if target else None,
            "requested_datetime": iso8601(submitted),
            "updated_datetime": iso8601(_latest(row) or submitted),
            "expected_datetime": iso8601(submitted + timedelta(days=target)) if target else None,
            "address": f"{DISTRICT_NAME}{row.get('street') or ''}{row.get('community') or ''}",
            "address_id": row.get("community_code"),
            "lat": _number(row["lat"]),
            "long": _number(row["lon"]),
            "media_url": None,
            "extended_attributes": {
                "status_detail": status,
                "status_detail_en": STATUS_EN.get(status, status),
                "channel": row.get("channel"),
                "satisfaction": None if satisfaction is None or pd.isna(satisfaction) else int(satisfaction),
                "requester_name": row.get("requester_name"),
                "requester_phone": row.get("requester_phone"),
            },
        })
    return records


def open311_json(frame: pd.DataFrame, targets: dict[str, float] | None = None) -> bytes:
    """The GeoReport v2 list as UTF-8 JSON (Chinese kept readable)."""
    return json.dumps(to_open311(frame, targets), ensure_ascii=False, indent=1).encode("utf-8")
