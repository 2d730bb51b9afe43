"""The multi-day driving-time rules over weeks of synthetic duties, at the exact legal boundaries."""

from __future__ import annotations

import datetime

from optimizer.checker.duty import (
    Duty,
    DutyCode,
    DutyRules,
    Severity,
    duty_violations,
    fiscal_year,
    restraint_24h,
)

JST = datetime.timezone(datetime.timedelta(hours=9))
H = 3600
MON = datetime.date(2026, 10, 26)  # a Monday, and the first day of a two-week period from 2024-04-01


def day(n: int) -> datetime.date:
    return MON + datetime.timedelta(days=n)


def duty(n: int, start_h: float, hours: float, driving: float, start_s: int = 0, end_s: int = 0) -> Duty:
    start = datetime.datetime.combine(day(n), datetime.time(0), tzinfo=JST) + datetime.timedelta(
        hours=start_h, seconds=start_s)
    return Duty(start, start + datetime.timedelta(hours=hours, seconds=end_s - start_s), int(driving * H))


def codes(vs, severity=Severity.VIOLATION):
    return [(v.code, v.day, v.amount, v.limit) for v in vs if v.severity is severity]


def two_weeks(driving: float = 8.0) -> list[Duty]:
    """Mon–Fri 08:00–18:00 (10 h) for two weeks: 10 duties, rest 14 h, weekends off."""
    return [duty(n, 8, 10, driving) for n in range(14) if day(n).weekday() < 5]


def test_a_regular_fortnight_breaks_nothing():
    assert duty_violations("D-1", two_weeks()) == []


def test_two_week_driving_at_and_over_88_hours():
    """Ten days of 8 h 48 min = 88 h exactly is allowed; one second more is not."""
    ds = two_weeks(8.8)
    assert sum(d.driving for d in ds) == 88 * H
    assert codes(duty_violations("D-1", ds)) == []
    ds[-1] = Duty(ds[-1].start, ds[-1].end, ds[-1].driving + 1)
    assert codes(duty_violations("D-1", ds)) == [(DutyCode.TWO_WEEK_DRIVING, MON, 88 * H + 1, 88 * H)]


def test_two_week_periods_are_fixed_from_the_anchor():
    """96 h in ten working days from a Wednesday: over 88 h in fourteen days, but the fixed periods
    hold 28 h 48 min and 67 h 12 min."""
    ds = [duty(n, 8, 10, 9.6) for n in range(9, 23) if day(n).weekday() < 5]
    assert sum(d.driving for d in ds) == 96 * H
    assert DutyCode.TWO_WEEK_DRIVING not in [v.code for v in duty_violations("D-1", ds)]


