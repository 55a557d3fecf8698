"""The per-file phase: one pass over a libcst module that builds its FileSummary.

No metadata providers: names are resolved with `names.NameTable`, receiver
types with a small per-function environment fed by annotations, constructor
calls and the packs, and positions are computed at the end for the recorded
nodes only (`locate`).
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Sequence
from typing import Any

import libcst as cst

from consistency_lint.analysis.locate import locate
from consistency_lint.analysis.names import (
    NameTable,
    attribute_name,
    dotted,
    module_of_relative,
)
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.summary import (
    CALL,
    DISPATCH,
    DISPATCH_CALL,
    SUPER,
    Block,
    Branch,
    ClassDef,
    Deferred,
    Exit,
    FieldDef,
    FileSummary,
    FlowNode,
    Function,
    Import,
    Loop,
    Op,
    Param,
    Reference,
    Scope,
    Suppressions,
    TryBlock,
)
from consistency_lint.analysis.tenancy_facts import EXTRA_KEY as TENANCY_KEY
from consistency_lint.analysis.tenancy_facts import TenancyScanner
from consistency_lint.domain.diagnostic import Span

_NO_SPAN = Span(0, 0, 0, 0)
_BUILTINS = frozenset(dir(builtins))
_PARTIAL = "functools.partial"
_TYPE_CHECKING = ("TYPE_CHECKING", "typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING")

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


class _Lazy:
    """A span to be filled once positions are computed."""

    __slots__ = ("node",)

    def __init__(self, node: cst.CSTNode) -> None:
        self.node = node


class _Frame:
    """What is known inside one function (or the module body)."""

    def __init__(self, names: NameTable, class_qual: str = "", class_attrs: dict[str, str] | None = None):
        self.names = names
        self.types: dict[str, str] = {}
        self.class_qual = class_qual
        self.class_attrs = class_attrs or {}
        self.returned = ""  # type of the first returned or yielded value with a known type


class Extractor:
    def __init__(
        self,
        module: cst.Module,
        *,
        path: str,
        module_name: str,
        is_package: bool,
        packs: PackIndex,
    ) -> None:
        self.module = module
        self.path = path
        self.module_name = module_name
        self.is_package = is_package
        self.packs = packs
        self.names = NameTable(module_name)
        self.global_types: dict[str, str] = {}
        self.imports: list[Import] = []
        self.functions: list[Function] = []
        self.classes: list[ClassDef] = []
        self.wanted: list[cst.CSTNode] = []
        # Module-level tables of callables (`HANDLERS = {OrderPlaced: [notify]}`): a message
        # bus calling `handler(event)` may call any of them.
        self.tables: list[cst.BaseExpression] = []
        self.dispatch: tuple[str, ...] = ()
        # Local names bound by an import (module-level or in a function), and the
        # class-like references made through them (first use of each target).
        self.import_bound: set[str] = set()
        self.references: dict[str, Reference] = {}
        self.tenancy = TenancyScanner(self)  # --- tenancy --- query/model facts

    # ----- entry point ---------------------------------------------------

    def run(self) -> FileSummary:
        body = self.module.body
        self._prepass(body, type_checking=False)
        self.dispatch = self._dispatch_table()
        module_frame = _Frame(self.names)
        self.tenancy.scan_module(body, module_frame)
        module_block = self._block(body, module_frame, scope_prefix="", in_function=False)
        if _has_ops(module_block):
            self.functions.append(Function(qualname="<module>", span=_NO_SPAN, body=module_block))
        summary = FileSummary(
            path=self.path,
            module=self.module_name,
            imports=tuple(self.imports),
            functions=tuple(self.functions),
            classes=tuple(self.classes),
            globals=tuple(sorted(self.global_types.items())),
            suppressions=Suppressions(),
            extras=((DISPATCH, self.dispatch),) if self.dispatch else (),
            references=tuple(self.references.values()),
        )
        tenancy = self.tenancy.facts()
        if tenancy is not None:
            summary = dataclasses.replace(summary, extras=(*summary.extras, (TENANCY_KEY, tenancy)))
        spans = locate(self.module, self.wanted)
        filled: FileSummary = _fill(summary, spans)
        return filled

    def _span(self, node: cst.CSTNode) -> Any:
        self.wanted.append(node)
        return _Lazy(node)

    # ----- module pre-pass: names that functions may use before they are defined ---

    def _prepass(self, body: Sequence[cst.CSTNode], *, type_checking: bool) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self._import(small, self.names, in_function=False, type_checking=type_checking)
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                        self._global_assign(small)
            elif isinstance(stmt, cst.FunctionDef):
                qual = f"{self.module_name}.{stmt.name.value}"
                self.names.bind(stmt.name.value, qual)
                for deco in stmt.decorators:
                    returned = self._decorator_returns(deco.decorator, self.names)
                    if returned:
                        self.global_types[stmt.name.value] = returned
            elif isinstance(stmt, cst.ClassDef):
                self.names.bind(stmt.name.value, f"{self.module_name}.{stmt.name.value}")
            elif isinstance(stmt, cst.If):
                tc = type_checking or self._is_type_checking(stmt.test)
                self._prepass(stmt.body.body, type_checking=tc)
                if stmt.orelse is not None:
                    self._prepass(stmt.orelse.body.body, type_checking=type_checking)
            elif isinstance(stmt, cst.Try):
                self._prepass(stmt.body.body, type_checking=type_checking)
                for handler in stmt.handlers:
                    self._prepass(handler.body.body, type_checking=type_checking)

    def _dispatch_table(self) -> tuple[str, ...]:
        found: list[str] = []
        stack: list[cst.CSTNode] = list(self.tables)
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Dict):
                stack.extend(e.value for e in node.elements if isinstance(e, cst.DictElement))
            elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
                stack.extend(e.value for e in node.elements)
            elif isinstance(node, (cst.Name, cst.Attribute)):
                text = dotted(node)
                if text:
                    resolved, known = self.names.resolve(text)
                    if known and resolved.split(".")[0] not in self.packs.modules:
                        found.append(resolved)
        return tuple(sorted(set(found)))

    def _is_type_checking(self, test: cst.BaseExpression) -> bool:
        text = dotted(test)
        if text is None:
            return False
        resolved, _ = self.names.resolve(text)
        return resolved in _TYPE_CHECKING or text in _TYPE_CHECKING

    def _global_assign(self, node: cst.Assign | cst.AnnAssign) -> None:
        frame = _Frame(self.names)
        value = node.value
        if value is None:
            return
        if isinstance(value, (cst.Dict, cst.List, cst.Tuple, cst.Set)):
            self.tables.append(value)
        kind = self._type_of(value, frame)
        if isinstance(node, cst.AnnAssign):
            kind = self._annotation_type(node.annotation.annotation, self.names) or kind
            targets = [node.target]
        else:
            targets = [t.target for t in node.targets]
        for target in targets:
            if isinstance(target, cst.Name):
                self.names.bind(target.value, f"{self.module_name}.{target.value}")
                if kind:
                    self.global_types[target.value] = kind

    def _import(
        self, node: cst.Import | cst.ImportFrom, names: NameTable, *, in_function: bool, type_checking: bool
    ) -> None:
        span = self._span(node)
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = attribute_name(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                    names.bind(local, full)
                else:
                    local = full.split(".")[0]
                    names.bind(local, local)
                self.import_bound.add(local)
                self.imports.append(Import(full, "", local, span, in_function, type_checking))
            return
        level = len(node.relative)
        base = attribute_name(node.module) if node.module is not None else ""
        if level:
            base = module_of_relative(self.module_name, self.is_package, level, base or None)
        if isinstance(node.names, cst.ImportStar):
            self.imports.append(Import(base, "*", "", span, in_function, type_checking))
            return
        for alias in node.names:
            name = attribute_name(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            names.bind(local, f"{base}.{name}" if base else name)
            self.import_bound.add(local)
            self.imports.append(Import(base, name, local, span, in_function, type_checking))

    # ----- types without a type checker ------------------------------------

    def _annotation_type(self, annotation: cst.BaseExpression, names: NameTable) -> str:
        """The main type named by an annotation: `Session`, `Optional[Session]`, `"Session"`."""
        node = annotation
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            if not isinstance(text, str):
                return ""
            resolved, known = names.resolve(text.strip())
            return self.packs.canonical_type(resolved) or (resolved if known else "")
        if isinstance(node, cst.Subscript):
            head = dotted(node.value) or ""
            resolved_head, _ = names.resolve(head)
            if resolved_head.rsplit(".", 1)[-1] in ("Optional", "Annotated") and node.slice:
                first = node.slice[0].slice
                if isinstance(first, cst.Index):
                    return self._annotation_type(first.value, names)
            return ""
        if isinstance(node, cst.BinaryOperation):  # Session | None
            return self._annotation_type(node.left, names) or self._annotation_type(node.right, names)
        name = dotted(node)
        if name is None:
            return ""
        resolved, known = names.resolve(name)
        return self.packs.canonical_type(resolved) or (resolved if known else "")

    def _annotation_names(
        self, annotation: cst.BaseExpression, names: NameTable, where: cst.CSTNode | None = None
    ) -> tuple[str, ...]:
        """Every resolved name an annotation mentions: `list[Order]`, `Optional["Order"]`,
        `Order | None`, `dict[str, Order]`, `Callable[[Order], None]`. Unknown names are
        left out. Dotted names through an imported module are also recorded as references.
        `where` is the node spans point at (the string, for a string annotation)."""
        out: list[str] = []
        stack: list[tuple[cst.BaseExpression, cst.CSTNode | None]] = [(annotation, where)]
        while stack:
            node, at = stack.pop()
            if isinstance(node, (cst.Name, cst.Attribute)):
                text = dotted(node)
                if text:
                    resolved, known = names.resolve(text)
                    if known:
                        out.append(resolved)
                    if "." in text:
                        self._reference(text, at or node, names)
            elif isinstance(node, cst.Subscript):
                stack.append((node.value, at))
                for element in node.slice:
                    if isinstance(element.slice, cst.Index):
                        stack.append((element.slice.value, at))
            elif isinstance(node, cst.BinaryOperation):
                stack.append((node.left, at))
                stack.append((node.right, at))
            elif isinstance(node, (cst.List, cst.Tuple)):
                stack.extend((element.value, at) for element in node.elements)
            elif isinstance(node, cst.SimpleString):
                literal = node.evaluated_value
                if isinstance(literal, str) and literal.strip():
                    try:
                        parsed = cst.parse_expression(literal.strip())
                    except (cst.ParserSyntaxError, RecursionError, ValueError):
                        continue
                    stack.append((parsed, at or node))
        return tuple(dict.fromkeys(reversed(out)))

    def _reference(self, text: str, node: cst.CSTNode, names: NameTable) -> None:
        """Record `mod.Class...` used through an imported name (first use per target)."""
        parts = text.split(".")
        if parts[0] not in self.import_bound:
            return
        for cut in range(1, len(parts)):
            if parts[cut][:1].isupper():
                resolved, known = names.resolve(".".join(parts[: cut + 1]))
                if known and resolved not in self.references:
                    self.references[resolved] = Reference(resolved, self._span(node))
                return

    def _decorator_returns(self, deco: cst.BaseExpression, names: NameTable) -> str:
        func = deco.func if isinstance(deco, cst.Call) else deco
        text = dotted(func)
        if text is None:
            return ""
        target = self._qualify(text, _Frame(names))
        spec = self.packs.call(target)
        keyword = spec.class_keyword if spec is not None else ""
        args = deco.args if isinstance(deco, cst.Call) else ()
        if keyword and any(a.keyword is not None and a.keyword.value == keyword for a in args):
            return ""  # a project class decides: the project index resolves its methods
        return self.packs.returns_of(target)

    def _value_type(self, text: str, frame: _Frame) -> str:
        """Type of a name or attribute chain from the environment ("" if unknown)."""
        if text in frame.types:
            return frame.types[text]
        if text.startswith("self.") and text[5:] in frame.class_attrs:
            return frame.class_attrs[text[5:]]
        if text in self.global_types and frame.names.lookup(text) == f"{self.module_name}.{text}":
            return self.global_types[text]
        return ""

    def _qualify(self, text: str, frame: _Frame) -> str:
        """The qualified target of a dotted callee text, using receiver types."""
        receiver, _, method = text.rpartition(".")
        if receiver:
            kind = self._value_type(receiver, frame)
            if not kind and receiver.endswith("()"):
                kind = self._call_result(receiver[:-2], frame)
            if kind:
                return f"{kind}.{method}"
            if receiver == "self" and frame.class_qual:
                return f"{frame.class_qual}.{method}"
            if receiver == "super()" and frame.class_qual:
                return f"{frame.class_qual}.{SUPER}.{method}"
            resolved, known = frame.names.resolve(receiver)
            if known:
                return f"{resolved}.{method}"
            guessed = self.packs.receiver_type(receiver)
            if guessed:
                return f"{guessed}.{method}"
            head, _, rest = receiver.partition(".")
            head_kind = self._value_type(head, frame) if rest and head != "self" else ""
            if head_kind and head_kind not in self.packs.types:
                return f"{head_kind}.{rest}.{method}"  # `uow.orders.add` on a project class
            return text
        kind = self._value_type(text, frame)
        if kind:
            return kind
        resolved, _ = frame.names.resolve(text)
        return resolved

    def _call_result(self, callee_text: str, frame: _Frame, literals: tuple[str | None, ...] = ()) -> str:
        """Type produced by calling `callee_text` ("" if unknown)."""
        own = self._value_type(callee_text, frame)
        if own:
            return self.packs.call_returns(own)
        target = self._qualify(callee_text, frame)
        produced = self.packs.returns_of(target, literals)
        if produced:
            return produced
        if "." in target:
            resolved, known = frame.names.resolve(callee_text)
            if known and "()" not in target and target.rsplit(".", 1)[-1][:1].isupper():
                return resolved  # an instance of a project class
            head = callee_text.split(".")[0]
            if (
                known
                and target.split(".")[0] not in self.packs.modules
                and ("." not in callee_text or head[:1].isupper())
            ):
                # The result of a project function or of a call through a project class,
                # typed by the project index later (`db = get_db()`, FastAPI `Depends(get_db)`,
                # `order = Order.objects.get(...)`).
                return f"{target}()"
        return ""

    def _type_of(self, expr: cst.BaseExpression, frame: _Frame) -> str:
        if isinstance(expr, cst.Await):
            return self._type_of(expr.expression, frame)
        if isinstance(expr, cst.Call):
            text = dotted(expr.func)
            if not text:
                return ""
            spec = self.packs.call(self._qualify(text, frame))
            positional = [a.value for a in expr.args if a.keyword is None]
            if spec is not None and 0 <= spec.returns_class_arg < len(positional):
                named = dotted(positional[spec.returns_class_arg])  # get_object_or_404(Order, ...)
                return frame.names.resolve(named)[0] if named else ""
            return self._call_result(text, frame, _literals(expr))
        text = dotted(expr)
        return self._value_type(text, frame) if text else ""

    # ----- statements -------------------------------------------------------

    def _block(
        self, body: Sequence[cst.CSTNode], frame: _Frame, *, scope_prefix: str, in_function: bool
    ) -> Block:
        out: list[FlowNode] = []
        for stmt in body:
            self._statement(stmt, frame, out, scope_prefix=scope_prefix, in_function=in_function)
        return tuple(out)

    def _suite(self, suite: cst.BaseSuite, frame: _Frame, scope_prefix: str, in_function: bool) -> Block:
        body = suite.body
        if isinstance(suite, cst.SimpleStatementSuite):
            out: list[FlowNode] = []
            for small in body:
                self._small(small, frame, out, in_function)
            return tuple(out)
        return self._block(body, frame, scope_prefix=scope_prefix, in_function=in_function)

    def _statement(
        self, stmt: cst.CSTNode, frame: _Frame, out: list[FlowNode], *, scope_prefix: str, in_function: bool
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
            out.append(Branch(tuple(arms)))
        elif isinstance(stmt, (cst.For, cst.While)):
            if isinstance(stmt, cst.For):
                self._expr(stmt.iter, frame, out)
            else:
                self._expr(stmt.test, frame, out)
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
            cases = tuple(self._suite(case.body, frame, scope_prefix, in_function) for case in stmt.cases)
            out.append(Branch((*cases, ())))

    def _with(
        self,
        stmt: cst.With,
        items: list[cst.WithItem],
        frame: _Frame,
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
        if isinstance(expr, cst.Call):
            for arg in expr.args:
                self._expr(arg.value, frame, out)
            op = self._classify(expr, frame)
            if op is not None and op.kind == "begin":
                opener = op
            elif op is not None:
                out.append(op)
        else:
            self._expr(expr, frame, out)
        kind = self._type_of(expr, frame)
        if opener is None and kind and self.packs.with_commits(kind):
            text = dotted(expr) or kind
            opener = Op(
                "begin",
                f"{kind}.__enter__",
                self._span(expr),
                receiver=text,
                commits=True,
                nested="join",
                text=f"with {text}",
            )
        if item.asname is not None and isinstance(item.asname.name, cst.Name):
            bound = opener.target and self.packs.returns_of(opener.target) if opener else ""
            frame.types[item.asname.name.value] = bound or kind
        inner: list[FlowNode] = []
        self._with(stmt, rest, frame, inner, scope_prefix, in_function)
        if opener is not None:
            out.append(Scope(opener, tuple(inner)))
        else:
            out.extend(inner)

    def _small(self, small: cst.CSTNode, frame: _Frame, out: list[FlowNode], in_function: bool) -> None:
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            if in_function:
                self._import(small, frame.names, in_function=True, type_checking=False)
            return
        if isinstance(small, cst.Return):
            if small.value is not None:
                self._expr(small.value, frame, out)
                frame.returned = frame.returned or self._type_of(small.value, frame)
            out.append(Exit("return", self._span(small)))
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                self._expr(small.exc, frame, out)
            out.append(Exit("raise", self._span(small)))
        elif isinstance(small, (cst.Break, cst.Continue)):
            out.append(Exit("break" if isinstance(small, cst.Break) else "continue", _NO_SPAN))
        elif isinstance(small, cst.Assign):
            self._expr(small.value, frame, out)
            kind = self._type_of(small.value, frame)
            for target in small.targets:
                self._bind(target.target, kind, frame)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self._expr(small.value, frame, out)
            kind = self._annotation_type(small.annotation.annotation, frame.names)
            self._annotation_names(small.annotation.annotation, frame.names)
            if not kind and small.value is not None:
                kind = self._type_of(small.value, frame)
            self._bind(small.target, kind, frame)
        elif isinstance(small, (cst.AugAssign, cst.Expr)):
            self._expr(small.value, frame, out)
            value = small.value
            if isinstance(value, cst.Yield) and isinstance(value.value, cst.BaseExpression):
                frame.returned = frame.returned or self._type_of(value.value, frame)
        elif isinstance(small, (cst.Del, cst.Assert)):
            for name in _child_fields(type(small)):
                value = getattr(small, name)
                if isinstance(value, cst.BaseExpression):
                    self._expr(value, frame, out)

    def _bind(self, target: cst.BaseExpression, kind: str, frame: _Frame) -> None:
        text = dotted(target)
        if text is None or "()" in text:
            return
        if kind:
            frame.types[text] = kind
        else:
            frame.types.pop(text, None)

    # ----- expressions: calls in evaluation order -----------------------------

    def _expr(self, node: cst.CSTNode, frame: _Frame, out: list[FlowNode]) -> None:
        node_type = type(node)
        if node_type is cst.Call:
            call: cst.Call = node  # type: ignore[assignment]
            self._expr(call.func, frame, out)
            op = self._classify(call, frame)
            if op is not None and op.kind == "on-commit":
                self._on_commit(call, op, frame, out)
                return
            for arg in call.args:
                self._expr(arg.value, frame, out)
            if op is not None:
                out.append(op)
            return
        if node_type is cst.Attribute:
            text = dotted(node)  # type: ignore[arg-type]
            if text is not None and "()" not in text:
                self._reference(text, node, frame.names)
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

    def _classify(self, call: cst.Call, frame: _Frame) -> Op | None:
        text = dotted(call.func)
        if text is None:
            return None
        target = self._qualify(text, frame)
        receiver = text.rpartition(".")[0]
        spec = self.packs.call(target, _literals(call))
        if spec is None and target in self.packs.types:
            spec = self.packs.call(f"{target}.__call__")  # calling a task object enqueues it
            target = f"{target}.__call__" if spec is not None else target
        arg_classes = self._arg_classes(call, frame)
        if spec is not None and spec.role:
            return Op(
                spec.role,
                target,
                self._span(call),
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
                return Op(CALL, f"{self.module_name}.{DISPATCH_CALL}", self._span(call), text=f"{text}()")
            return None  # a builtin or an unknown local callable
        if target == text and not receiver.startswith("self"):
            head = text.split(".")[0]
            if frame.names.lookup(head) is None and head not in frame.types:
                return None  # a method of a value we know nothing about
        return Op(
            CALL, target, self._span(call), receiver=receiver, arg_classes=arg_classes, text=f"{text}()"
        )

    def _arg_classes(self, call: cst.Call, frame: _Frame) -> tuple[str, ...]:
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
                    kind = self._value_type(text, frame)
                    if kind:
                        out.append(kind)
        return tuple(out)

    def _on_commit(self, call: cst.Call, hook: Op, frame: _Frame, out: list[FlowNode]) -> None:
        positional = [a for a in call.args if a.keyword is None]
        spec = self.packs.call(hook.target, _literals(call))
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
        elif isinstance(callback, cst.Call) and self._qualify(dotted(callback.func) or "", frame) == _PARTIAL:
            if callback.args:
                self._callback_ref(callback.args[0].value, frame, body)
        elif callback is not None:
            self._callback_ref(callback, frame, body)
        out.append(Deferred(hook, tuple(body)))

    def _callback_ref(self, node: cst.BaseExpression, frame: _Frame, body: list[FlowNode]) -> None:
        text = dotted(node)
        if text is None:
            return
        target = self._qualify(text, frame)
        spec = self.packs.call(target)
        kind = spec.role if spec is not None and spec.role else CALL
        effect = spec.effect_kind if spec is not None else ""
        body.append(
            Op(
                kind,
                target,
                self._span(node),
                receiver=text.rpartition(".")[0],
                effect_kind=effect,
                text=f"{text}()",
            )
        )

    # ----- definitions ------------------------------------------------------

    def _function(self, node: cst.FunctionDef, outer: _Frame, scope_prefix: str) -> None:
        qualname = f"{scope_prefix}{node.name.value}"
        names = outer.names.child()
        frame = _Frame(names, outer.class_qual, outer.class_attrs)
        params: list[Param] = []
        all_params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        for index, param in enumerate(all_params):
            name = param.name.value
            annotation = ""
            mentioned: tuple[str, ...] = ()
            if param.annotation is not None:
                annotation = self._annotation_type(param.annotation.annotation, outer.names)
                mentioned = self._annotation_names(param.annotation.annotation, outer.names)
            default = ""
            if isinstance(param.default, cst.Call) and param.default.args:
                inner = dotted(param.default.args[0].value)
                if inner:
                    default = self._qualify(inner, outer)
                    if not annotation and inner.split(".")[0] != "None":
                        # FastAPI `db=Depends(get_db)`: the value is what get_db provides.
                        annotation_hint = self._call_result(inner, outer)
                        if annotation_hint:
                            frame.types[name] = annotation_hint
            if index == 0 and name in ("self", "cls") and outer.class_qual:
                frame.types.pop(name, None)
            elif annotation:
                frame.types[name] = annotation
            params.append(Param(name, annotation, default, mentioned))
        decorators = []
        keywords: list[tuple[str, str]] = []
        opener: Op | None = None
        hook: Op | None = None
        for deco in node.decorators:
            expr = deco.decorator
            func = expr.func if isinstance(expr, cst.Call) else expr
            text = dotted(func)
            if text is None:
                continue
            target = self._qualify(text, outer)
            decorators.append(target)
            if isinstance(expr, cst.Call):
                for arg in expr.args:
                    named = dotted(arg.value) if arg.keyword is not None else None
                    if arg.keyword is not None and named:
                        keywords.append((arg.keyword.value, outer.names.resolve(named)[0]))
            spec = self.packs.call(target, _literals(expr) if isinstance(expr, cst.Call) else ())
            if spec is not None and spec.role == "on-commit" and hook is None:
                # `@event.listens_for(Session, "after_commit")`: the body runs after a commit.
                hook = Op("on-commit", target, self._span(deco), text=f"@{text}", pack=spec.pack)
            if spec is not None and spec.role == "begin" and opener is None:
                opener = Op(
                    "begin",
                    target,
                    self._span(deco),
                    text=f"@{text}",
                    commits=spec.commits_on_exit,
                    nested=spec.nested,
                    pack=spec.pack,
                )
        frame.returned = ""
        body = self._suite(node.body, frame, f"{qualname}.", True)
        self.tenancy.scan_function(node, frame, qualname)
        if opener is not None:
            body = (Scope(opener, body),)
        if hook is not None:
            body = (Deferred(hook, body),)
        returns = ""
        return_names: tuple[str, ...] = ()
        if node.returns is not None:
            returns = self._annotation_type(node.returns.annotation, outer.names)
            return_names = self._annotation_names(node.returns.annotation, outer.names)
        returns = returns or frame.returned
        self.functions.append(
            Function(
                qualname=qualname,
                span=self._span(node.name),
                params=tuple(params),
                decorators=tuple(decorators),
                returns=returns,
                body=body,
                is_async=node.asynchronous is not None,
                class_name=outer.class_qual,
                decorator_keywords=tuple(keywords),
                return_names=return_names,
            )
        )

    def _class(self, node: cst.ClassDef, outer: _Frame, scope_prefix: str) -> None:
        qualname = f"{scope_prefix}{node.name.value}"
        class_qual = f"{self.module_name}.{qualname}"
        bases = []
        keywords = []
        for arg in node.bases:
            text = dotted(arg.value)
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
                span=self._span(node.name),
                bases=tuple(bases),
                keywords=tuple(keywords),
                decorators=tuple(decorators),
                fields=tuple(fields),
                table_name=table,
                attributes=tuple(sorted(attrs.items())),
            )
        )
        frame = _Frame(outer.names, class_qual, attrs)
        for stmt in body:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                self._statement(stmt, frame, [], scope_prefix=f"{qualname}.", in_function=False)

    def _field(self, small: cst.CSTNode, outer: _Frame) -> FieldDef | None:
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            value: cst.BaseExpression | None = small.value
            annotation = ""
        elif isinstance(small, cst.AnnAssign):
            target = small.target
            value = small.value
            annotation = self._annotation_type(small.annotation.annotation, outer.names)
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
                first_text = dotted(first)
                if first_text and "()" not in first_text:
                    related = outer.names.resolve(first_text)[0]
        related_name = ""
        if isinstance(value, cst.Call) and related:
            for arg in value.args:
                if arg.keyword is not None and arg.keyword.value in ("related_query_name", "related_name"):
                    literal = _string_value(arg)
                    if literal and (not related_name or arg.keyword.value == "related_query_name"):
                        related_name = literal
        return FieldDef(target.value, call, annotation, self._span(target), related, related_name)

    def _init_attrs(self, init: cst.FunctionDef, outer: _Frame) -> dict[str, str]:
        """`self.x` types from `__init__`: annotated parameters and constructor calls."""
        frame = _Frame(outer.names.child())
        for param in init.params.params:
            if param.annotation is not None:
                kind = self._annotation_type(param.annotation.annotation, outer.names)
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
                    kind = self._type_of(small.value, frame)
                    for target in small.targets:
                        text = dotted(target.target)
                        if kind and text and text.startswith("self."):
                            attrs[text[5:]] = kind
                elif isinstance(small, cst.AnnAssign):
                    text = dotted(small.target)
                    kind = self._annotation_type(small.annotation.annotation, outer.names)
                    if not kind and small.value is not None:
                        kind = self._type_of(small.value, frame)
                    if kind and text and text.startswith("self."):
                        attrs[text[5:]] = kind
        return attrs


def _literals(call: cst.Call) -> tuple[str | None, ...]:
    """The positional arguments' string literal values (None for anything else)."""
    out: list[str | None] = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        value = arg.value
        if isinstance(value, cst.SimpleString):
            evaluated = value.evaluated_value
            out.append(evaluated if isinstance(evaluated, str) else None)
        else:
            out.append(None)
    return tuple(out)


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


def _fill(value: Any, spans: dict[int, Span]) -> Any:
    """Replace every `_Lazy` placeholder in a summary by its computed span."""
    if isinstance(value, _Lazy):
        return spans.get(id(value.node), _NO_SPAN)
    if isinstance(value, tuple):
        return tuple(_fill(item, spans) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, (type, Span)):
        changes = {}
        for f in dataclasses.fields(value):
            current = getattr(value, f.name)
            if isinstance(current, (tuple, _Lazy)) or (
                dataclasses.is_dataclass(current) and not isinstance(current, Span)
            ):
                changes[f.name] = _fill(current, spans)
        return dataclasses.replace(value, **changes) if changes else value
    return value


def extract(
    module: cst.Module, *, path: str, module_name: str, is_package: bool, packs: PackIndex
) -> FileSummary:
    extractor = Extractor(module, path=path, module_name=module_name, is_package=is_package, packs=packs)
    try:
        return extractor.run()
    finally:
        # The tenancy scanner and the extractor refer to each other: a reference cycle that
        # would keep the whole syntax tree alive until the cyclic collector runs, and the
        # runner pauses that collector (summaries are acyclic). Break it here.
        extractor.__dict__.clear()
