"""## What it does
Flags a function whose flow commits two different transactional stores (two
sessions, engines or databases) with no coordination between them.

## Why is this bad?
Two commits are two transactions: the second can fail after the first
succeeded, leaving the stores inconsistent. It is the dual write again, between
two databases.

## Example
```python
def transfer(orders_session, billing_session, order):
    orders_session.add(order)
    orders_session.commit()
    billing_session.add(order.invoice())
    billing_session.commit()
```

## Use instead
```python
def transfer(orders_session, order):
    orders_session.add(order)
    orders_session.add(BillingOutbox(order_id=order.id))
    orders_session.commit()
```

## Options
Off by default: enable with `extend-select = ["CL104"]`.
"""

from __future__ import annotations

from consistency_lint.analysis.dualwrite import SecondStoreCommitted
from consistency_lint.checks.dualwrite_rule import DualWriteRule
from consistency_lint.domain.diagnostic import Related, Severity


class MultipleCommitsInFlow(DualWriteRule[SecondStoreCommitted]):
    CODE = "CL104"
    NAME = "multiple-commits-in-flow"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = False
    SUMMARY = "One flow commits two transactional stores"
    OPTIONS = ("packs",)
    EVENT = SecondStoreCommitted

    def word(self, event: SecondStoreCommitted) -> tuple[str, tuple[Related, ...]]:
        return (
            f"{event.commit.describe(event.path)} commits a second store after "
            f"{event.first.describe(event.path)}: the two commits are not atomic; "
            "coordinate them through an outbox",
            (event.first.related("the first store commits here"),),
        )
