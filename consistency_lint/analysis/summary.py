"""File summaries: the serialisable facts the per-file phase extracts.

A summary is everything the project phase needs to know about one file, so
that the project phase never parses again and a cache can store summaries.
Function bodies are kept as a small flow tree (`Block`) of operations in
source order, with branches, loops, try blocks, transaction scopes and exits,
so rules can reason about paths without the syntax tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, Union

from consistency_lint.analysis.tenancy_facts import TenancyFacts
from consistency_lint.domain.diagnostic import Span
from consistency_lint.domain.packs import EffectKind, Nesting, Role

# Operation kinds. Effect kinds come from the packs' roles; "call" is a call whose
# meaning is only known once the project index is linked (a project function, a
# method of a project class, a task object imported from another module).
CALL: Literal["call"] = "call"
OpKind = Union[Role, Literal["call"]]
ExitKind = Literal["return", "raise", "break", "continue"]
# The target suffix of a call through a module's table of callables (`FileSummary.dispatch`).
DISPATCH_CALL = "<dispatch>"
# The segment standing for an item of a module-level table in a call target
# (`shop.tasks.TASKS.<item>.delay`).
TABLE_ITEM = "<item>"
# `super().m()` in a method of `pkg.C` is recorded as `pkg.C.<super>.m`.
SUPER = "<super>"
# A call on an untyped parameter `order` (`order.save()`) is recorded as `<param>.order.save`;
# the project phase types the parameter from its call sites (every caller passes an `Order`).
PARAM = "<param>"
# A function that returns what calling (a method of) its untyped parameter `model` makes
# (`return model.get(id)`, a generic getter) returns `<class-arg>.model`: an instance of the
# class its caller passes there (`get_instance(Task, id)` -> a Task).
CLASS_ARG = "<class-arg>"
# The loop variable of `for order in Order.objects.filter(...)` has the type of the
# iterated value with this suffix (`shop.Order.objects.filter()[]`): an element of it.
ITEM = "[]"
# The model class a loader names by app label and model name (`apps.get_model("documents",
# "Document")`) is recorded as `<app-model>.documents.Document`: the project phase finds the
# project model of that name in a package of that label.
APP_MODEL = "<app-model>"
# A class attribute set in `__init__` to a bound method of a typed value
# (`self.commit = session.commit`) is recorded as `<bound>.<type>.<method>`: calling the
# attribute calls that method.
BOUND = "<bound>."


@dataclass(frozen=True)
class Op:
    """One call in a flow, classified as far as the file alone allows."""

    kind: OpKind  # a pack role ("commit", "publish", ...) or CALL
    target: str  # qualified name of what is called, e.g. "kafka.KafkaProducer.send"
    span: Span
    receiver: str = ""  # the receiver as written ("session", "self.session", "db.session")
    effect_kind: EffectKind | Literal[""] = ""  # for publish
    pack: str = ""
    # Qualified names of classes constructed in the arguments (session.add(OrderOutbox(...))).
    arg_classes: tuple[str, ...] = ()
    text: str = ""  # short source text of the call, for messages
    # begin: the scope commits when it ends; write: commits at once outside a transaction.
    commits: bool = False
    # Types of the arguments ("" when unknown; `<param>.x` for the caller's untyped
    # parameter x passed on): positional in order, then keywords as (name, type).
    arg_types: tuple[str, ...] = ()
    keyword_types: tuple[tuple[str, str], ...] = ()
    nested: Nesting | Literal[""] = ""  # how a begin nests inside an open transaction
    # The call that made the receiver, a local bound to a project function's result, with
    # its resolved arguments (`Function.return_call`'s form): `project.delete()` after
    # `project = get_instance(Project, id)` calls the method of the class a generic getter
    # is passed.
    receiver_call: tuple[str, ...] = ()


@dataclass(frozen=True)
class Branch:
    """`if`/`elif`/`else`, `match`, conditional expressions: exactly one arm runs."""

    arms: tuple[Block, ...]
    # The first arm only fills in a missing value (`if org is None: org = Org.create(...)`,
    # no else): a lazy get-or-create, whose commit creates a missing reference row.
    lazy: bool = False


@dataclass(frozen=True)
class Loop:
    body: Block
    orelse: Block = ()


@dataclass(frozen=True)
class TryBlock:
    body: Block
    handlers: tuple[Block, ...] = ()
    orelse: Block = ()
    final: Block = ()


@dataclass(frozen=True)
class Scope:
    """A transaction scope: `with session.begin():`, `with atomic():`, a decorated function.

    `opener` is the begin operation; the scope commits when it ends normally if
    the opener's pack entry says so.
    """

    opener: Op
    body: Block


@dataclass(frozen=True)
class Deferred:
    """Code registered to run later: an on-commit callback, an after_commit listener."""

    hook: Op
    body: Block


@dataclass(frozen=True)
class Exit:
    kind: ExitKind
    span: Span


FlowNode = Union[Op, Branch, Loop, TryBlock, Scope, Deferred, Exit]
Block = tuple[FlowNode, ...]


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str = ""  # resolved qualified name of the annotation's main type
    default: str = ""  # resolved callee of a call default (FastAPI `Depends(get_db)`)
    # Every resolved name the annotation mentions, generics included (`list[Order]`,
    # `Optional["Order"]`, `Order | None` -> the Order class and the typing names).
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Function:
    qualname: str  # "func", "Class.method", "outer.inner"
    span: Span
    params: tuple[Param, ...] = ()
    decorators: tuple[str, ...] = ()
    returns: str = ""
    body: Block = ()
    is_async: bool = False
    class_name: str = ""
    # Keyword arguments of decorator calls naming something: `@app.task(base=MyTask)`, and
    # what call arguments make (`cron_trigger=CronTrigger(...)`; key "" when positional).
    decorator_keywords: tuple[tuple[str, str], ...] = ()
    return_names: tuple[str, ...] = ()  # like Param.names, for the return annotation
    generator: bool = False  # its body yields (a `@contextmanager` generator, among others)
    # The first returned call of a project function with its resolved arguments
    # (`return get_instance(Task, task_id)` -> ("pkg.get_instance", "pkg.Task", "", ...),
    # keywords as "name=value"), for a generic callee's CLASS_ARG return type.
    return_call: tuple[str, ...] = ()
    # The job name a decorator keyword gives it (packs' `job-name-keywords`:
    # `@actor(actor_name="order.paid")`), "" for none.
    job_name: str = ""


@dataclass(frozen=True)
class FieldDef:
    """A class-level assignment: `tenant_id = Column(...)`, `org = models.ForeignKey(...)`."""

    name: str
    call: str = ""  # resolved callee of the value, if it is a call
    annotation: str = ""
    span: Span | None = None
    # First positional argument of the call: the related class of a relation field
    # (resolved name, or the string as written: "Organizer", "app.Organizer", "self").
    related: str = ""
    related_name: str = ""  # the call's `related_name=` keyword (reverse relation name)
    # Resolved names listed by a list or tuple value: `permission_classes = [IsMember]`.
    elements: tuple[str, ...] = ()
    # Declared nullable (a pack's `nullable-keywords` set to True: `null=True`).
    nullable: bool = False


@dataclass(frozen=True)
class ClassDef:
    qualname: str
    span: Span
    bases: tuple[str, ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()  # class Foo(SQLModel, table=True)
    decorators: tuple[str, ...] = ()
    fields: tuple[FieldDef, ...] = ()
    table_name: str = ""
    # `self.x` attributes with a known type, set in `__init__` (a unit of work's repositories).
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Import:
    module: str  # absolute module imported from ("" if unresolvable)
    name: str = ""  # imported name for `from m import name`, "" for `import m`
    alias: str = ""  # local name bound
    span: Span | None = None
    in_function: bool = False
    type_checking: bool = False


@dataclass(frozen=True)
class Reference:
    """A use of an imported module's class-like attribute: `orm.OrderRow`, `models.Order`.

    Only dotted chains whose head is bound by an import and which reach a
    capitalised segment are kept, truncated after that segment (`target` is
    `myapp.adapters.orm.OrderRow` for `orm.OrderRow.query.get`). Names imported
    directly (`from m import OrderRow`) are already `Import` facts.
    """

    target: str
    span: Span


@dataclass(frozen=True)
class SuppressionComment:
    """One suppression comment: where it is and what it names (empty codes = all)."""

    line: int
    column: int  # 1-based, of the `#` that starts the directive
    end_column: int  # exclusive
    codes: tuple[str, ...] = ()
    file_level: bool = False


@dataclass(frozen=True)
class Suppressions:
    """`# noqa` comments by line (empty tuple = all codes) and file-level codes.

    `comments` lists the same directives with their positions, in source order,
    so that unused ones can be reported (CL002)."""

    lines: tuple[tuple[int, tuple[str, ...]], ...] = ()
    file_codes: tuple[str, ...] = ()
    file_all: bool = False
    comments: tuple[SuppressionComment, ...] = ()


@dataclass(frozen=True)
class FileSummary:
    path: str
    module: str
    imports: tuple[Import, ...] = ()
    functions: tuple[Function, ...] = ()
    classes: tuple[ClassDef, ...] = ()
    # Module-level names bound to something the packs know (SessionLocal = sessionmaker()).
    globals: tuple[tuple[str, str], ...] = ()
    # Module-level names bound to another name (`project_task = shared_task`).
    aliases: tuple[tuple[str, str], ...] = ()
    suppressions: Suppressions = field(default_factory=Suppressions)
    references: tuple[Reference, ...] = ()
    # Project callables listed in module-level tables of the file (a message bus's handlers).
    dispatch: tuple[str, ...] = ()
    # Module-level tables of project callables by name (`TASKS = {"refresh": refresh}`):
    # `TASKS[name].delay()` / `TASKS.get(name).delay()` may call any of them (`TABLE_ITEM`).
    tables: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Functions registered to run when a row is written: (qualified target of the function
    # as the registering module names it, the registering call or decorator, whose kind is
    # one of the packs' HOOK_ROLES).
    hooks: tuple[tuple[str, Op], ...] = ()
    tenancy: TenancyFacts | None = None  # None when the file has no tenancy fact
    # A settings module that runs every request in a transaction (`ATOMIC_REQUESTS = True`).
    request_transactions: bool = False
    # A settings module's default permission classes (`DEFAULT_PERMISSION_CLASSES`), dotted.
    default_guards: tuple[str, ...] = ()

    def qualified(self, name: str) -> str:
        """The project-wide name of a function or class of this module (`shop.orders.place`)."""
        return f"{self.module}.{name}" if self.module else name


def iter_ops(block: Iterable[FlowNode]) -> Iterator[Op]:
    """Every operation of a flow tree, in source order (deferred bodies included)."""
    for node in block:
        if isinstance(node, Op):
            yield node
        elif isinstance(node, Branch):
            for arm in node.arms:
                yield from iter_ops(arm)
        elif isinstance(node, Loop):
            yield from iter_ops(node.body)
            yield from iter_ops(node.orelse)
        elif isinstance(node, TryBlock):
            yield from iter_ops(node.body)
            for handler in node.handlers:
                yield from iter_ops(handler)
            yield from iter_ops(node.orelse)
            yield from iter_ops(node.final)
        elif isinstance(node, Scope):
            yield node.opener
            yield from iter_ops(node.body)
        elif isinstance(node, Deferred):
            yield node.hook
            yield from iter_ops(node.body)
