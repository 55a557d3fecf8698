"""The prefilter only skips files whose summary is the empty one the extractor would build."""

from __future__ import annotations

import pytest

from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.prefilter import holds_no_code
from consistency_lint.app.packs import builtin_packs
from consistency_lint.domain.settings import DEFAULT_EFFECT_KINDS
from consistency_lint.engine import file_phase as engine

PACKS = PackIndex(builtin_packs(), DEFAULT_EFFECT_KINDS)

NO_CODE = [
    b"",
    b"\n\n  \n",
    b"# just a comment\n",
    b'"""A package."""\n',
    b'"""A package."""\n\npass\n',
    b"# noqa\n# consistency-lint noqa\n",
    b"\xef\xbb\xbf# a BOM and a comment\n",
]
CODE = [
    b"import os\n",
    b"x = 1\n",
    b'"""doc"""\nsession\n',
    b'"""doc"""\nsession.commit()\n',
    b'QUERY = "SELECT * FROM orders"\n',
    b"class A: pass\n",
    b"@decorator\ndef f(): pass\n",
    b'"""unterminated\n',
    b"if x:\n    pass\n",
]


def _analyse(source: bytes, prefilter: bool, monkeypatch: pytest.MonkeyPatch) -> engine.FileResult:
    monkeypatch.setattr(engine, "PREFILTER", prefilter)
    return engine.analyse_file(source, "pkg/__init__.py", module="pkg", is_package=True, packs=PACKS)


@pytest.mark.parametrize("source", NO_CODE)
def test_skipped_file_has_the_summary_the_extractor_builds(
    source: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert holds_no_code(source, engine.decode(source))
    assert _analyse(source, True, monkeypatch) == _analyse(source, False, monkeypatch)


@pytest.mark.parametrize("source", CODE)
def test_files_with_code_are_parsed(source: bytes) -> None:
    assert not holds_no_code(source, source.decode())


def test_syntax_error_still_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _analyse(b'"""unterminated\n', True, monkeypatch)
    assert result.summary is None
    assert result.unreadable is not None and result.unreadable.reason.startswith("syntax error")
