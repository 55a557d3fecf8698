"""## What it does
Flags an import of a persistence framework (sqlalchemy, django.db, peewee,
pony, tortoise, mongoengine, sqlmodel, psycopg, pymongo, ...) in a domain-layer
module, including imports inside functions and `TYPE_CHECKING` blocks.

## Why is this bad?
A domain model that knows its ORM is tied to the table structure: business
rules cannot be tested, changed or reused without the database.

## Example
```python
# myapp/domain/order.py
from sqlalchemy.orm import Mapped


class Order:
    total: Mapped[int]
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
- `layers.domain`, `layers.persistence`, `layers.type-checking-imports`.
"""

from __future__ import annotations

from consistency_lint.checks.base import Rule
from consistency_lint.domain.diagnostic import Severity


class OrmImportInDomain(Rule):
    CODE = "CL301"
    NAME = "orm-import-in-domain"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Domain module imports a persistence framework"
    IMPLEMENTED = False
