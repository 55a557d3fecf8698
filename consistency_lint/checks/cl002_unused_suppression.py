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

from collections.abc import Callable, Iterator

from consistency_lint.analysis.summary import Suppressions
from consistency_lint.checks.base import Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity

CODE = "CL002"
OUR_PREFIX = "CL"


class UnusedSuppression(Rule):
    CODE = CODE
    NAME = "unused-suppression"
    SEVERITY = Severity.WARNING
    DEFAULT_ON = False
    SUMMARY = "Suppression comment that suppresses nothing"
    # The analysis needs to know which directives the engine applied: the engine
    # calls `unused_suppressions` after suppressing, so `check` has nothing to do.


def unused_suppressions(
    path: str,
    suppressions: Suppressions,
    used: set[tuple[int, str]],
    active: Callable[[str, str], bool],
) -> Iterator[Diagnostic]:
    """CL002 findings of one file.

    `used` holds (comment index, code as written) for every directive that
    suppressed a finding; `active(path, code)` says whether a rule is enabled
    (selected and not ignored) for this file.
    """
    from consistency_lint.checks import CATALOGUE, RULES_BY_CODE

    for index, comment in enumerate(suppressions.comments):
        unused: list[str] = []
        unknown: list[str] = []
        for written in comment.codes:
            if not written.startswith(OUR_PREFIX) or written == CODE:
                continue
            covered = [code for code in CATALOGUE if code.startswith(written)]
            if not covered:
                unknown.append(written)
                continue
            if not any(
                code != CODE and RULES_BY_CODE[code].IMPLEMENTED and active(path, code) for code in covered
            ):
                continue
            if (index, written) not in used:
                unused.append(written)
        if not unused and not unknown:
            continue
        kind = "file-level suppression" if comment.file_level else "`# noqa`"
        parts = []
        if unused:
            parts.append(f"{', '.join(unused)} suppressed nothing")
        if unknown:
            parts.append(f"unknown rule code{'s' * (len(unknown) > 1)} {', '.join(unknown)}")
        meta = CATALOGUE[CODE]
        yield Diagnostic(
            code=CODE,
            name=meta.name,
            severity=meta.severity,
            message=f"Unused {kind}: {'; '.join(parts)}",
            path=path,
            line=comment.line,
            column=comment.column,
            end_line=comment.line,
            end_column=comment.end_column,
        )
