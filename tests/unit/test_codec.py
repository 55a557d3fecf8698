"""The cache's data-only codec: round trips every result, refuses anything else."""

from __future__ import annotations

import dataclasses
import marshal
from pathlib import Path

import pytest

from consistency_lint.app import codec
from consistency_lint.app.config import find_config, load_settings
from consistency_lint.app.session import open_session
from consistency_lint.domain.diagnostic import Diagnostic, Severity, Span
from consistency_lint.engine import FileResult

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "shop"


def _results() -> list[FileResult]:
    config = find_config(EXAMPLES)
    assert config is not None
    session = open_session(load_settings(config, config.parent))
    return [
        session.analyse(p.read_bytes(), p.relative_to(EXAMPLES).as_posix())
        for p in sorted(EXAMPLES.rglob("*.py"))
    ]


def test_every_result_and_finding_round_trips() -> None:
    results = _results()
    assert any(r.summary is not None and r.summary.functions for r in results)
    for result in results:
        data = codec.encode(result)
        assert codec.decode(data) == result
        assert codec.digest(data) == codec.digest(codec.encode(result))
    finding = Diagnostic("CL101", "x", Severity.ERROR, "m", "a.py", 1, 1, 1, 2)
    assert codec.decode(codec.encode([finding, {"k": (1, None, b"x")}])) == [finding, {"k": (1, None, b"x")}]


def test_the_digest_follows_the_value() -> None:
    assert codec.digest(codec.encode(Span(1, 2, 3, 4))) != codec.digest(codec.encode(Span(1, 2, 3, 5)))


def _tampered(table_entry: tuple[object, ...] | None = None, body: object = None) -> bytes:
    fmt, table, original = marshal.loads(codec.encode(Span(1, 2, 3, 4)))
    return marshal.dumps((fmt, (table_entry,) if table_entry else table, original if body is None else body))


@pytest.mark.parametrize(
    "data",
    [
        b"garbage",
        marshal.dumps(("not", "ours")),
        _tampered(("os", "system", None)),  # outside the package
        _tampered(("consistency_lint.domain.diagnostic", "Span", ("line", "column"))),  # other fields
        _tampered(("consistency_lint.app.codec", "decode", ())),  # not a dataclass
        _tampered(body=[0, 1, 2]),  # wrong number of fields
        _tampered(body=[7, 1, 2, 3, 4]),  # no such class number
        _tampered(body=(compile("1", "x", "eval"),)),  # code is not data
        _tampered(body={1, 2}),
    ],
)
def test_anything_else_is_refused(data: bytes) -> None:
    with pytest.raises(codec.DecodeError):
        codec.decode(data)


def test_only_this_packages_classes_are_written() -> None:
    with pytest.raises(TypeError):
        codec.encode(Path("x"))


def test_fields_declared_plain_are_taken_as_they_are_the_others_converted() -> None:
    """Decided once per class from its annotations: scalars and tuples of them need no look."""
    from consistency_lint.analysis.summary import Function, Op

    plain, records = codec._field_kinds(Op)
    assert {"target", "receiver", "arg_classes", "commits", "kind", "effect_kind"} <= plain
    assert "span" not in plain and not records
    plain, records = codec._field_kinds(Function)
    assert "body" in records and "params" in records and "span" not in plain | records


def test_a_span_built_inline_is_checked_like_any_record() -> None:
    from consistency_lint.analysis.summary import Op

    op = Op("call", "kafka.KafkaProducer.send", Span(1, 2, 3, 4), receiver="producer")
    assert codec.decode(codec.encode(op)) == op
    assert codec.decode(codec.encode((op, Span(5, 6, 7, 8)))) == (op, Span(5, 6, 7, 8))
    fmt, table, body = marshal.loads(codec.encode(op))
    span_at = [f.name for f in dataclasses.fields(Op)].index("span") + 1
    code = compile("1", "x", "eval")
    for broken in ([body[span_at][0], 1, 2, 3], [len(table), 1, 2, 3, 4], code, [body[span_at][0], code]):
        tampered = [*body[:span_at], broken, *body[span_at + 1 :]]
        with pytest.raises(codec.DecodeError):
            codec.decode(marshal.dumps((fmt, table, tampered)))
