"""The tenancy collector: query chains, constructions, raw SQL, fixed connections, tables.

A fact collector over the flow builder's walk (see `collect`): it is handed the
statements of each body in source order and follows each query chain through
the expressions and the local variables of the flow (`q = select(M)`,
`q = q.where(...)`, `qs = M.objects.all()`, `qs = qs.filter(...)`), so the
project phase sees every step applied to a query before its end. What it
records is described in `tenancy_facts`. Names and receivers come from the
resolver; which calls mean what comes only from the packs (`predicates`,
`model-arg`, `sql-arg`, `sql-keyword`, `inserts`, `tenancy` keys and the
`lookups` table); the collector knows no framework. Predicates are reduced to
the names they require in every case: `a & b`, `and_(a, b)` and `filter(a, b)`
require both; `a | b`, `or_(a, b)` and `a or b` require only what both sides
require; `~a`/`not a` require nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Union

import libcst as cst

from consistency_lint.analysis.collect import FactCollector
from consistency_lint.analysis.names import dotted
from consistency_lint.analysis.resolver import Frame, Resolver
from consistency_lint.analysis.spans import SpanRecorder
from consistency_lint.analysis.sqlfacts import table_refs
from consistency_lint.analysis.tenancy_facts import (
    LITERAL,
    OBJECT_MARK,
    PARAM,
    REQUEST_DATA,
    RETURNED,
    ROW,
    ROW_MARK,
    UNTRUSTED,
    CallFact,
    ConstructFact,
    CriteriaFact,
    FixedConnectionFact,
    MappingFact,
    QueryFact,
    SqlFact,
    StepFact,
    TableFact,
    TenancyFacts,
)
from consistency_lint.domain.packs import CallSpec, FrameworkSyntax


@dataclass
class _ClassRef:
    qualname: str


@dataclass
class _Chain:
    node: cst.CSTNode
    function: str
    root: str = ""
    source: str = ""
    models: tuple[str, ...] = ()
    steps: list[StepFact] = field(default_factory=list)
    # The query this one is a subquery of: the value of one of its predicates
    # (`filter(pk__in=Sub.objects...)`, `.where(Outer.id.not_in(select(...)))`), or a whole
    # predicate correlated to it (`.where(select(X).where(X.order_id == Outer.id).exists())`).
    nested_in: _Chain | None = None
    mentions: set[str] = field(default_factory=set)  # classes whose columns its predicates compare
    # `self.get_queryset()` ("self") or `super().get_queryset()` ("super"): a view's queryset.
    via_self: str = ""


@dataclass
class _Built:
    """An instance under construction: `inv = Invoice(...)`, then `inv.tenant_id = t`."""

    node: cst.CSTNode
    function: str
    cls: str
    kwargs: list[str]
    unknown: bool
    then_called: str = ""


@dataclass
class _Sql:
    text: str


@dataclass
class _Origin:
    """Where a plain value comes from (see `TenancyCollector._origin`)."""

    text: str


@dataclass
class _Dict:
    """A dict of keyword predicates built for `filter(**filters)`: `{"org__slug": slug}`,
    then `filters["project_id"] = pid`."""

    items: list[tuple[str, cst.BaseExpression]]


@dataclass
class _List:
    """A list of predicates built for `where(*conditions)`: `[M.deleted_at.is_(None)]`, then
    `conditions.append(M.organization_id == org_id)` (anywhere in the function, as for a
    `**filters` dict)."""

    items: list[cst.BaseExpression]


# Methods adding to a list of predicates: `conditions.append(...)`, `conditions.extend([...])`.
_LIST_ADDERS = frozenset(("append", "extend"))

# Calls that convert a value without changing whose it is: `int(request.GET["id"])`.
_CONVERSIONS = frozenset(("int", "str", "list", "set", "tuple", "frozenset", "sorted", "bool"))


@dataclass
class _Pred:
    """A predicate bound to a variable: `org_filter = M.organization_id == org_id`."""

    names: frozenset[str]


_Value = Union[_ClassRef, _Chain, _Built, _Sql, _Origin, _Dict, _Pred, _List, None]

_MAX_TEXT = 80


class _Body:
    """One body being walked: its variables' abstract values."""

    __slots__ = ("env", "function", "module")

    def __init__(self, env: dict[str, _Value], function: str, module: bool) -> None:
        self.env = env
        self.function = function
        self.module = module


