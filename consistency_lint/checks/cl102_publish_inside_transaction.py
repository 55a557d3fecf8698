"""## What it does
Flags a publish, enqueue or opted-in side effect that runs while a database
transaction is still open, before it commits.

## Why is this bad?
The message escapes while the transaction can still roll back: consumers act
on an order that never existed. Even when the commit succeeds, a fast consumer
may read before the commit is visible and find nothing.

## Example
```python
from django.db import transaction

from shop.models import Order
from shop.tasks import send_receipt


def pay(order: Order):
    with transaction.atomic():
        order.status = "paid"
        order.save()
        send_receipt.delay(order.pk)
```

## Use instead
```python
from django.db import transaction

from shop.models import Order, Outbox


def pay(order: Order):
    with transaction.atomic():
        order.status = "paid"
        order.save()
        Outbox.objects.create(topic="receipt", payload={"order": order.pk})
```

## Options
- `effect-kinds`, `outbox-models`, `packs` (see CL101).
- `atomic-requests`: Django's `ATOMIC_REQUESTS`; views (functions taking `request`)
  run inside a transaction.
"""

from __future__ import annotations

from consistency_lint.analysis.dualwrite import PublishedInTransaction
from consistency_lint.checks.dualwrite_rule import DualWriteRule, published
from consistency_lint.domain.diagnostic import Related, Severity


class PublishInsideTransaction(DualWriteRule[PublishedInTransaction]):
    CODE = "CL102"
    NAME = "publish-inside-transaction"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Publish inside an open transaction, before its commit"
    OPTIONS = ("effect-kinds", "outbox-models", "atomic-requests", "packs")
    EVENT = PublishedInTransaction

    def word(self, event: PublishedInTransaction) -> tuple[str, tuple[Related, ...]]:
        what, related = published(event, event.through)
        return (
            f"{what} publishes inside an open transaction ({event.cause.describe(event.path)}), "
            "before it commits: consumers may act on a change that rolls back; "
            "write the message to an outbox in the same transaction",
            (event.cause.related("the transaction is open here"), *related),
        )
