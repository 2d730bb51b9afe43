"""Driving-time rules a vehicle's day must respect (改善基準告示, trucks, 2024).

All durations are integer seconds. A rule set with ``enabled=False`` is kept
on the vehicle but neither plans breaks nor is checked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DrivingRules:
    #: Longest driving stretch (連続運転時間) before breaks are due.
    max_continuous_driving: int = 4 * 3600
    #: Break time (in parts of at least ``break_min_part``) that ends a driving stretch.
    break_total: int = 30 * 60
    #: Shortest break that counts toward ``break_total``; shorter pauses do not count.
    break_min_part: int = 10 * 60
    #: Daily restraint 拘束時間 (route end minus route start, breaks and waiting included).
    max_restraint: int = 13 * 3600
    #: Absolute ceiling of the daily restraint; ``max_restraint`` may not exceed it.
    hard_max_restraint: int = 15 * 3600
    #: Total driving per route (e.g. 9 h); ``None`` = not limited.
    max_daily_driving: int | None = None
    enabled: bool = True
    #: Count a wait of at least ``break_total`` for a time window (after some driving) as the break.
    #: Off by default: waiting (手待ち, 荷待ち) is working time, and since 2024 a pause in driving should
    #: be a real break; on is the older reading (it costs no time, so plans get shorter).
    wait_counts_as_break: bool = False


#: The 2024 truck rules with their default numbers (4 h / 30 min / 10 min / 13 h / 15 h).
JAPAN_2024 = DrivingRules()
