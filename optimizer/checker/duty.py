"""The driving-time rules (改善基準告示, trucks, 2024) that span several days of one driver.

A single day's rules (continuous driving 4 h / 30 min in parts of ≥ 10 min, the day's restraint, total
driving) are :func:`optimizer.checker.driving.driving_violations`; this module takes a driver's duties
(one per working day: when work started and ended, how long he drove) and checks what needs several:

- daily restraint in the 24-hour window from the start of work (an early start the next day counts
  toward both days), at most ``hard_max_restraint``; more than ``long_restraint`` at most
  ``long_restraint_per_week`` times a calendar week (Monday to Sunday);
- rest between shifts 休息期間: never under ``min_rest`` (a violation), aim for ``target_rest``
  (reported as advisory);
- driving: the 2-day average over ``max_two_day_driving`` is broken only when the averages with the day
  before *and* with the day after both exceed it; the 2-week total over ``max_two_week_driving`` in fixed
  two-week periods counted from ``period_anchor``;
- restraint per calendar month (``max_monthly_restraint``; with a labour agreement
  ``agreed_monthly_restraint``, over the normal figure at most 6 months a fiscal year and 3 in a row)
  and per fiscal year from April (``max_yearly_restraint`` / ``agreed_yearly_restraint``).

All durations are integer seconds and every limit is inclusive (exactly the limit is allowed).
"""

from __future__ import annotations

import datetime
import enum
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.checker.messages import hm

H = 3600


@dataclass(frozen=True, slots=True)
class DutyRules:
    hard_max_restraint: int = 15 * H
    long_restraint: int = 14 * H
    long_restraint_per_week: int = 2
    max_restraint: int = 13 * H
    min_rest: int = 9 * H
    target_rest: int = 11 * H
    max_two_day_driving: int = 9 * H
    max_two_week_driving: int = 88 * H
    period_anchor: datetime.date = datetime.date(2024, 4, 1)
    max_monthly_restraint: int = 284 * H
    agreed_monthly_restraint: int = 310 * H
    max_yearly_restraint: int = 3300 * H
    agreed_yearly_restraint: int = 3400 * H
    #: A labour agreement (労使協定) raising the monthly and yearly restraint.
    agreement: bool = False


JAPAN_2024_DUTY = DutyRules()


class DutyCode(enum.Enum):
    RESTRAINT_24H = "RESTRAINT_24H"
    LONG_RESTRAINT_TOO_OFTEN = "LONG_RESTRAINT_TOO_OFTEN"
    REST_BETWEEN_SHIFTS = "REST_BETWEEN_SHIFTS"
    REST_BELOW_TARGET = "REST_BELOW_TARGET"
    TWO_DAY_DRIVING = "TWO_DAY_DRIVING"
    TWO_WEEK_DRIVING = "TWO_WEEK_DRIVING"
    MONTHLY_RESTRAINT = "MONTHLY_RESTRAINT"
    YEARLY_RESTRAINT = "YEARLY_RESTRAINT"


class Severity(enum.Enum):
    VIOLATION = "VIOLATION"
    ADVISORY = "ADVISORY"


@dataclass(frozen=True, slots=True)
class Duty:
    """One working day of a driver: start and end of work (aware datetimes) and seconds driven."""

    start: datetime.datetime
    end: datetime.datetime
    driving: int

    @property
    def day(self) -> datetime.date:
        return self.start.date()

    @property
    def restraint(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True, slots=True)
class DutyViolation:
    code: DutyCode
    message: str
    message_ja: str
    driver_id: str
    #: The day (or first day of the week, period, month or fiscal year) the figure belongs to.
    day: datetime.date
    amount: int
    limit: int
    severity: Severity = Severity.VIOLATION


def restraint_24h(duties: Sequence[Duty]) -> list[int]:
    """Each duty's restraint in the 24 hours from its start: its own span plus the part of the next
    duty that starts before those 24 hours are over. ``duties`` oldest first."""
    out = []
    for i, d in enumerate(duties):
        total = d.restraint
        if i + 1 < len(duties):
            nxt = duties[i + 1]
            window_end = d.start + datetime.timedelta(hours=24)
            overlap = (min(nxt.end, window_end) - nxt.start).total_seconds()
            total += max(0, int(overlap))
        out.append(total)
    return out


def fiscal_year(day: datetime.date) -> int:
    """The Japanese fiscal year (from April) a day belongs to, by its starting calendar year."""
    return day.year if day.month >= 4 else day.year - 1


