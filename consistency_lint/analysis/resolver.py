"""The resolver: what names, annotations, receivers and calls of one file refer to.

No type checker and no libcst metadata: names are resolved with an import
table (`names.NameTable`), and values are typed by a small per-function
environment (`Frame`) fed by annotations, constructor calls and the packs
(`returns`, `call-returns`, receiver-name patterns). The flow builder and every
fact collector ask the resolver; none of them keeps its own name table.

Public interface:
- `prepass(body)`: module-level names, imports and typed globals, before the walk;
- `bind_import(node, names, ...)`: an import statement met in a function;
- `qualify(text, frame)`: the qualified target of a dotted callee text;
- `value_type(text, frame)`, `call_result(callee, frame)`, `type_of(expr, frame)`;
- `annotation_type(annotation, names)`, `annotation_names(annotation, names)`;
- `decorator_returns(decorator, names)`.

The resolver also records what it learns about the file's bindings (imports,
names bound by imports, typed globals, tables of callables) for the summary.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from consistency_lint.analysis.names import NameTable, attribute_name, dotted, module_of_relative
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.spans import SpanRecorder
from consistency_lint.analysis.summary import APP_MODEL, CLASS_ARG, SUPER, Import

_TYPE_CHECKING = ("TYPE_CHECKING", "typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING")


class Frame:
    """What is known inside one function (or the module body)."""

    __slots__ = (
        "class_args",
        "class_attrs",
        "class_qual",
        "local_calls",
        "names",
        "own_class",
        "params",
        "return_call",
        "returned",
        "types",
        "yields",
    )

    def __init__(self, names: NameTable, class_qual: str = "", class_attrs: dict[str, str] | None = None):
        self.names = names
        self.types: dict[str, str] = {}
        self.class_qual = class_qual
        self.class_attrs = class_attrs or {}
        self.returned = ""  # type of the first returned or yielded value with a known type
        self.yields = False  # the function's body yields: a generator
        self.params: set[str] = set()  # untyped parameters not rebound so far
        # Locals holding what a call on an untyped parameter made (`x = model.get(id)` -> model).
        self.class_args: dict[str, str] = {}
        self.return_call: tuple[str, ...] = ()  # Function.return_call
        # Locals bound to a project function's result, with that call as `returned_call`
        # gives it (`project = get_instance(Project, id)`): `Op.receiver_call`.
        self.local_calls: dict[str, tuple[str, ...]] = {}
        # The first parameter of a classmethod (`cls`): what a call on it makes is an
        # instance of the class the method is called on.
        self.own_class = ""


def _app_model(call: cst.Call, keywords: tuple[str, ...]) -> str:
    """`<app-model>.label.Model` for `get_model("label", "Model")`, `get_model("label.Model")`
    or the same by keywords ("" unless both are string literals)."""
    values = [v for v in literals(call) if v is not None]
    for arg in call.args:
        named = arg.keyword.value if arg.keyword is not None else ""
        if named in keywords and isinstance(arg.value, cst.SimpleString):
            value = arg.value.evaluated_value
            if isinstance(value, str):
                values.insert(keywords.index(named), value)
    if len(values) == 1 and values[0].count(".") == 1:
        values = values[0].split(".")
    if len(values) != 2 or not all(v.isidentifier() for v in values):
        return ""
    return f"{APP_MODEL}.{values[0]}.{values[1]}"


def literals(call: cst.Call) -> tuple[str | None, ...]:
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


class Resolver:
    def __init__(self, *, module_name: str, is_package: bool, packs: PackIndex, spans: SpanRecorder) -> None:
        self.module_name = module_name
        self.is_package = is_package
        self.packs = packs
        self.spans = spans
        # The packs' modules, less the package this module belongs to: the code of a
        # framework that ships a pack (`oscar` linted itself) calls its own functions.
        self.pack_modules = packs.modules - {module_name.split(".")[0]}
        self.names = NameTable(module_name)
        self.global_types: dict[str, str] = {}
        self.imports: list[Import] = []
        # Local names bound by an import (module-level or in a function).
        self.import_bound: set[str] = set()
        # Module-level containers (`HANDLERS = {OrderPlaced: [notify]}`), for the
        # dual-write collector's table of dispatched callables.
        self.tables: list[cst.BaseExpression] = []
        # Module-level tables by the name they are bound to (`TASKS = {"refresh": refresh}`).
        self.named_tables: dict[str, cst.BaseExpression] = {}
        # Module-level names bound to an imported or project name (`project_task =
        # shared_task`): the name means what it is bound to, here and in other modules.
        self.aliases: dict[str, str] = {}

    # ----- module pre-pass: names that functions may use before they are defined ---

    def prepass(self, body: Sequence[cst.CSTNode], *, type_checking: bool = False) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self.bind_import(small, self.names, in_function=False, type_checking=type_checking)
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                        self._global_assign(small)
                    elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                        self._identify(small.value)
            elif isinstance(stmt, cst.FunctionDef):
                qual = f"{self.module_name}.{stmt.name.value}"
                self.names.bind(stmt.name.value, qual)
                for deco in stmt.decorators:
                    returned = self.decorator_returns(deco.decorator, self.names)
                    if returned:
                        self.global_types[stmt.name.value] = returned
            elif isinstance(stmt, cst.ClassDef):
                self.names.bind(stmt.name.value, f"{self.module_name}.{stmt.name.value}")
            elif isinstance(stmt, cst.If):
                tc = type_checking or self._is_type_checking(stmt.test)
                self.prepass(stmt.body.body, type_checking=tc)
                if stmt.orelse is not None:
                    self.prepass(stmt.orelse.body.body, type_checking=type_checking)
            elif isinstance(stmt, cst.Try):
                self.prepass(stmt.body.body, type_checking=type_checking)
                for handler in stmt.handlers:
                    self.prepass(handler.body.body, type_checking=type_checking)

    def loaded_class(self, call: cst.Call, names: NameTable | None = None) -> str:
        """The class a dynamic class loader call names by literals (pack
        `returns-class-template`, `returns-app-model`; "" for any other call)."""
        return self._loaded_class(call, names)

    def _loaded_class(self, call: cst.Call, names: NameTable | None = None) -> str:
        func = dotted(call.func)
        if func is None:
            return ""
        resolved, known = (names or self.names).resolve(func)
        spec = self.packs.call(resolved) if known else None
        if spec is not None and spec.returns_app_model:
            return _app_model(call, spec.returns_app_model)
        if spec is None or not spec.returns_class_template:
            return ""
        values = literals(call)
        if any(value is None for value in values):
            return ""
        try:
            return spec.returns_class_template.format(*values)
        except IndexError:
            return ""

    def _identify(self, call: cst.Call) -> None:
        """`app.autodiscover_tasks()` at module level, on a global of this module the walk
        could not type (`app = celery_class(main="x")` with the class loaded at run time):
        the method identifies the pack type (`identifying-methods`)."""
        text = dotted(call.func)
        if text is None or text.count(".") != 1:
            return
        name, method = text.split(".")
        kind = self.packs.identifying_methods.get(method)
        known = self.global_types.get(name, "")
        untyped = not known or known.endswith("()")  # nothing, or an unresolved call result
        if kind and untyped and self.names.lookup(name) == f"{self.module_name}.{name}":
            self.global_types[name] = kind

    def _is_type_checking(self, test: cst.BaseExpression) -> bool:
        text = dotted(test)
        if text is None:
            return False
        resolved, _ = self.names.resolve(text)
        return resolved in _TYPE_CHECKING or text in _TYPE_CHECKING

    def _global_assign(self, node: cst.Assign | cst.AnnAssign) -> None:
        frame = Frame(self.names)
        value = node.value
        if value is None:
            return
        if isinstance(value, (cst.Dict, cst.List, cst.Tuple, cst.Set)):
            self.tables.append(value)
            for assigned in node.targets if isinstance(node, cst.Assign) else ():
                if isinstance(assigned.target, cst.Name):
                    self.named_tables[assigned.target.value] = value
        kind = self.type_of(value, frame)
        if isinstance(node, cst.AnnAssign):
            kind = self.annotation_type(node.annotation.annotation, self.names) or kind
            targets = [node.target]
        else:
            targets = [t.target for t in node.targets]
        aliased = self._alias_of(value)
        for target in targets:
            if isinstance(target, cst.Name):
                if aliased:
                    self.names.bind(target.value, aliased)
                    self.aliases[target.value] = aliased
                    continue
                self.names.bind(target.value, f"{self.module_name}.{target.value}")
                if kind:
                    self.global_types[target.value] = kind

    def _alias_of(self, value: cst.BaseExpression) -> str:
        """The qualified name a plain name or attribute chain stands for, when it is an
        imported or module-level name, or the class a dynamic class loader names by literals
        (`get_class("customer.utils", "Dispatcher")`, pack `returns-class-template`); ""
        for anything else (another call, a literal, a local)."""
        if isinstance(value, cst.Call):
            return self._loaded_class(value)
        if isinstance(value, cst.Subscript):
            value = value.value  # a generic alias: `AlchemySession = ScopedSession[Any]`
        text = dotted(value)
        if text is None or "(" in text or text in self.global_types:
            return ""
        resolved, known = self.names.resolve(text)
        return resolved if known else ""

    def bind_import(
        self, node: cst.Import | cst.ImportFrom, names: NameTable, *, in_function: bool, type_checking: bool
    ) -> None:
        span = self.spans.record(node)
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

    def annotation_type(self, annotation: cst.BaseExpression, names: NameTable) -> str:
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
                    return self.annotation_type(first.value, names)
            return ""
        if isinstance(node, cst.BinaryOperation):  # Session | None
            return self.annotation_type(node.left, names) or self.annotation_type(node.right, names)
        name = dotted(node)
        if name is None:
            return ""
        resolved, known = names.resolve(name)
        return self.packs.canonical_type(resolved) or (resolved if known else "")

    def annotation_names(
        self, annotation: cst.BaseExpression, names: NameTable
    ) -> tuple[tuple[str, ...], list[tuple[str, cst.CSTNode]]]:
        """Every resolved name an annotation mentions: `list[Order]`, `Optional["Order"]`,
        `Order | None`, `dict[str, Order]`, `Callable[[Order], None]` (unknown names left
        out), and its dotted names as written with the node a span of each points at (the
        string, for a string annotation)."""
        out: list[str] = []
        chains: list[tuple[str, cst.CSTNode]] = []
        where: cst.CSTNode | None = None
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
                        chains.append((text, at or node))
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
        return tuple(dict.fromkeys(reversed(out))), chains

    def decorator_returns(self, deco: cst.BaseExpression, names: NameTable) -> str:
        func = deco.func if isinstance(deco, cst.Call) else deco
        text = dotted(func)
        if text is None:
            return ""
        target = self.qualify(text, Frame(names))
        spec = self.packs.call(target)
        keyword = spec.class_keyword if spec is not None else ""
        args = deco.args if isinstance(deco, cst.Call) else ()
        if keyword and any(a.keyword is not None and a.keyword.value == keyword for a in args):
            return ""  # a project class decides: the project index resolves its methods
        return self.packs.returns_of(target)

    def value_type(self, text: str, frame: Frame) -> str:
        """Type of a name or attribute chain from the environment ("" if unknown)."""
        if text in frame.types:
            return frame.types[text]
        if text.startswith("self.") and text[5:] in frame.class_attrs:
            return frame.class_attrs[text[5:]]
        if text in self.global_types and frame.names.lookup(text) == f"{self.module_name}.{text}":
            return self.global_types[text]
        return ""

    def qualify(self, text: str, frame: Frame) -> str:
        """The qualified target of a dotted callee text, using receiver types."""
        receiver, _, method = text.rpartition(".")
        if receiver:
            kind = self.value_type(receiver, frame)
            if not kind and receiver.endswith("()"):
                kind = self.call_result(receiver[:-2], frame)
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
            head_kind = self.value_type(head, frame) if rest and head != "self" else ""
            if head_kind and head_kind not in self.packs.types:
                return f"{head_kind}.{rest}.{method}"  # `uow.orders.add` on a project class
            return text
        kind = self.value_type(text, frame)
        if kind:
            return kind
        resolved, _ = frame.names.resolve(text)
        return resolved

    def call_result(self, callee_text: str, frame: Frame, literal_args: tuple[str | None, ...] = ()) -> str:
        """Type produced by calling `callee_text` ("" if unknown)."""
        own = self.value_type(callee_text, frame)
        if own:
            return self.packs.call_returns(own)
        target = self.qualify(callee_text, frame)
        produced = self.packs.returns_of(target, literal_args)
        if produced:
            return produced
        if "." in target:
            receiver = callee_text.rpartition(".")[0]
            if "()" not in receiver and self._project_typed(receiver, frame):
                # `namespace.add_event_type(...)` on a module global or local typed as a
                # project class: the method's return type, found by the project index.
                return f"{target}()"
            resolved, known = frame.names.resolve(callee_text)
            if known and "()" not in target and target.rsplit(".", 1)[-1][:1].isupper():
                return resolved  # an instance of a project class
            head = callee_text.split(".")[0]
            top = target.split(".")[0]
            if (
                known
                and top not in self.pack_modules
                and (
                    "." not in callee_text
                    or head[:1].isupper()
                    or top == self.module_name.split(".")[0]
                    or self._module_name(head, frame)
                )
            ):
                # The result of a project function or of a call through a project class,
                # typed by the project index later (`db = get_db()`, FastAPI `Depends(get_db)`,
                # `order = Order.objects.get(...)`, `projects_service.get_project_raw(id)`
                # through a module of the project's own package).
                return f"{target}()"
        return ""

    def _module_name(self, head: str, frame: Frame) -> bool:
        """`index` bound by an import (`from ck import index`): `index.index_for()` calls a
        function of an imported module (or a method of an imported global), which the
        project index may type."""
        return head in self.import_bound and head not in frame.types

    def _project_typed(self, receiver: str, frame: Frame) -> bool:
        """A receiver whose value is an instance of a class outside every pack (so, when the
        index knows it, a project class)."""
        kind = self.value_type(receiver, frame)
        return bool(kind) and "()" not in kind and kind.split(".")[0] not in self.packs.modules

    def class_arg_of(self, expr: cst.BaseExpression, frame: Frame) -> str:
        """The untyped parameter whose call made `expr`'s value (`model(...)`,
        `model.get(id)`, `model.query.filter_by(...).first()`, or a local bound to one), or ""."""
        if isinstance(expr, cst.Await):
            return self.class_arg_of(expr.expression, frame)
        if isinstance(expr, cst.Name):
            return frame.class_args.get(expr.value, "")
        made = (*frame.params, frame.own_class) if frame.own_class else frame.params
        while isinstance(expr, cst.Call):
            func = expr.func
            text = dotted(func)
            spec = self.packs.call(self.qualify(text, frame)) if text else None
            positional = [a.value for a in expr.args if a.keyword is None]
            if spec is not None and 0 <= spec.returns_class_arg < len(positional):
                named = positional[spec.returns_class_arg]  # `session.get(cls, id)`
                return named.value if isinstance(named, cst.Name) and named.value in made else ""
            if isinstance(func, cst.Name):
                return func.value if func.value in made else ""
            if not isinstance(func, cst.Attribute):
                return ""
            expr = func.value
            while isinstance(expr, cst.Attribute):
                expr = expr.value
            if isinstance(expr, cst.Name):
                return expr.value if expr.value in made else ""
        return ""

    def returned_call(self, call: cst.Call, frame: Frame) -> tuple[str, ...]:
        """`Function.return_call` of `return call(...)`: the callee and its arguments' names."""
        text = dotted(call.func)
        if not text or "()" in text:
            return ()
        args: list[str] = [self.qualify(text, frame)]
        for arg in call.args:
            named = dotted(arg.value)
            resolved, known = frame.names.resolve(named) if named else ("", False)
            value = resolved if known else ""
            if named and named == frame.own_class:
                value = f"{CLASS_ARG}.{named}"  # `db.session.get(cls, id)` in a classmethod
            args.append(f"{arg.keyword.value}={value}" if arg.keyword is not None else value)
        return tuple(args)

    def chained_target(self, func: cst.BaseExpression, frame: Frame) -> str:
        """`boto3.client("ses").send_email`: the method of the type the receiver call returns,
        typed with that call's own literal arguments ("" when func is no such chain)."""
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call)):
            return ""
        kind = self.type_of(func.value, frame)
        return f"{kind}.{func.attr.value}" if kind else ""

    def type_of(self, expr: cst.BaseExpression, frame: Frame) -> str:
        """The type of an expression's value ("" if unknown)."""
        if isinstance(expr, cst.Await):
            return self.type_of(expr.expression, frame)
        if isinstance(expr, cst.Call):
            text = dotted(expr.func)
            if not text:
                return ""
            spec = self.packs.call(self.qualify(text, frame))
            positional = [a.value for a in expr.args if a.keyword is None]
            if spec is not None and 0 <= spec.returns_class_arg < len(positional):
                named = dotted(positional[spec.returns_class_arg])  # get_object_or_404(Order, ...)
                return frame.names.resolve(named)[0] if named else ""
            chained = self.chained_target(expr.func, frame)
            if chained:  # boto3.resource("sns").Topic(arn): the literal picks the first type
                produced = self.packs.returns_of(chained, literals(expr))
                if produced:
                    return produced
            return self.call_result(text, frame, literals(expr))
        text = dotted(expr)
        return self.value_type(text, frame) if text else ""
