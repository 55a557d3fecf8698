"""Reporters by name: each renders the same diagnostics to a text stream."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from consistency_lint.adapters.reporters.json import render_json
from consistency_lint.adapters.reporters.text import render_text
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.rule import RuleMeta

Reporter = Callable[[list[Diagnostic], TextIO, "ReportContext"], None]


class ReportContext:
    """What a reporter may need beside the diagnostics."""

    def __init__(self, rules: dict[str, RuleMeta], files_checked: int, show_source: bool = False):
        self.rules = rules
        self.files_checked = files_checked
        self.show_source = show_source


REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
}
PLANNED_FORMATS = ("sarif", "github", "junit")
