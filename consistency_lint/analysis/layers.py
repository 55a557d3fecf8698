"""Layers: which modules form the domain, the persistence and the outer layers.

A layer is a list of patterns (`[tool.consistency-lint.layers]`). A pattern
with a `/` is a path glob over root-relative paths (`src/**/domain/**`, the
gitignore-like syntax of `exclude`); any other pattern is a module pattern
over dotted module names: `myapp.domain` is that package and everything below
it, `*` is one name segment (`myapp.*.domain`), `**` any number of segments,
none included (`**.domain`), and a segment may itself use `*` (`*_domain`).

Module names come from the source roots (`runner.source_roots`): a `src/`
folder, the project root (flat layout), or the `src` setting. Namespace
packages need no `__init__.py`.

With no `domain` patterns, the domain layer is every file inside a folder
named exactly `domain` (not `domain_events`, not a module `domain.py`),
outside test folders (`tests/`, `test/`) and test files. With no `outer`
patterns, the outer layers are the folders named `api`, `service` or
`services`, with the same exclusions. A file matched by both the domain and
the persistence patterns belongs to the persistence layer.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from functools import lru_cache

from consistency_lint.domain.globs import path_matches
from consistency_lint.domain.settings import LayerSettings

DEFAULT_DOMAIN_FOLDERS = frozenset({"domain"})
DEFAULT_OUTER_FOLDERS = frozenset({"api", "service", "services"})
_TEST_FOLDERS = frozenset({"tests", "test"})


def is_path_pattern(pattern: str) -> bool:
    return "/" in pattern


@lru_cache(maxsize=4096)
def module_matches(module: str, pattern: str) -> bool:
    """Whether a dotted module is the pattern's module or below it."""
    return _match(tuple(pattern.split(".")), tuple(module.split("."))) if module else False


def _match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    if not pattern:
        return True  # what is left of the module is a submodule of the match
    head = pattern[0]
    if head == "**":
        return any(_match(pattern[1:], parts[cut:]) for cut in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], head) and _match(pattern[1:], parts[1:])


def in_layer(path: str, module: str, patterns: tuple[str, ...]) -> bool:
    """Whether a file (root-relative POSIX path and module name) matches any pattern."""
    for pattern in patterns:
        if is_path_pattern(pattern):
            if path_matches(path, pattern):
                return True
        elif module_matches(module, pattern):
            return True
    return False


def unmatched_patterns(settings: LayerSettings, files: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(layer, pattern) for every layer pattern that matches none of `files` (path, module)."""
    files = list(files)
    out = []
    for layer in ("domain", "persistence", "outer"):
        for pattern in getattr(settings, layer):
            if not any(in_layer(path, module, (pattern,)) for path, module in files):
                out.append((layer, pattern))
    return out


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    return (
        any(part in _TEST_FOLDERS for part in parts[:-1])
        or name.startswith("test_")
        or name.endswith(("_test.py", "_tests.py"))
        or name == "conftest.py"
    )


def _in_folder(path: str, folders: frozenset[str]) -> bool:
    parts = path.split("/")[:-1]
    return any(part in folders for part in parts) and not is_test_path(path)


class Layers:
    """Layer membership for the files of one run (answers are cached per file)."""

    def __init__(self, settings: LayerSettings) -> None:
        self.settings = settings
        self._domain: dict[str, bool] = {}

    def is_domain(self, path: str, module: str) -> bool:
        found = self._domain.get(path)
        if found is None:
            if self.settings.domain:
                found = in_layer(path, module, self.settings.domain)
            else:
                found = _in_folder(path, DEFAULT_DOMAIN_FOLDERS)
            # A file in both layers (`domain = ["myapp"]`, `persistence = ["myapp.adapters"]`)
            # belongs to the more specific one: the persistence layer.
            found = found and not self.is_persistence(path, module)
            self._domain[path] = found
        return found

    def is_persistence(self, path: str, module: str) -> bool:
        return in_layer(path, module, self.settings.persistence)

    def is_persistence_module(self, module: str, path: str = "") -> bool:
        """For an imported module: module patterns always, path globs when the file is known."""
        for pattern in self.settings.persistence:
            if is_path_pattern(pattern):
                if path and path_matches(path, pattern):
                    return True
            elif module_matches(module, pattern):
                return True
        return False

    def is_outer(self, path: str, module: str) -> bool:
        if self.settings.outer:
            return in_layer(path, module, self.settings.outer)
        return _in_folder(path, DEFAULT_OUTER_FOLDERS)
