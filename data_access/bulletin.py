"""The monthly and weekly bulletin (民生诉求办理情况通报): streets or communities ranked on a composite.

A bulletin is a snapshot as at its cut-off: the last day of its month or ISO week, or the
data's as-of date when that is earlier. Every status is read from the status history up to
the cut-off, so re-running a bulletin later on the same data gives the same figures.

Per unit (street, or community within a street), over the requests *submitted* in the period:

* 受理量 ``received``: the requests submitted in the period (up to the cut-off);
* 响应率 ``response_rate``: share accepted (first status past 待受理 other than 已退回) within the
  category's response target in hours (``config/bulletin.toml``), by the cut-off;
* 办结率 ``resolution_rate``: share whose latest status by the cut-off is 已办结 or 已关闭;
* 按时办结率 ``on_time_rate``: of the requests *due* by the cut-off (resolved by then, or still open
  with their category's target days, ``config/request_targets.toml``, already past), the share
  resolved no later than the target (exactly at the target counts as on time), measured to the
  latest 已办结 (or the 已关闭 when no 已办结 was recorded). A request submitted days before the
  cut-off and not yet due does not count against its unit: the snapshot judges only what fell due;
* 满意率 ``satisfaction_rate``: among the rated requests resolved by the cut-off, the share
  rated 4 or 5; 不满意数 ``dissatisfied``: rated 1 or 2;
* 退回/重办 ``returned_reopened``: requests returned (已退回) or reopened (a status other than a
  closure after a resolution) by the cut-off;
* 综合得分 ``composite``: Σ weight × rate ÷ Σ weight × 100 over the rates the unit has.

Counts and rates are computed in SQL (data_access/bulletin_counts.py, with the definitions and periods). The
summary refresh keeps every month's and ISO week's counts per community at its cut-off
(``bulletin_count_summary``), so a bulletin, its streaks and a year of comparison are sums of a few thousand
stored rows; a period at another cut-off, or other definitions, are counted from the raw rows. Ranks, streaks
and lists are arithmetic on those rows. A street role sees its communities and, among the streets, only the
other streets' composite and rank.

Command line: ``python -m data_access.bulletin --period 2023-10 --level street --out FILE.xlsx``.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from data_access import schema
from data_access.bulletin_counts import (  # noqa: F401 - re-exported: pages, jobs and tests use bulletin.<name>
    COUNT_COLUMNS,
    LEVELS,
    MEASURES,
    BulletinConfig,
    BulletinError,
    BulletinPeriod,
    _empty_counts,
    _held_spans,
    cutoff_date,
    load_bulletin_config,
    month_for,
    month_period,
    parse_bulletin_period,
    period_counts,
    period_counts_long,
    period_options,
    stored_counts,
    unit_counts,
)
from data_access.database import Database
from data_access.geography import data_range
from data_access.requests import Targets, load_request_targets
from data_access.scope import DISTRICT_ROLE, STREET_ROLE_PREFIX

C, S = schema.communities, schema.streets
#: how many earlier periods a streak looks back at most
MAX_STREAK_LOOKBACK = 60


def unit_list(db: Database, level: str, street: str | None) -> pd.DataFrame:
    """code, name (and street_code) of every street, or of every community of ``street``."""
    if level == "street":
        return db.frame(select(S.c.code, S.c.name, S.c.name_en).order_by(S.c.code))
    return db.frame(select(C.c.code, C.c.name, C.c.street_code).where(C.c.street_code == street).order_by(C.c.code))


# --- ranking -----------------------------------------------------------------------------


def composites(frame: pd.DataFrame, config: BulletinConfig) -> np.ndarray:
    """Each row's composite: Σ weight × rate ÷ Σ weight × 100 over the rates it has (NaN: no rate at all).

    The sums run measure by measure in the config's order, so every row gets the float a row-by-row loop
    would give: ranks and ties do not depend on how many rows are scored at once."""
    total, weights = np.zeros(len(frame)), np.zeros(len(frame))
    for measure, weight in config.weights:
        if not weight:
            continue
        value = pd.to_numeric(frame[measure], errors="coerce").to_numpy(dtype=float)
        has = ~np.isnan(value)
        total = total + np.where(has, weight * value, 0.0)
        weights = weights + np.where(has, weight, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weights > 0, total / weights * 100, np.nan)


def ranked_table(units: pd.DataFrame, counts: pd.DataFrame, config: BulletinConfig) -> pd.DataFrame:
    """Every unit with its counts, rates, composite, rank (or the reason it has none)."""
    frame = units.merge(counts, on="code", how="left")
    count_columns = ["received", "responded", "resolved", "on_time", "due", "rated", "satisfied", "dissatisfied",
                     "returned", "reopened", "returned_reopened"]
    frame[count_columns] = frame[count_columns].fillna(0).astype(int)
    for measure in MEASURES:
        frame[measure] = pd.to_numeric(frame[measure], errors="coerce").astype(float)
    frame["composite"] = composites(frame, config)
    eligible = (frame["received"] >= config.min_requests) & frame["composite"].notna()
    scores = frame["composite"].where(eligible).round(6)
    frame["rank"] = scores.rank(method="min", ascending=False).astype("Int64")
    frame["ranked"] = eligible
    frame["unranked_reason"] = [
        None if ok else ("no_requests" if n == 0 else "below_min")
        for ok, n in zip(eligible, frame["received"], strict=True)
    ]
    order = frame.assign(_r=frame["rank"].astype(float).fillna(math.inf), _s=-frame["composite"].fillna(-1))
    order = order.sort_values(["_r", "_s", "code"], kind="mergesort")
    return order.drop(columns=["_r", "_s"]).reset_index(drop=True)


def period_ranks(units: pd.DataFrame, counts: pd.DataFrame, config: BulletinConfig) -> dict[str, dict[str, int]]:
    """{period: {code: rank}} of the ranked units in each period of a ``period_counts_long`` frame, as
    ``ranked_table`` ranks them, without building its table: a streak walks back up to
    MAX_STREAK_LOOKBACK periods and needs only ranks (a table per period was most of a bulletin's time)."""
    frame = counts[counts["code"].isin(set(units["code"])) & (counts["received"] >= config.min_requests)]
    scores = np.round(composites(frame, config), 6)
    scored = ~np.isnan(scores)
    periods, codes = frame["period"].to_numpy(object)[scored], frame["code"].to_numpy(object)[scored]
    ranks = pd.Series(scores[scored]).groupby(periods).rank(method="min", ascending=False).tolist()
    out: dict[str, dict[str, int]] = {}
    for period, code, rank in zip(periods.tolist(), codes.tolist(), ranks, strict=True):
        out.setdefault(period, {})[code] = int(rank)
    return out


def _ranks(frame: pd.DataFrame) -> dict[str, int]:
    return {c: int(r) for c, r in zip(frame["code"], frame["rank"], strict=True) if not pd.isna(r)}


def _first_and_last(ranks: dict[str, int]) -> tuple[set[str], set[str]]:
    """The units ranked first, and those ranked last (none when fewer than two are ranked: one is first)."""
    first = {code for code, rank in ranks.items() if rank == 1}
    if len(ranks) < 2:
        return first, set()
    worst = max(ranks.values())
    return first, {code for code, rank in ranks.items() if rank == worst}


def failing_measures(row: dict, config: BulletinConfig) -> list[str]:
    """The measures of a unit below their floor (a missing rate never fails)."""
    failing = []
    for measure, floor in config.floors:
        value = row.get(measure)
        if value is not None and not (isinstance(value, float) and math.isnan(value)) and value < floor:
            failing.append(measure)
    return failing


# --- the bulletin ------------------------------------------------------------------------


@dataclass
class Bulletin:
    """One bulletin: its period, cut-off, level and the ranked table, red and black lists."""

    period: BulletinPeriod
    cutoff: date
    level: str
    street: str | None  # the street of a community bulletin
    street_name: str | None
    role: str
    config: BulletinConfig
    targets: Targets
    table: pd.DataFrame  # one row per unit, ranked first (see ranked_table), plus change and streaks
    red: pd.DataFrame  # best red_list_size ranked units: code, name, rank, composite
    black: pd.DataFrame  # units below a floor: code, name, rank, composite, failing (list of measures)
    previous_key: str | None
    data_start: date
    reference: date
    hidden: list[str] = field(default_factory=list)  # codes whose measures the role may not see

    @property
    def title_values(self) -> dict:
        return {"year": self.period.year, "number": self.period.number, "street": self.street_name or ""}


def _role_street(role: str) -> str | None:
    return role[len(STREET_ROLE_PREFIX):] if role.startswith(STREET_ROLE_PREFIX) else None


def _counts_in_batches(db: Database, periods: Sequence[BulletinPeriod], reference: date, level: str,
                       street: str | None, config: BulletinConfig, targets: Targets):
    """(keys, period_counts_long) of the periods in turn. When the summary holds every period at these cut-offs,
    two reads of stored rows: the current and previous periods whole, then every earlier one's ranking counts
    (a unit's row per period: a few hundred rows even when a streak runs back years; in batches, the city's
    32-month streak took six round trips). Counted from the raw rows: on PostgreSQL in batches (one statement
    each) of the current and previous periods, then 1, 2, 4 … 16 earlier ones, so a streak that ends early
    reads at most twice the periods it needs; on SQLite one period at a time."""
    spans = [(p, cutoff_date(p, reference)) for p in periods]
    held = _held_spans(db, spans, config, targets)  # one read of the bookkeeping for every batch
    if len(held) == len(spans):
        for batch, ranking_only in ((periods[:2], False), (periods[2:], True)):
            if batch:
                yield [p.key for p in batch], stored_counts(db, batch, level, street, ranking_only=ranking_only)
        return
    grow = bool(held) or db.engine.dialect.name == "postgresql"
    done, size = 0, 2 if grow else 1
    while done < len(periods):
        batch = periods[done:done + size]
        yield [p.key for p in batch], period_counts_long(db, spans[done:done + size], level, street, config, targets)
        done += len(batch)
        size = (1 if done == 2 else min(2 * len(batch), 16)) if grow else 1


def _earlier_ranks(batches, units: pd.DataFrame, config: BulletinConfig):
    """The ranks ({code: rank}) of each period of the batches in turn ({} for a period without requests)."""
    for keys, counts in batches:
        ranks = period_ranks(units, counts, config)
        for key in keys:
            yield ranks.get(key, {})


def build_bulletin(db: Database, period_key: str, level: str = "street", street: str | None = None,
                   role: str = DISTRICT_ROLE, *, config: BulletinConfig | None = None,
                   targets: Targets | None = None, reference: date | None = None) -> Bulletin:
    """The bulletin of a month or ISO week for the streets, or for the communities of one street.

    A street role always gets its own street's communities (``street`` is ignored) and, at
    street level, every street's composite and rank but only its own street's measures.
    """
    if level not in LEVELS:
        raise BulletinError(f"通报层级“{level}”无效：请选择 street（街道）或 community（社区）")
    period = parse_bulletin_period(period_key)
    config = config or load_bulletin_config()
    targets = targets if targets is not None else load_request_targets()
    data_start, as_of = data_range(db)
    reference = reference or as_of
    if period.start > reference or period.end < data_start:
        raise BulletinError(f"通报时段 {period.key} 不在数据范围内（{data_start} 至 {reference}）")
    role_street = _role_street(role)
    if level == "community":
        street = role_street or street
        if not street:
            raise BulletinError("社区通报须指定街道（--street 街道代码）")
    streets = unit_list(db, "street", None)
    if level == "community" and street not in set(streets["code"]):
        raise BulletinError(f"街道代码“{street}”不存在")
    street_name = streets.set_index("code")["name"].get(street) if street else None
    units = unit_list(db, level, street)

    previous = period.previous()
    earlier_periods, step = [], previous
    while len(earlier_periods) < MAX_STREAK_LOOKBACK and step.end >= data_start:
        earlier_periods.append(step)
        step = step.previous()
    batches = _counts_in_batches(db, [period, *earlier_periods], reference, level, street, config, targets)
    keys, counts = next(batches)
    table = ranked_table(units, counts[counts["period"] == period.key].drop(columns="period"), config)
    ranks_now = _ranks(table)
    # rank change and streaks: walk back while some unit's streak is still running
    current_first, current_last = _first_and_last(ranks_now)
    first_run = {c: 1 for c in current_first}
    last_run = {c: 1 for c in current_last}
    prev_ranks: dict[str, int] | None = None
    earlier_batches = itertools.chain([(keys[1:], counts)], batches)
    for depth, ranks in enumerate(_earlier_ranks(earlier_batches, units, config)):
        if depth == 0:
            prev_ranks = ranks
        first_now, last_now = _first_and_last(ranks)
        current_first &= first_now
        current_last &= last_now
        for code in current_first:
            first_run[code] += 1
        for code in current_last:
            last_run[code] += 1
        if not current_first and not current_last:
            break
    table["previous_rank"] = [prev_ranks.get(c) if prev_ranks else None for c in table["code"]]
    table["rank_change"] = [
        (prev_ranks[c] - ranks_now[c]) if prev_ranks and c in prev_ranks and c in ranks_now else None
        for c in table["code"]
    ]
    table["first_streak"] = [first_run.get(c, 0) for c in table["code"]]
    table["last_streak"] = [last_run.get(c, 0) for c in table["code"]]
    for column in ("previous_rank", "rank_change"):
        table[column] = table[column].astype("Int64")

    ranked = table[table["ranked"]]
    red = ranked[ranked["rank"] <= config.red_list_size][["code", "name", "rank", "composite"]].reset_index(drop=True)
    black_rows = []
    for row in ranked.to_dict("records"):
        failing = failing_measures(row, config)
        if failing:
            black_rows.append({"code": row["code"], "name": row["name"], "rank": row["rank"],
                               "composite": row["composite"], "failing": failing,
                               **{m: row[m] for m in MEASURES}})
    black = pd.DataFrame(black_rows, columns=["code", "name", "rank", "composite", "failing", *MEASURES])

    hidden: list[str] = []
    if role_street and level == "street":
        hidden = [c for c in table["code"] if c != role_street]
        table = mask_other_units(table, hidden)
        black = black[~black["code"].isin(hidden)].reset_index(drop=True)
    return Bulletin(period=period, cutoff=cutoff_date(period, reference), level=level, street=street,
                    street_name=street_name, role=role, config=config, targets=targets, table=table, red=red,
                    black=black, previous_key=previous.key if prev_ranks is not None else None,
                    data_start=data_start, reference=reference, hidden=hidden)


#: the columns another street's row keeps for a street role
PUBLIC_COLUMNS = ("code", "name", "name_en", "composite", "rank", "ranked", "unranked_reason", "previous_rank",
                  "rank_change", "first_streak", "last_streak")


def mask_other_units(table: pd.DataFrame, hidden: Sequence[str]) -> pd.DataFrame:
    """Blank every measure of the hidden units (counts and rates), keeping name, composite and rank."""
    table = table.copy()
    mask = table["code"].isin(list(hidden))
    for column in table.columns:
        if column in PUBLIC_COLUMNS:
            continue
        table[column] = table[column].astype(object)
        table.loc[mask, column] = None
    return table


# --- comparison ---------------------------------------------------------------------------

DISTRICT_CODE = "district"


def _with_rates(frame: pd.DataFrame, config: BulletinConfig) -> pd.DataFrame:
    frame = frame.copy()

    def share(num, den):
        return [n / d if d else float("nan") for n, d in zip(frame[num], frame[den], strict=True)]

    frame["response_rate"] = share("responded", "received")
    frame["resolution_rate"] = share("resolved", "received")
    frame["on_time_rate"] = share("on_time", "due")
    frame["satisfaction_rate"] = share("satisfied", "rated")
    frame["composite"] = composites(frame, config)
    return frame


def comparison_units(db: Database, level: str, street: str | None, role: str = DISTRICT_ROLE) -> pd.DataFrame:
    """The units a viewer may compare: code, name (and the district as a whole for the district role).

    A street role compares its own street's communities, or its own street alone at street level:
    no other street's measures.
    """
    role_street = _role_street(role)
    if level == "community":
        street = role_street or street
        if not street:
            raise BulletinError("社区对比须指定街道")
    units = unit_list(db, level, street)[["code", "name"]]
    if role_street and level == "street":
        units = units[units["code"] == role_street]
    if not role_street:
        units = pd.concat([pd.DataFrame([{"code": DISTRICT_CODE, "name": "龙岗区"}]), units], ignore_index=True)
    return units.reset_index(drop=True)


def compare_units(db: Database, codes: Sequence[str], period_key: str, level: str = "street",
                  street: str | None = None, role: str = DISTRICT_ROLE, months: int = 13, *,
                  config: BulletinConfig | None = None, targets: Targets | None = None,
                  reference: date | None = None) -> pd.DataFrame:
    """Every bulletin measure and the composite of up to four units, month by month up to ``period_key``.

    Rows: period, code, name and the measures, for the ``months`` months ending at the period (13: the
    same month a year earlier included; months before the data are left out). Each month is read as
    its own bulletin would (snapshot at its cut-off).
    Units the viewer may not see (comparison_units) are refused with a Chinese message.
    """
    period = parse_bulletin_period(period_key)
    if period.kind != "month":
        raise BulletinError("对比分析按月进行：请选择月份（如 2023-10）")
    codes = list(dict.fromkeys(codes))
    if not 1 <= len(codes) <= 4:
        raise BulletinError("请选择1至4个单位进行对比")
    config = config or load_bulletin_config()
    targets = targets if targets is not None else load_request_targets()
    data_start, as_of = data_range(db)
    reference = reference or as_of
    allowed = comparison_units(db, level, street, role)
    if level == "community":
        street = _role_street(role) or street
    unknown = [c for c in codes if c not in set(allowed["code"])]
    if unknown:
        raise BulletinError(f"无法对比：单位 {'、'.join(unknown)} 不存在或不在您的查看范围内")
    names = dict(zip(allowed["code"], allowed["name"], strict=True))
    units = unit_list(db, level, street)
    district_streets = unit_list(db, "street", None) if DISTRICT_CODE in codes else None
    steps, step = [], period
    for _ in range(months):
        if step.end < data_start or step.start > reference:
            break
        steps.append(step)
        step = step.previous()
    spans = [(p, cutoff_date(p, reference)) for p in steps]
    # every month in one statement (and the district's streets in one more at community level)
    all_counts = period_counts_long(db, spans, level, street, config, targets)
    if district_streets is not None and level != "street":
        whole_counts = period_counts_long(db, spans, "street", None, config, targets)
    else:
        whole_counts = all_counts
    columns = ["period", "code", "name", "received", "responded", "resolved", "on_time", "due", "rated", "satisfied",
               "dissatisfied", "returned_reopened", *MEASURES, "composite"]
    if not steps:
        return pd.DataFrame(columns=columns)
    keys, chosen = [p.key for p in steps], set(codes)
    shown = [c for c in units["code"] if c in chosen]
    grid = pd.DataFrame({"period": [key for key in keys for _ in shown], "code": shown * len(keys)}, dtype=object)
    frame = grid.merge(all_counts, on=["period", "code"], how="left")
    if district_streets is not None:  # the district: every street's counts added up, month by month
        whole = whole_counts.groupby("period")[list(COUNT_COLUMNS)].sum().reindex(keys)
        frame = pd.concat([frame, whole.rename_axis("period").reset_index().assign(code=DISTRICT_CODE)],
                          ignore_index=True)
    counts_columns = ["received", "responded", "resolved", "on_time", "due", "rated", "satisfied", "dissatisfied",
                      "returned_reopened"]
    frame[counts_columns] = frame[counts_columns].fillna(0).astype(int)
    frame = _with_rates(frame, config)
    frame["name"] = frame["code"].map(names)
    order = {c: i for i, c in enumerate(codes)}
    frame = frame.sort_values(["period", "code"], key=lambda s: s.map(order) if s.name == "code" else s)
    return frame[columns].reset_index(drop=True)


def month_comparison(trend: pd.DataFrame, code: str, period_key: str) -> pd.DataFrame:
    """One unit's month against the month before (环比) and the same month a year earlier (同比).

    Rows: this period, the previous month, the same month last year (each when the trend holds it),
    with a ``which`` column (current / previous / last_year).
    """
    period = parse_bulletin_period(period_key)
    keys = {"current": period.key, "previous": period.previous().key,
            "last_year": f"{period.year - 1:04d}-{period.number:02d}"}
    rows = trend[trend["code"] == code].set_index("period")
    out = [rows.loc[key].to_dict() | {"which": which, "period": key}
           for which, key in keys.items() if key in rows.index]
    return pd.DataFrame(out)


# --- command line ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.bulletin",
                                     description="生成民生诉求办理情况通报（XLSX 或可打印的 HTML）")
    parser.add_argument("--period", required=True, help="月份 2023-10 或 ISO 周 2023-W42")
    parser.add_argument("--level", default="street", choices=LEVELS, help="street（街道排名）或 community（社区排名）")
    parser.add_argument("--street", help="社区通报的街道代码，例如 440307014")
    parser.add_argument("--role", default=DISTRICT_ROLE, help="角色：district 或 street:<街道代码>")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    parser.add_argument("--url", help="数据库地址（默认 DATABASE_URL 或内置 SQLite）")
    parser.add_argument("--out", required=True, help="输出文件：.xlsx 或 .html")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".html", ".htm"):
        print("输出文件须以 .xlsx 或 .html 结尾", file=sys.stderr)
        return 2
    # the builders are pure (no Streamlit): components.bulletin_report needs only the text catalogue
    from components.bulletin_report import bulletin_html, bulletin_xlsx
    from data_access.loader import ensure_database

    db = Database(ensure_database(args.url))
    try:
        bulletin = build_bulletin(db, args.period, args.level, args.street, args.role)
    except BulletinError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        db.dispose()
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(bulletin_xlsx(bulletin, args.lang, generated_at=datetime.now()))
    else:
        out.write_text(bulletin_html(bulletin, args.lang, generated_at=datetime.now()), encoding="utf-8")
    ranked = int(bulletin.table["ranked"].sum())
    print(f"{out}: {bulletin.period.key} {args.level}，{len(bulletin.table)} 个单位（{ranked} 个参与排名），"
          f"截止 {bulletin.cutoff}，红榜 {len(bulletin.red)}，黑榜 {len(bulletin.black)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
