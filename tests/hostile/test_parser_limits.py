"""Cases 4 and 11: deep or huge input is a CL001 finding with the reason; the run goes on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from consistency_lint.analysis.guard import MAX_CHAIN, MAX_DEPTH, MAX_ELIF
from consistency_lint.engine.file_phase import MAX_FILE_BYTES

from .conftest import check, finding, run

# Every recursive shape of the grammar, generated just above the guard's limits.
ABOVE = MAX_CHAIN + 10
SHAPES = {
    "not": "x = " + "not " * ABOVE + "a\n",
    "minus": "x = " + "-" * ABOVE + "a\n",
    "invert": "x = " + "~" * ABOVE + "a\n",
    "attribute": "x = a" + ".attr" * ABOVE + "\n",
    "lambda": "x = " + "lambda: " * ABOVE + "a\n",
    "call": "x = a" + ".f()" * (ABOVE // 2) + "\n",
    "subscript": "x = a" + "[0]" * ABOVE + "\n",
    "brackets": "x = " + "(" * (MAX_DEPTH + 10) + "a" + ")" * (MAX_DEPTH + 10) + "\n",
    "elif": "if a:\n    pass\n" + "elif a:\n    pass\n" * (MAX_ELIF + 10),
}


def test_every_deep_shape_is_cl001_with_the_reason(project: Path) -> None:
    for name, source in SHAPES.items():
        (project / f"deep_{name}.py").write_text(source, encoding="utf-8")
    proc = run(project, "check", "--no-cache")
    check(proc, 1)
    for name in SHAPES:
        message = finding(proc, f"deep_{name}.py")
        assert message.startswith("file skipped: "), message
        assert "the parser's limit is" in message


def test_what_cpython_compiles_is_not_skipped(project: Path) -> None:
    """2,000 `elif` branches compile in CPython: analysed, not skipped."""
    branches = "def f(a):\n    if a == 0:\n        return 0\n"
    branches += "".join(f"    elif a == {i}:\n        return {i}\n" for i in range(1, 2001))
    compile(branches, "elif.py", "exec")
    (project / "many_elif.py").write_text(branches, encoding="utf-8")
    proc = run(project, "check", "--no-cache")
    check(proc, 1)
    assert "many_elif.py" not in proc.stdout
    # Its summary is nested deeper than the cache's encoding goes: analysed each run, not cached.
    for _ in range(2):
        cached = run(project, "check")
        check(cached, 1)
        assert cached.stdout == proc.stdout


def _without_guard(project: Path, *args: str) -> list[str]:
    """The command line with the text guard switched off: the parser itself meets the input."""
    code = (
        "import consistency_lint.analysis.guard as g\n"
        "g.parser_limit_reason = lambda text: None\n"
        "import consistency_lint.engine.file_phase as e\n"
        "e.parser_limit_reason = g.parser_limit_reason\n"
        "from consistency_lint.adapters.cli import main\n"
        "import sys\n"
        "sys.argv = ['consistency-lint', *sys.argv[1:]]\n"
        "main()\n"
    )
    return [sys.executable, "-c", code]


def test_a_parser_crash_is_cl001_and_the_run_goes_on(project: Path) -> None:
    """libcst 1.9 dies of SIGSEGV at about 1,500 nested brackets: the worker dies, not the run."""
    depth = 3000
    (project / "crash.py").write_text("x = " + "(" * depth + "a" + ")" * depth + "\n", encoding="utf-8")
    proc = run(project, "check", "--no-cache", program=_without_guard(project))
    check(proc, 1)
    assert finding(proc, "crash.py").startswith("file skipped: the parser crashed (SIG")


def test_a_file_over_the_time_budget_is_cl001(project: Path) -> None:
    """Chained calls parse in super-linear time; 1,400 of them pass the guard and take minutes.
    The budget leaves a loaded machine time for the good file."""
    (project / "pyproject.toml").write_text("[tool.consistency-lint]\nfile-timeout = 5\n", encoding="utf-8")
    (project / "slow.py").write_text("x = a" + ".f()" * 1400 + "\n", encoding="utf-8")
    proc = run(project, "check", "--no-cache", timeout=60)
    check(proc, 1)
    assert finding(proc, "slow.py") == "file skipped: not analysed within the 5 s budget"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory cap uses RLIMIT_AS (Linux)")
def test_a_file_over_the_memory_budget_is_cl001(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.consistency-lint]\nfile-memory-mb = 64\n", encoding="utf-8"
    )
    (project / "big.py").write_text("def f(a):\n    return [a, a + 1, a * 2]\n" * 20000, encoding="utf-8")
    proc = run(project, "check", "--no-cache")
    check(proc, 1)
    message = finding(proc, "big.py")
    assert "memory" in message, message


def test_a_file_over_the_size_cap_is_cl001(project: Path) -> None:
    with open(project / "huge.py", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space used
    proc = run(project, "check", "--no-cache")
    check(proc, 1)
    assert f"larger than {MAX_FILE_BYTES} bytes" in finding(proc, "huge.py")
