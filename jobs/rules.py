"""Alert rules from ``config/alerts.toml``, validated with messages that name the rule and the field.

Rule kinds (``kind``):

- ``threshold``: a measure per street or community below ``floor`` or above ``ceiling``;
- ``change``: a measure against the like-for-like previous span (``compare`` =
  ``previous_month`` or ``same_month_last_year``), flagged beyond ``rise_pct`` or ``fall_pct``;
- ``overdue``: open requests or unfinished projects (``subject``) past their target, or due
  within ``due_within_days`` days (临期), more than ``max_count`` per unit;
- ``spike``: a community's requests of one category in the latest month against its own
  trailing ``baseline_months``, improbable under a Poisson model (``p`` below the level and at
  least ``min_count`` requests). With ``adjust = "district_category"`` (the default) the
  baseline is scaled by the whole district's month in that category against its own baseline
  (clipped to 0.5-2), so a season or the district's growth does not flag every community.
  ``window = "week"`` tests the 7 days up to the reference date against 7 days' worth of the baseline.
- ``hot_topic`` (类案): the same test within a street on request descriptions grouped by their
  normalised phrase (:func:`data_access.measures.normalise_phrase`), so a recurring problem is
  one alert, not fifty requests.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from data_access.database import default_sqlite_path
from data_access.measures import LEVELS, MEASURES

#: the shipped rules (in the repository)
RULES_FILE = Path(__file__).resolve().parent.parent / "config" / "alerts.toml"
#: rules edited on the page are saved here, in the data folder, and then take precedence
EDITED_NAME = "alerts.toml"
RULES_ENV = "LONGGANG_ALERT_RULES"
MAX_RULES_BYTES = 100_000

KINDS = ("threshold", "change", "overdue", "spike", "hot_topic")
SEVERITIES = ("high", "medium", "low")
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
COMPARES = ("previous_month", "same_month_last_year")
SUBJECTS = ("requests", "projects")
ADJUSTS = ("district_category", "none")
WINDOWS = ("month", "week")
KIND_ZH = {"threshold": "阈值", "change": "环比/同比变化", "overdue": "超期", "spike": "突增", "hot_topic": "类案"}


class RuleError(ValueError):
    """A rules file that cannot be used; the message (Chinese) names every problem."""


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    kind: str
    level: str
    severity: str = "medium"
    measure: str = ""
    floor: float | None = None
    ceiling: float | None = None
    min_base: float = 0
    compare: str = "previous_month"
    rise_pct: float | None = None
    fall_pct: float | None = None
    subject: str = "requests"
    due_within_days: int = 0
    max_count: float = 0
    p: float = 0.01
    min_count: int = 5
    baseline_months: int = 12
    adjust: str = "district_category"
    window: str = "month"
    enabled: bool = True
    params: dict = field(default_factory=dict, hash=False, compare=False)

    def measure_key(self) -> str:
        """The measure the rule reads (for overdue rules: derived from subject and 临期)."""
        if self.kind == "overdue":
            return f"{'due_soon' if self.due_within_days > 0 else 'overdue'}_{self.subject}"
        if self.kind == "spike":
            return "requests_by_category"
        return self.measure


_COMMON = {"id", "name", "kind", "level", "severity", "enabled"}
_ALLOWED = {
    "threshold": _COMMON | {"measure", "floor", "ceiling", "min_base"},
    "change": _COMMON | {"measure", "compare", "rise_pct", "fall_pct", "min_base"},
    "overdue": _COMMON | {"subject", "due_within_days", "max_count"},
    "spike": _COMMON | {"p", "min_count", "baseline_months", "adjust", "window"},
    "hot_topic": _COMMON | {"p", "min_count", "baseline_months", "adjust", "window"},
}


def _number(raw: dict, key: str, where: str, problems: list[str], *, low: float | None = None,
             high: float | None = None, integer: bool = False):
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        problems.append(f"{where}：字段 {key} 应为{'整数' if integer else '数字'}，现为 {value!r}")
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{low if low is not None else '-∞'} 到 {high if high is not None else '∞'}"
        problems.append(f"{where}：字段 {key} 应在 {span} 之间，现为 {value}")
        return None
    return value


def parse_rules(config: dict, defaults_source: str = "alerts.toml") -> list[Rule]:
    """Rules from a parsed TOML document; raises :class:`RuleError` listing every problem."""
    problems: list[str] = []
    defaults = config.get("defaults", {})
    if not isinstance(defaults, dict):
        raise RuleError(f"{defaults_source}：[defaults] 应为一个表")
    raw_rules = config.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleError(f"{defaults_source}：没有规则（应有至少一个 [[rules]]）")
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_rules, start=1):
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        where = f"规则 {rule_id}" if isinstance(rule_id, str) and rule_id else f"第 {n} 条规则"
        if not isinstance(raw, dict):
            problems.append(f"{where}：应为一个表")
            continue
        if not isinstance(rule_id, str) or not rule_id.strip():
            problems.append(f"{where}：缺少字段 id")
            continue
        if rule_id in seen:
            problems.append(f"{where}：id 重复")
            continue
        seen.add(rule_id)
        kind = raw.get("kind")
        if kind not in KINDS:
            problems.append(f"{where}：字段 kind 应为 {' / '.join(KINDS)} 之一，现为 {kind!r}")
            continue
        unknown = sorted(set(raw) - _ALLOWED[kind])
        if unknown:
            problems.append(f"{where}：{kind} 规则不认识字段 {', '.join(unknown)}")
        name = raw.get("name", rule_id)
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}：字段 name 应为非空文字")
        fixed = {"spike": "community", "hot_topic": "street"}.get(kind)
        level = raw.get("level", fixed or "street")
        if level not in LEVELS or (fixed and level != fixed):
            allowed = fixed or " / ".join(LEVELS)
            problems.append(f"{where}：字段 level 应为 {allowed}，现为 {level!r}")
        severity = raw.get("severity", "medium")
        if severity not in SEVERITIES:
            problems.append(f"{where}：字段 severity 应为 {' / '.join(SEVERITIES)} 之一，现为 {severity!r}")
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{where}：字段 enabled 应为 true 或 false")
        values: dict = {}
        if kind in ("threshold", "change"):
            measure = raw.get("measure")
            if measure not in MEASURES:
                known = ", ".join(MEASURES)
                problems.append(f"{where}：字段 measure 应为已登记的指标之一（{known}），现为 {measure!r}")
            values["measure"] = measure or ""
            values["min_base"] = _number(raw, "min_base", where, problems, low=0) or 0
        if kind == "threshold":
            rate = measure in MEASURES and MEASURES[measure].kind == "rate"
            high = 1 if rate else None
            values["floor"] = _number(raw, "floor", where, problems, low=0, high=high)
            values["ceiling"] = _number(raw, "ceiling", where, problems, low=0, high=high)
            if values["floor"] is None and values["ceiling"] is None and "floor" not in raw and "ceiling" not in raw:
                problems.append(f"{where}：阈值规则需要字段 floor（下限）或 ceiling（上限）")
            if rate and any(isinstance(raw.get(k), (int, float)) and raw[k] > 1 for k in ("floor", "ceiling")):
                problems[-1] += "（比率写成小数，例如 0.85 表示 85%）"
        elif kind == "change":
            compare = raw.get("compare", "previous_month")
            if compare not in COMPARES:
                problems.append(f"{where}：字段 compare 应为 {' / '.join(COMPARES)} 之一，现为 {compare!r}")
            values["compare"] = compare
            values["rise_pct"] = _number(raw, "rise_pct", where, problems, low=0)
            values["fall_pct"] = _number(raw, "fall_pct", where, problems, low=0, high=100)
            if "rise_pct" not in raw and "fall_pct" not in raw:
                problems.append(f"{where}：变化规则需要字段 rise_pct（上升百分比）或 fall_pct（下降百分比）")
        elif kind == "overdue":
            subject = raw.get("subject", "requests")
            if subject not in SUBJECTS:
                problems.append(f"{where}：字段 subject 应为 {' / '.join(SUBJECTS)} 之一，现为 {subject!r}")
            values["subject"] = subject
            values["due_within_days"] = _number(raw, "due_within_days", where, problems, low=0, high=365,
                                                integer=True) or 0
            values["max_count"] = _number(raw, "max_count", where, problems, low=0) or 0
        elif kind in ("spike", "hot_topic"):
            p = _number(raw, "p", where, problems, low=0, high=0.5)
            values["p"] = p if p is not None else float(defaults.get("spike_p", 0.01))
            if "p" in raw and p == 0:
                problems.append(f"{where}：字段 p 应大于 0")
            min_count = _number(raw, "min_count", where, problems, low=1, integer=True)
            values["min_count"] = min_count if min_count is not None else int(defaults.get("spike_min_count", 5))
            months = _number(raw, "baseline_months", where, problems, low=3, high=36, integer=True)
            values["baseline_months"] = months if months is not None else 12
            adjust = raw.get("adjust", "district_category")
            if adjust not in ADJUSTS:
                problems.append(f"{where}：字段 adjust 应为 {' / '.join(ADJUSTS)} 之一，现为 {adjust!r}")
            values["adjust"] = adjust
            window = raw.get("window", "month")
            if window not in WINDOWS:
                problems.append(f"{where}：字段 window 应为 {' / '.join(WINDOWS)} 之一，现为 {window!r}")
            values["window"] = window
        if problems:
            continue
        rules.append(Rule(id=rule_id, name=name, kind=kind, level=level, severity=severity, enabled=enabled,
                          **values))
    if problems:
        raise RuleError(f"{defaults_source} 有 {len(problems)} 处问题：\n" + "\n".join(f"- {p}" for p in problems))
    return rules


def edited_rules_path() -> Path:
    """Where the page saves edited rules: ``<LONGGANG_DATA_DIR>/alerts.toml``."""
    return default_sqlite_path().parent / EDITED_NAME


def rules_path() -> Path:
    """The rules in force: ``LONGGANG_ALERT_RULES`` if set, else the page's edited file, else the shipped one."""
    if os.environ.get(RULES_ENV):
        return Path(os.environ[RULES_ENV])
    edited = edited_rules_path()
    return edited if edited.is_file() else RULES_FILE


