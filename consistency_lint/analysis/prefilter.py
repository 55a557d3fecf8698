"""A sound prefilter: files that hold no code at all skip the libcst parse.

A file can contribute to the project only through what the extractor
records: imports, classes, functions, module-level names with a known type,
module-level calls, and the facts later analyses add (queries, string
constants that may be SQL, layer imports). Deciding textually that none of
those can appear is only sound for a narrow subset, and that is the subset
used here: a module whose body is nothing but string or number expression
statements (docstrings) and `pass`, and comments and blank lines. Its summary is, by
construction, the empty summary the extractor would build, so skipping it
cannot change a result, whatever the rules or packs.

Empty `__init__.py` files are the common case (about 16 % of the benchmark
corpus). A wider prefilter (files that name no pack module, no pack method,
no imported project module) was considered and rejected: every helper
function in a project is a potential link of a commit/publish chain, and the
layering and tenancy analyses need the imports and classes of every file, so
any file with an import, a definition or a call must be parsed. See docs/performance.md.

The check is textual first (bytes that cannot be code-free skip the
check at once), then Python's own parser confirms the shape; when it
disagrees with libcst (a syntax error, another Python version) the file
simply takes the normal path.
"""

from __future__ import annotations

import ast

# Any of these in the text means the file may hold code that matters: parse it.
_CODE_MARKERS = (b"import", b"def", b"class", b"(", b"=", b"[", b"{", b"@", b"lambda", b":")
_MAX_BYTES = 64 * 1024


def holds_no_code(source: bytes, text: str) -> bool:
    """True when the module is only comments, blank lines, docstrings and `pass`."""
    if not source.strip():
        return True
    if len(source) > _MAX_BYTES or any(marker in source for marker in _CODE_MARKERS):
        return False
    try:
        tree = ast.parse(text)
    except Exception:  # SyntaxError, ValueError (null bytes), RecursionError: the normal path decides
        return False
    for stmt in tree.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        return False
    return True
