"""The ingest half of TrackingService: devices (standard methods), ReportPositions and GetTrack.

A thin edge: proto ↔ records here, checks in ``server.tracking.validate``, the pipeline in
``server.tracking.ingest.Ingest``. A batch is acknowledged only after ``Ingest.report`` returned, i.e.
after its positions are committed; when storing fails the stream ends UNAVAILABLE and the client sends
the unacknowledged batches again (re-sends are idempotent).
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
import math
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any

import grpc
from google.protobuf import empty_pb2
from google.type import latlng_pb2

from hakobu.tracking.v1 import tracking_pb2 as pb
from server.entrypoints.grpc.context import Caller, caller, parse_name, parse_parent, resource_name, shown
from server.entrypoints.grpc.errors import FieldError, abort_bad_request, grpc_errors
from server.entrypoints.grpc.read_ahead import ReadAhead
from server.identity.principal import Kind, Principal, Role
from server.jst import today_jst
from server.plans.errors import AlreadyExistsError, InvalidReferenceError, NotFoundError
from server.tracking.fleet import route_driver
from server.tracking.ingest import Ingest, IngestResult
from server.tracking.model import MAX_BATCH, Device, Position
from server.tracking.segments import (
    Segment,
    SegmentKind,
    distance_m,
    driving_seconds,
    geojson,
    simplify,
    stopped_seconds,
)
from server.tracking.segments import segments as track_segments
from server.tracking.validate import BatchTooLargeError, Fix

log = logging.getLogger("hakobu.tracking")

Ctx = grpc.ServicerContext
DEVICE_ID = re.compile(r"[A-Za-z0-9._-]{4,64}")
DEFAULT_PAGE = 50
MAX_PAGE = 1000
#: Longest stretch of time one GetTrack may ask for.
MAX_TRACK = datetime.timedelta(days=7)
#: Seconds a DRIVER's stream remembers who drives a vehicle today.
DRIVER_TTL = 60.0
#: Batches a ReportPositions stream reads and queues for storing ahead of their acknowledgements.
READ_AHEAD = 32
UNSTORED = ("位置を保存できませんでした。確認応答のない送信を再送してください / "
            "positions could not be stored; send the unacknowledged batches again")


class IngestMethods:
    """Mixed into ``TrackingServicer``; needs ``self.ingest``."""

    ingest: Ingest

    # ------------------------------------------------------------ devices
    @grpc_errors
    def CreateDevice(self, request: Any, context: Ctx) -> Any:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        device_id = request.device_id or secrets.token_hex(16)
        if not DEVICE_ID.fullmatch(device_id):
            bad = f"端末IDは英数字と . _ - の4〜64文字です / device_id must be 4-64 of [A-Za-z0-9._-], got " \
                  f"{shown(device_id)}"
            raise FieldError([("device_id", bad)])
        if not request.device.vehicle:
            raise FieldError([("device.vehicle", "車両を指定してください / device.vehicle is required")])
        vehicle = parse_name(context, who, request.device.vehicle, "vehicles", field="device.vehicle")
        driver = (parse_name(context, who, request.device.driver, "drivers", field="device.driver")
                  if request.device.driver else None)
        device = Device(device_id, org, vehicle, driver, request.device.display_name)
        try:
            created = self.ingest.devices.create(device)
        except AlreadyExistsError as exc:
            raise AlreadyExistsError(
                f"端末IDは既に登録されています / device id {device_id!r} is already registered"
            ) from exc
        except InvalidReferenceError as exc:
            field = "device.driver" if "driver" in str(exc) else "device.vehicle"
            raise FieldError([(field, f"参照先が見つかりません / {field} does not exist: {exc}")]) from exc
        self.ingest.device.forget(device_id)
        return device_to_proto(created)

    @grpc_errors
    def GetDevice(self, request: Any, context: Ctx) -> Any:
        who = caller(context)
        device_id = parse_name(context, who, request.name, "devices")
        found = self.ingest.devices.get(who.organization, device_id)
        if found is None:
            raise NotFoundError(f"端末が見つかりません / device {request.name} not found")
        return device_to_proto(found)

    @grpc_errors
    def ListDevices(self, request: Any, context: Ctx) -> Any:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        if request.page_size < 0:
            raise FieldError([("page_size", f"0以上を指定してください / page_size must be >= 0, "
                                            f"got {request.page_size}")])
        size = min(request.page_size or DEFAULT_PAGE, MAX_PAGE)
        after = _token_to_id(request.page_token)
        devices, last = self.ingest.devices.list(org, size, after)
        return pb.ListDevicesResponse(
            devices=[device_to_proto(d) for d in devices],
            next_page_token=_id_to_token(last) if last is not None else "",
        )

    @grpc_errors
    def DeleteDevice(self, request: Any, context: Ctx) -> Any:
        who = caller(context)
        device_id = parse_name(context, who, request.name, "devices")
        if not self.ingest.devices.delete(who.organization, device_id):
            raise NotFoundError(f"端末が見つかりません / device {request.name} not found")
        self.ingest.device.forget(device_id)
        return empty_pb2.Empty()

    # ------------------------------------------------------------ positions
    def ReportPositions(self, request_iterator: Iterable[Any], context: Ctx) -> Iterator[Any]:
        """Batches are read, checked and queued for storing on a reading thread, up to ``READ_AHEAD``
        ahead of their acknowledgements, which go out in order, each after its batch's COMMIT."""
        who = caller(context)
        allow = own_devices(who.principal, self._route_driver())
        submitted = ReadAhead(self._submit_each(request_iterator, who, allow), READ_AHEAD,
                              name="report-positions")
        try:
            for batch_id, future in _until_refused(context, submitted):
                try:
                    result = future.result()
                except Exception as exc:
                    log.warning("batch not stored", extra={"batch_id": batch_id, "error": repr(exc)})
                    context.abort(grpc.StatusCode.UNAVAILABLE, UNSTORED)
                yield pb.ReportPositionsResponse(
                    batch_id=batch_id, accepted=result.accepted, duplicates=result.duplicates,
                    rejected=[pb.RejectedPosition(index=r.index, field=r.field, reason=r.reason)
                              for r in result.rejected],
                )
        finally:
            submitted.close()

    def _route_driver(self) -> Callable[[str, str], str | None] | None:
        """Who drives a vehicle's route today, when this server knows the plans (its live half)."""
        live = getattr(self, "live", None)
        if live is None:
            return None
        return lambda org, vehicle: route_driver(live.fleet, org, vehicle, today_jst(live.fleet.clock()))

    def _submit_each(
        self, request_iterator: Iterable[Any], who: Caller, allow: Callable[[Device], bool] | None
    ) -> Iterator[tuple[str, Future[IngestResult]]]:
        for request in request_iterator:
            if len(request.positions) > MAX_BATCH:
                raise _Refused(grpc.StatusCode.INVALID_ARGUMENT,
                               [("positions", str(BatchTooLargeError(len(request.positions))))])
            if allow is not None:  # a DRIVER reports only from his trackers: the whole batch is refused
                _check_own_devices(self.ingest, who, {p.device_id for p in request.positions}, allow)
            fixes = [fix_from_proto(p) for p in request.positions]
            try:
                future = self.ingest.submit_fixes(fixes, who.organization, allow)
            except BatchTooLargeError as exc:
                raise _Refused(grpc.StatusCode.INVALID_ARGUMENT, [("positions", str(exc))]) from exc
            yield request.batch_id, future

    @grpc_errors
    def GetTrack(self, request: Any, context: Ctx) -> Any:
        who = caller(context)
        vehicle = parse_name(context, who, request.vehicle, "vehicles", field="vehicle")
        problems = []
        if not request.HasField("start_time"):
            problems.append(("start_time", "開始時刻がありません / start_time is required"))
        if not request.HasField("end_time"):
            problems.append(("end_time", "終了時刻がありません / end_time is required"))
        if request.simplify_meters < 0 or not math.isfinite(request.simplify_meters):
            problems.append(("simplify_meters", "0以上を指定してください / simplify_meters must be >= 0"))
        if problems:
            raise FieldError(problems)
        start = request.start_time.ToDatetime(tzinfo=datetime.UTC)
        end = request.end_time.ToDatetime(tzinfo=datetime.UTC)
        if end <= start:
            raise FieldError([("end_time", "終了時刻は開始時刻より後にしてください / end_time must be after "
                                           "start_time")])
        if end - start > MAX_TRACK:
            raise FieldError([("end_time", f"期間は{MAX_TRACK.days}日以内にしてください / at most "
                                           f"{MAX_TRACK.days} days per call")])
        positions = self.ingest.history.between(who.organization, vehicle, start, end)
        parts = track_segments(positions)
        tolerance = request.simplify_meters
        shown_positions = simplify(positions, tolerance) if tolerance else positions
        track = pb.Track(
            vehicle=resource_name(who.organization, "vehicles", vehicle),
            positions=[position_to_proto(p) for p in shown_positions],
            segments=[_segment_to_proto(g, positions) for g in parts],
            distance_meters=round(distance_m(parts)),
        )
        track.driving_duration.FromTimedelta(datetime.timedelta(seconds=round(driving_seconds(parts), 3)))
        track.stopped_duration.FromTimedelta(datetime.timedelta(seconds=round(stopped_seconds(parts), 3)))
        if request.geojson:
            track.geojson = json.dumps(geojson(shown_positions, parts), separators=(",", ":"),
                                       ensure_ascii=False)
        return track


