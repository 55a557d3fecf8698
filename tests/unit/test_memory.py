"""The runner pauses the cyclic garbage collector: the per-file phase must leave no cycle
behind that keeps a syntax tree alive."""

from __future__ import annotations

import gc

import libcst as cst

from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.app.packs import builtin_packs
from consistency_lint.engine.file_phase import analyse_file

SOURCE = b"""
from django.db import models, transaction
from sqlalchemy import select, text
from shop.tasks import send_receipt


class Invoice(models.Model):
    tenant = models.ForeignKey("Tenant", on_delete=models.CASCADE)


def pay(session, invoice: Invoice):
    with transaction.atomic():
        invoice.save()
        send_receipt.delay(invoice.pk)
    session.execute(text("SELECT * FROM shop_invoice"))
    return session.scalars(select(Invoice)).all()
"""


def _live_modules() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, cst.Module))


def test_no_syntax_tree_survives_the_per_file_phase_without_the_collector() -> None:
    packs = PackIndex(builtin_packs(), ("broker", "task"))
    gc.collect()
    before = _live_modules()
    gc.disable()
    try:
        results = [
            analyse_file(SOURCE, f"m{i}.py", module=f"m{i}", is_package=False, packs=packs) for i in range(5)
        ]
        assert all(r.summary is not None for r in results)
        assert _live_modules() == before
    finally:
        gc.enable()
