"""The file phase: the bytes of one file in, its facts out (`FileResult`, in `engine.result`).

Pure: no I/O, no rules. A file that cannot be read as Python is a fact too
(`Unreadable`); the rule CL001 reports it in the project phase. The app layer
runs this in worker processes (or takes results from the cache) and hands all
results to the project phase in one process, so results do not depend on how
many processes ran.
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import tokenize
from dataclasses import replace
from typing import TYPE_CHECKING

from consistency_lint.analysis.guard import parser_limit_reason
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.prefilter import holds_no_code
from consistency_lint.analysis.summary import FileSummary, Suppressions
from consistency_lint.analysis.suppressions import parse_suppressions
from consistency_lint.analysis.unreadable import Unreadable
from consistency_lint.engine.result import FileResult

if TYPE_CHECKING:
    import libcst as cst

MAX_FILE_BYTES = 10 * 1024 * 1024
PREFILTER = True  # skip the parse of files that hold no code (see analysis/prefilter.py)


def _unreadable(path: str, reason: str, suppressions: Suppressions | None = None) -> FileResult:
    return FileResult(path, None, Unreadable(reason), suppressions or Suppressions())


def decode(source: bytes) -> str:
    """The text of a Python file in its declared encoding (PEP 263); raises on bad bytes."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    if encoding == "utf-8-sig" or text.startswith(codecs.BOM_UTF8.decode("utf-8")):
        text = text.lstrip("\ufeff")
    return text


def analyse_file(source: bytes, path: str, *, module: str, is_package: bool, packs: PackIndex) -> FileResult:
    """Parse one file and extract its summary, or say why it cannot be read as Python."""
    # Imported here: a run served by the cache never parses, and importing libcst
    # costs about as much as the rest of a warm run.
    import libcst as cst

    from consistency_lint.analysis.extract import extract

    if len(source) > MAX_FILE_BYTES:
        return _unreadable(path, f"file skipped: larger than {MAX_FILE_BYTES} bytes")
    try:
        text = decode(source)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        reason = (
            f"{error.encoding} {error.reason} at byte {error.start}"
            if isinstance(error, UnicodeDecodeError)
            else str(error)
        )
        return _unreadable(path, f"file cannot be decoded: {reason}")
    suppressions = parse_suppressions(text)
    if PREFILTER and holds_no_code(source, text):
        empty = FileSummary(path=path, module=module, suppressions=suppressions)
        return FileResult(path, empty, None, suppressions)
    too_deep = parser_limit_reason(text)
    if too_deep is not None:
        return _unreadable(path, too_deep, suppressions)
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        message, line, column = _syntax_error(text, error)
        return FileResult(path, None, Unreadable(f"syntax error: {message}", line, column), suppressions)
    except RecursionError:
        return _unreadable(path, "file skipped: nested too deeply to parse")
    try:
        summary = extract(tree, path=path, module_name=module, is_package=is_package, packs=packs)
    except RecursionError:
        return _unreadable(path, "file skipped: nested too deeply to analyse")
    return FileResult(path, replace(summary, suppressions=suppressions), None, suppressions)


def _syntax_error(text: str, error: cst.ParserSyntaxError) -> tuple[str, int, int]:
    """Message, line and column of a syntax error.

    libcst reports where its parser gave up, often a token after the mistake;
    CPython's own parser (run only on files that failed) names the mistake and
    its place the way users know from Python itself.
    """
    try:
        ast.parse(text)
    except SyntaxError as python_error:
        if python_error.lineno:
            return python_error.msg, python_error.lineno, max(1, python_error.offset or 1)
    except (ValueError, RecursionError, MemoryError):
        pass
    raw = str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"
    message = _PARSER_PREFIX.sub("", raw)
    return message, error.raw_line or 1, (error.raw_column + 1 if error.raw_line else 1)


_PARSER_PREFIX = re.compile(r"^parser error: error at \d+:\d+: ")
