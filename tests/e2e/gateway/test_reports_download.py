"""Reports through the REST gateway: the daily report as JSON, and a report file as a download
(``?alt=media``: the file's bytes, type and name)."""

from __future__ import annotations

import dataclasses
import datetime
from urllib.parse import unquote

import httpx
import pytest

from gateway.app import create_app
from gateway.server import RunningGateway
from server.bootstrap import create_reports_server
from tests.credentials import SETTINGS, token_for
from tests.unit.reports.fakes import stores_of
from tests.unit.reports.recorded import DATE, ORG, at, recorded_day

NOW = at(6, day=DATE + datetime.timedelta(days=1))
DAILY = f"/v1/organizations/{ORG}/branches/BR-NRM/dailyReports/{DATE}"


@pytest.fixture(scope="module")
def client():
    reports = create_reports_server("127.0.0.1:0", settings=SETTINGS, stores=stores_of(recorded_day()),
                                    now=lambda: NOW)
    settings = dataclasses.replace(SETTINGS, reports_target=f"127.0.0.1:{reports.port}")
    gateway = RunningGateway(create_app(settings)).start()
    try:
        with httpx.Client(base_url=gateway.url, timeout=60,
                          headers={"authorization": f"Bearer {token_for(ORG)}"}) as c:
            yield c
    finally:
        gateway.stop()
        reports.stop(0)


def test_the_daily_report_as_json(client):
    r = client.get(DAILY)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["branchName"] == "練馬営業所" and len(body["vehicles"]) == 4


def test_a_report_file_as_a_download(client):
    r = client.get(f"{DAILY}:export", params={"format": "PDF", "alt": "media"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    disposition = r.headers["content-disposition"]
    assert 'filename="daily-BR-NRM-2026-12-01.pdf"' in disposition
    csv = client.get(f"{DAILY}/drivingDiaries/D-002:export", params={"format": "CSV", "alt": "media"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "佐々木 次郎" in csv.content.decode("utf-8-sig")
    name = unquote(csv.headers["content-disposition"].split("UTF-8''")[1])
    assert name == "diary-BR-NRM-2026-12-01-D-002.csv"
    as_json = client.get(f"{DAILY}:export", params={"format": "CSV"})
    assert as_json.json()["filename"] == "daily-BR-NRM-2026-12-01.csv"
