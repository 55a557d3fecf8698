"""The fact that a file could not be analysed: why, and where (CL001 reports it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unreadable:
    """A file that is not Python the analysis can read: undecodable, unparseable, too deep, too big."""

    reason: str  # one line, e.g. "syntax error: invalid syntax"
    line: int = 1
    column: int = 1
