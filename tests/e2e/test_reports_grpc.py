"""ReportService over a real socket: every method, the files, the roles, and the bad names and days."""

from __future__ import annotations

import datetime

import grpc
import pytest

from hakobu.reports.v1 import reports_pb2 as pb
from hakobu.reports.v1 import reports_pb2_grpc
from server.bootstrap import create_reports_server
from tests.credentials import SETTINGS, Role, metadata_for
from tests.unit.reports.fakes import stores_of
from tests.unit.reports.recorded import DATE, ORG, at, recorded_day, shifted

BR = f"organizations/{ORG}/branches/BR-NRM"
DAILY = f"{BR}/dailyReports/{DATE}"
NOW = at(6, day=DATE + datetime.timedelta(days=1))


@pytest.fixture(scope="module")
def stub():
    stores = stores_of(shifted(recorded_day(), -1), recorded_day())
    running = create_reports_server("127.0.0.1:0", settings=SETTINGS, stores=stores, now=lambda: NOW)
    channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
    yield reports_pb2_grpc.ReportServiceStub(channel)
    channel.close()
    running.stop(0)


def md(role: Role = Role.DISPATCHER, org: str = ORG, driver: str | None = None):
    return metadata_for(org, role, driver=driver)


def code_of(call) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as exc:
        call()
    return exc.value.code()


def test_daily_report(stub):
    r = stub.GetDailyReport(pb.GetDailyReportRequest(name=DAILY), metadata=md())
    assert r.name == DAILY and r.branch_name == "練馬営業所" and not r.provisional
    v2 = next(v for v in r.vehicles if v.vehicle_id == "V-002")
    assert v2.restraint.seconds == 14.5 * 3600 and v2.failed == 1 and v2.load_factor == pytest.approx(0.45)
    assert [x.code for x in v2.violations] == ["RESTRAINT"]
    o3 = v2.stops[0]
    assert o3.waiting.seconds == 9000 and o3.wait_over_30_minutes and o3.over_2_hours
    assert [(d.code, d.severity, d.driver_id) for d in r.duty_violations] == [
        ("REST_BELOW_TARGET", "ADVISORY", "D-002")]
    assert r.utilisation == pytest.approx(0.75)


def test_diaries_and_a_drivers_own(stub):
    all_ = stub.ListDrivingDiaries(pb.ListDrivingDiariesRequest(parent=DAILY), metadata=md())
    assert [d.driver_id for d in all_.driving_diaries] == ["D-001", "D-002", "D-003"]
    own = stub.ListDrivingDiaries(pb.ListDrivingDiariesRequest(parent=DAILY),
                                  metadata=md(Role.DRIVER, driver="D-002"))
    assert [d.driver_name for d in own.driving_diaries] == ["佐々木 次郎"]
    d = stub.GetDrivingDiary(pb.GetDrivingDiaryRequest(name=f"{DAILY}/drivingDiaries/D-002"),
                             metadata=md(Role.DRIVER, driver="D-002"))
    assert d.registration_number == "練馬 100 あ 02" and d.waits[0].place == "所沢物流"
    other = pb.GetDrivingDiaryRequest(name=f"{DAILY}/drivingDiaries/D-001")
    assert code_of(lambda: stub.GetDrivingDiary(other, metadata=md(Role.DRIVER, driver="D-002"))) \
        == grpc.StatusCode.PERMISSION_DENIED
    assert code_of(lambda: stub.GetDailyReport(pb.GetDailyReportRequest(name=DAILY),
                                               metadata=md(Role.DRIVER, driver="D-002"))) \
        == grpc.StatusCode.PERMISSION_DENIED


def test_rules_and_month(stub):
    r = stub.CheckRules(pb.CheckRulesRequest(branch=BR, start_date=str(DATE - datetime.timedelta(days=1)),
                                             end_date=str(DATE)), metadata=md())
    assert r.days_reported == 2
    assert sorted(v.code for v in r.violations) == [
        "CONTINUOUS_DRIVING", "CONTINUOUS_DRIVING", "RESTRAINT", "RESTRAINT", "REST_BELOW_TARGET"]
    m = stub.GetMonthlySummary(pb.GetMonthlySummaryRequest(name=f"{BR}/monthlySummaries/2026-11"),
                               metadata=md())
    assert m.days_reported == 1 and m.total.days == 3 and m.total.failed == 1


def test_export_files(stub):
    pdf = stub.ExportReport(pb.ExportReportRequest(name=DAILY, format=pb.PDF), metadata=md())
    assert pdf.filename == "daily-BR-NRM-2026-12-01.pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.content_type == "application/pdf"
    csv = stub.ExportReport(pb.ExportReportRequest(name=DAILY, format=pb.CSV, encoding=pb.SHIFT_JIS),
                            metadata=md())
    assert "練馬営業所" in csv.data.decode("cp932") and csv.content_type.endswith("shift_jis")
    mine = stub.ExportReport(pb.ExportReportRequest(name=f"{DAILY}/drivingDiaries/D-002", format=pb.CSV),
                             metadata=md(Role.DRIVER, driver="D-002"))
    assert mine.data.startswith(b"\xef\xbb\xbf") and "佐々木 次郎" in mine.data.decode("utf-8-sig")
    assert code_of(lambda: stub.ExportReport(pb.ExportReportRequest(name=DAILY, format=pb.PDF),
                                             metadata=md(Role.DRIVER, driver="D-002"))) \
        == grpc.StatusCode.PERMISSION_DENIED
    assert code_of(lambda: stub.ExportReport(pb.ExportReportRequest(name=DAILY), metadata=md())) \
        == grpc.StatusCode.INVALID_ARGUMENT


def test_bad_names_days_and_organizations(stub):
    def daily(name, **kw):
        return code_of(lambda: stub.GetDailyReport(pb.GetDailyReportRequest(name=name), metadata=md(**kw)))

    assert daily(f"{BR}/dailyReports/2026-13-01") == grpc.StatusCode.INVALID_ARGUMENT
    assert daily("branches/BR-NRM") == grpc.StatusCode.INVALID_ARGUMENT
    assert daily(f"{BR}/dailyReports/2026-11-20") == grpc.StatusCode.NOT_FOUND  # no plan
    assert daily(f"organizations/{ORG}/branches/BR-XXX/dailyReports/{DATE}") == grpc.StatusCode.NOT_FOUND
    assert daily(DAILY, org="ORG-999") == grpc.StatusCode.PERMISSION_DENIED
    assert daily(f"{BR}/dailyReports/2027-01-01") == grpc.StatusCode.INVALID_ARGUMENT  # the future
    assert code_of(lambda: stub.GetDailyReport(pb.GetDailyReportRequest(name=DAILY))) \
        == grpc.StatusCode.UNAUTHENTICATED
    bad = code_of(lambda: stub.CheckRules(pb.CheckRulesRequest(branch=BR, start_date="2026-12-02",
                                                               end_date="2026-12-01"), metadata=md()))
    assert bad == grpc.StatusCode.INVALID_ARGUMENT
