"""Inline suppression comments: `# noqa`, `# noqa: CL101,CL102`, and file-level
`# consistency-lint: noqa: CL201` (or bare `# consistency-lint: noqa`)."""

from __future__ import annotations

import re

from consistency_lint.analysis.summary import Suppressions

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z][A-Z0-9]*(?:[,\s]+[A-Z][A-Z0-9]*)*))?", re.I)
_FILE = re.compile(
    r"#\s*consistency-lint:\s*noqa(?::\s*(?P<codes>[A-Z][A-Z0-9]*(?:[,\s]+[A-Z][A-Z0-9]*)*))?", re.I
)
_SPLIT = re.compile(r"[,\s]+")


def _codes(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(code.upper() for code in _SPLIT.split(text.strip()) if code)


def parse_suppressions(text: str) -> Suppressions:
    if "noqa" not in text and "NOQA" not in text:
        return Suppressions()
    lines: list[tuple[int, tuple[str, ...]]] = []
    file_codes: list[str] = []
    file_all = False
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" not in line or "noqa" not in line.lower():
            continue
        file_match = _FILE.search(line)
        if file_match:
            codes = _codes(file_match.group("codes"))
            if codes:
                file_codes.extend(codes)
            else:
                file_all = True
            continue
        match = _NOQA.search(line)
        if match:
            lines.append((number, _codes(match.group("codes"))))
    return Suppressions(tuple(lines), tuple(file_codes), file_all)


def suppressed_by(suppressions: Suppressions, code: str, line: int) -> str | None:
    """Which comment suppresses `code` on `line`: "file", "line", or None."""
    if suppressions.file_all or any(code.startswith(c) for c in suppressions.file_codes):
        return "file"
    for number, codes in suppressions.lines:
        if number == line and (not codes or any(code.startswith(c) for c in codes)):
            return "line"
    return None
