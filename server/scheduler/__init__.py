"""``hakobu scheduler``: batch jobs (the nightly re-planning first) on cron expressions in Japan time.

``config`` reads the schedule, ``loop`` runs it (clock, runner and run state are ports), ``runner`` holds
the jobs. The names below are the package's public surface.
"""

from server.scheduler.config import (
    ALL_ORGANIZATIONS,
    DEFAULT_ORGANIZATION,
    DEFAULT_SCHEDULE_TOML,
    Job,
    ReplanAction,
    RetentionAction,
    Schedule,
    ScheduleConfigError,
    cron_error,
    describe_schedule,
    latest_run,
    load_schedule,
    next_runs,
    parse_schedule,
    resolve_day,
)
from server.scheduler.loop import (
    MAX_NAP_SECONDS,
    RETRY_SECONDS,
    Clock,
    JobResult,
    JobRunner,
    LastRun,
    MemoryRunState,
    RunState,
    Scheduler,
    SystemClock,
    stop_on_signals,
)

__all__ = [
    "ALL_ORGANIZATIONS", "DEFAULT_ORGANIZATION", "DEFAULT_SCHEDULE_TOML", "MAX_NAP_SECONDS", "RETRY_SECONDS",
    "Clock", "Job", "JobResult", "JobRunner", "LastRun", "MemoryRunState", "ReplanAction",
    "RetentionAction", "RunState",
    "Schedule", "ScheduleConfigError", "Scheduler", "SystemClock", "cron_error", "describe_schedule",
    "latest_run", "load_schedule", "next_runs", "parse_schedule", "resolve_day", "stop_on_signals",
]
