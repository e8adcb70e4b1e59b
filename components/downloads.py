"""CSV downloads of the tables on a page, following the scope.

The file opens in Excel on a Chinese desktop (UTF-8 with a byte-order mark),
carries translated headers, and its name says what and which scope it holds.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from components.i18n import text

_UNSAFE_FILENAME = re.compile(r"[^\w\-.]+", re.UNICODE)


def csv_bytes(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> bytes:
    """The frame as UTF-8-with-BOM CSV, columns renamed to their display headers."""
    shown = frame.rename(columns=headers or {})
    return shown.to_csv(index=False).encode("utf-8-sig")


def download_filename(stem: str, scope_label: str) -> str:
    """'projects' + '龙岗区 › 布吉街道' → 'projects_龙岗区_布吉街道.csv' (safe on every OS)."""
    name = _UNSAFE_FILENAME.sub("_", f"{stem}_{scope_label}").strip("_")
    return f"{name}.csv"


def csv_download(frame: pd.DataFrame, stem: str, scope_label: str, lang: str,
                 headers: dict[str, str] | None = None, key: str | None = None) -> None:
    """A download button for one table."""
    st.download_button(
        text("download.csv", lang),
        data=csv_bytes(frame, headers),
        file_name=download_filename(stem, scope_label),
        mime="text/csv",
        key=key or f"download-{stem}",
        icon=":material/download:",
    )
