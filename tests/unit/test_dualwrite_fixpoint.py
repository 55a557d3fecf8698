"""The interprocedural analysis terminates on recursion and long call chains."""

from __future__ import annotations

from pathlib import Path

from consistency_lint.app.config import resolve
from consistency_lint.app.packs import builtin_packs
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.engine import Session

HEADER = """
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()
"""


def _diagnostics(source: str) -> list[Diagnostic]:
    settings = resolve({}, "(test)", Path("."))
    return Session(settings, builtin_packs()).lint(source.encode(), "m.py")


def _lint(source: str) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in _diagnostics(source)]


def test_long_chain_and_cycle_terminate() -> None:
    n = 400
    lines = [HEADER]
    lines.append(f"def f0(session: Session):\n    session.commit()\n    f{n - 1}(session)\n")
    for i in range(1, n):
        lines.append(f"def f{i}(session: Session):\n    f{i - 1}(session)\n")
    lines.append(f"def top(session: Session):\n    f{n - 1}(session)\n    producer.send('t', b'x')\n")
    source = "\n".join(lines)
    publish_line = source.splitlines().index("    producer.send('t', b'x')") + 1
    assert _lint(source) == [(publish_line, "CL101")]


def test_mutual_recursion_with_publish() -> None:
    source = HEADER + (
        "def a(session: Session, n):\n"
        "    if n:\n"
        "        b(session, n - 1)\n"
        "    producer.send('t', b'x')\n"
        "\n"
        "def b(session: Session, n):\n"
        "    session.commit()\n"
        "    a(session, n)\n"
    )
    found = _lint(source)
    assert (9, "CL101") in found  # a: after b() committed
    assert (13, "CL101") in found  # b: calls a(), which publishes, after its commit


def test_the_commit_named_is_the_latest_before_the_publish() -> None:
    """A publish follows the most recent commit: that is the change it fails to announce,
    not a setup commit earlier in the flow (a lazily created reference row)."""
    source = HEADER + (
        "def reference_row(session: Session):\n"
        "    session.add(object())\n"
        "    session.commit()\n"
        "\n"
        "def delete_order(session: Session, order):\n"
        "    reference_row(session)\n"
        "    session.delete(order)\n"
        "    session.commit()\n"
        "    producer.send('orders', b'deleted')\n"
        "\n"
        "def delete_through_helper(session: Session, order):\n"
        "    session.commit()\n"
        "    delete_order_quietly(session, order)\n"
        "    producer.send('orders', b'deleted')\n"
        "\n"
        "def delete_order_quietly(session: Session, order):\n"
        "    reference_row(session)\n"
        "    session.delete(order)\n"
        "    session.commit()\n"
    )
    messages = [d.message for d in _diagnostics(source)]
    lines = source.splitlines()
    own_commit = lines.index("    session.delete(order)") + 2  # delete_order's last commit
    assert len(messages) == 2, messages
    assert f"(line {own_commit})" in messages[0] and "reference_row" not in messages[0], messages[0]
    # Through a helper: the helper's last commit, not the setup commit it made first.
    assert "delete_order_quietly()" in messages[1] and "reference_row" not in messages[1], messages[1]


def test_a_decorator_reached_through_the_function_it_decorates_terminates() -> None:
    """`@handler.register` on `def handler` (a SQLAlchemy provision idiom): the decorator's
    resolution leads back to itself; the function is still analysed, the look-alike stays quiet."""
    flagged = (
        HEADER
        + "\n@handler.register\ndef handler(session: Session):\n    session.commit()\n"
        + "    producer.send('t', b'x')\n"
    )
    publish_line = flagged.splitlines().index("    producer.send('t', b'x')") + 1
    assert _lint(flagged) == [(publish_line, "CL101")]
    quiet = HEADER + "\n@handler.register\ndef handler(session: Session):\n    producer.send('t', b'x')\n"
    assert _lint(quiet) == []
