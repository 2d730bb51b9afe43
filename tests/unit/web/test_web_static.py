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
