"""CL002 through the engine: used directives are tracked per run."""

from __future__ import annotations

from pathlib import Path

from consistency_lint.app.config import resolve
from consistency_lint.app.packs import load_packs
from consistency_lint.engine import Session

ORDERS = b"""\
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()


def place_order(session: Session, order):
    session.commit()
    producer.send("orders", b"x")  # noqa: CL101
"""
STALE = b"def f(x):\n    return x  # noqa: CL101\n"


def _run(raw: dict[str, object], report: list[str] | None = None) -> list[tuple[str, int, str]]:
    settings = resolve(raw, "test", Path.cwd())
    session = Session(settings, load_packs(settings.packs, Path.cwd()))
    results = [
        session.analyse(ORDERS, "shop/orders.py", module="shop.orders", is_package=False),
        session.analyse(STALE, "shop/stale.py", module="shop.stale", is_package=False),
    ]
    found = session.check(results, report_paths=report)
    return [(d.path, d.line, d.code) for d in found]


def test_only_the_stale_directive_is_reported() -> None:
    assert _run({"extend-select": ["CL002"]}) == [("shop/stale.py", 2, "CL002")]


def test_off_by_default() -> None:
    assert _run({}) == []


def test_reported_only_for_the_files_reported_on() -> None:
    assert _run({"extend-select": ["CL002"]}, report=["shop/orders.py"]) == []


def test_not_reported_when_the_named_rule_is_off() -> None:
    assert _run({"extend-select": ["CL002"], "ignore": ["CL101"]}) == []
    assert _run({"select": ["CL002"]}) == []


def test_per_file_ignores_of_cl002() -> None:
    raw = {"extend-select": ["CL002"], "per-file-ignores": {"shop/stale.py": ["CL002"]}}
    assert _run(raw) == []
