"""The pages' static files: their own JS tests (node's test runner), every asset they reference is
served from the gateway (nothing from a CDN), and the vendored map library is the pinned one."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.web import STATIC

WEB = STATIC.parent
PAGES = ("index.html", "track.html")


def test_the_pages_js_logic_passes_its_tests() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    run = subprocess.run([node, "--test", "tests/"], cwd=WEB, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"^# fail 0$", run.stdout, re.M), run.stdout[-2000:]


@pytest.mark.parametrize("page", PAGES)
def test_every_asset_of_a_page_is_served_locally(page: str) -> None:
    html = (STATIC / page).read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs
    for ref in refs:
        if ref.startswith("data:"):
            continue
        assert ref.startswith("/web/"), f"{page} loads {ref} from outside the gateway"
        assert (STATIC / ref.removeprefix("/web/")).is_file(), f"{page}: {ref} is missing"


def test_every_module_import_resolves() -> None:
    for module in (STATIC / "js").glob("*.js"):
        text = module.read_text(encoding="utf-8")
        for target in re.findall(r'(?:from|import\()\s*"(\.[^"]+)"', text):
            assert (module.parent / target).resolve().is_file(), f"{module.name} imports missing {target}"
        assert "http://" not in re.sub(r"//.*", "", text), f"{module.name} names a plain-http address"


def test_the_vendored_map_library_is_the_pinned_one() -> None:
    lock = json.loads((WEB / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/leaflet"]["version"]
    assert json.loads((WEB / "package.json").read_text(encoding="utf-8"))["dependencies"]["leaflet"] == pinned
    head = (STATIC / "vendor" / "leaflet" / "leaflet.js").read_text(encoding="utf-8")[:200]
    assert f"Leaflet {pinned}" in head


def test_japanese_and_english_messages_match() -> None:
    text = (STATIC / "js" / "i18n.js").read_text(encoding="utf-8")
    ja = text[text.index("const JA = {"): text.index("const EN = {")]
    en = text[text.index("const EN = {"): text.index("// Enum values")]
    keys = re.compile(r"^\s+(\w+):", re.M)
    assert set(keys.findall(ja)) == set(keys.findall(en))
    assert Path(STATIC / "index.html").read_text(encoding="utf-8").count('lang="ja"') == 1


def test_the_gateway_serves_the_pages_ahead_of_its_api_routes() -> None:
    import asyncio

    import httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from gateway.web import web_routes

    async def api(request: Request) -> PlainTextResponse:
        return PlainTextResponse("api", status_code=404)

    app = Starlette(routes=[*web_routes("http://tiles.local/{z}/{x}/{y}.png"), Route("/{path:path}", api)])

    async def check() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            for path in ("/", "/driver"):
                page = await client.get(path)
                assert page.status_code == 200 and 'src="/web/js/app.js"' in page.text
            for path in ("/t/abc", "/track/abc"):
                assert 'src="/web/js/track.js"' in (await client.get(path)).text
            config = (await client.get("/web/config.json")).json()
            assert config["tileUrl"] == "http://tiles.local/{z}/{x}/{y}.png"
            script = await client.get("/web/js/plan.js")
            assert script.status_code == 200 and "javascript" in script.headers["content-type"]
            assert (await client.get("/web/vendor/leaflet/leaflet.css")).status_code == 200
            assert (await client.get("/v1/organizations/O/plans")).text == "api"
            assert (await client.get("/web/%2e%2e/__init__.py")).status_code == 404

    asyncio.run(check())
