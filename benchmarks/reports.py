"""A month of reports for many branches: how long the reports of 20 branches × 10 drivers take.

    python -m benchmarks.reports --branches 20 --drivers 10 --days 30 --pdf-sample 5

Synthetic but shaped like a delivery day: each driver leaves the branch between 07:00 and 08:00, serves
10 stops 20–40 minutes apart (a report every minute on the way, 10–25 minutes at each stop with ARRIVED,
UNLOADING, DELIVERED/FAILED and DEPARTED events, some 荷待ち of 30–150 minutes, a lunch BREAK), and
drives back. Generating the days is timed apart from reporting them. Reporting, timed per step:

- the daily branch report of every day (with the day before as history for the multi-day rules);
- its CSV and the 運転日報 CSV;
- each branch's monthly summary (multi-day rules over the month) with its CSV and PDF;
- PDF of the daily report (summary + one 運転日報 per driver) for ``--pdf-sample`` days, extrapolated to
  every branch-day (the PDF is the slow part: about a second per document, mostly font handling).

Figures only: nothing is asserted. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import math
import random
import time
from collections.abc import Sequence

from server.jst import JST
from server.plans.records import Branch, Driver, Order, PlanRecord, RouteRecord, StopRecord, Vehicle
from server.reports.csv_format import daily_csv, diary_csv, monthly_csv
from server.reports.daily import branch_report, duty_of
from server.reports.diary import diaries
from server.reports.model import BranchDailyReport, DayActuals, VehicleDay
from server.reports.monthly import monthly_summary
from server.reports.pdf import daily_pdf, monthly_pdf
from server.tracking.model import EventType, FailureReason, Position, StopEvent

ORG = "ORG-BENCH"
M_PER_DEG = math.pi * 6_371_008.8 / 180


def _vehicle_day(rng: random.Random, branch: Branch, vid: str, did: str, date: datetime.date, plan_id: str,
                 orders: list[Order]) -> tuple[RouteRecord, tuple[Position, ...], tuple[StopEvent, ...]]:
    lat0, lon0 = branch.latitude, branch.longitude
    t = datetime.datetime.combine(date, datetime.time(7), tzinfo=JST) + datetime.timedelta(
        minutes=rng.randint(0, 60))
    start = t
    pos: list[Position] = []
    evs: list[StopEvent] = []
    here = (lat0, lon0)
    n = 0

    def at(p: tuple[float, float]) -> None:
        pos.append(Position(ORG, vid, vid, t.astimezone(datetime.UTC), p[0], p[1]))

    def event(kind: EventType, oid: str | None, **kw) -> None:
        nonlocal n
        n += 1
        key = f"{vid}-{date}-{n}"
        evs.append(StopEvent(ORG, plan_id, key, key, kind, vid, t, order_id=oid, driver_id=did,
                             latitude=here[0], longitude=here[1], **kw))

    def drive(to: tuple[float, float], minutes: int) -> None:
        nonlocal t, here
        a = here
        for k in range(1, minutes + 1):
            t += datetime.timedelta(minutes=1)
            f = k / minutes
            at((a[0] + (to[0] - a[0]) * f, a[1] + (to[1] - a[1]) * f))
        here = to

    def stay(minutes: int) -> None:
        nonlocal t
        for _ in range(minutes):
            t += datetime.timedelta(minutes=1)
            at(here)

    at(here)
    stay(10)
    stops = [StopRecord(0, "DEPOT", None, start, start, start, (0,))]
    for i, o in enumerate(orders, start=1):
        drive((o.latitude, o.longitude), rng.randint(20, 40))
        stops.append(StopRecord(i, "DELIVERY", o.id, t, t, t, (0,)))
        event(EventType.ARRIVED, o.id)
        if rng.random() < 0.08:
            event(EventType.WAITING_STARTED, o.id)
            stay(rng.randint(30, 150))
            event(EventType.WAITING_ENDED, o.id)
        event(EventType.UNLOADING_STARTED, o.id)
        stay(rng.randint(10, 25))
        event(EventType.UNLOADING_ENDED, o.id)
        if rng.random() < 0.05:
            event(EventType.FAILED, o.id, failure_reason=FailureReason.NOT_HOME)
        else:
            event(EventType.DELIVERED, o.id)
        event(EventType.DEPARTED, o.id)
        if i == len(orders) // 2:
            event(EventType.BREAK_STARTED, None)
            stay(45)
            event(EventType.BREAK_ENDED, None)
    drive((lat0, lon0), rng.randint(30, 60))
    stay(5)
    stops.append(StopRecord(len(stops), "DEPOT", None, t, t, t, (0,)))
    route = RouteRecord(f"R-{vid}", vid, did, start, t, rng.randint(60_000, 120_000), 0.0, tuple(stops))
    return route, tuple(pos), tuple(evs)


def month(branches: int, drivers: int, days: int, stops: int, seed: int) -> dict[str, list[DayActuals]]:
    rng = random.Random(seed)
    first = datetime.date(2026, 11, 1)
    out: dict[str, list[DayActuals]] = {}
    for b in range(branches):
        branch = Branch(id=f"BR-{b:02d}", organization_id=ORG, code=f"B{b:02d}", name=f"第{b + 1}営業所",
                        latitude=35.5 + 0.05 * b, longitude=139.5 + 0.03 * b)
        vehicles = [Vehicle(id=f"V-{b:02d}-{k:02d}", organization_id=ORG, branch_id=branch.id,
                            registration_number=f"練馬 100 あ {b:02d}{k:02d}", vehicle_class="2t",
                            payload_kg=2000) for k in range(drivers)]
        people = [Driver(id=f"D-{b:02d}-{k:02d}", organization_id=ORG, branch_id=branch.id,
                         employee_number=f"E{b:02d}{k:02d}", name=f"運転者 {b:02d}-{k:02d}")
                  for k in range(drivers)]
        out[branch.id] = []
        for d in range(days):
            date = first + datetime.timedelta(days=d)
            plan_id = f"P-{branch.id}-{date}"
            orders = {}
            vds = []
            routes = []
            for v, p in zip(vehicles, people, strict=True):
                own = []
                for s in range(stops):
                    r = 0.03 * math.sqrt(rng.random())
                    a = rng.uniform(0, 2 * math.pi)
                    o = Order(id=f"O-{v.id}-{d}-{s}", organization_id=ORG, branch_id=branch.id,
                              latitude=branch.latitude + r * math.sin(a),
                              longitude=branch.longitude + r * math.cos(a),
                              delivery_date=date, place_name=f"配送先 {s}", weight_kg=rng.uniform(5, 150))
                    orders[o.id] = o
                    own.append(o)
                route, pos, evs = _vehicle_day(rng, branch, v.id, p.id, date, plan_id, own)
                routes.append(route)
                vds.append(VehicleDay(v, p, route, pos, evs))
            now = datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time(6), tzinfo=JST)
            plan = PlanRecord(plan_id, ORG, branch.id, date, "DONE", 1, 1, None, now, now, tuple(routes), ())
            out[branch.id].append(DayActuals(ORG, branch, date, plan, orders, tuple(vds), drivers, now))
    return out


def _row(label: str, seconds: float, count: int, unit: str) -> str:
    per = seconds / count * 1000 if count else 0.0
    return f"{label:<44} {seconds:>9.2f} {count:>7} {unit:<10} {per:>9.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.reports")
    ap.add_argument("--branches", type=int, default=20)
    ap.add_argument("--drivers", type=int, default=10)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--stops", type=int, default=10)
    ap.add_argument("--pdf-sample", type=int, default=5, help="daily PDFs rendered (then extrapolated)")
    ap.add_argument("--seed", type=int, default=1)
    ns = ap.parse_args(argv)

    t0 = time.perf_counter()
    data = month(ns.branches, ns.drivers, ns.days, ns.stops, ns.seed)
    generated = time.perf_counter() - t0
    positions = sum(len(v.positions) for days in data.values() for d in days for v in d.vehicles)
    events = sum(len(v.events) for days in data.values() for d in days for v in d.vehicles)
    print(f"synthetic month: {ns.branches} branches × {ns.drivers} drivers × {ns.days} days, "
          f"{positions:,} positions, {events:,} stop events, generated in {generated:.1f} s")
    print(f"{'step':<44} {'seconds':>9} {'count':>7} {'of':<10} {'ms each':>9}")

    t = time.perf_counter()
    reports: dict[str, list[BranchDailyReport]] = {}
    for bid, days in data.items():
        history: dict = {}
        out = []
        for day in days:
            r = branch_report(day, history=history)
            for v in r.vehicles:
                duty = duty_of(v)
                if duty is not None and v.driver_id:
                    history.setdefault(v.driver_id, []).append(duty)
            out.append(r)
        reports[bid] = out
    daily = time.perf_counter() - t
    n_days = sum(len(x) for x in reports.values())
    print(_row("daily reports (with multi-day rules)", daily, n_days, "branch-days"))

    t = time.perf_counter()
    size = 0
    for rs in reports.values():
        for r in rs:
            size += len(daily_csv(r)) + len(diary_csv(diaries(r)))
    csv_s = time.perf_counter() - t
    print(_row("daily CSV + 運転日報 CSV", csv_s, n_days, "branch-days"))

    t = time.perf_counter()
    for rs in reports.values():
        summary = monthly_summary(rs, rs[0].date.replace(day=1))
        size += len(monthly_csv(summary)) + len(monthly_pdf(summary))
    monthly_s = time.perf_counter() - t
    print(_row("monthly summary + CSV + PDF", monthly_s, len(reports), "branches"))
    total = daily + csv_s + monthly_s
    print(_row("total (target ≤ 60 s)", total, n_days, "branch-days"))

    sample = [r for rs in reports.values() for r in rs][: ns.pdf_sample]
    if sample:
        t = time.perf_counter()
        pages = 0
        for r in sample:
            found = diaries(r)
            daily_pdf(r, found)
            pages += 1 + len(found)
        pdf_s = time.perf_counter() - t
        print(_row("daily PDF (summary + 運転日報), sample", pdf_s, len(sample), "documents"))
        print(f"{'  … extrapolated to every branch-day':<44} {pdf_s / len(sample) * n_days:>9.1f} "
              f"{n_days:>7} {'documents':<10} ({pages / len(sample):.0f} pages each)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
