"""The structure of the analysis package: no import cycle, no framework name in the engine."""

from __future__ import annotations

import ast
from pathlib import Path

import consistency_lint.analysis as analysis_package

ANALYSIS = Path(analysis_package.__file__).parent
PREFIX = "consistency_lint.analysis."


def _imports(path: Path) -> set[str]:
    """Analysis modules `path` imports, anywhere in the file (under TYPE_CHECKING too)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            out.add(node.module[len(PREFIX) :].split(".")[0])
        elif isinstance(node, ast.Import):
            out.update(a.name[len(PREFIX) :].split(".")[0] for a in node.names if a.name.startswith(PREFIX))
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of `graph` (module -> imported modules), or []."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done

    def visit(module: str, stack: list[str]) -> list[str]:
        state[module] = 1
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == 1:
                return [*stack[stack.index(imported) :], imported]
            if imported not in state:
                found = visit(imported, [*stack, imported])
                if found:
                    return found
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state:
            found = visit(module, [module])
            if found:
                return found
    return []


def test_no_import_cycle_in_the_analysis_package() -> None:
    graph = {path.stem: _imports(path) for path in ANALYSIS.glob("*.py")}
    assert len(graph) > 10
    assert find_cycle(graph) == []


def test_the_cycle_check_sees_a_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f"if x:\n    from {PREFIX}b import y\n", encoding="utf-8")
    assert _imports(tmp_path / "a.py") == {"b"}
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
