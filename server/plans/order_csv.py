"""Orders from a CSV file as Japanese companies export it from Excel.

Excel writes Shift_JIS (Windows code page 932) by default and UTF-8 with a BOM when asked ("CSV UTF-8");
other tools write UTF-8 without one. Headers are Japanese (受注番号, 届け先名, 住所, 緯度, 経度, 配達日,
時間指定, 重量(kg), …) or the API's English field names. Every cell is checked; a bad cell is reported
with its row (as the spreadsheet numbers it: the header is row 1) and its column, and one bad row means
nothing is imported (the caller decides that; this module only reads).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

#: canonical field → the header spellings accepted for it (compared after NFKC and without spaces/brackets)
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("受注番号", "注文番号", "伝票番号", "受注id", "id", "order_id", "order"),
    "place_name": (
        "届け先名", "届け先", "お届け先", "お届け先名", "納品先", "納品先名", "place_name", "name",
    ),
    "address": ("住所", "届け先住所", "お届け先住所", "address"),
    "latitude": ("緯度", "latitude", "lat"),
    "longitude": ("経度", "longitude", "lng", "lon"),
    "delivery_date": ("配達日", "配送日", "納品日", "お届け日", "delivery_date", "date"),
    "time_windows": ("時間指定", "時間帯", "配達時間帯", "お届け時間帯", "time_window", "time_windows"),
    "weight_kg": ("重量", "重量kg", "重さ", "weight", "weight_kg"),
    "volume_m3": ("容積", "容積m3", "才数m3", "volume", "volume_m3"),
    "service_minutes": ("作業時間", "作業時間分", "荷扱い時間", "service_minutes"),
    "customer": ("荷主コード", "顧客コード", "得意先コード", "customer", "customer_id"),
    "allowed_vehicle_classes": ("車格", "車格制限", "指定車格", "allowed_vehicle_classes", "vehicle_classes"),
    "notes": ("備考", "メモ", "notes"),
}
REQUIRED = ("latitude", "longitude", "delivery_date")

#: The time bands of Japanese parcel carriers' 時間帯指定.
NAMED_WINDOWS = {"午前中": ((8, 0), (12, 0)), "午前": ((8, 0), (12, 0)), "午後": ((12, 0), (18, 0)),
                 "夜間": ((18, 0), (21, 0))}
NO_WINDOW = {"", "指定なし", "なし", "-", "ー", "―"}


class CsvFileError(ValueError):
    """The file as a whole cannot be read (encoding, no header, no known column)."""


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).strip().lower()
    return re.sub(r"[\s()\[\]（）【】・_\-]", "", text)


_LOOKUP = {_key(h): name for name, spellings in HEADERS.items() for h in spellings}


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was in: UTF-8 (with or without BOM) or Shift_JIS (cp932)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "shift_jis"
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            f"文字コードを判別できません(Shift_JIS か UTF-8 で保存してください) / the file is neither "
            f"UTF-8 nor Shift_JIS (byte {exc.start})"
        ) from None


@dataclass
class Row:
    """One data row: ``line`` as the spreadsheet numbers it, the values read, the problems found."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, "日本語 / English")


def _number(text: str) -> float:
    return float(unicodedata.normalize("NFKC", text).replace(",", "").strip())


def _date(text: str) -> datetime.date:
    t = unicodedata.normalize("NFKC", text).strip()
    m = re.fullmatch(r"(\d{4})[/\-.年](\d{1,2})[/\-.月](\d{1,2})日?", t)
    if not m:
        raise ValueError(t)
    return datetime.date(int(m[1]), int(m[2]), int(m[3]))


def _time(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{1,2})(?:[:時](\d{2})?分?)?", text.strip())
    if not m:
        raise ValueError(text)
    hours, minutes = int(m[1]), int(m[2] or 0)
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise ValueError(text)
    return hours, minutes


def parse_windows(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """"午前中", "14-16", "14:00～16:00", "12時-14時", several separated by "," "、" "/" → [(start, end)]."""
    t = unicodedata.normalize("NFKC", text).strip()
    if t in NO_WINDOW:
        return []
    windows = []
    for part in re.split(r"[,、/;]", t):
        part = part.strip()
        if part in NAMED_WINDOWS:
            windows.append(NAMED_WINDOWS[part])
            continue
        m = re.fullmatch(r"(.+?)\s*[-~〜～]\s*(.+)", part)
        if not m:
            raise ValueError(part)
        start, end = _time(m[1]), _time(m[2])
        if end <= start:
            raise ValueError(part)
        windows.append((start, end))
    return windows


def _classes(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in re.split(r"[,、/;\s]+", unicodedata.normalize("NFKC", text)) if c.strip())


_CELLS: dict[str, tuple[Any, str]] = {
    "latitude": (_number, "数値ではありません / not a number"),
    "longitude": (_number, "数値ではありません / not a number"),
    "weight_kg": (_number, "数値ではありません / not a number"),
    "volume_m3": (_number, "数値ではありません / not a number"),
    "service_minutes": (_number, "数値ではありません / not a number"),
    "delivery_date": (_date, "日付ではありません(例: 2026/12/08) / not a date (e.g. 2026/12/08)"),
    "time_windows": (
        parse_windows, "時間指定が読めません(例: 午前中、14-16) / not a time window (e.g. 14-16)",
    ),
    "allowed_vehicle_classes": (_classes, ""),
}


def _check(row: Row, header: dict[str, str]) -> None:
    v = row.values
    for name, label in (("latitude", (-90, 90)), ("longitude", (-180, 180))):
        if name in v and not label[0] <= v[name] <= label[1]:
            row.errors.append((header[name], f"範囲外です / out of range {label[0]}..{label[1]}"))
    for name in ("weight_kg", "volume_m3", "service_minutes"):
        if v.get(name, 0) < 0:
            row.errors.append((header[name], "0以上を指定してください / must be >= 0"))


def read_orders(data: bytes) -> tuple[list[Row], str]:
    """Every data row of the file (blank lines skipped), each with its values or its problems, and the
    file's encoding. Raises :class:`CsvFileError` when the file itself cannot be used."""
    text, encoding = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = next(reader)
    except StopIteration:
        raise CsvFileError("空のファイルです / the file is empty") from None
    columns: dict[int, str] = {}
    header: dict[str, str] = {}
    for i, h in enumerate(headers):
        name = _LOOKUP.get(_key(h))
        if name and name not in header:
            columns[i] = name
            header[name] = h.strip()
    missing = [HEADERS[n][0] for n in REQUIRED if n not in header]
    if missing:
        raise CsvFileError(f"必須の列がありません: {'、'.join(missing)} / required columns missing: "
                           f"{', '.join(missing)}")
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = Row(line)
        for i, name in columns.items():
            raw = cells[i].strip() if i < len(cells) else ""
            if not raw:
                if name in REQUIRED:
                    row.errors.append((header[name], "必須です / required"))
                continue
            convert, problem = _CELLS.get(name, (str, ""))
            try:
                row.values[name] = convert(raw)
            except ValueError:
                row.errors.append((header[name], f"{problem}: {raw!r}"))
        _check(row, header)
        rows.append(row)
    if not rows:
        raise CsvFileError("データ行がありません / the file has a header but no rows")
    return rows, encoding
