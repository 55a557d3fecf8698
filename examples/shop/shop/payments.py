"""Taking payments in the Django storefront.

CL102: a task enqueued inside `transaction.atomic()` may run (and read the order)
before the transaction commits, or for an order whose transaction rolled back.
CL103: an `on_commit` hook is better, but a crash right after the commit loses
the receipt silently.
"""

from django.core.cache import cache
from django.db import transaction

from shop.models import Order, Outbox
from shop.tasks import send_receipt


def pay(order: Order) -> None:
    with transaction.atomic():
        order.status = "paid"
        order.save()
        send_receipt.delay(order.pk)  # CL102: the transaction is still open


def pay_with_outbox(order: Order) -> None:
    # Not flagged: the receipt is an outbox row, committed with the order;
    # a relay enqueues the task once the row is visible.
    with transaction.atomic():
        order.status = "paid"
        order.save()
        Outbox.objects.create(topic="receipts", payload={"order": order.pk})


def refund(order: Order) -> None:
    with transaction.atomic():
        order.status = "refunded"
        order.save()
        transaction.on_commit(lambda: send_receipt.delay(order.pk))  # CL103: at most once


def cancel(order: Order) -> None:
    # Not flagged: the hook only drops a cache entry, it publishes nothing.
    with transaction.atomic():
        order.status = "cancelled"
        order.save()
        transaction.on_commit(lambda: cache.delete(f"order:{order.pk}"))
