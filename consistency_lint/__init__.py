"""consistency-lint: static analysis for the consistency mistakes of distributed systems.

The public API is `lint_source` and `lint_paths`; both return `Diagnostic`s.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from consistency_lint.domain.diagnostic import Diagnostic, Related, Severity
from consistency_lint.domain.settings import Settings

__version__ = "0.1.0"
__all__ = ["Diagnostic", "Related", "Settings", "Severity", "__version__", "lint_paths", "lint_source"]


def default_settings() -> Settings:
    """The settings of a project with no configuration at all."""
    from consistency_lint.app.config import resolve

    return resolve({}, "(defaults)", Path.cwd())


def lint_source(
    source: str | bytes, path: str = "<string>", config: Settings | None = None
) -> list[Diagnostic]:
    """Lint one module's text in isolation (its own flow only)."""
    from consistency_lint.app.session import open_session

    session = open_session(config or default_settings(), roots=("",))
    data = source.encode("utf-8") if isinstance(source, str) else source
    module, is_package = session.module_of(path.replace("\\", "/").lstrip("./") or "module.py")
    return session.check([session.analyse(data, path, module=module, is_package=is_package)])


def lint_paths(
    paths: Iterable[str | Path], config: Settings | None = None, *, jobs: int | None = 1
) -> list[Diagnostic]:
    """Lint files and folders as `consistency-lint check` does; unreadable paths raise."""
    from consistency_lint.app.errors import UserError
    from consistency_lint.app.runner import run_check

    settings = config or default_settings()
    result = run_check([Path(p) for p in paths], settings, jobs=jobs)
    if result.errors:
        raise UserError("; ".join(result.errors))
    return result.diagnostics
