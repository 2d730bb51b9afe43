"""The AIP helpers every gRPC edge shares: filters, page tokens, update masks, ids, etags."""

from __future__ import annotations

import datetime

import pytest

from hakobu.plans.v1 import plans_pb2 as pb
from server.entrypoints.grpc import aip
from server.entrypoints.grpc.errors import FieldError

SPEC: aip.FilterSpec = {
    "branch": ("branch_id", aip.filter_ref("branches")),
    "plan_date": ("plan_date", aip.filter_date),
    "status": ("status", aip.filter_enum(pb.DeliveryPlan.Status)),
    "done": ("done", aip.filter_bool),
}


def _resolve(name: str, collection: str, field: str) -> str:
    return name.rsplit("/", 1)[-1]


def _fields(exc: pytest.ExceptionInfo[FieldError]) -> list[str]:
    return [f for f, _ in exc.value.violations]


def test_filter_clauses_are_converted() -> None:
    text = " AND ".join(['branch = "organizations/o/branches/B1"', 'plan_date = "2026-12-01"', "status=DRAFT",
                         "done=true"])
    got = aip.parse_filter(text, SPEC, _resolve)
    day = datetime.date(2026, 12, 1)
    assert got == {"branch_id": "B1", "plan_date": day, "status": "DRAFT", "done": True}
    assert aip.parse_filter("  ", SPEC, _resolve) == {}


@pytest.mark.parametrize("text", [
    "colour = red", "status = NOPE", "plan_date = 2026-13-01", "done = maybe",
    "status = DRAFT OR status = DONE", "status = DRAFT AND status = DONE", "status",
])
def test_bad_filters_name_the_filter_field(text: str) -> None:
    with pytest.raises(FieldError) as err:
        aip.parse_filter(text, SPEC, _resolve)
    assert _fields(err) == ["filter"]


def test_page_tokens_round_trip_and_belong_to_their_query() -> None:
    query = {"status": "DRAFT"}
    token = aip.encode_page_token(["2026-12-01", "P-1"], query)
    assert aip.decode_page_token(token, {"status": "DRAFT"}) == ["2026-12-01", "P-1"]
    for bad_token, bad_query in ((token, {"status": "DONE"}), ("not a token!", query), ("", query)):
        with pytest.raises(FieldError) as err:
            aip.decode_page_token(bad_token, bad_query)
        assert _fields(err) == ["page_token"]


def test_page_sizes() -> None:
    assert aip.page_size(0) == aip.DEFAULT_PAGE_SIZE and aip.page_size(7) == 7
    assert aip.page_size(10**6) == aip.MAX_PAGE_SIZE
    with pytest.raises(FieldError):
        aip.page_size(-1)


def test_update_masks_ids_and_etags() -> None:
    mutable = ("code", "display_name", "location")
    assert aip.update_paths([], mutable) == mutable and aip.update_paths(["*"], mutable) == mutable
    assert aip.update_paths(["location", "etag", "code"], mutable) == ("code", "location")
    with pytest.raises(FieldError) as err:
        aip.update_paths(["colour"], mutable)
    assert _fields(err) == ["update_mask"]
    aip.check_create_ids("BR-1", "r" * 128, "branch_id")
    with pytest.raises(FieldError) as err:
        aip.check_create_ids("-bad", "r" * 129, "branch_id")
    assert _fields(err) == ["branch_id", "request_id"]
    assert aip.etag_or_none("", "etag") is None and aip.etag_or_none('W/"3"', "etag") == 'W/"3"'
    with pytest.raises(FieldError):
        aip.etag_or_none("garbage", "etag")
