"""Pricing rules.

CL302: `OrderRow` is an ORM entity of the adapters: lazy loading, sessions and
column types leak into the business rule. The domain `Order` (a plain
dataclass, mapped imperatively by the adapters) is what the domain should use.
"""

from __future__ import annotations

from decimal import Decimal

from shop.adapters.orm import OrderRow
from shop.domain.order import Order

FREE_SHIPPING_FROM = Decimal("50.00")


def shipping_cost(order: Order) -> Decimal:
    return Decimal(0) if order.total() >= FREE_SHIPPING_FROM else Decimal("4.90")


def legacy_shipping_cost(row: OrderRow) -> Decimal:
    return Decimal(0) if row.total >= FREE_SHIPPING_FROM else Decimal("4.90")
