"""Positions for the few nodes a summary needs, without libcst's PositionProvider.

libcst nodes carry no positions. `PositionProvider` computes a range for every
node of the module, which costs several times the parse itself. The
extractor instead asks for the nodes it records (calls it classified,
definitions, imports), and one code-generation pass with a light state
records the syntactic start and end of those nodes only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

from consistency_lint.domain.diagnostic import Span


class _LocatingState(CodegenState):
    """A code generation state that tracks line/column and records wanted nodes."""

    def __init__(self, module: cst.Module, wanted: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.wanted = wanted
        self.line = 1
        self.column = 0
        self.found: dict[int, Span] = {}
        self._starts: dict[int, tuple[int, int]] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        newlines = value.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(value) - value.rfind("\n") - 1
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.wanted:
            self._starts[key] = (self.line, self.column)

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.wanted and key not in self.found:
            line, column = self._starts.pop(key)
            self.found[key] = Span(line, column + 1, self.line, self.column + 1)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        key = id(node)
        if key not in self.wanted:
            yield
            return
        start = (self.line, self.column)
        try:
            yield
        finally:
            if start_node is not None and id(start_node) in self.found:
                s = self.found[id(start_node)]
                start = (s.line, s.column - 1)
            end = (self.line, self.column)
            if end_node is not None and id(end_node) in self.found:
                e = self.found[id(end_node)]
                end = (e.end_line, e.end_column - 1)
            self.found[key] = Span(start[0], start[1] + 1, end[0], end[1] + 1)


def locate(module: cst.Module, nodes: Any) -> dict[int, Span]:
    """Spans (1-based line and column) of `nodes`, keyed by `id(node)`."""
    wanted = {id(node) for node in nodes}
    if not wanted:
        return {}
    state = _LocatingState(module, wanted)
    module._codegen(state)
    return state.found
