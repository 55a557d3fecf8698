"""Celery tasks of the storefront."""

from celery import shared_task


@shared_task
def send_receipt(order_id: int) -> None:
    ...
