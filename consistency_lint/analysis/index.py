"""The project phase's index: summaries linked by qualified name.

It answers what a recorded call refers to once every file is known: a
project function (to follow), a method found through project base classes, a
framework call reached through a project class (a Django model's `save`), a
module global of a known type (`app = Celery()`), or a task object built by a
decorator in another module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.summary import (
    APP_MODEL,
    BOUND,
    CLASS_ARG,
    ITEM,
    PARAM,
    SUPER,
    ClassDef,
    FileSummary,
    Function,
    iter_ops,
)
from consistency_lint.domain.globs import dotted_glob
from consistency_lint.domain.packs import CallSpec

MAX_REEXPORTS = 8
_SELF_TYPES = frozenset(("typing.Self", "typing_extensions.Self"))


@dataclass(frozen=True)
class Resolved:
    """What a call target means: a project function, a pack entry, or nothing known."""

    target: str
    function: tuple[FileSummary, Function] | None = None
    spec: CallSpec | None = None


class ProjectIndex:
    def __init__(self, summaries: Iterable[FileSummary], packs: PackIndex) -> None:
        self.packs = packs
        self.files: dict[str, FileSummary] = {}
        self.by_path: dict[str, FileSummary] = {}
        self.functions: dict[str, tuple[FileSummary, Function]] = {}
        self.classes: dict[str, tuple[FileSummary, ClassDef]] = {}
        self.global_types: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        for summary in summaries:
            self.files[summary.module] = summary
            self.by_path[summary.path] = summary
            prefix = f"{summary.module}." if summary.module else ""
            for function in summary.functions:
                self.functions[prefix + function.qualname] = (summary, function)
            for cls in summary.classes:
                self.classes[prefix + cls.qualname] = (summary, cls)
            for name, kind in summary.globals:
                self.global_types[prefix + name] = kind
            for name, bound in summary.aliases:
                self.aliases[prefix + name] = bound
        self._model_base: dict[str, str] = {}
        self._resolved: dict[str, Resolved] = {}
        self._imported_names: dict[str, dict[str, str]] = {}  # module -> local name -> imported
        self._hook_impls: dict[str, list[str]] | None = None
        self._hook_calls = [dotted_glob(p) for p in packs.syntax.hook_calls]
        self._hook_targets: dict[str, bool] = {}
        self._subclasses: dict[str, list[str]] | None = None
        self._implementations: dict[str, tuple[str, ...]] = {}
        self._app_models: dict[tuple[str, str], list[str]] | None = None

    # ----- plugin hooks --------------------------------------------------

    def hook_implementations(self, target: str) -> list[str]:
        """The project functions a plugin-hook call (`pm.hook.order_paid(...)`, a pack
        `hook-calls` pattern) runs: those named like its last segment and decorated with an
        instance of a `hook-markers` type (`@impl` with `impl = HookimplMarker("shop")`)."""
        known = self._hook_targets.get(target)
        if known is None:  # asked again for every call on every pass: matched once per target
            known = self._hook_targets[target] = any(pattern.match(target) for pattern in self._hook_calls)
        if not known:
            return []
        if self._hook_impls is None:
            markers = {self.packs.canonical_type(m) or m for m in self.packs.syntax.hook_markers}
            self._hook_impls = {}
            for qual, (_, function) in self.functions.items():
                marked = any(self._marker_type(decorator) in markers for decorator in function.decorators)
                if marked:
                    self._hook_impls.setdefault(function.qualname.rpartition(".")[2], []).append(qual)
        return self._hook_impls.get(target.rpartition(".")[2], [])

    def _marker_type(self, decorator: str) -> str:
        kind = self.global_type(self._follow_reexport(decorator))
        return (self.packs.canonical_type(kind) or kind) if kind else "-"

    # ----- classes -------------------------------------------------------

    def global_type(self, qualname: str) -> str:
        """The type of a module global, a project subclass of a pack type lifted to that type
        (`db = ProjectSQLAlchemy()` -> `flask_sqlalchemy.SQLAlchemy`; "" if unknown)."""
        kind = self.global_types.get(qualname, "")
        return (self.pack_type(kind) or kind) if kind else ""

    def mro(self, qualname: str) -> Iterator[str]:
        """The class and its project bases, depth first, each once."""
        seen: set[str] = set()
        stack = [qualname]
        while stack:
            current = self._follow_reexport(stack.pop())
            if current in seen:
                continue
            seen.add(current)
            yield current
            found = self.classes.get(current)
            if found is not None:
                stack.extend(reversed(found[1].bases))

    def framework_base(self, qualname: str) -> str:
        """The pack model base (or pack type) a project class derives from ("" if none)."""
        cached = self._model_base.get(qualname)
        if cached is not None:
            return cached
        self._model_base[qualname] = ""  # guards against cycles
        result = ""
        for base in self.mro(qualname):
            if self.packs.is_model_base(base) or self.packs.canonical_type(base):
                result = self.packs.canonical_type(base) or base
                break
            through_global = self.packs.canonical_type(self._canonical_callee(base))
            if through_global:  # `class MyTask(app.Task)` with `app = Celery()`
                result = through_global
                break
            owner = self.global_type(base)  # Base = declarative_base()
            if owner and not owner.endswith("()"):
                # (an unresolved call result, `Mixin = load_func(settings.MIXIN)`, says nothing:
                # the class's other bases decide)
                result = owner
                break
            head, _, attribute = base.rpartition(".")
            owner = self.global_type(head)  # class Invoice(db.Model) with db = SQLAlchemy()
            if owner and self.packs.is_model_base(f"{owner}.{attribute}"):
                result = f"{owner}.{attribute}"
                break
        self._model_base[qualname] = result
        return result

    def is_model(self, qualname: str) -> bool:
        base = self.framework_base(qualname)
        return bool(base) and (base in self.packs.model_bases or self.packs.is_model_base(base))

    def _follow_reexport(self, qualname: str) -> str:
        """`pkg.Order` imported in pkg/__init__.py from pkg.models -> pkg.models.Order, through
        chains of re-exports and module-level aliases (bounded)."""
        for _ in range(MAX_REEXPORTS):
            followed = self._reexport_step(qualname)
            if followed == qualname:
                break
            qualname = followed
        return qualname

    def _reexport_step(self, qualname: str) -> str:
        if qualname in self.classes or qualname in self.functions:
            return qualname
        if qualname.startswith(f"{APP_MODEL}."):
            return self._app_model(qualname)
        bound = self.aliases.get(qualname)
        if bound is not None:  # `project_task = shared_task` in that module
            return bound
        module, _, name = qualname.rpartition(".")
        imported = self._imported_names.get(module)
        if imported is None:  # asked for many names of a module: its imports indexed once
            summary = self.files.get(module)
            if summary is None:
                return qualname
            imported = {}
            for imp in summary.imports:
                if imp.name:  # the first import binding a name is the one followed
                    imported.setdefault(imp.alias, f"{imp.module}.{imp.name}" if imp.module else imp.name)
            self._imported_names[module] = imported
        return imported.get(name, qualname)

    def _app_model(self, qualname: str) -> str:
        """`<app-model>.documents.Document` -> the one project model class `Document` defined
        in a package named `documents` (unchanged when there is none or more than one). A
        longer name (`<app-model>.documents.Document.objects`) is followed from its class."""
        parts = qualname[len(APP_MODEL) + 1 :].split(".")
        if len(parts) < 2:
            return qualname
        if self._app_models is None:
            self._app_models = {}
            for cls in self.classes:
                module, _, name = cls.rpartition(".")
                if self.is_model(cls):
                    for segment in set(module.split(".")):
                        self._app_models.setdefault((segment, name), []).append(cls)
        found = self._app_models.get((parts[0], parts[1]), [])
        if len(found) != 1:
            return qualname
        return ".".join([found[0], *parts[2:]])

    # ----- calls ---------------------------------------------------------

    def resolve(self, target: str) -> Resolved:
        cached = self._resolved.get(target)
        if cached is None:
            # A resolution that leads back to its own target (`@handler.register` on `def
            # handler`, through the decorator-factory search) means nothing known there.
            self._resolved[target] = Resolved(target)
            cached = self._resolve(target)
            self._resolved[target] = cached
        return cached

    def _resolve(self, target: str) -> Resolved:
        target = self._follow_reexport(target) if "()" not in target else target
        if target in self.functions:
            produced = self._decorated_type(self.functions[target][1])
            called = self.packs.call(f"{produced}.__call__") if produced else None
            if called is not None:  # calling a task object (huey) enqueues it
                return Resolved(target, spec=called)
            return Resolved(target, function=self.functions[target])
        if target in self.classes:  # instantiating a project class runs its __init__
            for owner in self.mro(target):
                if f"{owner}.__init__" in self.functions:
                    return Resolved(target, function=self.functions[f"{owner}.__init__"])
            return Resolved(target)
        spec = self.packs.call(target)
        if spec is not None:
            return Resolved(target, spec=spec)
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:cut])
            rest = ".".join(parts[cut:])
            if head.endswith(f"(){ITEM}"):
                # `for order in Order.objects.filter(): order.save()`: a model instance.
                model = self.element_model(head[: -len(ITEM) - 2])
                if model:
                    return self.resolve(f"{model}.{rest}")
                continue
            if head.endswith("()"):
                # `shop.db.get_db().commit`: the result of a project function.
                produced = self.returns_of_function(head[:-2])
                if produced:
                    return self._via(f"{produced}.{rest}", target)
                model = self._returned_model(head[:-2])
                if model:
                    return self.resolve(f"{model}.{rest}")
                continue
            head = self._follow_reexport(head)
            canonical = self.packs.canonical_type(head) if head not in self.classes else ""
            if canonical:  # `AlchemySession = ScopedSession[Any]` in another module
                return self._via(f"{canonical}.{rest}", target)
            kind = self.global_types.get(head)
            produced = self.returns_of_function(kind[:-2]) if kind and kind.endswith("()") else ""
            if produced:  # `event = namespace.add_event_type(...)` in another module
                return self._via(f"{produced}.{rest}", target)
            if kind:
                found = self._via(f"{kind}.{rest}", target)
                inherited = self.pack_type(kind) if kind in self.classes else ""
                if found.spec is None and found.function is None and inherited:
                    # `db = IndicoSQLAlchemy()`: a project subclass of a pack type.
                    found = self._via(f"{inherited}.{rest}", target)
                produced = self.packs.call_returns(kind)
                if found.spec is None and found.function is None and produced:
                    # `db = SessionLocal()` in another module: the extractor types `db` by the
                    # name it was made from; the factory's instances are what it returns.
                    return self._via(f"{produced}.{rest}", target)
                return found
            if head in self.functions:
                function = self.functions[head][1]
                for cls in self._decorated_classes(function):
                    for owner in self.mro(cls):  # `@app.task(base=TransactionAwareTask)`
                        if f"{owner}.{rest}" in self.functions:
                            return Resolved(target, function=self.functions[f"{owner}.{rest}"])
                produced = self._decorated_type(function)
                if produced:
                    return self._via(f"{produced}.{rest}", target)
                return Resolved(target)
            if head in self.classes and rest.startswith(f"{SUPER}."):
                method = rest[len(SUPER) + 1 :]
                for owner in list(self.mro(head))[1:]:
                    if f"{owner}.{method}" in self.functions:
                        return Resolved(target, function=self.functions[f"{owner}.{method}"])
                base = self.framework_base(head)
                return self._via(f"{base}.{method}", target) if base else Resolved(target)
            if head in self.classes:
                for owner in self.mro(head):
                    method = f"{owner}.{rest}"
                    if method in self.functions:
                        return Resolved(target, function=self.functions[method])
                bound = self._bound_attribute(head, rest)
                if bound:  # `self.commit = session.commit` in __init__, then `repo.commit()`
                    return self._bound_call(bound, target)
                attribute, _, tail = rest.partition(".")
                if tail:  # `UnitOfWork.orders.add`: through a typed attribute
                    for owner in self.mro(head):
                        kind = (
                            dict(self.classes[owner][1].attributes).get(attribute)
                            if owner in self.classes
                            else None
                        )
                        if kind:
                            return self.resolve(f"{kind}.{tail}")
                base = self.framework_base(head)
                if base:
                    return self._via(f"{base}.{rest}", target)
                return Resolved(target)
        return Resolved(target)

    def decorated_type(self, function: Function) -> str:
        """The pack type a decorator turns a function into (`@app.task` -> celery.Task), or ""."""
        return self._decorated_type(function)

    def _decorated_type(self, function: Function) -> str:
        """The pack type a decorator turns a function into (`@app.task` -> celery.Task)."""
        for deco in function.decorators:
            produced = self.packs.returns_of(self._canonical_callee(deco)) or self._factory_type(deco)
            if produced:
                return produced
        return ""

    def _factory_type(self, decorator: str) -> str:
        """The pack type a project decorator factory makes: its nested wrapper applies a pack
        decorator to the function it wraps, or the factory's own class's pack decorator (`def
        periodic_task(self, **kw): def decorator(f): f = locked(f); return self.task(f, **kw)`
        on a project subclass of Celery -> celery.Task)."""
        found = self.resolve(decorator).function
        if found is None:
            return ""
        file, factory = found
        for nested in file.functions:
            if not nested.qualname.startswith(f"{factory.qualname}.") or not nested.params:
                continue
            wrapped = f"{PARAM}.{nested.params[0].name}"
            for op in iter_ops(nested.body):
                if op.arg_types[:1] == (wrapped,) or op.receiver == "self":
                    produced = self.packs.returns_of(self._canonical_callee(op.target))
                    if produced:
                        return produced
        return ""

    def _returned_model(self, callee: str) -> str:
        """`shop.Order.objects.get` -> `shop.Order` when the pack says it returns the model."""
        spec = self.resolve(callee).spec
        if spec is None or not spec.returns_model:
            return ""
        parts = callee.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            head = self._follow_reexport(".".join(parts[:cut]))
            if head in self.classes:
                return head
        return ""

    def _decorated_classes(self, function: Function) -> list[str]:
        out = []
        for deco in function.decorators:
            spec = self.packs.call(self._canonical_callee(deco))
            if spec is not None and spec.class_keyword:
                out += [value for key, value in function.decorator_keywords if key == spec.class_keyword]
        return out

    def implementations(self, method: str) -> list[str]:
        """The project subclasses' own definitions of `pkg.Base.method` (overrides)."""
        owner, _, name = method.rpartition(".")
        if self._subclasses is None:
            self._subclasses = {}
            for cls in self.classes:
                for base in self.mro(cls):
                    if base != cls:
                        self._subclasses.setdefault(base, []).append(cls)
        found = self._implementations.get(method)
        if found is None:  # asked at every call of the method, on every pass: sorted once
            found = self._implementations[method] = tuple(
                sorted(
                    f"{cls}.{name}"
                    for cls in self._subclasses.get(owner, [])
                    if f"{cls}.{name}" in self.functions
                )
            )
        return list(found)

    def element_model(self, callee: str) -> str:
        """`shop.Order.objects.filter().order_by` -> `shop.Order`: the model whose instances
        iterating a query made through one of its query sources yields ("" if none)."""
        parts = callee.split(".")
        for cut in range(1, len(parts)):
            head = self._follow_reexport(".".join(parts[:cut]))
            if head in self.classes:
                spec = self.resolve(f"{head}.{parts[cut]}").spec
                query = spec is not None and spec.role == "query" and spec.returns in self.packs.query_types
                return head if query else ""
        return ""

    def result_type(self, callee: str) -> str:
        """The type a call returns when the index knows it: a project function's return type,
        or the model a pack query returns (`shop.Order.objects.get` -> `shop.Order`)."""
        return self.returns_of_function(callee) or self._returned_model(callee)

    def returns_of_function(self, qualname: str, depth: int = 0) -> str:
        """The type a project function returns or yields (its annotation, or inferred). A
        method inherited from a project base is found there; one annotated `-> Self`
        (`CheckoutRepository.from_session()`) returns the class it is called on."""
        target = self._follow_reexport(qualname)
        found = self.functions.get(target)
        owner = target.rpartition(".")[0]
        if found is None and owner in self.classes:
            method = target.rpartition(".")[2]
            for base in self.mro(owner):
                found = self.functions.get(f"{base}.{method}")
                if found is not None:
                    break
        if found is None or depth > 5:
            return ""
        function = found[1]
        returns = function.returns
        if returns in _SELF_TYPES:
            return owner if owner in self.classes else ""
        if function.return_call and (not returns or returns.endswith("()")):
            generic = self._class_argument(function.return_call, depth)
            if generic:
                return generic
        first = function.params[0].name if function.params else ""
        if function.class_name and first and f"{CLASS_ARG}.{first}" in (returns, self._made_of(function)):
            # A classmethod returning what `cls` made (`cls.query.get(id)`, `cls(**kw)`,
            # `db.session.get(cls, id)`): an instance of the class it is called on.
            return owner if owner in self.classes else ""
        if returns.endswith("()"):
            return self.returns_of_function(returns[:-2], depth + 1)
        return "" if returns.startswith(f"{CLASS_ARG}.") else returns

    def _made_of(self, function: Function) -> str:
        """The argument whose class the returned call makes an instance of, when it is a
        pack call with `returns-class-arg` (`return db.session.get(cls, id)` -> `cls`)."""
        if not function.return_call:
            return ""
        spec = self.resolve(function.return_call[0]).spec
        positional = [a for a in function.return_call[1:] if "=" not in a]
        if spec is None or not 0 <= spec.returns_class_arg < len(positional):
            return ""
        return positional[spec.returns_class_arg]

    def generic_call_target(self, target: str, call: tuple[str, ...]) -> str:
        """`pkg.get_instance().delete` on the result of `get_instance(Project, id)` (`call`, a
        generic getter): `pkg.Project.delete` ("" when the callee is not generic)."""
        made = self._class_argument(call, 0) if call else ""
        prefix = f"{call[0]}()." if call else ""
        return f"{made}.{target[len(prefix) :]}" if made and target.startswith(prefix) else ""

    def _class_argument(self, call: tuple[str, ...], depth: int) -> str:
        """The project class a generic callee returns an instance of: `return
        get_instance(Task, task_id)` where `get_instance(model, ...)` returns `model.get(...)`
        (its returns `<class-arg>.model`) -> `pkg.Task` ("" when the call is not that)."""
        callee, *args = call
        found = self.functions.get(self._follow_reexport(callee))
        if found is None or depth > 5:
            return ""
        returns = found[1].returns
        if not returns.startswith(f"{CLASS_ARG}."):
            return ""
        name = returns[len(CLASS_ARG) + 1 :]
        params = [p.name for p in found[1].params]
        if found[1].class_name and params[:1] in (["self"], ["cls"]):
            params = params[1:]
        value = next((a.partition("=")[2] for a in args if a.startswith(f"{name}=")), "")
        if not value and name in params and params.index(name) < len(args):
            value = args[params.index(name)]
        value = self._follow_reexport(value) if value else ""
        return value if value in self.classes else ""

    def _canonical_callee(self, name: str) -> str:
        """A decorator or callee named through a project global: `shop.app.task` -> Celery.task,
        also when the global is an instance of a project subclass of a pack type."""
        name = self._follow_reexport(name)
        head, _, rest = name.rpartition(".")
        if not head:
            return name
        head = self._follow_reexport(head)
        kind = self.global_types.get(head) or (head if head in self.classes else "")
        if not kind:
            return name
        return f"{self.pack_type(kind) or kind}.{rest}"

    def _bound_attribute(self, cls: str, name: str) -> str:
        """The method an attribute of a project class is bound to in `__init__`
        (`self.commit = session.commit` -> `<session type>.commit`; "" if none)."""
        for owner in self.mro(cls):
            found = self.classes.get(owner)
            kind = dict(found[1].attributes).get(name, "") if found is not None else ""
            if kind.startswith(BOUND):
                return kind[len(BOUND) :]
        return ""

    def _bound_call(self, bound: str, original: str) -> Resolved:
        """What calling an attribute bound to `bound` means (its type may be an alias such as
        `AlchemySession = ScopedSession[Any]`, resolved like any target)."""
        found = self.resolve(bound)
        return Resolved(original, function=found.function, spec=found.spec)

    def pack_type(self, kind: str) -> str:
        """The pack type `kind` is or derives from: a project class whose base is a pack type
        (`class ShopCelery(Celery)`) inherits that type's meanings ("" if none)."""
        canonical = self.packs.canonical_type(kind)
        if canonical:
            return canonical
        if kind in self.classes:
            base = self.framework_base(kind)
            return base if base in self.packs.types else ""
        return ""

    def _via(self, rewritten: str, original: str) -> Resolved:
        spec = self.packs.call(rewritten)
        if spec is not None:
            return Resolved(original, spec=spec)
        if rewritten in self.functions:
            return Resolved(original, function=self.functions[rewritten])
        owner, _, method = rewritten.rpartition(".")
        if owner in self.classes:  # a project class (a unit of work returned by a factory)
            for cls in self.mro(owner):
                if f"{cls}.{method}" in self.functions:
                    return Resolved(original, function=self.functions[f"{cls}.{method}"])
            bound = self._bound_attribute(owner, method)
            if bound and not bound.startswith(f"{owner}."):
                return self._bound_call(bound, original)
            base = self.pack_type(owner)  # what it inherits from a pack type
            spec = self.packs.call(f"{base}.{method}") if base else None
            if spec is not None:
                return Resolved(original, spec=spec)
        return Resolved(original)
