"""The layering collector: classes reached through an imported module (`orm.OrderRow`).

A fact collector over the flow builder's walk (see `collect`). Every dotted
name whose head is bound by an import and which reaches a capitalised segment
is recorded once per target, at its first use, truncated after that segment:
`myapp.adapters.orm.OrderRow` for `orm.OrderRow.query.get`. Names imported
directly (`from m import OrderRow`) are already `Import` facts. CL302 reads
these references to find ORM entities used in the domain.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from consistency_lint.analysis.names import NameTable
from consistency_lint.analysis.resolver import Frame, Resolver
from consistency_lint.analysis.spans import SpanRecorder
from consistency_lint.analysis.summary import Reference


class LayeringCollector:
    def __init__(self, resolver: Resolver, spans: SpanRecorder) -> None:
        self.r = resolver
        self.spans = spans
        self.references: dict[str, Reference] = {}

    def attribute_chain(self, text: str, node: cst.CSTNode, names: NameTable) -> None:
        parts = text.split(".")
        if parts[0] not in self.r.import_bound:
            return
        for cut in range(1, len(parts)):
            if parts[cut][:1].isupper():
                resolved, known = names.resolve(".".join(parts[: cut + 1]))
                if known and resolved not in self.references:
                    self.references[resolved] = Reference(resolved, self.spans.record(node))
                return

    def facts(self) -> tuple[Reference, ...]:
        return tuple(self.references.values())

    # The statements themselves tell this collector nothing.

    def begin_module(self, body: Sequence[cst.CSTNode]) -> None:
        pass

    def enter_scope(self, qualname: str, params: Sequence[str], frame: Frame, *, module: bool) -> None:
        pass

    def exit_scope(self) -> None:
        pass

    def statement(self, small: cst.BaseSmallStatement, frame: Frame) -> None:
        pass

    def expression(self, expr: cst.BaseExpression, frame: Frame) -> None:
        pass

    def with_item(self, item: cst.WithItem, frame: Frame) -> None:
        pass
