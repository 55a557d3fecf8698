"""## What it does
Flags an import of a persistence framework (sqlalchemy, sqlmodel, django.db,
peewee, pony, tortoise, mongoengine, beanie, odmantic, pymongo, motor, psycopg,
redis, ...: every pack's `persistence-modules`) in a domain-layer module, and
an import of a project module of the configured persistence layer
(`layers.persistence`). `import x`, `from x import y`, relative imports
(resolved against the importing module), imports inside functions and imports
under `if TYPE_CHECKING:` all count. Importing an ORM entity of the
persistence layer is reported by CL302 instead. A project package that shares
a framework's name (the project's own `redis/`) is not the framework.

The domain layer is `layers.domain`; by default every file inside a folder
named exactly `domain` (not `domain_events`), outside test folders.

## Why is this bad?
A domain model that knows its ORM is tied to the table structure: business
rules cannot be tested, changed or reused without the database. A
`TYPE_CHECKING` import is still a dependency of the model on the ORM's types.

## Example
```python
# myapp/domain/order.py
from sqlalchemy.orm import Mapped


class Order:
    total: Mapped[int]
```

## Use instead
Keep the domain plain and map it from the persistence layer (imperative
mapping), which imports the domain, never the other way round:
```python
# myapp/domain/order.py
from dataclasses import dataclass


@dataclass
class Order:
    total: int
```
```python
# myapp/adapters/orm.py
from sqlalchemy import Column, Integer, Table
from sqlalchemy.orm import registry

from myapp.domain.order import Order

mapper_registry = registry()
orders = Table("orders", mapper_registry.metadata, Column("total", Integer))
mapper_registry.map_imperatively(Order, orders)
```

## Options
- `layers.domain`: module patterns or path globs of the domain layer.
- `layers.persistence`: project modules the domain must not import either.
- `layers.type-checking-imports`: set to `false` to ignore imports under
  `if TYPE_CHECKING:`.
- `packs`: your own packs can list more `persistence-modules`.
"""

from __future__ import annotations

from collections.abc import Iterator

from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity


class OrmImportInDomain(Rule):
    CODE = "CL301"
    NAME = "orm-import-in-domain"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Domain module imports a persistence framework"
    OPTIONS = ("layers.domain", "layers.persistence", "layers.type-checking-imports", "packs")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        layers = ctx.layers
        entities = ctx.entities
        keep_type_checking = ctx.settings.layers.type_checking_imports
        # A project package that shares a framework's name (its own `redis/`) is not the framework.
        project_tops = {module.partition(".")[0] for module in ctx.index.files if module}
        for summary in ctx.files():
            if not layers.is_domain(summary.path, summary.module):
                continue
            for imp in summary.imports:
                if imp.span is None or not imp.module or (imp.type_checking and not keep_type_checking):
                    continue
                named = f"{imp.module}.{imp.name}" if imp.name and imp.name != "*" else ""
                candidates = [imp.module, named] if named else [imp.module]
                framework = ""
                if imp.module.partition(".")[0] not in project_tops:
                    framework = next((c for c in candidates if ctx.packs.is_persistence_module(c)), "")
                if framework:
                    yield self.diagnostic(
                        summary,
                        imp.span,
                        f"domain module imports the persistence framework `{framework}`: keep the "
                        "domain free of the ORM and map it from the persistence layer",
                    )
                    continue
                if not ctx.settings.layers.persistence:
                    continue
                if named and entities.mapped_base(named):
                    continue  # an ORM entity: CL302 reports it
                candidate = named if named in ctx.index.files else imp.module
                target = ctx.index.files.get(candidate)
                if target is not None and layers.is_domain(target.path, target.module):
                    continue
                if layers.is_persistence_module(candidate, target.path if target is not None else ""):
                    yield self.diagnostic(
                        summary,
                        imp.span,
                        f"domain module imports `{candidate}` from the persistence layer: "
                        "the persistence layer should depend on the domain, not the reverse",
                    )
