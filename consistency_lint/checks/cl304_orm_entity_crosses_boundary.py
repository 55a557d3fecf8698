"""## What it does
Flags a public function of an outer layer (API, service) whose signature
names an ORM entity: a parameter or the return annotation, including inside
generics and unions (`list[OrderRow]`, `Optional[OrderRow]`,
`OrderRow | None`, `"OrderRow"`). Public means a module-level function or a
method of a module-level class whose names do not start with `_` (dunder
methods are public); nested functions are not part of a signature anyone
imports. Only classes the project defines and maps count as entities.

## Why is this bad?
Returning ORM entities from a service or API lets lazy loading, sessions and
table structure leak to callers that should only see domain objects or DTOs,
and every caller then depends on the persistence model.

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
Off by default: enable with `extend-select = ["CL304"]`.
- `layers.outer`: module patterns or path globs of the outer layers; by
  default every folder named `api`, `service` or `services` (outside tests).
"""

from __future__ import annotations

from collections.abc import Iterator

from consistency_lint.analysis.summary import FileSummary, Function
from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Severity


def _public_name(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def is_public(function: Function, summary: FileSummary) -> bool:
    """A module-level function or a method of a module-level class, none of them private."""
    owner, _, name = function.qualname.rpartition(".")
    if name == "<module>" or not _public_name(name):
        return False
    if not owner:
        return True
    return "." not in owner and function.class_name == summary.qualified(owner) and _public_name(owner)


class OrmEntityCrossesBoundary(Rule):
    CODE = "CL304"
    NAME = "orm-entity-crosses-boundary"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = False
    SUMMARY = "ORM entity in the public signature of an outer-layer function"
    OPTIONS = ("layers.outer",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        layers = ctx.layers
        entities = ctx.entities
        for summary in ctx.files():
            if not layers.is_outer(summary.path, summary.module):
                continue
            if layers.is_persistence(summary.path, summary.module):
                continue
            for function in summary.functions:
                if not is_public(function, summary):
                    continue
                places: list[str] = []
                for param in function.params:
                    places += [
                        f"parameter `{param.name}` takes `{name.rpartition('.')[2]}`"
                        for name in param.names
                        if entities.mapped_base(name)
                    ]
                places += [
                    f"it returns `{name.rpartition('.')[2]}`"
                    for name in function.return_names
                    if entities.mapped_base(name)
                ]
                if places:
                    yield self.diagnostic(
                        summary,
                        function.span,
                        f"public function `{function.qualname}` exposes an ORM entity ("
                        + "; ".join(places)
                        + "): return and accept domain objects or DTOs outside the persistence layer",
                        context=function.qualname,
                    )
