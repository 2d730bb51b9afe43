"""Japan time: the clock plans, orders and reports are dated by."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def today_jst(now: datetime.datetime | None = None) -> datetime.date:
    """Today's date in Japan."""
    return (now or datetime.datetime.now(JST)).astimezone(JST).date()


def tomorrow(now: datetime.datetime | None = None) -> datetime.date:
    """Tomorrow's date in Japan."""
    return today_jst(now) + datetime.timedelta(days=1)
