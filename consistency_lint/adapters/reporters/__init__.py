"""Reporters by name: each renders the same diagnostics to a text stream."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
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
    """

    def __init__(
        self,
        rules: dict[str, RuleMeta],
        files_checked: int,
        show_source: bool = False,
        *,
        files: Sequence[str] = (),
        root: str = "",
        cwd: str = "",
        color: bool = False,
    ):
        self.rules = rules
        self.files_checked = files_checked
        self.show_source = show_source
        self.files = tuple(files)
        self.root = root
        self.cwd = cwd
        # ANSI colours in the text report (a terminal, `--color`); other formats ignore it.
        self.color = color

    def project_path(self, shown: str) -> str:
        """A shown path relative to the project root (absolute when outside it)."""
        if not self.root:
            return shown.replace(os.sep, "/")
        from consistency_lint.app.baseline import project_path

        return project_path(shown, self.root, self.cwd or None)


REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "junit": render_junit,
    "gitlab": render_gitlab,
}
