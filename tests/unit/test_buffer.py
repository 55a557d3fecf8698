"""Linting one in-memory buffer with the configuration found above its file name."""

from __future__ import annotations

import os
import time
from pathlib import Path

from consistency_lint import lint_source
from consistency_lint.app.buffer import BufferLinter, encode

DUAL_WRITE = """\
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()


def place(session: Session, order):
    session.commit()
    producer.send("orders", "é")
"""


def test_same_findings_as_lint_source(tmp_path: Path) -> None:
    found = BufferLinter(cwd=tmp_path).lint(DUAL_WRITE, "orders.py")
    assert [(d.code, d.line, d.column) for d in found] == [("CL101", 9, 5)]
    assert found == lint_source(DUAL_WRITE, "orders.py")


def test_encode_keeps_the_declared_encoding() -> None:
    text = "# -*- coding: latin-1 -*-\nname = 'é'\n"
    assert encode(text) == text.encode("latin-1")
    assert encode("name = 'é'\n") == "name = 'é'\n".encode()
    latin = "# -*- coding: latin-1 -*-\n" + DUAL_WRITE
    found = BufferLinter().lint(latin, "orders.py")
    assert [(d.code, d.line, d.column) for d in found] == [("CL101", 10, 5)]


def test_configuration_is_cached_until_the_file_changes(tmp_path: Path) -> None:
    config = tmp_path / "consistency-lint.toml"
    config.write_text('ignore = ["CL101"]\n', encoding="utf-8")
    linter = BufferLinter(cwd=tmp_path)
    assert linter.lint(DUAL_WRITE, str(tmp_path / "pkg" / "orders.py")) == []
    first = linter.project_for(tmp_path / "pkg" / "orders.py")
    assert linter.project_for(tmp_path / "other.py") is first
    config.write_text("ignore = []\n", encoding="utf-8")
    later = time.time() + 5
    os.utime(config, (later, later))
    found = linter.lint(DUAL_WRITE, str(tmp_path / "pkg" / "orders.py"))
    assert [d.path for d in found] == ["pkg/orders.py"]


def test_excluded_files_and_disabled_noqa(tmp_path: Path) -> None:
    (tmp_path / "consistency-lint.toml").write_text('exclude = ["legacy/"]\n', encoding="utf-8")
    linter = BufferLinter(cwd=tmp_path)
    assert linter.lint(DUAL_WRITE, "legacy/orders.py") == []
    quiet = DUAL_WRITE.replace('"é")', '"é")  # noqa: CL101')
    assert linter.lint(quiet, "orders.py") == []
    assert [d.code for d in linter.lint(quiet, "orders.py", apply_noqa=False)] == ["CL101"]


ORDERS = """\
from shop.bus import producer


def place(session, order):
    session.add(order)
    session.commit()
    producer.send("orders", b"x")
"""


def split_project(root: Path, config: bool = True) -> Path:
    (root / "shop").mkdir(parents=True)
    if config:
        (root / "consistency-lint.toml").write_text("", encoding="utf-8")
    (root / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shop" / "bus.py").write_text(
        "from kafka import KafkaProducer\n\nproducer = KafkaProducer()\n", encoding="utf-8"
    )
    (root / "shop" / "unrelated.py").write_text("x = 1\n", encoding="utf-8")
    return root / "shop" / "orders.py"


def test_lint_in_project_reads_the_project(tmp_path: Path) -> None:
    orders = split_project(tmp_path)
    linter = BufferLinter(cwd=tmp_path)
    assert linter.lint(ORDERS, str(orders)) == []  # alone, the producer is unknown
    found = linter.lint_in_project(ORDERS, str(orders))
    assert [(d.path, d.line, d.code) for d in found] == [("shop/orders.py", 7, "CL101")]
    project = linter.project_for(orders)
    assert sorted(Path(p).name for p in project.memo) == ["__init__.py", "bus.py", "unrelated.py"]
    assert linter.lint_in_project(ORDERS, str(orders)) == found  # the shared state, again

    # An open, unsaved buffer of the imported module wins over the disk.
    bus = (tmp_path / "shop" / "bus.py").resolve()
    unsaved = {bus: "producer = None\n"}
    assert linter.lint_in_project(ORDERS, str(orders), open_buffers=unsaved) == []
    # A change on disk is seen (the cached result is keyed by mtime and size).
    bus.write_text("producer = object()\n", encoding="utf-8")
    os.utime(bus, (time.time() + 5, time.time() + 5))
    assert linter.lint_in_project(ORDERS, str(orders)) == []


def test_lint_in_project_without_configuration_is_lint(tmp_path: Path) -> None:
    orders = split_project(tmp_path, config=False)
    linter = BufferLinter(cwd=tmp_path)
    assert linter.lint_in_project(ORDERS, str(orders)) == []
    assert linter.project_for(orders).memo == {}
