"""Helpers for the hostile-input suite (issue 15): every case is generated at test time.

Each test runs the real command line on a project holding one good file with a
known finding (`good.py`, CL101 at 10:5) next to the hostile input, and checks
the exit status, the one-line message and that the good file's finding is
still reported.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.environment import clean_environment
from tests.functional.test_cli import DUAL_WRITE, SCRIPT

GOOD = DUAL_WRITE  # a file with one CL101: its finding must survive every hostile neighbour
GOOD_FINDING = "good.py:10:5: CL101 "
ERROR = "consistency-lint: error: "
WARNING = "consistency-lint: warning: "


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project (with a configuration, so the cache is used) holding `good.py`."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.consistency-lint]\n", encoding="utf-8")
    (root / "good.py").write_text(GOOD, encoding="utf-8")
    return root


@pytest.fixture
def secret_dir(tmp_path: Path) -> Path:
    return tmp_path / "user-cache"


def environment(secret_dir: Path | None = None) -> dict[str, str]:
    env = clean_environment()
    if secret_dir is not None:
        env["CONSISTENCY_LINT_SECRET_DIR"] = str(secret_dir)
    return env


def run(
    cwd: Path,
    *args: str,
    timeout: float = 120,
    secret_dir: Path | None = None,
    program: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    command = (program or [str(SCRIPT)]) + list(args)
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        env=environment(secret_dir),
        timeout=timeout,
    )


def errors(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith(ERROR)]


def warnings(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith(WARNING)]


def check(
    proc: subprocess.CompletedProcess[str],
    status: int,
    *,
    error: str | None = None,
    warning: str | None = None,
    good: str = GOOD_FINDING,
) -> None:
    """Exit status, the one-line message (if any), and the good file's finding still reported."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == status, (proc.returncode, proc.stdout, proc.stderr)
    found = errors(proc)
    if error is None:
        assert found == [], proc.stderr
    else:
        assert len(found) == 1 and error in found[0], proc.stderr
    if warning is not None:
        assert any(warning in line for line in warnings(proc)), proc.stderr
    if good:
        assert any(line.startswith(good) for line in proc.stdout.splitlines()), (proc.stdout, proc.stderr)


def finding(proc: subprocess.CompletedProcess[str], path: str, code: str = "CL001") -> str:
    """The message of the one finding `code` reported for `path`."""
    lines = [line for line in proc.stdout.splitlines() if line.startswith(f"{path}:") and f" {code} " in line]
    assert len(lines) == 1, (path, proc.stdout, proc.stderr)
    return lines[0].split(f" {code} ", 1)[1]
