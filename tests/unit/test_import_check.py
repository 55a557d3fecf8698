"""The warning for a project whose own imports do not resolve (wrong source root)."""

from __future__ import annotations

from pathlib import Path

import pytest

from consistency_lint.app.config import resolve
from consistency_lint.app.import_check import unresolved_imports_warning
from consistency_lint.app.runner import run_check

FILES = [
    ("label_studio/core/__init__.py", "label_studio.core", True),
    ("label_studio/core/utils.py", "label_studio.core.utils", False),
    ("label_studio/projects/__init__.py", "label_studio.projects", True),
    ("label_studio/projects/models.py", "label_studio.projects.models", False),
    ("label_studio/io/storages/__init__.py", "label_studio.io.storages", True),
]


def test_most_own_imports_unresolved_names_the_source_root() -> None:
    imports = ["core.utils"] * 3 + ["projects.models", "io.storages", "django.db.models"]
    message = unresolved_imports_warning(FILES, imports)
    assert message.startswith("5 of 5 imports of the project's own modules do not resolve")
    assert "`core.utils`, which is label_studio/core/utils.py" in message
    assert 'set src = ["label_studio"]' in message


def test_resolving_imports_are_quiet() -> None:
    imports = ["label_studio.core.utils"] * 6 + ["core.utils"] * 5
    assert unresolved_imports_warning(FILES, imports) == ""


def test_a_few_unresolved_or_single_segment_imports_are_quiet() -> None:
    assert unresolved_imports_warning(FILES, ["core.utils"] * 4) == ""
    # `import utils`, `from celery import Celery` with a project `proj/celery.py`: not told apart
    # from third-party packages, so not counted.
    assert unresolved_imports_warning(FILES, ["utils", "models", "storages"] * 5) == ""
    assert unresolved_imports_warning(FILES, ["django.db.models", "requests"] * 5) == ""


def _backend_project(root: Path) -> None:
    """`backend/shop`, whose modules import `shop.*`: the source root is `backend`."""
    package = root / "backend" / "shop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for name in ("models", "views", "tasks", "api", "forms", "admin"):
        (package / f"{name}.py").write_text("from shop.util import helper\nfrom shop.models import Order\n")
    (package / "util.py").write_text("def helper():\n    return 1\n")


def test_run_warns_when_the_source_root_is_wrong(tmp_path: Path) -> None:
    _backend_project(tmp_path)
    root = tmp_path.resolve()
    settings = resolve({"src": ["."]}, "consistency-lint.toml", root)
    result = run_check([root], settings, jobs=1, cache=False)
    assert any('set src = ["backend"]' in w for w in result.warnings), result.warnings


def test_the_warning_survives_a_warm_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm run reuses the stored project result without loading summaries: the warning
    is stored with it, not lost."""
    monkeypatch.setenv("CONSISTENCY_LINT_SECRET_DIR", str(tmp_path / "secret"))
    project = tmp_path / "p"
    _backend_project(project)
    root = project.resolve()
    settings = resolve({"src": ["."]}, "consistency-lint.toml", root)
    cold = run_check([root], settings, jobs=1, cache_dir=tmp_path / "cache")
    warm = run_check([root], settings, jobs=1, cache_dir=tmp_path / "cache")
    assert any('set src = ["backend"]' in w for w in cold.warnings), cold.warnings
    assert [w for w in warm.warnings if "do not resolve" in w] == [
        w for w in cold.warnings if "do not resolve" in w
    ]


def test_run_with_found_source_root_is_quiet(tmp_path: Path) -> None:
    _backend_project(tmp_path)
    root = tmp_path.resolve()
    settings = resolve({}, "consistency-lint.toml", root)
    result = run_check([root], settings, jobs=1, cache=False)
    assert not any("do not resolve" in w for w in result.warnings), result.warnings
