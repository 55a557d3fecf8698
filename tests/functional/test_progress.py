"""The progress bar: drawn on a terminal for long runs, never in pipes or CI logs."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from consistency_lint.adapters.progress import MIN_FILES, ProgressBar, wanted
from tests.environment import clean_environment

pty = pytest.importorskip("pty")

MARK = "Checking ["


@pytest.fixture(scope="module")
def many_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many")
    (root / "consistency-lint.toml").write_text("", encoding="utf-8")
    for number in range(MIN_FILES + 10):
        (root / f"m{number}.py").write_text(f"x = {number}\n", encoding="utf-8")
    return root


def _env(**extra: str) -> dict[str, str]:
    return clean_environment(TERM="xterm", **extra)


def run_with_terminal_stderr(cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Run the real CLI with stderr on a pseudo-terminal and stdout on a pipe."""
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "consistency_lint", "check", "--jobs", "1"],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=env,
        )
        os.close(terminal)
        chunks = []
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        stdout = proc.stdout.read().decode() if proc.stdout else ""
        code = proc.wait(timeout=120)
    finally:
        os.close(controller)
    return code, stdout, b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_bar_on_a_terminal(many_files: Path) -> None:
    code, stdout, terminal = run_with_terminal_stderr(many_files, _env())
    assert code == 0, terminal
    assert MARK in terminal
    assert f"{MIN_FILES + 10}/{MIN_FILES + 10} files" in terminal
    assert "\x1b[K" in terminal  # erased before the summary
    assert terminal.rstrip().endswith(f"All checks passed ({MIN_FILES + 10} files).")
    assert MARK not in stdout


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_no_bar_in_ci_even_on_a_terminal(many_files: Path) -> None:
    code, _, terminal = run_with_terminal_stderr(many_files, _env(CI="true"))
    assert code == 0
    assert MARK not in terminal


def test_no_bar_in_a_pipe(many_files: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "consistency_lint", "check", "--jobs", "1"],
        cwd=many_files,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode == 0
    assert MARK not in proc.stderr and "\r" not in proc.stderr


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted() -> None:
    assert wanted(_Tty(), {"TERM": "xterm"})
    assert not wanted(io.StringIO(), {"TERM": "xterm"})
    assert not wanted(_Tty(), {"TERM": "xterm", "CI": "true"})
    assert not wanted(_Tty(), {"TERM": "xterm", "GITHUB_ACTIONS": "true", "CI": "1"})
    assert wanted(_Tty(), {"TERM": "xterm", "CI": "false"})
    assert not wanted(_Tty(), {"TERM": "dumb"})


def test_short_runs_draw_nothing() -> None:
    stream = _Tty()
    bar = ProgressBar(stream)
    for done in range(1, 11):
        bar(done, 10)
    bar.close()
    assert stream.getvalue() == ""
    bar = ProgressBar(stream, min_files=5)
    for done in range(1, 11):
        bar(done, 10)
    bar.close()
    assert stream.getvalue().startswith("\rChecking [") and stream.getvalue().endswith("\r\x1b[K")
