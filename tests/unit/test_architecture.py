"""The dependency rule, read from the source tree (``ast``; nothing is imported).

- ``optimizer/`` and ``geo/`` are libraries: they import nothing from ``server/`` or ``gateway/``.
- No import cycle between modules of ``optimizer/``, ``geo/`` and ``server/``. Imports inside
  functions count as much as those at the top of a module; imports under ``if TYPE_CHECKING:``
  do not (they never run). Importing ``a.b.c`` is an edge to ``a.b.c`` only, not to ``a.b``.
- The plans domain and its use cases (``server/plans/``) import no adapter, no entrypoint and
  no infrastructure library: no ``server.adapters``, ``server.db``, ``server.entrypoints``,
  ``server.api``, ``grpc`` or ``psycopg``.
- Nothing imports ``server.bootstrap``, the one module that wires everything, except the
  entrypoints' main modules that start the processes (``ENTRYPOINT_MAINS``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Top-level packages whose modules make up the graph.
PACKAGES = ("optimizer", "geo", "server", "gateway")
LIBRARIES = ("optimizer", "geo")
CYCLE_FREE = ("optimizer", "geo", "server")
DOMAIN = "server.plans"
#: Domain packages held to the same rule as the plans domain.
OTHER_DOMAINS = ("server.identity",)
FORBIDDEN_IN_DOMAIN = (
    "server.adapters",
    "server.db",
    "server.entrypoints",
    "server.api",
    "server.bootstrap",
    "grpc",
    "psycopg",
    "psycopg_pool",
)
BOOTSTRAP = "server.bootstrap"
#: The only modules that may import the wiring: the main functions of the entrypoints.
ENTRYPOINT_MAINS = frozenset({"server.entrypoints.cli.main"})

#: Wrong-way imports known when this test was written, as (importer, imported module). Each is
#: being removed on another branch of the restructuring (issue 14); the coordinator deletes the
#: entries once those branches are merged. The test fails on any violation NOT listed here.
KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()
#: Import cycles known when this test was written (each as the set of its modules), being
#: removed on other branches of issue 14; emptied by the coordinator after merging.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()


# -- the graph ------------------------------------------------------------------------------------


def _modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under the given top-level packages."""
    found: dict[str, Path] = {}
    for top in packages:
        base = root / top
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: anywhere in the module, except ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _imported_names(module: str, path: Path) -> set[str]:
    """Dotted names a module imports (``from a import b`` gives ``a.b``; relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parts = package.split(".")
            anchor = ".".join(parts[: len(parts) - node.level + 1])
            base = f"{anchor}.{base}" if base else anchor
        # ``from a import b`` is an edge to the module ``a.b`` if there is one, else to ``a``.
        names.update(base if alias.name == "*" else f"{base}.{alias.name}" for alias in node.names)
    return names


def _resolve(name: str, modules: dict[str, Path], packages: tuple[str, ...]) -> str:
    """The longest prefix of ``name`` that is a module of the tree; for other libraries, their
    top-level package (``psycopg.types.json.Jsonb`` -> ``psycopg``)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return name if parts[0] in packages else parts[0]


def import_graph(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, set[str]]:
    """Module -> the modules (of the tree, or outside it) it imports, without itself."""
    tops = tuple(packages)
    modules = _modules(root, tops)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {_resolve(n, modules, tops) for n in _imported_names(module, path)}
        graph[module] = targets - {module}
    return graph


def _within(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in prefixes)


