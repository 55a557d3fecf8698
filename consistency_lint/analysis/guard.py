"""Inputs the native parser cannot survive, found before it sees them.

libcst's native parser recurses once per nesting level: a few thousand nested
brackets, or a binary expression chained over several thousand operators in
one statement, overflow its stack and kill the process. No real code comes
near that (CPython itself refuses more than 200 nested brackets), but
generated files can, and SPEC section 8 wants such a file reported as
skipped, not a crash. The check is conservative: brackets and operators in
strings and comments count too, so it may skip a freak file libcst could have
parsed, never the reverse.
"""

from __future__ import annotations

import re

MAX_DEPTH = 800  # libcst 1.x crashes somewhere above 1,500 nested brackets
MAX_OPERATORS = 4000  # ... and above ~7,000 chained binary operators in one statement

# Binary operators that nest: unary minus (data tables of negative numbers) and
# comparisons (one flat node in libcst) are left out.
_OPERATOR_CHARS = "+*/%|&^@"
_TOKEN = re.compile(r"[()\[\]{}]|\\?\n|[+*/%|&^@]|\band\b|\bor\b")


def parser_limit_reason(text: str) -> str | None:
    """Why `text` must not reach the native parser, or None when it is safe."""
    opening = text.count("(") + text.count("[") + text.count("{")
    operators = sum(text.count(c) for c in _OPERATOR_CHARS) + text.count(" and ") + text.count(" or ")
    if opening <= MAX_DEPTH and operators <= MAX_OPERATORS:
        return None  # the fast path: every real file of ordinary size
    depth = max_depth = 0
    in_statement = most = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "([{":
            depth += 1
            max_depth = max(max_depth, depth)
        elif token in ")]}":
            depth = max(0, depth - 1)
        elif token == "\n":
            if depth == 0:
                in_statement = 0
        elif token != "\\\n":
            in_statement += 1
            most = max(most, in_statement)
    if max_depth > MAX_DEPTH:
        return f"file skipped: brackets nested {max_depth} levels deep (the parser's limit is {MAX_DEPTH})"
    if most > MAX_OPERATORS:
        return f"file skipped: a statement chains {most} operators (the parser's limit is {MAX_OPERATORS})"
    return None
