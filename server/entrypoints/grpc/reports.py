"""ReportService: thin conversions between hakobu.reports.v1 and the reports use cases.

A DRIVER may read and export only his own 運転日報 (the policy lets him call the diary methods; this
narrows the call to ``Principal.driver``). NoActualsError (a planned day without tracking data) is
FAILED_PRECONDITION; no plan, an unknown branch or driver NOT_FOUND.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

import grpc

from hakobu.reports.v1 import reports_pb2 as pb
from hakobu.reports.v1 import reports_pb2_grpc
from server.entrypoints.grpc import reports_convert as convert
from server.entrypoints.grpc.context import Caller, caller, shown
from server.entrypoints.grpc.errors import abort_bad_request, grpc_errors
from server.identity.principal import Role
from server.jst import JST
from server.reports import usecases
from server.reports.errors import NoActualsError
from server.reports.files import daily_file, diary_file, monthly_file
from server.reports.ports import ReportStores

_FORMAT = {pb.CSV: "csv", pb.PDF: "pdf"}
_ENCODING = {pb.CSV_ENCODING_UNSPECIFIED: "utf-8", pb.UTF_8: "utf-8", pb.SHIFT_JIS: "shift_jis"}
MAX_RANGE_DAYS = 366
F = TypeVar("F", bound=Callable[..., Any])


def _now() -> datetime.datetime:
    return datetime.datetime.now(JST)


def report_errors(method: F) -> F:
    """``grpc_errors``, and a planned day without tracking data is FAILED_PRECONDITION."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except NoActualsError as exc:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))

    return grpc_errors(wrapper)  # type: ignore[return-value]


