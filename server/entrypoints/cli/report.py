"""``hakobu report daily | diary | monthly | rules``: reports of a branch as files, made in this process
from the database (the same use cases as ReportService)."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from types import ModuleType

from server import jst
from server.platform.files import write_atomically
from server.platform.settings import Settings


def add_parser(sub: argparse._SubParsersAction, settings: Settings, day_arg) -> None:
    rp = sub.add_parser("report", help="reports: daily branch report, 運転日報, monthly summary, rule checks")
    kinds = rp.add_subparsers(dest="report_command", required=True)
    for name, text in (("daily", "the daily branch report (PDF: with one 運転日報 per driver and page)"),
                       ("diary", "運転日報 of a day (every driver, or --driver)"),
                       ("monthly", "the monthly summary per driver"),
                       ("rules", "改善基準告示 checks of what really happened, over a range of days")):
        p = kinds.add_parser(name, help=text)
        p.add_argument("--branch", required=True, help="branch id, e.g. BR-NRM")
        p.add_argument("--org", default=settings.organization,
                       help="organization (default HAKOBU_ORGANIZATION)")
        p.add_argument("--url", default=None, help="PostgreSQL URL (default: DATABASE_URL, else embedded)")
        if name in ("daily", "diary"):
            p.add_argument("--date", required=True, type=day_arg, help="YYYY-MM-DD, today or tomorrow (JST)")
        if name == "diary":
            p.add_argument("--driver", default=None, help="driver id (default: every driver of the day)")
        if name == "monthly":
            p.add_argument("--month", required=True, type=_month_arg, help="YYYY-MM, or this / last")
        if name == "rules":
            p.add_argument("--from", dest="first", required=True, type=day_arg, help="first day (YYYY-MM-DD)")
            p.add_argument("--to", dest="last", required=True, type=day_arg, help="last day (YYYY-MM-DD)")
        else:
            p.add_argument("--format", choices=["csv", "pdf"], default="csv")
            p.add_argument("--encoding", choices=["utf-8", "shift_jis"], default="utf-8",
                           help="CSV: UTF-8 with a BOM (default) or Shift_JIS")
            p.add_argument("--output", type=Path, default=None,
                           help="file to write (default: the report's own name in the current folder)")


def _month_arg(text: str) -> datetime.date:
    today = jst.today_jst()
    if text == "this":
        return today.replace(day=1)
    if text == "last":
        return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    try:
        return datetime.date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM, this or last): {text!r}") from None


def run(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    from server.plans.errors import RepositoryError
    from server.reports import usecases
    from server.reports.files import daily_file, diary_file, monthly_file
    from server.reports.pdf import FontMissing

    now = datetime.datetime.now(jst.JST)
    url = str(ns.url) if ns.url else wiring.database_url(settings)
    db = wiring.Database(url)
    try:
        stores = wiring.report_stores(db)
        rules = wiring.report_rules(settings)
        cmd = ns.report_command
        if cmd == "rules":
            check = usecases.rule_check(stores, ns.org, ns.branch, ns.first, ns.last, now, rules)
            return _print_rules(check)
        if cmd == "daily":
            report = usecases.daily_report(stores, ns.org, ns.branch, ns.date, now, rules)
            f = daily_file(report, ns.format, ns.encoding)
            if report.provisional:
                running = ", ".join(report.running_routes) or "none"
                print(f"途中経過 / provisional: {ns.date} is not over (running: {running})", flush=True)
        elif cmd == "diary":
            found = usecases.driver_diary(stores, ns.org, ns.branch, ns.date, ns.driver, now, rules)
            f = diary_file(found, ns.branch, ns.format, ns.encoding)
        else:
            f = monthly_file(usecases.monthly_report(stores, ns.org, ns.branch, ns.month, now, rules),
                             ns.format, ns.encoding)
        out = ns.output or Path(f.filename)
        write_atomically(out, f.data)
    except (RepositoryError, FontMissing, ValueError) as exc:
        print(f"hakobu report: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"hakobu report: 書き込めません / cannot write {exc.filename or ''}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"{f.filename}: {len(f.data)} bytes written to {out}", flush=True)
    return 0


def _print_rules(check) -> int:
    print(f"{check.branch_id} {check.first}..{check.last}: {check.days_reported} days reported", flush=True)
    for day, vehicle, driver, x in check.daily:
        print(f"  {day} {vehicle} {driver or '-'} {x.code.value}: {x.message_ja}", flush=True)
    for x in check.multi_day:
        print(f"  {x.day} {x.driver_id} {x.code.value} [{x.severity.value}]: {x.message_ja}", flush=True)
    if not check.daily and not check.multi_day:
        print("  違反はありません / no rule broken", flush=True)
    return 0
