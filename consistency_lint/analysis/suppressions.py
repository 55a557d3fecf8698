"""Inline suppression comments: `# noqa`, `# noqa: CL101,CL102`, and file-level
`# consistency-lint: noqa: CL201` (or bare `# consistency-lint: noqa`).

Only real comments count: a `# noqa` inside a string literal or docstring is
text, not a directive. Codes follow flake8's
shape, letters then digits (`CL101`, `CL1`, `E501`); `# noqa:` followed by
anything else is a bare `# noqa`.

CL001 (a file that cannot be analysed) is never suppressed, as ruff does with
syntax errors: a file that does not parse must not look clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from consistency_lint.analysis.summary import SuppressionComment, Suppressions

_CODES = r"(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)"
_NOQA = re.compile(r"#\s*noqa(?::[\s]?" + _CODES + r")?", re.I)
_FILE = re.compile(r"#\s*consistency-lint:\s*noqa(?::\s*" + _CODES + r")?", re.I)
_SPLIT = re.compile(r"[,\s]+")
UNSUPPRESSIBLE = frozenset({"CL001"})


def _codes(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(code.upper() for code in _SPLIT.split(text.strip()) if code)


# Strings and comments in one left-to-right pass (in C): a `#` inside a string is
# consumed with the string, so only real comments reach the `comment` group.
# Agrees with `tokenize` on the comments of real code at a fraction of its cost.
_SCAN = re.compile(
    r"""(?P<string>'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")"""
    r"|(?P<comment>\#[^\r\n]*)",
    re.S,
)


def _comments(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, 0-based column, text) of every comment that may hold a directive."""
    for match in _SCAN.finditer(text):
        comment = match.group("comment")
        if comment is None or "noqa" not in comment.lower():
            continue
        start = match.start()
        line_start = text.rfind("\n", 0, start) + 1
        yield text.count("\n", 0, start) + 1, start - line_start, comment


def parse_suppressions(text: str) -> Suppressions:
    if "noqa" not in text and "NOQA" not in text:
        return Suppressions()
    lines: list[tuple[int, tuple[str, ...]]] = []
    file_codes: list[str] = []
    file_all = False
    comments: list[SuppressionComment] = []
    for number, column, comment in _comments(text):
        file_match = _FILE.search(comment)
        if file_match:
            codes = _codes(file_match.group("codes"))
            if codes:
                file_codes.extend(codes)
            else:
                file_all = True
            comments.append(
                SuppressionComment(
                    number, column + file_match.start() + 1, column + file_match.end() + 1, codes, True
                )
            )
            continue
        match = _NOQA.search(comment)
        if match:
            codes = _codes(match.group("codes"))
            lines.append((number, codes))
            comments.append(
                SuppressionComment(number, column + match.start() + 1, column + match.end() + 1, codes)
            )
    return Suppressions(tuple(lines), tuple(file_codes), file_all, tuple(comments))


def suppressed_by(suppressions: Suppressions, code: str, line: int) -> str | None:
    """Which comment suppresses `code` on `line`: "file", "line", or None."""
    if code in UNSUPPRESSIBLE:
        return None
    if suppressions.file_all or any(code.startswith(c) for c in suppressions.file_codes):
        return "file"
    for number, codes in suppressions.lines:
        if number == line and (not codes or any(code.startswith(c) for c in codes)):
            return "line"
    return None


def matching_directives(suppressions: Suppressions, code: str, line: int) -> list[tuple[int, str]]:
    """Every directive that covers `code` on `line`, as (comment index, code written).

    The code written is "" for a blanket directive. All matches are returned,
    so a line `# noqa: CL101` under a file-level one counts as used too.
    """
    if code in UNSUPPRESSIBLE:
        return []
    if not suppressions.comments:  # built by hand, without positions
        return [(-1, "")] if suppressed_by(suppressions, code, line) else []
    out = []
    for position, comment in enumerate(suppressions.comments):
        if not comment.file_level and comment.line != line:
            continue
        if not comment.codes:
            out.append((position, ""))
            continue
        out.extend((position, written) for written in comment.codes if code.startswith(written))
    return out
