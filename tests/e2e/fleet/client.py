"""A caller of the OrganizationService for tests: a ``Client`` per organization that makes valid
resources, and helpers that read errors."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from google.type import date_pb2, latlng_pb2, timeofday_pb2
from grpc_status import rpc_status

from hakobu.fleet.v1 import fleet_pb2 as pb
from hakobu.fleet.v1 import fleet_pb2_grpc
from tests.credentials import Role, metadata_for

Stub = fleet_pb2_grpc.OrganizationServiceStub
Code = grpc.StatusCode

# request field → (message suffix, plural method suffix, collection)
KINDS = {
    "branch": ("Branch", "Branches", "branches"),
    "vehicle": ("Vehicle", "Vehicles", "vehicles"),
    "driver": ("Driver", "Drivers", "drivers"),
    "customer": ("Customer", "Customers", "customers"),
    "order": ("Order", "Orders", "orders"),
}
# one field per resource that an update may change, with a new value
CHANGE: dict[str, tuple[str, Any]] = {
    "branch": ("display_name", "新しい営業所"),
    "vehicle": ("status", pb.Vehicle.MAINTENANCE),
    "driver": ("status", pb.Driver.ON_LEAVE),
    "customer": ("display_name", "XYZ物産株式会社"),
    "order": ("notes", "置き配可"),
}


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def tod(hours: int, minutes: int = 0) -> timeofday_pb2.TimeOfDay:
    return timeofday_pb2.TimeOfDay(hours=hours, minutes=minutes)


class Client:
    """A caller of one organization, with helpers that create valid resources."""

    def __init__(self, stub: Stub, org: str) -> None:
        self.stub, self.org = stub, org
        self.parent = f"organizations/{org}"
        #: An ADMIN of the organization: master data is his to change.
        self.metadata = metadata_for(org, Role.ADMIN)
        self._home: pb.Branch | None = None

    def call(self, method: str, request: Any) -> Any:
        return getattr(self.stub, method)(request, metadata=self.metadata)

    def create(self, kind: str, message: Any, **kw: Any) -> Any:
        single = KINDS[kind][0]
        request = getattr(pb, f"Create{single}Request")(parent=self.parent, **{kind: message}, **kw)
        return self.call(f"Create{single}", request)

    def get(self, kind: str, name: str) -> Any:
        single = KINDS[kind][0]
        return self.call(f"Get{single}", getattr(pb, f"Get{single}Request")(name=name))

    def list(self, kind: str, **kw: Any) -> list[Any]:
        """Every row of every page (page_size 2, so paging is always exercised)."""
        _, plural, collection = KINDS[kind]
        items, token, request_type = [], "", getattr(pb, f"List{plural}Request")
        while True:
            request = request_type(parent=self.parent, page_size=2, page_token=token, **kw)
            page = self.call(f"List{plural}", request)
            items += list(getattr(page, collection))
            token = page.next_page_token
            if not token:
                return items

    def update(self, kind: str, message: Any, paths: list[str] | None = None) -> Any:
        single = KINDS[kind][0]
        mask = field_mask_pb2.FieldMask(paths=paths or [])
        return self.call(
            f"Update{single}", getattr(pb, f"Update{single}Request")(**{kind: message}, update_mask=mask)
        )

    def delete(self, kind: str, name: str, etag: str = "") -> Any:
        single = KINDS[kind][0]
        return self.call(f"Delete{single}", getattr(pb, f"Delete{single}Request")(name=name, etag=etag))

    @property
    def home(self) -> pb.Branch:
        if self._home is None:
            self._home = self.create("branch", self.sample("branch"))
        return self._home

    def sample(self, kind: str, **kw: Any) -> Any:
        """A valid, not yet created resource message (its references point at ``home``)."""
        if kind == "branch":
            code = uid("B")
            base = dict(code=code, display_name=f"拠点 {code}", location=latlng_pb2.LatLng(latitude=35.75,
                        longitude=139.67), address="東京都練馬区豊玉北6丁目")  # fmt: skip
            return pb.Branch(**{**base, **kw})
        if kind == "customer":
            return pb.Customer(**{"code": uid("C"), "display_name": "ABC商事株式会社", **kw})
        if kind == "vehicle":
            base = dict(branch=self.home.name, registration_number=f"練馬400か{uid('')}", vehicle_class="2t",
                        payload_kg=2000, gross_weight_kg=5000)  # fmt: skip
            return pb.Vehicle(**{**base, **kw})
        if kind == "driver":
            base = dict(branch=self.home.name, employee_number=uid("EMP"), display_name="山田太郎",
                        licence_class="準中型")  # fmt: skip
            return pb.Driver(**{**base, **kw})
        assert kind == "order"
        base = dict(branch=self.home.name, place_name="練馬区役所",
                    location=latlng_pb2.LatLng(latitude=35.7356, longitude=139.6517),
                    delivery_date=date_pb2.Date(year=2026, month=12, day=1), weight_kg=12.5)  # fmt: skip
        return pb.Order(**{**base, **kw})


def fails(code: grpc.StatusCode, call: Callable[..., Any], *args: Any, **kw: Any) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call(*args, **kw)
    err = info.value
    assert err.code() == code, f"{err.code()}: {err.details()}"
    return err


def violations(err: grpc.RpcError) -> dict[str, str]:
    """Field path → description of the google.rpc.BadRequest in an INVALID_ARGUMENT."""
    assert err.code() == Code.INVALID_ARGUMENT, f"{err.code()}: {err.details()}"
    status = rpc_status.from_call(err)
    assert status is not None, "INVALID_ARGUMENT must carry a BadRequest"
    out: dict[str, str] = {}
    for detail in status.details:
        br = error_details_pb2.BadRequest()
        if detail.Unpack(br):
            out.update({v.field: v.description for v in br.field_violations})
    return out


def japanese_first(text: str) -> bool:
    ja, sep, en = text.partition(" / ")
    return bool(sep) and not ja.isascii() and bool(en)


