"""Incremental runs equal cold runs: a project fixture is edited, extended, pruned and
renamed step by step, and after every step the run served by the cache (and by an
in-process memo, as the language server and the flake8 plugin keep one) must report
exactly what a run without any cache reports. Nothing here is timed."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from consistency_lint.app import packs, runner
from consistency_lint.app.cache import CACHE_DIR, Memo, ResultCache
from consistency_lint.app.config import Overrides, load_settings
from consistency_lint.app.errors import UserError
from consistency_lint.domain.catalogue import HEADS
from consistency_lint.domain.packs import SCHEMA_VERSION
from tests.environment import clean_environment
from tests.harness import FIXTURES

ALL_RULES = Overrides(select=("CL",), extend_select=("CL002", "CL104", "CL304"))
Findings = list[tuple[str, int, int, str, str]]


def _lint(folder: Path, *, cache: bool, memo: Memo | None = None) -> Findings:
    settings = load_settings(folder / "consistency-lint.toml", folder, ALL_RULES)
    result = runner.run_check([folder], settings, jobs=1, cache=cache, memo=memo)
    assert not result.errors, result.errors
    return [(d.path, d.line, d.column, d.code, d.message) for d in result.diagnostics]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


EXTRA = """\
from shop.repository import save_order
from shop.tasks import send_receipt


def place_again(order):
    save_order(order)
    send_receipt.delay(order.id)
"""


def _steps(shop: Path) -> list[tuple[str, object]]:
    return [
        ("cold run writing the cache", lambda: None),
        ("unchanged", lambda: None),
        (
            "a comment appended (no result changes)",
            lambda: _edit(shop / "services.py", "\n# Look-alikes.", "\n# Look-alikes (edited)."),
        ),
        (
            "a blank line at the end",
            lambda: (shop / "services.py").write_text((shop / "services.py").read_text() + "\n\n"),
        ),
        # The commit lives in another module than the findings it causes (CL101 in services.py).
        (
            "a helper stops committing",
            lambda: _edit(
                shop / "repository.py",
                "    session.add(order)\n    session.commit()",
                "    session.add(order)",
            ),
        ),
        ("a file is added", lambda: (shop / "extra.py").write_text(EXTRA)),
        (
            "the helper commits again",
            lambda: _edit(
                shop / "repository.py",
                "def save_order(order):\n    session = get_session()\n    session.add(order)",
                "def save_order(order):\n    session = get_session()\n    session.add(order)\n"
                "    session.commit()",
            ),
        ),
        ("a handler module is deleted", lambda: (shop / "handlers.py").unlink()),
        ("a module is renamed", lambda: (shop / "repository.py").rename(shop / "storage.py")),
        (
            "its importers follow the rename",
            lambda: [
                _edit(shop / name, "shop.repository", "shop.storage") for name in ("services.py", "extra.py")
            ],
        ),
        (
            "a finding is suppressed",
            lambda: _edit(
                shop / "extra.py",
                "send_receipt.delay(order.id)",
                "send_receipt.delay(order.id)  # noqa: CL101",
            ),
        ),
        (
            "an unused suppression",
            lambda: _edit(shop / "tasks.py", "return order_id\n", "return order_id  # noqa: CL102\n"),
        ),
        ("a file stops parsing", lambda: _edit(shop / "bus.py", "def handle(event):", "def handle(event:")),
        ("and parses again", lambda: _edit(shop / "bus.py", "def handle(event:", "def handle(event):")),
    ]


@pytest.mark.parametrize("with_memo", [False, True], ids=["disk-cache", "disk-cache+memo"])
def test_incremental_equals_cold_after_every_step(tmp_path: Path, with_memo: bool) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "cl10x_interprocedural", project)
    shop = project / "shop"
    memo: Memo | None = {} if with_memo else None
    seen: dict[str, Findings] = {}
    for label, step in _steps(shop):
        step()  # type: ignore[operator]
        cold = _lint(project, cache=False)
        warm = _lint(project, cache=True, memo=memo)
        assert warm == cold, label
        assert _lint(project, cache=True, memo=memo) == cold, f"{label} (second warm run)"
        seen[label] = cold

    # The steps change what is reported, across modules: the test can fail.
    def services(label: str) -> set[tuple[int, str]]:
        return {(line, code) for path, line, _, code, _ in seen[label] if path.endswith("shop/services.py")}

    assert services("unchanged") != services("a helper stops committing")
    assert services("the helper commits again") == services("unchanged")
    assert any(path.endswith("shop/extra.py") for path, *_ in seen["a file is added"])
    assert any(code == "CL001" for *_, code, _ in seen["a file stops parsing"])
    assert any(code == "CL002" for *_, code, _ in seen["an unused suppression"])


def test_an_edit_that_changes_no_result_reuses_the_project_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "cl10x_interprocedural", project)
    before = _lint(project, cache=True)
    services = project / "shop" / "services.py"
    services.write_text(services.read_text() + "\n# a comment at the end changes no fact\n")
    phases: list[int] = []
    original = runner.Session.check
    monkeypatch.setattr(
        runner.Session, "check", lambda self, *a, **k: phases.append(1) or original(self, *a, **k)
    )
    assert _lint(project, cache=True) == before
    assert phases == []  # served from the stored project result
    _edit(
        project / "shop" / "repository.py",
        "    session.add(order)\n    session.commit()",
        "    session.add(order)",
    )
    assert _lint(project, cache=True) == _lint(project, cache=False)
    assert phases  # a result changed: the project phase ran


def test_a_results_file_from_another_state_is_not_trusted(tmp_path: Path) -> None:
    """An index and a results file from two different states of the tree never mix."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "cl10x_interprocedural", project)
    _lint(project, cache=True)
    (results,) = (project / CACHE_DIR).glob("results-*.data")
    old_results = results.read_bytes()
    _edit(
        project / "shop" / "repository.py",
        "    session.add(order)\n    session.commit()",
        "    session.add(order)",
    )
    _lint(project, cache=True)
    results.write_bytes(old_results)  # signed and well formed, but of the earlier state
    services = project / "shop" / "services.py"
    services.write_text(services.read_text().replace("def ping(order):", "def ping(order, *more):"))
    assert _lint(project, cache=True) == _lint(project, cache=False)


