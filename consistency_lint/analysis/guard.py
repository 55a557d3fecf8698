"""Inputs the native parser cannot survive, found before it sees them.

libcst's native parser recurses once per nesting level of every recursive
shape of the grammar, and its stack is fixed: on libcst 1.9, measured with
one statement each, it is killed by SIGSEGV at about 1,500 nested brackets,
6,000 chained `lambda:`, 12,000 `not`, `and` or `elif` branches, and a few
thousand chained binary operators. Several shapes are also super-linear long
before that (5,000 chained `.f()` calls parse for minutes); the runner's time
budget covers those, and its worker isolation catches any crash this guard
misses. The guard gives the common cases a precise reason, cheaply.

Measured per statement, as the parser nests: a *chain* is the run of links
(attribute dots, trailing calls and subscripts, unary and binary operators,
`not`, `lambda`, `await`, conditional expressions) between two separators
(a comma or the end of the statement) at the same bracket depth. String
literals and comments do not count, so flat data (long lists, big strings)
is never refused. CPython itself refuses about 3,000 links in one chain and
200 nested brackets, so nothing CPython compiles is refused except brackets
nested more than `MAX_DEPTH` deep.
"""

from __future__ import annotations

import re

MAX_DEPTH = 800  # libcst 1.9 crashes at about 1,500 nested brackets
MAX_CHAIN = 3000  # ... at about 6,000 chained `lambda:`; CPython refuses about 3,000 links
MAX_ELIF = 6000  # ... at about 12,000 `elif`; CPython compiles 2,000

# Cheap counts that bound the measures below: a file under all of them is safe.
_LINK_CHARS = ".([{-+*/%|&^@~"
_KEYWORDS = ("not ", "lambda", "await ", " if ", " and ", " or ")

_TOKEN = re.compile(
    r"""(?P<string>[rRbBuUfFtT]{0,2}(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))"""
    r"|(?P<comment>\#[^\n]*)"
    r"|(?P<continuation>\\\n)"
    r"|(?P<open>[(\[{])"
    r"|(?P<close>[)\]}])"
    r"|(?P<separator>[,;\n])"
    r"|(?P<link>\.(?![\d.])|\.\.\.|[-+*/%|&^@~]|\b(?:not|lambda|await|and|or|if|else)\b)"
    r"|(?P<elif>^[ \t]*elif\b)",
    re.M,
)


def parser_limit_reason(text: str) -> str | None:
    """Why `text` must not reach the native parser, or None when it is safe."""
    rough = sum(text.count(c) for c in _LINK_CHARS) + sum(text.count(k) for k in _KEYWORDS)
    elifs = text.count("elif")
    if rough <= min(MAX_DEPTH, MAX_CHAIN) and elifs <= MAX_ELIF:
        return None  # the fast path: every real file of ordinary size
    depth = max_depth = 0
    chains = [0]  # the current chain at each open bracket depth
    longest = 0
    elif_count = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "link":
            chains[-1] += 1
            longest = max(longest, chains[-1])
        elif kind == "open":
            chains[-1] += 1  # a call or subscript trailer, or a nested display
            longest = max(longest, chains[-1])
            depth += 1
            max_depth = max(max_depth, depth)
            chains.append(0)
        elif kind == "close":
            if depth:
                depth -= 1
                chains.pop()
        elif kind == "separator":
            if match.group() != "\n" or depth == 0:
                chains[-1] = 0
        elif kind == "elif":
            elif_count += 1
    if max_depth > MAX_DEPTH:
        return f"file skipped: brackets nested {max_depth} levels deep (the parser's limit is {MAX_DEPTH})"
    if longest > MAX_CHAIN:
        return (
            f"file skipped: an expression chains {longest} operations "
            f"(calls, attributes, operators; the parser's limit is {MAX_CHAIN})"
        )
    if elif_count > MAX_ELIF:
        return f"file skipped: {elif_count} elif branches (the parser's limit is {MAX_ELIF})"
    return None
