"""The one catalogue of UI text, Chinese first, English by a switch.

Pages and builders never hold display strings: they ask :func:`text` for a key.
The entries live in sections, ``components/text/<area>.py``, merged here into
one catalogue. Domain values stored in Chinese (channels, statuses, kinds) get
English names from :data:`VALUE_NAMES_EN`; in Chinese they are shown as stored.
"""

from __future__ import annotations

import importlib
import pkgutil

from components import text as text_sections

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def _load_catalogue() -> dict[str, dict[str, str]]:
    """Merge the ``TEXT`` sections of every module in ``components/text`` (one per area).

    Sections keep areas apart so pages can grow without editing one shared
    dict; a key defined twice is an error, so the merged catalogue stays one.
    """
    catalogue: dict[str, dict[str, str]] = {}
    for module in sorted(pkgutil.iter_modules(text_sections.__path__), key=lambda m: m.name):
        section = importlib.import_module(f"{text_sections.__name__}.{module.name}").TEXT
        duplicated = catalogue.keys() & section.keys()
        if duplicated:
            raise ValueError(f"catalogue keys defined twice: {sorted(duplicated)}")
        catalogue.update(section)
    return catalogue


CATALOGUE = _load_catalogue()

VALUE_NAMES_EN: dict[str, str] = {
    # project statuses
    "申报": "Applied", "立项": "Approved", "实施": "In progress", "验收": "Acceptance", "完成": "Completed",
    "暂停": "Suspended",
    # request channels
    "平安码上办": "Ping'an online platform", "智慧平安服务站": "Smart-safety service stations",
    "居民谈心": "Resident talks",
    # request categories
    "信访投诉": "Petitions and complaints", "纠纷化解": "Dispute resolution", "法律服务": "Legal services",
    "治安联防": "Joint security patrols", "心理咨询": "Counselling", "隐患上报": "Hazard reports",
    "物业管理": "Property management", "市容环境": "Streetscape and environment",
    # event kinds
    "联席会": "Joint meetings", "议事会": "Compound council sessions", "便民服务": "Convenience services",
    "志愿服务": "Volunteer-team services", "教育活动": "Education activities",
}


def text(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The catalogue entry in ``lang`` (Chinese when missing), with ``values`` filled in."""
    entry = CATALOGUE[key]
    template = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return template.format(**values) if values else template


def value_name(value: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A stored domain value as shown to the reader."""
    if lang == "en":
        return VALUE_NAMES_EN.get(value, value)
    return value
