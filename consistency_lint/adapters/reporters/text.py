"""flake8-compatible text: `path:line:col: CODE message`, one finding a line.

With `--show-source` each finding is followed by the offending line and a
caret line under the flagged columns (flake8's layout: the line as written,
tabs kept in the caret line so the caret lines up in a terminal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from consistency_lint.domain.diagnostic import Diagnostic

if TYPE_CHECKING:
    from consistency_lint.adapters.reporters import ReportContext


def caret_line(source: str, column: int, end_line: int, line: int, end_column: int) -> str:
    """Spaces (and the line's own tabs) up to `column`, then `^` under the flagged text.

    A span on one line is underlined to its end; a span that runs on to later
    lines is underlined to the end of this line.
    """
    start = max(column - 1, 0)
    prefix = "".join(ch if ch == "\t" else " " for ch in source[:start])
    if start > len(source):
        prefix += " " * (start - len(source))
    stop = end_column - 1 if end_line == line else len(source.rstrip())
    width = max(1, min(stop, len(source)) - start)
    return prefix + "^" * width


BOLD = "\x1b[1m"
RED = "\x1b[1;31m"
CYAN = "\x1b[36m"
RESET = "\x1b[0m"


def render_text(diagnostics: list[Diagnostic], stream: TextIO, ctx: ReportContext) -> None:
    for d in diagnostics:
        message = " ".join(d.message.splitlines())  # one finding, one line
        if ctx.color:  # ruff's palette: bold path, cyan separators, bold red code
            sep = f"{CYAN}:{RESET}"
            stream.write(
                f"{BOLD}{d.path}{RESET}{sep}{d.line}{sep}{d.column}{sep} {RED}{d.code}{RESET} {message}\n"
            )
        else:
            stream.write(f"{d.path}:{d.line}:{d.column}: {d.code} {message}\n")
        if ctx.show_source and d.source_line:
            source = d.source_line.rstrip("\r\n")
            stream.write(f"{source}\n")
            caret = caret_line(source, d.column, d.end_line, d.line, d.end_column)
            stream.write((f"{RED}{caret}{RESET}" if ctx.color else caret) + "\n")
