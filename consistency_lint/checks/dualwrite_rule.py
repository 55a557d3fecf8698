"""The shared shell of CL101-CL104: one cached dual-write analysis, findings by code."""

from __future__ import annotations

from collections.abc import Iterator

from consistency_lint.analysis.dualwrite import analyse
from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic


class DualWriteRule(Rule):
    """A rule whose findings come from `analysis.dualwrite` under its own code."""

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        analysis = analyse(ctx.index, ctx.settings)
        for found in analysis.findings(self.CODE):
            summary = ctx.index.by_path[found.path]
            yield self.diagnostic(
                summary, found.span, found.message, related=found.related, context=found.context
            )
