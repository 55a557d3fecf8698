"""SPEC section 8: bad input is a finding or a one-line error, never a traceback or a crash."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from consistency_lint import lint_paths, lint_source
from consistency_lint.app.errors import UserError
from tests.environment import clean_environment

SCRIPT = Path(sys.executable).parent / "consistency-lint"

DUAL_WRITE = textwrap.dedent(
    """\
    from kafka import KafkaProducer
    from sqlalchemy.orm import Session

    producer = KafkaProducer()


    def place_order(session: Session, order):
        session.add(order)
        session.commit()
        producer.send("orders", b"OrderPlaced")
    """
)


def cl(cwd: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    env = clean_environment()
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout
    )


def codes(source: str | bytes, path: str = "mod.py") -> list[str]:
    return [d.code for d in lint_source(source, path)]


def test_syntax_error_is_cl001_and_siblings_are_still_analysed(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    (tmp_path / "orders.py").write_text(DUAL_WRITE, encoding="utf-8")
    found = sorted((Path(d.path).name, d.code) for d in lint_paths([tmp_path]))
    assert found == [("broken.py", "CL001"), ("orders.py", "CL101")]
    cl001 = next(d for d in lint_paths([tmp_path]) if d.code == "CL001")
    assert "syntax error" in cl001.message


def test_syntax_error_is_reported_near_the_error() -> None:
    source = "x = 1\ny = 2\ndef f(:\n    pass\n"
    [diagnostic] = lint_source(source, "broken.py")
    assert diagnostic.code == "CL001"
    # CPython says line 3; libcst's parser points at the next token (line 4).
    assert diagnostic.line in (3, 4)
    assert diagnostic.column >= 1


def test_syntax_error_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("class :\n", encoding="utf-8")
    (tmp_path / "orders.py").write_text(DUAL_WRITE, encoding="utf-8")
    proc = cl(tmp_path, "check", ".")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = sorted(proc.stdout.splitlines())
    assert len(lines) == 2
    assert lines[0].startswith("broken.py:") and " CL001 " in lines[0]
    assert lines[1].startswith("orders.py:10:5: CL101 ")


def test_invalid_utf8(tmp_path: Path) -> None:
    [diagnostic] = lint_source(b"x = '\xff\xfe'\n", "bad.py")
    assert diagnostic.code == "CL001"
    assert "cannot be decoded" in diagnostic.message
    (tmp_path / "bad.py").write_bytes(b"name = '\xc3\x28'\n")
    (tmp_path / "orders.py").write_text(DUAL_WRITE, encoding="utf-8")
    proc = cl(tmp_path, "check", ".")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.startswith("bad.py:") and "cannot be decoded" in line for line in lines)
    assert "CL101" in proc.stdout


def test_latin1_with_a_coding_line_decodes() -> None:
    source = '# -*- coding: latin-1 -*-\nname = "café"\n'.encode("latin-1")
    assert codes(source) == []
    # The same bytes without the declaration are not UTF-8.
    assert codes('name = "café"\n'.encode("latin-1")) == ["CL001"]


def test_a_dual_write_in_a_latin1_file_is_found() -> None:
    source = ("# coding: latin-1\n# Bestellung über Kafka\n" + DUAL_WRITE).encode("latin-1")
    assert codes(source) == ["CL101"]


def test_dangling_symlink_is_unreadable_and_the_rest_reported(tmp_path: Path) -> None:
    (tmp_path / "orders.py").write_text(DUAL_WRITE, encoding="utf-8")
    (tmp_path / "x.py").symlink_to(tmp_path / "does-not-exist.py")
    proc = cl(tmp_path, "check", ".")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith("orders.py:10:5: CL101 ")
    errors = [line for line in proc.stderr.splitlines() if line.startswith("consistency-lint: error:")]
    assert len(errors) == 1 and "x.py: cannot read" in errors[0]
    with pytest.raises(UserError, match="cannot read"):
        lint_paths([tmp_path])


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("", id="empty"),
        pytest.param("\n\n\n", id="blank-lines"),
        pytest.param("# only a comment\n# and another\n", id="comments"),
        pytest.param("# no newline at the end", id="comment-no-newline"),
        pytest.param('"""Just a docstring."""\n', id="docstring"),
        pytest.param("\ufeffx = 1\n", id="bom"),
        pytest.param("x = 1\r\ny = 2\r\n", id="crlf"),
        pytest.param("type Vector = list[float]\ntype Pair[T] = tuple[T, T]\n", id="type-statement"),
        pytest.param("class Box[T]:\n    item: T\n", id="pep695-class"),
        pytest.param("def first[T](items: list[T]) -> T:\n    return items[0]\n", id="pep695-function"),
        pytest.param("def f[*Ts, **P](*a: *Ts) -> None:\n    pass\n", id="pep695-variadic"),
        pytest.param(
            textwrap.dedent(
                """\
                def handle(command):
                    match command:
                        case {"action": "move", "x": x, "y": y}:
                            return (x, y)
                        case [first, *rest] if rest:
                            return first
                        case Point(x=0) | None:
                            return None
                        case _:
                            return command
                """
            ),
            id="match",
        ),
        pytest.param('name = "world"\nprint(f"{name!r:>{10}} {f"{name}"}")\n', id="pep701-fstring"),
        pytest.param("async def f():\n    async with a as b, c as d:\n        pass\n", id="async-with"),
        pytest.param("try:\n    pass\nexcept* ValueError:\n    pass\n", id="except-star"),
    ],
)
def test_valid_modern_or_trivial_input_is_not_cl001(source: str) -> None:
    assert codes(source) == []


def test_bom_file_on_disk(tmp_path: Path) -> None:
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + DUAL_WRITE.encode("utf-8"))
    assert [(Path(d.path).name, d.code, d.line) for d in lint_paths([tmp_path])] == [("bom.py", "CL101", 10)]


def test_moderate_nesting_is_analysed_or_skipped_without_a_crash() -> None:
    nested = "x = " + "(" * 300 + "1" + ")" * 300 + "\n"
    chain = "y = " + " + ".join(["1"] * 2000) + "\n"
    for source in (nested, chain):
        found = lint_source(source, "deep.py")
        assert [d.code for d in found] in ([], ["CL001"])
        for d in found:
            assert "skipped" in d.message


def _skipped_by_the_cli(tmp_path: Path, source: str) -> None:
    (tmp_path / "deep.py").write_text(source, encoding="utf-8")
    (tmp_path / "orders.py").write_text(DUAL_WRITE, encoding="utf-8")
    # Until the engine's nesting guard lands, libcst crashes (SIGSEGV) or takes minutes here.
    proc = cl(tmp_path, "check", "--no-cache", ".", timeout=60)
    assert proc.returncode in (0, 1), f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    deep = [line for line in lines if line.startswith("deep.py:")]
    assert len(deep) == 1 and " CL001 " in deep[0], proc.stdout
    assert "skipped" in deep[0] or "nested" in deep[0], deep[0]
    assert any(line.startswith("orders.py:10:5: CL101 ") for line in lines)


def test_extremely_nested_parentheses_do_not_crash(tmp_path: Path) -> None:
    # libcst's native parser segfaults on roughly 1,500+ nested parentheses.
    _skipped_by_the_cli(tmp_path, "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n")


def test_extremely_long_binary_chain_does_not_crash(tmp_path: Path) -> None:
    # ...and on binary chains of roughly 8,000+ terms.
    _skipped_by_the_cli(tmp_path, "y = " + " + ".join(["1"] * 20000) + "\n")
