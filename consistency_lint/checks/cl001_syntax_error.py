"""## What it does
Reports a file that cannot be analysed: Python that does not parse, a file that
is not valid text in its declared encoding, or a file nested too deeply to walk.

## Why is this bad?
A file the linter cannot read is a file it cannot check. Reporting it as a
finding, instead of crashing or skipping it silently, keeps the rest of the
run useful and makes the gap visible.

## Example
```python
def broken(:
    pass
```

## Use instead
```python
def fixed():
    pass
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator

from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Span


class UnparseableFile(Rule):
    CODE = "CL001"
    NAME = "syntax-error"
    SUMMARY = "File cannot be parsed or decoded"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for path, why in ctx.unreadable.items():
            yield self.at(path, Span(why.line, why.column, why.line, why.column), why.reason)
