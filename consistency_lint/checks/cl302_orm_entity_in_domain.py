"""## What it does
Flags a domain-layer module that imports or references an ORM entity defined
elsewhere in the project, directly or through a re-export.

## Why is this bad?
Passing ORM entities through the domain couples business rules to the
persistence model just as importing the ORM does, only less visibly.

## Example
```python
# myapp/domain/pricing.py
from myapp.adapters.orm import OrderRow


def total(order: OrderRow) -> int:
    return order.amount
```

## Use instead
```python
# myapp/domain/pricing.py
from myapp.domain.order import Order


def total(order: Order) -> int:
    return order.amount
```

## Options
- `layers.domain`, `layers.persistence`.
"""

from __future__ import annotations

from consistency_lint.checks.base import Rule
from consistency_lint.domain.diagnostic import Severity


class OrmEntityInDomain(Rule):
    CODE = "CL302"
    NAME = "orm-entity-in-domain"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Domain module uses an ORM entity defined elsewhere in the project"
    IMPLEMENTED = False
