"""Source roots found without configuration.

A project whose Python package is not at the repository root (`apps/api/plane`,
`backend/shop`, `services/billing/billing`) names its modules from that
package's parent folder: `from plane.db.models import Issue`. A folder is a
source root when it holds a top-level package (a folder with `__init__.py`
under a folder without one) that the package's own modules import by its
name. The `src` setting, when given, wins over everything found here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

_MAX_DEPTH = 3  # of the root folder below the project root: apps/api/<package>
_MAX_FILES = 200  # files of a package read for its own imports
_SKIPPED = frozenset({"node_modules", "site-packages", "__pycache__", "venv", "env", "build", "dist"})


def found_roots(root: Path) -> tuple[str, ...]:
    """Root-relative POSIX folders below `root` that hold a package the project imports by name."""
    out: list[str] = []
    for folder, package in _packages(root):
        if _imports_itself(package):
            rel = folder.relative_to(root).as_posix()
            if rel not in out:
                out.append(rel)
    return tuple(sorted(out))


def _packages(root: Path) -> Iterator[tuple[Path, Path]]:
    """(folder, package): top-level packages held by a folder other than the root."""
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            children = sorted(p for p in folder.iterdir() if p.is_dir())
        except OSError:
            continue
        for child in children:
            name = child.name
            if name.startswith(".") or name in _SKIPPED:
                continue
            if (child / "__init__.py").is_file():
                if folder != root:
                    yield folder, child
                continue  # a package's subfolders are its own modules, not roots
            if depth < _MAX_DEPTH:
                stack.append((child, depth + 1))


def _imports_itself(package: Path) -> bool:
    """Whether a module of the package imports it by its top-level name (`from shop.x import y`)."""
    pattern = re.compile(rf"^\s*(?:from|import)\s+{re.escape(package.name)}(?:\.|\s|$)", re.MULTILINE)
    read = 0
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED)
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            read += 1
            if read > _MAX_FILES:
                return False
            try:
                text = (Path(folder) / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if pattern.search(text):
                return True
    return False
