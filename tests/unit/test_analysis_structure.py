"""The structure of the analysis package: no import cycle, no framework syntax in the engine."""

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


# Framework syntax and names the packs own (README: "The engine holds no framework names").
DENIED_LITERALS = frozenset(
    {
        "__",  # Django's relation separator (a dunder test with startswith/endswith is Python)
        "pk",
        "id",
        "_id",
        "exact",
        "in",
        "request",
        "objects",
        "session",
        "models",
        "Meta",
        "related_name",
        "related_query_name",
        "+",
    }
)
DENIED_WORDS = ("django", "sqlalchemy", "sqlmodel", "flask", "celery", "kombu", "kafka", "atomic_requests")
_PYTHON_STRING_TESTS = frozenset({"startswith", "endswith"})


def framework_literals(source: str) -> list[tuple[int, str]]:
    """String literals of code (docstrings left out) that name framework syntax."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))  # a docstring
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _PYTHON_STRING_TESTS
        ):
            skipped.update(id(arg) for arg in node.args)  # name.startswith("__"): a dunder
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            value = node.value
            if value in DENIED_LITERALS or any(word in value.lower() for word in DENIED_WORDS):
                found.append((node.lineno, value))
    return found


def test_the_analysis_holds_no_framework_syntax() -> None:
    found = {
        f"{path.name}:{line}": value
        for path in sorted(ANALYSIS.glob("*.py"))
        for line, value in framework_literals(path.read_text(encoding="utf-8"))
    }
    assert found == {}, "framework syntax belongs in rules/packs/*.toml"


def test_the_framework_syntax_check_sees_a_lookup() -> None:
    source = '''
"""A docstring may say "django" and "pk"."""


def path(keyword):
    """`order__in`: Django's "__" separator."""
    private = keyword.startswith("__")
    return keyword.split("__"), keyword in ("pk", "id"), private, "sqlalchemy.orm.Session"
'''
    assert sorted(framework_literals(source)) == [
        (8, "__"),
        (8, "id"),
        (8, "pk"),
        (8, "sqlalchemy.orm.Session"),
    ]
