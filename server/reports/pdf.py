"""Reports as A4 PDF with Japanese text set in a real Japanese font (IPAexGothic, embedded).

The font file comes with the ``japanize-matplotlib`` package (MIT; the font itself under the IPA Font
License v1.0, whose text ships beside it), found without importing the package. The first page is the
branch summary with a chart of planned against actual distance and hours per vehicle; then one
運転日報 per driver and page.
"""

from __future__ import annotations

import copy
import importlib.util
import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import FontFace, SubsetMap, TTFFont

from server.jst import JST
from server.reports.csv_format import OUTCOME_JA, hhmm, hours, km, pct
from server.reports.diary import DERIVED, DrivingDiary
from server.reports.model import BranchDailyReport, MonthlySummary

FONT = "IPAexGothic"
PLANNED = (150, 170, 200)
ACTUAL = (40, 90, 160)
HEAD = FontFace(emphasis=None, fill_color=(225, 232, 242))


class FontMissing(RuntimeError):
    pass


@cache
def font_path() -> Path:
    """IPAexGothic inside the installed japanize-matplotlib package."""
    spec = importlib.util.find_spec("japanize_matplotlib")
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / "fonts" / "ipaexg.ttf"
        if path.is_file():
            return path
    raise FontMissing(
        "日本語フォント (IPAexGothic) が見つかりません: pip install japanize-matplotlib / "
        "the Japanese font is missing: install japanize-matplotlib"
    )


_TEMPLATE: list[TTFFont] = []
_FONT_BYTES: list[bytes] = []


def _font_for(doc: FPDF) -> TTFFont:
    """IPAexGothic for one document. Reading the font's metrics and character map costs about half a
    second, so it is done once per process (a template) and each document gets a shallow copy with its
    own fontTools font (opened lazily; fpdf2 subsets it in place when the document is written) and its
    own subset state."""
    if not _TEMPLATE:
        probe = FPDF()
        probe.add_font(FONT, fname=str(font_path()))
        template = probe.fonts[FONT.lower()]
        template.ttfont.close()  # its metrics are read; each document opens its own copy below
        _TEMPLATE.append(template)
        _FONT_BYTES.append(font_path().read_bytes())
    font = copy.copy(_TEMPLATE[0])
    font.i = len(doc.fonts) + 1
    font.ttfont = ttLib.TTFont(io.BytesIO(_FONT_BYTES[0]), recalcTimestamp=False, lazy=True)
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.color_font = None  # IPAexGothic has no colour glyphs
    return font


class _Doc(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.fonts[FONT.lower()] = _font_for(self)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(12, 12, 12)
        self.set_title(title)
        self.set_creator("Hakobu")
        self.footer_text = title

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text}  —  {self.page_no()} / {{nb}}", align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: float = 15, need: float = 40) -> None:
        """A title; on a new page when less than ``need`` mm are left (a heading never ends a page)."""
        if self.get_y() > self.h - need:
            self.add_page()
        self.set_font(FONT, size=size)
        self.cell(0, 9 if size >= 15 else 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=8.5)

    def banner(self, text: str) -> None:
        self.set_fill_color(255, 236, 200)
        self.set_font(FONT, size=9)
        self.multi_cell(0, 6, text, fill=True, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=8.5)
        self.ln(1)

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float],
             size: float = 7.5) -> None:
        self.set_font(FONT, size=size)
        self.set_fill_color(255, 255, 255)
        with self.table(col_widths=tuple(widths), headings_style=HEAD, line_height=4.6, text_align="LEFT",
                        width=sum(widths)) as t:
            t.row([str(h) for h in header])
            for r in rows:
                t.row(["" if c is None else str(c) for c in r])
        self.ln(2)
        self.set_font(FONT, size=8.5)

    def bars(
        self, labels: Sequence[str], pairs: Sequence[tuple[float, float]], unit: str, title: str,
        legend: tuple[str, str] = ("計画", "実績"),
    ) -> None:
        """A horizontal bar chart: per label, the planned bar over the actual one."""
        top = self.get_y()
        left, label_w, width = self.l_margin, 30, self.w - self.l_margin - self.r_margin - 30 - 22
        self.set_font(FONT, size=9)
        self.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=7)
        self.set_fill_color(*PLANNED)
        self.rect(left + label_w, self.get_y() + 1, 4, 3, style="F")
        self.set_x(left + label_w + 5)
        self.cell(20, 5, legend[0])
        self.set_fill_color(*ACTUAL)
        self.rect(left + label_w + 25, self.get_y() + 1, 4, 3, style="F")
        self.set_x(left + label_w + 30)
        self.cell(20, 5, legend[1], new_x="LMARGIN", new_y="NEXT")
        peak = max([1.0, *(max(p, a) for p, a in pairs)])
        for label, (planned, actual) in zip(labels, pairs, strict=True):
            y = self.get_y()
            self.set_xy(left, y + 1)
            self.cell(label_w, 5, label)
            for k, (value, colour) in enumerate(((planned, PLANNED), (actual, ACTUAL))):
                self.set_fill_color(*colour)
                w = width * value / peak
                if w > 0:
                    self.rect(left + label_w, y + 0.8 + 3.4 * k, w, 3, style="F")
                self.set_xy(left + label_w + w + 1, y + 0.3 + 3.4 * k)
                self.cell(20, 3.6, f"{value:.1f} {unit}")
            self.set_xy(left, y + 8)
        self.set_draw_color(160)
        self.line(left + label_w, top + 12, left + label_w, self.get_y())
        self.set_draw_color(0)
        self.ln(2)


