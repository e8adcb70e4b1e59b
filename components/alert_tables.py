"""Pure builders for the 预警 page: stored alerts and follow-up items as display tables (no Streamlit)."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd

from components.i18n import text
from data_access.measures import BULLETIN_MEASURES

#: the page and tab that explain a measure (url path, section)
EXPLAINED_ON = {
    "requests_received": ("requests", "volumes"),
    "resolution_rate": ("requests", "responsiveness"),
    "satisfaction_rate": ("requests", "satisfaction"),
    "overdue_requests": ("requests", "backlog"),
    "due_soon_requests": ("requests", "backlog"),
    "requests_by_category": ("requests", "volumes"),
    "requests_by_topic": ("requests", "volumes"),
    "overdue_projects": ("projects", "overdue"),
    "due_soon_projects": ("projects", "overdue"),
    **{key: ("bulletin", None) for key in BULLETIN_MEASURES},  # the month's 通报 ranks the unit
}


def quarter_of(month: str) -> str:
    """``2023-10`` -> ``2023-Q4`` (the sidebar's period that holds the month)."""
    year, number = month[:7].split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


#: the fields of an alert its explaining link reads
LINK_FIELDS = ("measure", "street_code", "unit_level", "unit_code", "period")


def explain_link(row: dict, lang: str = "zh") -> str:
    """A link to the page, tab and scope that explain an alert (relative to the app's root)."""
    page, section = EXPLAINED_ON.get(row["measure"], ("overview", None))
    params = {"street": row["street_code"]}
    if row["unit_level"] == "community":
        params["community"] = row["unit_code"]
    if row.get("period"):
        params["period"] = quarter_of(str(row["period"]))
    if section:
        params["section"] = section
    if lang == "en":
        params["lang"] = "en"
    return f"./{page}?{urlencode(params)}"


def alerts_table(alerts: pd.DataFrame, rule_names: dict[str, str], lang: str) -> pd.DataFrame:
    """Open (or all) alerts as shown: severity, rule, unit, why, month, first seen, age, link (column by column:
    the page lists up to 500 and a download every one)."""
    columns = ["severity", "rule", "unit", "reason", "period", "first_seen", "age", "status", "link"]
    if alerts.empty:
        return pd.DataFrame(columns=[text(f"alerts.col.{c}", lang) for c in columns])
    links = [explain_link(dict(zip(LINK_FIELDS, values, strict=True)), lang)
             for values in zip(*(alerts[f] for f in LINK_FIELDS), strict=True)]
    shown = {
        "severity": alerts["severity"].map(lambda s: text(f"alerts.severity.{s}", lang)),
        "rule": alerts["rule_id"].map(lambda r: rule_names.get(r, r)),
        "unit": alerts["unit_name"],
        "reason": alerts["reason_en" if lang == "en" else "reason"],
        "period": alerts["period"],
        "first_seen": pd.to_datetime(alerts["first_seen"]).dt.strftime("%Y-%m-%d %H:%M"),
        "age": alerts["age_days"].astype(int),
        "status": alerts["status"].map(lambda s: text(f"alerts.status.{s}", lang)),
        "link": links,
    }
    return pd.DataFrame({text(f"alerts.col.{c}", lang): list(shown[c]) for c in columns})


def followup_table(items: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = []
    for row in items.to_dict("records"):
        rows.append({
            text("followup.col.id", lang): int(row["id"]),
            text("followup.col.task", lang): row["task"],
            text("followup.col.unit", lang): row["unit_name"],
            text("followup.col.due", lang): pd.Timestamp(row["due_on"]).strftime("%Y-%m-%d"),
            text("followup.col.status", lang): text(f"followup.status.{row['status']}", lang),
            text("followup.col.overdue", lang): text("followup.overdue", lang) if row["overdue"] else "",
            text("followup.col.created_by", lang): row["created_by"],
        })
    return pd.DataFrame(rows)


def history_table(events: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame([{
        text("followup.col.at", lang): pd.Timestamp(e["at"]).strftime("%Y-%m-%d %H:%M"),
        text("followup.col.actor", lang): e["actor"],
        text("followup.col.action", lang): text(f"followup.action.{e['action']}", lang),
        text("followup.col.status", lang): text(f"followup.status.{e['status_after']}", lang),
        text("followup.col.note", lang): e["note"],
    } for e in events.to_dict("records")])


#: the columns of a meeting's 督办 list (show, deck and briefing), in order
MEETING_COLUMNS = ("id", "task", "unit", "due", "status", "latest_note")


def meeting_status(row: dict, lang: str) -> str:
    """The item's status, with how long it is overdue: ``办理中 · 逾期 12 天``."""
    status = text(f"followup.status.{row['status']}", lang)
    if row.get("overdue"):
        return f"{status} · {text('followup.overdue_days', lang, n=int(row['days_overdue']))}"
    return status


def meeting_table(items: pd.DataFrame, lang: str, note_chars: int | None = None) -> pd.DataFrame:
    """A meeting's 督办 list (data_access.followup.meeting_items) as shown: number, task, responsible unit,
    due date, status with days overdue, latest note with its date (cut to ``note_chars`` on a slide)."""
    rows = []
    for row in items.to_dict("records"):
        note = row.get("latest_note")
        if isinstance(note, str) and note:
            if note_chars and len(note) > note_chars:
                note = note[:note_chars - 1] + "…"
            note = f"{pd.Timestamp(row['latest_note_at']):%Y-%m-%d} {note}"
        else:
            note = text("followup.no_note", lang)
        rows.append({
            text("followup.col.id", lang): f"#{int(row['id'])}",
            text("followup.col.task", lang): row["task"],
            text("followup.col.unit", lang): row["unit_name"],
            text("followup.col.due", lang): pd.Timestamp(row["due_on"]).strftime("%Y-%m-%d"),
            text("followup.col.status", lang): meeting_status(row, lang),
            text("followup.col.latest_note", lang): note,
        })
    return pd.DataFrame(rows, columns=[text(f"followup.col.{c}", lang) for c in MEETING_COLUMNS])