def duty_violations(
    driver_id: str,
    duties: Sequence[Duty],
    rules: DutyRules = JAPAN_2024_DUTY,
    *,
    known_until: datetime.date | None = None,
) -> list[DutyViolation]:
    """Every multi-day rule broken by a driver's ``duties`` (oldest first, one per day at most).

    Days after ``known_until`` (default: the last duty's day) are not known yet, so the 2-day average
    of the last known day is not judged. Days without a duty count as no driving and no restraint.
    """
    duties = sorted(duties, key=lambda d: d.start)
    if not duties:
        return []
    last_known = known_until or duties[-1].day
    out: list[DutyViolation] = []
    v = _Collector(driver_id, out)
    _restraint_rules(v, duties, rules)
    _rest_rules(v, duties, rules)
    _driving_rules(v, duties, rules, last_known)
    _long_period_rules(v, duties, rules)
    return out


class _Collector:
    def __init__(self, driver_id: str, out: list[DutyViolation]) -> None:
        self.driver_id = driver_id
        self.out = out

    def add(self, code: DutyCode, en: str, ja: str, day: datetime.date, amount: int, limit: int,
            severity: Severity = Severity.VIOLATION) -> None:
        who, who_ja = f"driver {self.driver_id}", f"運転者 {self.driver_id}"
        self.out.append(DutyViolation(code, f"{who}: {en}", f"{who_ja}: {ja}", self.driver_id, day, amount,
                                      limit, severity))


def _restraint_rules(v: _Collector, duties: Sequence[Duty], rules: DutyRules) -> None:
    windows = restraint_24h(duties)
    long_per_week: dict[datetime.date, int] = defaultdict(int)
    for d, total in zip(duties, windows, strict=True):
        # Over the normal limit only because of the next day's early start (its own day is the
        # single-day rule's, checked on the day's timeline).
        over_hard = total > rules.hard_max_restraint
        if total > rules.max_restraint and (over_hard or d.restraint <= rules.max_restraint):
            limit = rules.hard_max_restraint if total > rules.hard_max_restraint else rules.max_restraint
            v.add(DutyCode.RESTRAINT_24H,
                  f"restraint {hm(total)} in the 24 hours from {d.start:%H:%M} on {d.day} "
                  f"(the next start counts), over {hm(limit)}",
                  f"{d.day} {d.start:%H:%M} からの24時間の拘束時間 {hm(total)}(翌日の始業を含む)が"
                  f"上限 {hm(limit)} を超えています",
                  d.day, total, limit)
        if total > rules.long_restraint:
            week = d.day - datetime.timedelta(days=d.day.weekday())
            long_per_week[week] += 1
            if long_per_week[week] > rules.long_restraint_per_week:
                n = long_per_week[week]
                v.add(DutyCode.LONG_RESTRAINT_TOO_OFTEN,
                      f"restraint over {hm(rules.long_restraint)} for the {n}th time in the week of {week} "
                      f"(at most {rules.long_restraint_per_week})",
                      f"{week} の週に拘束時間 {hm(rules.long_restraint)} 超が {n} 回目です"
                      f"(週 {rules.long_restraint_per_week} 回まで)",
                      d.day, n, rules.long_restraint_per_week)


def _rest_rules(v: _Collector, duties: Sequence[Duty], rules: DutyRules) -> None:
    for a, b in itertools.pairwise(duties):
        rest = int((b.start - a.end).total_seconds())
        if rest < rules.min_rest:
            v.add(DutyCode.REST_BETWEEN_SHIFTS,
                  f"rest {hm(rest)} between {a.end:%m-%d %H:%M} and {b.start:%m-%d %H:%M}, under the minimum "
                  f"{hm(rules.min_rest)}",
                  f"{a.end:%m/%d %H:%M} から {b.start:%m/%d %H:%M} までの休息期間 {hm(rest)} が"
                  f"最低 {hm(rules.min_rest)} を下回っています",
                  a.day, rest, rules.min_rest)
        elif rest < rules.target_rest:
            v.add(DutyCode.REST_BELOW_TARGET,
                  f"rest {hm(rest)} after {a.day}, under the target {hm(rules.target_rest)}",
                  f"{a.day} の終業後の休息期間 {hm(rest)} が基本の {hm(rules.target_rest)} に満たません",
                  a.day, rest, rules.target_rest, Severity.ADVISORY)


