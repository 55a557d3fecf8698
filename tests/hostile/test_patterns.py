"""Case 8 (and issue 14 point 5): patterns validated at load, .gitignore as git reads it, bounded time."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from .conftest import GOOD, check, finding, run

BACKTRACKING = "*a*a*a*a*a*a*a*a*a*a*b"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('exclude = ["[z-a]"]', "exclude"),
        ('extend-exclude = ["[]"]', "extend-exclude"),
        ('per-file-ignores = { "[z-a]" = ["CL101"] }', 'per-file-ignores."[z-a]"'),
        ('[tool.consistency-lint.tenancy]\nexclude = ["x[z-a]"]', "tenancy.exclude"),
        ('[tool.consistency-lint.layers]\ndomain = ["src/[]/**"]', "layers.domain"),
    ],
)
def test_a_bad_pattern_is_a_configuration_error_naming_file_and_key(
    project: Path, table: str, key: str
) -> None:
    (project / "pyproject.toml").write_text(f"[tool.consistency-lint]\n{table}\n", encoding="utf-8")
    proc = run(project, "check", "--no-cache")
    check(proc, 2, error=f"pyproject.toml: {key}: invalid pattern", good="")


def test_a_bad_pack_target_is_a_pack_error(project: Path) -> None:
    (project / "pack.toml").write_text(
        'schema = 1\nname = "x"\nsummary = "x"\nmodules = ["kafka"]\n'
        '[[calls]]\ntarget = "kafka.**x.send"\nrole = "publish"\neffect-kind = "broker"\n',
        encoding="utf-8",
    )
    (project / "pyproject.toml").write_text(
        '[tool.consistency-lint]\npacks = ["pack.toml"]\n', encoding="utf-8"
    )
    proc = run(project, "check", "--no-cache")
    check(proc, 2, error="calls[0].target: invalid pattern", good="")


def test_catastrophic_patterns_match_in_bounded_time(project: Path) -> None:
    """Pack targets, excludes and .gitignore lines built to backtrack, against names built to match badly."""
    name = "a" * 200
    (project / f"{name}.py").write_text(GOOD.replace("producer.send", f"producer.{name}"), encoding="utf-8")
    (project / "pack.toml").write_text(
        'schema = 1\nname = "x"\nsummary = "x"\nmodules = ["kafka"]\n'
        f'[[calls]]\ntarget = "kafka.KafkaProducer.{BACKTRACKING}"\n'
        'role = "publish"\neffect-kind = "broker"\n',
        encoding="utf-8",
    )
    (project / "pyproject.toml").write_text(
        '[tool.consistency-lint]\npacks = ["pack.toml"]\n'
        f'exclude = ["{BACKTRACKING}", "**/a/**/a/**/a/**/b"]\n',
        encoding="utf-8",
    )
    (project / ".gitignore").write_text(f"{BACKTRACKING}\n**/a/**/a/**/a/**/b\n", encoding="utf-8")
    deep = project.joinpath(*["a"] * 60)
    deep.mkdir(parents=True)
    (deep / "x.py").write_text("x = 1\n", encoding="utf-8")
    started = time.monotonic()
    proc = run(project, "check", "--no-cache", timeout=60)
    assert time.monotonic() - started < 30
    check(proc, 1)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="no git"
)
def test_gitignore_is_read_as_git_reads_it(project: Path) -> None:
    """What git ignores, we skip; what git keeps, we lint; a bad line is warned about and skipped."""
    lines = [
        "[z-a]",  # invalid: git skips the line
        "[]",  # invalid too
        "[!g]x.py",  # negated class: ignores ax.py, keeps gx.py
        "\\#hash.py",  # escaped hash: a pattern, not a comment
        "spaced.py\\ ",  # escaped trailing space
        "generated/*",
        "!generated/keep.py",  # re-included: its folder is not ignored, only its contents
        "vendor/",
        "!vendor/keep.py",  # cannot be re-included: its folder is ignored
    ]
    (project / ".gitignore").write_text("\n".join(lines) + "\n", encoding="utf-8")
    names = ["ax.py", "gx.py", "#hash.py", "spaced.py ", "generated/gen.py", "generated/keep.py"]
    names += ["vendor/v.py", "vendor/keep.py"]
    for name in names:
        (project / name).parent.mkdir(exist_ok=True)
        (project / name).write_text("def broken(:\n", encoding="utf-8")
    _git(project, "init", "-q")
    ignored = set(_git(project, "ls-files", "--others", "--ignored", "--exclude-standard").splitlines())
    proc = run(project, "check", "--no-cache")
    check(proc, 1, warning=".gitignore:1: invalid pattern '[z-a]' skipped")
    assert any(".gitignore:2: invalid pattern '[]' skipped" in line for line in proc.stderr.splitlines())
    for name in names:
        reported = any(line.startswith(f"{name}:") for line in proc.stdout.splitlines())
        assert reported == (name not in ignored), (name, sorted(ignored), proc.stdout)
    assert finding(proc, "gx.py").startswith("syntax error")
