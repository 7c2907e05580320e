"""The package's imports flow one way, and nothing imports itself round a cycle.

Every ``import`` of a vnmisinfo module counts, at module level or inside a
function; imports under ``if TYPE_CHECKING:`` do not, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "vnmisinfo"

#: Each folder (or top-level module) and its layer: a module imports only its own layer or lower.
LAYERS = {
    "vnmisinfo": 0, "_compat": 0,
    "text": 1,
    "data": 2,
    "model": 3,
    "narratives": 4,
    "triage": 5,
    "evaluation": 6,
    "review": 7,
    "report": 8,
    "batch": 9,
    "cli": 10,
}
#: Deprecated aliases of moved modules: the top of the house, imported by nothing inside it.
ALIASES = {"tokenize", "features", "detector", "explain", "persist", "corpora", "hygiene",
           "metrics", "calibrate", "evaluate", "train", "claimreview", "normalize"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "vnmisinfo"


def _layer(module: str) -> int:
    area = _area(module)
    return 11 if area in ALIASES else LAYERS[area]


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.found: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
        if name == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(a.name for a in node.names if a.name.split(".")[0] == "vnmisinfo")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if target.split(".")[0] != "vnmisinfo":
            return
        self.found.add(target)
        for alias in node.names:  # ``from vnmisinfo.text import normalize`` imports a module
            if (SRC.parent / (target + "." + alias.name).replace(".", "/")).with_suffix(
                    ".py").exists():
                self.found.add(f"{target}.{alias.name}")


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        visitor = _Imports(module, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        graph[module] = {m for m in visitor.found if m != module}
    return graph


GRAPH = _graph()


def test_the_walk_sees_the_whole_package():
    assert {"vnmisinfo.triage", "vnmisinfo.model.detector", "vnmisinfo.cli"} <= set(GRAPH)
    assert "vnmisinfo.model.detector" in GRAPH["vnmisinfo.triage"] | {
        m for deps in GRAPH.values() for m in deps}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_a_module_imports_only_its_own_layer_or_lower(module):
    upward = sorted(m for m in GRAPH[module] if _layer(m) > _layer(module))
    assert not upward, f"{module} (layer {_layer(module)}) imports higher layers: {upward}"


def test_there_are_no_import_cycles():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH.get(node, ())):
            nxt = nxt if nxt in GRAPH else nxt.rpartition(".")[0]
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt in GRAPH and not state.get(nxt):
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if not state.get(node):
            visit(node)


def test_the_checker_catches_an_upward_import_and_a_cycle(tmp_path):
    visitor = _Imports("vnmisinfo.text.normalize", False)
    visitor.visit(ast.parse("def f():\n    from vnmisinfo.triage import Triage\n"
                            "from typing import TYPE_CHECKING\n"
                            "if TYPE_CHECKING:\n    from vnmisinfo.batch import run\n"))
    assert visitor.found == {"vnmisinfo.triage"}
    assert _layer("vnmisinfo.triage") > _layer("vnmisinfo.text.normalize")


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: _module_name(p))
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 560, f"{path.name} has {lines} lines; split it by concern"


def _function_sizes(path: Path) -> list[tuple[int, str]]:
    """Lines of code (docstring excluded) of each function in a file."""
    sizes = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            doc = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                   and isinstance(first.value.value, str) and len(node.body) > 1)
            start = node.body[1].lineno if doc else first.lineno
            sizes.append((node.end_lineno - start + 1, node.name))  # type: ignore[operator]
    return sizes


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: _module_name(p))
def test_functions_stay_small(path):
    big = [(n, name) for n, name in _function_sizes(path) if n > 80]
    assert not big, f"{path.name}: functions over 80 lines of code: {big}"


def test_the_size_check_counts_code_not_docstrings(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(90))
    source = tmp_path / "m.py"
    source.write_text(f'def f():\n    """Doc.\n\n    More.\n    """\n{body}\n', encoding="utf-8")
    assert _function_sizes(source) == [(90, "f")]
