"""ImportOrders: a CSV file from Excel becomes orders, all rows or none."""

from __future__ import annotations

from hakobu.fleet.v1 import fleet_pb2 as pb
from tests.e2e.fleet.client import Client, Code, fails, japanese_first, uid, violations

HEADER = "受注番号,届け先名,住所,緯度,経度,配達日,時間指定,重量(kg),荷主コード\r\n"


def rows(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\r\n" for line in lines)).encode("cp932")


def _import(a: Client, data: bytes, validate_only: bool = False) -> pb.ImportOrdersResponse:
    return a.call("ImportOrders", pb.ImportOrdersRequest(parent=a.parent, branch=a.home.name, csv=data,
                                                         validate_only=validate_only))


def test_a_shift_jis_file_from_excel_imports_every_row(a: Client) -> None:
    ids = [uid("IMP"), uid("IMP")]
    answer = _import(a, rows(
        f"{ids[0]},ＡＢＣ商事,東京都練馬区豊玉北6-1,35.75,139.66,2026/12/08,午前中,\"1,200\",",
        f"{ids[1]},練馬食堂,東京都練馬区練馬1-2,35.74,139.67,2026/12/08,14-16,80,",
    ))
    assert answer.encoding == "shift_jis"
    assert [o.name.rsplit("/", 1)[1] for o in answer.orders] == ids
    stored = a.get("order", f"{a.parent}/orders/{ids[0]}")
    assert stored.place_name == "ＡＢＣ商事" and stored.weight_kg == 1200
    assert (stored.time_windows[0].start_time.hours, stored.time_windows[0].end_time.hours) == (8, 12)
    assert stored.branch == a.home.name


def test_one_bad_row_imports_nothing_and_every_bad_cell_is_named(a: Client) -> None:
    good, bad, unknown = uid("IMP"), uid("IMP"), uid("C")
    before = len(a.list("order"))
    err = fails(Code.INVALID_ARGUMENT, _import, a, rows(
        f"{good},良い行,住所,35.75,139.66,2026/12/08,,10,",
        f"{bad},悪い行,住所,北緯,139.66,2026/12/08,16-14,10,",
        f"{good},同じ番号,住所,35.75,139.66,2026/12/08,,10,{unknown}",
    ))
    found = violations(err)
    assert set(found) >= {
        "csv.rows[3].緯度", "csv.rows[3].時間指定", "csv.rows[4].id", "csv.rows[4].customer",
    }
    assert all(japanese_first(text) for text in found.values())
    assert len(a.list("order")) == before


def test_validate_only_checks_without_importing(a: Client) -> None:
    order_id = uid("IMP")
    before = len(a.list("order"))
    data = ("\ufeff" + HEADER + f"{order_id},確認,住所,35.75,139.66,2026-12-08,,5,\r\n").encode()
    answer = _import(a, data, validate_only=True)
    assert answer.encoding == "utf-8-sig" and len(answer.orders) == 1
    assert len(a.list("order")) == before


def test_a_file_that_is_not_a_csv_of_orders_is_refused(a: Client) -> None:
    assert "csv" in violations(fails(Code.INVALID_ARGUMENT, _import, a, "名前,住所\nA,B\n".encode()))