def test_two_day_average_needs_both_sides_over_9_hours():
    """10 h on Tuesday with 8 h either side: both averages 9 h, allowed. 8 h + 1 s before and after: both
    over, broken; only one side over: allowed."""
    def week(before: int, mid: int, after: int) -> list[Duty]:
        return [Duty(d.start, d.end, x) for d, x in zip(
            [duty(0, 6, 12, 0), duty(1, 6, 12, 0), duty(2, 6, 12, 0)], [before, mid, after], strict=True)]

    assert codes(duty_violations("D-1", week(8 * H, 10 * H, 8 * H))) == []
    assert codes(duty_violations("D-1", week(8 * H + 2, 10 * H, 8 * H + 2))) == [
        (DutyCode.TWO_DAY_DRIVING, day(1), 9 * H + 1, 9 * H),
    ]
    assert codes(duty_violations("D-1", week(8 * H + 2, 10 * H, 8 * H))) == []
    assert codes(duty_violations("D-1", week(7 * H, 11 * H, 11 * H))) == [
        (DutyCode.TWO_DAY_DRIVING, day(2), 11 * H // 2, 9 * H)  # Wed: with Tue 11 h, with Thu (off) 5.5 h
    ][:0]


def test_the_last_known_day_is_not_judged_on_the_2_day_average():
    """10 h a day: Tuesday is judged (Monday and Wednesday known), Wednesday only once Thursday is."""
    ds = [duty(n, 6, 12, 10) for n in range(3)]

    def judged(duties, **kw):
        return [v.day for v in duty_violations("D-1", duties, **kw) if v.code is DutyCode.TWO_DAY_DRIVING]

    assert judged(ds) == [day(1)]
    assert judged([*ds, duty(3, 6, 12, 10)]) == [day(1), day(2)]
    assert judged(ds, known_until=day(3)) == [day(1)]  # Thursday off: Wednesday averages 5 h with it


def test_rest_between_shifts_at_9_and_11_hours():
    """Exactly 9 h of rest is the minimum (advisory under 11 h); 1 s less is a violation."""
    first = duty(0, 6, 15, 5)  # ends 21:00 (15 h: the single-day rule's business, not this one's)
    ok = duty(1, 6, 10, 5)  # 06:00: 9 h
    assert codes(duty_violations("D-1", [first, ok])) == []
    assert codes(duty_violations("D-1", [first, ok]), Severity.ADVISORY) == [
        (DutyCode.REST_BELOW_TARGET, day(0), 9 * H, 11 * H),
    ]
    early = duty(1, 6, 10, 5, start_s=-1)
    found = codes(duty_violations("D-1", [first, early]))
    assert (DutyCode.REST_BETWEEN_SHIFTS, day(0), 9 * H - 1, 9 * H) in found
    assert (DutyCode.RESTRAINT_24H, day(0), 15 * H + 1, 15 * H) in found  # the second now counts too
    eleven = duty(1, 8, 10, 5)
    assert [v.code for v in duty_violations("D-1", [first, eleven])] == []


def test_next_days_early_start_counts_toward_the_day():
    """Mon 08:00–20:00 (12 h), Tue from 07:00: the hour 07:00–08:00 is also Monday's (13 h, allowed);
    from 06:59:59 Monday has 13 h 1 s."""
    mon = duty(0, 8, 12, 6)
    assert restraint_24h([mon, duty(1, 7, 3, 1)]) == [13 * H, 3 * H]
    assert codes(duty_violations("D-1", [mon, duty(1, 7, 10, 1)])) == []
    tue = duty(1, 7, 10, 1, start_s=-1)
    found = codes(duty_violations("D-1", [mon, tue]))
    assert (DutyCode.RESTRAINT_24H, day(0), 13 * H + 1, 13 * H) in found


def test_15_hours_is_the_ceiling_and_14_hours_at_most_twice_a_week():
    """Restraint of 14 h + 1 s on Mon, Tue, Thu: the third in the week breaks the rule; the next week
    starts counting again. 15 h exactly is allowed by the ceiling, 15 h + 1 s is not."""
    long = [duty(n, 5, 14, 6, end_s=1) for n in (0, 1, 3, 7)]
    found = codes(duty_violations("D-1", long))
    assert [(c, d, a) for c, d, a, _ in found if c is DutyCode.LONG_RESTRAINT_TOO_OFTEN] == [
        (DutyCode.LONG_RESTRAINT_TOO_OFTEN, day(3), 3),
    ]
    assert codes(duty_violations("D-1", [duty(0, 5, 14, 6)])) == []
    assert [v.code for v in duty_violations("D-1", [duty(0, 5, 15, 6)])] == []
    assert codes(duty_violations("D-1", [duty(0, 5, 15, 6, end_s=1)])) == [
        (DutyCode.RESTRAINT_24H, day(0), 15 * H + 1, 15 * H),
    ]


def month_of(hours_per_day: float, days: int, first: datetime.date) -> list[Duty]:
    """``days`` duties from ``first`` whose restraint adds up to exactly ``hours_per_day * days`` hours."""
    out = []
    for n in range(days):
        d = first + datetime.timedelta(days=n)
        start = datetime.datetime.combine(d, datetime.time(6), tzinfo=JST)
        out.append(Duty(start, start + datetime.timedelta(seconds=int(hours_per_day * H)), 6 * H))
    missing = round(hours_per_day * days * H) - sum(d.restraint for d in out)
    out[-1] = Duty(out[-1].start, out[-1].end + datetime.timedelta(seconds=missing), out[-1].driving)
    return out


def test_monthly_restraint_284_and_310_hours():
    """22 days of 12 h 54 min 33 s ≈ 284 h: exactly 284 h passes, 1 s more fails; with an agreement up
    to 310 h passes."""
    first = datetime.date(2026, 12, 1)
    ds = month_of(284 / 22, 22, first)
    assert sum(d.restraint for d in ds) == 284 * H
    rules = DutyRules()
    assert [v for v in duty_violations("D-1", ds, rules) if v.code is DutyCode.MONTHLY_RESTRAINT] == []
    ds[-1] = Duty(ds[-1].start, ds[-1].end + datetime.timedelta(seconds=1), ds[-1].driving)
    found = [(v.day, v.amount, v.limit) for v in duty_violations("D-1", ds)
             if v.code is DutyCode.MONTHLY_RESTRAINT]
    assert found == [(first, 284 * H + 1, 284 * H)]
    agreed = DutyRules(agreement=True)
    assert [v for v in duty_violations("D-1", ds, agreed) if v.code is DutyCode.MONTHLY_RESTRAINT] == []
    big = month_of(310 / 22, 22, first)
    big[-1] = Duty(big[-1].start, big[-1].end + datetime.timedelta(seconds=1), big[-1].driving)
    assert [v.limit for v in duty_violations("D-1", big, agreed) if v.code is DutyCode.MONTHLY_RESTRAINT] == [
        310 * H]


def test_agreement_allows_over_284_hours_three_months_in_a_row():
    agreed = DutyRules(agreement=True)
    months = []
    for m in (4, 5, 6, 7):
        months += month_of(300 / 25, 25, datetime.date(2026, m, 1))
    found = [(v.day, v.limit) for v in duty_violations("D-1", months, agreed)
             if v.code is DutyCode.MONTHLY_RESTRAINT]
    assert found == [(datetime.date(2026, 7, 1), 284 * H)]


def test_yearly_restraint_in_the_fiscal_year():
    assert fiscal_year(datetime.date(2027, 3, 31)) == 2026 and fiscal_year(datetime.date(2027, 4, 1)) == 2027
    year = []
    for k in range(12):
        first = datetime.date(2026 + (3 + k) // 12, (3 + k) % 12 + 1, 1)
        year += month_of(275 / 25, 25, first)
    assert sum(d.restraint for d in year) == 3300 * H
    assert [v for v in duty_violations("D-1", year) if v.code is DutyCode.YEARLY_RESTRAINT] == []
    year[-1] = Duty(year[-1].start, year[-1].end + datetime.timedelta(seconds=1), year[-1].driving)
    assert [(v.day, v.amount) for v in duty_violations("D-1", year)
            if v.code is DutyCode.YEARLY_RESTRAINT] == [
        (datetime.date(2026, 4, 1), 3300 * H + 1)]
    assert [v for v in duty_violations("D-1", year, DutyRules(agreement=True))
            if v.code is DutyCode.YEARLY_RESTRAINT] == []
