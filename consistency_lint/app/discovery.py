"""Finding the Python files to lint: walk folders, honour exclude and .gitignore."""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pathspec import GitIgnoreSpec

from consistency_lint.domain.globs import GitIgnorePattern, PatternError, combined, gitignore_regex

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
    warnings: list[str] = field(default_factory=list)  # .gitignore lines skipped


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
    """The .gitignore files met on the way down, each applying below its folder.

    Each file is a `pathspec.GitIgnoreSpec` (git's semantics: negation, `[!a]`,
    escapes, last match wins); a deeper file's verdict overrides a shallower
    one. A line that does not compile is reported once and skipped, as git does.
    """

    def __init__(self, warnings: list[str]) -> None:
        self._warnings = warnings
        self._loaded: set[str] = set()
        # By folder prefix, in load order (a folder is loaded before its subfolders).
        self._by_folder: dict[str, GitIgnoreSpec] = {}

    def load(self, folder: Path) -> None:
        prefix = str(folder).rstrip(os.sep) + os.sep
        if prefix in self._loaded:
            return
        self._loaded.add(prefix)
        path = folder / ".gitignore"
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                return  # a FIFO named .gitignore must not hang the run
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        patterns = []
        for number, line in enumerate(lines, start=1):
            try:
                regex, _ = gitignore_regex(line)
            except PatternError as error:
                self._warnings.append(f"{display(path)}:{number}: invalid pattern {line!r} skipped: {error}")
                continue
            if regex is not None:
                patterns.append(GitIgnorePattern(line))
        if patterns:
            self._by_folder[prefix] = GitIgnoreSpec(patterns, backend="simple")

    def ignored(self, path: Path, is_dir: bool) -> bool:
        result = False
        text = str(path)
        # Only the folders above `path` apply: a prefix test, not one exception per other folder.
        for prefix, spec in self._by_folder.items():
            if not text.startswith(prefix):
                continue
            rel = text[len(prefix) :].replace(os.sep, "/") + ("/" if is_dir else "")
            verdict = spec.check_file(rel).include
            if verdict is not None:
                result = verdict
        return result


def display(path: Path) -> str:
    """A path as shown in messages: relative to the current directory when below it."""
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return str(path)


BROKEN_LINK = "broken symbolic link (its target does not exist)"


def _named_problem(given: Path) -> tuple[str, os.stat_result | None]:
    """Why a path named by the user cannot be linted ("" when it can), and its stat."""
    try:
        info = os.stat(given)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop", None
        if isinstance(error, FileNotFoundError):
            return (BROKEN_LINK if os.path.islink(given) else "no such file or directory"), None
        return f"cannot access: {error.strerror or error}", None
    if stat.S_ISDIR(info.st_mode):
        if not os.access(given, os.R_OK | os.X_OK):
            return "cannot read folder: permission denied", info
        return "", info
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file ({_kind(info.st_mode)}); not read", info
    return "", info


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def discover(
    paths: list[Path],
    root: Path,
    exclude: tuple[str, ...],
    gitignore: bool,
    *,
    force_exclude: bool = False,
) -> Discovery:
    """Python files under `paths`, sorted, each once. Missing or unreadable paths are errors.

    Only regular files are linted (a FIFO named `*.py` would block the run). A
    path named explicitly is linted even when an exclude pattern matches it or
    a folder above it, as in ruff, unless `force_exclude`; below a named folder
    the patterns apply as usual (except those that matched the folder itself).
    """
    found = Discovery()
    seen: set[Path] = set()
    patterns = DEFAULT_EXCLUDE + exclude
    ignore = _GitIgnore(found.warnings)
    if gitignore:
        ignore.load(root)

    for given in paths:
        problem, info = _named_problem(given)
        if problem:
            found.errors.append(f"{given}: {problem}")
            continue
        assert info is not None
        resolved = given.resolve()
        rel = relative_found(resolved, root)
        if stat.S_ISREG(info.st_mode):
            if force_exclude and (
                combined(patterns).match(rel) or (gitignore and _ignored_above(ignore, resolved, root))
            ):
                continue
            if resolved not in seen:
                seen.add(resolved)
                found.files.append(resolved)
            continue
        folder_rel = "" if resolved == root else rel + "/"
        waived = tuple(p for p in patterns if folder_rel and combined((p,)).match(folder_rel))
        if waived and force_exclude:
            continue
        active = combined(tuple(p for p in patterns if p not in waived))
        if gitignore:
            if force_exclude and _ignored_above(ignore, resolved, root):
                continue
            _load_between(ignore, root, resolved)
        _walk(resolved, root, active, ignore if gitignore else None, seen, found)
    found.files.sort()
    return found


def _load_between(ignore: _GitIgnore, root: Path, folder: Path) -> None:
    """Load the .gitignore files of the folders from the root down to `folder`."""
    try:
        parts = folder.relative_to(root).parts
    except ValueError:
        return
    here = root
    for part in parts:
        here = here / part
        ignore.load(here)


def _ignored_above(ignore: _GitIgnore, path: Path, root: Path) -> bool:
    """Whether .gitignore files ignore `path` or a folder above it (for --force-exclude)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    _load_between(ignore, root, path.parent)
    here = root
    for number, part in enumerate(parts):
        here = here / part
        if ignore.ignored(here, number < len(parts) - 1 or path.is_dir()):
            return True
    return False


def _walk(
    start: Path,
    root: Path,
    excluded: re.Pattern[str],
    ignore: _GitIgnore | None,
    seen: set[Path],
    found: Discovery,
) -> None:
    """Depth-first, in sorted order, without following links to folders (as `os.walk`).

    Folders met on the way are real (links to folders are not followed), so a
    path relative to the root is the folder's plus the name: no system call.
    """
    top = "" if start == root else relative_found(start, root) + "/"
    stack = [(start, top)]
    while stack:
        here, prefix = stack.pop()
        if ignore is not None:
            ignore.load(here)
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            found.errors.append(f"{display(here)}: cannot read folder: {error.strerror or error}")
            continue
        folders = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                path = here / name
                rel = prefix + name + "/"
                if excluded.match(rel) or (ignore is not None and ignore.ignored(path, True)):
                    continue
                folders.append((path, rel))
                continue
            if not name.endswith(".py"):
                continue
            path = here / name
            if path in seen:
                continue
            try:
                regular = entry.is_file()  # follows a link; no system call for a plain file
            except OSError:
                regular = False  # a link loop, or a link into an unsearchable folder
            if not regular and entry.is_symlink():
                problem, _ = _named_problem(path)
                if problem == BROKEN_LINK:
                    regular = True  # reported by its own name when it cannot be read
                elif problem:
                    found.errors.append(f"{display(path)}: {problem}")
                    continue
            if not regular:
                continue  # FIFOs, sockets, devices and links to them are never read
            if excluded.match(prefix + name) or (ignore is not None and ignore.ignored(path, False)):
                continue
            seen.add(path)
            found.files.append(path)
        stack.extend(reversed(folders))
