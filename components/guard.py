"""Run a page so that an error shows a clear message and a retry button, never a traceback."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from components import data
from components.i18n import DEFAULT_LANGUAGE, LANGUAGES, text
from data_access.loader import LoadError

log = logging.getLogger(__name__)


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
    """``page.run()``, with any exception shown by :func:`show_error` (reruns and stops pass through)."""
    try:
        page.run()
    except Exception as error:  # noqa: BLE001 - everything a page raises is shown, not thrown
        show_error(error, key="page_error_retry")
    data.settle_heap()
