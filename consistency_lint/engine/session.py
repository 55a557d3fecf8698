"""One session: the settings and the pack index of a run, and the two phases over them.

Every front end (the command line's runner, the flake8 plugin, the language
server, `consistency_lint.lint_source`/`lint_paths`, the test harness) builds one
`Session` and asks it to analyse files and check the project; none of them
assembles the pipeline by hand. A session is pure: the app layer reads files and
loads packs (`consistency_lint.app.session.open_session`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property

from consistency_lint.analysis.modules import module_name
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.packs import Pack
from consistency_lint.domain.settings import Settings
from consistency_lint.engine.result import FileResult


class Session:
    """The resolved settings and loaded packs of one project, and what runs on them.

    `roots` are the source folders that module names are relative to (`src`, "").
    """

    def __init__(
        self,
        settings: Settings,
        packs: Sequence[Pack] | Callable[[], Sequence[Pack]],
        roots: tuple[str, ...] = ("",),
        *,
        pack_fingerprint: str = "",
    ) -> None:
        """`packs`, or how to load them when first needed (a warm run served by the cache never
        does); `pack_fingerprint` then names them for the cache (see `pack_key`)."""
        self.settings = settings
        self._packs = packs
        self._pack_fingerprint = pack_fingerprint
        self.roots = roots

    @cached_property
    def pack_list(self) -> tuple[Pack, ...]:
        """The loaded packs, in order."""
        packs = self._packs
        return tuple(packs() if callable(packs) else packs)

    @property
    def pack_key(self) -> str:
        """What identifies the packs in the cache key: the fingerprint of their text when the
        session was given one, else the packs themselves."""
        return self._pack_fingerprint or repr(self.pack_list)

    @cached_property
    def packs(self) -> PackIndex:
        """The pack index, built on first use (a warm run served by the cache never needs it)."""
        return PackIndex(self.pack_list, self.settings.effect_kinds)

    def module_of(self, path: str) -> tuple[str, bool]:
        """(module name, is a package) of a root-relative POSIX path."""
        return module_name(path, self.roots)

    def analyse(
        self, source: bytes, path: str, *, module: str | None = None, is_package: bool = False
    ) -> FileResult:
        """The file phase for one file's bytes; the module is derived from `path` unless given."""
        # Imported here: a run the cache answers whole analyses no file.
        from consistency_lint.engine.file_phase import analyse_file

        if module is None:
            module, is_package = self.module_of(path)
        return analyse_file(source, path, module=module, is_package=is_package, packs=self.packs)

    def check(
        self, results: Sequence[FileResult], *, report_paths: Iterable[str] | None = None
    ) -> list[Diagnostic]:
        """The project phase over file results: rules, selection, suppressions, CL002."""
        # Imported here: the rules import every analysis, which a run the cache answers never needs.
        from consistency_lint.engine.project_phase import check_project

        return check_project(results, self.settings, self.packs, report_paths=report_paths)

    def lint(self, source: bytes, path: str) -> list[Diagnostic]:
        """One file alone, within its own flow (flake8, `lint_source`, single-file fixtures)."""
        return self.check([self.analyse(source, path)])
