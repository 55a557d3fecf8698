"""Framework settings a module turns on: `ATOMIC_REQUESTS` in a Django settings module, and
the permission classes DRF's `DEFAULT_PERMISSION_CLASSES` gives every view.

The packs name the settings (`request-transaction-settings`) and the modules that hold
settings (`settings-modules`, fnmatch patterns on one segment of the module name). A
setting is on when it is assigned `True` at module level, by name or as a key of a
module-level dict literal at any depth (`DATABASES = {"default": {"ATOMIC_REQUESTS": True}}`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fnmatch import fnmatchcase

import libcst as cst

from consistency_lint.domain.packs import FrameworkSyntax


def request_transactions(body: Sequence[cst.CSTNode], module_name: str, syntax: FrameworkSyntax) -> bool:
    """Does this settings module run every request in a transaction?"""
    names = syntax.request_transaction_settings
    if not names or not _settings_module(module_name, syntax):
        return False
    for small in _assignments(body):
        targets = [t.target for t in small.targets]
        if any(isinstance(t, cst.Name) and t.value in names for t in targets) and _true(small.value):
            return True
        if isinstance(small.value, cst.Dict) and _dict_sets(small.value, names):
            return True
    return False


def _assignments(body: Sequence[cst.CSTNode]) -> Iterator[cst.Assign]:
    """The module-level assignments of a module body."""
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from (small for small in stmt.body if isinstance(small, cst.Assign))


def _dict_sets(node: cst.Dict, names: tuple[str, ...]) -> bool:
    stack: list[cst.Dict] = [node]
    while stack:
        current = stack.pop()
        for element in current.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = element.key
            if isinstance(key, cst.SimpleString) and key.evaluated_value in names and _true(element.value):
                return True
            if isinstance(element.value, cst.Dict):
                stack.append(element.value)
    return False


def _true(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "True"


def default_guards(body: Sequence[cst.CSTNode], module_name: str, syntax: FrameworkSyntax) -> tuple[str, ...]:
    """The permission classes a settings module makes every view's default, as dotted names
    (`REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["core.permissions.IsMember"]}`): the
    packs' `default-guard-settings`, a path of keys from a module-level name
    (`REST_FRAMEWORK.DEFAULT_PERMISSION_CLASSES`) whose value lists strings."""
    paths = [setting.split(".") for setting in syntax.default_guard_settings]
    if not paths or not _settings_module(module_name, syntax):
        return ()
    out: list[str] = []
    for small in _assignments(body):
        for target in small.targets:
            if not isinstance(target.target, cst.Name):
                continue
            for path in paths:
                if path[0] == target.target.value:
                    out.extend(_strings_at(small.value, path[1:]))
    return tuple(dict.fromkeys(out))


def _settings_module(module_name: str, syntax: FrameworkSyntax) -> bool:
    segments = module_name.split(".")
    return any(fnmatchcase(segment, pattern) for segment in segments for pattern in syntax.settings_modules)


def _strings_at(value: cst.BaseExpression, keys: list[str]) -> list[str]:
    """The string elements of the list or tuple at `keys` in nested dict literals."""
    for key in keys:
        if not isinstance(value, cst.Dict):
            return []
        found = [
            e.value
            for e in value.elements
            if isinstance(e, cst.DictElement)
            and isinstance(e.key, cst.SimpleString)
            and e.key.evaluated_value == key
        ]
        if not found:
            return []
        value = found[-1]
    if not isinstance(value, (cst.List, cst.Tuple)):
        return []
    out = []
    for element in value.elements:
        if isinstance(element.value, cst.SimpleString):
            text = element.value.evaluated_value
            if isinstance(text, str):
                out.append(text)
    return out