def own_devices(
    who: Principal | None, driver_of: Callable[[str, str], str | None] | None = None
) -> Callable[[Device], bool] | None:
    """For a DRIVER: only the trackers of his own vehicle, registered to him, or of the vehicle whose
    route he drives today (``driver_of(org, vehicle)``: that route's driver, asked once a minute per
    vehicle); None (all) for others."""
    if who is None or who.kind is Kind.SERVICE or who.role is not Role.DRIVER:
        return None
    known: dict[tuple[str, str], tuple[float, str | None]] = {}

    def drives(device: Device) -> bool:
        if driver_of is None or who.driver is None:
            return False
        key = (device.organization, device.vehicle_id)
        seen = known.get(key)
        if seen is None or time.monotonic() - seen[0] >= DRIVER_TTL:
            seen = known[key] = (time.monotonic(), driver_of(*key))
        return seen[1] == who.driver

    def allow(device: Device) -> bool:
        return ((who.vehicle is not None and device.vehicle_id == who.vehicle)
                or (who.driver is not None and device.driver_id == who.driver) or drives(device))

    return allow


# ---------------------------------------------------------------- conversions


def device_to_proto(d: Device) -> Any:
    out = pb.Device(
        name=resource_name(d.organization, "devices", d.device_id),
        vehicle=resource_name(d.organization, "vehicles", d.vehicle_id),
        driver=resource_name(d.organization, "drivers", d.driver_id) if d.driver_id else "",
        display_name=d.display_name,
    )
    if d.created_at is not None:
        out.create_time.FromDatetime(d.created_at)
    if d.last_seen_at is not None:
        out.last_seen_time.FromDatetime(d.last_seen_at)
    return out


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_delta = datetime.timedelta


