"""The plans domain and use cases import no adapter, entrypoint or wiring; only entrypoints import it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)  # from server import bootstrap
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def _importing(folder: Path, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in sorted(folder.rglob("*.py")):
        bad = sorted(m for m in _imports(path) if m.startswith(forbidden))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_plans_import_no_adapter_entrypoint_or_storage_driver() -> None:
    forbidden = ("server.adapters", "server.api", "server.entrypoints", "server.bootstrap", "server.db",
                 "psycopg", "grpc", "hakobu")
    assert _importing(ROOT / "server" / "plans", forbidden) == {}


def test_only_the_commands_main_imports_the_wiring() -> None:
    assert list(_importing(ROOT / "server", ("server.bootstrap",))) == ["server/entrypoints/cli/main.py"]
