"""The whole system for the browser tests: optimizer (+ GeoService on the Nerima roads), plans (+ identity),
tracking and the gateway serving the pages, on a fresh PostgreSQL seeded with the demo day and its
development passwords; and Debian's Chromium driven by Playwright.

Map tiles are refused (as on a closed network), so the pages draw the branch's streets themselves.
"""

from __future__ import annotations

import dataclasses
import datetime
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.server import RunningGateway
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import DEV_PASSWORDS, ORG_ID, seed, set_dev_passwords, tomorrow
from server.bootstrap import create_optimizer_server, create_plans_server, create_tracking_server
from server.platform.settings import Settings
from tests.integration.db.conftest import create_database, drop_database

ORG = f"organizations/{ORG_ID}"
BRANCH = f"{ORG}/branches/BR-NRM"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class System:
    url: str
    db: str
    day: datetime.date
    passwords: dict[str, str]

    tokens: dict[str, str] = dataclasses.field(default_factory=dict)

    @contextmanager
    def client(self, login: str) -> Iterator[httpx.Client]:
        """A REST client signed in as ``login`` (one sign-in per login: the gateway limits them)."""
        with httpx.Client(base_url=self.url, timeout=120) as client:
            if login not in self.tokens:
                answer = client.post("/v1/auth:login", json={"organization": ORG_ID, "login": login,
                                                              "password": self.passwords[login]})
                answer.raise_for_status()
                self.tokens[login] = answer.json()["accessToken"]
            client.headers["authorization"] = f"Bearer {self.tokens[login]}"
            yield client


@pytest.fixture(scope="package")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    name, db = create_database()
    settings = Settings(database_url=db, data_dir=tmp_path_factory.mktemp("web-system"), workers=0,
                        geo_cache=Settings().geo_cache_dir,  # compiled road graphs, shared between runs
                        metrics_port=-1)
    running: list[Any] = []
    try:
        migrate(db)
        day = tomorrow()
        seed(db, day)
        passwords = set_dev_passwords(db)
        optimizer = create_optimizer_server("127.0.0.1:0", workers=0, settings=settings)
        running.append(optimizer)
        target = f"127.0.0.1:{optimizer.port}"
        plans = create_plans_server("127.0.0.1:0", db, target, settings=settings)
        running.append(plans)
        tracking = create_tracking_server("127.0.0.1:0", db, settings=settings)
        running.append(tracking)
        gateway_settings = dataclasses.replace(
            settings, optimizer_target=target, plans_target=f"127.0.0.1:{plans.port}",
            tracking_target=f"127.0.0.1:{tracking.port}",
        )
        gateway = RunningGateway(create_app(gateway_settings)).start()
        running.append(gateway)
        yield System(gateway.url, db, day, {**DEV_PASSWORDS, **passwords})
    finally:
        for server in reversed(running):
            server.stop() if isinstance(server, RunningGateway) else server.stop(1)
        drop_database(name)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser: Any, width: int, height: int) -> Any:
    """A page in a fresh context (its own storage) whose map tiles cannot be loaded."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP",
                                  timezone_id="Asia/Tokyo")
    context.route("https://cyberjapandata.gsi.go.jp/**", lambda route: route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page
