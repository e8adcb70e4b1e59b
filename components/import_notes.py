"""The importer's notes on how a file was read, in the reader's language (the data page shows them).

The importer (data_access, no UI text catalogue) writes each note in Chinese and tags it with a key
and its values (:class:`data_access.importer.Note`); here the same note is said from the catalogue's
``data.note.<key>`` entry, so the English switch reaches them too. Pure: no Streamlit.
"""

from __future__ import annotations

import re

from components.i18n import text

#: Characters Markdown would read as formatting; a note quotes sheet names and headers from the file.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def _joined(items, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(str(item) for item in items)


def note_text(note, lang: str) -> str:
    """One note in ``lang``; a plain string (no key) is shown as it is."""
    key = getattr(note, "key", None)
    if key is None:
        return str(note)
    values = dict(note.values)
    if "counts" in values:
        separator = "，" if lang == "zh" else "; "
        values["counts"] = separator.join(text("data.note.count", lang, column=column, n=n)
                                          for column, n in values["counts"].items())
    if "columns" in values:
        values["columns"] = _joined(values["columns"], lang)
    return text(f"data.note.{key}", lang, **values)


def notes_markdown(notes, lang: str) -> str:
    """The notes as a Markdown list, with the file's own text escaped."""
    return "\n".join("- " + _MARKDOWN.sub(r"\\\1", note_text(note, lang)) for note in notes)
