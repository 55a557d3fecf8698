"""Findings as LSP diagnostics: positions in the client's units, related locations."""

from __future__ import annotations

from pathlib import Path

from pygls.workspace import TextDocument

from consistency_lint.adapters.docs_site import rule_url
from consistency_lint.adapters.lsp import to_lsp
from consistency_lint.domain.diagnostic import Diagnostic, Related, Severity


def test_related_locations_in_this_and_other_files(tmp_path: Path) -> None:
    document = TextDocument((tmp_path / "shop" / "orders.py").as_uri(), 's = "𝄞"; send()\n')
    diagnostic = Diagnostic(
        code="CL101",
        name="publish-after-commit",
        severity=Severity.WARNING,
        message="m",
        path="shop/orders.py",
        line=1,
        column=11,
        end_line=1,
        end_column=17,
        related=(
            Related("shop/orders.py", 1, 1, "here"),
            Related("shop/repository.py", 40, 5, "the transaction commits here"),
        ),
    )
    converted = to_lsp(diagnostic, document, tmp_path)
    assert (converted.range.start.character, converted.range.end.character) == (11, 17)  # UTF-16
    assert converted.severity == 2
    assert converted.code == "CL101"
    assert converted.code_description is not None
    assert converted.code_description.href == rule_url("CL101")
    assert converted.code_description.href.endswith("/rules/CL101/")
    here, there = converted.related_information or []
    assert here.location.uri == document.uri
    assert there.location.uri == (tmp_path / "shop" / "repository.py").as_uri()
    assert (there.location.range.start.line, there.location.range.start.character) == (39, 4)
