"""The Streamlit side of the audit trail: who is acting (from the session), and audited downloads.

:func:`record` writes one record for this session's user; :func:`audited_bytes` wraps the builder of
a download's bytes so that the record is written when the file is built, i.e. when the reader clicks
(Streamlit runs a deferred ``data`` callable on the click, outside the script run, so the session's
user and address are taken at the run that drew the button). If the record cannot be written the
builder raises and the file is not served.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from components import data
from components.i18n import text
from data_access import audit

AuditError = audit.AuditError


def client_address() -> str:
    """The client's address as Streamlit sees it (None under AppTest and some proxies): else 'unknown'."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - an older Streamlit, or no request context
        address = None
    return address if isinstance(address, str) and address else "unknown"  # AppTest gives a mock


def actor() -> dict[str, str]:
    """This session's user, role and address (the open demo has no user: 'demo')."""
    return {"user": str(st.session_state.get("auth_user") or "demo"),
            "role": str(st.session_state.get("auth_role") or ""), "address": client_address()}


def record(action: str, **fields) -> int:
    """One audit record for this session's user; raises :class:`AuditError` if it cannot be written."""
    who = {**actor(), **{k: fields.pop(k) for k in ("user", "role", "address") if k in fields}}
    return audit.record(data.database().engine, action, who["user"], role=who["role"], address=who["address"],
                        **fields)


def digest(content: str | bytes) -> str:
    """A short sha256 of an edited text, so that a record says which version was saved."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(raw).hexdigest()[:16]


def refuse(lang: str) -> None:
    """The message shown when an action stops because its audit record could not be written."""
    st.error(text("security.audit_failed", lang), icon=":material/gpp_bad:")


def audited_bytes(build: Callable[[], bytes | str], *, target: str, scope: str, file_name: str,
                  rows: Callable[[], int | None] | None = None) -> Callable[[], bytes | str]:
    """``build`` that first writes an ``export`` record (what, scope, row count, file name)."""
    who = actor()
    engine = data.database().engine

    def built() -> bytes | str:
        content = build()
        audit.record(engine, "export", who["user"], role=who["role"], address=who["address"], target=target,
                     scope=scope, rows=rows() if rows else None, file_name=file_name)
        return content

    return built
