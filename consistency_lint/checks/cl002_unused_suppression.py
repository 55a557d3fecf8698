"""## What it does
Reports a `# noqa: CLxxx` comment, or a file-level
`# consistency-lint: noqa: CLxxx` comment, that suppressed nothing in this run,
and one that names a rule code that does not exist.

## Why is this bad?
Suppressions outlive the code they were written for. A stale `# noqa` hides
the next real finding on that line and tells readers a problem exists where
there is none.

## Example
```python
total = 1 + 1  # noqa: CL101
```

## Use instead
```python
total = 1 + 1
```

## Options
Off by default: enable with `extend-select = ["CL002"]`.

- Only `CL` codes are judged. Codes of other tools in the same comment
  (`# noqa: E501, CL101`) are left alone.
- A code is judged only when its rule is enabled for that file: a
  `# noqa: CL104` while CL104 is off (or ignored for the file through
  `per-file-ignores`) is not reported, because turning the rule on would make
  it useful again.
- A bare `# noqa` is never reported: it also silences flake8, ruff and every
  other tool, and this linter cannot know whether they needed it. A bare
  file-level `# consistency-lint: noqa` switches the whole file off, CL002
  included, so it is not reported either.
- A directive counts as used when it suppressed at least one finding of this
  run, even if another directive (a file-level one) covered the same finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from consistency_lint.analysis.summary import SuppressionComment
from consistency_lint.checks.base import Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity, Span

OUR_PREFIX = "CL"


@dataclass(frozen=True)
class UnusedDirective:
    """A suppression comment of `path` naming codes that suppressed nothing, or unknown codes."""

    CODE: ClassVar[str] = "CL002"

    path: str
    comment: SuppressionComment
    unused: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


class UnusedSuppression(Rule):
    CODE = UnusedDirective.CODE
    NAME = "unused-suppression"
    SEVERITY = Severity.WARNING
    DEFAULT_ON = False
    SUMMARY = "Suppression comment that suppresses nothing"
    # Which directives suppressed something is known only once the engine has applied
    # them: the engine finds the `UnusedDirective`s after suppressing, so `check` has
    # nothing to do and `report` words each one.

    def report(self, found: UnusedDirective) -> Diagnostic:
        comment = found.comment
        kind = "file-level suppression" if comment.file_level else "`# noqa`"
        parts = []
        if found.unused:
            parts.append(f"{', '.join(found.unused)} suppressed nothing")
        if found.unknown:
            plural = "s" * (len(found.unknown) > 1)
            parts.append(f"unknown rule code{plural} {', '.join(found.unknown)}")
        span = Span(comment.line, comment.column, comment.line, comment.end_column)
        return self.at(found.path, span, f"Unused {kind}: {'; '.join(parts)}")
