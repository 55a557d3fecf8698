"""Which rules exist and which are on by default, known without importing any rule.

Every run reads this to resolve the configuration, including a warm run that the
cache answers without analysing anything; the rules themselves (`checks`) import
every analysis, which such a run never needs. The rule classes hold the same
metadata with their documentation (`checks.CATALOGUE`); a test holds the two to
agree, row by row.
"""

from __future__ import annotations

from dataclasses import dataclass

from consistency_lint.domain.diagnostic import Severity


@dataclass(frozen=True)
class RuleHead:
    """A rule's code, name, severity, default and summary: its metadata but the documentation."""

    code: str
    name: str
    severity: Severity
    default_on: bool
    summary: str


_E, _W = Severity.ERROR, Severity.WARNING

HEADS: dict[str, RuleHead] = {
    head.code: head
    for head in (
        RuleHead("CL001", "syntax-error", _E, True, "File cannot be parsed or decoded"),
        RuleHead("CL002", "unused-suppression", _W, False, "Suppression comment that suppresses nothing"),
        RuleHead(
            "CL101",
            "publish-after-commit",
            _E,
            True,
            "Publish after a transaction committed, outside an outbox",
        ),
        RuleHead(
            "CL102",
            "publish-inside-transaction",
            _E,
            True,
            "Publish inside an open transaction, before its commit",
        ),
        RuleHead("CL103", "publish-in-commit-hook", _W, True, "Publish registered as an after-commit hook"),
        RuleHead("CL104", "multiple-commits-in-flow", _E, False, "One flow commits two transactional stores"),
        RuleHead(
            "CL201",
            "query-missing-tenant-filter",
            _E,
            True,
            "Query of a tenant-scoped model without a tenant predicate",
        ),
        RuleHead(
            "CL202",
            "write-missing-tenant-filter",
            _E,
            True,
            "Bulk update or delete of a tenant-scoped model without a tenant predicate",
        ),
        RuleHead(
            "CL203",
            "raw-sql-missing-tenant-filter",
            _E,
            True,
            "Raw SQL on a tenant-scoped table without a predicate on the tenant column",
        ),
        RuleHead(
            "CL204",
            "tenant-entity-created-without-tenant",
            _W,
            True,
            "Tenant-scoped entity created without its tenant key",
        ),
        RuleHead(
            "CL205",
            "fixed-connection-in-tenant-code",
            _E,
            True,
            "Fixed database connection in database-per-tenant code",
        ),
        RuleHead("CL301", "orm-import-in-domain", _E, True, "Domain module imports a persistence framework"),
        RuleHead(
            "CL302",
            "orm-entity-in-domain",
            _E,
            True,
            "Domain module uses an ORM entity defined elsewhere in the project",
        ),
        RuleHead(
            "CL303", "orm-model-defined-in-domain", _E, True, "ORM-mapped class defined in the domain layer"
        ),
        RuleHead(
            "CL304",
            "orm-entity-crosses-boundary",
            _E,
            False,
            "ORM entity in the public signature of an outer-layer function",
        ),
    )
}
