"""Where reports go: `--output-format FMT[:FILE]` (repeatable), and whether to colour them.

Several outputs in one run are spelled as golangci-lint spells them, one
format and its destination per value: `--output-format sarif:a.sarif
--output-format text` writes SARIF to `a.sarif` and text to the standard
output. A value without `:FILE` goes to `--output` when given, else to the
standard output; at most one output may go to each destination.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import click

from consistency_lint.adapters.terminal import interactive
from consistency_lint.app.errors import UserError
from consistency_lint.domain.packs import suggest

COLOR_MODES = ("auto", "always", "never")


STDOUT = "-"


@dataclass(frozen=True)
class OutputSpec:
    format: str
    path: Path | None  # None: the standard output
    # `FMT:FILE` named its destination (`FMT:-` the standard output); plain `FMT` did not.
    explicit: bool = False


class OutputFormat(click.ParamType):  # type: ignore[type-arg]
    """`FMT` or `FMT:FILE` (`FMT:-` is the standard output)."""

    name = "FMT[:FILE]"

    def __init__(self, formats: list[str]) -> None:
        self.formats = formats

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> OutputSpec:
        if isinstance(value, OutputSpec):
            return value
        text = str(value)
        name, sep, target = text.partition(":")
        if name not in self.formats:
            hint = suggest(name, self.formats) or f" (choose from {', '.join(self.formats)})"
            self.fail(f"unknown format '{name}'{hint}", param, ctx)
        if sep and not target:
            self.fail(f"'{text}': a file name is missing after ':'", param, ctx)
        return OutputSpec(name, None if not sep or target == STDOUT else Path(target), explicit=bool(sep))


def plan_outputs(specs: tuple[OutputSpec, ...], output: Path | None) -> list[OutputSpec]:
    """The outputs of a run; raises UserError when two would write to one place."""
    given = specs or (OutputSpec("text", None),)
    plan = [s if s.explicit else OutputSpec(s.format, output) for s in given]
    seen: dict[str, str] = {}
    for spec in plan:
        where = os.path.abspath(spec.path) if spec.path is not None else "the standard output"
        if where in seen:
            raise UserError(
                f"--output-format: '{seen[where]}' and '{spec.format}' would both be written to "
                f"{spec.path if spec.path is not None else where}; give each its own file with FMT:FILE"
            )
        seen[where] = spec.format
    return plan


def colour_wanted(mode: str, stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """`always`/`never` as given; `auto`: a terminal, and NO_COLOR unset or empty (no-color.org)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    return interactive(stream, env)
