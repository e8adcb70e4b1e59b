"""The one catalogue of UI text, Chinese first, English by a switch.

Pages and builders never hold display strings: they ask :func:`text` for a key.
The entries live in sections, ``components/text/<area>.py``, merged here into
one catalogue. Domain values stored in Chinese (channels, statuses, kinds) get
English names from :data:`VALUE_NAMES_EN`; in Chinese they are shown as stored.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable

from components import text as text_sections

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def _merge(attribute: str) -> dict:
    """Merge one dict (``TEXT`` or ``VALUES_EN``) from every module in ``components/text``.

    Sections keep areas apart so pages can grow without editing one shared
    dict; a key defined twice is an error, so the merged catalogue stays one.
    """
    merged: dict = {}
    for module in sorted(pkgutil.iter_modules(text_sections.__path__), key=lambda m: m.name):
        section = getattr(importlib.import_module(f"{text_sections.__name__}.{module.name}"), attribute, {})
        duplicated = merged.keys() & section.keys()
        if duplicated:
            raise ValueError(f"{attribute} keys defined twice: {sorted(duplicated)}")
        merged.update(section)
    return merged


#: key -> {"zh": ..., "en": ...}
CATALOGUE: dict[str, dict[str, str]] = _merge("TEXT")
#: stored Chinese domain value -> English name
VALUE_NAMES_EN: dict[str, str] = _merge("VALUES_EN")


def text(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The catalogue entry in ``lang`` (Chinese when missing), with ``values`` filled in."""
    entry = CATALOGUE[key]
    template = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return template.format(**values) if values else template


def translator_for(lang: str) -> Callable[..., str]:
    """``T(key, **values)``: :func:`text` in ``lang``, the short name pages and builders use."""
    return functools.partial(text, lang=lang)


def value_name(value: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A stored domain value as shown to the reader."""
    if lang == "en":
        return VALUE_NAMES_EN.get(value, value)
    return value
