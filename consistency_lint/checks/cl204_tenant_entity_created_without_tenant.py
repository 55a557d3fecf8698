"""## What it does
Flags the construction or creation (`Model(...)`, `objects.create(...)`,
`bulk_create`) of a tenant-scoped entity without its tenant key. An instance
built only to call a method on it (`Channel().send_alert(...)`, never bound,
passed or saved) is no new row and is not flagged; `Model(...).save()` is. Nor
is an instance returned as built (`return Model(...)`): its caller completes it.
Nor is a per-user row: `objects.create(user=request.user)` of a model whose tenant
key is declared nullable (`null=True`), with a field set to the principal.

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

from collections.abc import Iterator

from consistency_lint.analysis.tenancy import INSERT
from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity


class TenantEntityCreatedWithoutTenant(Rule):
    CODE = "CL204"
    NAME = "tenant-entity-created-without-tenant"
    SEVERITY = Severity.WARNING
    DEFAULT_ON = True
    SUMMARY = "Tenant-scoped entity created without its tenant key"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        if ctx.settings.tenancy.mode != "shared-database":
            return
        found = ctx.tenancy
        for summary, construct, model in found.constructs():
            yield self.diagnostic(
                summary,
                construct.span,
                f"tenant-scoped {model.qualname.rsplit('.', 1)[-1]} is constructed without its tenant key "
                f"{model.tenant_field or ', '.join(ctx.settings.tenancy.tenant_keys)}",
            )
        for summary, verdict in found.queries():
            if verdict.kind != INSERT or verdict.model is None or verdict.insert_unknown:
                continue
            model = verdict.model
            if found.has_tenant(model, verdict.insert_kwargs) or found.owned_by_principal(summary, verdict):
                continue
            yield self.diagnostic(
                summary,
                verdict.fact.span,
                f"tenant-scoped {model.qualname.rsplit('.', 1)[-1]} is created "
                f"(`{verdict.text or verdict.fact.text}`) "
                f"without its tenant key {model.tenant_field or ', '.join(ctx.settings.tenancy.tenant_keys)}",
            )
