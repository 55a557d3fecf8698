"""Configuration and pack-schema keys added for the dual-write analysis."""

from __future__ import annotations

from pathlib import Path

import pytest

from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.app.config import resolve
from consistency_lint.app.errors import UserError
from consistency_lint.domain.packs import PackError, parse_pack


def test_atomic_requests_is_a_boolean() -> None:
    assert resolve({"atomic-requests": True}, "t.toml", Path(".")).atomic_requests is True
    assert resolve({}, "t.toml", Path(".")).atomic_requests is False
    with pytest.raises(UserError, match="atomic-requests"):
        resolve({"atomic-requests": "yes"}, "t.toml", Path("."))


def test_misspelt_atomic_requests_gets_a_suggestion() -> None:
    with pytest.raises(UserError, match="atomic-requests"):
        resolve({"atomic-request": True}, "t.toml", Path("."))


def _pack(**call: object) -> dict[str, object]:
    return {"schema": 1, "name": "p", "calls": [{"target": "m.f", **call}]}


def test_literal_keys_are_parsed_and_matched() -> None:
    pack = parse_pack(
        {
            "schema": 1,
            "name": "p",
            "calls": [
                {"target": "m.client", "returns-by-literal": {"sns": "m.SNS"}},
                {"target": "m.listen", "role": "on-commit", "literal-arg": 1, "if-literal": ["after_commit"]},
                {"target": "m.task", "returns": "m.Task", "class-keyword": "base"},
            ],
        },
        "p.toml",
    )
    index = PackIndex([pack], ("broker",))
    assert index.returns_of("m.client", ("sns",)) == "m.SNS"
    assert index.returns_of("m.client", ("s3",)) == ""
    assert index.call("m.listen", (None, "after_commit")) is not None
    assert index.call("m.listen", (None, "before_flush")) is None
    assert index.call("m.listen") is None
    task = index.call("m.task")
    assert task is not None and task.class_keyword == "base"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"returns-by-literal": ["sns"]}, "returns-by-literal"),
        ({"role": "write", "if-literal": "x"}, "if-literal"),
        ({"role": "write", "literal-arg": -1}, "literal-arg"),
        ({"returns": "m.T", "class-keyword": 3}, "class-keyword"),
        ({"role": "write", "unless-keyword": ["commit"]}, "unless-keyword"),
        ({"role": "write", "unless-keyword": {"commit": False}}, "unless-keyword.commit"),
    ],
)
def test_bad_literal_keys_are_pack_errors(call: dict[str, object], message: str) -> None:
    with pytest.raises(PackError, match=message):
        parse_pack(_pack(**call), "p.toml")


def test_unless_keyword_is_parsed() -> None:
    pack = parse_pack(_pack(role="write", **{"unless-keyword": {"commit": "False"}}), "p.toml")
    assert pack.calls[0].unless_keyword == (("commit", "False"),)
