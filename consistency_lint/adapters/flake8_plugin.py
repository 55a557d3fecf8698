"""The flake8 plugin: `flake8 --select CL` reports what `consistency-lint check FILE` reports.

Registered in the `flake8.extension` entry-point group under the code `CL`.

- flake8 hands every plugin the lines it read (from the file, or from stdin
  when an editor pipes an unsaved buffer), so the plugin lints `lines` and
  never reads the file on disk for its findings. It asks for `tree` only
  because flake8 runs tree plugins once per file; the stdlib tree is not used.
- flake8 does not read `pyproject.toml`: the plugin finds our configuration
  (`[tool.consistency-lint]` or `consistency-lint.toml`) from the file name
  upward and caches it per configuration file.
- In a project (a configuration file was found), the file is analysed in its
  project's context, as `consistency-lint check FILE` analyses it: the other
  files' results from the result cache (`.consistency-lint-cache/`, or
  `CONSISTENCY_LINT_CACHE_DIR`), the buffer's own analysis fresh. When the
  buffer is the file on disk, one whole-project run answers for the files of
  the flake8 run (`app.buffer.PROJECT_RUN_TTL`). Without a configuration file,
  the file is analysed alone, as the command line does.
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
        self.diagnostics = _LINTER.lint_as_check("".join(lines), filename, apply_noqa=self.apply_noqa)

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.apply_noqa = not getattr(options, "disable_noqa", False)

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        for diagnostic in self.diagnostics:
            column = max(diagnostic.column - 1, 0)
            yield diagnostic.line, column, f"{diagnostic.code} {diagnostic.message}", type(self)
