"""## What it does
Flags a bulk update or delete of a tenant-scoped model (SQLAlchemy
`update(M)`/`delete(M)`, `query.update()`/`.delete()`, Django queryset
`update()`/`delete()`) with no tenant predicate.

## Why is this bad?
A bulk write without the tenant key changes or destroys every tenant's rows.

## Example
```python
from shop.models import Invoice


def close_all(request):
    Invoice.objects.filter(status="open").update(status="closed")
```

## Use instead
```python
from shop.models import Invoice


def close_all(request):
    Invoice.objects.filter(tenant=request.tenant, status="open").update(status="closed")
```

## Options
- the `tenancy` options (see CL201).
"""

from __future__ import annotations

from collections.abc import Iterator

from consistency_lint.analysis.tenancy import BULK, analysis
from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity


class WriteMissingTenantFilter(Rule):
    CODE = "CL202"
    NAME = "write-missing-tenant-filter"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Bulk update or delete of a tenant-scoped model without a tenant predicate"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        if ctx.settings.tenancy.mode != "shared-database":
            return
        for summary, verdict in analysis(ctx.index, ctx.settings.tenancy).queries():
            if verdict.kind == BULK and not verdict.scoped and verdict.model is not None:
                model = verdict.model
                yield self.diagnostic(
                    summary,
                    verdict.fact.span,
                    f"bulk write of tenant-scoped model {model.qualname.rsplit('.', 1)[-1]} "
                    f"(`{verdict.text or verdict.fact.text}`) has no predicate on its tenant key "
                    f"{model.tenant_field or ', '.join(ctx.settings.tenancy.tenant_keys)}",
                )
