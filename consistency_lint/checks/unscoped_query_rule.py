"""The shared shell of CL201 and CL202: queries of one kind that the tenancy analysis
judged unscoped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic


class UnscopedQueryRule(Rule):
    """Reports every query of kind `QUERY_KIND` with no tenant predicate (shared database only)."""

    QUERY_KIND: ClassVar[str]
    WHAT: ClassVar[str]  # how the message names the query: "query", "bulk write"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        tenancy = ctx.settings.tenancy
        if tenancy.mode != "shared-database":
            return
        for summary, verdict in ctx.tenancy.queries():
            if verdict.kind != self.QUERY_KIND or verdict.scoped or verdict.model is None:
                continue
            model = verdict.model
            yield self.diagnostic(
                summary,
                verdict.fact.span,
                f"{self.WHAT} of tenant-scoped model {model.qualname.rsplit('.', 1)[-1]} "
                f"(`{verdict.text or verdict.fact.text}`) has no predicate on its tenant key "
                f"{model.tenant_field or ', '.join(tenancy.tenant_keys)}",
            )
