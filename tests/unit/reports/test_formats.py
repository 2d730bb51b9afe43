"""CSV that Excel in Japan opens, and A4 PDF pages with Japanese text in an embedded Japanese font."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

import pytest
from fontTools.ttLib import TTFont

from server.reports.csv_format import daily_csv, diary_csv, encode, monthly_csv
from server.reports.daily import branch_report
from server.reports.diary import diaries
from server.reports.monthly import monthly_summary
from server.reports.pdf import daily_pdf, font_path, monthly_pdf
from tests.unit.reports.recorded import DATE, recorded_day


@pytest.fixture(scope="module")
def report():
    return branch_report(recorded_day())


def tables(text: str) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for row in csv.reader(io.StringIO(text)):
        if len(row) == 1 and row[0].startswith("【"):
            current = out.setdefault(row[0].strip("【】"), [])
        elif row:
            current.append(row)
    return out


def test_daily_csv_is_utf8_with_bom_and_japanese_headers(report):
    data = encode(daily_csv(report))
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    t = tables(data.decode("utf-8-sig"))
    assert list(t) == ["日次報告", "車両別", "配送先別", "改善基準告示"]
    head, *rows = t["車両別"]
    v2 = dict(zip(head, rows[1], strict=True))
    assert v2["運転者"] == "佐々木 次郎" and v2["拘束時間"] == "14:30" and v2["運転時間"] == "8:30"
    assert (v2["定時"], v2["遅延"], v2["不達"], v2["荷待ち(分)"]) == ("2", "1", "1", "150")
    assert v2["積載率(%)"] == "45.0" and v2["実績距離(km)"] == "330.0"
    head, *stops = t["配送先別"]
    o3 = dict(zip(head, stops[2], strict=True))
    assert (o3["注文"], o3["荷待ち(分)"]) == ("O-3", "150")
    assert (o3["荷待ち30分以上"], o3["荷待ち・荷役2時間超"]) == ("○", "○")
    o4 = dict(zip(head, stops[3], strict=True))
    assert (o4["結果"], o4["不達理由"]) == ("不達", "不在")
    assert [r[3] for r in t["改善基準告示"][1:]] == ["CONTINUOUS_DRIVING", "RESTRAINT"]
    assert t["日次報告"][1][3] == "確定"


def test_shift_jis_option(report):
    data = encode(daily_csv(report), "shift_jis")
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("cp932")
    assert "練馬営業所" in text and "荷待ち30分以上" in text
    with pytest.raises(ValueError, match="shift_jis"):
        encode("x", "latin-1")


def test_diary_csv_has_the_items_of_article_8(report):
    (head, *rows), = tables(diary_csv(diaries(report))).values()
    assert [r[1] for r in rows] == ["山田 太郎", "佐々木 次郎", "鈴木 花子"]
    d2 = dict(zip(head, rows[1], strict=True))
    assert d2["自動車登録番号"] == "練馬 100 あ 02"
    assert (d2["始業"], d2["終業"], d2["始業地"]) == ("05:00", "19:30", "練馬営業所")
    assert d2["走行距離(km)"] == "330.0"
    assert d2["休憩(場所・時刻)"] == "本庄工場 11:45-12:45; 前橋配送センター 15:00-15:30"
    assert d2["荷待ち30分以上(場所・時刻)"] == (
        "所沢物流 指定06:00 到着06:00 荷待ち06:00-08:30 荷役08:30-08:50 出発08:55")
    assert "依頼:所沢物流 佐藤" in d2["荷役(場所・時刻・依頼者)"]
    # A stop with no handling recorded: its time there (after any wait) stands for the 荷役.
    assert "狭山商店 荷卸し(到着〜出発) 09:55-10:00" in d2["荷役(場所・時刻・依頼者)"]
    assert "配達不能 狭山商店(O-4): 不在" in d2["異常・違反"]


def test_monthly_csv_totals(report):
    summary = monthly_summary([report], DATE)
    t = tables(monthly_csv(summary))
    (title, *_), = [k for k in t if k.startswith("月次集計")],
    head, *rows = t[title]
    total = dict(zip(head, rows[-1], strict=True))
    assert total["氏名"] == "合計" and total["乗務日数"] == "3" and total["走行距離(km)"] == "690.0"
    assert total["不達"] == "1" and total["違反"] == "2"


needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


@needs_poppler
def test_pdf_pages_render_with_japanese_glyphs(report, tmp_path):
    """Summary + one 運転日報 per driver, A4; every character of the text has a glyph in the embedded font,
    and the pages render to PNG with ink where the title is."""
    data = daily_pdf(report, diaries(report))
    assert data.startswith(b"%PDF") and b"IPAexGothic" in data
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+4$", info, re.M) and "595.28 x 841.89 pts (A4)" in info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for words in ("日次報告 練馬営業所", "運転日報", "佐々木 次郎", "荷待ち (30分以上)", "連続運転時間",
                  "所沢物流"):
        assert words in text
    cmap = TTFont(font_path()).getBestCmap()
    missing = {c for c in text if not c.isspace() and ord(c) not in cmap}
    assert missing == set()
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 4
    from PIL import Image

    with Image.open(pages[0]) as im:
        gray = im.convert("L")
        w, h = gray.size
        title = gray.crop((0, 0, w // 2, h // 12))
        assert title.getextrema()[0] < 80  # dark text in the title
        assert (w, h) == (331, 468)  # A4 at 40 dpi


@needs_poppler
def test_monthly_pdf(report, tmp_path):
    data = monthly_pdf(monthly_summary([report], DATE))
    pdf = tmp_path / "m.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "月次集計" in text and "合計" in text
