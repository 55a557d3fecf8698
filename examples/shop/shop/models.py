"""Django models of the storefront."""

from django.db import models


class Tenant(models.Model):
    """A merchant: the shop platform hosts many of them in one database."""

    name = models.CharField(max_length=100)


class Order(models.Model):
    email = models.EmailField()
    status = models.CharField(max_length=20, default="new")
    total = models.DecimalField(max_digits=10, decimal_places=2)


class Invoice(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    order = models.ForeignKey(Order, on_delete=models.PROTECT)
    number = models.CharField(max_length=20)
    status = models.CharField(max_length=20, default="open")


class Outbox(models.Model):
    """Transactional outbox: rows written with the business change, relayed to the broker later."""

    topic = models.CharField(max_length=100)
    payload = models.JSONField()
