"""Parameter types from call sites: an interprocedural propagation over the project index.

A call on an untyped parameter is recorded by the flow builder as `<param>.order.save`.
When every call site in the project passes the same known type for that parameter (a
model instance from a query or a constructor, a session, a producer, or the caller's own
parameter once that one is typed), the parameter gets that type and the call is retargeted
(`shop.models.Order.save`), so that `def pay(order): order.save()` called as
`pay(Order.objects.get(pk=1))` is a write.

Bounded and terminating: at most `MAX_ROUNDS` rounds, each a pure function of the previous
solution; a parameter with no call site, a call site passing an unknown value, or two call
sites disagreeing stays untyped.
"""

from __future__ import annotations

from dataclasses import replace

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.summary import (
    CALL,
    ITEM,
    PARAM,
    Block,
    Branch,
    Deferred,
    FileSummary,
    FlowNode,
    Function,
    Loop,
    Op,
    Scope,
    TryBlock,
    iter_ops,
)

MAX_ROUNDS = 4
_PREFIX = f"{PARAM}."

Functions = dict[str, tuple[FileSummary, Function]]
Key = tuple[str, str]  # (function qualname, parameter name)


def typed_functions(index: ProjectIndex) -> Functions:
    """The project's functions, with calls on parameters typed from their call sites."""
    sites = _call_sites(index)
    if not sites:
        return index.functions
    solution: dict[Key, str] = {}
    for _ in range(MAX_ROUNDS):
        new = _solve(sites, solution, index)
        if new == solution:
            break
        solution = new
    if not solution:
        return index.functions
    by_owner: dict[str, dict[str, str]] = {}  # grouped once: not a scan of all per function
    for (owner, name), kind in solution.items():
        by_owner.setdefault(owner, {})[name] = kind
    out: Functions = {}
    for qual, (file, function) in index.functions.items():
        mapping = by_owner.get(qual)
        out[qual] = (file, replace(function, body=_retarget(function.body, mapping)) if mapping else function)
    return out


def _call_sites(index: ProjectIndex) -> Sites:
    """For each parameter that some function calls a method on or passes on: (caller,
    argument type) per call site."""
    wanted: set[Key] = set()
    for qual, (_, function) in index.functions.items():
        for op in iter_ops(function.body):
            if op.kind == CALL and op.target.startswith(_PREFIX):
                wanted.add((qual, op.target[len(_PREFIX) :].split(".")[0]))
            for kind in (*op.arg_types, *(kind for _, kind in op.keyword_types)):
                if kind.startswith(_PREFIX):  # passed on: typed when the callee needs it
                    wanted.add((qual, kind[len(_PREFIX) :]))
    if not wanted:
        return {}
    callees = {qual for qual, _ in wanted}
    sites: Sites = {}
    for caller, (_, function) in index.functions.items():
        for op in iter_ops(function.body):
            if op.kind != CALL or op.target.startswith(_PREFIX):
                continue
            found = index.resolve(op.target).function
            if found is None:
                continue
            file, callee = found
            qual = file.qualified(callee.qualname)
            if qual not in callees:
                continue
            params = [p.name for p in callee.params]
            if params and params[0] in ("self", "cls") and callee.class_name:
                params = params[1:]  # called through an instance or the class
            passed = dict(zip(params, op.arg_types))
            passed.update(op.keyword_types)
            for name in params:
                if (qual, name) in wanted:
                    sites.setdefault((qual, name), []).append((caller, passed.get(name, "")))
    return sites


Sites = dict[Key, list[tuple[str, str]]]


def _solve(sites: Sites, previous: dict[Key, str], index: ProjectIndex) -> dict[Key, str]:
    out: dict[Key, str] = {}
    for key, passed in sites.items():
        kinds = set()
        for caller, kind in passed:
            if kind.startswith(_PREFIX):
                kind = previous.get((caller, kind[len(_PREFIX) :]), "")
            kinds.add(_known(kind, index))
        if len(kinds) == 1:
            only = kinds.pop()
            if only:
                out[key] = only
    return out


def _known(kind: str, index: ProjectIndex) -> str:
    """A type the analysis can follow: a project class or a pack type ("" otherwise)."""
    if kind.endswith(f"(){ITEM}"):
        kind = index.element_model(kind[: -len(ITEM) - 2])
    elif kind.endswith("()") and "()" not in kind[:-2]:
        kind = index.result_type(kind[:-2])  # `Order.objects.get(pk=1)`, `make_order()`
    if not kind or "()" in kind:
        return ""
    if kind in index.classes:
        return kind
    return index.packs.canonical_type(kind)


def _retarget(block: Block, mapping: dict[str, str]) -> Block:
    return tuple(_node(node, mapping) for node in block)


def _node(node: FlowNode, mapping: dict[str, str]) -> FlowNode:
    if isinstance(node, Op):
        return _op(node, mapping)
    if isinstance(node, Branch):
        return Branch(tuple(_retarget(arm, mapping) for arm in node.arms), node.lazy)
    if isinstance(node, Loop):
        return Loop(_retarget(node.body, mapping), _retarget(node.orelse, mapping))
    if isinstance(node, TryBlock):
        return TryBlock(
            _retarget(node.body, mapping),
            tuple(_retarget(h, mapping) for h in node.handlers),
            _retarget(node.orelse, mapping),
            _retarget(node.final, mapping),
        )
    if isinstance(node, Scope):
        return Scope(_op(node.opener, mapping), _retarget(node.body, mapping))
    if isinstance(node, Deferred):
        return Deferred(_op(node.hook, mapping), _retarget(node.body, mapping))
    return node


def _op(op: Op, mapping: dict[str, str]) -> Op:
    if not op.target.startswith(_PREFIX):
        return op
    name, _, rest = op.target[len(_PREFIX) :].partition(".")
    kind = mapping.get(name)
    return replace(op, target=f"{kind}.{rest}") if kind and rest else op