def forbidden_imports(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """(importer, imported) pairs that break the library, domain or bootstrap rules."""
    bad: set[tuple[str, str]] = set()
    for module, targets in graph.items():
        for target in targets:
            if _within(module, LIBRARIES) and _within(target, ("server", "gateway")):
                bad.add((module, target))
            if _within(module, (DOMAIN, *OTHER_DOMAINS)) and _within(target, FORBIDDEN_IN_DOMAIN):
                bad.add((module, target))
            if target == BOOTSTRAP and module not in ENTRYPOINT_MAINS:
                bad.add((module, target))
    return bad


def cycles(graph: dict[str, set[str]], within: Iterable[str] = CYCLE_FREE) -> list[list[str]]:
    """One cycle (``a -> b -> … -> a``) per strongly connected group of modules under ``within``."""
    scope = tuple(within)
    nodes = sorted(m for m in graph if _within(m, scope))
    edges = {m: sorted(t for t in graph[m] if t in graph and _within(t, scope)) for m in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan; the graphs are small enough for recursion
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in nodes:
        if v not in index:
            connect(v)
    return [_cycle_in(group, edges) for group in sorted(groups)]


def _cycle_in(group: list[str], edges: dict[str, list[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    members, start = set(group), group[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for v in frontier:
            for w in edges[v]:
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if w in members and w not in previous:
                    previous[w] = v
                    following.append(w)
        frontier = following
    raise AssertionError(f"not a cycle: {group}")


# -- the rule, on this repository -----------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(ROOT)


def test_the_graph_sees_the_tree(graph: dict[str, set[str]]) -> None:
    """A sanity check that the walk found the packages and their imports."""
    assert "optimizer.solve" in graph and "geo.matrix" in graph
    assert "optimizer.compiled" in graph["optimizer.solve"]


def test_libraries_domain_and_bootstrap_import_the_right_way(graph: dict[str, set[str]]) -> None:
    """Libraries import no server/ or gateway/; plans imports no adapter; nobody imports bootstrap."""
    unexpected = sorted(forbidden_imports(graph) - KNOWN_VIOLATIONS)
    assert not unexpected, "imports against the dependency rule:\n" + "\n".join(
        f"  {a} imports {b}" for a, b in unexpected
    )


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    """No cycle between modules of optimizer/, geo/ and server/."""
    found = [c for c in cycles(graph) if frozenset(c) not in KNOWN_CYCLES]
    assert not found, "import cycles:\n" + "\n".join("  " + " -> ".join(c) for c in found)


# -- the checker itself fails when it should ------------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_library_importing_the_server_is_caught(tmp_path: Path) -> None:
    """``from server.app import y`` in optimizer/ is reported, named by importer and target."""
    root = _tree(
        tmp_path,
        {
            "optimizer/__init__.py": "",
            "optimizer/x.py": "from server.app import y\n",
            "server/__init__.py": "",
            "server/app.py": "y = 1\n",
        },
    )
    assert forbidden_imports(import_graph(root)) == {("optimizer.x", "server.app")}


def test_a_function_level_import_is_an_edge_and_type_checking_is_not(tmp_path: Path) -> None:
    """An import inside a function counts; one under ``if TYPE_CHECKING:`` does not."""
    root = _tree(
        tmp_path,
        {
            "geo/__init__.py": "",
            "geo/a.py": "def f():\n    import gateway.routes\n",
            "geo/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from server import app\n",
            "gateway/__init__.py": "",
            "gateway/routes.py": "",
            "server/__init__.py": "",
            "server/app.py": "",
        },
    )
    assert forbidden_imports(import_graph(root)) == {("geo.a", "gateway.routes")}


def test_the_domain_rule_is_caught(tmp_path: Path) -> None:
    """server/plans importing psycopg or an adapter, or anyone importing bootstrap, is reported."""
    root = _tree(
        tmp_path,
        {
            "server/__init__.py": "",
            "server/bootstrap.py": "",
            "server/plans/__init__.py": "",
            "server/plans/edit.py": "import psycopg\nfrom ..adapters.postgres import plans\n",
            "server/adapters/__init__.py": "",
            "server/adapters/postgres/__init__.py": "",
            "server/adapters/postgres/plans.py": "",
            "server/cli.py": "from server import bootstrap\n",
        },
    )
    assert forbidden_imports(import_graph(root)) == {
        ("server.plans.edit", "psycopg"),
        ("server.plans.edit", "server.adapters.postgres.plans"),
        ("server.cli", "server.bootstrap"),
    }


def test_a_two_module_cycle_is_reported(tmp_path: Path) -> None:
    """a -> b -> a is found even when one side imports inside a function."""
    root = _tree(
        tmp_path,
        {
            "optimizer/__init__.py": "",
            "optimizer/a.py": "from optimizer.b import g\n",
            "optimizer/b.py": "def g():\n    from optimizer import a\n",
            "optimizer/c.py": "from optimizer import a\n",
        },
    )
    assert cycles(import_graph(root)) == [["optimizer.a", "optimizer.b", "optimizer.a"]]


def test_a_package_importing_its_own_modules_is_no_cycle(tmp_path: Path) -> None:
    """``pkg/__init__`` re-exporting ``pkg.mod``, which imports a sibling, is a tree, not a cycle."""
    root = _tree(
        tmp_path,
        {
            "geo/__init__.py": "",
            "geo/pkg/__init__.py": "from geo.pkg.mod import f\nfrom .other import g\n",
            "geo/pkg/mod.py": "from geo.pkg.other import g\n",
            "geo/pkg/other.py": "def g():\n    pass\n",
        },
    )
    assert cycles(import_graph(root)) == []
