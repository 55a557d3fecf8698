"""Opening a session: the packs a configuration names, loaded from disk, and its source roots."""

from __future__ import annotations

from pathlib import Path

from consistency_lint.app.packs import load_packs, pack_fingerprint
from consistency_lint.app.source_roots import found_roots
from consistency_lint.domain.settings import Settings
from consistency_lint.engine import Session


def source_roots(root: Path, settings: Settings) -> tuple[str, ...]:
    """Folders that module names are relative to (longest match wins).

    The `src` setting when given; otherwise `src/` and the project root, unless
    `src/` has an `__init__.py`: then `src` is itself a package (`import src.app`);
    and any folder found holding a top-level package that its own modules import
    by name (`apps/api` for `apps/api/plane`, see `source_roots.found_roots`).
    """
    if settings.src:
        return tuple(settings.src)
    src = root / "src"
    roots = ["src", ""] if src.is_dir() and not (src / "__init__.py").is_file() else [""]
    roots[:0] = [found for found in found_roots(root) if found not in roots]
    return tuple(roots)


def open_session(settings: Settings, roots: tuple[str, ...] | None = None) -> Session:
    """The session of a project; `roots` default to the project's source roots.

    The packs are parsed when first needed (an invalid one is then a UserError):
    a warm run that the cache answers never parses them."""
    root = Path(settings.root or ".")
    fingerprint = pack_fingerprint(settings.packs, root)  # a missing pack file fails here
    return Session(
        settings,
        lambda: load_packs(settings.packs, root),
        source_roots(root, settings) if roots is None else roots,
        pack_fingerprint=fingerprint,
    )
