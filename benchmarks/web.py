"""The planner's page with a big day: how soon a 500-stop, 30-truck plan is interactive in headless
Chromium, and how long a move takes from the click to the checker's verdict on screen.

    python -m benchmarks.web --orders 400 --vehicles 27 --moves 15 --time-limit 30

The whole system runs in this process on free ports (optimizer + GeoService, plans + identity, tracking,
the gateway serving the page) over a fresh PostgreSQL database (``hakobu_bench_*``, dropped afterwards),
seeded with the demo data (練馬営業所: 3 trucks, 100 orders) plus ``--vehicles`` trucks and drivers and
``--orders`` orders at random
points of the Nerima road graph (imported as one CSV file through ``ImportOrders``). The plan is made on
the roads by ``OptimizePlan`` through the gateway, then Debian's Chromium opens the board as the
dispatcher:

* *interactive*: from navigation start to the board's ``readyAt`` (the plan, its stops and routes drawn,
  the timeline filled, the totals shown), each load in a fresh browser context (no cache), ``--loads``
  times;
* *move checked*: a stop is moved to another truck with the panel; from the click on チェック to the
  verdict shown (``EditPlan`` with ``validate_only`` through the gateway, then the panel drawn),
  ``--moves`` times. Map tiles are refused, as on a closed network.

Figures only, nothing asserted. Needs PostgreSQL on 127.0.0.1:5432 and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.plans import ADMIN_URL, database
from gateway.app import create_app
from gateway.server import RunningGateway
from server.adapters.postgres.seed import DEV_PASSWORDS, NERIMA_BOX, ORG_ID, seed, set_dev_passwords, tomorrow
from server.bootstrap import create_optimizer_server, create_plans_server, create_tracking_server
from server.platform.settings import Settings

ORG = f"organizations/{ORG_ID}"
BRANCH = f"{ORG}/branches/BR-NRM"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _csv(n: int, day: str, rng: random.Random) -> bytes:
    lat0, lat1, lon0, lon1 = NERIMA_BOX
    lines = ["受注番号,届け先名,住所,緯度,経度,配達日,時間指定,重量(kg)"]
    for i in range(n):
        window = rng.choice(["", "", "午前中", "14-18"])
        lat, lon = rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)
        weight = rng.randint(150, 330)  # heavy enough that the day needs about 30 trucks
        lines.append(f"B-{i:04d},届け先{i},東京都練馬区,{lat:.6f},{lon:.6f},{day},{window},{weight}")
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def _login(client: httpx.Client, login: str) -> None:
    answer = client.post("/v1/auth:login", json={"organization": ORG_ID, "login": login,
                                                  "password": DEV_PASSWORDS[login]})
    answer.raise_for_status()
    client.headers["authorization"] = f"Bearer {answer.json()['accessToken']}"


def _prepare(url: str, ns: argparse.Namespace) -> tuple[dict[str, Any], float]:
    """Trucks, drivers and orders added, the day optimized; the plan and the optimization's seconds."""
    rng = random.Random(ns.seed)
    day = tomorrow()
    with httpx.Client(base_url=url, timeout=600) as api:
        _login(api, "admin")
        for i in range(ns.vehicles):
            api.post(f"/v1/{ORG}/vehicles", params={"vehicleId": f"V-B{i:02d}"}, json={
                "branch": BRANCH, "registrationNumber": f"練馬100あ{2000 + i}", "vehicleClass": "2t",
                "payloadKg": 2000, "grossWeightKg": 5000}).raise_for_status()
            api.post(f"/v1/{ORG}/drivers", params={"driverId": f"D-B{i:02d}"}, json={
                "branch": BRANCH, "employeeNumber": f"EMP-B{i:02d}", "displayName": f"運転手{i}",
                "licenceClass": "中型"}).raise_for_status()
        api.post(f"/v1/{ORG}/orders:import", json={
            "branch": BRANCH, "csv": base64.b64encode(_csv(ns.orders, day.isoformat(), rng)).decode(),
        }).raise_for_status()
        t0 = time.perf_counter()
        op = api.post(f"/v1/{BRANCH}/plans:optimize", json={
            "branch": BRANCH, "planDate": {"year": day.year, "month": day.month, "day": day.day},
            "travel": "TRAVEL_MODE_ROAD", "timeLimit": f"{ns.time_limit}s", "force": True}).json()
        while not op.get("done"):
            time.sleep(1)
            op = api.get(f"/v1/{op['name']}").json()
        seconds = time.perf_counter() - t0
        if "error" in op:
            raise SystemExit(f"optimization failed: {op['error']}")
        return op["response"], seconds


def _board(browser: Any, url: str) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ja-JP",
                                  timezone_id="Asia/Tokyo")
    context.route("https://cyberjapandata.gsi.go.jp/**", lambda route: route.abort())
    page = context.new_page()
    page.goto(url + "/")
    page.fill("input[name=login]", "dispatcher01")
    page.fill("input[name=password]", DEV_PASSWORDS["dispatcher01"])
    page.click("#signin-button")
    page.wait_for_selector(f'#branch option[value="{BRANCH}"]', state="attached")
    page.evaluate(f"() => localStorage.setItem('hakobu.branch', '{BRANCH}')")
    return page


