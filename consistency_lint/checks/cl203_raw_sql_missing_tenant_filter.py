"""## What it does
Flags raw SQL (a string passed to `execute`, `text()`, `raw()`, `extra()`)
that reads or writes a tenant-scoped table without constraining every
reference to it by its tenant column. The SQL is parsed with a real SQL parser.

## Why is this bad?
Raw SQL bypasses every ORM-level scoping helper; a join or subquery that
forgets the tenant column leaks rows across tenants.

## Example
```python
def totals(cursor):
    cursor.execute("SELECT sum(amount) FROM invoices")
```

## Use instead
```python
def totals(cursor, tenant_id):
    cursor.execute("SELECT sum(amount) FROM invoices WHERE tenant_id = %s", [tenant_id])
```

## Options
- the `tenancy` options (see CL201).
"""

from __future__ import annotations

from collections.abc import Iterator

from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity


class RawSqlMissingTenantFilter(Rule):
    CODE = "CL203"
    NAME = "raw-sql-missing-tenant-filter"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Raw SQL on a tenant-scoped table without a predicate on the tenant column"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        if ctx.settings.tenancy.mode != "shared-database":
            return
        for summary, sql, models in ctx.tenancy.raw_sql():
            tables = ", ".join(
                f"{m.table} ({m.tenant_field or '/'.join(ctx.settings.tenancy.tenant_keys)})" for m in models
            )
            yield self.diagnostic(
                summary,
                sql.span,
                f"raw SQL reads or writes tenant-scoped table {tables} without constraining "
                f"its tenant column: `{sql.text}`",
            )
