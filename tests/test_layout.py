"""The package's layout: imports run one way, no cycles, modules stay small.

Layers, lowest first (a module may import its own layer and lower ones)::

    base      errors, expressions, latex, game, io, reference_cases, codegen, dynamics/, _checks
    numerics  numerics/
    analysis  analysis/, finite/
    studies   studies/
    plot      plot/
    top       figures, figures_variants, explorer, explorer_setup, cli, __main__, testing, models/, gametheory/__init__

The only imports allowed to run upward are the one-line lazy forwards listed in
``FORWARDS`` (an import inside a function that hands the call to a higher layer)
and, inside a result's ``plot`` method, the import of ``gametheory.plot`` that
hands the result to the drawing function of the same name.
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gametheory"

LAYERS = {
    "errors": 0,
    "expressions": 0,
    "latex": 0,
    "game": 0,
    "_game_checks": 0,
    "symmetric": 0,
    "game_text": 0,
    "io": 0,
    "reference_cases": 0,
    "codegen": 0,
    "dynamics": 0,
    "_checks": 0,
    "_version": 0,
    "_state_names": 0,
    "progress": 0,
    "limits": 0,
    "parameters": 0,
    "equations": 0,
    "numerics": 1,
    "analysis": 2,
    "finite": 2,
    "studies": 3,
    "plot": 4,
    "figures": 5,
    "figures_variants": 5,
    "figures_finite": 5,
    "figures_sensitivity": 5,
    "figures_continuation": 5,
    "figures_report": 5,
    "explorer": 5,
    "explorer_setup": 5,
    "cli": 5,
    "reporting": 5,
    "__main__": 5,
    "testing": 5,
    "models": 5,
    "__init__": 5,
}

#: (importing module, imported module) pairs allowed against the layering: lazy
#: one-line forwards inside a function body, never at module level.
FORWARDS = {
    ("gametheory.game", "gametheory.dynamics.replicator"),  # Game.replicator()
    ("gametheory.game", "gametheory.dynamics"),  # Game.dynamics(kind)
    ("gametheory.game", "gametheory.io"),  # Game.to_toml()/to_json(), Game.summary() and notebook renderings
    ("gametheory.parameters", "gametheory.game_text"),  # Parameter.summary()
    ("gametheory.game", "gametheory.game_text"),  # Game.summary() and notebook renderings
    ("gametheory.dynamics.base", "gametheory.numerics.integrate"),  # Dynamics.simulate()
    ("gametheory.dynamics.base", "gametheory.numerics.ensemble"),  # Dynamics.simulate_many()
}

#: Modules allowed over MAX_LINES, with the reason.
LARGE_MODULES: dict[str, str] = {}

MAX_LINES = 650  # "about 600"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    return LAYERS[key]


def _imports(module: str, path: Path) -> list[tuple[str, bool, str]]:
    """Imports of the package by ``module``: (imported name, at module level, enclosing function)."""
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    modules = _modules()
    out = []
    top_level = {id(node) for node in tree.body}
    enclosing = {}
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(func):
                enclosing.setdefault(id(inner), func.name)  # outermost first: walk is breadth-first
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from X import y": the module X.y when there is one, else an object of X
            names = [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        if _in_type_checking(tree, node):
            continue  # annotations only: never executed
        level = id(node) in top_level
        for name in names:
            if name.startswith("gametheory"):
                out.append((name, level, enclosing.get(id(node), "")))
    return out


def _in_type_checking(tree: ast.Module, node: ast.AST) -> bool:
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test):
            if any(n is node for n in ast.walk(stmt)):
                return True
    return False


def _graph() -> dict[str, set[tuple[str, bool]]]:
    modules = _modules()
    graph: dict[str, set[tuple[str, bool]]] = {}
    for name, path in modules.items():
        edges = set()
        for target, level, function in _imports(name, path):
            # "from .x import y" names either a module x.y or an object y of x
            while target not in modules and "." in target:
                target = target.rpartition(".")[0]
            if target in modules and target != name:
                if not level and function == "plot" and target.startswith("gametheory.plot"):
                    continue  # a result's plot() forwards to the drawing function of the same name
                edges.add((target, level))
        graph[name] = edges
    return graph


def test_imports_run_one_way():
    """Every import goes to the same or a lower layer, except the listed lazy forwards."""
    upward = []
    for module, edges in _graph().items():
        for target, at_module_level in edges:
            if _layer(target) > _layer(module) and (module, target) not in FORWARDS:
                upward.append(f"{module} -> {target}" + (" (module level)" if at_module_level else ""))
            if at_module_level and (module, target) in FORWARDS:
                upward.append(f"{module} -> {target} is a listed forward but imported at module level")
    assert not upward, "imports against the layering:\n" + "\n".join(sorted(upward))


def test_no_import_cycle():
    """The module-level import graph of the package has no cycle (lazy forwards excepted)."""
    graph = {m: {t for t, _ in edges if (m, t) not in FORWARDS} for m, edges in _graph().items()}
    # the package __init__ re-exports; sub-package __init__ files hold only docstrings
    graph = {m: {t for t in ts if t != "gametheory"} for m, ts in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append(" -> ".join(stack[stack.index(t) :] + [t]))
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_cycle_detector_finds_a_cycle(tmp_path, monkeypatch):
    """The checks above can fail: a two-module cycle and an upward import are reported."""
    pkg = tmp_path / "gametheory"
    (pkg / "numerics").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "numerics" / "__init__.py").write_text("")
    (pkg / "game.py").write_text("from .numerics.a import f\n")
    (pkg / "numerics" / "a.py").write_text("from ..game import g\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", pkg)
    with pytest.raises(AssertionError, match="gametheory.game -> gametheory.numerics.a"):
        test_imports_run_one_way()
    with pytest.raises(AssertionError, match="import cycles"):
        test_no_import_cycle()


def test_modules_stay_small():
    big = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text().splitlines())) > MAX_LINES and name not in LARGE_MODULES
    }
    assert not big, f"modules over {MAX_LINES} lines: {big}"


@pytest.mark.parametrize(
    "name", sorted(m for m in _modules() if m.count(".") >= 1 and not m.endswith("__main__"))
)
def test_importing_a_module_gives_the_module(name):
    """``import gametheory.analysis.attractors as m`` gives the module, not a function of that name."""
    namespace: dict = {}
    exec(f"import {name} as m", namespace)  # binds getattr(parent, last), as a user's import does
    assert isinstance(namespace["m"], types.ModuleType) and namespace["m"].__name__ == name
    assert importlib.import_module(name) is namespace["m"]
