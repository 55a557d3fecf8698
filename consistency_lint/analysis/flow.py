"""The flow builder: one walk over a module that builds its flow trees and definitions.

It turns statements into the flow tree of each function (`summary.Block`: calls
classified by the packs, branches, loops, try blocks, transaction scopes,
deferred on-commit bodies, exits) and records functions and classes (fields,
tables, typed attributes). Names and types come from the resolver, positions
from the span recorder. The fact collectors ride on the same walk: the builder
hands them each scope, statement, compound-statement head and `with` item.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import replace

import libcst as cst

from consistency_lint.analysis import sqlfacts
from consistency_lint.analysis.collect import FactCollector
from consistency_lint.analysis.names import NameTable, dotted
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.resolver import Frame, Resolver, literals
from consistency_lint.analysis.spans import NO_SPAN, SpanRecorder
from consistency_lint.analysis.summary import (
    BOUND,
    CALL,
    CLASS_ARG,
    DISPATCH_CALL,
    ITEM,
    PARAM,
    TABLE_ITEM,
    Block,
    Branch,
    ClassDef,
    Deferred,
    Exit,
    FieldDef,
    FlowNode,
    Function,
    Loop,
    Op,
    Param,
    Scope,
    TryBlock,
)
from consistency_lint.domain.packs import HOOK_ROLES, CallSpec

_BUILTINS = frozenset(dir(builtins))
_PARTIAL = "functools.partial"

# Node fields that never hold code (whitespace, punctuation).
_SKIP_FIELD_PARTS = ("whitespace", "lpar", "rpar", "comma", "semicolon", "colon", "dot")
_LEAVES: tuple[type[cst.CSTNode], ...] = (
    cst.Name,
    cst.SimpleString,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.Ellipsis,
    cst.ConcatenatedString,
    cst.Lambda,  # deferred code: not executed where it is written
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(node_type: type) -> tuple[str, ...]:
    fields = _FIELDS.get(node_type)
    if fields is None:
        fields = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if not any(part in f.name for part in _SKIP_FIELD_PARTS)
            and f.name not in ("operator", "header", "footer", "leading_lines")
        )
        _FIELDS[node_type] = fields
    return fields


class FlowBuilder:
    def __init__(
        self,
        resolver: Resolver,
        spans: SpanRecorder,
        collectors: Sequence[FactCollector] = (),
    ) -> None:
        self.r = resolver
        self.spans = spans
        self.packs: PackIndex = resolver.packs
        self.module_name = resolver.module_name
        self.collectors = tuple(collectors)
        self.functions: list[Function] = []
        self.classes: list[ClassDef] = []
        self.dispatch: tuple[str, ...] = ()
        self.tables: tuple[tuple[str, tuple[str, ...]], ...] = ()
        # Functions registered to run when a row is written (signal receivers, mapper
        # listeners): (qualified target of the function, the registering call or decorator).
        self.hooks: list[tuple[str, Op]] = []

    def module(self, body: Sequence[cst.CSTNode]) -> None:
        """Walk the module body (after the resolver's pre-pass)."""
        self.dispatch = self._dispatch_table()
        self.tables = self._named_tables()
        frame = Frame(self.r.names)
        for collector in self.collectors:
            collector.begin_module(body)
            collector.enter_scope("<module>", (), frame, module=True)
        module_block = self._block(body, frame, scope_prefix="", in_function=False)
        for collector in self.collectors:
            collector.exit_scope()
        if _has_ops(module_block):
            self.functions.append(Function(qualname="<module>", span=NO_SPAN, body=module_block))

    def _named_tables(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        out = []
        for name, node in sorted(self.r.named_tables.items()):
            members = self._table_members([node])
            if members:
                out.append((name, members))
        return tuple(out)

    def _dispatch_table(self) -> tuple[str, ...]:
        """Project callables in module-level tables: a message bus may call any of them."""
        return self._table_members(self.r.tables)

    def _table_members(self, tables: Sequence[cst.CSTNode]) -> tuple[str, ...]:
        found: list[str] = []
        stack: list[cst.CSTNode] = list(tables)
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Dict):
                stack.extend(e.value for e in node.elements if isinstance(e, cst.DictElement))
            elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
                stack.extend(e.value for e in node.elements)
            elif isinstance(node, (cst.Name, cst.Attribute)):
                text = dotted(node)
                if text:
                    resolved, known = self.r.names.resolve(text)
                    if known and resolved.split(".")[0] not in self.r.pack_modules:
                        found.append(resolved)
        return tuple(sorted(set(found)))

    # ----- statements -------------------------------------------------------

    def _block(
        self, body: Sequence[cst.CSTNode], frame: Frame, *, scope_prefix: str, in_function: bool
    ) -> Block:
        out: list[FlowNode] = []
        for stmt in body:
            self._statement(stmt, frame, out, scope_prefix=scope_prefix, in_function=in_function)
        return tuple(out)

    def _suite(self, suite: cst.BaseSuite, frame: Frame, scope_prefix: str, in_function: bool) -> Block:
        if isinstance(suite, cst.SimpleStatementSuite):
            out: list[FlowNode] = []
            for small in suite.body:
                self._small(small, frame, out, in_function)
            return tuple(out)
        assert isinstance(suite, cst.IndentedBlock)
        return self._block(suite.body, frame, scope_prefix=scope_prefix, in_function=in_function)

    def _statement(
        self, stmt: cst.CSTNode, frame: Frame, out: list[FlowNode], *, scope_prefix: str, in_function: bool
    ) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._small(small, frame, out, in_function)
        elif isinstance(stmt, cst.FunctionDef):
            self._function(stmt, frame, scope_prefix)
        elif isinstance(stmt, cst.ClassDef):
            self._class(stmt, frame, scope_prefix)
        elif isinstance(stmt, cst.If):
            self._expr(stmt.test, frame, out)
            self._heads(stmt.test, frame)
            arms = [self._suite(stmt.body, frame, scope_prefix, in_function)]
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                nested: list[FlowNode] = []
                self._statement(orelse, frame, nested, scope_prefix=scope_prefix, in_function=in_function)
                arms.append(tuple(nested))
            elif isinstance(orelse, cst.Else):
                arms.append(self._suite(orelse.body, frame, scope_prefix, in_function))
            else:
                arms.append(())
            out.append(Branch(tuple(arms), lazy=orelse is None and _fills_missing(stmt)))
        elif isinstance(stmt, (cst.For, cst.While)):
            head = stmt.iter if isinstance(stmt, cst.For) else stmt.test
            self._expr(head, frame, out)
            self._heads(head, frame)
            if isinstance(stmt, cst.For):
                for collector in self.collectors:
                    collector.loop_target(stmt, frame)
            if isinstance(stmt, cst.For) and isinstance(stmt.target, cst.Name):
                iterated = self.r.type_of(stmt.iter, frame)
                # An element of a query result, typed by the project index (ITEM).
                self._bind(stmt.target, f"{iterated}{ITEM}" if iterated.endswith("()") else "", frame)
            body = self._suite(stmt.body, frame, scope_prefix, in_function)
            loop_else = self._suite(stmt.orelse.body, frame, scope_prefix, in_function) if stmt.orelse else ()
            out.append(Loop(body, loop_else))
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            body = self._suite(stmt.body, frame, scope_prefix, in_function)
            handlers = tuple(self._suite(h.body, frame, scope_prefix, in_function) for h in stmt.handlers)
            try_else = self._suite(stmt.orelse.body, frame, scope_prefix, in_function) if stmt.orelse else ()
            final = (
                self._suite(stmt.finalbody.body, frame, scope_prefix, in_function) if stmt.finalbody else ()
            )
            out.append(TryBlock(body, handlers, try_else, final))
        elif isinstance(stmt, cst.With):
            self._with(stmt, list(stmt.items), frame, out, scope_prefix, in_function)
        elif isinstance(stmt, cst.Match):
            self._expr(stmt.subject, frame, out)
            self._heads(stmt.subject, frame)
            cases = tuple(self._suite(case.body, frame, scope_prefix, in_function) for case in stmt.cases)
            out.append(Branch((*cases, ())))

    def _with(
        self,
        stmt: cst.With,
        items: list[cst.WithItem],
        frame: Frame,
        out: list[FlowNode],
        scope_prefix: str,
        in_function: bool,
    ) -> None:
        if not items:
            out.extend(self._suite(stmt.body, frame, scope_prefix, in_function))
            return
        item, rest = items[0], items[1:]
        expr = item.item
        opener: Op | None = None
        kind = self.r.type_of(expr, frame)
        if isinstance(expr, cst.Call):
            for arg in expr.args:
                self._expr(arg.value, frame, out)
            op = self._classify(expr, frame)
            if op is not None and op.kind in ("begin", CALL):
                # A project context manager (`with session_scope() as s:`, `with UnitOfWork():`)
                # is a CALL opener: the project phase decides whether it bounds a transaction.
                opener = op
            elif op is not None:
                out.append(op)
        else:
            self._expr(expr, frame, out)
            text = dotted(expr)
            if text and kind and "()" not in kind and kind.split(".")[0] not in self.r.pack_modules:
                # `with uow:` / `async with self.uow:` on a value of a project class.
                opener = Op(
                    CALL, f"{kind}.__enter__", self.spans.record(expr), receiver=text, text=f"with {text}"
                )
        if opener is None and kind and self.packs.with_commits(kind):
            text = dotted(expr) or kind
            opener = Op(
                "begin",
                f"{kind}.__enter__",
                self.spans.record(expr),
                receiver=text,
                commits=True,
                nested="join",
                text=f"with {text}",
            )
        if item.asname is not None and isinstance(item.asname.name, cst.Name):
            bound = ""
            if opener is not None and opener.kind != CALL and opener.target:
                bound = self.packs.returns_of(opener.target)
            frame.types[item.asname.name.value] = bound or kind
        for collector in self.collectors:
            collector.with_item(item, frame)
        inner: list[FlowNode] = []
        self._with(stmt, rest, frame, inner, scope_prefix, in_function)
        if opener is not None:
            out.append(Scope(opener, tuple(inner)))
        else:
            out.extend(inner)

    def _annotation_names(self, annotation: cst.BaseExpression, names: NameTable) -> tuple[str, ...]:
        """The names an annotation mentions; its dotted names go to the collectors."""
        mentioned, chains = self.r.annotation_names(annotation, names)
        for text, node in chains:
            for collector in self.collectors:
                collector.attribute_chain(text, node, names)
        return mentioned

    def _heads(self, expr: cst.BaseExpression, frame: Frame) -> None:
        for collector in self.collectors:
            collector.expression(expr, frame)

    def _small(
        self, small: cst.BaseSmallStatement, frame: Frame, out: list[FlowNode], in_function: bool
    ) -> None:
        self._flow_small(small, frame, out, in_function)
        for collector in self.collectors:
            collector.statement(small, frame)

    def _flow_small(
        self, small: cst.BaseSmallStatement, frame: Frame, out: list[FlowNode], in_function: bool
    ) -> None:
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            if in_function:
                self.r.bind_import(small, frame.names, in_function=True, type_checking=False)
            return
        if isinstance(small, cst.Return):
            if small.value is not None:
                self._expr(small.value, frame, out)
                generic = self.r.class_arg_of(small.value, frame)
                if generic and not frame.returned:
                    frame.returned = f"{CLASS_ARG}.{generic}"
                frame.returned = frame.returned or self.r.type_of(small.value, frame)
                if isinstance(small.value, cst.Call) and not frame.return_call:
                    frame.return_call = self.r.returned_call(small.value, frame)
            out.append(Exit("return", self.spans.record(small)))
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                self._expr(small.exc, frame, out)
            out.append(Exit("raise", self.spans.record(small)))
        elif isinstance(small, (cst.Break, cst.Continue)):
            out.append(Exit("break" if isinstance(small, cst.Break) else "continue", NO_SPAN))
        elif isinstance(small, cst.Assign):
            self._expr(small.value, frame, out)
            kind = self.r.type_of(small.value, frame)
            generic = self.r.class_arg_of(small.value, frame)
            for target in small.targets:
                self._bind(target.target, kind, frame)
                self._bind_partial(target.target, small.value, frame)
                if isinstance(target.target, cst.Name):
                    if generic:
                        frame.class_args[target.target.value] = generic
                    else:
                        frame.class_args.pop(target.target.value, None)
                    made = (
                        self.r.returned_call(small.value, frame) if isinstance(small.value, cst.Call) else ()
                    )
                    if made and kind.endswith("()"):
                        frame.local_calls[target.target.value] = made
                    else:
                        frame.local_calls.pop(target.target.value, None)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self._expr(small.value, frame, out)
            kind = self.r.annotation_type(small.annotation.annotation, frame.names)
            self._annotation_names(small.annotation.annotation, frame.names)
            if not kind and small.value is not None:
                kind = self.r.type_of(small.value, frame)
            self._bind(small.target, kind, frame)
        elif isinstance(small, (cst.AugAssign, cst.Expr)):
            self._expr(small.value, frame, out)
            value = small.value
            if isinstance(value, cst.Yield) and isinstance(value.value, cst.BaseExpression):
                frame.returned = frame.returned or self.r.type_of(value.value, frame)
        elif isinstance(small, (cst.Del, cst.Assert)):
            for name in _child_fields(type(small)):
                value = getattr(small, name)
                if isinstance(value, cst.BaseExpression):
                    self._expr(value, frame, out)

    def _bind_partial(self, target: cst.BaseExpression, value: cst.BaseExpression, frame: Frame) -> None:
        """`send = functools.partial(refresh.delay, pk)`: calling the local `send` calls what
        the partial wraps; a local bound to a class loader's call names that class. A local
        bound to anything else shadows an earlier partial."""
        if not isinstance(target, cst.Name) or frame.names.parent is None:
            return
        wrapped = ""
        if (
            isinstance(value, cst.Call)
            and value.args
            and value.args[0].keyword is None
            and self.r.qualify(dotted(value.func) or "", frame) == _PARTIAL
        ):
            inner = dotted(value.args[0].value)
            wrapped = self.r.qualify(inner, frame) if inner else ""
        elif isinstance(value, cst.Call):
            # `Document = apps.get_model("documents", "Document")` in a function body.
            wrapped = self.r.loaded_class(value, frame.names)
        if wrapped:
            frame.names.bind(target.value, wrapped)
            frame.types.pop(target.value, None)
        elif target.value in frame.names.names:
            del frame.names.names[target.value]

    def _bind(self, target: cst.BaseExpression, kind: str, frame: Frame) -> None:
        text = dotted(target)
        if text is None or "()" in text:
            return
        frame.params.discard(text)
        if kind:
            frame.types[text] = kind
        else:
            frame.types.pop(text, None)

    # ----- expressions: calls in evaluation order -----------------------------

    def _expr(self, node: cst.CSTNode, frame: Frame, out: list[FlowNode]) -> None:
        node_type = type(node)
        if node_type is cst.Yield:
            frame.yields = True
        if node_type is cst.Call:
            call: cst.Call = node  # type: ignore[assignment]
            self._expr(call.func, frame, out)
            op = self._classify(call, frame)
            if op is not None and op.kind == "on-commit":
                self._on_commit(call, op, frame, out)
                return
            if op is not None and op.kind in HOOK_ROLES:
                self._hook_call(call, op, frame)
            for arg in call.args:
                self._expr(arg.value, frame, out)
            if op is not None:
                out.append(op)
            return
        if node_type is cst.Attribute:
            text = dotted(node)  # type: ignore[arg-type]
            if text is not None and "()" not in text:
                for collector in self.collectors:
                    collector.attribute_chain(text, node, frame.names)
                return  # a chain of names: no call inside
        if isinstance(node, _LEAVES):
            return
        for name in _child_fields(node_type):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                self._expr(value, frame, out)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        self._expr(item, frame, out)

    def _classify(self, call: cst.Call, frame: Frame) -> Op | None:
        text = (
            self._unwrapped(call.func, frame)
            or dotted(call.func)
            or self._keyword_item_text(call.func, frame)
        )
        if text is None:
            return self._table_item_call(call, frame)
        target = self.r.qualify(text, frame)
        chained = self.r.chained_target(call.func, frame)
        if chained and self.packs.call(chained, literals(call)) is not None:
            target = chained  # boto3.client("ses").send_email(...)
        receiver = text.rpartition(".")[0]
        spec = self.packs.call(target, literals(call))
        if spec is None and target in self.packs.types:
            spec = self.packs.call(f"{target}.__call__")  # calling a task object enqueues it
            target = f"{target}.__call__" if spec is not None else target
        if spec is None and text.endswith("()"):
            produced = self.r.call_result(text[:-2], frame)  # `chord(header)(callback)`
            called = self.packs.call(f"{produced}.__call__") if produced else None
            if called is not None:
                spec, target = called, called.target
        arg_classes = self._arg_classes(call, frame)
        if spec is not None and spec.unless_keyword and _passes_keyword(call, spec.unless_keyword):
            return None  # `form.save(commit=False)`: the entry does not apply
        if spec is not None and spec.reads_if_select >= 0 and _reads_only(call, spec.reads_if_select):
            return None  # `conn.execute(text("SELECT ..."))`: a read
        if spec is not None and spec.role:
            return Op(
                spec.role,
                target,
                self.spans.record(call),
                receiver=receiver,
                effect_kind=spec.effect_kind,
                pack=spec.pack,
                arg_classes=arg_classes,
                text=f"{text}()",
                commits=spec.commits_on_exit if spec.role == "begin" else spec.autocommit,
                nested=spec.nested if spec.role == "begin" else "",
            )
        if target == text and "." not in text and frame.names.lookup(text) is None:
            if self.dispatch and text not in _BUILTINS:
                # `handler(event)` in a module with a table of handlers: a message bus.
                return Op(
                    CALL, f"{self.module_name}.{DISPATCH_CALL}", self.spans.record(call), text=f"{text}()"
                )
            return None  # a builtin or an unknown local callable
        arg_types, keyword_types = self._arg_types(call, frame)
        if target == text and not receiver.startswith("self"):
            head = text.split(".")[0]
            if head in frame.params and "()" not in text:
                # `order.save()` on an untyped parameter: typed later from the call sites.
                target = f"{PARAM}.{text}"
            elif frame.names.lookup(head) is None and head not in frame.types:
                return None  # a method of a value we know nothing about
        head = text.split(".")[0]
        made = frame.local_calls.get(head, ()) if target.startswith(f"{frame.types.get(head)}.") else ()
        return Op(
            CALL,
            target,
            self.spans.record(call),
            receiver=receiver,
            arg_classes=arg_classes,
            text=f"{text}()",
            arg_types=arg_types,
            keyword_types=keyword_types,
            receiver_call=made,
        )

    def _table_item_call(self, call: cst.Call, frame: Frame) -> Op | None:
        """`TASKS[name].delay()` or `HANDLERS[kind](event)` on a module-level table (of this
        module or imported): a call of the method on (or of) any callable the table lists."""
        func = call.func
        if isinstance(func, cst.Subscript):  # `HANDLERS[kind](event)`: calls a listed callable
            table = dotted(func.value) or ""
            resolved, known = frame.names.resolve(table) if table and "(" not in table else ("", False)
            if not known:
                return None
            return Op(CALL, f"{resolved}.{TABLE_ITEM}", self.spans.record(call), text=f"{table}[...]()")
        if not isinstance(func, cst.Attribute):
            return None
        holder = func.value
        # (`TASKS.get(name).delay()` has a dotted text: the project phase reads it.)
        table = (dotted(holder.value) or "") if isinstance(holder, cst.Subscript) else ""
        if not table or "(" in table:
            return None
        resolved, known = frame.names.resolve(table)
        if not known:
            return None
        return Op(
            CALL,
            f"{resolved}.{TABLE_ITEM}.{func.attr.value}",
            self.spans.record(call),
            text=f"{table}[...].{func.attr.value}()",
        )

    def _arg_types(self, call: cst.Call, frame: Frame) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """The arguments' types for the project phase's parameter typing (empty: none known)."""
        positional: list[str] = []
        keywords: list[tuple[str, str]] = []
        for arg in call.args:
            if arg.star:
                break
            value = arg.value
            kind = self.r.type_of(value, frame)
            if not kind and isinstance(value, cst.Name) and value.value in frame.params:
                kind = f"{PARAM}.{value.value}"
            if arg.keyword is None:
                positional.append(kind)
            elif kind:
                keywords.append((arg.keyword.value, kind))
        if not any(positional):
            positional = []
        return tuple(positional), tuple(keywords)

    def _unwrapped(self, func: cst.BaseExpression, frame: Frame) -> str:
        """`async_to_sync(layer.group_send)(...)`: the callable a wrapper (a pack entry with
        `wraps-arg`) calls when its result is called ("" if `func` is no such wrapper)."""
        if not isinstance(func, cst.Call):
            return ""
        inner = dotted(func.func)
        spec = self.packs.call(self.r.qualify(inner, frame)) if inner else None
        if spec is None or spec.wraps_arg < 0:
            return ""
        positional = [a.value for a in func.args if a.keyword is None]
        if spec.wraps_arg >= len(positional):
            return ""
        return dotted(positional[spec.wraps_arg]) or ""

    def _arg_classes(self, call: cst.Call, frame: Frame) -> tuple[str, ...]:
        out = []
        for arg in call.args:
            value = arg.value
            if isinstance(value, cst.Call):
                text = dotted(value.func)
                if text:
                    resolved, _ = frame.names.resolve(text)
                    out.append(resolved)
            else:
                text = dotted(value)
                if text:
                    kind = self.r.value_type(text, frame)
                    if kind:
                        out.append(kind)
        return tuple(out)

    def _on_commit(self, call: cst.Call, hook: Op, frame: Frame, out: list[FlowNode]) -> None:
        positional = [a for a in call.args if a.keyword is None]
        spec = self.packs.call(hook.target, literals(call))
        index = spec.callback_arg if spec is not None else 0
        callback: cst.BaseExpression | None = None
        if len(positional) > index:
            callback = positional[index].value
        for arg in call.args:
            if arg.value is not callback:
                self._expr(arg.value, frame, out)
        body: list[FlowNode] = []
        if isinstance(callback, cst.Lambda):
            self._expr(callback.body, frame, body)
        elif (
            isinstance(callback, cst.Call) and self.r.qualify(dotted(callback.func) or "", frame) == _PARTIAL
        ):
            if callback.args:
                self._callback_ref(callback.args[0].value, frame, body)
        elif callback is not None:
            self._callback_ref(callback, frame, body)
        out.append(Deferred(hook, tuple(body)))

    def _hook_call(self, call: cst.Call, hook: Op, frame: Frame) -> None:
        """`post_save.connect(f)`, `event.listen(Order, "after_insert", f)`: f runs when a row
        is written; the call itself is no operation of the flow."""
        spec = self.packs.call(hook.target, literals(call))
        if spec is None:
            return
        positional = [a for a in call.args if a.keyword is None]
        callback: cst.BaseExpression | None = None
        if len(positional) > spec.callback_arg:
            callback = positional[spec.callback_arg].value
        for arg in call.args:
            keyword = arg.keyword.value if arg.keyword is not None else ""
            if spec.callback_keyword and keyword == spec.callback_keyword:
                callback = arg.value
        if isinstance(callback, cst.Call) and self.r.qualify(dotted(callback.func) or "", frame) == _PARTIAL:
            callback = callback.args[0].value if callback.args else None
        text = dotted(callback) if callback is not None else None
        if text:
            self.hooks.append((self.r.qualify(text, frame), replace(hook, text=_hook_name(spec, call))))

    def _sender_instance(self, expr: cst.Call, spec: CallSpec, node: cst.FunctionDef, frame: Frame) -> None:
        """`@receiver(post_save, sender=Order) def f(sender, instance, **kwargs)`: the receiver's
        `instance` parameter, or `kwargs["instance"]`, is an `Order` (pack `sender-keyword`,
        `instance-keyword`)."""
        sender = next(
            (a.value for a in expr.args if a.keyword is not None and a.keyword.value == spec.sender_keyword),
            None,
        )
        text = dotted(sender) if sender is not None else None
        if not text or "()" in text:
            return
        resolved, known = frame.names.resolve(text)
        if not known:
            return
        name = spec.instance_keyword
        if name in frame.params:
            frame.params.discard(name)
            frame.types[name] = resolved
        star = node.params.star_kwarg
        if star is not None:
            frame.types[_keyword_item(star.name.value, name)] = resolved

    def _keyword_item_text(self, func: cst.BaseExpression, frame: Frame) -> str | None:
        """`kwargs["instance"].save` when `kwargs["instance"]` has a known type (a signal
        receiver's instance): the text of the call with the item as its receiver."""
        parts: list[str] = []
        while isinstance(func, cst.Attribute):
            parts.append(func.attr.value)
            func = func.value
        if not parts or not isinstance(func, cst.Subscript) or not isinstance(func.value, cst.Name):
            return None
        if len(func.slice) != 1 or not isinstance(func.slice[0].slice, cst.Index):
            return None
        key = func.slice[0].slice.value
        if not isinstance(key, cst.SimpleString):
            return None
        item = _keyword_item(func.value.value, str(key.evaluated_value))
        if item not in frame.types:
            return None
        return ".".join([item, *reversed(parts)])

    def _decorator_hooks(self, expr: cst.Call, target: str, names: NameTable) -> Iterator[Op]:
        """The hooks a decorator registers its function with: its own role, or, for
        `@receiver(post_save)` (`connects-arg`), the role of `post_save.connect`
        (`connects-method`)."""
        spec = self.packs.call(target, literals(expr))
        if spec is None:
            return
        span = self.spans.record(expr)
        if spec.role in HOOK_ROLES:
            yield Op(spec.role, target, span, text=_hook_name(spec, expr), pack=spec.pack)
        positional = [a.value for a in expr.args if a.keyword is None]
        if spec.connects_arg < 0 or len(positional) <= spec.connects_arg:
            return
        named = positional[spec.connects_arg]
        signals = [e.value for e in named.elements] if isinstance(named, (cst.List, cst.Tuple)) else [named]
        for signal in signals:
            text = dotted(signal)
            if not text:
                continue
            connect = self.packs.call(f"{names.resolve(text)[0]}.{spec.connects_method}")
            if connect is not None and connect.role in HOOK_ROLES:
                yield Op(connect.role, connect.target, span, text=text.rpartition(".")[2], pack=connect.pack)

    def _callback_ref(self, node: cst.BaseExpression, frame: Frame, body: list[FlowNode]) -> None:
        text = dotted(node)
        if text is None:
            return
        target = self.r.qualify(text, frame)
        spec = self.packs.call(target)
        kind = spec.role if spec is not None and spec.role else CALL
        effect = spec.effect_kind if spec is not None else ""
        body.append(
            Op(
                kind,
                target,
                self.spans.record(node),
                receiver=text.rpartition(".")[0],
                effect_kind=effect,
                text=f"{text}()",
            )
        )

    # ----- definitions ------------------------------------------------------

    def _function(self, node: cst.FunctionDef, outer: Frame, scope_prefix: str) -> None:
        qualname = f"{scope_prefix}{node.name.value}"
        names = outer.names.child()
        frame = Frame(names, outer.class_qual, outer.class_attrs)
        params: list[Param] = []
        all_params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        for index, param in enumerate(all_params):
            name = param.name.value
            annotation = ""
            mentioned: tuple[str, ...] = ()
            if param.annotation is not None:
                annotation = self.r.annotation_type(param.annotation.annotation, outer.names)
                mentioned = self._annotation_names(param.annotation.annotation, outer.names)
            default = ""
            if isinstance(param.default, cst.Call) and param.default.args:
                inner = dotted(param.default.args[0].value)
                if inner:
                    default = self.r.qualify(inner, outer)
                    if not annotation and inner.split(".")[0] != "None":
                        # FastAPI `db=Depends(get_db)`: the value is what get_db provides.
                        annotation_hint = self.r.call_result(inner, outer)
                        if annotation_hint:
                            frame.types[name] = annotation_hint
            if index == 0 and name in ("self", "cls") and outer.class_qual:
                frame.types.pop(name, None)
                if name == "cls":
                    frame.own_class = name
            elif annotation:
                frame.types[name] = annotation
            elif name not in frame.types:
                frame.params.add(name)
            params.append(Param(name, annotation, default, mentioned))
        decorators = []
        keywords: list[tuple[str, str]] = []
        job_name = ""
        opener: Op | None = None
        hook: Op | None = None
        for deco in node.decorators:
            expr = deco.decorator
            func = expr.func if isinstance(expr, cst.Call) else expr
            text = dotted(func)
            if text is None:
                continue
            target = self.r.qualify(text, outer)
            wrapped = self._unwrapped(expr, outer)
            if wrapped:  # `@method_decorator(transaction.atomic)`: the decorator is the argument
                text, target = wrapped, self.r.qualify(wrapped, outer)
                expr = cst.parse_expression(wrapped)
            decorators.append(target)
            if isinstance(expr, cst.Call):
                for arg in expr.args:
                    if (
                        arg.keyword is not None
                        and arg.keyword.value in self.packs.syntax.job_name_keywords
                        and isinstance(arg.value, cst.SimpleString)
                        and isinstance(arg.value.evaluated_value, str)
                    ):
                        job_name = arg.value.evaluated_value  # `@actor(actor_name="order.paid")`
                    if arg.keyword is not None:
                        named = dotted(arg.value)
                        if named:
                            keywords.append((arg.keyword.value, outer.names.resolve(named)[0]))
                    if isinstance(arg.value, cst.Call):
                        # What a call argument makes (`cron_trigger=CronTrigger(hour=0)`,
                        # `crontab(minute=0)`): keyed "" when positional.
                        made = dotted(arg.value.func)
                        if made and "()" not in made:
                            key = arg.keyword.value if arg.keyword is not None else ""
                            keywords.append((key, outer.names.resolve(made)[0]))
            spec = self.packs.call(target, literals(expr) if isinstance(expr, cst.Call) else ())
            if spec is not None and spec.sender_keyword and isinstance(expr, cst.Call):
                self._sender_instance(expr, spec, node, frame)
            if isinstance(expr, cst.Call):
                prefix = f"{self.module_name}." if self.module_name else ""
                for registered in self._decorator_hooks(expr, target, outer.names):
                    self.hooks.append((prefix + qualname, registered))
            if spec is not None and spec.role == "on-commit" and hook is None:
                # `@event.listens_for(Session, "after_commit")`: the body runs after a commit.
                hook = Op("on-commit", target, self.spans.record(deco), text=f"@{text}", pack=spec.pack)
            if spec is not None and spec.role == "begin" and opener is None:
                opener = Op(
                    "begin",
                    target,
                    self.spans.record(deco),
                    text=f"@{text}",
                    commits=spec.commits_on_exit,
                    nested=spec.nested,
                    pack=spec.pack,
                )
        frame.returned = ""
        for collector in self.collectors:
            collector.enter_scope(qualname, [p.name.value for p in all_params], frame, module=False)
        body = self._suite(node.body, frame, f"{qualname}.", True)
        for collector in self.collectors:
            collector.exit_scope()
        if opener is not None:
            body = (Scope(opener, body),)
        if hook is not None:
            body = (Deferred(hook, body),)
        returns = ""
        return_names: tuple[str, ...] = ()
        if node.returns is not None:
            returns = self.r.annotation_type(node.returns.annotation, outer.names)
            return_names = self._annotation_names(node.returns.annotation, outer.names)
        returns = returns or frame.returned
        self.functions.append(
            Function(
                qualname=qualname,
                span=self.spans.record(node.name),
                params=tuple(params),
                decorators=tuple(decorators),
                returns=returns,
                body=body,
                is_async=node.asynchronous is not None,
                class_name=outer.class_qual,
                decorator_keywords=tuple(keywords),
                return_names=return_names,
                generator=frame.yields,
                return_call=frame.return_call,
                job_name=job_name,
            )
        )

    def _class(self, node: cst.ClassDef, outer: Frame, scope_prefix: str) -> None:
        qualname = f"{scope_prefix}{node.name.value}"
        class_qual = f"{self.module_name}.{qualname}"
        bases = []
        keywords = []
        for arg in node.bases:
            # `RepositoryBase[Checkout]`: a generic base is the class subscripted
            base = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value
            text = dotted(base)
            if arg.keyword is not None:
                value = arg.value
                keywords.append((arg.keyword.value, value.value if isinstance(value, cst.Name) else ""))
            elif text is not None:
                resolved, _ = outer.names.resolve(text)
                bases.append(resolved)
        for kw in node.keywords:
            if kw.keyword is not None:
                value = kw.value
                keywords.append((kw.keyword.value, value.value if isinstance(value, cst.Name) else ""))
        fields: list[FieldDef] = []
        attrs: dict[str, str] = {}
        table = ""
        body = node.body.body
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    field_def = self._field(small, outer)
                    if field_def is None:
                        continue
                    if field_def.name in self.packs.table_attributes:
                        table = _string_value(small) or table
                    elif field_def.name in self.packs.abstract_attributes:
                        flag = getattr(small, "value", None)
                        if isinstance(flag, cst.Name):
                            keywords.append((field_def.name, flag.value))
                    fields.append(field_def)
                    if field_def.annotation:
                        attrs[field_def.name] = field_def.annotation
            elif isinstance(stmt, cst.ClassDef):  # options classes such as Django's `Meta`
                for inner in stmt.body.body:
                    if not isinstance(inner, cst.SimpleStatementLine):
                        continue
                    for small in inner.body:
                        if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name):
                            key = f"{stmt.name.value}.{small.targets[0].target.value}"
                            if key in self.packs.table_attributes:
                                table = _string_value(small) or table
                            elif isinstance(small.value, cst.Name):
                                keywords.append((key, small.value.value))
            elif isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__":
                attrs.update(self._init_attrs(stmt, outer))
        decorators = []
        for deco in node.decorators:
            expr = deco.decorator
            text = dotted(expr.func if isinstance(expr, cst.Call) else expr)
            if text:
                decorators.append(outer.names.resolve(text)[0])
        self.classes.append(
            ClassDef(
                qualname=qualname,
                span=self.spans.record(node.name),
                bases=tuple(bases),
                keywords=tuple(keywords),
                decorators=tuple(decorators),
                fields=tuple(fields),
                table_name=table,
                attributes=tuple(sorted(attrs.items())),
            )
        )
        for collector in self.collectors:  # class-level statements: `queryset = M.objects.all()`
            collector.enter_scope(qualname, (), outer, module=False, class_body=True)
            for stmt in body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    for small in stmt.body:
                        collector.statement(small, outer)
            collector.exit_scope()
        frame = Frame(outer.names, class_qual, attrs)
        for stmt in body:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                self._statement(stmt, frame, [], scope_prefix=f"{qualname}.", in_function=False)

    def _field(self, small: cst.CSTNode, outer: Frame) -> FieldDef | None:
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            value: cst.BaseExpression | None = small.value
            annotation = ""
        elif isinstance(small, cst.AnnAssign):
            target = small.target
            value = small.value
            annotation = self.r.annotation_type(small.annotation.annotation, outer.names)
            self._annotation_names(small.annotation.annotation, outer.names)
        else:
            return None
        if not isinstance(target, cst.Name):
            return None
        call = ""
        if isinstance(value, cst.Call):
            text = dotted(value.func)
            if text:
                call = outer.names.resolve(text)[0]
        related = ""
        if isinstance(value, cst.Call) and value.args and value.args[0].keyword is None:
            first = value.args[0].value
            if isinstance(first, cst.SimpleString):
                evaluated = first.evaluated_value
                related = evaluated if isinstance(evaluated, str) else ""
            else:
                if isinstance(first, cst.Call):  # Column(String(36)): the column type
                    first = first.func
                first_text = dotted(first)
                if first_text and "()" not in first_text:
                    related = outer.names.resolve(first_text)[0]
        related_name = ""
        keywords = self.packs.syntax.related_name_keywords  # the first listed wins
        if isinstance(value, cst.Call) and related and keywords:
            rank = len(keywords)
            for arg in value.args:
                if arg.keyword is not None and arg.keyword.value in keywords:
                    literal = _string_value(arg)
                    position = keywords.index(arg.keyword.value)
                    if literal and (not related_name or position < rank):
                        related_name, rank = literal, position
        elements = (
            [outer.names.resolve(text)[0] for text in _concatenated_names(value)] if value is not None else []
        )
        nullable = isinstance(value, cst.Call) and any(
            arg.keyword is not None
            and arg.keyword.value in self.packs.syntax.nullable_keywords
            and isinstance(arg.value, cst.Name)
            and arg.value.value == "True"
            for arg in value.args
        )
        return FieldDef(
            target.value,
            call,
            annotation,
            self.spans.record(target),
            related,
            related_name,
            tuple(elements),
            nullable,
        )

    def _bound_method(self, value: cst.BaseExpression, frame: Frame) -> str:
        """`session.commit` (not called) on a typed value: the bound method, marked `BOUND`."""
        if not isinstance(value, cst.Attribute):
            return ""
        text = dotted(value)
        receiver = text.rpartition(".")[0] if text and "()" not in text else ""
        kind = self.r.value_type(receiver, frame) if receiver else ""
        return f"{BOUND}{kind}.{value.attr.value}" if kind else ""

    def _init_attrs(self, init: cst.FunctionDef, outer: Frame) -> dict[str, str]:
        """`self.x` types from `__init__`: annotated parameters and constructor calls."""
        frame = Frame(outer.names.child())
        for param in init.params.params:
            if param.annotation is not None:
                kind = self.r.annotation_type(param.annotation.annotation, outer.names)
                if kind:
                    frame.types[param.name.value] = kind
        attrs: dict[str, str] = {}
        if not isinstance(init.body, cst.IndentedBlock):
            return attrs
        for stmt in init.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    kind = self.r.type_of(small.value, frame) or self._bound_method(small.value, frame)
                    for target in small.targets:
                        text = dotted(target.target)
                        if kind and text and text.startswith("self."):
                            attrs[text[5:]] = kind
                elif isinstance(small, cst.AnnAssign):
                    text = dotted(small.target)
                    kind = self.r.annotation_type(small.annotation.annotation, outer.names)
                    if not kind and small.value is not None:
                        kind = self.r.type_of(small.value, frame)
                    if kind and text and text.startswith("self."):
                        attrs[text[5:]] = kind
        return attrs


