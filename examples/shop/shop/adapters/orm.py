"""SQLAlchemy mapping of the back office.

The domain Order is mapped imperatively: the adapter imports the domain, never
the reverse. The declarative *Row classes below are the legacy tables still
used by checkout and billing.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Integer, Numeric, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship

from shop.domain.order import Order, OrderLine


class Base(DeclarativeBase):
    pass


class OrderRow(Base):
    __tablename__ = "order_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    status: Mapped[str] = mapped_column(default="new")
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))


class InvoiceRow(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(index=True)
    number: Mapped[str]
    status: Mapped[str] = mapped_column(default="open")
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))


class OrderOutboxRow(Base):
    """Transactional outbox: a relay publishes these rows after the commit."""

    __tablename__ = "order_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str]
    payload: Mapped[bytes]


mapper_registry = registry()

orders = Table(
    "orders",
    mapper_registry.metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254)),
    Column("status", String(20)),
)
order_lines = Table(
    "order_lines",
    mapper_registry.metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", ForeignKey("orders.id")),
    Column("sku", String(40)),
    Column("quantity", Integer),
    Column("unit_price", Numeric(10, 2)),
)

mapper_registry.map_imperatively(OrderLine, order_lines)
mapper_registry.map_imperatively(Order, orders, properties={"lines": relationship(OrderLine)})
