"""Finding the Python files to lint: walk folders, honour exclude and .gitignore."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from consistency_lint.domain.globs import compile_glob, path_matches

# Folders no one wants linted: virtual environments, caches, build output, VCS data.
DEFAULT_EXCLUDE = (
    ".git/",
    ".hg/",
    ".svn/",
    ".venv/",
    "venv/",
    ".tox/",
    ".nox/",
    "__pycache__/",
    "node_modules/",
    "build/",
    "dist/",
    ".eggs/",
    "*.egg-info/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".pytest_cache/",
    ".consistency-lint-cache/",
    "site-packages/",
)


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def relative_posix(path: Path, root: Path) -> str:
    """A path relative to the root, with forward slashes (absolute when outside).

    Only the folders are resolved: a file that is a symbolic link keeps its own
    name, so a dangling link is reported as the name the user sees.
    """
    resolved = path.parent.resolve() / path.name
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()


def relative_found(path: Path, root: Path) -> str:
    """`relative_posix` for a path that `discover` returned or met while walking.

    Those paths have no symbolic link among their folders (the walk starts
    from a resolved folder and does not follow links), so unless the file
    itself is a link, the path is already resolved: one `lstat` instead of
    one per path component.
    """
    text = str(path)
    prefix = str(root).rstrip(os.sep) + os.sep
    if text.startswith(prefix) and not os.path.islink(text):
        return text[len(prefix) :].replace(os.sep, "/")
    return relative_posix(path, root)


class _GitIgnore:
    """The .gitignore files met on the way down, each applying below its folder."""

    def __init__(self) -> None:
        self.rules: list[tuple[Path, str, bool]] = []  # (folder, pattern, negated)
        # The same rules by folder, in load order (a folder is loaded before its subfolders).
        self._by_folder: dict[str, tuple[Path, list[tuple[str, bool]]]] = {}

    def load(self, folder: Path) -> None:
        path = folder / ".gitignore"
        if not path.is_file():
            return
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            self.rules.append((folder, line[1:] if negated else line, negated))
            prefix = str(folder).rstrip(os.sep) + os.sep
            self._by_folder.setdefault(prefix, (folder, []))[1].append(
                (line[1:] if negated else line, negated)
            )

    def ignored(self, path: Path, is_dir: bool) -> bool:
        result = False
        text = str(path)
        # Only the folders above `path` apply: a prefix test, not one exception per other folder.
        for prefix, (folder, rules) in self._by_folder.items():
            if not text.startswith(prefix):
                continue
            rel = path.relative_to(folder).as_posix()
            for pattern, negated in rules:
                if pattern.endswith("/") and not is_dir:
                    # `build/` ignores the folder; its files are skipped with it.
                    continue
                if path_matches(rel, pattern):
                    result = not negated
        return result


@lru_cache(maxsize=64)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression matching what `any_match(path, patterns)` matches."""
    if not patterns:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(f"(?:{compile_glob(p).pattern})" for p in patterns))


def discover(paths: list[Path], root: Path, exclude: tuple[str, ...], gitignore: bool) -> Discovery:
    """Python files under `paths`, sorted, each once. Missing paths are errors."""
    found = Discovery()
    seen: set[Path] = set()
    patterns = DEFAULT_EXCLUDE + exclude
    ignore = _GitIgnore()
    if gitignore:
        ignore.load(root)

    every_pattern = _combined(patterns)
    user_patterns = _combined(exclude)

    def excluded(path: Path, is_dir: bool) -> bool:
        rel = relative_found(path, root)
        if is_dir:
            rel += "/"
        return every_pattern.match(rel) is not None or user_patterns.match(rel.rstrip("/")) is not None

    for given in paths:
        if not given.exists():
            found.errors.append(f"{given}: no such file or directory")
            continue
        if given.is_file():
            resolved = given.resolve()
            if resolved not in seen and not excluded(resolved, False):
                seen.add(resolved)
                found.files.append(resolved)
            continue
        for folder, dirs, files in os.walk(given.resolve()):
            here = Path(folder)
            if gitignore and here != root:
                ignore.load(here)
            dirs[:] = sorted(
                d
                for d in dirs
                if not excluded(here / d, True) and not (gitignore and ignore.ignored(here / d, True))
            )
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                path = here / name
                if path in seen or excluded(path, False) or (gitignore and ignore.ignored(path, False)):
                    continue
                seen.add(path)
                found.files.append(path)
    found.files.sort()
    return found
