"""The interface between the walk and the fact collectors.

The flow builder walks each file once. A fact collector (tenancy, layering) is a
small visitor over that same walk: it is told when a scope (the module body or
a function body) begins and ends, and is handed each simple statement, each
expression a compound statement evaluates first (an `if` test, a `for`
iterable, a `match` subject) and each `with` item, in source order, after the
flow builder has typed the statement. It asks the resolver what names and
receivers mean and the span recorder for positions; it never sees the flow
builder.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from consistency_lint.analysis.names import NameTable
from consistency_lint.analysis.resolver import Frame


class FactCollector:
    """Base of the fact collectors: every hook does nothing unless overridden."""

    def begin_module(self, body: Sequence[cst.CSTNode]) -> None:
        """Before the walk: the module's top-level statements (for module constants)."""

    def enter_scope(
        self, qualname: str, params: Sequence[str], frame: Frame, *, module: bool, class_body: bool = False
    ) -> None:
        """A body starts: the module (`<module>`), a function or a class body (its qualified
        name; a class body is handed only its simple statements: `queryset = M.objects.all()`)."""

    def exit_scope(self) -> None:
        """The body last entered ends."""

    def statement(self, small: cst.BaseSmallStatement, frame: Frame) -> None:
        """A simple statement of the current body."""

    def expression(self, expr: cst.BaseExpression, frame: Frame) -> None:
        """An expression a compound statement evaluates (if/while test, for iterable, match)."""

    def with_item(self, item: cst.WithItem, frame: Frame) -> None:
        """One item of a `with` statement (its value may be bound by `as`)."""

    def loop_target(self, loop: cst.For, frame: Frame) -> None:
        """A `for` statement's target is bound to elements of its iterable (after `expression`
        was handed the iterable)."""

    def attribute_chain(self, text: str, node: cst.CSTNode, names: NameTable) -> None:
        """A dotted name (`orm.OrderRow.query`) used in an expression or an annotation, with
        the node its span is taken from and the name table in force there."""
