"""## What it does
Flags an ORM-mapped class (a declarative base subclass, a Django model, an
SQLModel table) defined inside the domain layer.

## Why is this bad?
The domain layer should hold plain objects; mapping belongs to an adapters
module, where imperative mapping can map the plain class without touching it.

## Example
```python
# myapp/domain/order.py
from django.db import models


class Order(models.Model):
    total = models.IntegerField()
```

## Use instead
```python
# myapp/domain/order.py
from dataclasses import dataclass


@dataclass
class Order:
    total: int
```

## Options
- `layers.domain`.
"""

from __future__ import annotations

from consistency_lint.checks.base import Rule
from consistency_lint.domain.diagnostic import Severity


class OrmModelDefinedInDomain(Rule):
    CODE = "CL303"
    NAME = "orm-model-defined-in-domain"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "ORM-mapped class defined in the domain layer"
    IMPLEMENTED = False
