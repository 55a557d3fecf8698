"""The span recorder: placeholder spans while a file is walked, real ones at the end.

Positions cost a code-generation pass (`locate`), so the walk does not compute
them node by node. `SpanRecorder.record(node)` returns a placeholder `Span`
(line -1, column = the node's number) and remembers the node; `fill` computes
the spans of every recorded node in one pass and replaces the placeholders in
the finished summary. Summaries never hold a syntax node, and the recorder is
dropped with the walk.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar, cast

import libcst as cst

from consistency_lint.analysis.locate import locate
from consistency_lint.domain.diagnostic import Span

NO_SPAN = Span(0, 0, 0, 0)
_PLACEHOLDER_LINE = -1

T = TypeVar("T")


class SpanRecorder:
    def __init__(self) -> None:
        self._nodes: list[cst.CSTNode] = []

    def record(self, node: cst.CSTNode) -> Span:
        """A placeholder for the span of `node`, replaced by `fill`."""
        self._nodes.append(node)
        return Span(_PLACEHOLDER_LINE, len(self._nodes) - 1, 0, 0)

    def fill(self, module: cst.Module, value: T) -> T:
        """`value` (a summary) with every placeholder replaced by its node's span."""
        found = locate(module, self._nodes)
        spans = [found.get(id(node), NO_SPAN) for node in self._nodes]
        self._nodes = []
        return cast(T, _fill(value, spans))


def _fill(value: object, spans: list[Span]) -> object:
    if isinstance(value, Span):
        return spans[value.column] if value.line == _PLACEHOLDER_LINE else value
    if isinstance(value, tuple):
        items = [_fill(item, spans) for item in value]
        return value if all(new is old for new, old in zip(items, value)) else tuple(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            current = getattr(value, f.name)
            if isinstance(current, (tuple, Span)) or (
                dataclasses.is_dataclass(current) and not isinstance(current, type)
            ):
                changed = _fill(current, spans)
                if changed is not current:
                    changes[f.name] = changed
        return dataclasses.replace(value, **changes) if changes else value
    return value
