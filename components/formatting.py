"""Number and date formats for Chinese readers (and English ones by the switch).

Chinese reports write large sums in 万 (10,000) and 亿; counts keep thousands
separators; dates read 2023年10月31日.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from components.i18n import text
from data_access.scope import Period, Scope


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count(value, lang: str = "zh") -> str:
    """31712 → '31,712'."""
    if is_missing(value):
        return "—"
    return f"{int(round(float(value))):,}"


def percent(value, lang: str = "zh", digits: int = 1) -> str:
    """0.212 → '21.2%'."""
    if is_missing(value):
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def money(yuan, lang: str = "zh") -> str:
    """5330000 → '533.0万元' (zh) or '¥5.33M' (en: short enough for a KPI tile, as 万元 is in Chinese)."""
    if is_missing(yuan):
        return "—"
    yuan = float(yuan)
    if lang == "en":
        if abs(yuan) >= 1e9:
            return f"¥{yuan / 1e9:,.2f}B"
        if abs(yuan) >= 1e6:
            return f"¥{yuan / 1e6:,.2f}M"
        return f"¥{yuan:,.0f}"
    if abs(yuan) >= 1e8:
        return f"{yuan / 1e8:,.2f}亿元"
    if abs(yuan) >= 1e4:
        return f"{yuan / 1e4:,.1f}万元"
    return f"{yuan:,.0f}元"


def days(value, lang: str = "zh") -> str:
    """2.35 → '2.4天'."""
    if is_missing(value):
        return "—"
    return text("unit.days", lang, value=f"{float(value):.1f}")


def day(value: date, lang: str = "zh") -> str:
    """A date as readers write it: 2023年10月31日 or 2023-10-31."""
    if lang == "en":
        return value.isoformat()
    return f"{value.year}年{value.month}月{value.day}日"


def month_span(months: list[int], lang: str = "zh") -> str:
    """[1..10] → '1—10月'."""
    if len(months) == 1:
        return text("months.single", lang, a=months[0])
    return text("months.range", lang, a=months[0], b=months[-1])


# --- the scope in words (the sidebar, pages, the briefing and the deck) ---------------------------


def period_label(period: Period, lang: str) -> str:
    if period.key == "all":
        return text("period.all", lang, start=period.start.strftime("%Y-%m"), end=period.end.strftime("%Y-%m"))
    year = period.start.year
    if "-Q" in period.key:
        return text("period.quarter", lang, year=year, q=period.key[-1])
    if period.end.month != 12 or period.end.day != 31:
        return text("period.year_partial", lang, year=year, end=day(period.end, lang))
    return text("period.year", lang, year=year)


def place_label(scope: Scope, streets: pd.DataFrame, communities: pd.DataFrame, lang: str) -> str:
    """龙岗区 › 布吉街道 › 龙岭社区: the breadcrumb of the scope."""
    parts = [text("district", lang)]
    street = scope.effective_street
    if street:
        row = streets.loc[streets["code"] == street]
        if len(row):
            parts.append(row["name_en"].iloc[0] if lang == "en" else row["name"].iloc[0])
    if scope.community:
        row = communities.loc[communities["code"] == scope.community]
        if len(row):
            parts.append(row["name"].iloc[0])
    return " › ".join(parts)
