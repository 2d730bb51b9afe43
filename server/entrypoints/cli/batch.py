"""``hakobu db``, ``hakobu replan`` and ``hakobu scheduler``: the store and the nightly batch."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import sys
import threading
from types import ModuleType

from server import jst
from server.platform.settings import Settings


def _url(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> str:

    return str(ns.url) if ns.url else wiring.database_url(settings)


def db(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    from server.adapters.postgres.migrate import migrate

    if ns.db_command == "settings":
        return planning_settings(settings, wiring, ns)
    if ns.db_command in ("backup", "restore"):
        return backup_or_restore(settings, wiring, ns)
    url = _url(settings, wiring, ns)
    applied = migrate(url)
    print(f"migrations applied: {', '.join(applied)}" if applied else "schema up to date", flush=True)
    if ns.db_command == "seed":
        from server.adapters.postgres.seed import seed

        added = seed(url)
        print("seed: " + ", ".join(f"{table} +{n}" for table, n in added.items()), flush=True)
    return 0


def backup_or_restore(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    """``hakobu db backup FILE`` / ``hakobu db restore FILE``."""
    from server.adapters.postgres import backup

    url = _url(settings, wiring, ns)
    try:
        if ns.db_command == "backup":
            tool = backup.backup(url, ns.file)
            print(f"backup written to {ns.file} ({ns.file.stat().st_size} bytes, {tool})", flush=True)
        else:
            tool = backup.restore(url, ns.file)
            print(f"restored {ns.file} ({tool})", flush=True)
    except backup.BackupError as exc:
        print(f"hakobu db {ns.db_command}: {exc}", file=sys.stderr)
        return 1
    return 0


def planning_settings(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    """``hakobu db settings``: store NAME=VALUE at one level, then print that level and what applies."""
    from server.adapters.postgres.master_data import set_planning_settings, stored_level
    from server.plans.errors import InvalidArgumentError
    from server.plans.planning import FIELDS, parse_value

    try:
        changes = {}
        for item in ns.values:
            name, sep, raw = item.partition("=")
            if not sep or name not in FIELDS:
                known = ", ".join(FIELDS)
                raise InvalidArgumentError(f"{item!r}: expected NAME=VALUE with NAME one of {known}")
            changes[name] = parse_value(name, raw)
        with wiring.open_batch(settings, ns.url) as batch:
            where = {"branch_id": ns.branch, "vehicle_id": ns.vehicle}
            level = stored_level(batch.database, ns.org, **where)
            if changes:
                level = {k: v for k, v in {**level, **changes}.items() if v is not None}
                set_planning_settings(batch.database, ns.org, level, **where)
            name = (f"vehicle {ns.vehicle}" if ns.vehicle else f"branch {ns.branch}" if ns.branch
                    else "organization")
            stored = ", ".join(f"{k}={v}" for k, v in level.items()) or "nothing"
            print(f"# {ns.org} {name}: stored {stored}")
            if ns.branch:
                day = batch.stores.master.planning_levels(ns.org, ns.branch).for_branch()
                print("# applies to the branch's day (defaults filled in):")
                for field in FIELDS:
                    print(f"{field} = {getattr(day, field)}")
    except (InvalidArgumentError, ValueError) as exc:
        print(f"hakobu db settings: {exc}", file=sys.stderr)
        return 2
    return 0


def replan(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    from optimizer.solve import SolveOptions
    from server.plans.optimize import replan_all

    try:
        opts = SolveOptions(time_limit=ns.time_limit, seed=ns.seed)
        road = ns.travel == "road"
        with wiring.open_batch(settings, ns.url, road=road, optimizer=ns.optimizer) as batch:
            orgs = [ns.org] if ns.org else batch.stores.master.organizations()
            failed = 0
            for org in orgs:
                summaries = replan_all(
                    batch.stores, org, ns.date, ns.branch, ns.force, ns.concurrency, opts, travel=ns.travel,
                    solver=batch.solver, road=batch.road,
                )
                for s in summaries:
                    print(f"[{org}] {s.line()}", flush=True)
                    failed += s.outcome == "failed"
    except ValueError as exc:
        print(f"hakobu replan: {exc}", file=sys.stderr)
        return 2
    return 1 if failed else 0


def scheduler(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    from server import scheduler as sch

    try:
        schedule = sch.load_schedule(ns.config or settings.schedule, settings.organization)
    except sch.ScheduleConfigError as exc:
        print(f"hakobu scheduler: {exc}", file=sys.stderr)
        return 2
    if ns.job:
        unknown = sorted(set(ns.job) - {job.name for job in schedule.jobs})
        if unknown:
            names = ", ".join(job.name for job in schedule.jobs)
            print(f"hakobu scheduler: スケジュールにないジョブです / no such job: {', '.join(unknown)} "
                  f"(jobs: {names})", file=sys.stderr)
            return 2
        schedule = dataclasses.replace(schedule, jobs=tuple(j for j in schedule.jobs if j.name in ns.job))
    if ns.list:
        for line in sch.describe_schedule(schedule, datetime.datetime.now(jst.JST)):
            print(line, flush=True)
        return 0
    from server.adapters.postgres.run_state import PostgresRunState
    from server.scheduler.runner import JobRunners, ReplanRunner

    road = any(job.action.travel == "road" for job in schedule.jobs)
    stop = threading.Event()
    with wiring.open_batch(settings, ns.url, road=road) as batch, sch.stop_on_signals(stop):
        runner = JobRunners(ReplanRunner(batch.stores, batch.road), wiring.retention_runner(batch, settings),
                            wiring.reports_runner(batch, settings))
        if ns.once:
            once = sch.Scheduler(schedule, runner, sch.MemoryRunState(), stop=stop)
            results = once.run_once()
            for job, r in results:
                print(f"{job.name}: {'成功 / ok' if r.ok else '失敗 / failed'} — {r.message}", flush=True)
            return 0 if results and all(r.ok for _, r in results) else 1
        state = PostgresRunState(batch.database)
        try:
            state.check()
        except RuntimeError as exc:
            print(f"hakobu scheduler: {exc}", file=sys.stderr)
            return 2
        sch.Scheduler(schedule, runner, state, stop=stop).run_forever()
    return 0
