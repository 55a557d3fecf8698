"""Linting one in-memory buffer (flake8 plugin, language server).

Editors and flake8 hand us the text of one file, possibly unsaved, plus its
name. The configuration is found from that name upward, as the command line
finds it from the current directory, and is cached per configuration file
(re-read when the file changes).

`lint` analyses the buffer alone, within its own flow, exactly as
`consistency_lint.lint_source` does. `lint_in_project` (the language server)
also reads the project modules the buffer imports, transitively, so a dual
write whose producer or helper lives in another module is found as
`consistency-lint check FILE` finds it; like the command line it does so only
when the project has a configuration file. `lint_as_check` (the flake8
plugin) is `consistency-lint check FILE` with the buffer in place of the file:
the rest of the project from the result cache, the buffer analysed fresh.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
import tokenize
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from consistency_lint.analysis.summary import Import
from consistency_lint.app.config import find_config, load_settings, resolve
from consistency_lint.app.discovery import DEFAULT_EXCLUDE
from consistency_lint.app.runner import run_check, without_suppressions
from consistency_lint.app.session import open_session
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.globs import any_match
from consistency_lint.domain.settings import Settings
from consistency_lint.engine import FileResult, Session

# The language server reads at most this many modules around a buffer.
MAX_CONTEXT_FILES = 400
# How long one whole-project run answers for the files of a flake8 run (seconds):
# flake8 asks file by file, a run per file would cost a project phase each.
PROJECT_RUN_TTL = 2.0
CACHE_DIR_VARIABLE = "CONSISTENCY_LINT_CACHE_DIR"


@dataclass(frozen=True)
class ProjectRun:
    """A whole-project check: the findings of every checked file, by absolute path."""

    finished: float
    by_path: dict[str, list[Diagnostic]]


@dataclass(frozen=True)
class Project:
    """A project's session, ready to lint buffers, with the results of context modules."""

    session: Session
    # Per-file results of context modules: absolute path -> (stamp, result).
    results: dict[str, tuple[tuple[object, ...], FileResult]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # The last whole-project run (`lint_as_check`), under the key "last".
    runs: dict[str, ProjectRun] = field(default_factory=dict, compare=False, repr=False)

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @property
    def has_config(self) -> bool:
        return bool(self.settings.config_file) and self.settings.config_file != "(defaults)"

    @property
    def root(self) -> Path:
        return Path(self.settings.root)

    def relative(self, path: Path) -> str:
        """The root-relative POSIX path the engine reports (absolute when outside the root)."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def excluded(self, rel: str) -> bool:
        """Whether `consistency-lint check` would skip this file when named explicitly."""
        exclude = self.settings.exclude
        return any_match(rel, DEFAULT_EXCLUDE + exclude) or any_match(rel, exclude)

    def module_files(self, module: str) -> Iterator[Path]:
        """Files that may define `module` (`a/b.py`, `a/b/__init__.py`, stubs) under the source roots."""
        parts = module.split(".")
        for src in self.session.roots:
            base = self.root / src if src else self.root
            folder = base.joinpath(*parts)
            for candidate in (
                folder.with_name(parts[-1] + ".py"),
                folder / "__init__.py",
                folder.with_name(parts[-1] + ".pyi"),
                folder / "__init__.pyi",
            ):
                if candidate.is_file():
                    yield candidate.resolve()
                    break

    def analyse(self, data: bytes, rel: str) -> FileResult:
        return self.session.analyse(data, rel)

    def context_result(self, path: Path, text: str | None) -> FileResult | None:
        """The per-file result of a context module, from the open buffer or the disk, cached."""
        try:
            if text is not None:
                stamp: tuple[object, ...] = ("buffer", hashlib.blake2b(text.encode("utf-8")).digest())
            else:
                stat = path.stat()
                stamp = ("disk", stat.st_mtime_ns, stat.st_size)
            cached = self.results.get(str(path))
            if cached is not None and cached[0] == stamp:
                return cached[1]
            data = encode(text) if text is not None else path.read_bytes()
        except OSError:
            return None
        result = self.analyse(data, self.relative(path))
        self.results[str(path)] = (stamp, result)
        return result


def encode(text: str) -> bytes:
    """The bytes of a decoded buffer, in the encoding its coding cookie declares."""
    data = text.encode("utf-8")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return data
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    try:
        return text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return data


class BufferLinter:
    """Finds the project of a file name and lints buffers in it; one per process."""

    def __init__(self, cwd: Path | None = None) -> None:
        self._cwd = cwd
        self._projects: dict[tuple[str, int, int], Project] = {}

    @property
    def cwd(self) -> Path:
        return (self._cwd or Path.cwd()).resolve()

    def absolute(self, filename: str) -> Path:
        path = Path(filename)
        return path if path.is_absolute() else self.cwd / path

    def project_for(self, path: Path) -> Project:
        """The project owning `path` (its configuration found upward); raises UserError."""
        config = find_config(path.parent)
        if config is None:
            # No configuration: the defaults, rooted where `consistency-lint check` would root
            # them (the current directory), or at the file's folder when it lies elsewhere.
            root = self.cwd
            if not path.is_relative_to(root):
                root = path.parent
            key = (f"(defaults) {root}", 0, 0)
        else:
            stat = config.stat()
            key = (str(config), stat.st_mtime_ns, stat.st_size)
        project = self._projects.get(key)
        if project is None:
            if config is None:
                settings = resolve({}, "(defaults)", root)
            else:
                settings = load_settings(config, config.parent)
            project = Project(open_session(settings))
            self._projects = {k: v for k, v in self._projects.items() if k[0] != key[0]}
            self._projects[key] = project
        return project

    def lint(self, text: str | bytes, filename: str, *, apply_noqa: bool = True) -> list[Diagnostic]:
        """Findings for one buffer, paths relative to the project root.

        `apply_noqa=False` ignores the buffer's suppression comments (flake8's
        `--disable-noqa`). Files the configuration excludes get no findings.
        """
        path = self.absolute(filename).resolve()
        project = self.project_for(path)
        rel = project.relative(path)
        if project.excluded(rel):
            return []
        data = encode(text) if isinstance(text, str) else text
        result = project.analyse(data, rel)
        if not apply_noqa:
            result = without_suppressions(result)
        return project.session.check([result])

    def lint_in_project(
        self,
        text: str,
        filename: str,
        *,
        buffers: Callable[[Path], str | None] = lambda path: None,
        limit: int = MAX_CONTEXT_FILES,
    ) -> list[Diagnostic]:
        """Findings for one buffer, with the project modules it imports (transitively) as context.

        `buffers` gives the unsaved text of other open files (None: read the disk).
        Without a configuration file, or outside the project root, this is `lint`.
        """
        path = self.absolute(filename).resolve()
        project = self.project_for(path)
        rel = project.relative(path)
        if project.excluded(rel):
            return []
        own = project.analyse(encode(text), rel)
        if not project.has_config or Path(rel).is_absolute() or own.summary is None:
            return project.session.check([own])
        results = {str(path): own}
        queue = [own]
        while queue and len(results) < limit:
            summary = queue.pop().summary
            if summary is None:
                continue
            for module in _imported_modules(summary.imports):
                for candidate in project.module_files(module):
                    key = str(candidate)
                    if key in results or project.excluded(project.relative(candidate)):
                        continue
                    result = project.context_result(candidate, buffers(candidate))
                    if result is not None:
                        results[key] = result
                        queue.append(result)
        return project.session.check(list(results.values()), report_paths={rel})

    def lint_as_check(self, text: str | bytes, filename: str, *, apply_noqa: bool = True) -> list[Diagnostic]:
        """What `consistency-lint check FILE` reports for this file, with `text` in place of FILE.

        Without a configuration file (or outside the project root) the buffer is
        analysed alone, as the command line does. In a project, the other files
        come from the result cache and the buffer is analysed fresh. When the
        buffer is the file on disk (flake8 run over a tree), one whole-project
        run answers for every file for `PROJECT_RUN_TTL` seconds.
        """
        path = self.absolute(filename).resolve()
        project = self.project_for(path)
        rel = project.relative(path)
        if project.excluded(rel):
            return []
        if not project.has_config or Path(rel).is_absolute():
            return self.lint(text, filename, apply_noqa=apply_noqa)
        data = encode(text) if isinstance(text, str) else text
        cache_dir = os.environ.get(CACHE_DIR_VARIABLE)
        folder = self.cwd / cache_dir if cache_dir else None
        if apply_noqa and _same_as_disk(path, data):
            run = project.runs.get("last")
            if run is None or time.monotonic() - run.finished > PROJECT_RUN_TTL:
                result = run_check(
                    [project.root], project.settings, jobs=1, cache_dir=folder, session=project.session
                )
                by_path: dict[str, list[Diagnostic]] = {
                    _shown_to_absolute(name): [] for name in result.checked
                }
                for diagnostic in result.diagnostics:
                    by_path.setdefault(_shown_to_absolute(diagnostic.path), []).append(diagnostic)
                run = ProjectRun(time.monotonic(), by_path)
                project.runs["last"] = run
            found = run.by_path.get(str(path))
            if found is not None:
                return found
        # An unsaved buffer, --disable-noqa, or a file the project walk skips (named explicitly).
        result = run_check(
            [path],
            project.settings,
            jobs=1,
            cache_dir=folder,
            buffers={path: data},
            buffer_noqa=apply_noqa,
            session=project.session,
        )
        return result.diagnostics


def _shown_to_absolute(shown: str) -> str:
    """The absolute path of a path the runner shows (relative to the current directory)."""
    return os.path.normpath(os.path.join(os.getcwd(), shown))


def _same_as_disk(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _imported_modules(imports: Iterable[Import]) -> Iterator[str]:
    """Every module an import may load: the module, its parent packages, and
    `from package import submodule` candidates."""
    for item in imports:
        if not item.module:
            continue
        parts = item.module.split(".")
        for n in range(1, len(parts) + 1):
            yield ".".join(parts[:n])
        if item.name and item.name != "*":
            yield f"{item.module}.{item.name}"
