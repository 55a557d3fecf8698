"""Whether the project's module names are right: its own imports must resolve.

Module names come from the source roots (`session.source_roots`). When they are
wrong (`label_studio/core/utils.py` named `label_studio.core.utils` while the
code imports `core.utils`), models, helpers and managers defined in one module
are unknown in the others and the cross-module rules see almost nothing: the
run would look clean. An import of two or more segments that names no project
module but is the tail of one (`core.utils` of `label_studio.core.utils`) is an
unresolved import of the project's own code; when most of them are, the user is
told which source root to configure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import PurePosixPath

_MIN_UNRESOLVED = 5


def unresolved_imports_warning(files: Iterable[tuple[str, str, bool]], imports: Iterable[str]) -> str:
    """A one-line warning when most imports of the project's own modules do not resolve ("" if not).

    `files`: (root-relative path, module name, is a package) of every project file;
    `imports`: the absolute module named by each import statement.
    """
    known: dict[str, tuple[str, bool]] = {module: (rel, pkg) for rel, module, pkg in files if module}
    by_tail: dict[str, str] = {}
    for module in sorted(known):
        parts = module.split(".")
        for start in range(1, len(parts) - 1):
            by_tail.setdefault(".".join(parts[start:]), module)
    resolved = 0
    unresolved = 0
    roots: Counter[str] = Counter()
    example = ""
    for name in imports:
        if not name:
            continue
        if name in known:
            resolved += 1
            continue
        full = by_tail.get(name) if name.count(".") >= 1 else None
        if full is None:
            continue
        unresolved += 1
        rel, pkg = known[full]
        path = PurePosixPath(rel)
        folder = path.parent if pkg else path.with_suffix("")
        up = name.count(".")  # the folder holding the import's first segment
        root = folder.parents[up].as_posix() if up < len(folder.parents) else "."
        roots[root] += 1
        if not example:
            example = f"`{name}`, which is {rel}"
    if unresolved < _MIN_UNRESOLVED or unresolved <= resolved:
        return ""
    root = roots.most_common(1)[0][0]
    return (
        f"{unresolved} of {unresolved + resolved} imports of the project's own modules do not resolve "
        f"(e.g. {example}): module names are taken from the wrong source root, so models and helpers "
        f'are not followed across modules and most findings are missed; set src = ["{root}"] '
        "in the configuration (consistency-lint.toml, or [tool.consistency-lint] in pyproject.toml)"
    )
