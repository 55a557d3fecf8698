"""Cases 5, 6, 9, 10 and 12: special files, unreadable paths, links, explicit paths, noqa on CL001."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consistency_lint.app import discovery
from consistency_lint.app.discovery import discover

from .conftest import GOOD, check, errors, finding, run

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
not_root = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="permissions do not apply to root"
)


@needs_fifo
def test_a_fifo_in_a_linted_folder_is_not_read(project: Path) -> None:
    (project / "pkg").mkdir()
    os.mkfifo(project / "pkg" / "pipe.py")  # reading it would block forever
    check(run(project, "check", "--no-cache", timeout=60), 1)


@needs_fifo
def test_a_fifo_named_explicitly_is_an_error_after_the_rest(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    proc = run(project, "check", "--no-cache", "pipe.py", "good.py", timeout=60)
    check(proc, 2, error="pipe.py: not a regular file (a FIFO); not read")


def test_a_symbolic_link_loop_named_first_is_reported_as_a_loop(project: Path) -> None:
    (project / "pyproject.toml").unlink()  # no project: only the named files are read
    (project / "loop_a.py").symlink_to(project / "loop_b.py")
    (project / "loop_b.py").symlink_to(project / "loop_a.py")
    proc = run(project, "check", "--no-cache", "loop_a.py", "good.py")
    check(proc, 2, error="loop_a.py: symbolic link loop")


def test_a_symbolic_link_loop_met_while_walking_is_unreadable(project: Path) -> None:
    (project / "loop_a.py").symlink_to(project / "loop_b.py")
    (project / "loop_b.py").symlink_to(project / "loop_a.py")
    proc = run(project, "check", "--no-cache")
    assert [line.rsplit(": ", 2)[-2:] for line in errors(proc)] == [
        ["loop_a.py", "symbolic link loop"],
        ["loop_b.py", "symbolic link loop"],
    ], proc.stderr
    assert proc.returncode == 2 and "good.py:10:5: CL101" in proc.stdout


def test_an_unreadable_subfolder_met_while_walking_is_an_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated (the suite may run as root): the walk's listing of the folder fails."""
    (project / "secret").mkdir()
    (project / "secret" / "a.py").write_text(GOOD, encoding="utf-8")
    real = os.scandir

    def scandir(path: object) -> object:
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    found = discover([project], project, (), True)
    assert found.files == [project / "good.py"]
    assert [e.split(": ", 1)[1] for e in found.errors] == ["cannot read folder: Permission denied"]


@not_root
def test_unreadable_paths_are_one_line_errors_after_the_rest(project: Path) -> None:
    locked = project / "locked"
    locked.mkdir()
    (locked / "a.py").write_text(GOOD, encoding="utf-8")
    (project / "private.py").write_text(GOOD, encoding="utf-8")
    try:
        (project / "private.py").chmod(0)
        proc = run(project, "check", "--no-cache", "private.py", "good.py")
        check(proc, 2, error="private.py: cannot read")
        locked.chmod(0)
        proc = run(project, "check", "--no-cache", "locked", "good.py")
        check(proc, 2, error="locked: cannot read folder")
        proc = run(project, "check", "--no-cache", "locked/a.py", "good.py")
        check(proc, 2, error="locked/a.py: cannot access")
        proc = run(project, "check", "--no-cache")
        check(proc, 2, error="locked: cannot read folder")
    finally:
        locked.chmod(0o755)
        (project / "private.py").chmod(0o644)


def test_noqa_cannot_suppress_a_syntax_error(project: Path) -> None:
    (project / "line.py").write_text("def broken(:  # noqa\n    pass\n", encoding="utf-8")
    (project / "whole.py").write_text("# consistency-lint: noqa\ndef broken(:\n    pass\n", encoding="utf-8")
    (project / "coded.py").write_text("def broken(:  # noqa: CL001\n    pass\n", encoding="utf-8")
    proc = run(project, "check", "--no-cache")
    check(proc, 1)
    for name in ("line.py", "whole.py", "coded.py"):
        assert finding(proc, name).startswith("syntax error")


def test_an_explicit_path_under_an_excluded_folder_is_linted(project: Path) -> None:
    (project / "build" / "p").mkdir(parents=True)
    (project / "build" / "p" / "good.py").write_text(GOOD, encoding="utf-8")
    (project / "dist").mkdir()
    (project / "dist" / "__init__.py").write_text(GOOD, encoding="utf-8")
    proc = run(project, "check", "--no-cache", "build/p/good.py", "dist", "good.py")
    check(proc, 1, good="build/p/good.py:10:5: CL101")
    assert finding(proc, "dist/__init__.py", "CL101")
    assert finding(proc, "good.py", "CL101")
    proc = run(project, "check", "--no-cache", "--force-exclude", "build/p/good.py", "dist", "good.py")
    check(proc, 1)
    assert "build/" not in proc.stdout and "dist/" not in proc.stdout
    # Walking the project, the default exclusions still apply.
    proc = run(project, "check", "--no-cache")
    check(proc, 1)
    assert "build/" not in proc.stdout and "dist/" not in proc.stdout


def test_several_configuration_errors_are_each_one_prefixed_line(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.consistency-lint]\nselect = ["CL999"]\nexclude = ["[z-a]"]\nrespect-gitignore = 3\n',
        encoding="utf-8",
    )
    proc = run(project, "check", "--no-cache")
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 3 and all(
        line.startswith("consistency-lint: error: pyproject.toml: ") for line in lines
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_stdout_on_a_full_device_is_one_line(project: Path) -> None:
    import subprocess

    from .conftest import SCRIPT, environment

    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [str(SCRIPT), "check", "--no-cache"],
            cwd=project,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(),
            timeout=60,
        )
    assert "Traceback" not in proc.stderr and proc.returncode == 2
    assert [line for line in proc.stderr.splitlines() if "error" in line] == [
        "consistency-lint: error: cannot write the report to standard output: No space left on device"
    ]