def _passes_keyword(call: cst.Call, pairs: tuple[tuple[str, str], ...]) -> bool:
    """Does the call pass one of these keywords with this value (as written in source)?"""
    for arg in call.args:
        if arg.keyword is None:
            continue
        for keyword, value in pairs:
            if arg.keyword.value == keyword and _source_text(arg.value) == value:
                return True
    return False


def _source_text(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.SimpleString):
        evaluated = node.evaluated_value
        return evaluated if isinstance(evaluated, str) else ""
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.value
    return ""


def _string_value(small: cst.CSTNode) -> str:
    value = getattr(small, "value", None)
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        evaluated = value.evaluated_value
        return evaluated if isinstance(evaluated, str) else ""
    return ""


def _has_ops(block: Block) -> bool:
    for node in block:
        if isinstance(node, Op):
            return True
        if isinstance(node, Branch) and any(_has_ops(arm) for arm in node.arms):
            return True
        if isinstance(node, (Loop, Scope, Deferred, TryBlock)):
            return True
    return False


def _hook_name(spec: CallSpec, call: cst.Call) -> str:
    """How a registered hook is named in messages: the event literal (`after_insert`) or the
    signal the callback is connected to (`post_save`)."""
    values = literals(call)
    if spec.if_literal and spec.literal_arg < len(values):
        literal = values[spec.literal_arg]
        if literal:
            return literal
    parent = spec.target.rpartition(".")[0]
    return parent.rpartition(".")[2] or spec.target


