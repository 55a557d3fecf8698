"""## What it does
Flags an ORM read of a tenant-scoped model (SQLAlchemy `select`,
`session.query`, `session.get`, Flask-SQLAlchemy `Model.query`; Django
managers, custom managers declared on the model or its bases, querysets and
`get_object_or_404`) with no tenant predicate in its flow. A query assigned in
a class body (a DRF view's `queryset`, a serializer field's `queryset=`)
counts unless the class or a base defines `get_queryset` or `__init__` (the
packs' `class-query-overrides`).

The whole chain counts, also when it is built step by step in a variable of
the same function. Scoped: a predicate requiring the tenant key in every case
(`or_`/`|` keep only what both sides require; `exclude(...)` never scopes), a
relation path ending at a tenant-scoped model (`filter(project=p)`), a row
re-read by the primary key of a row in hand (`get(pk=invoice.order_id)`), a
related manager of an instance (`org.projects.all()`), a queryset received as
a parameter, a `scoping-helpers` match (a step, the model's manager class, a
function the query is handed to), a `with_loader_criteria` global filter,
`Prefetch(...)`, `.none()`. `session.get(M, pk)` is never scoped.

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
tenant and is not flagged. A DRF detail view's `queryset` checked object by
object by an `object-guards` permission class (its own, or the settings'
`DEFAULT_PERMISSION_CLASSES` when it sets none) is scoped; a view replacing
them with `[IsAuthenticated]` is flagged. A fetched row handed to a
`verifiers` method with the principal
(`if not row.has_permission(request.user): return 403`) is scoped. Queries of periodic and tenant-free
jobs, and of the functions only they call (or only code whose CL201 findings
per-file-ignores or analysis-exclude silence, tests excepted), are not flagged. See
docs/multi-tenancy.md, "Provenance of tenant values".

## Why is this bad?
In a shared-database multi-tenant application one query without the tenant
key shows one customer another customer's data.

## Example
```python
from shop.models import Invoice


def invoices(request):
    return Invoice.objects.filter(status="open")
```

## Use instead
```python
from shop.models import Invoice


def invoices(request):
    return Invoice.objects.filter(status="open", tenant=request.tenant)
```

## Options
- `tenancy.mode`, `tenancy.tenant-keys`, `tenancy.tenant-models`, `tenancy.global-models`,
  `tenancy.scoping-helpers`, `tenancy.tenant-sources`, `tenancy.scope-guards`,
  `tenancy.object-guards`, `tenancy.verifiers`, `tenancy.tenant-lookup-fields`, `tenancy.exclude`,
  `tenancy.principal-models`, `tenancy.operator-guards`; `per-file-ignores` (code only silenced
  files call is operator code).
"""

from __future__ import annotations

from consistency_lint.analysis.tenancy import READ
from consistency_lint.checks.unscoped_query_rule import UnscopedQueryRule
from consistency_lint.domain.diagnostic import Severity


class QueryMissingTenantFilter(UnscopedQueryRule):
    CODE = "CL201"
    NAME = "query-missing-tenant-filter"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Query of a tenant-scoped model without a tenant predicate"
    QUERY_KIND = READ
    WHAT = "query"
