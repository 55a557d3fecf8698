"""Reporters by name: each renders the same diagnostics to a text stream."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TextIO

from consistency_lint.adapters.reporters.github import render_github
from consistency_lint.adapters.reporters.gitlab import render_gitlab
from consistency_lint.adapters.reporters.json import render_json
from consistency_lint.adapters.reporters.junit import render_junit
from consistency_lint.adapters.reporters.sarif import render_sarif
from consistency_lint.adapters.reporters.text import render_text
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.rule import RuleMeta

Reporter = Callable[[list[Diagnostic], TextIO, "ReportContext"], None]


class ReportContext:
    """What a reporter may need beside the diagnostics.

    `files` are the files reported on (as shown, relative to the current
    directory); `root` is the project root and `cwd` the folder paths are
    shown relative to (both absolute; `root=""` keeps shown paths as they are).
    `repo_root` is the repository root that code-scanning services resolve
    paths against; by default the git top level above `root` (see
    `repository_root`). `environ` is where CI variables (`CI_PROJECT_DIR`) are
    read from (default: the process environment).
    """

    def __init__(
        self,
        rules: Mapping[str, RuleMeta],
        files_checked: int,
        show_source: bool = False,
        *,
        files: Sequence[str] = (),
        root: str = "",
        cwd: str = "",
        repo_root: str | None = None,
        environ: Mapping[str, str] | None = None,
        color: bool = False,
    ):
        self.rules = rules
        self.files_checked = files_checked
        self.show_source = show_source
        self.files = tuple(files)
        self.root = root
        self.cwd = cwd
        self._repo_root = repo_root
        self.environ = os.environ if environ is None else environ
        # ANSI colours in the text report (a terminal, `--color`); other formats ignore it.
        self.color = color

    def project_path(self, shown: str) -> str:
        """A shown path relative to the project root (absolute when outside it)."""
        return self._relative(shown, self.root)

    @cached_property
    def repo_root(self) -> str:
        """The repository root: given, or the git top level above the project root, or the project root."""
        if self._repo_root is not None:
            return self._repo_root
        return repository_root(self.root) if self.root else ""

    def repo_path(self, shown: str) -> str:
        """A shown path relative to the repository root (absolute when outside it)."""
        return self._relative(shown, self.repo_root)

    def ci_path(self, shown: str, variable: str = "CI_PROJECT_DIR") -> str:
        """A shown path relative to the CI checkout named by `variable` when it is set
        (GitLab's `CI_PROJECT_DIR`, GitHub's `GITHUB_WORKSPACE`), else to the repository root."""
        base = self.environ.get(variable, "")
        if base and self.root:
            return self._relative(shown, os.path.abspath(base))
        return self.repo_path(shown)

    def _relative(self, shown: str, base: str) -> str:
        if not base:
            return shown.replace(os.sep, "/")
        from consistency_lint.app.baseline import project_path

        return project_path(shown, base, self.cwd or None)


def repository_root(start: str) -> str:
    """The top level of the git working tree holding `start`, found without running git.

    Walks up from `start` for a `.git` entry (a folder, or the file a worktree or
    submodule has); `start` itself when there is none. Symbolic links in
    `start` are not resolved, so the result shares its spelling.
    """
    folder = os.path.abspath(start)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.abspath(start)
        folder = parent


REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "junit": render_junit,
    "gitlab": render_gitlab,
}
