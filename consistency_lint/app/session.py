"""Opening a session: the packs a configuration names, loaded from disk, and its source roots."""

from __future__ import annotations

from pathlib import Path

from consistency_lint.app.packs import load_packs
from consistency_lint.domain.settings import Settings
from consistency_lint.engine import Session


def source_roots(root: Path, settings: Settings) -> tuple[str, ...]:
    """Folders that module names are relative to (longest match wins).

    The `src` setting when given; otherwise `src/` and the project root, unless
    `src/` has an `__init__.py`: then `src` is itself a package (`import src.app`).
    """
    if settings.src:
        return tuple(settings.src)
    src = root / "src"
    return ("src", "") if src.is_dir() and not (src / "__init__.py").is_file() else ("",)


def open_session(settings: Settings, roots: tuple[str, ...] | None = None) -> Session:
    """The session of a project; `roots` default to the project's source roots."""
    root = Path(settings.root or ".")
    packs = load_packs(settings.packs, root)
    return Session(settings, packs, source_roots(root, settings) if roots is None else roots)
