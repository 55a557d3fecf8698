"""Every fixture under tests/fixtures is a test: markers must match findings exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import (
    FIXTURES,
    describe,
    expectations,
    lint_fixture_file,
    lint_fixture_project,
    project_expectations,
)

FILES = sorted((FIXTURES / "rules").glob("*/*.py"))
PROJECTS = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(path: Path) -> None:
    expected = expectations(path, path.name)
    actual = lint_fixture_file(path)
    assert actual == expected, "\n" + describe(expected, actual)


@pytest.mark.parametrize("folder", PROJECTS, ids=lambda p: p.name)
def test_project_fixture(folder: Path) -> None:
    expected = project_expectations(folder)
    actual = lint_fixture_project(folder)
    assert actual == expected, "\n" + describe(expected, actual)
