"""Every table download the pages offer, as each page hands it to its buttons.

The pages are run headless (one run per section, lazy tables opened); ``components.downloads.csv_download``
is wrapped so each call's table (a function's result when the page defers it), its final headers (the
fraction marks included) and its language are kept. ``tests/test_round_trip.py`` imports the record
downloads back; ``tests/test_page_downloads.py`` checks the one rule for what a download holds.
Captures are kept per language for the whole test session (the pages are slow to run).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from apptest_support import open_app

from components import downloads

#: a street scope keeps the exports small (the request export of the district is 5,000 rows)
STREET = "440307014"

#: (page, URL parameters, session state set before a second run) for each view that offers downloads
VIEWS: list[tuple[str, dict, dict]] = [
    *[("pages/requests_page.py", {"section": s}, {}) for s in
      ("volumes", "funnel", "responsiveness", "backlog", "residents", "satisfaction", "wishes", "talks", "export")],
    ("pages/projects_page.py", {"section": "board"}, {"projects-list": True}),
    *[("pages/projects_page.py", {"section": s}, {}) for s in ("overdue", "rollup", "breakdown", "acceptance")],
    *[("pages/resources_page.py", {"section": s}, {}) for s in
      ("gap", "catalogue", "partners", "venues", "fund", "flows")],
    *[("pages/scorecards_page.py", {"section": s}, {}) for s in ("scorecard", "league", "trend", "safety", "property")],
    *[("pages/participation_page.py", {"section": s}, {}) for s in ("monthly", "units", "party", "courtesy")],
    ("pages/map_page.py", {}, {"map-unit-table": True}),
    ("pages/bulletin_page.py", {}, {}),
]

#: the views with a download of stored records (the round trip runs them in English too)
RECORD_VIEWS = [view for view in VIEWS if view[0] in ("pages/requests_page.py", "pages/projects_page.py",
                                                      "pages/resources_page.py")
                and view[1].get("section") in ("backlog", "export", "board", "overdue", "catalogue", "venues")]


@dataclass
class Download:
    """One download as its files hold it: the table (raw column names), the headers written, the language."""

    page: str
    frame: pd.DataFrame
    headers: dict[str, str]
    lang: str

    def written(self) -> pd.DataFrame:
        """The table under the headers its files carry."""
        return self.frame.rename(columns=self.headers)


_captured: dict[tuple, dict[str, Download]] = {}


def page_downloads(lang: str, project: str, views=None) -> dict[str, Download]:
    """Every download of ``views`` (default: all), by file stem, run in ``lang``; ``project`` is a project
    code of the street whose detail (milestones, scorecard) is opened too."""
    views = VIEWS if views is None else views
    key = (lang, project, tuple((page, tuple(params.items())) for page, params, _ in views))
    if key in _captured:
        return _captured[key]
    found: dict[str, Download] = {}
    original = downloads.csv_download
    current = {"page": ""}

    def record(frame, stem, scope_label, lang_, headers=None, key=None, follows_scope=True, fractions=()):
        table = frame() if callable(frame) else frame.copy()
        written = dict(headers or {})
        if fractions:
            written = downloads.fraction_headers(written, fractions, lang_)
        found[stem] = Download(current["page"], table, written, lang_)
        return original(frame, stem, scope_label, lang_, headers=headers, key=key, follows_scope=follows_scope,
                        fractions=fractions)

    downloads.csv_download = record
    try:
        for page, params, state in [*views, ("pages/projects_page.py", {"project": project}, {})]:
            current["page"] = page
            at = open_app(page, timeout=300, street=STREET, lang=lang, **params)
            if state:
                for name, value in state.items():
                    at.session_state[name] = value
                at.run()
                assert not at.exception, [e.message for e in at.exception]
    finally:
        downloads.csv_download = original
    _captured[key] = found
    return found
