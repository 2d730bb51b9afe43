"""Retention of the position history: whole days older than the retention are dropped (partitions),
each archived first to the object store when one is given (the seed design's archiver).

An archive is ``positions/YYYY/MM/DD.jsonl.gz``: one JSON object per position, in time order. A day
already archived (a re-run after a failed drop) is not written again. A day whose archive fails is not
dropped: the next run tries again.
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import logging
from dataclasses import dataclass, field

from server.tracking.model import RETENTION_DAYS, Position
from server.tracking.ports import ObjectStore, PositionHistory

log = logging.getLogger("hakobu.tracking")


@dataclass(frozen=True)
class RetentionResult:
    cutoff: datetime.date
    dropped: list[datetime.date] = field(default_factory=list)
    archived: dict[datetime.date, str] = field(default_factory=dict)
    failed: dict[datetime.date, str] = field(default_factory=dict)

    def line(self) -> str:
        days = ", ".join(d.isoformat() for d in self.dropped) or "none"
        text = f"kept from {self.cutoff.isoformat()}; dropped {days}; archived {len(self.archived)}"
        return text + (f"; failed {len(self.failed)}" if self.failed else "")


def archive_key(day: datetime.date) -> str:
    return f"positions/{day:%Y/%m/%d}.jsonl.gz"


def apply_retention(
    history: PositionHistory,
    today: datetime.date,
    *,
    days: int = RETENTION_DAYS,
    archive: ObjectStore | None = None,
) -> RetentionResult:
    """Drop every day before ``today - days`` (archived first when ``archive`` is given)."""
    if days < 1:
        raise ValueError(f"保持日数は1以上です / retention must be at least 1 day, got {days}")
    cutoff = today - datetime.timedelta(days=days)
    old = [d for d in history.days() if d < cutoff]
    archived: dict[datetime.date, str] = {}
    failed: dict[datetime.date, str] = {}
    if archive is not None:
        for day in old:
            key = archive_key(day)
            try:
                if not archive.exists(key):
                    archived[day] = archive.put(key, _day_archive(history, day), "application/gzip")
            except Exception as exc:  # keep the day; the next run tries again
                log.exception("archive of a day failed; not dropped", extra={"day": day.isoformat()})
                failed[day] = repr(exc)
    keep_from = min([cutoff, *failed])
    dropped = history.drop_before(keep_from)
    result = RetentionResult(cutoff, dropped, archived, failed)
    log.info("retention applied", extra={"cutoff": cutoff.isoformat(), "dropped": len(dropped),
                                          "archived": len(archived), "failed": len(failed)})
    return result


def _day_archive(history: PositionHistory, day: datetime.date) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as out:
        for p in history.day_positions(day):
            out.write(json.dumps(_plain(p), ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    return buffer.getvalue()


def _plain(p: Position) -> dict[str, object]:
    return {
        "organization": p.organization, "device": p.device_id, "vehicle": p.vehicle_id,
        "time": p.time.isoformat(), "lat": p.latitude, "lon": p.longitude, "speed_kmh": p.speed_kmh,
        "heading": p.heading, "altitude": p.altitude, "accuracy": p.accuracy, "battery": p.battery,
        "attributes": p.attributes,
    }
