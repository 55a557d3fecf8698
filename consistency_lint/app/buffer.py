"""Linting one in-memory buffer (flake8 plugin, language server).

Editors and flake8 hand us the text of one file, possibly unsaved, plus its
name. The configuration is found from that name upward, as the command line
finds it from the current directory, and is cached per configuration file
(re-read when the file changes). The buffer is analysed alone, within its own
flow, exactly as `consistency_lint.lint_source` does.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, replace
from pathlib import Path

from consistency_lint.analysis.engine import analyse_file, analyse_project
from consistency_lint.analysis.modules import module_name
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.summary import Suppressions
from consistency_lint.app.config import find_config, load_settings, resolve
from consistency_lint.app.discovery import DEFAULT_EXCLUDE
from consistency_lint.app.packs import load_packs
from consistency_lint.app.runner import source_roots
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.globs import any_match
from consistency_lint.domain.settings import Settings


@dataclass(frozen=True)
class Project:
    """A resolved configuration with its packs, ready to lint buffers."""

    settings: Settings
    packs: PackIndex

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
            packs = PackIndex(load_packs(settings.packs, Path(settings.root)), settings.effect_kinds)
            project = Project(settings, packs)
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
        module, is_package = module_name(rel, source_roots(project.root, project.settings))
        result = analyse_file(data, rel, module=module, is_package=is_package, packs=project.packs)
        if not apply_noqa:
            summary = result.summary and replace(result.summary, suppressions=Suppressions())
            result = replace(result, summary=summary, suppressions=Suppressions())
        return analyse_project([result], project.settings, project.packs)
