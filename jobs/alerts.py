"""Alert evaluation (预警) and its command line.

    python -m jobs.alerts evaluate [--rules FILE] [--url URL]
    python -m jobs.alerts list [--json] [--all] [--role ROLE] [--url URL]

``evaluate`` reads the rules (``config/alerts.toml``, see :mod:`jobs.rules`), computes every
measure per street or community for the latest month (the month of the data's reference date,
cut at that date) and stores what it finds with :func:`data_access.alerts.record_evaluation`:
a condition still holding updates its open alert, a new one opens an alert, a cleared one
closes it. Every figure comes from a query in :mod:`data_access.measures`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from calendar import monthrange
from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from data_access import alerts as store
from data_access.alerts import Condition
from data_access.database import Database
from data_access.geography import data_range
from data_access.measures import (
    MEASURES,
    Window,
    category_counts,
    description_counts,
    end_of,
    full_month,
    month_window,
    normalise_phrase,
    unit_names,
)
from jobs.rules import SEVERITY_ZH, Rule, RuleError, load_rules

# --- Poisson upper tail ---------------------------------------------------------------


def poisson_sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), summed over the upper tail in log space (exact for small p)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    log_lam = math.log(lam)
    total = 0.0
    i = k
    while True:
        term = math.exp(-lam + i * log_lam - math.lgamma(i + 1))
        total += term
        if i > lam and term < total * 1e-16:
            break
        i += 1
        if i > k + 10_000:  # pragma: no cover - never reached for counts a month holds
            break
    return min(1.0, total)


def format_p(p: float) -> str:
    return "p < 0.0001" if p < 0.0001 else f"p = {p:.4f}"


# --- formatting -----------------------------------------------------------------------


def _fmt(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    return f"{value:,.0f} 件"


def _fmt_en(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.1f}%" if kind == "rate" else f"{value:,.0f}"


# --- rule kinds ---------------------------------------------------------------------


class Evaluator:
    """Evaluates rules on one database as at its reference date."""

    def __init__(self, db: Database, reference: date | None = None):
        self.db = db
        start, ref = data_range(db)
        self.data_start = start
        self.reference = reference or ref
        self.names = unit_names(db)
        self.window = month_window(self.reference)

    def _unit(self, level: str, code: str) -> tuple[str, str]:
        return self.names.get((level, code), (code, code if level == "street" else ""))

    def _condition(self, rule: Rule, level: str, code: str, measure: str, value, threshold, reason: str,
                   reason_en: str, detail: str = "", p_value: float | None = None,
                   period: str | None = None) -> Condition:
        name, street = self._unit(level, code)
        return Condition(rule_id=rule.id, kind=rule.kind, severity=rule.severity, unit_level=level, unit_code=code,
                         unit_name=name, street_code=street, measure=measure, period=period or self.window.label,
                         value=None if value is None else float(value),
                         threshold=None if threshold is None else float(threshold),
                         reason=reason, reason_en=reason_en, detail=detail, p_value=p_value)

    def _measure(self, key: str, level: str, months_back: int = 0, params: dict | None = None) -> pd.DataFrame:
        measure = MEASURES[key]
        window = month_window(self.reference, months_back)
        return measure.compute(self.db, level, window, self.reference, params or {})

    def threshold(self, rule: Rule) -> list[Condition]:
        measure = MEASURES[rule.measure]
        frame = self._measure(rule.measure, rule.level)
        found = []
        for row in frame.itertuples(index=False):
            if row.base < rule.min_base or row.value is None or math.isnan(row.value):
                continue
            name = self._unit(rule.level, row.unit_code)[0]
            value = _fmt(row.value, measure.kind)
            if rule.floor is not None and row.value < rule.floor:
                limit, word, word_en = rule.floor, "低于下限", "below the floor of"
            elif rule.ceiling is not None and row.value > rule.ceiling:
                limit, word, word_en = rule.ceiling, "高于上限", "above the ceiling of"
            else:
                continue
            base = f"，{row.base:,.0f} 件" if measure.kind == "rate" else ""
            found.append(self._condition(
                rule, rule.level, row.unit_code, rule.measure, row.value, limit,
                f"{name} {measure.name_zh}: {value}，{word} {_fmt(limit, measure.kind)}（{self.window.label}{base}）",
                f"{name} {measure.name_en}: {_fmt_en(row.value, measure.kind)}, {word_en} "
                f"{_fmt_en(limit, measure.kind)} ({self.window.label})"))
        return found

    def change(self, rule: Rule) -> list[Condition]:
        measure = MEASURES[rule.measure]
        back = 1 if rule.compare == "previous_month" else 12
        previous_window = month_window(self.reference, back)
        if previous_window.start.date() < self.data_start:
            return []
        current = self._measure(rule.measure, rule.level)
        previous = self._measure(rule.measure, rule.level, back)
        merged = current.merge(previous, on="unit_code", suffixes=("", "_prev"))
        label_zh = "上月同期" if back == 1 else "去年同月"
        label_en = "the month before" if back == 1 else "a year before"
        found = []
        for row in merged.itertuples(index=False):
            if min(row.base, row.base_prev) < rule.min_base or not row.value_prev:
                continue
            if measure.kind == "rate":  # percentage points
                change = (row.value - row.value_prev) * 100
                shown, unit_word = f"{change:+.1f} 个百分点", "个百分点"
                shown_en = f"{change:+.1f} points"
            else:
                change = (row.value - row.value_prev) / row.value_prev * 100
                shown, unit_word, shown_en = f"{change:+.1f}%", "%", f"{change:+.1f}%"
            if rule.rise_pct is not None and change > rule.rise_pct:
                limit = f"+{rule.rise_pct:g}{unit_word}"
            elif rule.fall_pct is not None and change < -rule.fall_pct:
                limit = f"-{rule.fall_pct:g}{unit_word}"
            else:
                continue
            name = self._unit(rule.level, row.unit_code)[0]
            found.append(self._condition(
                rule, rule.level, row.unit_code, rule.measure, row.value, row.value_prev,
                f"{name} {measure.name_zh}: {_fmt(row.value, measure.kind)}，{label_zh} "
                f"{_fmt(row.value_prev, measure.kind)}，{shown}（阈值 {limit}）",
                f"{name} {measure.name_en}: {_fmt_en(row.value, measure.kind)}, {label_en} "
                f"{_fmt_en(row.value_prev, measure.kind)}, {shown_en}"))
        return found

    def overdue(self, rule: Rule) -> list[Condition]:
        key = rule.measure_key()
        measure = MEASURES[key]
        frame = self._measure(key, rule.level, params={"due_within_days": rule.due_within_days})
        found = []
        soon = f"（{rule.due_within_days} 天内到期）" if rule.due_within_days else ""
        for row in frame.itertuples(index=False):
            if row.value <= rule.max_count:
                continue
            name = self._unit(rule.level, row.unit_code)[0]
            found.append(self._condition(
                rule, rule.level, row.unit_code, key, row.value, rule.max_count,
                f"{name} {measure.name_zh}{soon}: {row.value:,.0f} 件，超过 {rule.max_count:g} 件"
                f"（截至 {self.reference:%Y-%m-%d}）",
                f"{name} {measure.name_en}: {row.value:,.0f}, more than {rule.max_count:g} "
                f"(as of {self.reference:%Y-%m-%d})"))
        return found

    def _improbable(self, rule: Rule, counts, unit: str, key: str) -> pd.DataFrame:
        """Rows (unit, key) of the latest month improbable under a Poisson model of their own trailing months.

        ``counts(window)`` gives columns ``unit``, ``key`` and ``n``. Returns the flagged rows with their
        ``baseline`` (per month), ``factor`` (the rest of the district's month for that key against its
        baseline, when ``rule.adjust`` asks for it) and ``p``.
        """
        window = self._spike_window(rule)
        latest = counts(window)
        months = [full_month(self.reference, back) for back in range(1, rule.baseline_months + 1)]
        months = [m for m in months if m.start.date() >= date(self.data_start.year, self.data_start.month, 1)]
        if latest.empty or len(months) < 3:
            return pd.DataFrame()
        baseline = pd.concat([counts(m) for m in months], ignore_index=True)
        per_month = (baseline.groupby([unit, key])["n"].sum() / len(months)).rename("baseline")
        merged = latest.join(per_month, on=[unit, key])
        merged["baseline"] = merged["baseline"].fillna(0.0)
        # the latest month may be cut at the reference date, or the window is a week: expect that share of a
        # month (a week: 7 days of an average month in the baseline)
        if rule.window == "week":
            share = 7 / (sum((m.end - m.start).days for m in months) / len(months))
        else:
            share = (window.end - window.start).days / monthrange(window.start.year, window.start.month)[1]
        if rule.adjust == "district_category":
            # the rest of the district's month for that key against its own baseline: a season, a holiday or the
            # district's growth moves every unit at once and is not one unit's spike (the unit itself is left
            # out, so its own spike does not raise its expectation)
            now_total = merged[key].map(latest.groupby(key)["n"].sum())
            base_total = merged[key].map(baseline.groupby(key)["n"].sum() / len(months))
            rest_now = (now_total - merged["n"]) / share
            rest_base = base_total - merged["baseline"]
            merged["factor"] = (rest_now / rest_base.where(rest_base > 0)).fillna(1.0).clip(lower=0.5, upper=2.0)
        else:
            merged["factor"] = 1.0
        merged = merged[merged["n"] >= rule.min_count].copy()
        # a key never seen in the baseline: half a request over the baseline, not zero
        expected = merged["baseline"].clip(lower=0.5 / len(months)) * merged["factor"] * share
        merged["p"] = [poisson_sf(int(n), lam) for n, lam in zip(merged["n"], expected, strict=True)]
        return merged[merged["p"] < rule.p]

    def _spike_window(self, rule: Rule) -> Window:
        if rule.window == "week":  # the 7 days up to the reference date
            end = end_of(self.reference)
            start = end - timedelta(days=7)
            return Window(f"{start:%Y-%m-%d}~{self.reference:%m-%d}", start, end)
        return self.window

    def _per(self, rule: Rule) -> tuple[str, str]:
        """How the count is read: 件 (this month) or 件（近 7 天） and the English."""
        return ("件（近 7 天）", " in the last 7 days") if rule.window == "week" else ("件", "")

    @staticmethod
    def _adjusted(factor: float) -> tuple[str, str]:
        if abs(factor - 1) < 0.005:
            return "", ""
        return f"（全区同类本月 ×{factor:.2f}）", f" (the district's month ×{factor:.2f})"

    def spike(self, rule: Rule) -> list[Condition]:
        found = []
        per, per_en = self._per(rule)
        flagged = self._improbable(rule, lambda w: category_counts(self.db, w), "community_code", "category")
        for row in flagged.itertuples(index=False):
            name = self._unit("community", row.community_code)[0]
            adjusted, adjusted_en = self._adjusted(row.factor)
            found.append(self._condition(
                rule, "community", row.community_code, "requests_by_category", row.n, row.baseline,
                f"{name} {row.category}: {row.n} {per}, 基线 {row.baseline:.1f} 件/月{adjusted}, {format_p(row.p)}",
                f"{name} {row.category}: {row.n} requests{per_en}, baseline {row.baseline:.1f}/month{adjusted_en}, "
                f"{format_p(row.p)}",
                detail=row.category, p_value=row.p, period=self._spike_window(rule).label))
        return found

    def hot_topic(self, rule: Rule) -> list[Condition]:
        """类案: within a street, requests whose normalised description is far above its own baseline."""
        def counts(window):
            frame = description_counts(self.db, window)
            frame["topic"] = [normalise_phrase(d) for d in frame["description"]]
            frame = frame[frame["topic"] != ""]
            return frame.groupby(["street_code", "topic"], as_index=False)["n"].sum()

        found = []
        per, per_en = self._per(rule)
        for row in self._improbable(rule, counts, "street_code", "topic").itertuples(index=False):
            name = self._unit("street", row.street_code)[0]
            adjusted, adjusted_en = self._adjusted(row.factor)
            found.append(self._condition(
                rule, "street", row.street_code, "requests_by_topic", row.n, row.baseline,
                f"{name} 类案「{row.topic}」: {row.n} {per}, 基线 {row.baseline:.1f} 件/月{adjusted}, "
                f"{format_p(row.p)}",
                f"{name} recurring issue '{row.topic}': {row.n} requests{per_en}, baseline {row.baseline:.1f}/month"
                f"{adjusted_en}, {format_p(row.p)}",
                detail=row.topic, p_value=row.p, period=self._spike_window(rule).label))
        return found

    def evaluate(self, rules: list[Rule]) -> list[Condition]:
        found: list[Condition] = []
        for rule in rules:
            if rule.enabled:
                found.extend(getattr(self, rule.kind)(rule))
        return found


def evaluate(db: Database, rules: list[Rule] | None = None, reference: date | None = None) -> tuple[
        list[Condition], store.EvaluationResult]:
    """Evaluate the rules on the database and store the result; returns the conditions and the changes."""
    rules = rules if rules is not None else load_rules()
    evaluator = Evaluator(db, reference)
    conditions = evaluator.evaluate(rules)
    return conditions, store.record_evaluation(db, conditions, evaluator.reference)


def evaluate_if_stale(db: Database, rules: list[Rule] | None = None) -> store.EvaluationResult | None:
    """Evaluate when the data was loaded or imported since the last evaluation; None when it was not."""
    if not store.is_stale(db):
        return None
    return evaluate(db, rules)[1]


# --- command line ---------------------------------------------------------------------


def _list_records(frame: pd.DataFrame) -> list[dict]:
    records = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if value is None or (not isinstance(value, str) and pd.isna(value)):  # None, NaN, NaT
                value = None
            elif isinstance(value, (pd.Timestamp, date)):
                value = value.isoformat()
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        records.append(clean)
    return records


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.alerts", description="预警：评估规则、列出预警")
    parser.add_argument("--url", help="数据库地址（默认 DATABASE_URL，否则内置 SQLite 文件）")
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate_cmd = commands.add_parser("evaluate", help="按规则评估最新月份并保存预警")
    evaluate_cmd.add_argument("--rules", help="规则文件（默认 config/alerts.toml）")
    evaluate_cmd.add_argument("--if-stale", action="store_true",
                              help="仅当上次评估后数据有装载或导入时评估（调度器每 5 分钟运行）")
    list_cmd = commands.add_parser("list", help="列出未关闭的预警")
    list_cmd.add_argument("--json", action="store_true", help="以 JSON 输出")
    list_cmd.add_argument("--all", action="store_true", help="包括已关闭的预警")
    list_cmd.add_argument("--role", default="district", help="以此角色查看（district 或 street:<街道代码>）")
    for sub in (evaluate_cmd, list_cmd):
        sub.add_argument("--url", help=argparse.SUPPRESS, default=None, dest="sub_url")
    args = parser.parse_args(argv)
    url = args.sub_url or args.url
    try:
        from data_access.loader import ensure_database

        db = Database(ensure_database(url))
        if args.command == "evaluate":
            rules = load_rules(args.rules)
            if args.if_stale and not store.is_stale(db):
                print("上次评估后数据未变化，无需评估")
                return 0
            conditions, result = evaluate(db, rules)
            by_rule: dict[str, int] = {}
            for condition in conditions:
                by_rule[condition.rule_id] = by_rule.get(condition.rule_id, 0) + 1
            print(f"评估 {len([r for r in rules if r.enabled])} 条规则：当前 {len(conditions)} 条预警"
                  f"（新增 {result.opened}，更新 {result.updated}，关闭 {result.closed}）")
            for rule in rules:
                if rule.enabled:
                    print(f"  {rule.id}（{rule.name}）：{by_rule.get(rule.id, 0)}")
            return 0
        frame = store.list_alerts(db, args.role, status=None if args.all else store.OPEN)
        if args.json:
            print(json.dumps(_list_records(frame), ensure_ascii=False, indent=1))
            return 0
        if frame.empty:
            print("没有未关闭的预警")
            return 0
        for row in frame.itertuples(index=False):
            print(f"[{SEVERITY_ZH.get(row.severity, row.severity)}] #{row.id} {row.rule_id} {row.reason}"
                  f"（首次 {row.first_seen:%Y-%m-%d}，{row.age_days} 天）")
        return 0
    except RuleError as exc:
        print(f"规则有误：{exc}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, OSError, LookupError) as exc:
        print(f"jobs.alerts 失败：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
