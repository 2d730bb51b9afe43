"""The gateway talks to the services over gRPC only: it imports ``server.platform`` (settings,
observability) and the generated API, and nothing in ``server/`` imports it. Its process main
(``gateway/__main__.py``) may also pick the Redis adapter of its rate-limit port."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ALLOWED_SERVER = ("server.platform",)
MAIN_ALLOWED = ("server.platform", "server.adapters.redis")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_gateway_imports_only_platform_and_the_api() -> None:
    wrong = []
    for path in sorted((ROOT / "gateway").rglob("*.py")):
        allowed = MAIN_ALLOWED if path.name == "__main__.py" else ALLOWED_SERVER
        for module in _imports(path):
            if _under(module, ("server", "optimizer", "geo")) and not _under(module, allowed):
                wrong.append((str(path.relative_to(ROOT)), module))
    assert wrong == []


def test_nothing_imports_the_gateway() -> None:
    wrong = []
    for top in ("server", "optimizer", "geo"):
        for path in sorted((ROOT / top).rglob("*.py")):
            wrong += [(str(path.relative_to(ROOT)), m) for m in _imports(path) if _under(m, ("gateway",))]
    assert wrong == []
