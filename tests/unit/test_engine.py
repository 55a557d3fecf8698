"""The engine: facts from the file phase, analyses computed once per run and only when a
selected rule reads them, nothing kept between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from consistency_lint import lint_source
from consistency_lint.analysis.dualwrite import DualWrites
from consistency_lint.analysis.tenancy import TenancyAnalysis
from consistency_lint.app.config import resolve
from consistency_lint.app.packs import builtin_packs
from consistency_lint.engine import Session

DUAL_WRITE = b"""\
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()


def place(session: Session, order):
    session.add(order)
    session.commit()
    producer.send("orders", b"placed")
"""

TENANT = b"""\
from django.db import models


class Invoice(models.Model):
    tenant = models.ForeignKey("Tenant", on_delete=models.CASCADE)


def invoices():
    return Invoice.objects.filter(status="open")
"""


def _session(raw: dict[str, object]) -> Session:
    settings = resolve(raw, "(test)", Path("."))
    return Session(settings, builtin_packs())


class _Runs:
    """Counts how often an analysis is built, by wrapping its constructor."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cls: type) -> None:
        self.count = 0
        real = cls.__init__

        def counting(instance: object, *args: object, **kwargs: object) -> None:
            self.count += 1
            real(instance, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)


def test_dual_write_analysis_runs_once_for_all_cl1xx_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = _Runs(monkeypatch, DualWrites)
    session = _session({"extend-select": ["CL104"]})
    found = session.lint(DUAL_WRITE, "shop/orders.py")
    assert [d.code for d in found] == ["CL101"]
    assert runs.count == 1


def test_layering_only_run_does_not_pay_for_dual_writes_or_tenancy(monkeypatch: pytest.MonkeyPatch) -> None:
    dual = _Runs(monkeypatch, DualWrites)
    tenancy = _Runs(monkeypatch, TenancyAnalysis)
    session = _session({"select": ["CL3"]})
    assert session.lint(DUAL_WRITE + TENANT, "shop/orders.py") == []
    assert (dual.count, tenancy.count) == (0, 0)


def test_nothing_is_kept_between_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analyses belong to one project phase: a second run computes them again."""
    dual = _Runs(monkeypatch, DualWrites)
    tenancy = _Runs(monkeypatch, TenancyAnalysis)
    session = _session({})
    results = [session.analyse(DUAL_WRITE, "shop/orders.py"), session.analyse(TENANT, "shop/models.py")]
    first = session.check(results)
    assert {d.code for d in first} == {"CL101", "CL201"}
    assert session.check(results) == first
    assert (dual.count, tenancy.count) == (2, 2)


def test_an_unparseable_file_is_a_fact_that_cl001_reports() -> None:
    session = _session({})
    result = session.analyse(b"def broken(:\n    pass\n", "shop/broken.py")
    assert result.summary is None
    assert result.unreadable is not None
    assert result.unreadable.reason.startswith("syntax error")
    (found,) = session.check([result])
    assert (found.code, found.path, found.line) == ("CL001", "shop/broken.py", result.unreadable.line)
    assert found.message == result.unreadable.reason
    assert _session({"ignore": ["CL001"]}).check([result]) == []


def test_lint_source_is_the_session_on_one_file() -> None:
    session = _session({})
    assert lint_source(DUAL_WRITE, "shop/orders.py", session.settings) == session.lint(
        DUAL_WRITE, "shop/orders.py"
    )
