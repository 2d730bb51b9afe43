"""Reports as CSV that Excel in Japan opens as it is: UTF-8 with a BOM (or Shift_JIS), Japanese headers,
CRLF line ends. A file may hold several tables, each under a 【title】 line and its own header."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from server.jst import JST
from server.reports.diary import FAILURE_JA, DrivingDiary
from server.reports.model import BranchDailyReport, MonthlySummary

ENCODINGS = {"utf-8": "utf-8-sig", "shift_jis": "cp932"}
OUTCOME_JA = {"DELIVERED": "完了", "FAILED": "不達", "PENDING": "未完了", "SKIPPED": "未訪問"}


def hhmm(t: datetime.datetime | None) -> str:
    return "" if t is None else t.astimezone(JST).strftime("%H:%M")


def hours(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}"


def km(metres: float) -> str:
    return f"{metres / 1000:.1f}"


def pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.1f}"


def encode(text: str, encoding: str = "utf-8") -> bytes:
    """``utf-8`` (with a BOM) or ``shift_jis`` (Windows code page 932; characters it lacks become ?)."""
    codec = ENCODINGS.get(encoding)
    if codec is None:
        raise ValueError(
            f"文字コードは utf-8 か shift_jis です / encoding must be utf-8 or shift_jis: {encoding!r}"
        )
    return text.encode(codec, errors="replace")


def _tables(tables: Iterable[tuple[str, Sequence[str], Iterable[Sequence[object]]]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for n, (title, header, rows) in enumerate(tables):
        if n:
            w.writerow([])
        w.writerow([f"【{title}】"])
        w.writerow(header)
        w.writerows(rows)
    return buf.getvalue()


VEHICLE_HEADER = (
    "車両", "登録番号", "運転者", "状態", "計画距離(km)", "実績距離(km)", "計画時間", "拘束時間",
    "運転時間", "出庫",
    "帰庫", "予定件数", "定時", "遅延", "不達", "未完了", "荷待ち(分)", "荷役(分)", "積載率(%)",
    "計画積載率(%)",
    "実車率(%)", "追加", "未訪問", "距離差(km)", "違反",
)
STOP_HEADER = (
    "車両", "順", "注文", "場所", "指定開始", "指定終了", "計画到着", "到着", "出発", "結果",
    "不達理由", "荷待ち(分)",
    "荷役(分)", "30分超の滞在", "荷待ち30分以上", "荷待ち・荷役2時間超", "依頼者",
)


def daily_csv(report: BranchDailyReport) -> str:
    def state(v) -> str:
        if not v.has_actuals:
            return "実績なし"
        return "運行中" if v.running else "終了"

    vehicles = [
        (
            v.vehicle_id, v.registration_number, v.driver_name, state(v), km(v.planned_m), km(v.actual_m),
            hours(v.planned_s), hours(v.restraint_s), hours(v.driving_s), hhmm(v.first_departure),
            hhmm(v.last_return), sum(1 for s in v.stops if s.sequence is not None), v.on_time, v.late,
            v.failed,
            v.pending, sum(s.waiting_s for s in v.stops) // 60, sum(s.handling_s for s in v.stops) // 60,
            pct(v.load_factor), pct(v.planned_load_factor), pct(v.loaded_ratio), " ".join(v.added),
            " ".join(v.skipped), km(v.actual_m - v.planned_m) if v.has_actuals else "", len(v.violations),
        )
        for v in report.vehicles
    ]
    stops = [
        (
            v.vehicle_id, "" if s.sequence is None else s.sequence, s.order_id, s.place, hhmm(s.window_start),
            hhmm(s.window_end), hhmm(s.planned_arrival), hhmm(s.arrived), hhmm(s.departed),
            OUTCOME_JA.get(s.outcome, s.outcome) + ("(遅延)" if s.late else ""),
            FAILURE_JA.get(s.failure_reason, s.failure_reason), s.waiting_s // 60, s.handling_s // 60,
            "○" if s.stop_over_30 else "", "○" if s.wait_over_30 else "", "○" if s.over_2h else "",
            s.requested_by,
        )
        for v in report.vehicles
        for s in v.stops
    ]
    rules = [
        (v.vehicle_id, v.driver_name, report.date.isoformat(), x.code.value, x.amount, x.limit, x.message_ja)
        for v in report.vehicles
        for x in v.violations
    ] + [
        (
            "", x.driver_id, x.day.isoformat(), x.code.value, x.amount, x.limit,
            ("[注意] " if x.severity.value == "ADVISORY" else "") + x.message_ja,
        )
        for x in report.duty_violations
    ]
    head = [(
        report.branch_name, report.date.isoformat(), report.plan_id,
        "途中経過" if report.provisional else "確定", " ".join(report.running_routes),
        pct(report.utilisation), report.generated_at.astimezone(JST).strftime("%Y-%m-%d %H:%M"),
    )]
    return _tables([
        ("日次報告", ("営業所", "日付", "計画", "状態", "運行中の車両", "稼働率(%)", "作成"), head),
        ("車両別", VEHICLE_HEADER, vehicles),
        ("配送先別", STOP_HEADER, stops),
        ("改善基準告示", ("車両", "運転者", "日", "規則", "値(秒)", "上限(秒)", "内容"), rules),
    ])


def _span(a: datetime.datetime | None, b: datetime.datetime | None) -> str:
    return f"{hhmm(a)}-{hhmm(b)}"


def diary_csv(diaries: Sequence[DrivingDiary]) -> str:
    rows = [
        (
            d.date.isoformat(), d.driver_name, d.driver_id, d.registration_number, hhmm(d.start),
            d.start_place,
            hhmm(d.end), d.end_place, km(d.distance_m), " → ".join(d.waypoints),
            "; ".join(f"{b.place} {_span(b.start, b.end)}" for b in d.breaks),
            "; ".join(
                f"{w.place} 指定{hhmm(w.set_time)} 到着{hhmm(w.arrived)} "
                f"荷待ち{_span(w.wait_start, w.wait_end)} "
                f"荷役{_span(w.handling_start, w.handling_end)} 出発{hhmm(w.departed)}"
                for w in d.waits
            ),
            "; ".join(
                f"{h.place} {h.what} {_span(h.start, h.end)}"
                f"{' 依頼:' + h.requested_by if h.requested_by else ''}"
                for h in d.handling
            ),
            "; ".join(d.incidents), "途中経過" if d.provisional else "", d.notes,
        )
        for d in diaries
    ]
    header = (
        "日付", "運転者", "社員番号", "自動車登録番号", "始業", "始業地", "終業", "終業地",
        "走行距離(km)", "主な経過地",
        "休憩(場所・時刻)", "荷待ち30分以上(場所・時刻)", "荷役(場所・時刻・依頼者)", "異常・違反",
        "状態", "備考",
    )
    return _tables([("運転日報", header, rows)])


def monthly_csv(summary: MonthlySummary) -> str:
    header = (
        "運転者", "氏名", "乗務日数", "拘束時間", "運転時間", "走行距離(km)", "配達", "うち遅延",
        "不達", "荷待ち",
        "荷役", "違反",
    )

    def row(d) -> tuple:
        return (
            d.driver_id, d.driver_name, d.days, hours(d.restraint_s), hours(d.driving_s), km(d.distance_m),
            d.delivered, d.late, d.failed, hours(d.waiting_s), hours(d.handling_s), d.violations,
        )

    rules = [
        (getattr(x, "driver_id", None) or getattr(x, "vehicle_id", "") or "", x.code.value, x.amount, x.limit,
         x.message_ja)
        for x in summary.violations
    ]
    return _tables([
        (f"月次集計 {summary.branch_name} {summary.month:%Y-%m}", header, [*map(row, summary.drivers),
                                                                         row(summary.total)]),
        ("改善基準告示", ("運転者/車両", "規則", "値(秒)", "上限(秒)", "内容"), rules),
    ])
