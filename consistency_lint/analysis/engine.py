"""The engine API: per-file phase (`analyse_file`) and project phase (`analyse_project`).

Both are pure: bytes and settings in, summaries and diagnostics out. The app
layer reads files, runs `analyse_file` in worker processes (or takes results
from the cache) and hands all results to `analyse_project` in one process, so
results do not depend on how many processes ran.
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from consistency_lint.analysis.guard import parser_limit_reason
from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.prefilter import holds_no_code
from consistency_lint.analysis.summary import FileSummary, Suppressions
from consistency_lint.analysis.suppressions import matching_directives, parse_suppressions
from consistency_lint.checks import ALL_RULES, CATALOGUE, CheckContext
from consistency_lint.checks.cl002_unused_suppression import unused_suppressions
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.globs import any_match, path_matches
from consistency_lint.domain.settings import Settings

if TYPE_CHECKING:
    import libcst as cst

MAX_FILE_BYTES = 10 * 1024 * 1024
PREFILTER = True  # skip the parse of files that hold no code (see analysis/prefilter.py)


@dataclass(frozen=True)
class FileResult:
    """What the per-file phase knows of one file."""

    path: str
    summary: FileSummary | None
    diagnostics: tuple[Diagnostic, ...] = ()
    suppressions: Suppressions = field(default_factory=Suppressions)


def _cl001(path: str, message: str, line: int = 1, column: int = 1) -> Diagnostic:
    meta = CATALOGUE["CL001"]
    return Diagnostic(
        code="CL001",
        name=meta.name,
        severity=meta.severity,
        message=message,
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column,
    )


def skipped_file(path: str, reason: str) -> Diagnostic:
    """The CL001 finding of a file that could not be analysed (a crash, the time or memory budget)."""
    return _cl001(path, reason)


def decode(source: bytes) -> str:
    """The text of a Python file in its declared encoding (PEP 263); raises on bad bytes."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    if encoding == "utf-8-sig" or text.startswith(codecs.BOM_UTF8.decode("utf-8")):
        text = text.lstrip("\ufeff")
    return text


def analyse_file(source: bytes, path: str, *, module: str, is_package: bool, packs: PackIndex) -> FileResult:
    """Parse one file and extract its summary; CL001 when it cannot be read as Python."""
    # Imported here: a run served by the cache never parses, and importing libcst
    # costs about as much as the rest of a warm run.
    import libcst as cst

    from consistency_lint.analysis.extract import extract

    if len(source) > MAX_FILE_BYTES:
        return FileResult(path, None, (_cl001(path, f"file skipped: larger than {MAX_FILE_BYTES} bytes"),))
    try:
        text = decode(source)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        reason = (
            f"{error.encoding} {error.reason} at byte {error.start}"
            if isinstance(error, UnicodeDecodeError)
            else str(error)
        )
        return FileResult(path, None, (_cl001(path, f"file cannot be decoded: {reason}"),))
    suppressions = parse_suppressions(text)
    if PREFILTER and holds_no_code(source, text):
        empty = FileSummary(path=path, module=module, suppressions=suppressions)
        return FileResult(path, empty, (), suppressions)
    too_deep = parser_limit_reason(text)
    if too_deep is not None:
        return FileResult(path, None, (_cl001(path, too_deep),), suppressions)
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        message, line, column = _syntax_error(text, error)
        return FileResult(path, None, (_cl001(path, f"syntax error: {message}", line, column),), suppressions)
    except RecursionError:
        return FileResult(path, None, (_cl001(path, "file skipped: nested too deeply to parse"),))
    try:
        summary = extract(tree, path=path, module_name=module, is_package=is_package, packs=packs)
    except RecursionError:
        return FileResult(path, None, (_cl001(path, "file skipped: nested too deeply to analyse"),))
    return FileResult(path, replace(summary, suppressions=suppressions), (), suppressions)


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


def _ignored(settings: Settings, diagnostic: Diagnostic) -> bool:
    if diagnostic.code not in settings.enabled:
        return True
    for pattern, codes in settings.per_file_ignores:
        if path_matches(diagnostic.path, pattern) and any(diagnostic.code.startswith(code) for code in codes):
            return True
    return diagnostic.code.startswith("CL2") and any_match(diagnostic.path, settings.tenancy.exclude)


def analyse_project(
    results: Sequence[FileResult],
    settings: Settings,
    packs: PackIndex,
    *,
    report_paths: Iterable[str] | None = None,
) -> list[Diagnostic]:
    """Link the summaries, run the rules, apply suppressions and selection.

    `report_paths` limits reporting to some files (pre-commit, flake8) while the
    analysis still sees every summary.
    """
    summaries = [r.summary for r in results if r.summary is not None]
    index = ProjectIndex(summaries, packs)
    ctx = CheckContext(index=index, settings=settings, packs=packs)
    found: list[Diagnostic] = []
    for result in results:
        found.extend(result.diagnostics)
    for rule_class in ALL_RULES:
        if rule_class.CODE in settings.enabled and rule_class.IMPLEMENTED:
            found.extend(rule_class().check(ctx))
    wanted = set(report_paths) if report_paths is not None else None
    suppressions = {r.path: r.suppressions for r in results}
    used: set[tuple[str, int, str]] = set()  # (path, comment index, code written)
    out = _filter(set(found), settings, suppressions, wanted, used)
    if "CL002" in settings.enabled:
        used_in: dict[str, set[tuple[int, str]]] = {}
        for path, position, code in used:
            used_in.setdefault(path, set()).add((position, code))
        unused: list[Diagnostic] = []
        for result in results:
            if wanted is not None and result.path not in wanted:
                continue
            if result.summary is None:  # not analysed (CL001): no rule had a chance to fire
                continue
            unused.extend(
                unused_suppressions(
                    result.path,
                    result.suppressions,
                    used_in.get(result.path, set()),
                    lambda path, code: not _ignored(settings, _probe(path, code)),
                )
            )
        out += _filter(set(unused), settings, suppressions, wanted, set())
    out.sort(key=lambda d: d.sort_key)
    return out


def _probe(path: str, code: str) -> Diagnostic:
    meta = CATALOGUE[code]
    return Diagnostic(code, meta.name, meta.severity, "", path, 1, 1, 1, 1)


def _filter(
    found: Iterable[Diagnostic],
    settings: Settings,
    suppressions: dict[str, Suppressions],
    wanted: set[str] | None,
    used: set[tuple[str, int, str]],
) -> list[Diagnostic]:
    """Selection, per-file ignores and `# noqa`; records the directives that suppressed."""
    out = []
    for diagnostic in found:
        if wanted is not None and diagnostic.path not in wanted:
            continue
        if _ignored(settings, diagnostic):
            continue
        marks = suppressions.get(diagnostic.path)
        if marks is not None:
            hits = matching_directives(marks, diagnostic.code, diagnostic.line)
            if hits:
                used.update((diagnostic.path, index, code) for index, code in hits)
                continue
        out.append(diagnostic)
    return out
