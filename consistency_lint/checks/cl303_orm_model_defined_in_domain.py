"""## What it does
Flags an ORM-mapped class defined inside the domain layer: a subclass of a
declarative base (`DeclarativeBase`, `declarative_base()`, Flask-SQLAlchemy's
`db.Model`), a class mapped by a decorator (`@mapper_registry.mapped`,
`@as_declarative()`), a Django model, an SQLModel class with `table=True`, a peewee,
pony, tortoise, mongoengine, beanie or odmantic model (every pack's
`model-bases`), directly or through a project base class that is itself
mapped, wherever that base is defined. An SQLModel class without `table=True`
is a pydantic model, not a mapped class, and is not reported.

## Why is this bad?
The domain layer should hold plain objects; mapping belongs to the
persistence layer. A mapped class makes every business rule that touches it
depend on the ORM, its sessions and its table layout.

## Example
```python
# myapp/domain/order.py
from django.db import models


class Order(models.Model):
    total = models.IntegerField()
```

## Use instead
A plain class (dataclass, attrs, pydantic, or ordinary class) in the domain,
mapped by the persistence layer, for example with SQLAlchemy's imperative
mapping (`registry.map_imperatively(Order, orders_table)` in
`myapp/adapters/orm.py`). None of the CL3xx rules reports this layout:
```python
# myapp/domain/order.py
from dataclasses import dataclass


@dataclass
class Order:
    total: int
```

## Options
- `layers.domain`: module patterns or path globs of the domain layer.
- `packs`: your own packs can list more `model-bases`.
"""

from __future__ import annotations

from collections.abc import Iterator

from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity


class OrmModelDefinedInDomain(Rule):
    CODE = "CL303"
    NAME = "orm-model-defined-in-domain"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "ORM-mapped class defined in the domain layer"
    OPTIONS = ("layers.domain", "packs")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        layers = ctx.layers
        entities = ctx.entities
        for summary in ctx.files():
            if not layers.is_domain(summary.path, summary.module):
                continue
            for cls in summary.classes:
                base = entities.mapped_base(summary.qualified(cls.qualname))
                if not base:
                    continue
                yield self.diagnostic(
                    summary,
                    cls.span,
                    f"`{cls.qualname}` is an ORM-mapped class (through `{base}`) defined in the domain "
                    "layer: keep a plain class here and map it in the persistence layer",
                    context=cls.qualname,
                )
