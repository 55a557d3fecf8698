"""Framework settings a module turns on: `ATOMIC_REQUESTS` in a Django settings module.

The packs name the settings (`request-transaction-settings`) and the modules that hold
settings (`settings-modules`, fnmatch patterns on one segment of the module name). A
setting is on when it is assigned `True` at module level, by name or as a key of a
module-level dict literal at any depth (`DATABASES = {"default": {"ATOMIC_REQUESTS": True}}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

import libcst as cst

from consistency_lint.domain.packs import FrameworkSyntax


def request_transactions(body: Sequence[cst.CSTNode], module_name: str, syntax: FrameworkSyntax) -> bool:
    """Does this settings module run every request in a transaction?"""
    names = syntax.request_transaction_settings
    if not names or not any(
        fnmatchcase(segment, pattern)
        for segment in module_name.split(".")
        for pattern in syntax.settings_modules
    ):
        return False
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not isinstance(small, cst.Assign):
                continue
            targets = [t.target for t in small.targets]
            if any(isinstance(t, cst.Name) and t.value in names for t in targets) and _true(small.value):
                return True
            if isinstance(small.value, cst.Dict) and _dict_sets(small.value, names):
                return True
    return False


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
