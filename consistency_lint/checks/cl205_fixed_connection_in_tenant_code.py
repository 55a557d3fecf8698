"""## What it does
In database-per-tenant mode only: flags an engine, session or connection
built from a literal URL or a fixed alias (`create_engine("postgresql://...")`,
`.using("default")`, `connections["default"]`) outside the configured bootstrap
modules.

## Why is this bad?
Each tenant has its own database; code that talks to a fixed one reads or
writes the wrong tenant's data, or all tenants' data in one place.

## Example
```python
from sqlalchemy import create_engine

engine = create_engine("postgresql://db/app")
```

## Use instead
```python
from myapp.tenancy import tenant_session


def invoices():
    with tenant_session() as session:
        return session.query(Invoice).all()
```

## Options
- `tenancy.mode = "database-per-tenant"` turns it on; `tenancy.scoping-helpers`,
  `tenancy.bootstrap-modules`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity
from consistency_lint.domain.globs import any_match


class FixedConnectionInTenantCode(Rule):
    CODE = "CL205"
    NAME = "fixed-connection-in-tenant-code"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Fixed database connection in database-per-tenant code"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        tenancy = ctx.settings.tenancy
        if tenancy.mode != "database-per-tenant":
            return
        found = ctx.tenancy

        def bootstrap(module: str, path: str) -> bool:
            return any(
                fnmatch.fnmatchcase(module, p) or module.startswith(f"{p}.")
                for p in tenancy.bootstrap_modules
            ) or any_match(path, tenancy.bootstrap_modules)

        for summary, fixed in found.fixed_connections():
            if bootstrap(summary.module, summary.path):
                continue
            yield self.diagnostic(
                summary,
                fixed.span,
                f"fixed connection `{fixed.text}` in tenant code: use the current tenant's database",
            )
        for summary, verdict in found.queries():
            if verdict.fixed_alias and not bootstrap(summary.module, summary.path):
                yield self.diagnostic(
                    summary,
                    verdict.fact.span,
                    f"query pinned to fixed database alias {verdict.fixed_alias[0]!r} "
                    f"(`{verdict.text or verdict.fact.text}`) in tenant code: "
                    "use the current tenant's database",
                )
