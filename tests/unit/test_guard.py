"""The guard keeps inputs that would crash libcst's native parser away from it."""

from __future__ import annotations

import pytest

from consistency_lint import lint_source
from consistency_lint.analysis.guard import MAX_CHAIN, MAX_DEPTH, MAX_ELIF, parser_limit_reason


def test_ordinary_code_takes_the_fast_path() -> None:
    assert parser_limit_reason("def f(a, b):\n    return (a + b) * [1, 2][0]\n") is None


def test_deep_brackets_are_refused_with_the_depth() -> None:
    depth = MAX_DEPTH + 50
    reason = parser_limit_reason("x = " + "(" * depth + "1" + ")" * depth + "\n")
    assert reason is not None and f"{depth} levels" in reason


def test_long_operator_chain_in_one_statement_is_refused() -> None:
    terms = MAX_CHAIN + 100
    reason = parser_limit_reason("x = (" + " +\n".join(["1"] * terms) + ")\n")
    assert reason is not None and f"chains {terms - 1} operations" in reason


# Every recursive shape of the grammar, just above and just below the limit.
SHAPES = {
    "not": lambda n: "x = " + "not " * n + "a\n",
    "unary-minus": lambda n: "x = " + "-" * n + "a\n",
    "invert": lambda n: "x = " + "~" * n + "a\n",
    "attribute": lambda n: "x = a" + ".b" * n + "\n",
    "call": lambda n: "x = a" + ".f()" * (n // 2) + "\n",
    "subscript": lambda n: "x = a" + "[0]" * n + "\n",
    "lambda": lambda n: "x = " + "lambda: " * n + "a\n",
    "await": lambda n: "async def f():\n    x = " + "await " * n + "a\n",
    "boolean": lambda n: "x = a" + " and a" * n + "\n",
    "power": lambda n: "x = a" + " ** a" * n + "\n",
    "conditional": lambda n: "x = " + "a if b else " * (n // 2) + "c\n",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_recursive_shape_is_measured(shape: str) -> None:
    assert parser_limit_reason(SHAPES[shape](MAX_CHAIN + 10)) is not None
    assert parser_limit_reason(SHAPES[shape](MAX_CHAIN // 2)) is None


def test_elif_chains_that_cpython_compiles_are_not_refused() -> None:
    branches = "if a:\n    pass\n" + "elif a:\n    pass\n" * 2000
    assert parser_limit_reason(branches) is None
    reason = parser_limit_reason("if a:\n    pass\n" + "elif a:\n    pass\n" * (MAX_ELIF + 1))
    assert reason is not None and "elif" in reason


def test_strings_and_comments_do_not_count() -> None:
    assert parser_limit_reason("x = '" + "+/." * 100000 + "'\n# " + "(" * 5000 + "\n") is None


def test_many_short_statements_are_fine() -> None:
    text = "".join(f"x{i} = {i} + {i} * ({i} | 1)\n" for i in range(MAX_CHAIN))
    assert parser_limit_reason(text) is None


def test_flat_data_with_negative_numbers_is_fine() -> None:
    assert parser_limit_reason("x = [" + ", ".join(["-1"] * 20000) + "]\n") is None


def test_refused_file_is_a_cl001_finding_not_a_crash() -> None:
    found = lint_source("x = " + "[" * 3000 + "]" * 3000 + "\n", "deep.py")
    assert [(d.code, d.line) for d in found] == [("CL001", 1)]
    assert "skipped" in found[0].message


def test_syntax_error_points_at_the_mistake() -> None:
    found = lint_source("def broken(:\n    pass\n", "broken.py")
    assert [(d.code, d.line, d.column) for d in found] == [("CL001", 1, 12)]
