"""The order aggregate: a plain dataclass, mapped to its table by shop.adapters.orm.

Not flagged (CL301, CL303): nothing here imports or derives from an ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class OrderLine:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass
class Order:
    id: int
    email: str
    lines: list[OrderLine] = field(default_factory=list)
    status: str = "new"

    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal(0))
