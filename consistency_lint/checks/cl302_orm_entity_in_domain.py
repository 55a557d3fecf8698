"""## What it does
Flags a domain-layer module that imports or references an ORM entity (a
mapped class: a declarative subclass, a Django model, an SQLModel table, a
peewee/tortoise/mongoengine/beanie/odmantic model, ...) defined elsewhere in
the project: `from myapp.adapters.orm import OrderRow`, an import through a
package that re-exports it (`from myapp.adapters import OrderRow`), or a use
through an imported module (`orm.OrderRow` in an annotation or expression).
An import is reported once, at the import; a use through a module once per
entity and file, at its first use. Entities defined inside the domain layer
are reported where they are defined, by CL303.

## Why is this bad?
Passing ORM entities through the domain couples business rules to the
persistence model just as importing the ORM does, only less visibly: lazy
loading, sessions and column types reach code that should not know them.

## Example
```python
# myapp/domain/pricing.py
from myapp.adapters.orm import OrderRow


def total(order: OrderRow) -> int:
    return order.amount
```

## Use instead
Let the domain define its own plain class, and let the persistence layer map
it (imperative mapping) or translate between the two:
```python
# myapp/domain/pricing.py
from myapp.domain.order import Order


def total(order: Order) -> int:
    return order.amount
```

## Options
- `layers.domain`: module patterns or path globs of the domain layer.
- `layers.type-checking-imports`: set to `false` to ignore imports under
  `if TYPE_CHECKING:`.
"""

from __future__ import annotations

from collections.abc import Iterator

from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity, Span


class OrmEntityInDomain(Rule):
    CODE = "CL302"
    NAME = "orm-entity-in-domain"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Domain module uses an ORM entity defined elsewhere in the project"
    OPTIONS = ("layers.domain", "layers.type-checking-imports")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        layers = ctx.layers
        entities = ctx.entities
        keep_type_checking = ctx.settings.layers.type_checking_imports
        for summary in ctx.files():
            if not layers.is_domain(summary.path, summary.module):
                continue
            seen: set[str] = set()
            found: list[tuple[Span, str, str]] = []
            for imp in summary.imports:
                if not imp.name or imp.name == "*" or imp.span is None or not imp.module:
                    continue
                qual = entities.canonical(f"{imp.module}.{imp.name}")
                seen.add(qual)
                if imp.type_checking and not keep_type_checking:
                    continue
                found.append((imp.span, qual, "imports"))
            for ref in summary.references:
                qual = entities.canonical(ref.target)
                if qual not in seen:
                    seen.add(qual)
                    found.append((ref.span, qual, "uses"))
            for span, qual, verb in found:
                base = entities.mapped_base(qual)
                owner = entities.owner(qual)
                if not base or owner is None or layers.is_domain(owner.path, owner.module):
                    continue
                name = qual.rpartition(".")[2]
                yield self.diagnostic(
                    summary,
                    span,
                    f"domain module {verb} the ORM entity `{name}` (defined in `{owner.module}`, "
                    f"mapped through `{base}`): give the domain its own plain class and map it "
                    "in the persistence layer",
                )
