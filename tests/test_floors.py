"""The packages are floors, each importing only the floors below it, and no module imports itself
back through others (README, "Layout")."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ["sigsat_math", "sigsat_core", "scenes", "sigsat", "bench"]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str | None = None) -> set[str]:
    """Every module `path` (module `name`) imports, at the top or inside a function, relative
    ones resolved."""
    name = name or _module(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # `from . import x` and `from pkg import module` import modules too.
            found.update(f"{target}.{a.name}" for a in node.names)
    return found


def _ours() -> dict[str, Path]:
    return {_module(p): p for floor in FLOORS for p in (ROOT / floor).rglob("*.py")}


def _floor(module: str) -> int | None:
    top = module.split(".")[0]
    return FLOORS.index(top) if top in FLOORS else None


def test_no_import_runs_up_a_floor() -> None:
    upward = []
    for module, path in _ours().items():
        own = _floor(module)
        for target in _imports(path):
            floor = _floor(target)
            if own is not None and floor is not None and floor > own:
                upward.append(f"{module} imports {target}")
    assert upward == []


def test_no_import_cycle() -> None:
    ours = _ours()
    graph = {m: {t for t in _imports(p) if t in ours and t != m} for m, p in ours.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_walk_resolves_relative_lazy_and_from_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import json\nfrom .cache import Cache\nfrom .. import contract\n"
                     "def f():\n    from sigsat.render import Renderer\n")
    found = _imports(probe, "sigsat_core.speech.probe")
    assert {"json", "sigsat_core.speech.cache", "sigsat_core.contract", "sigsat.render"} <= found
    assert _floor("sigsat.render") > _floor("sigsat_core.speech.probe")  # type: ignore[operator]
