"""The pages in real Chromium against the whole system: sign-in → optimize → routes drawn → an overloading
move is refused with its violation → a valid move saves a new revision → publish → the driver marks a
stop delivered on a phone → the dispatcher's live view shows it done; the consignee's link; roles.
Screenshots of each screen go to docs/screenshots/."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.e2e.web.conftest import BRANCH, ORG, SCREENSHOTS, System, new_page

pytestmark = pytest.mark.slow
TIMEOUT = 180_000


def sign_in(page: Any, url: str, login: str, password: str, path: str = "/") -> None:
    page.goto(url + path)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("#signin-button")


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def current_plan(system: System) -> dict[str, Any]:
    with system.client("dispatcher01") as api:
        plans = api.get(f"/v1/{ORG}/plans", params={"filter": f'branch = "{BRANCH}" AND '
                                                              f'plan_date = "{system.day.isoformat()}"'})
        plans.raise_for_status()
        return api.get(f"/v1/{plans.json()['plans'][0]['name']}").json()


def heavy_order(system: System) -> str:
    """An order of 3,000 kg: only the 4t truck can carry it; moved onto a 2t truck, it overloads it."""
    day = system.day
    with system.client("dispatcher01") as api:
        answer = api.post(f"/v1/{ORG}/orders", json={
            "branch": BRANCH, "placeName": "練馬資材センター", "address": "東京都練馬区豊玉北5丁目",
            "location": {"latitude": 35.7472, "longitude": 139.6655}, "weightKg": 3000,
            "deliveryDate": {"year": day.year, "month": day.month, "day": day.day},
        })
        answer.raise_for_status()
        return str(answer.json()["name"])


def test_plan_edit_publish_deliver_and_watch(system: System, browser: Any) -> None:
    heavy = heavy_order(system)
    board = new_page(browser, 1366, 768)
    board.set_default_timeout(TIMEOUT)
    sign_in(board, system.url, "dispatcher01", system.passwords["dispatcher01"])
    board.wait_for_selector(f'#branch option[value="{BRANCH}"]', state="attached")
    board.evaluate("localStorage.setItem('hakobu.optimizeSeconds', '4')")
    board.select_option("#branch", BRANCH)
    board.wait_for_function(f"() => window.hakobu.board.branch?.name === '{BRANCH}'")

    # 最適化: the plan is made and drawn, one route feature per route, on the streets of the branch
    board.click("#optimize")
    # while it runs, the best plan's cost so far (from the operation's metadata) shows and improves
    board.wait_for_function(
        "() => /最適化中.*暫定最良 ¥[0-9,]+/.test(document.querySelector('#optimize-progress').textContent)"
    )
    done = "() => document.querySelector('#optimize-progress').textContent.includes('完了')"
    board.wait_for_function(done)
    plan = current_plan(system)
    assert plan["travel"] == "TRAVEL_MODE_ROAD" and len(plan["routes"]) >= 2
    board.wait_for_function(
        "() => window.hakobu.map.sources.routes && window.hakobu.board.geometries.size === "
        f"{len(plan['routes'])}"
    )
    sources = board.evaluate("""() => {
        const s = window.hakobu.map.sources;
        return {routes: s.routes.features.map((f) => [f.properties.vehicle, f.geometry.coordinates.length]),
                stops: s.stops.features.length, roads: (s.roads?.features ?? []).length,
                roadsShown: window.hakobu.map.roadsVisible()};
    }""")
    assert [v for v, _ in sources["routes"]] == [r["vehicle"] for r in plan["routes"]]
    served = sum(1 for r in plan["routes"] for s in r["stops"] if s["kind"] in ("DELIVERY", "PICKUP"))
    assert sources["stops"] == served
    stops_per_route = [sum(1 for s in r["stops"] if s["kind"] == "DELIVERY") for r in plan["routes"]]
    assert all(n > stops + 2 for (_, n), stops in zip(sources["routes"], stops_per_route, strict=True)), \
        "road geometry has more points than the stops"
    board.wait_for_function("() => (window.hakobu.map.sources.roads?.features ?? []).length > 20")
    assert board.evaluate("window.hakobu.map.roadsVisible()"), "tiles refused: the street layer is shown"
    assert board.locator("#total-km").inner_text().endswith("km")
    shot(board, "board.png")

    # a move that overloads a 2t truck: the checker's verdict, nothing saved
    revision = plan["revision"]
    board.locator(f'[data-order="{heavy}"]').first.dispatch_event("click")
    board.select_option("#move-vehicle", f"{ORG}/vehicles/V-101")
    board.click("#check-move")
    board.wait_for_selector('#verdict.bad .violation[data-code="CAPACITY"]')
    assert "積載量" in board.locator("#verdict").inner_text()
    assert board.locator("#save-edit").count() == 0
    shot(board, "board-violation.png")
    assert current_plan(system)["revision"] == revision

    # a valid move (a stop put before the one ahead of it on its route) saves a new revision
    saved = False
    for route in plan["routes"]:
        orders = [s["order"] for s in route["stops"] if s["kind"] == "DELIVERY"]
        for before, order in itertools.pairwise(orders):
            # (bars of stops a few minutes apart overlap: the click goes to the element itself)
            board.locator(f'.bar.stop[data-order="{order}"]').dispatch_event("click")
            board.select_option("#move-before", before)
            board.click("#check-move")
            board.wait_for_selector("#verdict.ok, #verdict.bad")
            if board.locator("#verdict.ok").count():
                board.click("#save-edit")
                board.wait_for_function("() => document.querySelector('#toast').textContent.includes('保存')")
                saved = True
                break
        if saved:
            break
    assert saved, "no stop could be moved one place earlier without a violation"
    after = current_plan(system)
    assert after["revision"] > revision
    # 元に戻す: the inverse move, saved as the next revision
    board.click("#undo")
    board.wait_for_function(f"() => window.hakobu.board.plan.revision > {after['revision']}")
    undone = current_plan(system)
    assert [[s.get("order") for s in r["stops"]] for r in undone["routes"]] == \
        [[s.get("order") for s in r["stops"]] for r in plan["routes"]]

    # 比較 with the optimized revision, then 公開
    board.select_option("#compare-revision", str(revision))
    board.click("#compare")
    board.wait_for_selector("#compare-km")
    board.click("#publish")
    board.wait_for_function("() => document.querySelector('#plan-status').textContent.includes('公開済み')")
    assert current_plan(system)["status"] == "PUBLISHED"

    # the driver of the first route signs in on a phone
    route = current_plan(system)["routes"][0]
    driver_login = "driver-web"
    with system.client("admin") as api:
        user = api.post(f"/v1/{ORG}/users", params={"userId": "U-WEB-DRIVER"}, json={
            "login": driver_login, "displayName": "鈴木一郎", "role": "DRIVER", "driver": route["driver"],
            "branch": BRANCH,
        })
        user.raise_for_status()
        password = api.post(f"/v1/{user.json()['name']}:setPassword", json={"password": "hakobu-driver-web"})
        password.raise_for_status()
    system.passwords[driver_login] = "hakobu-driver-web"

    board.click("a[data-screen=live]")
    board.wait_for_selector("#plan-date")
    board.fill("#plan-date", system.day.isoformat())  # the live view opens on today; the plan is tomorrow's
    board.wait_for_selector(".tl-row")
    phone = new_page(browser, 390, 844)
    phone.set_default_timeout(TIMEOUT)
    sign_in(phone, system.url, driver_login, "hakobu-driver-web", "/driver")
    phone.wait_for_selector(".stop-card")
    first = next(s["order"] for s in route["stops"] if s["kind"] == "DELIVERY")
    card = phone.locator(f'.stop-card[data-order="{first}"]')
    card.locator("button[data-act=ARRIVED]").click()
    card.locator("button[data-act=DELIVERED]").click()
    phone.fill("input[name=receiver]", "山田")
    phone.click("#pod-send")
    phone.wait_for_function("() => document.querySelector('#queue-status').textContent.includes('送信済み')")
    phone.wait_for_selector(f'.stop-card.status-DONE[data-order="{first}"]')
    shot(phone, "driver.png")

    # the dispatcher's live view shows the stop done
    board.wait_for_selector(f'.bar.stop.done[data-order="{first}"]')
    assert "練馬400か" in board.locator(".tl-row .tl-label").first.inner_text()
    shot(board, "live.png")

    # the driver may not open the plan board
    phone.goto(system.url + "/#/board")
    phone.wait_for_selector("#forbidden")

    # the consignee's page for another stop of the route
    other = [s["order"] for s in route["stops"] if s["kind"] == "DELIVERY"][-1]
    with system.client("dispatcher01") as api:
        link = api.post(f"/v1/{other}:createTrackingLink", json={})
        link.raise_for_status()
    consignee = new_page(browser, 390, 844)
    consignee.goto(system.url + link.json()["urlPath"])
    consignee.wait_for_selector("#tracking-status")
    assert consignee.locator("#tracking-status").inner_text() in {"配達予定", "配達中", "まもなく到着"}
    shot(consignee, "tracking.png")
    consignee.goto(system.url + "/track/" + "x" * 40)
    consignee.wait_for_selector("#tracking-expired")
    assert board.errors == [] and phone.errors == [] and consignee.errors == []


def test_master_data_and_a_csv_from_excel(system: System, browser: Any) -> None:
    page = new_page(browser, 1366, 768)
    page.set_default_timeout(TIMEOUT)
    sign_in(page, system.url, "admin", system.passwords["admin"])
    page.click("a[data-screen=master]")
    page.wait_for_selector("#master-table table")
    day = system.day.strftime("%Y/%m/%d")
    good = ("受注番号,届け先名,住所,緯度,経度,配達日,時間指定,重量(kg)\r\n"
            f"CSV-1,練馬青果,東京都練馬区豊玉北6-1,35.75,139.66,{day},午前中,120\r\n").encode("cp932")
    page.select_option("#import-branch", BRANCH)
    page.set_input_files("#import-file", files=[{"name": "ok.csv", "mimeType": "text/csv", "buffer": good}])
    page.click("#import-run")
    page.wait_for_selector("#import-result .ok")
    bad = ("受注番号,届け先名,緯度,経度,配達日,重量(kg)\r\n"
           f"CSV-2,良い行,35.75,139.66,{day},10\r\nCSV-3,悪い行,北緯,139.66,{day},10\r\n").encode("cp932")
    page.set_input_files("#import-file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
    page.click("#import-run")
    page.wait_for_selector("#import-result .violations li")
    assert "csv.rows[3].緯度" in page.locator("#import-result").inner_text()
    with system.client("admin") as api:
        assert api.get(f"/v1/{ORG}/orders/CSV-1").status_code == 200
        assert api.get(f"/v1/{ORG}/orders/CSV-2").status_code == 404  # nothing of the bad file
    # the English switch
    page.click("#lang-switch")
    page.wait_for_selector("a[data-screen=board]:has-text('Plan board')")
    assert page.errors == []