def _interactive(page: Any, url: str) -> float:
    """Milliseconds from navigation start to the board ready with the plan (a reload: the session stays)."""
    page.reload()
    page.wait_for_function("() => window.hakobu.board && window.hakobu.board.readyAt && "
                           "window.hakobu.board.plan && document.querySelectorAll('.bar.stop').length > 0",
                           timeout=120_000)
    return float(page.evaluate("() => window.hakobu.board.readyAt"))


def _move(page: Any, plan: dict[str, Any], rng: random.Random) -> tuple[float, float]:
    """One move checked: click チェック → verdict drawn. Milliseconds, measured in the page."""
    routes = [r for r in plan["routes"] if any(s["kind"] == "DELIVERY" for s in r["stops"])]
    source, target = rng.sample(routes, 2)
    order = rng.choice([s["order"] for s in source["stops"] if s["kind"] == "DELIVERY"])
    page.locator(f'.bar.stop[data-order="{order}"]').dispatch_event("click")
    page.select_option("#move-vehicle", target["vehicle"])
    page.evaluate("() => { window.hakobu.board.verdict = null; }")
    page.click("#check-move")
    page.wait_for_function("() => window.hakobu.board.verdict?.shownMs !== undefined")
    shown, request = page.evaluate("() => [window.hakobu.board.verdict.shownMs, "
                                   "window.hakobu.board.verdict.requestMs]")
    return float(shown), float(request)


def _rest_checks(url: str, plan: dict[str, Any], n: int, rng: random.Random) -> list[float]:
    """The same check without the page: EditPlan validate_only through the gateway, milliseconds."""
    routes = [r for r in plan["routes"] if any(s["kind"] == "DELIVERY" for s in r["stops"])]
    out = []
    with httpx.Client(base_url=url, timeout=60) as api:
        _login(api, "dispatcher01")
        current = api.get(f"/v1/{plan['name']}").json()
        for _ in range(n):
            source, target = rng.sample(routes, 2)
            order = rng.choice([s["order"] for s in source["stops"] if s["kind"] == "DELIVERY"])
            t0 = time.perf_counter()
            api.post(f"/v1/{plan['name']}:edit", json={
                "name": plan["name"], "etag": current["etag"], "validateOnly": True,
                "edits": [{"moveOrder": {"order": order, "vehicle": target["vehicle"]}}]}).raise_for_status()
            out.append((time.perf_counter() - t0) * 1000)
    return out


def _row(name: str, values: list[float], limit: float) -> str:
    ordered = sorted(values)
    med = statistics.median(ordered)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    within = sum(v <= limit for v in ordered)
    return (f"| {name} | {len(values)} | {med:.0f} | {p90:.0f} | {ordered[-1]:.0f} | {limit:.0f} | "
            f"{within}/{len(values)} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=400, help="added to the demo's 100")
    parser.add_argument("--vehicles", type=int, default=27, help="added to the demo branch's 3")
    parser.add_argument("--time-limit", type=int, default=30, help="OptimizePlan's time limit, seconds")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--moves", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    ns = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with database(None, ns.admin_url, False) as db, tempfile.TemporaryDirectory() as data:
        seed(db, tomorrow())
        set_dev_passwords(db)
        settings = Settings(database_url=db, data_dir=Path(data), workers=0, metrics_port=-1,
                            geo_cache=Settings().geo_cache_dir)
        optimizer = create_optimizer_server("127.0.0.1:0", workers=0, settings=settings)
        target = f"127.0.0.1:{optimizer.port}"
        plans = create_plans_server("127.0.0.1:0", db, target, settings=settings)
        tracking = create_tracking_server("127.0.0.1:0", db, settings=settings)
        gateway = RunningGateway(create_app(dataclasses.replace(
            settings, optimizer_target=target, plans_target=f"127.0.0.1:{plans.port}",
            tracking_target=f"127.0.0.1:{tracking.port}"))).start()
        try:
            plan, seconds = _prepare(gateway.url, ns)
            stops = sum(1 for r in plan["routes"] for s in r["stops"] if s["kind"] == "DELIVERY")
            used = sum(1 for r in plan["routes"] if any(s["kind"] == "DELIVERY" for s in r["stops"]))
            print(f"plan: {stops} stops on {used} trucks ({len(plan.get('unassigned', []))} unassigned), "
                  f"optimized in {seconds:.0f} s", file=sys.stderr)
            rng = random.Random(ns.seed)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=ns.chromium, args=CHROMIUM_ARGS)
                page = _board(browser, gateway.url)
                loads = [_interactive(page, gateway.url) for _ in range(ns.loads)]
                timed = [_move(page, plan, rng) for _ in range(ns.moves)]
                moves = [shown for shown, _ in timed]
                requests = [request for _, request in timed]
                browser.close()
            rest = _rest_checks(gateway.url, plan, ns.moves, rng)
        finally:
            gateway.stop()
            tracking.stop(1)
            plans.stop(1)
            optimizer.stop(1)
    print(f"\n{stops} stops, {used} trucks, headless Chromium {ns.chromium}, 1366×768, tiles refused\n")
    print("| measure | runs | median ms | p90 ms | worst ms | limit ms | runs within |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(_row("board interactive (navigation → plan drawn)", loads, 1500))
    print(_row("move checked and shown (EditPlan validate_only)", moves, 300))
    print(_row("… of which the page's EditPlan request", requests, 300))
    print(_row("the same check over REST, no page", rest, 300))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
