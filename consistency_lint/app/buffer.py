"""Linting one in-memory buffer (flake8 plugin, language server).

Editors and flake8 hand us the text of one file, possibly unsaved, plus its
name. The configuration is found from that name upward, as the command line
finds it from the current directory, and is cached per configuration file
(re-read when the file changes).

`lint` analyses the buffer alone, within its own flow, exactly as
`consistency_lint.lint_source` does. `lint_in_project` (the language server)
and `lint_as_check` (the flake8 plugin) are `consistency-lint check FILE` with
the buffer (and the editor's other open buffers) in place of the files: the
rest of the project from the result cache, the buffers analysed fresh. Both
share one incremental state with the command line: the cache on disk (whose
project result is reused when no file's result changed) and, per project, the
results decoded from it (`Project.memo`), so a second request in the same
process reads only what changed. Like the command line, they use the project
context only when the project has a configuration file.
"""

from __future__ import annotations

import io
import os
import time
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from consistency_lint.app.cache import Memo
from consistency_lint.app.config import find_config, load_settings, resolve
from consistency_lint.app.cpus import available_cpus
from consistency_lint.app.discovery import DEFAULT_EXCLUDE
from consistency_lint.app.isolation import IsolatedPool
from consistency_lint.app.runner import Job, Outcome, lasting_pool, run_check, without_suppressions
from consistency_lint.app.session import open_session
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.globs import any_match
from consistency_lint.domain.settings import Settings
from consistency_lint.engine import FileResult, Session

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
    # Results decoded from the cache, kept between requests (see `ResultCache.memo`).
    memo: Memo = field(default_factory=dict, compare=False, repr=False)
    # The last whole-project run (`lint_as_check`), under the key "last".
    runs: dict[str, ProjectRun] = field(default_factory=dict, compare=False, repr=False)
    # The isolated workers `lint_in_project` analyses files from disk in, kept between
    # requests (started on first use, under the key "lasting"; see `close`).
    pools: dict[str, IsolatedPool[Job, Outcome]] = field(default_factory=dict, compare=False, repr=False)

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

    def analyse(self, data: bytes, rel: str) -> FileResult:
        return self.session.analyse(data, rel)

    def pool(self) -> IsolatedPool[Job, Outcome]:
        """The project's lasting workers: a file that crashes the parser kills one of them, not us."""
        pool = self.pools.get("lasting")
        if pool is None:
            pool = self.pools["lasting"] = lasting_pool(self.session, available_cpus())
        return pool

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
        self.pools.clear()


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
            for other, replaced in self._projects.items():
                if other[0] == key[0]:
                    replaced.close()
            self._projects = {k: v for k, v in self._projects.items() if k[0] != key[0]}
            self._projects[key] = project
        return project

    def close(self) -> None:
        """Stop the worker processes kept for the projects."""
        for project in self._projects.values():
            project.close()

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
        self, text: str, filename: str, *, open_buffers: Mapping[Path, str] | None = None
    ) -> list[Diagnostic]:
        """Findings for one buffer (root-relative paths), in its project's context.

        What `consistency-lint check FILE` reports with the buffer in place of FILE
        and `open_buffers` (absolute path -> unsaved text of the other open
        documents) in place of theirs. Without a configuration file, or outside
        the project root, this is `lint`.
        """
        path = self.absolute(filename).resolve()
        project = self.project_for(path)
        rel = project.relative(path)
        if project.excluded(rel):
            return []
        if not project.has_config or Path(rel).is_absolute():
            return self.lint(text, filename)
        buffers = {other: encode(unsaved) for other, unsaved in (open_buffers or {}).items()}
        buffers[path] = encode(text)
        result = run_check(
            [path],
            project.settings,
            jobs=1,
            cache_dir=self._cache_folder(),
            buffers=buffers,
            session=project.session,
            memo=project.memo,
            pool=project.pool(),
        )
        root = project.root.resolve()
        found = [_root_relative(d, root) for d in result.diagnostics]
        return [d for d in found if d.path == rel]

    def _cache_folder(self) -> Path | None:
        cache_dir = os.environ.get(CACHE_DIR_VARIABLE)
        return self.cwd / cache_dir if cache_dir else None

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
        folder = self._cache_folder()
        if apply_noqa and _same_as_disk(path, data):
            run = project.runs.get("last")
            if run is None or time.monotonic() - run.finished > PROJECT_RUN_TTL:
                result = run_check(
                    [project.root],
                    project.settings,
                    jobs=1,
                    cache_dir=folder,
                    session=project.session,
                    memo=project.memo,
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
            memo=project.memo,
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


def _root_relative(diagnostic: Diagnostic, root: Path) -> Diagnostic:
    """A finding as the runner shows it (paths relative to the current directory), with
    paths relative to the project root instead (the language server's convention)."""

    def rel(shown: str) -> str:
        absolute = os.path.normpath(os.path.join(os.getcwd(), shown))
        try:
            return Path(absolute).relative_to(root).as_posix()
        except ValueError:
            return absolute

    related = tuple(replace(other, path=rel(other.path)) for other in diagnostic.related)
    return replace(diagnostic, path=rel(diagnostic.path), related=related)
