"""Text files as Chinese offices save them: UTF-8 (with or without BOM) or GBK/GB18030."""

from __future__ import annotations

#: tried in order; gb18030 (a superset of GBK) decodes almost any byte string, so it comes last
OFFICE_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_office_text(data: bytes) -> str | None:
    """``data`` decoded with the first encoding that fits, or None when none does."""
    for encoding in OFFICE_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
