"""The error model's pieces: messages split by language, accept-language read, details added once."""

from __future__ import annotations

from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from server.platform.errors import DOMAIN, enrich, prefers_japanese, split_message


def test_bilingual_messages_split_at_the_first_separator() -> None:
    ja, en = split_message("拠点が見つかりません / branch B-1 not found")
    assert (ja, en) == ("拠点が見つかりません", "branch B-1 not found")
    assert split_message("a / b") == (None, "a / b")
    assert split_message("plain English") == (None, "plain English")


def test_accept_language_ranks_japanese_and_english() -> None:
    assert prefers_japanese("ja") is True
    assert prefers_japanese("ja-JP,en;q=0.5") is True
    assert prefers_japanese("en-US,ja;q=0.9") is False
    assert prefers_japanese("en;q=0.2, ja;q=0.8") is True
    assert prefers_japanese("fr") is None and prefers_japanese("") is None


def _details(status: status_pb2.Status) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for d in status.details:
        for kind in (error_details_pb2.ErrorInfo, error_details_pb2.LocalizedMessage,
                     error_details_pb2.BadRequest):
            msg = kind()
            if d.Unpack(msg):
                out.setdefault(kind.DESCRIPTOR.name, []).append(msg)
    return out


def test_enrich_adds_error_info_and_both_messages() -> None:
    bad = any_pb2.Any()
    bad.Pack(error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field="order.weight_kg", description="x")]))
    text = "重さが不正です / bad weight"
    status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=text, details=[bad])
    for japanese, main in ((None, status.message), (True, "重さが不正です"), (False, "bad weight")):
        out = enrich(status, japanese)
        assert out.message == main and out.code == code_pb2.INVALID_ARGUMENT
        found = _details(out)
        (info,) = found["ErrorInfo"]
        assert (info.domain, info.reason, dict(info.metadata)) == (
            DOMAIN, "INVALID_ARGUMENT", {"field": "order.weight_kg"})
        assert {(m.locale, m.message) for m in found["LocalizedMessage"]} == {
            ("en-US", "bad weight"), ("ja-JP", "重さが不正です")}
        assert len(found["BadRequest"]) == 1
    assert len(_details(enrich(enrich(status, None), None))["ErrorInfo"]) == 1  # added once
