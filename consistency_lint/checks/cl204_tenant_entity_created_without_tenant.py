"""## What it does
Flags the construction or creation (`Model(...)`, `objects.create(...)`,
`bulk_create`) of a tenant-scoped entity without its tenant key.

## Why is this bad?
A row without a tenant belongs to nobody, or to whichever tenant a default
picks: it is invisible to its owner or visible to everyone.

## Example
```python
from shop.models import Invoice


def new_invoice(amount):
    return Invoice.objects.create(amount=amount)
```

## Use instead
```python
from shop.models import Invoice


def new_invoice(tenant, amount):
    return Invoice.objects.create(tenant=tenant, amount=amount)
```

## Options
- the `tenancy` options (see CL201).
"""

from __future__ import annotations

from consistency_lint.checks.base import Rule
from consistency_lint.domain.diagnostic import Severity


class TenantEntityCreatedWithoutTenant(Rule):
    CODE = "CL204"
    NAME = "tenant-entity-created-without-tenant"
    SEVERITY = Severity.WARNING
    DEFAULT_ON = True
    SUMMARY = "Tenant-scoped entity created without its tenant key"
    IMPLEMENTED = False
