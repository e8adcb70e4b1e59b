"""Run a page so that an error shows a clear message and a retry button, never a traceback;
and refuse to draw a page that was not started by the entry point.

Streamlit's older multipage mode runs a file of ``pages/`` on its own, without ``app.py``,
when a server's first request names it (before any ``st.navigation`` call in the process).
Such a run has no login and no scope, so every page begins with :func:`require_entry_point`.
"""

from __future__ import annotations

import logging
import threading

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.runtime.pages_manager import PagesManager

from components import data
from components.i18n import DEFAULT_LANGUAGE, LANGUAGES, text
from data_access.loader import LoadError

log = logging.getLogger(__name__)
#: Set by :func:`run_page` on the script thread for the time of one page run.
_entry = threading.local()


def _lang() -> str:
    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def show_error(error: BaseException, key: str = "error_retry") -> None:
    """The message in the reader's language (database errors named as such) and a retry button."""
    lang = _lang()
    message = "error.database" if isinstance(error, SQLAlchemyError | OSError | LoadError) else "error.page"
    log.error("page failed: %s", type(error).__name__, exc_info=error)
    st.error(text(message, lang, detail=type(error).__name__))
    if st.button(text("error.retry", lang), key=key, icon=":material/refresh:"):
        data.reset()
        st.rerun()


def run_page(page) -> None:
    """``page.run()``, with any exception shown by :func:`show_error` (reruns and stops pass through).

    Only the entry point calls this, after the login gave the session its role."""
    _entry.running = True
    try:
        page.run()
    except Exception as error:  # noqa: BLE001 - everything a page raises is shown, not thrown
        show_error(error, key="page_error_retry")
    finally:
        _entry.running = False
    data.settle_heap()


def require_entry_point() -> None:
    """The first line of every page: outside a run of the entry point, a refusal and stop.

    In the older mode (a fresh server whose first request named a page file) the session is
    moved into the entry point's navigation at once: the older mode is switched off for the
    process, as ``st.navigation`` does, and the run starts again from app.py (the login form).
    """
    if getattr(_entry, "running", False):
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    st.warning(text("login.entry_only", _lang()), icon=":material/lock:")
    st.link_button(text("login.go_home", _lang()), "/")
    st.stop()