def parse_rules_text(source: str, name: str = EDITED_NAME) -> list[Rule]:
    """Rules from a TOML text (the page's editor); raises :class:`RuleError` naming every problem."""
    if len(source.encode("utf-8")) > MAX_RULES_BYTES:
        raise RuleError(f"{name} 超过 {MAX_RULES_BYTES // 1000} KB")
    try:
        config = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{name} 不是有效的 TOML：{exc}") from exc
    return parse_rules(config, name)


def save_rules(source: str) -> list[Rule]:
    """Validate, then write the edited rules atomically (temp file + rename); nothing is written when invalid."""
    rules = parse_rules_text(source)
    target = edited_rules_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".alerts.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(source)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return rules


def reset_rules() -> None:
    """Drop the page's edited rules: the shipped file is in force again."""
    edited_rules_path().unlink(missing_ok=True)


def rules_source() -> str:
    """The text of the rules in force (for the page's editor)."""
    return rules_path().read_text(encoding="utf-8")


def load_rules(path: Path | str | None = None) -> list[Rule]:
    """The enabled and disabled rules of the file (default: :func:`rules_path`)."""
    path = Path(path or rules_path())
    try:
        with open(path, "rb") as f:
            config = tomllib.load(f)
    except FileNotFoundError as exc:
        raise RuleError(f"找不到预警规则文件 {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path.name} 不是有效的 TOML：{exc}") from exc
    return parse_rules(config, path.name)
