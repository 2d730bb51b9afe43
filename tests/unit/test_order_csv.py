"""Reading orders from CSV files as Excel writes them (Shift_JIS, UTF-8 with and without BOM)."""

from __future__ import annotations

import datetime

import pytest

from server.plans.order_csv import CsvFileError, parse_windows, read_orders

CSV = (
    "受注番号,届け先名,住所,緯度,経度,配達日,時間指定,重量(kg),備考\r\n"
    "A-1,ＡＢＣ商事,東京都練馬区豊玉北6-1,35.75,139.66,2026/12/08,午前中,\"1,200\",置き配可\r\n"
    "A-2,練馬食堂,東京都練馬区練馬1-2,35.74,139.67,2026-12-08,14:00～16:00,80,\r\n"
    ",,,,,,,,\r\n"
)


@pytest.mark.parametrize(("encoding", "prefix", "name"), [
    ("cp932", b"", "shift_jis"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("utf-8", b"", "utf-8"),
])
def test_excel_files_in_each_encoding_read_the_same(encoding: str, prefix: bytes, name: str) -> None:
    rows, found = read_orders(prefix + CSV.encode(encoding))
    assert found == name
    assert [r.errors for r in rows] == [[], []]  # the blank line is skipped
    first, second = (r.values for r in rows)
    assert first["id"] == "A-1" and first["place_name"] == "ＡＢＣ商事"
    assert first["weight_kg"] == 1200.0
    assert first["time_windows"] == [((8, 0), (12, 0))]
    assert first["delivery_date"] == datetime.date(2026, 12, 8)
    assert second["time_windows"] == [((14, 0), (16, 0))]
    assert rows[1].line == 3


def test_each_bad_cell_is_reported_with_its_row_and_column() -> None:
    text = ("届け先名,緯度,経度,配達日,時間指定,重量(kg)\n"
            "ok,35.7,139.6,2026/12/08,,10\n"
            "bad,北緯,139.6,2026/13/40,16-14,-5\n"
            "missing,,139.6,2026/12/08,,\n")
    rows, _ = read_orders(text.encode("cp932"))
    assert rows[0].errors == []
    assert [c for c, _ in rows[1].errors] == ["緯度", "配達日", "時間指定", "重量(kg)"]
    assert rows[1].line == 3
    assert rows[2].errors == [("緯度", "必須です / required")]


def test_a_file_without_the_required_columns_is_refused_whole() -> None:
    with pytest.raises(CsvFileError, match="緯度"):
        read_orders("届け先名,住所\nA,B\n".encode())
    with pytest.raises(CsvFileError, match="empty"):
        read_orders(b"")


@pytest.mark.parametrize(("text", "windows"), [
    ("午前中", [((8, 0), (12, 0))]),
    ("9-12、14時～16時", [((9, 0), (12, 0)), ((14, 0), (16, 0))]),
    ("１８：００－２１：００", [((18, 0), (21, 0))]),
    ("指定なし", []),
])
def test_time_windows_as_written_in_japan(text: str, windows: list[object]) -> None:
    assert parse_windows(text) == windows
