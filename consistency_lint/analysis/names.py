"""Light name resolution: imports and module-level definitions, no scope provider.

libcst's ScopeProvider and QualifiedNameProvider resolve every name of a
module and cost several times the parse. The rules only need to know what a
dotted callee refers to, so this module keeps a table of local name ->
qualified name built from imports and definitions, and resolves `a.b.c` by
its first segment.
"""

from __future__ import annotations

import libcst as cst


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for Name/Attribute chains; `a.b().c` through calls; None otherwise."""
    parts: list[str] = []
    while True:
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Name):
            parts.append(node.value)
            break
        elif isinstance(node, cst.Call):
            parts.append("()")
            node = node.func
        else:
            return None
    out = ""
    for part in reversed(parts):
        if part == "()":
            out += "()"
        elif out:
            out += "." + part
        else:
            out = part
    return out


def module_of_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    """Absolute module for `from .x import y` written in `module`."""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if name:
        parts.append(name)
    return ".".join(parts)


def attribute_name(node: cst.BaseExpression) -> str:
    """The text of a module path in an import (`a.b.c`)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{attribute_name(node.value)}.{node.attr.value}"
    return ""


class NameTable:
    """Local name -> qualified name, for one module (plus function-local overlays)."""

    def __init__(self, module: str, parent: NameTable | None = None) -> None:
        self.module = module
        self.parent = parent
        self.names: dict[str, str] = {}

    def bind(self, local: str, qualified: str) -> None:
        self.names[local] = qualified

    def lookup(self, local: str) -> str | None:
        table: NameTable | None = self
        while table is not None:
            found = table.names.get(local)
            if found is not None:
                return found
            table = table.parent
        return None

    def child(self) -> NameTable:
        return NameTable(self.module, self)

    def resolve(self, text: str) -> tuple[str, bool]:
        """Qualify a dotted text by its first segment; (text, False) when unknown."""
        head, sep, rest = text.partition(".")
        bracket = head.find("(")
        if bracket >= 0:
            rest = head[bracket:] + sep + rest if sep else head[bracket:]
            head, sep = head[:bracket], ""
        found = self.lookup(head)
        if found is None:
            return text, False
        if not rest:
            return found, True
        return (found + sep + rest if sep else found + rest), True
