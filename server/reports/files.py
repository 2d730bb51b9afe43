"""Report files: the daily report, 運転日報 and monthly summary as CSV or PDF, with their file names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.reports.csv_format import daily_csv, diary_csv, encode, monthly_csv
from server.reports.diary import DrivingDiary, diaries
from server.reports.model import BranchDailyReport, MonthlySummary
from server.reports.pdf import daily_pdf, diary_pdf, monthly_pdf

FORMATS = ("csv", "pdf")


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content_type: str
    data: bytes
    provisional: bool = False


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"形式は csv か pdf です / format must be csv or pdf, not {fmt!r}")


def _csv_type(encoding: str) -> str:
    return "text/csv; charset=shift_jis" if encoding == "shift_jis" else "text/csv; charset=utf-8"


def daily_file(report: BranchDailyReport, fmt: str, encoding: str = "utf-8") -> ReportFile:
    """The branch report; as PDF followed by one 運転日報 per driver and page."""
    _check(fmt)
    stem = f"daily-{report.branch_id}-{report.date.isoformat()}"
    if fmt == "csv":
        return ReportFile(f"{stem}.csv", _csv_type(encoding), encode(daily_csv(report), encoding),
                          report.provisional)
    pdf = daily_pdf(report, diaries(report))
    return ReportFile(f"{stem}.pdf", "application/pdf", pdf, report.provisional)


def diary_file(
    found: Sequence[DrivingDiary], branch_id: str, fmt: str, encoding: str = "utf-8"
) -> ReportFile:
    _check(fmt)
    who = found[0].driver_id if len(found) == 1 else "all"
    day = found[0].date.isoformat() if found else "none"
    stem = f"diary-{branch_id}-{day}-{who}"
    provisional = any(d.provisional for d in found)
    if fmt == "csv":
        return ReportFile(f"{stem}.csv", _csv_type(encoding), encode(diary_csv(found), encoding), provisional)
    return ReportFile(f"{stem}.pdf", "application/pdf", diary_pdf(found), provisional)


def monthly_file(summary: MonthlySummary, fmt: str, encoding: str = "utf-8") -> ReportFile:
    _check(fmt)
    stem = f"monthly-{summary.branch_id}-{summary.month:%Y-%m}"
    if fmt == "csv":
        return ReportFile(f"{stem}.csv", _csv_type(encoding), encode(monthly_csv(summary), encoding))
    return ReportFile(f"{stem}.pdf", "application/pdf", monthly_pdf(summary))
