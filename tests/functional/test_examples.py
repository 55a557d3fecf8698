"""The bundled examples (`examples/*/`) are real: the installed CLI, run inside each
example folder, prints exactly its EXPECTED.txt, and together they show every rule.

Each example pairs a flagged case with a look-alike that must stay quiet, so any
new finding (a false positive on a look-alike) or lost one breaks the equality.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from consistency_lint.checks import CATALOGUE
from tests.environment import clean_environment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CLI = Path(sys.executable).parent / "consistency-lint"
FOLDERS = sorted(p.parent for p in EXAMPLES.glob("*/EXPECTED.txt"))
_CODE = re.compile(r"^[^:\n]+:\d+:\d+: (CL\d{3}) ", re.M)


def _run(folder: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), "check", *paths],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean_environment(),
    )


def test_examples_exist() -> None:
    assert [f.name for f in FOLDERS] == ["shop", "tenant_per_db"]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_example_output_matches_expected(folder: Path) -> None:
    result = _run(folder)
    assert result.returncode == 1, result.stderr
    assert result.stdout == (folder / "EXPECTED.txt").read_text(encoding="utf-8")


def test_examples_show_every_rule() -> None:
    shown: set[str] = set()
    for folder in FOLDERS:
        shown.update(_CODE.findall((folder / "EXPECTED.txt").read_text(encoding="utf-8")))
    assert shown == set(CATALOGUE) - {"CL001"}


def test_examples_readme_names_every_rule() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    missing = [code for code in CATALOGUE if code != "CL001" and code not in readme]
    assert not missing


def test_quick_start_from_the_repository_root_finds_the_example_config() -> None:
    """README's quick start: no config above the cwd, so it is found from the path given."""
    done = _run(EXAMPLES.parent, "examples/shop")
    assert done.returncode == 1, done.stderr
    expected = (EXAMPLES / "shop" / "EXPECTED.txt").read_text(encoding="utf-8")
    prefixed = "".join(f"examples/shop/{line}\n" for line in expected.splitlines())
    assert done.stdout == prefixed