def fix_from_proto(p: Any) -> Fix:
    """A proto Position as plain values (``server.tracking.validate.Fix``); unset fields are None. On
    the hot path: no object per position, the time made without ``Timestamp.ToDatetime``, and
    ``HasField`` asked only when a value is zero (unset and zero read the same)."""
    has = p.HasField
    t = p.time
    seconds, nanos = t.seconds, t.nanos
    time: datetime.datetime | None
    if seconds or nanos or has("time"):
        try:
            time = _EPOCH + _delta(seconds=seconds, microseconds=nanos // 1000)
        except OverflowError:
            time = _EPOCH  # outside datetime's range: far too old, rejected as such
    else:
        time = None
    loc = p.location
    lat: float | None = loc.latitude
    lon: float | None = loc.longitude
    if not lat and not lon and not has("location"):
        lat = lon = None
    speed, heading, alt, acc, batt = (p.speed_kmh, p.heading_degrees, p.altitude_meters, p.accuracy_meters,
                                      p.battery_percent)
    return (
        p.device_id, time, lat, lon,
        speed if speed or has("speed_kmh") else None,
        heading if heading or has("heading_degrees") else None,
        alt if alt or has("altitude_meters") else None,
        acc if acc or has("accuracy_meters") else None,
        batt if batt or has("battery_percent") else None,
        dict(p.attributes) if p.attributes else None,
    )


def position_to_proto(p: Position) -> Any:
    out = pb.Position(
        device_id=p.device_id, location=latlng_pb2.LatLng(latitude=p.latitude, longitude=p.longitude),
        attributes=p.attributes, vehicle=resource_name(p.organization, "vehicles", p.vehicle_id),
    )
    out.time.FromDatetime(p.time)
    for name, value in (("speed_kmh", p.speed_kmh), ("heading_degrees", p.heading),
                        ("altitude_meters", p.altitude), ("accuracy_meters", p.accuracy),
                        ("battery_percent", p.battery)):
        if value is not None:
            setattr(out, name, value)
    return out


def _id_to_token(last: str) -> str:
    return base64.urlsafe_b64encode(last.encode()).decode()


def _token_to_id(token: str) -> str | None:
    if not token:
        return None
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise FieldError([("page_token", "ページトークンが使えません / page_token is not valid; start again "
                                         "without page_token")]) from None


# ---------------------------------------------------------------- tracks


def _segment_to_proto(g: Segment, positions: Sequence[Position]) -> Any:
    a, b = positions[g.first], positions[g.last]
    out = pb.TrackSegment(
        kind=pb.TrackSegment.STOPPED if g.kind is SegmentKind.STOPPED else pb.TrackSegment.DRIVING,
        distance_meters=round(g.distance_m),
        start_location=latlng_pb2.LatLng(latitude=a.latitude, longitude=a.longitude),
        end_location=latlng_pb2.LatLng(latitude=b.latitude, longitude=b.longitude),
    )
    out.start_time.FromDatetime(g.start)
    out.end_time.FromDatetime(g.end)
    return out


def _check_own_devices(
    ingest: Ingest, who: Caller, device_ids: set[str], allow: Callable[[Device], bool]
) -> None:
    """PERMISSION_DENIED unless every tracker of the batch is the calling DRIVER's (:func:`own_devices`)."""
    for device_id in sorted(device_ids):
        device = ingest.device(device_id)
        if device is None or device.organization != who.organization or not allow(device):
            raise _Refused(grpc.StatusCode.PERMISSION_DENIED,
                           f"自分の端末ではありません / tracker {shown(device_id)} is not registered to you")


class _Refused(Exception):
    """A batch refused whole: the stream ends with ``code`` (field violations, or a message)."""

    def __init__(self, code: grpc.StatusCode, detail: str | list[tuple[str, str]]) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _until_refused(
    context: Ctx, submitted: Iterator[tuple[str, Future[IngestResult]]]
) -> Iterator[tuple[str, Future[IngestResult]]]:
    """``submitted`` until the reading side refused a batch (the call ends with its status, after the
    batches before it were answered) or failed (UNAVAILABLE: e.g. the device store is down)."""
    while True:
        try:
            item = next(submitted)
        except StopIteration:
            return
        except _Refused as refused:
            if isinstance(refused.detail, list):
                abort_bad_request(context, refused.detail)
            context.abort(refused.code, str(refused.detail))
        except grpc.RpcError:
            return  # the call ended (cancelled by the client)
        except Exception as exc:
            log.warning("batch not read", extra={"error": repr(exc)})
            context.abort(grpc.StatusCode.UNAVAILABLE, UNSTORED)
        yield item