def _concatenated_names(value: cst.BaseExpression) -> list[str]:
    """Names a class attribute lists: `[IsAuth, IsMember]`, `(IsMember,)`, and lists joined
    with `+` or named (`api_settings.DEFAULT_PERMISSION_CLASSES + [IsMember]`)."""
    if isinstance(value, (cst.List, cst.Tuple)):
        return [text for element in value.elements for text in _listed_names(element.value)]
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        return _concatenated_names(value.left) + _concatenated_names(value.right)
    if isinstance(value, (cst.Name, cst.Attribute)):
        text = dotted(value)
        return [text] if text and "()" not in text else []
    return []


def _listed_names(node: cst.BaseExpression) -> list[str]:
    """Names an element of a listed value stands for: `IsMember`, `IsAuth & IsMember`,
    `HasRole("admin")` (the called class)."""
    if isinstance(node, cst.BinaryOperation):
        return _listed_names(node.left) + _listed_names(node.right)
    if isinstance(node, cst.Call):
        node = node.func
    text = dotted(node)
    return [text] if text and "()" not in text else []


def _fills_missing(stmt: cst.If) -> bool:
    """`if x is None:` / `if not x:` whose body assigns `x` and otherwise only saves it: a
    lazy get-or-create (`x = M(name=n)`, then `x.save()`, `session.add(x)`, `session.commit()`
    or a cache reset: calls whose only argument, if any, is `x`)."""
    test = stmt.test
    name = ""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        name = test.expression.value if isinstance(test.expression, cst.Name) else ""
    elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        none = isinstance(target.comparator, cst.Name) and target.comparator.value == "None"
        if isinstance(target.operator, cst.Is) and none and isinstance(test.left, cst.Name):
            name = test.left.value
    if not name:
        return False
    lines = [line for line in stmt.body.body if isinstance(line, cst.SimpleStatementLine)]
    if len(lines) != len(stmt.body.body):
        return False  # a compound statement in the body
    smalls = [small for line in lines for small in line.body]
    assigns = [small for small in smalls if _assigns(small, name)]
    return bool(assigns) and all(small in assigns or _saves(small, name) for small in smalls)


def _assigns(small: cst.BaseSmallStatement, name: str) -> bool:
    return (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == name
    )


def _saves(small: cst.BaseSmallStatement, name: str) -> bool:
    """A call statement whose only argument, if any, is `name` (`x.save()`, `add(x)`)."""
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return False
    args = small.value.args
    return all(
        isinstance(arg.value, cst.Name) and arg.value.value == name and not arg.keyword for arg in args
    )


def _reads_only(call: cst.Call, index: int) -> bool:
    """The positional argument `index` is a literal query that only reads, written directly
    (`"SELECT ..."`) or as the first argument of a call (`text("SELECT ...")`)."""
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    if index >= len(positional):
        return False
    value = positional[index]
    if isinstance(value, cst.Call) and value.args and value.args[0].keyword is None:
        value = value.args[0].value  # text("SELECT ...")
    if not isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        return False
    sql = value.evaluated_value
    if not isinstance(sql, str):
        return False
    return sqlfacts.reads_only(sql)


def _keyword_item(mapping: str, key: str) -> str:
    """The name a typed item of a `**kwargs` mapping goes by in a frame's types."""
    return f'{mapping}["{key}"]'
