"""What the file phase produces for one file (`FileResult`), apart from the phase itself.

The cache, the runner and the project phase name this type; a run the cache
answers whole must not import the file phase (its parser guard, prefilter and
suppression scanner) just to name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consistency_lint.analysis.summary import FileSummary, Suppressions
from consistency_lint.analysis.unreadable import Unreadable


@dataclass(frozen=True)
class FileResult:
    """What the file phase knows of one file: its summary, or why there is none."""

    path: str
    summary: FileSummary | None
    unreadable: Unreadable | None = None
    suppressions: Suppressions = field(default_factory=Suppressions)
