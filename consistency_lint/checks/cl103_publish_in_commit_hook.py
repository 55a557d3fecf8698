"""## What it does
Flags a publish registered to run after the commit: a Django
`transaction.on_commit(...)` callback (lambda, function or `functools.partial`)
or an SQLAlchemy `after_commit` listener.

## Why is this bad?
After-commit hooks are better than publishing inside the transaction, but
delivery is at most once: a crash, a deploy or a broker outage between the
commit and the hook loses the message with no trace. Use it knowingly, or move
to an outbox.

## Example
```python
from django.db import transaction

from shop.models import Order
from shop.tasks import send_receipt


def pay(order: Order):
    with transaction.atomic():
        order.save()
        transaction.on_commit(lambda: send_receipt.delay(order.pk))
```

## Use instead
```python
from django.db import transaction

from shop.models import Order, Outbox


def pay(order: Order):
    with transaction.atomic():
        order.save()
        Outbox.objects.create(topic="receipt", payload={"order": order.pk})
```

## Options
- `effect-kinds`, `packs` (see CL101).
"""

from __future__ import annotations

from consistency_lint.analysis.dualwrite import PublishedFromHook
from consistency_lint.checks.dualwrite_rule import DualWriteRule
from consistency_lint.domain.diagnostic import Related, Severity


class PublishInCommitHook(DualWriteRule[PublishedFromHook]):
    CODE = "CL103"
    NAME = "publish-in-commit-hook"
    SEVERITY = Severity.WARNING
    DEFAULT_ON = True
    SUMMARY = "Publish registered as an after-commit hook"
    OPTIONS = ("effect-kinds", "packs")
    EVENT = PublishedFromHook

    def word(self, event: PublishedFromHook) -> tuple[str, tuple[Related, ...]]:
        hook = event.hook.op
        registered = event.hook.related("the hook is registered here")
        if event.through is None:
            return (
                f"`{event.op.text}` publishes from an after-commit hook (`{hook.text}`, line "
                f"{hook.span.line}): delivery is at most once, a crash after the commit "
                "loses it; write the message to an outbox in the transaction instead",
                (registered,),
            )
        return (
            f"`{event.op.text}` runs from an after-commit hook (`{hook.text}`, line "
            f"{hook.span.line}) and publishes {event.through.describe(event.path)}: "
            "delivery is at most once; write the message to an outbox in the transaction instead",
            (registered, event.through.related("the publish")),
        )
