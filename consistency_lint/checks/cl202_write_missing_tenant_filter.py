"""## What it does
Flags a bulk update or delete of a tenant-scoped model (SQLAlchemy
`update(M)`/`delete(M)`, `query.update()`/`.delete()`, Django queryset
`update()`/`delete()`) with no tenant predicate.

Provenance works as for [CL201](CL201.md): a predicate scopes only as far
as its value belongs to the current tenant (a tenant source, a URL argument a
scope guard verifies, a scoped row), so `filter(id__in=request.data["ids"])
.delete()` is flagged even on the tenant key. See docs/multi-tenancy.md,
"Provenance of tenant values".

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

from consistency_lint.analysis.tenancy import BULK
from consistency_lint.checks.unscoped_query_rule import UnscopedQueryRule
from consistency_lint.domain.diagnostic import Severity


class WriteMissingTenantFilter(UnscopedQueryRule):
    CODE = "CL202"
    NAME = "write-missing-tenant-filter"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Bulk update or delete of a tenant-scoped model without a tenant predicate"
    QUERY_KIND = BULK
    WHAT = "bulk write"