def _summary_page(pdf: _Doc, report: BranchDailyReport) -> None:
    pdf.add_page()
    pdf.heading(f"日次報告  {report.branch_name}  {report.date:%Y年%m月%d日}")
    made = report.generated_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
    pdf.cell(0, 5, f"計画 {report.plan_id}   作成 {made}   稼働率 {pct(report.utilisation)}%",
             new_x="LMARGIN", new_y="NEXT")
    if report.provisional:
        running = "、".join(report.running_routes) or "なし"
        pdf.banner(f"途中経過 (provisional): この日はまだ終わっていません。運行中の車両: {running}")
    pdf.ln(1)
    rows = []
    for v in report.vehicles:
        rows.append((
            v.vehicle_id, v.driver_name or "-",
            "実績なし" if not v.has_actuals else ("運行中" if v.running else "終了"),
            f"{km(v.planned_m)} / {km(v.actual_m)}", f"{hours(v.planned_s)} / {hours(v.restraint_s)}",
            hours(v.driving_s), f"{hhmm(v.first_departure)}-{hhmm(v.last_return)}",
            f"{v.on_time}/{v.late}/{v.failed}/{v.pending}", pct(v.load_factor), pct(v.loaded_ratio),
            len(v.violations),
        ))
    pdf.grid(
        ("車両", "運転者", "状態", "距離 計画/実績 km", "時間 計画/拘束", "運転", "出庫-帰庫",
         "定時/遅延/不達/未",
         "積載率%", "実車率%", "違反"),
        rows, (14, 22, 13, 26, 22, 11, 20, 22, 12, 12, 10),
    )
    with_data = [v for v in report.vehicles if v.has_actuals or v.planned_m]
    labels = [v.vehicle_id for v in with_data]
    pdf.bars(labels, [(v.planned_m / 1000, v.actual_m / 1000) for v in with_data], "km", "距離 計画と実績")
    pdf.bars(labels, [(v.planned_s / 3600, v.restraint_s / 3600) for v in with_data], "h",
             "時間 計画と実績(拘束)")
    flagged = [
        (v.vehicle_id, s.order_id, s.place, OUTCOME_JA.get(s.outcome, s.outcome), s.waiting_s // 60,
         s.handling_s // 60,
         "、".join(x for x, on in (("滞在30分超", s.stop_over_30), ("荷待ち30分以上", s.wait_over_30),
                                  ("荷待ち・荷役2時間超", s.over_2h), ("遅延", s.late)) if on))
        for v in report.vehicles for s in v.stops
        if s.stop_over_30 or s.wait_over_30 or s.over_2h or s.late or s.outcome == "FAILED"
    ]
    if flagged:
        pdf.heading("要確認の配送先", 11)
        pdf.grid(("車両", "注文", "場所", "結果", "荷待ち分", "荷役分", "内容"), flagged,
                 (13, 31, 34, 12, 13, 12, 71))
    rules = [(v.vehicle_id, x.message_ja) for v in report.vehicles for x in v.violations]
    rules += [(x.driver_id, x.message_ja) for x in report.duty_violations]
    pdf.heading("改善基準告示", 11)
    pdf.grid(("車両/運転者", "内容"), rules or [("-", "違反はありません")], (24, 162))
    diffs = [(v.vehicle_id, " ".join(v.added) or "-", " ".join(v.skipped) or "-",
              f"{(v.actual_m - v.planned_m) / 1000:+.1f} km" + (" 迂回" if v.detour else ""))
             for v in report.vehicles if v.has_actuals and v.planned_m > 0]
    if diffs:
        pdf.heading("計画との差", 11)
        pdf.grid(("車両", "追加された配送先", "未訪問の配送先", "距離の差"), diffs, (20, 60, 60, 46))


