"""Every rule's documentation has the ruff-style sections, and its examples are real.

`Example` must fire the rule and `Use instead` must stay quiet when linted inside a small
project that provides what the examples import (`shop.models`, `shop.tasks`).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from consistency_lint.app.config import resolve
from consistency_lint.app.runner import run_check
from consistency_lint.checks import ALL_RULES, CATALOGUE
from consistency_lint.domain.rule import DOC_HEADINGS, doc_code_block

HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "Options")
CODES = [rule.CODE for rule in ALL_RULES]

# What the single-module examples import from the rest of their project.
SUPPORT = {
    "shop/__init__.py": "",
    "shop/models.py": textwrap.dedent(
        """\
        from django.db import models


        class Tenant(models.Model):
            name = models.CharField(max_length=50)


        class Order(models.Model):
            status = models.CharField(max_length=20)


        class Invoice(models.Model):
            tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
            status = models.CharField(max_length=20)
            amount = models.IntegerField()

            class Meta:
                db_table = "invoices"


        class Outbox(models.Model):
            topic = models.CharField(max_length=50)
            payload = models.JSONField()
        """
    ),
    "shop/tasks.py": textwrap.dedent(
        """\
        from celery import shared_task


        @shared_task
        def send_receipt(order_id):
            return order_id
        """
    ),
}

# Extra configuration an example needs besides enabling its rule.
CONFIG = {
    "CL205": {"tenancy": {"mode": "database-per-tenant"}},
}

# Rules whose examples are checked elsewhere, with the reason.
SKIPPED = {
    code: "multi-module example with path comments: tests/functional/test_layering_docs.py"
    for code in ("CL301", "CL302", "CL303", "CL304")
}


def _headings(doc: str) -> list[str]:
    return re.findall(r"^## (.+?)\s*$", doc, re.M)


@pytest.mark.parametrize("code", CODES)
def test_documentation_sections_in_order(code: str) -> None:
    doc = CATALOGUE[code].doc
    headings = [h for h in _headings(doc) if h in HEADINGS]
    assert headings == list(HEADINGS), f"{code}: {_headings(doc)}"
    assert DOC_HEADINGS == HEADINGS


@pytest.mark.parametrize("code", CODES)
def test_examples_have_code_blocks(code: str) -> None:
    doc = CATALOGUE[code].doc
    for heading in ("Example", "Use instead"):
        block = doc_code_block(doc, heading)
        assert block.strip(), f"{code}: no code block under {heading}"


def _lint(tmp_path: Path, code: str, example: str, only_example: bool = True) -> list[str]:
    for path, text in [*SUPPORT.items(), ("shop/example.py", example)]:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    raw = {"extend-select": [code], **CONFIG.get(code, {})}
    settings = resolve(raw, "consistency-lint.toml", tmp_path)
    result = run_check([tmp_path], settings, jobs=1)
    assert not result.errors
    return [d.code for d in result.diagnostics if Path(d.path).name == "example.py" or not only_example]


@pytest.mark.parametrize("code", [rule.CODE for rule in ALL_RULES if rule.IMPLEMENTED])
def test_example_fires_and_use_instead_is_quiet(tmp_path: Path, code: str) -> None:
    if code in SKIPPED:
        pytest.skip(SKIPPED[code])
    doc = CATALOGUE[code].doc
    example = doc_code_block(doc, "Example")
    assert code in _lint(tmp_path / "bad", code, example), f"{code}: the Example does not fire"
    use_instead = doc_code_block(doc, "Use instead")
    assert _lint(tmp_path / "good", code, use_instead) == [], f"{code}: Use instead is not quiet"


def test_the_support_project_is_quiet(tmp_path: Path) -> None:
    """So that findings above come from the examples, not the scaffolding."""
    assert _lint(tmp_path, "CL", "", only_example=False) == []
