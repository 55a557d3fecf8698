"""Module names from root-relative paths and source roots (pure string work)."""

from __future__ import annotations


def module_name(path: str, src_roots: tuple[str, ...] = ("",)) -> tuple[str, bool]:
    """(`pkg.mod`, is_package) for a root-relative POSIX path like `src/pkg/mod.py`.

    The longest matching source root is stripped; `__init__.py` names its package.
    Namespace packages need no `__init__.py`: the folders are the package path.
    """
    best = ""
    for root in src_roots:
        root = root.strip("/")
        if (root in ("", ".") or path.startswith(root + "/")) and len(root) > len(best) and root != ".":
            best = root
    rel = path[len(best) + 1 :] if best else path
    if rel.endswith(".pyi"):
        rel = rel[:-4]
    elif rel.endswith(".py"):
        rel = rel[:-3]
    parts = [p for p in rel.split("/") if p]
    is_package = bool(parts) and parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package
