"""Every reporter renders the same diagnostics; the output must match its snapshot.

Run with UPDATE_SNAPSHOTS=1 to rewrite tests/snapshots/reporters/<format>.txt,
then review the diff.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from consistency_lint import __version__
from consistency_lint.adapters.reporters import REPORTERS
from tests.unit.reporters.sample import SAMPLE, context

SNAPSHOTS = Path(__file__).parents[2] / "snapshots" / "reporters"
CASES = {name: name for name in REPORTERS} | {"text-show-source": "text"}


def render(case: str) -> str:
    stream = io.StringIO()
    REPORTERS[CASES[case]](list(SAMPLE), stream, context(show_source=case.endswith("show-source")))
    # The version changes with every release; snapshots should not.
    return stream.getvalue().replace(f'"{__version__}"', '"<version>"')


@pytest.mark.parametrize("case", sorted(CASES))
def test_reporter_snapshot(case: str) -> None:
    actual = render(case)
    path = SNAPSHOTS / f"{case}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    assert path.is_file(), f"no snapshot {path}: run with UPDATE_SNAPSHOTS=1"
    assert actual == path.read_text(encoding="utf-8"), f"{case} differs from {path} (UPDATE_SNAPSHOTS=1)"


def test_every_reporter_has_a_snapshot() -> None:
    names = {p.stem for p in SNAPSHOTS.glob("*.txt")}
    assert set(CASES) <= names
