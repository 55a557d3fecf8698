"""The flake8 plugin: `flake8 --select CL` reports what `consistency-lint check FILE` reports.

Registered in the `flake8.extension` entry-point group under the code `CL`.

- flake8 hands every plugin the lines it read (from the file, or from stdin
  when an editor pipes an unsaved buffer), so the plugin lints `lines` and
  never reads the file on disk. It asks for `tree` only because flake8 runs
  tree plugins once per file; the stdlib tree itself is not used.
- flake8 does not read `pyproject.toml`: the plugin finds our configuration
  (`[tool.consistency-lint]` or `consistency-lint.toml`) from the file name
  upward and caches it per configuration file.
- The file is analysed within its own flow (helpers in other modules are not
  followed), like `consistency_lint.lint_source`.
- Every code our configuration enables is yielded; flake8's own `--select`,
  `--ignore` and `# noqa` then apply on top. Our engine applies `# noqa` too
  (the same comments, so the result is the one of the command line), except
  under `--disable-noqa`, which turns our suppressions off as well.
- flake8 columns are 0-based in plugins (it prints column + 1); ours are 1-based.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
from typing import Any

from consistency_lint import __version__
from consistency_lint.app.buffer import BufferLinter

_LINTER = BufferLinter()


class ConsistencyLintChecker:
    """flake8 tree plugin; flake8 passes `tree`, `lines` and `filename` by name."""

    name = "consistency-lint"
    version = __version__
    apply_noqa = True

    def __init__(self, tree: ast.AST, lines: Sequence[str], filename: str) -> None:
        # Linting here rather than in `run` makes a configuration error reach the user as
        # flake8's "plugin failed during execution" message instead of a traceback.
        self.diagnostics = _LINTER.lint("".join(lines), filename, apply_noqa=self.apply_noqa)

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.apply_noqa = not getattr(options, "disable_noqa", False)

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        for diagnostic in self.diagnostics:
            column = max(diagnostic.column - 1, 0)
            yield diagnostic.line, column, f"{diagnostic.code} {diagnostic.message}", type(self)
