"""## What it does
Flags a publish (a broker message, a task enqueue, or an opted-in side effect
such as an HTTP call or an email) that runs after a database transaction has
committed in the same flow, without going through a transactional outbox.

## Why is this bad?
The commit and the publish are two writes to two systems with no transaction
around both. If the process dies, the broker is unreachable or the publish
raises after the commit, the row exists and the rest of the system never hears
of it: the database and the consumers disagree for ever, and no retry knows
what was lost.

## Example
```python
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()


def place_order(session: Session, order):
    session.add(order)
    session.commit()
    producer.send("orders", b"OrderPlaced")
```

## Use instead
Write the message to an outbox table in the same transaction, and let a relay
(or change-data-capture) publish it after the commit:
```python
from sqlalchemy.orm import Session

from shop.models import OrderOutbox


def place_order(session: Session, order):
    session.add(order)
    session.add(OrderOutbox(topic="orders", payload=b"OrderPlaced"))
    session.commit()
```

## Options
- `effect-kinds`: which publishes count (`broker`, `task`, `http`, `email`).
- `outbox-models`: class or table name patterns whose rows are an outbox.
- `atomic-requests`: Django's `ATOMIC_REQUESTS` (views run inside a transaction).
- `packs`: your own message bus or unit of work.

## References
- Chris Richardson, "Pattern: Transactional outbox", microservices.io.
"""

from __future__ import annotations

from consistency_lint.analysis.dualwrite import PublishedAfterCommit
from consistency_lint.checks.dualwrite_rule import DualWriteRule, published
from consistency_lint.domain.diagnostic import Related


class PublishAfterCommit(DualWriteRule[PublishedAfterCommit]):
    CODE = "CL101"
    NAME = "publish-after-commit"
    SUMMARY = "Publish after a transaction committed, outside an outbox"
    OPTIONS = ("effect-kinds", "outbox-models", "atomic-requests", "packs")
    EVENT = PublishedAfterCommit

    def word(self, event: PublishedAfterCommit) -> tuple[str, tuple[Related, ...]]:
        what, related = published(event, event.through)
        return (
            f"{what} publishes after {event.committed.describe(event.path)} committed; "
            "if the publish fails the change is never announced: "
            "write the message to an outbox in the same transaction",
            (event.committed.related("the transaction commits here"), *related),
        )