def _diary_page(pdf: _Doc, d: DrivingDiary) -> None:
    pdf.add_page()
    pdf.heading(f"運転日報  {d.date:%Y年%m月%d日}")
    if d.provisional:
        pdf.banner("途中経過 (provisional): 乗務が終わっていない可能性があります")
    items = [
        ("運転者", f"{d.driver_name} ({d.driver_id})"),
        ("自動車登録番号", f"{d.registration_number} ({d.vehicle_id})"),
        ("営業所", d.branch_name),
        ("始業", f"{hhmm(d.start)}  {d.start_place}"),
        ("終業", f"{hhmm(d.end)}  {d.end_place}"),
        ("走行距離", f"{km(d.distance_m)} km"),
        ("主な経過地", " → ".join(d.waypoints) or "-"),
        ("乗務員の交替", "なし"),
    ]
    pdf.grid(("項目", "内容"), items, (36, 150), size=8)
    pdf.heading("休憩・睡眠 (10分以上)", 11)
    pdf.grid(("場所", "開始", "終了", "記録"),
             [(b.place, hhmm(b.start), hhmm(b.end), "位置情報から" if b.from_track else "運転者の記録")
              for b in d.breaks]
             or [("-", "", "", "")], (86, 25, 25, 50))
    pdf.heading("荷待ち (30分以上)", 11)
    pdf.grid(("場所", "指定時刻", "到着", "荷待ち", "荷役", "出発"),
             [(w.place, hhmm(w.set_time), hhmm(w.arrived), f"{hhmm(w.wait_start)}-{hhmm(w.wait_end)}",
               f"{hhmm(w.handling_start)}-{hhmm(w.handling_end)}", hhmm(w.departed)) for w in d.waits]
             or [("-", "", "", "", "", "")], (56, 22, 22, 30, 30, 26))
    pdf.heading("荷役作業", 11)
    # Two entries a row, so a day of 40 stops still fits its page.
    cells = [(h.place, h.what.replace(DERIVED, "*"), f"{hhmm(h.start)}-{hhmm(h.end)}", h.requested_by or "-")
             for h in d.handling]
    blank = ("", "", "", "")
    rows = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else blank) for i in range(0, len(cells), 2)]
    pdf.grid(("場所", "作業", "時刻", "依頼・確認者") * 2, rows or [("-", "", "", "") * 2],
             (34, 14, 21, 24) * 2, size=7)
    if any(DERIVED in h.what for h in d.handling):
        pdf.set_font(FONT, size=7)
        pdf.cell(0, 4, "* 荷役の記録がない配送先は、到着(荷待ちの後)から出発までを荷役としています",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.heading("事故・著しい遅延・異常・違反", 11)
    pdf.grid(("内容",), [(x,) for x in d.incidents] or [("なし",)], (186,), size=7)
    pdf.heading("運行指示・特記事項 (記入欄)", 11, need=36)
    y = pdf.get_y()
    pdf.set_auto_page_break(auto=False)  # the box and the seals stay on this page
    pdf.rect(pdf.l_margin, y, 186, 20)
    pdf.set_xy(pdf.l_margin + 2, y + 2)
    pdf.multi_cell(182, 5, d.notes)
    pdf.set_xy(pdf.l_margin + 2, y + 14)
    pdf.cell(182, 5, "運転者 確認印 ______________      運行管理者 確認印 ______________", align="R")
    pdf.set_auto_page_break(auto=True, margin=14)


def daily_pdf(report: BranchDailyReport, diaries: Sequence[DrivingDiary]) -> bytes:
    pdf = _Doc(f"日次報告 {report.branch_name} {report.date}")
    _summary_page(pdf, report)
    for d in diaries:
        _diary_page(pdf, d)
    return bytes(pdf.output())


def diary_pdf(diaries: Sequence[DrivingDiary]) -> bytes:
    pdf = _Doc("運転日報")
    for d in diaries:
        _diary_page(pdf, d)
    if not diaries:
        pdf.add_page()
        pdf.heading("運転日報: 該当する乗務はありません")
    return bytes(pdf.output())


def monthly_pdf(summary: MonthlySummary) -> bytes:
    pdf = _Doc(f"月次集計 {summary.branch_name} {summary.month:%Y-%m}")
    pdf.add_page()
    pdf.heading(f"月次集計  {summary.branch_name}  {summary.month:%Y年%m月}")
    pdf.cell(0, 5, f"報告日数 {summary.days_reported}", new_x="LMARGIN", new_y="NEXT")
    rows = [
        (d.driver_id, d.driver_name, d.days, hours(d.restraint_s), hours(d.driving_s), km(d.distance_m),
         d.delivered, d.late, d.failed, hours(d.waiting_s), hours(d.handling_s), d.violations)
        for d in (*summary.drivers, summary.total)
    ]
    pdf.grid(("運転者", "氏名", "日数", "拘束", "運転", "km", "配達", "遅延", "不達", "荷待ち", "荷役",
              "違反"),
             rows, (16, 26, 10, 16, 16, 16, 12, 12, 12, 16, 16, 12))
    pdf.bars([d.driver_name or d.driver_id for d in summary.drivers],
             [(284.0, d.restraint_s / 3600) for d in summary.drivers], "h", "拘束時間 (上限 284 h と実績)",
             ("上限", "実績"))
    pdf.heading("改善基準告示", 11)
    pdf.grid(("内容",), [(x.message_ja,) for x in summary.violations] or [("違反はありません",)], (186,))
    return bytes(pdf.output())
