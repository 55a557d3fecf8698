"""Checkout in the back office (SQLAlchemy + Kafka)."""

from __future__ import annotations

from kafka import KafkaProducer
from sqlalchemy.orm import Session

from shop.adapters.orm import InvoiceRow, OrderOutboxRow, OrderRow

producer = KafkaProducer(bootstrap_servers="kafka:9092")


def place_order(session: Session, order: OrderRow) -> None:
    session.add(order)
    session.commit()
    # CL101: the order is committed; if this send fails (or the process dies
    # first), nobody downstream ever hears of it.
    producer.send("orders", b"OrderPlaced")


def place_order_with_outbox(session: Session, order: OrderRow) -> None:
    # Not flagged: the event is a row of the same transaction; a relay
    # publishes it after the commit, and retries until the broker has it.
    session.add(order)
    session.add(OrderOutboxRow(topic="orders", payload=b"OrderPlaced"))
    session.commit()


def resend_confirmation(session: Session, order: OrderRow) -> None:
    order.status = "confirmation-resent"
    session.commit()
    # Suppressed on purpose: consumers deduplicate, losing this one is harmless.
    producer.send("orders", b"ConfirmationRequested")  # noqa: CL101


def archive_order(session: Session, order: OrderRow) -> None:
    session.delete(order)
    # CL002 (with extend-select): this used to publish; the suppression is stale.
    session.commit()  # noqa: CL101


def invoice_order(
    orders_session: Session, billing_session: Session, order: OrderRow, tenant_id: int
) -> None:
    orders_session.add(order)
    orders_session.commit()
    billing_session.add(InvoiceRow(tenant_id=tenant_id, number=f"INV-{order.id}", total=order.total))
    # CL104 (with extend-select): a second store commits in the same flow; if
    # this commit fails, the order exists without its invoice.
    billing_session.commit()


def invoice_order_in_one_database(session: Session, order: OrderRow, tenant_id: int) -> None:
    # Not flagged: one session, one transaction, both rows or neither.
    session.add(order)
    session.add(InvoiceRow(tenant_id=tenant_id, number=f"INV-{order.id}", total=order.total))
    session.commit()