class ReportServicer(reports_pb2_grpc.ReportServiceServicer):
    def __init__(self, stores: ReportStores, *, now: Callable[[], datetime.datetime] = _now,
                 rules: usecases.ReportRules | None = None) -> None:
        self.stores = stores
        self.now = now
        self.rules = rules or usecases.ReportRules()

    def shutdown(self, grace: float) -> None:
        """Nothing runs in the background: calls under way finish within the server's grace."""

    # ---------------------------------------------------------------- names and callers

    def _name(self, context: grpc.ServicerContext, who: Caller, name: str, kinds: tuple[str, ...],
              field: str = "name") -> convert.ReportName:
        org = re.match(r"organizations/([^/]+)/", name or "")
        if org is not None and org[1] != who.organization:
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          f"他の組織のデータにはアクセスできません / organizations/{org[1]} is not the "
                          f"caller's organization")
        parsed = convert.parse_report_name(name or "")
        if parsed is None or parsed.kind not in kinds:
            shapes = {
                "daily": "organizations/{o}/branches/{b}/dailyReports/{YYYY-MM-DD}",
                "diary": "organizations/{o}/branches/{b}/dailyReports/{YYYY-MM-DD}/drivingDiaries/{driver}",
                "monthly": "organizations/{o}/branches/{b}/monthlySummaries/{YYYY-MM}",
            }
            abort_bad_request(context, [(field, f"must look like {' or '.join(shapes[k] for k in kinds)}, "
                                                f"got {shown(name)}")])
        if parsed.organization != who.organization:
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          f"他の組織のデータにはアクセスできません / organizations/{parsed.organization} "
                          f"is not the caller's organization")
        return parsed

    @staticmethod
    def _own_driver(context: grpc.ServicerContext, who: Caller) -> str | None:
        """The caller's driver id when he is a DRIVER (he sees only his own), else None."""
        p = who.principal
        if p is None or p.role is not Role.DRIVER:
            return None
        if not p.driver:
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          "運転者に紐づいていない利用者です / the DRIVER user is linked to no driver")
        return p.driver

    def _deny_other_driver(self, context: grpc.ServicerContext, own: str | None, driver: str | None) -> None:
        if own is not None and driver != own:
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          "他の運転者の運転日報は見られません / a driver may read only his own driving diary")

    # ---------------------------------------------------------------- methods

    @report_errors
    def GetDailyReport(
        self, request: pb.GetDailyReportRequest, context: grpc.ServicerContext
    ) -> pb.DailyReport:
        who = caller(context)
        n = self._name(context, who, request.name, ("daily",))
        r = usecases.daily_report(self.stores, n.organization, n.branch, n.date, self.now(), self.rules)
        return convert.daily_report(r)

    @report_errors
    def ListDrivingDiaries(self, request: pb.ListDrivingDiariesRequest,
                           context: grpc.ServicerContext) -> pb.ListDrivingDiariesResponse:
        who = caller(context)
        n = self._name(context, who, request.parent, ("daily",), "parent")
        own = self._own_driver(context, who)
        found = usecases.driver_diary(self.stores, n.organization, n.branch, n.date, None, self.now(),
                                      self.rules)
        if own is not None:
            found = [d for d in found if d.driver_id == own]
        return pb.ListDrivingDiariesResponse(
            driving_diaries=[convert.diary(d, n.organization, n.branch) for d in found])

    @report_errors
    def GetDrivingDiary(
        self, request: pb.GetDrivingDiaryRequest, context: grpc.ServicerContext
    ) -> pb.DrivingDiary:
        who = caller(context)
        n = self._name(context, who, request.name, ("diary",))
        self._deny_other_driver(context, self._own_driver(context, who), n.driver)
        (d,) = usecases.driver_diary(self.stores, n.organization, n.branch, n.date, n.driver, self.now(),
                                     self.rules)
        return convert.diary(d, n.organization, n.branch)

    @report_errors
    def CheckRules(
        self, request: pb.CheckRulesRequest, context: grpc.ServicerContext
    ) -> pb.CheckRulesResponse:
        who = caller(context)
        m = convert.BRANCH.fullmatch(request.branch or "")
        if m is None:
            abort_bad_request(context, [("branch", "must look like organizations/{o}/branches/{b}, "
                                                   f"got {shown(request.branch)}")])
        if m[1] != who.organization:
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          f"他の組織のデータにはアクセスできません / organizations/{m[1]} "
                          f"is not the caller's")
        bad, dates = [], {}
        for field in ("start_date", "end_date"):
            try:
                dates[field] = datetime.date.fromisoformat(getattr(request, field))
            except ValueError:
                got = shown(getattr(request, field))
                bad.append((field, f"日付 YYYY-MM-DD / must be a date YYYY-MM-DD, got {got}"))
        if not bad and not 0 <= (dates["end_date"] - dates["start_date"]).days <= MAX_RANGE_DAYS:
            bad.append(("end_date", f"start_date 以降 {MAX_RANGE_DAYS} 日以内 / must be from start_date to "
                                    f"{MAX_RANGE_DAYS} days after it"))
        if bad:
            abort_bad_request(context, bad)
        check = usecases.rule_check(self.stores, m[1], m[2], dates["start_date"], dates["end_date"],
                                    self.now(), self.rules)
        return convert.rule_check(check)

    @report_errors
    def GetMonthlySummary(self, request: pb.GetMonthlySummaryRequest,
                          context: grpc.ServicerContext) -> pb.MonthlySummary:
        who = caller(context)
        n = self._name(context, who, request.name, ("monthly",))
        summary = usecases.monthly_report(self.stores, n.organization, n.branch, n.date, self.now(),
                                          self.rules)
        return convert.monthly(summary)

    @report_errors
    def ExportReport(self, request: pb.ExportReportRequest, context: grpc.ServicerContext) -> pb.ReportFile:
        who = caller(context)
        n = self._name(context, who, request.name, ("daily", "diary", "monthly"))
        fmt = _FORMAT.get(request.format)
        if fmt is None:
            abort_bad_request(context, [("format", "CSV か PDF を指定してください / must be CSV or PDF")])
        encoding = _ENCODING.get(request.encoding)
        if encoding is None:
            abort_bad_request(context, [("encoding", "UTF_8 か SHIFT_JIS / must be UTF_8 or SHIFT_JIS")])
        own = self._own_driver(context, who)
        if own is not None and n.kind != "diary":
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          "運転者は自分の運転日報のみ出力できます / "
                          "a driver may export only his own driving diary")
        self._deny_other_driver(context, own, n.driver)
        now = self.now()
        if n.kind == "daily":
            report = usecases.daily_report(self.stores, n.organization, n.branch, n.date, now, self.rules)
            f = daily_file(report, fmt, encoding)
        elif n.kind == "diary":
            found = usecases.driver_diary(self.stores, n.organization, n.branch, n.date, n.driver, now,
                                          self.rules)
            f = diary_file(found, n.branch, fmt, encoding)
        else:
            f = monthly_file(usecases.monthly_report(self.stores, n.organization, n.branch, n.date, now,
                                                     self.rules), fmt, encoding)
        return pb.ReportFile(filename=f.filename, content_type=f.content_type, data=f.data,
                             provisional=f.provisional)

