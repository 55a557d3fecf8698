"""The layering collector: classes reached through an imported module (`orm.OrderRow`).

A fact collector over the flow builder's walk (see `collect`). Every dotted
name whose head is bound by an import and which reaches a capitalised segment
is recorded once per target, at its first use, truncated after that segment:
`myapp.adapters.orm.OrderRow` for `orm.OrderRow.query.get`. Names imported
directly (`from m import OrderRow`) are already `Import` facts. CL302 reads
these references to find ORM entities used in the domain.
"""

from __future__ import annotations

import libcst as cst

from consistency_lint.analysis.collect import FactCollector
from consistency_lint.analysis.names import NameTable
from consistency_lint.analysis.resolver import Resolver
from consistency_lint.analysis.spans import SpanRecorder
from consistency_lint.analysis.summary import Reference


class LayeringCollector(FactCollector):
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