def _driving_rules(
    v: _Collector, duties: Sequence[Duty], rules: DutyRules, last_known: datetime.date
) -> None:
    by_day: dict[datetime.date, int] = defaultdict(int)
    for d in duties:
        by_day[d.day] += d.driving
    one = datetime.timedelta(days=1)
    lim = rules.max_two_day_driving
    for day in sorted(by_day):
        if day + one > last_known:
            continue
        before = (by_day.get(day - one, 0) + by_day[day]) / 2
        after = (by_day[day] + by_day.get(day + one, 0)) / 2
        if before > lim and after > lim:
            v.add(DutyCode.TWO_DAY_DRIVING,
                  f"driving on {day} averages {hm(int(before))} with the day before and "
                  f"{hm(int(after))} with the day after, both over {hm(lim)}",
                  f"{day} の運転時間は前日との平均 {hm(int(before))}、翌日との平均 {hm(int(after))} で、"
                  f"いずれも {hm(lim)} を超えています",
                  day, int(min(before, after)), lim)
    periods: dict[datetime.date, int] = defaultdict(int)
    for day, secs in by_day.items():
        k = (day - rules.period_anchor).days // 14
        periods[rules.period_anchor + datetime.timedelta(days=14 * k)] += secs
    for first, total in sorted(periods.items()):
        if total > rules.max_two_week_driving:
            last = first + datetime.timedelta(days=13)
            v.add(DutyCode.TWO_WEEK_DRIVING,
                  f"driving {hm(total)} from {first} to {last}, over {hm(rules.max_two_week_driving)} "
                  f"(44 h a week on average)",
                  f"{first}〜{last} の2週間の運転時間 {hm(total)} が {hm(rules.max_two_week_driving)}"
                  f"(1週平均44時間)を超えています",
                  first, total, rules.max_two_week_driving)


def _long_period_rules(v: _Collector, duties: Sequence[Duty], rules: DutyRules) -> None:
    months: dict[datetime.date, int] = defaultdict(int)
    years: dict[int, int] = defaultdict(int)
    for d in duties:
        months[d.day.replace(day=1)] += d.restraint
        years[fiscal_year(d.day)] += d.restraint
    month_limit = rules.agreed_monthly_restraint if rules.agreement else rules.max_monthly_restraint
    over_in_year: dict[int, int] = defaultdict(int)
    run = 0
    prev: datetime.date | None = None
    for month, total in sorted(months.items()):
        index = month.year * 12 + month.month
        consecutive = prev is not None and index - (prev.year * 12 + prev.month) == 1
        prev = month
        run = run + 1 if consecutive and total > rules.max_monthly_restraint else int(
            total > rules.max_monthly_restraint)
        if total > month_limit:
            v.add(DutyCode.MONTHLY_RESTRAINT,
                  f"restraint {hm(total)} in {month:%Y-%m}, over {hm(month_limit)}",
                  f"{month:%Y年%m月} の拘束時間 {hm(total)} が上限 {hm(month_limit)} を超えています",
                  month, total, month_limit)
            continue
        if not rules.agreement or total <= rules.max_monthly_restraint:
            continue
        fy = fiscal_year(month)
        over_in_year[fy] += 1
        if over_in_year[fy] > 6 or run > 3:
            why_en = "more than 6 months this fiscal year" if over_in_year[fy] > 6 else "more than 3 in a row"
            why_ja = "年度内で6か月を超えています" if over_in_year[fy] > 6 else "3か月を超えて連続しています"
            v.add(DutyCode.MONTHLY_RESTRAINT,
                  f"restraint {hm(total)} in {month:%Y-%m} is over {hm(rules.max_monthly_restraint)} "
                  f"{why_en}",
                  f"{month:%Y年%m月} の拘束時間 {hm(total)} が {hm(rules.max_monthly_restraint)} 超で、"
                  f"{why_ja}",
                  month, total, rules.max_monthly_restraint)
    year_limit = rules.agreed_yearly_restraint if rules.agreement else rules.max_yearly_restraint
    for fy, total in sorted(years.items()):
        if total > year_limit:
            v.add(DutyCode.YEARLY_RESTRAINT,
                  f"restraint {hm(total)} in fiscal year {fy}, over {hm(year_limit)}",
                  f"{fy}年度の拘束時間 {hm(total)} が上限 {hm(year_limit)} を超えています",
                  datetime.date(fy, 4, 1), total, year_limit)