def test_a_warm_run_on_an_unchanged_tree_reads_the_index_and_the_stored_result_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "cl10x_interprocedural", project)
    pack = project / "extra-pack.toml"
    pack.write_text(f'schema = {SCHEMA_VERSION}\nname = "extra"\n')
    (project / "consistency-lint.toml").write_text('packs = ["extra-pack.toml"]\n')
    cold = _lint(project, cache=False)
    assert _lint(project, cache=True) == cold and cold

    def forbidden(what: str) -> Callable[..., object]:
        def fail(*args: object, **kwargs: object) -> object:
            raise AssertionError(f"a warm run on an unchanged tree {what}")

        return fail

    with monkeypatch.context() as patch:
        patch.setattr(packs, "parse_pack", forbidden("parsed a pack"))
        patch.setattr(ResultCache, "_load_blobs", forbidden("read the results file"))
        patch.setattr(ResultCache, "result", forbidden("decoded a file's result"))
        analysed = forbidden("analysed a file")
        run_jobs = runner._run_jobs
        patch.setattr(runner, "_run_jobs", lambda jobs, *rest: analysed() if jobs else run_jobs(jobs, *rest))
        assert _lint(project, cache=True) == cold

    # A pack's text is part of the key: changed, it is parsed again (and a broken one is an error).
    pack.write_text(pack.read_text() + 'summary = "edited"\n')
    assert _lint(project, cache=True) == cold
    pack.write_text(pack.read_text() + "modules = 1\n")
    settings = load_settings(project / "consistency-lint.toml", project, ALL_RULES)
    with pytest.raises(UserError, match=r"extra-pack\.toml"):
        runner.run_check([project], settings, jobs=1, cache=True)


# What a warm run on an unchanged tree must not import: the project phase, the rules and the
# project-wide analyses they run (a cold run imports each of them)...
NOT_IMPORTED_WHEN_WARM = (
    "consistency_lint.engine.project_phase",
    "consistency_lint.checks",
    "consistency_lint.analysis.index",
    "consistency_lint.analysis.dualwrite",
    "consistency_lint.analysis.tenancy",
    "consistency_lint.analysis.models",
)
# ... nor the file phase (a cold run imports it in its workers).
FILE_PHASE = (
    "consistency_lint.engine.file_phase",
    "consistency_lint.analysis.prefilter",
    "consistency_lint.analysis.suppressions",
)

WARM_RUN = """\
import sys
from consistency_lint.adapters.cli import main
sys.argv = ["consistency-lint", "check", "--select", "CL", "--extend-select", "CL002,CL104,CL304", "-q"]
try:
    main()
except SystemExit as done:
    print(done.code)
print(sorted(sys.modules))
"""


def test_a_warm_run_on_an_unchanged_tree_imports_no_rule_and_no_analysis(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "cl10x_interprocedural", project)
    command = [sys.executable, "-c", WARM_RUN]
    cold = subprocess.run(command, cwd=project, env=clean_environment(), capture_output=True, text=True)
    warm = subprocess.run(command, cwd=project, env=clean_environment(), capture_output=True, text=True)
    assert cold.stderr == warm.stderr == ""
    cold_lines, warm_lines = cold.stdout.splitlines(), warm.stdout.splitlines()
    assert cold_lines[:-1] == warm_lines[:-1] and cold_lines[-2] == "1"  # the same findings, exit 1
    cold_modules, warm_modules = ast.literal_eval(cold_lines[-1]), ast.literal_eval(warm_lines[-1])
    assert set(NOT_IMPORTED_WHEN_WARM) <= set(cold_modules)  # (the names are the real ones)
    assert all(importlib.util.find_spec(name) is not None for name in FILE_PHASE)
    forbidden = (*NOT_IMPORTED_WHEN_WARM, *FILE_PHASE)
    imported = [m for m in warm_modules if m in forbidden or m.startswith("consistency_lint.checks.")]
    assert imported == []


def test_the_catalogue_of_codes_and_defaults_agrees_with_the_rules() -> None:
    from consistency_lint.checks import CATALOGUE

    assert list(HEADS) == list(CATALOGUE)
    for code, meta in CATALOGUE.items():
        head = HEADS[code]
        assert (head.name, head.severity, head.default_on, head.summary) == (
            meta.name,
            meta.severity,
            meta.default_on,
            meta.summary,
        ), code
