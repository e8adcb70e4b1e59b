"""Masking of requesters' personal data, applied in the data layer before any frame leaves it.

Requests carry the requester's name and phone number. The dashboard and every
export show them masked only: a name keeps its surname (张三丰 → 张**, 欧阳娜娜 → 欧阳**), a
mobile its first three and last four digits (13812345678 → 138****5678), any other number at
most its area code and last four digits (0755-2888 1234 → 0755-****1234).
Query functions never return the raw columns: they pass their frames through
:func:`mask_personal_data`, and tests call every public query to prove it.
"""

from __future__ import annotations

import re

import pandas as pd

#: Columns holding personal data, masked by :func:`mask_personal_data`.
NAME_COLUMNS = ("requester_name",)
PHONE_COLUMNS = ("requester_phone",)


#: Two-character (复姓) surnames: a name starting with one of these keeps both characters.
_COMPOUND = ("欧阳 司马 诸葛 上官 慕容 东方 皇甫 尉迟 公孙 令狐 长孙 宇文 司徒 夏侯 端木 澹台 公冶 宗政 濮阳 淳于 "
             "单于 太叔 申屠 轩辕 钟离 闾丘 南宫 西门 百里 呼延 万俟 独孤 拓跋 赫连 司空 东郭 第五 左丘 鲜于 "
             "完颜 闻人 亓官 仲孙 子车 颛孙 谷梁 梁丘 漆雕 乐正 公羊 公西 壤驷 巫马 羊舌 微生")
COMPOUND_SURNAMES = frozenset(_COMPOUND.split())

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_DASH_EXTENSION = re.compile(r"(?<=\d)\s*-\s*(\d{1,6})$")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def mask_name(name) -> str | None:
    """The surname only, one * for each remaining character ('张三' → '张*', '欧阳娜娜' → '欧阳**').

    A compound surname (:data:`COMPOUND_SURNAMES`) is kept whole when the name is longer than it.
    """
    if _missing(name):
        return None
    name = str(name).strip()
    if not name:
        return ""
    keep = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:keep] + "*" * (len(name) - keep)


def _area_code_length(digits: str) -> int:
    """010 and 02x are three digits long, other area codes four (0755)."""
    return 3 if digits[1] in "12" else 4


def _digits(raw: str) -> tuple[str, bool]:
    """The number's digits without a +86/0086/86 country code, and whether it had one."""
    digits = re.sub(r"\D", "", raw)
    international = raw.lstrip().startswith(("+", "00"))
    if digits.startswith("0086"):
        return digits[4:], True
    if digits.startswith("86") and (international or len(digits) in (12, 13)):
        return digits[2:], True
    return digits, international


def _known(digits: str, international: bool) -> str | None:
    """A mobile or a landline with its area code, masked; None for any other form."""
    if _MOBILE.match(digits):
        return digits[:3] + "****" + digits[-4:]
    if international and digits and digits[0] != "0" and len(digits) in (10, 11):
        digits = "0" + digits  # +86 755 2888 1234: the area code without its trunk 0
    if digits.startswith("0") and len(digits) in (10, 11, 12):
        area = _area_code_length(digits)
        return digits[:area] + "-" + "*" * (len(digits) - area - 4) + digits[-4:]
    return None


def mask_phone(phone) -> str | None:
    """A phone number in any form masked to what may be shown.

    * mobiles, with or without +86/86, spaces, dashes or brackets: first 3 and last 4 digits
      ('+86 138-1234-5678' → '138****5678');
    * landlines: the area code may stay, then at most the last four digits ('0755-2888 1234' →
      '0755-****1234', '28881234' → '****1234'); an extension is starred ('… 转801' → '… 转***');
    * anything else: at most its last four digits, and none of a number of four digits or fewer.
    """
    if _missing(phone):
        return None
    raw = str(phone).strip()
    if not raw:
        return ""
    extension = ""
    found = _EXTENSION.search(raw)
    if found is None and _known(*_digits(raw)) is None:  # 0755-28881234-801: a dash before an extension
        found = _DASH_EXTENSION.search(raw)
    if found and len(re.sub(r"\D", "", raw[:found.start()])) >= 7:
        extension = " 转" + "*" * len(found.group(1))
        raw = raw[:found.start()]
    digits, international = _digits(raw)
    known = _known(digits, international)
    if known is not None:
        return known + extension
    if len(digits) <= 4:
        return "*" * len(digits) + extension
    return "*" * (len(digits) - 4) + digits[-4:] + extension


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
