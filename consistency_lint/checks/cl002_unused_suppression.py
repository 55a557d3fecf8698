"""## What it does
Reports a `# noqa: CLxxx` comment, or a file-level
`# consistency-lint: noqa: CLxxx` comment, that suppressed nothing in this run.

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
Off by default: enable with `extend-select = ["CL002"]`. Codes of other tools in
the same comment (`# noqa: E501, CL101`) are left alone.
"""

from __future__ import annotations

from consistency_lint.checks.base import Rule
from consistency_lint.domain.diagnostic import Severity


class UnusedSuppression(Rule):
    CODE = "CL002"
    NAME = "unused-suppression"
    SEVERITY = Severity.WARNING
    DEFAULT_ON = False
    SUMMARY = "Suppression comment that suppresses nothing"
    IMPLEMENTED = False
