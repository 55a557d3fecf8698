"""Correctness guard for the cache and the process pool: same findings whatever the path taken.

The whole fixture suite is linted cold without cache, with one and two
worker processes, then with the cache cold and warm, after an edit, and with
a corrupted cache file. Findings must be identical every time. Nothing here
is timed.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from consistency_lint.app import runner
from consistency_lint.app.cache import CACHE_DIR
from consistency_lint.app.config import Overrides, load_settings
from consistency_lint.engine import Session
from tests.environment import clean_environment
from tests.harness import FIXTURES

ALL_RULES = Overrides(select=("CL",), extend_select=("CL002", "CL104", "CL304"))
_IGNORE = shutil.ignore_patterns(CACHE_DIR, "__pycache__")
Findings = list[tuple[str, int, int, str, str]]


def _projects(tmp_path: Path) -> list[Path]:
    """Each fixture project, plus all single-file fixtures as one project (own config file)."""
    out = []
    for folder in sorted((FIXTURES / "projects").iterdir()):
        if folder.is_dir():
            target = tmp_path / folder.name
            shutil.copytree(folder, target, ignore=_IGNORE)
            if not (target / "consistency-lint.toml").exists():
                (target / "consistency-lint.toml").write_text("")
            out.append(target)
    rules = tmp_path / "all_rule_fixtures"
    shutil.copytree(FIXTURES / "rules", rules, ignore=_IGNORE)
    (rules / "consistency-lint.toml").write_text("")
    out.append(rules)
    return out


def _lint(folder: Path, *, jobs: int, cache: bool) -> Findings:
    settings = load_settings(folder / "consistency-lint.toml", folder, ALL_RULES)
    result = runner.run_check([folder], settings, jobs=jobs, cache=cache)
    assert not result.errors, result.errors
    return [(d.path, d.line, d.column, d.code, d.message) for d in result.diagnostics]


class _Counter:
    """Counts the files the session analyses (stands in for `Session.analyse`).

    Files are analysed in forked worker processes: the count goes through a file.
    """

    def __init__(self) -> None:
        import tempfile

        handle, self.path = tempfile.mkstemp(prefix="analyse-calls-")
        os.close(handle)
        self.real = Session.analyse

    def __get__(self, session: Session, owner: type) -> Callable[..., object]:
        return functools.partial(self, session)

    @property
    def calls(self) -> int:
        with open(self.path, "rb") as handle:
            return len(handle.read())

    def __call__(self, *args: object, **kwargs: object) -> object:
        with open(self.path, "ab") as handle:
            handle.write(b".")
        return self.real(*args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)  # use the pool even for a few files


@pytest.mark.slow
def test_fixture_suite_identical_across_jobs_and_cache(
    tmp_path: Path, small_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    total = 0
    for folder in _projects(tmp_path):
        baseline = _lint(folder, jobs=1, cache=False)
        total += len(baseline)
        assert _lint(folder, jobs=2, cache=False) == baseline, folder.name
        assert not (folder / CACHE_DIR).exists()
        assert _lint(folder, jobs=2, cache=True) == baseline, f"{folder.name}: cold cache"
        assert (folder / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"
        counter = _Counter()
        monkeypatch.setattr(Session, "analyse", counter)
        assert _lint(folder, jobs=1, cache=True) == baseline, f"{folder.name}: warm cache"
        assert counter.calls == 0, "a warm run on an unchanged tree must not analyse any file"
        assert _lint(folder, jobs=2, cache=True) == baseline, f"{folder.name}: warm cache, pool"
        monkeypatch.setattr(Session, "analyse", counter.real)
    assert total > 0, "the guard means nothing if the fixtures produce no finding"


def test_edited_file_is_reanalysed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    project = tmp_path / "p"
    project.mkdir()
    (project / "consistency-lint.toml").write_text("")
    (project / "a.py").write_text("def helper():\n    return 1\n")
    (project / "b.py").write_text("import os\n")
    clean = _lint(project, jobs=1, cache=True)
    assert clean == []
    (project / "a.py").write_text("def helper():\n    return 1\n\n\ndef broken(:\n")  # CL001
    counter = _Counter()
    monkeypatch.setattr(Session, "analyse", counter)
    edited = _lint(project, jobs=1, cache=True)
    assert [f[3] for f in edited] == ["CL001"]
    assert counter.calls == 1  # only the edited file; b.py comes from the cache
    assert _lint(project, jobs=1, cache=False) == edited


def test_corrupted_cache_is_ignored_and_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "projects" / "cl101_split", project, ignore=_IGNORE)
    expected = _lint(project, jobs=1, cache=False)
    assert _lint(project, jobs=1, cache=True) == expected
    (index,) = (project / CACHE_DIR).glob("results-*.data")
    index.write_bytes(index.read_bytes()[:50])  # truncated, as by a crash mid-write
    assert _lint(project, jobs=1, cache=True) == expected
    counter = _Counter()
    monkeypatch.setattr(Session, "analyse", counter)
    assert _lint(project, jobs=1, cache=True) == expected  # rebuilt: warm again
    assert counter.calls == 0
    index.write_bytes(b"not a pickle at all")
    assert _lint(project, jobs=1, cache=True) == expected


def test_settings_change_misses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "projects" / "cl101_split", project, ignore=_IGNORE)
    _lint(project, jobs=1, cache=True)
    config = project / "consistency-lint.toml"
    config.write_text(config.read_text() + '\neffect-kinds = ["broker", "task", "http"]\n')
    counter = _Counter()
    monkeypatch.setattr(Session, "analyse", counter)
    _lint(project, jobs=1, cache=True)
    assert counter.calls > 0


@pytest.mark.slow
def test_concurrent_runs_share_the_cache_safely(tmp_path: Path) -> None:
    """Several CLI runs at once on one project: all succeed, same output, a valid cache after."""
    import subprocess
    import sys

    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "projects" / "cl101_split", project, ignore=_IGNORE)
    for number in range(30):  # enough files for the runs to overlap
        (project / f"extra_{number}.py").write_text(f"def helper_{number}():\n    return {number}\n")
    command = [sys.executable, "-c", "from consistency_lint.adapters.cli import main; main()", "check"]
    environ = clean_environment()
    runs = [
        subprocess.Popen(
            command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ
        )
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert {run.returncode for run in runs} == {1}, outputs
    assert len({out for out, _ in outputs}) == 1
    assert not list((project / CACHE_DIR).glob(".*.tmp"))
    warm = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120, env=environ)
    assert warm.stdout == outputs[0][0] and "CL101" in warm.stdout
    cold = subprocess.run(
        [*command, "--no-cache"], cwd=project, capture_output=True, text=True, timeout=120, env=environ
    )
    assert cold.stdout == warm.stdout
