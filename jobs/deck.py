"""Meeting decks (汇报材料) from the command line: a show, or a month's bulletin, as an editable .pptx.

    python -m jobs.deck --show default --out deck.pptx [--lang en] [--theme dark|light] [--role street:<code>]
    python -m jobs.deck --bulletin 2023-10 --out bulletin.pptx [--lang en] [--theme light] [--role street:<code>]
    python -m jobs.deck --scope district|<street or community code> [--period all|2023|2023-Q3] --out f.pptx

Built by :mod:`components.deck` from the same queries as the show's slides and the bulletin page; a
street role's deck shows only its street, as the show does. ``--bulletin latest`` takes the latest
complete month of the data. ``--scope`` builds the overview's deck (the printable briefing as slides,
:mod:`components.scope_deck`) for a place and one of the sidebar's periods.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from components import deck, playlist, scope_deck
from components.formatting import period_label, place_label
from components.i18n import text
from data_access import bulletin
from data_access.database import Database
from data_access.geography import communities, data_range, streets
from data_access.scope import DISTRICT_ROLE, STREET_ROLE_PREFIX, parse_period


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.deck", description="导出可编辑的 PowerPoint 汇报材料")
    parser.add_argument("--url", help="数据库地址（默认 DATABASE_URL，否则内置 SQLite 文件）")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--show", help="演示名称，例如 default")
    what.add_argument("--bulletin", help="通报月份，例如 2023-10；latest 为最近一个完整月份")
    what.add_argument("--scope", help="总览汇报材料的范围：district、街道代码或社区代码")
    parser.add_argument("--period", default="all",
                        help="总览汇报材料的时段：all、年份（2023）或季度（2023-Q3），默认 all")
    parser.add_argument("--out", required=True, help="输出文件（.pptx）")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言（默认 zh）")
    parser.add_argument("--theme", choices=("dark", "light"), default=None,
                        help="配色（演示默认 dark，通报默认 light）")
    parser.add_argument("--role", default=DISTRICT_ROLE, help="角色：district 或 street:<街道代码>")
    args = parser.parse_args(argv)
    if args.role != DISTRICT_ROLE and not args.role.startswith(STREET_ROLE_PREFIX):
        print(f"jobs.deck：角色“{args.role}”无效：请用 district 或 street:<街道代码>", file=sys.stderr)
        return 2
    try:
        from data_access.loader import ensure_database

        db = Database(ensure_database(args.url))
        start, reference = data_range(db)
        if args.show:
            show = playlist.load_show(args.show)
            if show is None:
                names = "、".join(playlist.show_names())
                print(f"jobs.deck：找不到演示“{args.show}”（可用：{names}）", file=sys.stderr)
                return 2
            data = deck.build_show_deck(show, deck.direct(db), start=start, reference=reference, role=args.role,
                                        lang=args.lang, theme=args.theme or "dark")
            what_ = f"{len(show.slides)} 张幻灯片"
        elif args.scope:
            period = parse_period(args.period, start, reference)
            if period is None:
                print(f"jobs.deck：{_period_message(args.period)}", file=sys.stderr)
                return 2
            street_rows, community_rows = streets(db), communities(db)
            scope = scope_deck.scope_for(args.scope, period, street_rows, community_rows, args.role)
            if scope is None:
                print(f"jobs.deck：{text('deck.scope.bad_scope', value=args.scope)}", file=sys.stderr)
                return 2
            data = scope_deck.build_scope_deck(deck.direct(db), scope, start=start, reference=reference,
                                               lang=args.lang, theme=args.theme or "light")
            what_ = (f"{place_label(scope, street_rows, community_rows, args.lang)} "
                     f"{period_label(period, args.lang)} 汇报材料")
        else:
            key = deck.latest_complete_month(reference) if args.bulletin == "latest" else args.bulletin
            b = bulletin.build_bulletin(db, key, "street", None, args.role)
            data = deck.build_bulletin_deck(b, args.lang, args.theme or "light")
            what_ = f"{key} 通报"
        Path(args.out).write_bytes(data)
    except playlist.PlaylistError as exc:
        print(f"jobs.deck：演示文件有误：{exc.message()}", file=sys.stderr)
        return 2
    except bulletin.BulletinError as exc:
        print(f"jobs.deck：{exc}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, OSError, LookupError) as exc:
        print(f"jobs.deck 失败：{exc}", file=sys.stderr)
        return 1
    print(f"已导出 {args.out}（{what_}，{len(data) // 1024} KB）")
    return 0


def _period_message(value: str) -> str:
    """Why a period is refused; a month (the bulletin's unit) is pointed to the quarter it falls in."""
    message = text("deck.scope.bad_period", value=value)
    month = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if month and 1 <= int(month[2]) <= 12:
        message += text("deck.scope.month_hint", month=value, quarter=f"{month[1]}-Q{(int(month[2]) - 1) // 3 + 1}")
    return message


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
