"""## What it does
Flags a function of a configured outer layer (API, service) whose public
signature (parameters or return annotation, including `list[Model]` and
`Optional[Model]`) names an ORM entity.

## Why is this bad?
Returning ORM entities from a service or API lets lazy loading, sessions and
table structure leak to callers that should only see domain objects or DTOs.

## Example
```python
# myapp/api/orders.py
from myapp.adapters.orm import OrderRow


def get_order(order_id: int) -> OrderRow:
    ...
```

## Use instead
```python
# myapp/api/orders.py
from myapp.domain.order import Order


def get_order(order_id: int) -> Order:
    ...
```

## Options
Off by default: enable with `extend-select = ["CL304"]`; `layers.outer` names the outer layers.
"""

from __future__ import annotations

from consistency_lint.checks.base import Rule
from consistency_lint.domain.diagnostic import Severity


class OrmEntityCrossesBoundary(Rule):
    CODE = "CL304"
    NAME = "orm-entity-crosses-boundary"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = False
    SUMMARY = "ORM entity in the public signature of an outer-layer function"
    IMPLEMENTED = False
