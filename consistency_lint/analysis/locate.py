"""Positions for the few nodes a summary needs, without libcst's PositionProvider.

libcst nodes carry no positions. `PositionProvider` computes a range for every
node of the module, which costs several times the parse itself. The
extractor instead asks for the nodes it records (calls it classified,
definitions, imports), and one code-generation pass with a light state
records the syntactic start and end of those nodes only.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext

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

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> AbstractContextManager[None]:
        # Called for nearly every node: a shared no-op context for the nodes no one
        # asked for is several times cheaper than a generator-based context manager.
        if id(node) not in self.wanted:
            return _NOTHING
        return _Recorder(self, node, start_node, end_node)


class _Recorder:
    """Records the syntactic span of one wanted node (libcst's contract for this hook)."""

    __slots__ = ("end_node", "key", "start", "start_node", "state")

    def __init__(
        self,
        state: _LocatingState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state = state
        self.key = id(node)
        self.start_node = start_node
        self.end_node = end_node
        self.start = (state.line, state.column)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        state = self.state
        start = self.start
        found = state.found
        if self.start_node is not None and id(self.start_node) in found:
            s = found[id(self.start_node)]
            start = (s.line, s.column - 1)
        end = (state.line, state.column)
        if self.end_node is not None and id(self.end_node) in found:
            e = found[id(self.end_node)]
            end = (e.end_line, e.end_column - 1)
        found[self.key] = Span(start[0], start[1] + 1, end[0], end[1] + 1)


_NOTHING = nullcontext()


def locate(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, Span]:
    """Spans (1-based line and column) of `nodes`, keyed by `id(node)`."""
    wanted = {id(node) for node in nodes}
    if not wanted:
        return {}
    state = _LocatingState(module, wanted)
    module._codegen(state)
    return state.found
