"""Baseline fingerprints: stable under line moves, new for a second identical finding."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from consistency_lint import lint_source
from consistency_lint.app.baseline import (
    baseline_document,
    load_baseline,
    new_findings,
    project_path,
    write_baseline,
)
from consistency_lint.app.errors import UserError
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.fingerprint import normalise_source

ROOT = "/project"

SOURCE = """\
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()


def place_order(session: Session, order):
    session.add(order)
    session.commit()
    producer.send("orders", b"OrderPlaced")


def cancel_order(session: Session, order):
    session.delete(order)
    session.commit()
    producer.send("orders", b"OrderPlaced")
"""


def findings(source: str, path: str = "shop/orders.py") -> list[Diagnostic]:
    lines = source.splitlines()
    return [replace(d, source_line=lines[d.line - 1]) for d in lint_source(source, path)]


def known(source: str, path: str = "shop/orders.py") -> frozenset[str]:
    data = json.loads(baseline_document(findings(source, path), ROOT, ROOT))
    return frozenset(e["fingerprint"] for e in data["findings"])


def test_sample_has_two_findings_in_two_functions() -> None:
    found = findings(SOURCE)
    assert [d.context.split(".")[-1] for d in found] == ["place_order", "cancel_order"]


def test_nothing_new_when_unchanged() -> None:
    assert new_findings(findings(SOURCE), known(SOURCE), ROOT, ROOT) == []


def test_inserted_lines_above_do_not_resurface_findings() -> None:
    moved = SOURCE.replace(
        "producer = KafkaProducer()\n", "import os\nimport sys\n\nproducer = KafkaProducer()\n"
    )
    moved = moved.replace("    session.add(order)\n", "    order.touch()\n    session.add(order)\n")
    assert [d.line for d in findings(moved)] != [d.line for d in findings(SOURCE)]
    assert new_findings(findings(moved), known(SOURCE), ROOT, ROOT) == []


def test_reindented_line_is_the_same_finding() -> None:
    assert normalise_source("    producer.send( 'x' ,  1)") == normalise_source("producer.send( 'x' , 1)")


def test_second_identical_finding_in_same_function_is_new() -> None:
    publish = '    producer.send("orders", b"OrderPlaced")\n'
    twice = SOURCE.replace(publish + "\n\ndef cancel", publish + publish + "\n\ndef cancel")
    new = new_findings(findings(twice), known(SOURCE), ROOT, ROOT)
    assert len(new) == 1 and new[0].context.endswith("place_order")


def test_same_line_in_another_function_or_file_is_new() -> None:
    renamed = SOURCE.replace("def cancel_order", "def refund_order")
    new = new_findings(findings(renamed), known(SOURCE), ROOT, ROOT)
    assert [d.context.split(".")[-1] for d in new] == ["refund_order"]
    elsewhere = findings(SOURCE, "shop/billing.py")
    assert len(new_findings(elsewhere, known(SOURCE), ROOT, ROOT)) == 2


def test_changed_line_is_new() -> None:
    changed = SOURCE.replace('b"OrderPlaced")\n\n\ndef cancel', 'b"Placed")\n\n\ndef cancel')
    assert len(new_findings(findings(changed), known(SOURCE), ROOT, ROOT)) == 1


def test_paths_are_relative_to_the_root_whatever_the_cwd() -> None:
    assert project_path("orders.py", "/project", "/project/shop") == "shop/orders.py"
    assert project_path("shop/orders.py", "/project", "/project") == "shop/orders.py"
    assert project_path("../other/x.py", "/project", "/project") == "/other/x.py"
    from_sub = [d.with_path("orders.py") for d in findings(SOURCE)]
    assert new_findings(from_sub, known(SOURCE), ROOT, "/project/shop") == []


def test_document_is_sorted_and_stable(tmp_path: Path) -> None:
    text = baseline_document(findings(SOURCE), ROOT, ROOT)
    data = json.loads(text)
    assert data["tool"] == "consistency-lint" and data["version"] == 1
    keys = [(e["path"], e["code"], e["context"], e["source"]) for e in data["findings"]]
    assert keys == sorted(keys)
    assert all("line" not in e for e in data["findings"])
    assert text == baseline_document(list(reversed(findings(SOURCE)))[::-1], ROOT, ROOT)
    target = tmp_path / "baseline.json"
    write_baseline(target, findings(SOURCE), ROOT, ROOT)
    assert load_baseline(target) == known(SOURCE)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "expected a JSON object"),
        ('{"tool": "other", "version": 1, "findings": []}', '"tool"'),
        ('{"tool": "consistency-lint", "version": 9, "findings": []}', "version"),
        ('{"tool": "consistency-lint", "version": 1, "findings": {}}', "findings"),
        ('{"tool": "consistency-lint", "version": 1, "findings": [{"code": "CL101"}]}', "fingerprint"),
    ],
)
def test_bad_baseline_files(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=reason) as error:
        load_baseline(path)
    assert str(path) in str(error.value)


def test_missing_baseline(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="--write-baseline"):
        load_baseline(tmp_path / "nope.json")
