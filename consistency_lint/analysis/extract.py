"""The per-file phase: one walk over a libcst module that builds its FileSummary.

`extract` wires the pieces, each in its own module:

- `resolver.Resolver`: names, imports, re-exports, annotations, receiver types
  and call results (its pre-pass binds the module-level names first);
- `flow.FlowBuilder`: the walk itself - statements, functions, classes - which
  builds the flow trees and the definitions;
- `spans.SpanRecorder`: placeholder spans during the walk, real ones at the end;
- fact collectors riding on the same walk (`collect.FactCollector`):
  `tenancy_collector.TenancyCollector` (query chains, constructions, raw SQL, ...)
  and `layering_collector.LayeringCollector` (classes used through an imported module).

No metadata providers and no object cycle: once `extract` returns, the syntax
tree and everything that pointed into it is freed by reference counting.
"""

from __future__ import annotations

import libcst as cst

from consistency_lint.analysis.flow import FlowBuilder
from consistency_lint.analysis.layering_collector import LayeringCollector
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.resolver import Resolver
from consistency_lint.analysis.settings_facts import default_guards, request_transactions
from consistency_lint.analysis.spans import SpanRecorder
from consistency_lint.analysis.summary import FileSummary, Suppressions
from consistency_lint.analysis.tenancy_collector import TenancyCollector


def extract(
    module: cst.Module, *, path: str, module_name: str, is_package: bool, packs: PackIndex
) -> FileSummary:
    spans = SpanRecorder()
    resolver = Resolver(module_name=module_name, is_package=is_package, packs=packs, spans=spans)
    resolver.prepass(module.body)
    tenancy = TenancyCollector(resolver, spans)
    layering = LayeringCollector(resolver, spans)
    flow = FlowBuilder(resolver, spans, (tenancy, layering))
    flow.module(module.body)
    summary = FileSummary(
        path=path,
        module=module_name,
        imports=tuple(resolver.imports),
        functions=tuple(flow.functions),
        classes=tuple(flow.classes),
        globals=tuple(sorted(resolver.global_types.items())),
        aliases=tuple(sorted(resolver.aliases.items())),
        suppressions=Suppressions(),
        references=layering.facts(),
        dispatch=flow.dispatch,
        hooks=tuple(flow.hooks),
        tables=flow.tables,
        tenancy=tenancy.facts(),
        request_transactions=request_transactions(module.body, module_name, packs.syntax),
        default_guards=default_guards(module.body, module_name, packs.syntax),
    )
    return spans.fill(module, summary)
