"""flake8-compatible text: `path:line:col: CODE message`, one finding a line."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from consistency_lint.domain.diagnostic import Diagnostic

if TYPE_CHECKING:
    from consistency_lint.adapters.reporters import ReportContext


def render_text(diagnostics: list[Diagnostic], stream: TextIO, ctx: ReportContext) -> None:
    for d in diagnostics:
        stream.write(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n")
        if ctx.show_source and d.source_line:
            stream.write(f"    {d.source_line}\n")
            stream.write("    " + " " * (d.column - 1) + "^\n")
