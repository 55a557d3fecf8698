"""Customers.

CL301: the domain borrows SQLAlchemy's `Mapped` annotation, so the business
rules cannot be imported, tested or reused without the ORM. Importing another
domain module (`shop.domain.order`) is fine, and so is the adapters' own
`from sqlalchemy ...` (shop/adapters/orm.py is not in the domain layer).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Mapped

from shop.domain.order import Order


@dataclass
class Customer:
    email: Mapped[str]
    loyalty_points: int = 0

    def reward(self, order: Order) -> None:
        self.loyalty_points += int(order.total())
