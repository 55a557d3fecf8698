"""GitHub Actions workflow commands: one `::error` / `::warning` annotation a finding.

Format: `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=CL101::message`.
Escaping follows the runner's rules: in the message `%`, CR and LF become
`%25`, `%0D`, `%0A`; in property values `:` and `,` are escaped as well
(`%3A`, `%2C`). GitHub shows at most 10 error and 10 warning annotations per
step, so the output ends with a summary (a `::notice`) that says so.

The runner resolves `file=` against the checkout, so paths are relative to
`GITHUB_WORKSPACE` when that is set, else to the repository root (a project in
a monorepo folder is annotated as `services/api/...`, not `...`).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

from consistency_lint.domain.diagnostic import Diagnostic, Severity

if TYPE_CHECKING:
    from consistency_lint.adapters.reporters import ReportContext

ANNOTATION_LIMIT = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic, path: str | None = None) -> str:
    """One workflow command; `path` is the file as the runner resolves it (default: as shown)."""
    command = "error" if d.severity is Severity.ERROR else "warning"
    properties = {
        "file": d.path if path is None else path,
        "line": str(d.line),
        "col": str(d.column),
        "endLine": str(d.end_line),
        "endColumn": str(d.end_column),
        "title": f"{d.code} {d.name}",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = f"{d.code} {d.message}"
    for related in d.related:
        message += f"\n{related.path}:{related.line}:{related.column}: {related.message}"
    return f"::{command} {props}::{escape_data(message)}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def render_github(diagnostics: list[Diagnostic], stream: TextIO, ctx: ReportContext) -> None:
    for d in diagnostics:
        stream.write(annotation(d, ctx.ci_path(d.path, "GITHUB_WORKSPACE")) + "\n")
    severities = Counter(d.severity for d in diagnostics)
    errors, warnings = severities[Severity.ERROR], severities[Severity.WARNING]
    summary = (
        f"{_plural(len(diagnostics), 'finding')} "
        f"({_plural(errors, 'error')}, {_plural(warnings, 'warning')}) "
        f"in {_plural(ctx.files_checked, 'file')}."
    )
    hidden = max(0, errors - ANNOTATION_LIMIT) + max(0, warnings - ANNOTATION_LIMIT)
    if hidden:
        summary += f" {hidden} of them are not shown as annotations:"
    summary += (
        f" GitHub shows at most {ANNOTATION_LIMIT} error and {ANNOTATION_LIMIT} warning annotations"
        " per step; for large projects upload `--format sarif` to code scanning instead."
    )
    # A notice, not a plain log line: it shows in the run's annotation list, next to
    # the findings it counts (notices have their own limit of 10 per step).
    stream.write(f"::notice title={escape_property('consistency-lint summary')}::{escape_data(summary)}\n")
