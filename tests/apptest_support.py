"""Running the app headless for page tests: the start-up steps every page test shares.

AppTest must first run ``app.py`` (it builds the sidebar scope and the navigation), and only
then switch to a page file, or Streamlit's older pages/ mode would run the page alone.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def open_app(page: str | None = None, *, timeout: float = 240, **params) -> AppTest:
    """app.py run with these URL parameters, then switched to ``page`` (a path like
    "pages/map_page.py") if given; fails the test on any uncaught exception, and on any error the page
    guard (components/guard.py) caught and showed as a message with a retry button."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not [b for b in at.button if b.key == "page_error_retry"], [e.value for e in at.error]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Metric tiles by label."""
    return {m.label: m.value for m in at.metric}


class SectionViews(dict):
    """Each lazy section's AppTest by section id. Element lists read across all of them
    (``views.dataframe``, ``views.metric`` …), so a test can check the whole page at once."""

    def __getattr__(self, name: str) -> list:
        return [element for at in self.values() for element in getattr(at, name)]

    def elements(self, element_type: str) -> list:
        """``at.get(element_type)`` across every section."""
        return [element for at in self.values() for element in at.get(element_type)]


def every_section(page: str, sections: list[str], *, timeout: float = 240, **params) -> SectionViews:
    """The page opened once per lazy section (``section=<id>`` in the link)."""
    return SectionViews({section: open_app(page, timeout=timeout, section=section, **params)
                         for section in sections})