class TenancyCollector(FactCollector):
    def __init__(self, resolver: Resolver, spans: SpanRecorder) -> None:
        self.r = resolver
        self.spans = spans
        self.packs = resolver.packs
        self.chains: list[_Chain] = []
        self.built: list[_Built] = []
        self.sql: list[tuple[cst.CSTNode, str, str]] = []  # node, function, sql text
        self.fixed: list[tuple[cst.CSTNode, str, str, str]] = []
        self.tables: list[TableFact] = []
        self.mappings: list[MappingFact] = []
        self.criteria: list[CriteriaFact] = []
        self.module_strings: dict[str, str] = {}
        self.self_assigned: dict[str, set[str]] = {}
        self.forwards: dict[tuple[str, str], None] = {}
        self._bodies: list[_Body] = []
        self._origins: list[tuple[str, str]] = []  # of the step being read
        self._owned: list[tuple[str, str, str]] = []  # of the step being read (StepFact.owned)
        self.class_bodies: set[str] = set()
        self.calls: list[CallFact] = []
        self.references: list[tuple[str, str]] = []  # TenancyFacts.references
        self._handed: dict[int, _Chain] = {}  # calls a query was handed to (`session.scalars(q)`)
        self._chain_at: dict[int, _Chain] = {}  # expressions whose value is a query (or its row)
        self._reading: _Chain | None = None  # the query whose step's predicates are being read

    # ----- the walk (FactCollector) ----------------------------------------------

    def begin_module(self, body: Sequence[cst.CSTNode]) -> None:
        """Module-level strings, which functions above their definition may use as SQL."""
        _module_strings(body, self.module_strings)

    def enter_scope(
        self, qualname: str, params: Sequence[str], frame: Frame, *, module: bool, class_body: bool = False
    ) -> None:
        env: dict[str, _Value] = {name: _Origin(f"{PARAM}{name}") for name in params}
        self._bodies.append(_Body(env, qualname, module))
        if class_body:
            self.class_bodies.add(qualname)

    def exit_scope(self) -> None:
        self._bodies.pop()

    def statement(self, small: cst.BaseSmallStatement, frame: Frame) -> None:
        body = self._bodies[-1]
        self._small(small, frame, body.env, body.function, body.module)

    def expression(self, expr: cst.BaseExpression, frame: Frame) -> None:
        body = self._bodies[-1]
        self._eval(expr, frame, body.env, body.function)

    def with_item(self, item: cst.WithItem, frame: Frame) -> None:
        body = self._bodies[-1]
        value = self._eval(item.item, frame, body.env, body.function)
        if item.asname is not None and isinstance(item.asname.name, cst.Name):
            body.env[item.asname.name.value] = value

    def loop_target(self, loop: cst.For, frame: Frame) -> None:
        """`for task in scoped_tasks:`: each element is a row (or id) of what is iterated."""
        if not isinstance(loop.target, cst.Name):
            return
        body = self._bodies[-1]
        origin = self._origin(loop.iter, frame, body.env)
        if origin:
            body.env[loop.target.value] = _Origin(origin)
        else:
            body.env.pop(loop.target.value, None)

    def facts(self) -> TenancyFacts | None:
        kept = [c for c in self.chains if any(step.call for step in c.steps)]
        # `row:<position in self.chains>` -> `row:<index among the facts>` (or unknown)
        number = {f"{ROW}{self.chains.index(c)}": f"{ROW}{n}" for n, c in enumerate(kept)}

        def renumber(pairs: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
            return tuple(
                (key, number.get(origin, "") if origin.startswith(ROW) else origin) for key, origin in pairs
            )

        queries = tuple(
            QueryFact(
                span=self.spans.record(c.node),
                function=c.function,
                root=c.root,
                source=c.source,
                models=c.models,
                steps=tuple(
                    replace(step, origins=renumber(step.origins), arg_origins=renumber(step.arg_origins))
                    for step in c.steps
                ),
                text=_chain_text(c),
                in_class_body=c.function in self.class_bodies,
                via_self=c.via_self,
                nested_in=_position(kept, c.nested_in),
            )
            for c in kept
        )
        calls = tuple(replace(call, args=renumber(call.args)) for call in self.calls)
        constructs = tuple(
            ConstructFact(
                self.spans.record(b.node),
                b.function,
                b.cls,
                tuple(b.kwargs),
                b.unknown,
                f"{_short(b.cls)}(...)",
                b.then_called,
            )
            for b in self.built
            if not b.unknown
        )
        sql = []
        for node, function, text in self.sql:
            refs = table_refs(text)
            if refs:
                sql.append(
                    SqlFact(self.spans.record(node), function, refs, " ".join(text.split())[:_MAX_TEXT])
                )
        fixed = tuple(
            FixedConnectionFact(
                self.spans.record(node), function, target, literal, f"{_short(target)}({literal!r})"
            )
            for node, function, target, literal in self.fixed
        )
        out = TenancyFacts(
            queries,
            constructs,
            tuple(sql),
            fixed,
            tuple(self.tables),
            tuple(self.mappings),
            tuple(self.criteria),
            tuple((cls, tuple(sorted(names))) for cls, names in sorted(self.self_assigned.items())),
            calls,
            tuple(dict.fromkeys(self.references)),
            tuple(self.forwards),
        )
        return out if out != TenancyFacts() else None

    # ----- statements -------------------------------------------------------------

    def _small(self, small: cst.CSTNode, frame: Frame, env: dict[str, _Value], fn: str, module: bool) -> None:
        if isinstance(small, cst.Assign):
            value = self._eval(small.value, frame, env, fn)
            if value is None and isinstance(small.value, _PREDICATE_NODES):
                names = self._predicate(small.value, frame, env)
                value = _Pred(frozenset(names)) if names else None
            for target in small.targets:
                self._assign(target.target, value, small.value, frame, env, module)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                value = self._eval(small.value, frame, env, fn)
                self._assign(small.target, value, small.value, frame, env, module)
        elif isinstance(small, cst.AugAssign):
            value = self._eval(small.value, frame, env, fn)
            if isinstance(small.target, cst.Name) and isinstance(value, _Sql):
                current = env.get(small.target.value)
                if isinstance(current, _Sql):
                    env[small.target.value] = _Sql(current.text + value.text)
        elif isinstance(small, cst.Return):
            if small.value is not None:
                value = self._eval(small.value, frame, env, fn)
                if isinstance(value, _Built) and value.node is small.value and not value.then_called:
                    value.then_called = RETURNED  # `return S3ImportStorage()`: the caller's to complete
        elif isinstance(small, cst.Expr):
            self._eval(small.value, frame, env, fn)

    def _assign(
        self,
        target: cst.BaseExpression,
        value: _Value,
        value_node: cst.BaseExpression,
        frame: Frame,
        env: dict[str, _Value],
        module: bool,
    ) -> None:
        if isinstance(target, cst.Name):
            if value is None:
                origin = self._origin(value_node, frame, env)
                value = _Origin(origin) if origin else None
            env[target.value] = value
            if module and isinstance(value_node, cst.Call):
                self._module_call(target.value, value_node, frame)
        elif isinstance(target, (cst.Tuple, cst.List)):
            # project, rw = get_project_for_user(request, code): each part is the caller's
            origin = self._origin(value_node, frame, env)
            for element in target.elements:
                if isinstance(element.value, cst.Name):
                    env[element.value.value] = _Origin(origin) if origin else None
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            owner = env.get(target.value.value)
            index = target.slice[0].slice if len(target.slice) == 1 else None
            key = _literal(index.value) if isinstance(index, cst.Index) else None
            if isinstance(owner, _Dict) and key:
                owner.items.append((key, value_node))
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            if target.value.value == "self" and frame.class_qual:
                self.self_assigned.setdefault(frame.class_qual, set()).add(target.attr.value)
            owner = env.get(target.value.value)
            if isinstance(owner, _Built):
                owner.kwargs.append(target.attr.value)

    def _module_call(self, name: str, call: cst.Call, frame: Frame) -> None:
        spec = self._spec(call, frame)
        if spec is None or spec.tenancy != "table":
            return
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        table = _literal(positional[0]) if positional else None
        if not table:
            return
        columns = []
        for arg in positional[1:]:
            if isinstance(arg, cst.Call):
                inner = self._spec(arg, frame)
                first = [a.value for a in arg.args if a.keyword is None and not a.star]
                if inner is not None and inner.tenancy == "column" and first:
                    column = _literal(first[0])
                    if column:
                        columns.append(column)
        self.tables.append(TableFact(f"{self.r.module_name}.{name}", table.lower(), tuple(columns)))

    # ----- expressions ----------------------------------------------------------

    def _spec(self, call: cst.Call, frame: Frame) -> CallSpec | None:
        text = dotted(call.func)
        if text is None:
            return None
        return self.packs.tenancy_call(self._target(text, frame))

    def _target(self, text: str, frame: Frame) -> str:
        """The qualified callee; a receiver the packs recognise by its shape (`db.session`)
        when the name resolves to something no pack knows (a project global)."""
        target = self.r.qualify(text, frame)
        if self.packs.tenancy_call(target) is None:
            receiver, _, method = text.rpartition(".")
            guessed = self.packs.receiver_type(receiver) if receiver else ""
            if guessed and self.packs.tenancy_call(f"{guessed}.{method}") is not None:
                return f"{guessed}.{method}"
        return target

    def _class_ref(self, text: str, frame: Frame, env: dict[str, _Value]) -> _ClassRef | None:
        head = text.split(".")[0]
        if head in env or head in frame.types:
            return None
        resolved, known = frame.names.resolve(text)
        last = resolved.rsplit(".", 1)[-1]
        if known and last[:1].isupper() and self.packs.canonical_type(resolved) == "":
            return _ClassRef(resolved)
        return None

    def _eval(self, node: cst.CSTNode, frame: Frame, env: dict[str, _Value], fn: str) -> _Value:
        value = self._value(node, frame, env, fn)
        if isinstance(value, _Chain):
            self._chain_at[id(node)] = value  # `pk__in=Sub.objects.filter(...)`: its origin
        return value

    def _new_chain(self, chain: _Chain) -> _Chain:
        self.chains.append(chain)
        return chain

    def _nest(self, node: cst.BaseExpression, correlated_only: bool = False) -> None:
        """`node`, a predicate's value or a whole predicate of the step being read, is a query:
        a subquery of the query being read (a whole predicate only when correlated to it). The
        project phase tells a subquery from a row already fetched (`item=item`,
        `project_id=project.id`: a chain that ran its query), which is no subquery."""
        outer = self._reading
        inner = self._chain_at.get(id(node))
        if outer is None or inner is None or inner is outer or inner.nested_in is not None:
            return
        if correlated_only and not inner.mentions & {outer.root, *outer.models}:
            return
        inner.nested_in = outer

    def _value(self, node: cst.CSTNode, frame: Frame, env: dict[str, _Value], fn: str) -> _Value:
        if isinstance(node, cst.Name):
            if node.value in env:
                return env[node.value]
            return self._class_ref(node.value, frame, env)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            text = _sql_text(node)
            return _Sql(text) if text is not None else None
        if isinstance(node, cst.Attribute):
            base = self._eval(node.value, frame, env, fn)
            if isinstance(base, _ClassRef):
                chain = self._new_chain(_Chain(node, fn, root=base.qualname))
                chain.steps.append(StepFact(node.attr.value, call=False, span=None))
                return chain
            if isinstance(base, _Chain):
                base.steps.append(StepFact(node.attr.value, call=False))
                return base
            return None
        if isinstance(node, cst.Await):
            return self._eval(node.expression, frame, env, fn)
        if isinstance(node, cst.Call):
            return self._call(node, frame, env, fn)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
            left = self._eval(node.left, frame, env, fn)
            self._eval(node.right, frame, env, fn)
            return left if isinstance(left, _Sql) else None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self._eval(node.left, frame, env, fn)
            right = self._eval(node.right, frame, env, fn)
            if isinstance(left, _Sql) and isinstance(right, _Sql):
                return _Sql(left.text + right.text)
            return None
        if isinstance(node, cst.Subscript):
            base_text = dotted(node.value)
            if base_text is not None and len(node.slice) == 1:
                target = self.r.qualify(base_text, frame)
                spec = self.packs.tenancy_call(target)
                index = node.slice[0].slice
                if spec is not None and spec.tenancy == "fixed-alias" and isinstance(index, cst.Index):
                    literal = _literal(index.value)
                    if literal is not None:
                        self.fixed.append((node, fn, target, literal))
            self._children(node, frame, env, fn)
            return None
        if isinstance(node, cst.Lambda):
            return None
        if isinstance(node, (cst.Dict, cst.List, cst.Tuple, cst.Set)) and not self._bodies[-1].module:
            self._note_references(node, frame, env, fn)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            self._comprehension(node, frame, env, fn)
            return None
        self._children(node, frame, env, fn)
        if isinstance(node, cst.List) and all(isinstance(e, cst.Element) for e in node.elements):
            return _List([e.value for e in node.elements])
        if isinstance(node, cst.Dict):
            items = []
            for element in node.elements:
                key = _literal(element.key) if isinstance(element, cst.DictElement) else None
                if key is None:
                    return None
                items.append((key, element.value))
            return _Dict(items)
        return None

    def _note_references(
        self, node: cst.Dict | cst.List | cst.Tuple | cst.Set, frame: Frame, env: dict[str, _Value], fn: str
    ) -> None:
        """Names of module-level callables written as values of a literal in a function
        (`{"func": empty_schedules, "interval": 60}`): `TenancyFacts.references`."""
        for element in node.elements:
            value = element.value
            if not isinstance(value, (cst.Name, cst.Attribute)):
                continue
            text = dotted(value)
            if text is None or text.split(".", 1)[0] in env:
                continue  # a local value, a parameter: not a callable this function names
            origin = self._origin(value, frame, env)
            if origin and not origin.startswith((PARAM, ROW, REQUEST_DATA)):
                self.references.append((fn, origin))

    def _comprehension(
        self,
        node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp,
        frame: Frame,
        env: dict[str, _Value],
        fn: str,
    ) -> None:
        """A comprehension's parts, its targets bound to elements of what they iterate
        (`[notify.delay(member.id) for member in members]`: `member.id` is a row's id)."""
        inner = dict(env)
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            self._eval(clause.iter, frame, inner, fn)
            if isinstance(clause.target, cst.Name):
                origin = self._origin(clause.iter, frame, inner)
                if origin:
                    inner[clause.target.value] = _Origin(origin)
                else:
                    inner.pop(clause.target.value, None)
            for condition in clause.ifs:
                self._eval(condition.test, frame, inner, fn)
            clause = clause.inner_for_in
        elements = (node.key, node.value) if isinstance(node, cst.DictComp) else (node.elt,)
        for element in elements:
            self._eval(element, frame, inner, fn)

    def _children(self, node: cst.CSTNode, frame: Frame, env: dict[str, _Value], fn: str) -> None:
        for child in node.children:
            if isinstance(
                child,
                (
                    cst.BaseExpression,
                    cst.Arg,
                    cst.Element,
                    cst.DictElement,
                    cst.StarredElement,
                    cst.SubscriptElement,
                    cst.Index,
                ),
            ):
                if isinstance(child, (cst.Arg, cst.Element, cst.StarredElement)):
                    self._eval(child.value, frame, env, fn)
                elif isinstance(child, cst.DictElement):
                    self._eval(child.key, frame, env, fn)
                    self._eval(child.value, frame, env, fn)
                elif isinstance(child, cst.SubscriptElement):
                    self._children(child, frame, env, fn)
                else:
                    self._eval(child, frame, env, fn)
            elif isinstance(
                child, (cst.CompFor, cst.CompIf, cst.ComparisonTarget, cst.FormattedStringExpression)
            ):
                self._children(child, frame, env, fn)

    def _call(self, call: cst.Call, frame: Frame, env: dict[str, _Value], fn: str) -> _Value:
        func = call.func
        text = dotted(func)
        if not self._bodies[-1].module:
            # also on a receiver read as a query chain (`JobQueueManager.get().push(job, *args)`)
            self._forwarding(call, env, fn)
        # A method applied to a chain (or starting one at a class): a step.
        if isinstance(func, cst.Attribute):
            via_self = _view_receiver(func.value)
            if via_self and func.attr.value in self.packs.syntax.view_querysets:
                # `self.get_queryset()`: the view's queryset, judged with its class
                chain = self._new_chain(_Chain(call, fn, via_self=via_self))
                self._args(call, frame, env, fn)
                chain.steps.append(self._step(func.attr.value, call, frame, env, reading=chain))
                return chain
            receiver = self._eval(func.value, frame, env, fn)
            if isinstance(receiver, _List) and func.attr.value in _LIST_ADDERS and len(call.args) == 1:
                added = call.args[0].value
                self._eval(added, frame, env, fn)
                if func.attr.value == "append":
                    receiver.items.append(added)
                elif isinstance(added, cst.List) and all(isinstance(e, cst.Element) for e in added.elements):
                    receiver.items.extend(e.value for e in added.elements)
                return None
            if isinstance(receiver, _ClassRef):
                receiver = self._new_chain(_Chain(call, fn, root=receiver.qualname))
            if isinstance(receiver, _Chain):
                values = self._args(call, frame, env, fn)
                step = self._step(func.attr.value, call, frame, env, reading=receiver)
                if func.attr.value in self.packs.sql_methods:
                    extra = self._extra_where(call, values)
                    if extra:
                        step = replace(step, names=tuple(sorted({*step.names, *extra})))
                    self._sql_args(call, values, None, fn, keyword_where=False)
                receiver.steps.append(step)
                return receiver
            if isinstance(receiver, _Built) and isinstance(func.value, cst.Call):
                receiver.then_called = func.attr.value  # `Channel().send_alert()`: never bound
            if isinstance(receiver, _Sql) and func.attr.value == "format":
                self._args(call, frame, env, fn)
                return _Sql(_FORMAT_FIELD.sub("?", receiver.text))
        values = self._args(call, frame, env, fn)
        if text is None:
            return None
        target = self._target(text, frame)
        for value in values.values():
            if isinstance(value, _Chain):  # handed to a function: a scoping helper?
                value.steps.append(StepFact(f"@{target}", call=False))
                self._handed[id(call)] = value
        spec = self.packs.tenancy_call(target)
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if not self._bodies[-1].module and call.args and (spec is None or spec.effect_kind == "task"):
            # a project helper, or an enqueue (`django_rq.enqueue(job, row.id)`)
            self._record_call(call, target, frame, env, fn)
        if spec is not None:
            if spec.sql_arg >= 0 or spec.sql_keyword:
                self._sql_args(call, values, spec, fn)
            if spec.tenancy in ("fixed-url", "fixed-alias") and positional:
                literal = _literal(positional[0].value)
                if literal is not None:
                    self.fixed.append((call, fn, target, literal))
            if spec.tenancy == "criteria" and len(positional) >= 2:
                model = self._model_of(positional[0].value, frame, env)
                if model:
                    names = self._predicate(positional[1].value, frame, env)
                    self.criteria.append(CriteriaFact(model, tuple(sorted(names))))
            if spec.tenancy == "mapping" and len(positional) >= 2:
                model = self._model_of(positional[0].value, frame, env)
                table_text = dotted(positional[1].value)
                if model and table_text:
                    resolved, _ = frame.names.resolve(table_text)
                    self.mappings.append(MappingFact(model, resolved))
            if spec.model_arg >= 0 and len(positional) > spec.model_arg:
                arg = positional[spec.model_arg].value
                inner = values.get(id(arg))
                step = replace(self._step("", call, frame, env, skip=arg), target=target)
                if isinstance(inner, _Chain) and any(s.call for s in inner.steps):
                    # get_object_or_404(Invoice.objects.filter(...), pk=1)
                    inner.steps.append(step)
                    return inner
                models = [self._model_of(a.value, frame, env) for a in positional]
                chain = self._new_chain(_Chain(call, fn, source=target, models=tuple(m for m in models if m)))
                chain.steps.append(step)
                return chain
            if spec.sql_arg >= 0 and len(positional) > spec.sql_arg:
                return None
        if isinstance(func, cst.Name) or (isinstance(func, cst.Attribute) and text):
            ref = self._class_ref(text, frame, env)
            if ref is not None and spec is None:
                built = _Built(
                    call,
                    fn,
                    ref.qualname,
                    [a.keyword.value for a in call.args if a.keyword is not None],
                    any(a.keyword is None for a in call.args),
                )
                self.built.append(built)
                return built
        # A call with a SQL method name on a receiver we cannot type (self.conn.execute(...)).
        if isinstance(func, cst.Attribute) and func.attr.value in self.packs.sql_methods and spec is None:
            self._sql_args(call, values, None, fn)
        return None

    def _record_call(
        self, call: cst.Call, target: str, frame: Frame, env: dict[str, _Value], fn: str
    ) -> None:
        """A call of a project helper (or anything no pack knows), with its arguments' origins."""
        args: list[tuple[str, str]] = []
        position = 0
        for arg in call.args:
            if arg.star:
                return  # *args / **kwargs: which parameter gets what is unknown
            if isinstance(arg.value, cst.SimpleString) and isinstance(arg.value.evaluated_value, str):
                origin = f"{LITERAL}{arg.value.evaluated_value}"  # a job's name, when enqueued by name
            else:
                origin = self._origin(arg.value, frame, env)
            if arg.keyword is not None:
                args.append((arg.keyword.value, origin))
                args += self._job_arguments(arg.keyword.value, arg.value, frame, env)
            else:
                args.append((str(position), origin))
                position += 1
        self.calls.append(CallFact(fn, target, tuple(args)))

    def _job_arguments(
        self, keyword: str, value: cst.BaseExpression, frame: Frame, env: dict[str, _Value]
    ) -> list[tuple[str, str]]:
        """`args=[row.id]`, `kwargs={"fmt": fmt}` (the packs' `job-args-keywords`,
        `job-kwargs-keywords`): the arguments a task enqueue hands its job, as `args[0]` and
        `kwargs[fmt]`, read as the job's own when the call turns out to be an enqueue."""
        syntax = self.packs.syntax
        out: list[tuple[str, str]] = []
        if keyword in syntax.job_args_keywords and isinstance(value, (cst.List, cst.Tuple)):
            for i, element in enumerate(value.elements):
                if not isinstance(element, cst.Element):
                    break  # `*rest`: the positions after it are unknown
                out.append((f"{keyword}[{i}]", self._origin(element.value, frame, env)))
        if (
            keyword in syntax.job_kwargs_keywords
            and isinstance(value, cst.Dict)
            and all(isinstance(item, cst.DictElement) for item in value.elements)  # no `**more`
        ):
            for item in value.elements:
                assert isinstance(item, cst.DictElement)
                key = item.key
                if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
                    out.append((f"{keyword}[{key.evaluated_value}]", self._origin(item.value, frame, env)))
        return out

    def _forwarding(self, call: cst.Call, env: dict[str, _Value], fn: str) -> None:
        """`job(*args)` or `queue.enqueue(job, *args)` where `job` is a parameter: the function
        hands its variadic arguments to the function it was given."""
        star = next((i for i, a in enumerate(call.args) if a.star == "*"), -1)
        if star < 0:
            return
        candidates = [call.func, *(a.value for a in call.args[:star] if a.keyword is None)]
        for node in candidates:
            if isinstance(node, cst.Name):
                bound = env.get(node.value)
                if isinstance(bound, _Origin) and bound.text == f"{PARAM}{node.value}":
                    self.forwards[(fn, node.value)] = None

    def _args(self, call: cst.Call, frame: Frame, env: dict[str, _Value], fn: str) -> dict[int, _Value]:
        out: dict[int, _Value] = {}
        for arg in call.args:
            out[id(arg.value)] = self._eval(arg.value, frame, env, fn)
        return out

    def _extra_where(self, call: cst.Call, values: dict[int, _Value]) -> set[str]:
        """Columns a list of SQL conditions (`.extra(where=[...])`) constrains in every case."""
        out: set[str] = set()
        for arg in call.args:
            if arg.keyword is None or not isinstance(arg.value, (cst.List, cst.Tuple)):
                continue
            texts = [self._string_of(e.value, values) for e in arg.value.elements]
            if not texts or any(t is None for t in texts):
                continue
            where = " AND ".join(f"({t})" for t in texts if t is not None)
            for _table, columns in table_refs(f"SELECT 1 FROM {_EXTRA_TABLE} WHERE {where}") or ():
                out.update(columns)
        return out

    def _sql_args(
        self,
        call: cst.Call,
        values: dict[int, _Value],
        spec: CallSpec | None,
        fn: str,
        keyword_where: bool = True,
    ) -> None:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        index = spec.sql_arg if spec is not None else 0
        keyword = spec.sql_keyword if spec is not None else ""
        if not keyword_where:
            keyword = ""
        candidates: list[cst.BaseExpression] = []
        if index >= 0 and len(positional) > index:
            candidates.append(positional[index].value)
        for arg in call.args:
            if keyword and arg.keyword is not None and arg.keyword.value == keyword:
                value = arg.value
                if isinstance(value, (cst.List, cst.Tuple)):
                    texts = [self._string_of(e.value, values) for e in value.elements]
                    if texts and all(t is not None for t in texts):
                        where = " AND ".join(f"({t})" for t in texts if t is not None)
                        self.sql.append((call, fn, f"SELECT 1 FROM {_EXTRA_TABLE} WHERE {where}"))
                else:
                    candidates.append(value)
        for value in candidates:
            text = self._string_of(value, values)
            if text is not None and text.strip():
                self.sql.append((call, fn, text))

    def _string_of(self, node: cst.BaseExpression, values: dict[int, _Value]) -> str | None:
        value = values.get(id(node))
        if isinstance(value, _Sql):
            return value.text
        if isinstance(node, cst.Name) and node.value in self.module_strings:
            return self.module_strings[node.value]
        text = _sql_text(node)
        return text

    def _model_of(self, node: cst.BaseExpression, frame: Frame, env: dict[str, _Value]) -> str:
        """The class a model argument names: `Invoice`, `Invoice.id` (a column of it)."""
        text = dotted(node)
        if text is None or "()" in text:
            return ""
        ref = self._class_ref(text, frame, env)
        if ref is None and "." in text:
            ref = self._class_ref(text.rpartition(".")[0], frame, env)
        return ref.qualname if ref is not None else ""

    def _step(
        self,
        name: str,
        call: cst.Call,
        frame: Frame,
        env: dict[str, _Value],
        skip: cst.BaseExpression | None = None,
        reading: _Chain | None = None,
    ) -> StepFact:
        previous, self._reading = self._reading, reading
        try:
            return self._read_step(name, call, frame, env, skip)
        finally:
            self._reading = previous

    def _read_step(
        self,
        name: str,
        call: cst.Call,
        frame: Frame,
        env: dict[str, _Value],
        skip: cst.BaseExpression | None,
    ) -> StepFact:
        names: set[str] = set()
        kwargs: list[str] = []
        star = False
        literal = ""
        first = True
        self._origins = []
        self._owned = []
        classes: list[str] = []
        keywords: list[tuple[str, cst.BaseExpression]] = []
        positional: list[tuple[str, str]] = []
        for arg in call.args:
            if arg.value is skip:
                first = False
                continue
            if arg.star == "**":
                spread = env.get(arg.value.value) if isinstance(arg.value, cst.Name) else None
                if isinstance(spread, _Dict):
                    keywords.extend(spread.items)  # filter(**{"org__slug": slug})
                else:
                    star = True
            elif arg.keyword is not None:
                keywords.append((arg.keyword.value, arg.value))
            elif arg.star == "*":
                spread = env.get(arg.value.value) if isinstance(arg.value, cst.Name) else None
                for item in spread.items if isinstance(spread, _List) else ():
                    # `.where(*conditions)`: each predicate appended to the list
                    names.update(self._predicate(item, frame, env))
                    self._nest(item, correlated_only=True)
                    first = False
            elif not arg.star:
                if first:
                    literal = _literal(arg.value) or ""
                named = dotted(arg.value)
                ref = self._class_ref(named, frame, env) if named and "()" not in named else None
                if ref is not None and ref.qualname:
                    classes.append(ref.qualname)  # join(ProductBenefit)
                names.update(self._predicate(arg.value, frame, env))
                self._nest(arg.value, correlated_only=True)  # `.where(sub.exists())`
                first = False
                positional.append((str(len(positional)), self._origin(arg.value, frame, env)))
        for keyword, value in keywords:
            self._nest(value)  # `filter(pk__in=Sub.objects.filter(...).values("id"))`
            facts = _kw_facts(self.packs.syntax, keyword, value)
            origin = self._origin(value, frame, env)
            if origin == REQUEST_DATA:
                names.update(f"{UNTRUSTED}{fact}" for fact in facts)
                continue
            kwargs.append(keyword)
            names.update(facts)
            if self._outer_row(value, frame):  # filter(project=OuterRef("project"))
                names.add(ROW_MARK)
            if origin:
                self._origins.append((keyword, origin))
        origins = tuple(dict.fromkeys(self._origins))
        arg_origins = tuple(pair for pair in positional if pair[1])
        return StepFact(
            name,
            True,
            tuple(sorted(names)),
            tuple(kwargs),
            star,
            literal,
            None,
            origins=origins,
            classes=tuple(classes),
            owned=tuple(dict.fromkeys(self._owned)),
            arg_origins=arg_origins,
        )

    def _origin(self, node: cst.BaseExpression, frame: Frame, env: dict[str, _Value]) -> str:
        """Where a predicate's value comes from: REQUEST_DATA for what the client chose
        (the packs' `request-data`: `request.data[...]`, `request.GET.getlist(...)`),
        `param:<text>` for a value read from a parameter of the function (`param:pk`,
        `param:request.user`), the qualified text of a module-level name
        (`flask_login.current_user.org_id`), "" when unknown. Variables carry the origin of
        what was assigned to them."""
        inline = self._chain_at.get(id(node))
        if inline is not None and inline in self.chains:
            return f"{ROW}{self.chains.index(inline)}"  # `pk__in=Sub.objects.filter(...).values("id")`
        handed = self._row_of(node)
        if handed is not None:
            return f"{ROW}{self.chains.index(handed)}"  # `session.scalars(q).one().id`
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return self._element_origin(node.elt, node.for_in, frame, env)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return self._literal_origin(node, frame, env)
        text = _value_text(node) + self._job_argument(node)
        if not text:
            return ""
        head = re.match(r"\w+", text)
        if head is None:
            return ""
        name = head.group(0)
        rest = text[len(name) :]
        bound = env.get(name)
        if isinstance(bound, _Origin):
            if bound.text == REQUEST_DATA:
                return REQUEST_DATA
            if bound.text.startswith(ROW):
                return bound.text  # an attribute of a row is that row's (`order.id`)
            full = bound.text + rest
        elif isinstance(bound, _Chain) and bound in self.chains:
            return f"{ROW}{self.chains.index(bound)}"  # a row or queryset of that query
        elif name in env:
            return ""  # an instance being built, a string: judged elsewhere
        else:
            resolved, known = frame.names.resolve(name)
            if not known and name not in ("self", "cls"):
                return ""
            full = (resolved if known else name) + rest
        plain = full[len(PARAM) :] if full.startswith(PARAM) else full
        syntax = self.packs.syntax
        for candidate in (plain, plain[len("self.") :] if plain.startswith("self.") else ""):
            if candidate and any(_prefixed(candidate, p) for p in syntax.request_data):
                return REQUEST_DATA
        return full

    def _literal_origin(
        self, node: cst.List | cst.Tuple | cst.Set, frame: Frame, env: dict[str, _Value]
    ) -> str:
        """`assignees__in=[request.user]`: a list, tuple or set literal comes from where every
        element comes from (one origin shared by all), REQUEST_DATA if any element is the
        client's choice, "" when they differ or one is unknown or unpacked."""
        if not node.elements or any(isinstance(e, cst.StarredElement) for e in node.elements):
            return ""
        origins = {self._origin(e.value, frame, env) for e in node.elements}
        if REQUEST_DATA in origins:
            return REQUEST_DATA
        return origins.pop() if len(origins) == 1 else ""

    def _job_argument(self, node: cst.BaseExpression) -> str:
        """`[0]` for `job.args[0]` (the packs' `job-argument-attributes`): which enqueued
        argument a job callback reads, kept so that its call sites can answer for it."""
        if not isinstance(node, cst.Subscript) or len(node.slice) != 1:
            return ""
        index = node.slice[0].slice
        if not isinstance(index, cst.Index) or not isinstance(index.value, cst.Integer):
            return ""
        if not isinstance(node.value, cst.Attribute) or not isinstance(node.value.value, cst.Name):
            return ""
        if node.value.attr.value not in self.packs.syntax.job_argument_attributes:
            return ""
        return f"[{index.value.value}]"

    def _element_origin(
        self, element: cst.BaseExpression, clause: cst.CompFor, frame: Frame, env: dict[str, _Value]
    ) -> str:
        """`[task.id for task in tasks]`, `{row["id"] for row in rows}`: what each element is
        read from is what is iterated (one `for` clause, the element read off its target)."""
        if clause.inner_for_in is not None or not isinstance(clause.target, cst.Name):
            return ""
        head = re.match(r"\w+", _value_text(element))
        if head is None or head.group(0) != clause.target.value:
            return ""
        return self._origin(clause.iter, frame, env)

    def _row_of(self, node: cst.BaseExpression) -> _Chain | None:
        """The query whose result a value is read from: `session.scalars(q).one().id`."""
        current: cst.BaseExpression = node
        while True:
            if isinstance(current, cst.Call):
                found = self._handed.get(id(current))
                if found is not None:
                    return found if found in self.chains else None
                current = current.func
            elif isinstance(current, (cst.Attribute, cst.Subscript)):
                current = current.value
            elif isinstance(current, cst.Await):
                current = current.expression
            else:
                return None

    def _with_origin(
        self, names: set[str], values: Sequence[cst.BaseExpression], frame: Frame, env: dict[str, _Value]
    ) -> set[str]:
        """A comparison's names, marked UNTRUSTED when a compared value is request data;
        otherwise the values' origins are recorded for the step."""
        origins = [self._origin(value, frame, env) for value in values]
        for value in values:
            self._nest(value)  # `Outer.id.in_(select(...))`, `Outer.x == sub.scalar_subquery()`
        if REQUEST_DATA in origins:
            return {name if name.startswith(UNTRUSTED) else f"{UNTRUSTED}{name}" for name in names}
        for origin in origins:
            if origin:
                self._origins.extend((name, origin) for name in sorted(names))
        return names

    def _outer_row(self, value: cst.BaseExpression, frame: Frame) -> bool:
        """A predicate value naming the outer query's row (a pack `tenancy = "outer-row"` call:
        `OuterRef("pk")`): the subquery is tied to a row of the query it is nested in."""
        if not isinstance(value, cst.Call):
            return False
        spec = self._spec(value, frame)
        return spec is not None and spec.tenancy == "outer-row"

    def _own(
        self,
        column: cst.Attribute,
        others: Sequence[cst.BaseExpression],
        frame: Frame,
        env: dict[str, _Value],
    ) -> None:
        """`ProductBenefit.product_id == product.id`: an equality on a named class's column,
        kept with the compared value's origin (the project phase follows it when that class
        is joined into the query)."""
        owner = dotted(column.value)
        ref = self._class_ref(owner, frame, env) if owner else None
        if ref is None or not ref.qualname:
            return
        for other in others:
            origin = self._origin(other, frame, env)
            if origin and origin != REQUEST_DATA:
                self._owned.append((ref.qualname, column.attr.value, origin))

    def _mention(self, owner: str, frame: Frame, env: dict[str, _Value]) -> None:
        """The query being read compares a column of the class `owner` names (`Grant.id`)."""
        if not owner:
            return
        bound = env.get(owner)
        ref = bound if isinstance(bound, _ClassRef) else self._class_ref(owner, frame, env)
        if self._reading is not None and ref is not None and ref.qualname:
            self._reading.mentions.add(ref.qualname)

    def _predicate(self, node: cst.BaseExpression, frame: Frame, env: dict[str, _Value]) -> set[str]:
        """The names a predicate requires in every case."""
        if isinstance(node, cst.Name):
            bound = env.get(node.value)
            return set(bound.names) if isinstance(bound, _Pred) else set()
        if isinstance(node, cst.IfExp):  # either arm may hold: what both require
            return self._predicate(node.body, frame, env) & self._predicate(node.orelse, frame, env)
        if isinstance(node, cst.Lambda):
            # `with_loader_criteria(Mixin, lambda cls: cls.tenant_id == t)`: the parameter
            # stands for each mapped class the criterion applies to.
            inner = dict(env)
            for param in node.params.params:
                inner[param.name.value] = _ClassRef("")
            return self._predicate(node.body, frame, inner)
        if isinstance(node, cst.BinaryOperation):
            left = self._predicate(node.left, frame, env)
            right = self._predicate(node.right, frame, env)
            if isinstance(node.operator, cst.BitOr):
                return left & right
            return left | right
        if isinstance(node, cst.BooleanOperation):
            left = self._predicate(node.left, frame, env)
            right = self._predicate(node.right, frame, env)
            return left & right if isinstance(node.operator, cst.Or) else left | right
        if isinstance(node, cst.UnaryOperation):
            if isinstance(node.operator, (cst.Not, cst.BitInvert)):
                return set()
            return self._predicate(node.expression, frame, env)
        if isinstance(node, cst.Comparison):
            out = self._predicate(node.left, frame, env)
            for comparison in node.comparisons:
                out |= self._predicate(comparison.comparator, frame, env)
            if all(isinstance(c.operator, cst.Equal) for c in node.comparisons):
                # `Query.data_source == ds`: an equality on a column or relation, like the keyword
                # `data_source=ds` (the project phase follows it when it is a relation path).
                sides = [node.left, *(c.comparator for c in node.comparisons)]
                for operand in sides:
                    if isinstance(operand, cst.Attribute) and self._predicate(operand, frame, env):
                        out.add(f"={operand.attr.value}")
                        self._own(operand, [o for o in sides if o is not operand], frame, env)
            sides = [node.left, *(c.comparator for c in node.comparisons)]
            return self._with_origin(out, sides, frame, env)
        if isinstance(node, cst.Call):
            spec = self._spec(node, frame)
            meaning = spec.tenancy if spec is not None else ""
            parts = [
                self._predicate(a.value, frame, env) for a in node.args if a.keyword is None and not a.star
            ]
            keyword_names: set[str] = set()
            for arg in node.args:
                if arg.keyword is not None:
                    keyword_names.update(_kw_facts(self.packs.syntax, arg.keyword.value, arg.value))
            if meaning == "or":
                if not parts:
                    return set()
                common = set(parts[0])
                for part in parts[1:]:
                    common &= part
                return common
            out = set(keyword_names)
            for part in parts:
                out |= part
            if meaning != "and" and isinstance(node.func, cst.Attribute):
                out |= self._predicate(node.func.value, frame, env)  # Invoice.tenant_id.in_(ids)
                values = [a.value for a in node.args if a.keyword is None and not a.star]
                return self._with_origin(out, values, frame, env)
            return out
        if isinstance(node, cst.Attribute):
            text = dotted(node)
            if text is None:
                return set()
            head = text.split(".")[0]
            if head in env and not isinstance(env.get(head), _ClassRef):
                return set()
            if head in env or frame.names.resolve(head)[1] or head in ("self", "cls"):
                if self._reading is not None:
                    self._mention(text.rpartition(".")[0], frame, env)
                return {node.attr.value}
            return set()
        return set()


# Expressions that may be a predicate bound to a variable and used later (`.where(..., f)`).
_PREDICATE_NODES = (cst.Comparison, cst.BooleanOperation, cst.IfExp, cst.BinaryOperation, cst.UnaryOperation)

_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")
# `.extra(where=[...])` conditions apply to the queried model's table, which the
# file alone may not know: they are read as the WHERE of a placeholder table.
_EXTRA_TABLE = "__extra__"


def _kw_facts(syntax: FrameworkSyntax, keyword: str, value: cst.BaseExpression) -> set[str]:
    """What a keyword predicate requires: each path segment, the whole path as `=path`,
    and ROW_MARK for `pk=obj.attr` (a row re-read by an identity read from another row);
    the path syntax and the primary-key names come from the packs."""
    out = set(syntax.split(keyword))
    out.add(f"={keyword}")
    if isinstance(value, cst.Attribute):
        text = dotted(value)
        if text is not None and "()" not in text:
            out.add(ROW_MARK if keyword in syntax.row_keys else f"{OBJECT_MARK}{keyword}")
    return out


def _view_receiver(node: cst.BaseExpression) -> str:
    """`self` or `super()`: the receiver of a view's own queryset method."""
    if isinstance(node, cst.Name) and node.value == "self":
        return "self"
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super":
        return "super"
    return ""


def _literal(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _sql_text(node: cst.BaseExpression) -> str | None:
    """A string literal's text; an f-string's with each hole read as a bind parameter."""
    if isinstance(node, cst.FormattedString):
        parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
            else:
                parts.append("?")
        return "".join(parts)
    if isinstance(node, cst.ConcatenatedString):
        left = _sql_text(node.left)
        right = _sql_text(node.right)
        return left + right if left is not None and right is not None else None
    return _literal(node)


def _position(kept: Sequence[_Chain], chain: _Chain | None) -> int:
    """The index among the kept queries of `chain` or, when it is not kept (`Outer.id` in
    `Outer.id.in_(...)` is no query), of the nearest query it is nested in; -1 if none."""
    seen = 0
    while chain is not None and seen < len(kept) + 1:
        for number, candidate in enumerate(kept):
            if candidate is chain:
                return number
        chain = chain.nested_in
        seen += 1
    return -1


def _short(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


def _chain_text(chain: _Chain) -> str:
    head = _short(chain.root) if chain.root else ""
    parts = [head] if head else []
    for step in chain.steps:
        if not step.name:
            parts.append(f"{_short(chain.source)}({', '.join(_short(m) for m in chain.models)})")
        elif not step.name.startswith("@"):
            parts.append(f"{step.name}()" if step.call else step.name)
    text = ".".join(parts)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _module_strings(body: Sequence[cst.CSTNode], out: dict[str, str]) -> None:
    """Names the module binds to a string (SQL a function may use), as the module ends."""
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    value = _string_expr(small.value, out)
                    for target in small.targets:
                        _bind_string(target.target, value, out)
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    _bind_string(small.target, _string_expr(small.value, out), out)
                elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                    added = _string_expr(small.value, out)
                    current = out.get(small.target.value)
                    if current is not None and added is not None:
                        out[small.target.value] = current + added
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        elif isinstance(stmt, cst.BaseCompoundStatement):
            for suite in _suites(stmt):
                if isinstance(suite, cst.IndentedBlock):
                    _module_strings(suite.body, out)
                elif isinstance(suite, cst.SimpleStatementSuite):
                    _module_strings([cst.SimpleStatementLine(body=suite.body)], out)


def _suites(stmt: cst.BaseCompoundStatement) -> list[cst.BaseSuite]:
    out = [stmt.body]
    orelse = getattr(stmt, "orelse", None)
    while orelse is not None:
        out.append(orelse.body)
        orelse = orelse.orelse if isinstance(orelse, cst.If) else None
    out += [handler.body for handler in getattr(stmt, "handlers", ())]
    final = getattr(stmt, "finalbody", None)
    if final is not None:
        out.append(final.body)
    out += [case.body for case in getattr(stmt, "cases", ())]
    return out


def _bind_string(target: cst.BaseExpression, value: str | None, out: dict[str, str]) -> None:
    if not isinstance(target, cst.Name):
        return
    if value is None:
        out.pop(target.value, None)
    else:
        out[target.value] = value


def _string_expr(node: cst.BaseExpression, known: dict[str, str]) -> str | None:
    """The text of a string-valued expression as the collector reads SQL ("" holes as `?`)."""
    if isinstance(node, cst.Name):
        return known.get(node.value)
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return _sql_text(node)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        return _string_expr(node.left, known)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left = _string_expr(node.left, known)
        right = _string_expr(node.right, known)
        return left + right if left is not None and right is not None else None
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
    ):
        receiver = _string_expr(node.func.value, known)
        return _FORMAT_FIELD.sub("?", receiver) if receiver is not None else None
    return None


def _value_text(node: cst.BaseExpression) -> str:
    """A value as dotted text with subscripts dropped and calls as `()`:
    `request.GET.getlist("b")` -> `request.GET.getlist()`, `int(request.data["id"])` ->
    `request.data`; "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _value_text(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    if isinstance(node, cst.Subscript):
        return _value_text(node.value)
    if isinstance(node, cst.Await):
        return _value_text(node.expression)
    if isinstance(node, cst.Call):
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        if isinstance(node.func, cst.Name) and node.func.value in _CONVERSIONS and positional:
            return _value_text(positional[0])
        base = _value_text(node.func)
        return f"{base}()" if base else ""
    return ""


def _prefixed(text: str, prefix: str) -> bool:
    """`request.GET.getlist()` is under `request.GET`; `request.GETTER` is not."""
    return text == prefix or text.startswith((f"{prefix}.", f"{prefix}("))
