"""## What it does
Flags a bulk update or delete of a tenant-scoped model (SQLAlchemy
`update(M)`/`delete(M)`, `query.update()`/`.delete()`, Django queryset
`update()`/`delete()`) with no tenant predicate.

Provenance: a predicate scopes only as far as its value belongs to the
current tenant. A value from a `tenant-sources` entry
(`request.user.organization`, `request.tenant`, `current_tenant()`,
Flask-Login's `current_user`), from a parameter filled by one (a FastAPI
dependency or annotation), or a URL argument of a view covered by a
`scope-guards` decorator or permission class (`@require_member`,
`permission_classes = [BoardMemberPermission]`) scopes a lookup by identity
(`Board.objects.get(pk=board_id)`). A value from request data
(`request.data[...]`, `request.GET.getlist(...)`) or an unverified URL
argument (a view parameter, `self.kwargs[...]`) never scopes, even on the
tenant key: `filter(ticket_id__in=request.data["ids"])` is flagged. A lookup by
a `tenant-lookup-fields` secret (`ApiKey.key`) is how a request finds its
tenant and is not flagged. See docs/multi-tenancy.md, "Provenance of tenant
values".

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
