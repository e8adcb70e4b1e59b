"""Masking of requesters' personal data, applied in the data layer before any frame leaves it.

Requests carry the requester's name and phone number. The dashboard and every
export show them masked only: a name keeps its first character (张三丰 → 张**), a
phone number its first three and last four digits (13812345678 → 138****5678).
Query functions never return the raw columns: they pass their frames through
:func:`mask_personal_data`, and tests call every public query to prove it.
"""

from __future__ import annotations

import pandas as pd

#: Columns holding personal data, masked by :func:`mask_personal_data`.
NAME_COLUMNS = ("requester_name",)
PHONE_COLUMNS = ("requester_phone",)


def mask_name(name) -> str | None:
    """First character, then one * for each remaining character ('张三' → '张*')."""
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return None
    name = str(name).strip()
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone) -> str | None:
    """First 3 and last 4 digits kept, the middle starred ('13812345678' → '138****5678').

    A number too short to keep 7 digits and still hide one is starred entirely.
    """
    if phone is None or (isinstance(phone, float) and pd.isna(phone)):
        return None
    phone = "".join(str(phone).split())
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_personal_data(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every requester name and phone column masked (a copy; the input is left as is)."""
    present = [c for c in (*NAME_COLUMNS, *PHONE_COLUMNS) if c in frame.columns]
    if not present:
        return frame
    frame = frame.copy()
    for column in present:
        masker = mask_name if column in NAME_COLUMNS else mask_phone
        frame[column] = frame[column].map(masker).astype(object)
    return frame
