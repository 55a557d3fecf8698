"""The guard keeps inputs that would crash libcst's native parser away from it."""

from __future__ import annotations

from consistency_lint import lint_source
from consistency_lint.analysis.guard import MAX_DEPTH, MAX_OPERATORS, parser_limit_reason


def test_ordinary_code_takes_the_fast_path() -> None:
    assert parser_limit_reason("def f(a, b):\n    return (a + b) * [1, 2][0]\n") is None


def test_deep_brackets_are_refused_with_the_depth() -> None:
    depth = MAX_DEPTH + 50
    reason = parser_limit_reason("x = " + "(" * depth + "1" + ")" * depth + "\n")
    assert reason is not None and f"{depth} levels" in reason


def test_long_operator_chain_in_one_statement_is_refused() -> None:
    terms = MAX_OPERATORS + 100
    reason = parser_limit_reason("x = (" + " +\n".join(["1"] * terms) + ")\n")
    assert reason is not None and "operators" in reason


def test_many_short_statements_are_fine() -> None:
    text = "".join(f"x{i} = {i} + {i} * ({i} | 1)\n" for i in range(MAX_OPERATORS))
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
