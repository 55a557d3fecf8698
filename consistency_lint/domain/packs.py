"""The framework-pack schema: frozen dataclasses and validation of parsed TOML.

A pack says, for one framework, which calls open, commit or roll back a
transaction, write, publish, write to an outbox, register after-commit hooks,
query or bulk-modify models; how instances of its types are recognised without
a type checker; which base classes make an ORM model; which modules are a
persistence framework. The schema is documented in README ("Framework packs").
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, TypeVar, get_args

from consistency_lint.domain.globs import dotted_problem

_Choice = TypeVar("_Choice", bound=str)

SCHEMA_VERSION = 1
Role = Literal[
    "begin",
    "commit",
    "rollback",
    "write",
    "publish",
    "outbox",
    "on-commit",
    "query",
    "bulk-write",
    "after-write-hook",
    "in-transaction-hook",
]
# Roles of a call (or decorator) that registers a function to run when a row is written:
# after the write (Django `post_save`: autocommitted by then) or inside the transaction
# that writes (Django `pre_delete`, SQLAlchemy `after_insert`/`before_flush`).
HOOK_ROLES: tuple[Role, ...] = ("after-write-hook", "in-transaction-hook")
EffectKind = Literal["broker", "task", "http", "email"]
Nesting = Literal["savepoint", "join"]
ROLES: tuple[Role, ...] = get_args(Role)
EFFECT_KINDS: tuple[EffectKind, ...] = get_args(EffectKind)
NESTING: tuple[Nesting, ...] = get_args(Nesting)
# Tenancy meanings of a call (key `tenancy`), see README "Framework packs".
TENANCY_MEANINGS = (
    "and",  # a predicate combinator where every argument must hold (and_, Q)
    "or",  # a predicate combinator where one argument suffices (or_)
    "criteria",  # a global filter: first argument the model, second the predicate
    "table",  # Table("name", metadata, Column("tenant_id"), ...)
    "column",  # Column("tenant_id", ...): first argument the column name
    "mapping",  # imperative mapping: (class, table)
    "fixed-url",  # an engine built from its first argument: flagged when it is a literal
    "fixed-alias",  # a connection chosen by its first argument / subscript: flagged when a literal
    "scopes",  # a query handed to this call is scoped by it (a prefetch through a relation)
    "empty",  # a query method that selects nothing (QuerySet.none())
    "outer-row",  # OuterRef(...) or .correlate(...): a subquery tied to its outer row
    "join",  # a query method joining the model its first argument names (Select.join(Assoc))
)
PREDICATE_KINDS = ("args", "kwargs")


class PackError(ValueError):
    """A pack that does not follow the schema; the message names file and entry."""


@dataclass(frozen=True)
class TypeSpec:
    """How an instance of a framework type is recognised."""

    name: str
    aliases: tuple[str, ...] = ()
    receivers: tuple[str, ...] = ()
    call_returns: str = ""
    with_commits: bool = False
    # Methods only this type has: a module-level object the analysis cannot type (built by
    # a factory loaded at run time) on which its module calls one of them is an instance.
    identifying_methods: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallSpec:
    """What one call means. `target` is a qualified function name or `Type.method`."""

    target: str
    role: Role | Literal[""] = ""
    effect_kind: EffectKind | Literal[""] = ""
    returns: str = ""
    commits_on_exit: bool = True
    nested: Nesting = "savepoint"
    autocommit: bool = False
    callback_arg: int = 0
    pack: str = ""
    # Literal-argument matching (`boto3.client("sns")`, `event.listen(S, "after_commit", f)`):
    # the positional argument `literal_arg` holds a string literal; `if_literal` restricts
    # the entry to those values, `returns_by_literal` picks the returned type by value.
    literal_arg: int = 0
    if_literal: tuple[str, ...] = ()
    returns_by_literal: tuple[tuple[str, str], ...] = ()
    # A decorator keyword naming the class of the object it returns (`@app.task(base=MyTask)`):
    # that class's methods, when the project defines them, replace the pack's.
    class_keyword: str = ""
    # Returns an instance of the model class it is reached through (`Order.objects.get()`),
    # or of the class named by a positional argument (`get_object_or_404(Order, pk=1)`).
    returns_model: bool = False
    returns_class_arg: int = -1
    # Calling what this call returns calls its positional argument N: `async_to_sync(f)(...)`.
    wraps_arg: int = -1
    # Returns the class named by its string literal arguments, formatted into this template
    # (`get_class("customer.utils", "Dispatcher")` with "oscar.apps.{0}.{1}"): a module-level
    # name bound to such a call stands for that class.
    returns_class_template: str = ""
    # Returns the model class of the installed app named by two string arguments, given
    # positionally or by these keywords (label, model), or as one "label.Model" literal:
    # `apps.get_model("documents", "Document")` -> the project model `Document` of a
    # package named `documents`.
    returns_app_model: tuple[str, ...] = ()
    # A registering call's callback may be passed by keyword (`post_save.connect(receiver=f)`).
    callback_keyword: str = ""
    # A decorator whose positional argument N names the signal(s) it connects the decorated
    # function to (`@receiver(post_save)`): it means what `<signal>.<connects_method>` means.
    connects_arg: int = -1
    connects_method: str = ""
    # On such a decorator: its keyword naming the class whose writes send the signal
    # (`sender=Order`) and the keyword argument the receiver gets an instance of that class
    # in (`instance`): `@receiver(post_save, sender=Order) def f(sender, instance, **kw)`.
    sender_keyword: str = ""
    instance_keyword: str = ""
    # The entry does not apply when the call passes one of these keywords with this value,
    # as written in source (`form.save(commit=False)`: `{ commit = "False" }`).
    unless_keyword: tuple[tuple[str, str], ...] = ()
    # A write whose positional argument N, when it is a literal query (`"SELECT ..."`, or
    # wrapped as `text("SELECT ...")`), makes the call a read: `conn.execute(text("SELECT 1"))`.
    reads_if_select: int = -1
    # Used as a context manager, leaving the block rolls back what it did not commit
    # (`with engine.connect() as conn:`): its pending writes end with it.
    discards_on_exit: bool = False
    # A task enqueue that reads its job's arguments from the `job-args-keywords` list and the
    # `job-kwargs-keywords` dict it is given (`apply_async(args=[a], kwargs={"b": b})`).
    job_arguments: bool = False

    # --- tenancy ---
    predicates: str = ""  # "args" or "kwargs": the call's arguments filter the query
    model_arg: int = -1  # positional argument naming the queried model (select(M), session.get(M, pk))
    sql_arg: int = -1  # positional argument holding raw SQL
    sql_keyword: str = ""  # keyword argument holding raw SQL (extra(where=[...]))
    inserts: bool = False  # creates a row from its keyword arguments (objects.create)
    tenancy: str = ""  # one of TENANCY_MEANINGS

    def returns_for(self, literal: str | None) -> str:
        for value, kind in self.returns_by_literal:
            if value == literal:
                return kind
        return self.returns


@dataclass(frozen=True)
class FrameworkSyntax:
    """Framework syntax the analysis reads instead of knowing it: how keyword lookups name
    fields through relations (`relation-separators`, `exact-lookups`, `membership-lookups`,
    `primary-keys`, `foreign-key-suffixes`), how relations name their reverse
    (`related-name-keywords`, `hidden-relation-suffixes`, `reverse-relation-name`,
    `self-relation-names`), which parameter makes a view (`request-parameters`), which
    methods replace the queries a class assigns in its body (`class-query-overrides`) and
    which calls make a model attribute that is no stored column (`derived-fields`), and which
    make a generic relation, with the column holding the related row's id
    (`generic-relations`, `generic-id-fields`), and which column types hold text
    (`text-column-types`: a text column is no relation to the tenant model), and which
    decorators make a model attribute from a method (`declared-fields`: SQLAlchemy's
    `@declared_attr def customer(cls) -> Mapped["Customer"]`), and which methods run an
    operator job (`job-methods`: a management command's `handle`) and which callables make
    a schedule for a periodic job (`schedules`), how plugin hooks are
    marked and called (`hook-markers`, `hook-calls`), and which settings of which modules
    run every request in a transaction (`request-transaction-settings`, `settings-modules`),
    and which methods of a class-based view run its handlers (`view-dispatch-methods`),
    and which give views default permission classes and which views read their queryset one
    object at a time (`default-guard-settings`, `default-guard-references`, `object-views`),
    and which methods of a view hand out its queryset or one object of it (`view-querysets`)
    and which class attributes say what queryset that is (`view-queryset-attributes`), of which
    type (`view-queryset-type`)."""

    separators: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    membership: tuple[str, ...] = ()
    primary_keys: tuple[str, ...] = ()
    fk_suffixes: tuple[str, ...] = ()
    related_name_keywords: tuple[str, ...] = ()
    # Keywords of a field declaration that make it nullable when set to `True` (`null=True`).
    nullable_keywords: tuple[str, ...] = ()
    hidden_suffixes: tuple[str, ...] = ()
    reverse_name: str = ""
    self_relation_names: tuple[str, ...] = ()
    request_parameters: tuple[str, ...] = ()
    # Provenance of predicate values (tenancy): expressions whose values the client chose
    # (`request.data`, `request.GET`), a view's URL arguments read through an attribute
    # (`self.kwargs`), values that stand for the current principal or tenant
    # (`request.user`, `flask_login.current_user`) and the class attribute listing a view's
    # permission classes (`permission_classes`).
    request_data: tuple[str, ...] = ()
    url_arguments: tuple[str, ...] = ()
    tenant_sources: tuple[str, ...] = ()
    # Classes a project's model of the logged-in principal derives from (Django's
    # `AbstractBaseUser`, Flask-Login's `UserMixin`): inside a method of such a model, `self`
    # is the principal (`Group.id.in_(self.group_ids)` reads its own groups).
    principal_models: tuple[str, ...] = ()
    # Decorators and permission classes that admit only the operator (Django's
    # `staff_member_required`, DRF's `IsAdminUser`): such a view serves every tenant by design.
    operator_guards: tuple[str, ...] = ()
    guard_attributes: tuple[str, ...] = ()
    class_query_overrides: tuple[str, ...] = ()
    derived_fields: tuple[str, ...] = ()
    generic_relations: tuple[str, ...] = ()
    generic_id_fields: tuple[str, ...] = ()
    text_column_types: tuple[str, ...] = ()
    declared_fields: tuple[str, ...] = ()
    job_methods: tuple[str, ...] = ()
    # Keywords of an enqueue naming callbacks the job is handed to (RQ's `on_failure=cb`), and
    # the attribute of that job holding the enqueued positional arguments (`job.args[0]`).
    job_callback_keywords: tuple[str, ...] = ()
    job_argument_attributes: tuple[str, ...] = ()
    # Keywords of a job decorator naming the job (dramatiq's `@actor(actor_name="order.paid")`):
    # an enqueue by that name (`enqueue_job("order.paid", order.id)`) is a call site of it.
    job_name_keywords: tuple[str, ...] = ()
    # Keywords of a task enqueue holding the job's positional arguments as a list and its
    # keyword arguments as a dict (Celery's `apply_async(args=[...], kwargs={...})`).
    job_args_keywords: tuple[str, ...] = ()
    job_kwargs_keywords: tuple[str, ...] = ()
    # Callables that make a schedule (`celery.schedules.crontab`, APScheduler's CronTrigger):
    # a function decorated with a call given one runs periodically, for every tenant.
    schedules: tuple[str, ...] = ()
    # Plugin hooks (pluggy): instances of `hook-markers` types mark, as decorators, the
    # implementations of a hook; a call matching a `hook-calls` pattern (`**.hook.*`) calls
    # every marked project function named like its last segment.
    hook_markers: tuple[str, ...] = ()
    hook_calls: tuple[str, ...] = ()
    # Settings that run every request in a transaction (Django's `ATOMIC_REQUESTS`), read
    # from modules a segment of whose name matches `settings_modules`.
    request_transaction_settings: tuple[str, ...] = ()
    settings_modules: tuple[str, ...] = ()
    # Methods of a class-based view that run its other methods (Django's `View.dispatch`):
    # when one calls `super().<name>()` or a method of its own class inside a transaction
    # block, every other method of the class and of its subclasses runs inside it.
    view_dispatch_methods: tuple[str, ...] = ()
    # Views' default permission classes: a settings path listing them
    # (`REST_FRAMEWORK.DEFAULT_PERMISSION_CLASSES`), the name a view's own list uses to
    # include them (`api_settings.DEFAULT_PERMISSION_CLASSES + [...]`), and the views that
    # read the rows of their `queryset` attribute only one object at a time, through the
    # object permission checks (DRF's retrieve/update/destroy generic views).
    default_guard_settings: tuple[str, ...] = ()
    default_guard_references: tuple[str, ...] = ()
    object_views: tuple[str, ...] = ()
    # `self.get_queryset()` / `self.get_object()` in a class-based view: the rows of the
    # queryset the class (or a base) defines, or of the class attribute `queryset` / `model`.
    view_querysets: tuple[str, ...] = ()
    view_queryset_attributes: tuple[str, ...] = ()
    view_queryset_type: str = ""  # the type those methods return (`django.db.models.QuerySet`)

    @staticmethod
    def merge(parts: Iterable[FrameworkSyntax]) -> FrameworkSyntax:
        """Lists joined in order without repeats; a string from the first part setting it."""
        merged: dict[str, object] = {}
        for part in parts:
            for f in dataclasses.fields(part):
                value = getattr(part, f.name)
                if isinstance(value, tuple):
                    current = merged.get(f.name, ())
                    assert isinstance(current, tuple)
                    merged[f.name] = tuple(dict.fromkeys((*current, *value)))
                elif value and not merged.get(f.name):
                    merged[f.name] = value
        return FrameworkSyntax(**merged)  # type: ignore[arg-type]

    def split(self, path: str) -> list[str]:
        """The segments of a lookup path (`order__event__in` -> order, event, in)."""
        parts = [path]
        for separator in self.separators:
            parts = [piece for part in parts for piece in part.split(separator)]
        return [part for part in parts if part]

    @cached_property
    def row_keys(self) -> frozenset[str]:
        """Keywords selecting one row by its primary key (`pk`, `id__exact`)."""
        out = set(self.primary_keys)
        for key in self.primary_keys:
            out.update(f"{key}{sep}{lookup}" for sep in self.separators for lookup in self.exact)
        return frozenset(out)

    @cached_property
    def equality_tails(self) -> frozenset[str]:
        """Path segments after a relation that keep it an equality on the related rows."""
        return frozenset((*self.exact, *self.membership, *self.primary_keys))

    def column_relation(self, name: str, relations: Iterable[str]) -> str:
        """The relation whose column `name` is (`event_id` -> `event`), or ""."""
        for suffix in self.fk_suffixes:
            if name.endswith(suffix) and name[: -len(suffix)] in relations:
                return name[: -len(suffix)]
        return ""

    def key_matches(self, name: str, keys: Iterable[str]) -> str:
        """The tenant key `name` stands for (`organization_id` for key `organization`), or ""."""
        lowered = name.lower()
        for key in keys:
            k = key.lower()
            if lowered == k or any(
                lowered == f"{k}{suffix}" or f"{lowered}{suffix}" == k for suffix in self.fk_suffixes
            ):
                return key
        return ""


@dataclass(frozen=True)
class Pack:
    name: str
    source: str
    summary: str = ""
    modules: tuple[str, ...] = ()
    persistence_modules: tuple[str, ...] = ()
    model_bases: tuple[str, ...] = ()
    # Model bases whose subclasses are mapped only when the class statement passes a
    # keyword set to True: (base, keyword), e.g. ("sqlmodel.SQLModel", "table").
    model_keywords: tuple[tuple[str, str], ...] = ()
    # Class decorators that map the decorated class (`registry.mapped`, `as_declarative`).
    model_decorators: tuple[str, ...] = ()
    # Class attributes naming a model's table (`__tablename__`, `Meta.db_table`: a dotted
    # name is an attribute of a nested class) and marking it abstract (`Meta.abstract`).
    table_attributes: tuple[str, ...] = ()
    abstract_attributes: tuple[str, ...] = ()
    # Default table name of a model without an explicit one: base -> template with
    # {app} (the package holding the models module) and {name} (lowercase class name).
    model_table_names: tuple[tuple[str, str], ...] = ()
    # Modules that hold an application's models (`{app}` is the package holding one).
    model_modules: tuple[str, ...] = ()
    syntax: FrameworkSyntax = FrameworkSyntax()
    types: tuple[TypeSpec, ...] = ()
    calls: tuple[CallSpec, ...] = ()


_TOP_KEYS = {
    "schema",
    "name",
    "summary",
    "modules",
    "persistence-modules",
    "model-bases",
    "model-keywords",
    "model-decorators",
    "table-attributes",
    "abstract-attributes",
    "model-table-names",
    "model-modules",
    "relation-separators",
    "exact-lookups",
    "membership-lookups",
    "primary-keys",
    "foreign-key-suffixes",
    "related-name-keywords",
    "nullable-keywords",
    "hidden-relation-suffixes",
    "reverse-relation-name",
    "self-relation-names",
    "request-parameters",
    "view-dispatch-methods",
    "request-data",
    "url-arguments",
    "tenant-sources",
    "principal-models",
    "operator-guards",
    "scope-guard-attributes",
    "class-query-overrides",
    "derived-fields",
    "generic-relations",
    "generic-id-fields",
    "text-column-types",
    "declared-fields",
    "job-methods",
    "job-callback-keywords",
    "job-argument-attributes",
    "job-name-keywords",
    "job-args-keywords",
    "job-kwargs-keywords",
    "schedules",
    "hook-markers",
    "hook-calls",
    "request-transaction-settings",
    "settings-modules",
    "default-guard-settings",
    "default-guard-references",
    "object-views",
    "view-querysets",
    "view-queryset-attributes",
    "view-queryset-type",
    "types",
    "calls",
}
_TYPE_KEYS = {"aliases", "receivers", "call-returns", "with-commits", "identifying-methods"}
_CALL_KEYS = {
    "target",
    "role",
    "effect-kind",
    "returns",
    "commits-on-exit",
    "nested",
    "autocommit",
    "callback-arg",
    "literal-arg",
    "if-literal",
    "returns-by-literal",
    "class-keyword",
    "returns-model",
    "returns-class-arg",
    "wraps-arg",
    "callback-keyword",
    "connects-arg",
    "connects-method",
    "sender-keyword",
    "instance-keyword",
    "returns-class-template",
    "returns-app-model",
    "unless-keyword",
    "reads-if-select",
    "discards-on-exit",
    "job-arguments",
    "predicates",
    "model-arg",
    "sql-arg",
    "sql-keyword",
    "inserts",
    "tenancy",
}
_TENANCY_CALL_KEYS = ("predicates", "model-arg", "sql-arg", "sql-keyword", "inserts", "tenancy")


def suggest(word: str, choices: Any) -> str:
    """A `; did you mean 'x'?` suffix, or ""."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> PackError:
        return PackError(f"{self.source}: {where}: {message}")

    def keys(self, where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(where, f"unknown key '{key}'{suggest(key, allowed)}")

    def string(self, where: str, value: Any, *, choices: tuple[str, ...] = ()) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(where, f"expected a non-empty string, got {value!r}")
        if choices and value not in choices:
            raise self.fail(where, f"'{value}' is not one of {', '.join(choices)}{suggest(value, choices)}")
        return value

    def choice(self, where: str, value: Any, choices: tuple[_Choice, ...]) -> _Choice:
        """One of `choices` (typed as they are)."""
        text = self.string(where, value, choices=choices)
        return choices[choices.index(text)]

    def strings(self, where: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list of strings, got {value!r}")
        return tuple(self.string(f"{where}[{i}]", item) for i, item in enumerate(value))

    def boolean(self, where: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, got {value!r}")
        return value

    def integer(self, where: str, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(where, f"expected a non-negative integer, got {value!r}")
        return value


def parse_pack(data: Mapping[str, Any], source: str) -> Pack:
    """Validate one parsed TOML document into a Pack, or raise PackError."""
    r = _Reader(source)
    r.keys("top level", data, _TOP_KEYS)
    if data.get("schema") != SCHEMA_VERSION:
        raise r.fail("schema", f"expected schema = {SCHEMA_VERSION}, got {data.get('schema')!r}")
    name = r.string("name", data.get("name"))
    types = _parse_types(r, data.get("types", {}))
    calls = _parse_calls(r, data.get("calls", []), name)
    return Pack(
        name=name,
        source=source,
        summary=r.string("summary", data["summary"]) if "summary" in data else "",
        modules=r.strings("modules", data.get("modules", [])),
        persistence_modules=r.strings("persistence-modules", data.get("persistence-modules", [])),
        model_bases=r.strings("model-bases", data.get("model-bases", [])),
        model_keywords=_parse_string_table(r, "model-keywords", data.get("model-keywords", {})),
        model_table_names=_parse_string_table(r, "model-table-names", data.get("model-table-names", {})),
        model_decorators=r.strings("model-decorators", data.get("model-decorators", [])),
        table_attributes=r.strings("table-attributes", data.get("table-attributes", [])),
        abstract_attributes=r.strings("abstract-attributes", data.get("abstract-attributes", [])),
        model_modules=r.strings("model-modules", data.get("model-modules", [])),
        syntax=_parse_syntax(r, data),
        types=types,
        calls=calls,
    )


def _parse_syntax(r: _Reader, data: Mapping[str, Any]) -> FrameworkSyntax:
    def strings(key: str) -> tuple[str, ...]:
        return r.strings(key, data.get(key, []))

    for i, pattern in enumerate(strings("hook-calls")):
        problem = dotted_problem(pattern)
        if problem:
            raise r.fail(f"hook-calls[{i}]", f"invalid pattern {pattern!r}: {problem}")
    return FrameworkSyntax(
        separators=strings("relation-separators"),
        exact=strings("exact-lookups"),
        membership=strings("membership-lookups"),
        primary_keys=strings("primary-keys"),
        fk_suffixes=strings("foreign-key-suffixes"),
        related_name_keywords=strings("related-name-keywords"),
        nullable_keywords=strings("nullable-keywords"),
        hidden_suffixes=strings("hidden-relation-suffixes"),
        reverse_name=_parse_name_template(r, data),
        self_relation_names=strings("self-relation-names"),
        request_parameters=strings("request-parameters"),
        view_dispatch_methods=strings("view-dispatch-methods"),
        request_data=strings("request-data"),
        url_arguments=strings("url-arguments"),
        tenant_sources=strings("tenant-sources"),
        principal_models=strings("principal-models"),
        operator_guards=strings("operator-guards"),
        guard_attributes=strings("scope-guard-attributes"),
        class_query_overrides=strings("class-query-overrides"),
        derived_fields=strings("derived-fields"),
        generic_relations=strings("generic-relations"),
        generic_id_fields=strings("generic-id-fields"),
        text_column_types=strings("text-column-types"),
        declared_fields=strings("declared-fields"),
        job_methods=strings("job-methods"),
        job_callback_keywords=strings("job-callback-keywords"),
        job_argument_attributes=strings("job-argument-attributes"),
        job_name_keywords=strings("job-name-keywords"),
        job_args_keywords=strings("job-args-keywords"),
        job_kwargs_keywords=strings("job-kwargs-keywords"),
        schedules=strings("schedules"),
        hook_markers=strings("hook-markers"),
        hook_calls=strings("hook-calls"),
        request_transaction_settings=strings("request-transaction-settings"),
        settings_modules=strings("settings-modules"),
        default_guard_settings=strings("default-guard-settings"),
        default_guard_references=strings("default-guard-references"),
        object_views=strings("object-views"),
        view_querysets=strings("view-querysets"),
        view_queryset_attributes=strings("view-queryset-attributes"),
        view_queryset_type=(
            r.string("view-queryset-type", data["view-queryset-type"]) if "view-queryset-type" in data else ""
        ),
    )


def _parse_name_template(r: _Reader, data: Mapping[str, Any]) -> str:
    """`reverse-relation-name`: a template whose only placeholder is {name}."""
    if "reverse-relation-name" not in data:
        return ""
    template = r.string("reverse-relation-name", data["reverse-relation-name"])
    try:
        template.format(name="x")
    except (KeyError, IndexError, ValueError):
        raise r.fail("reverse-relation-name", f"'{template}' may use only the {{name}} placeholder") from None
    return template


def _parse_types(r: _Reader, table: Any) -> tuple[TypeSpec, ...]:
    if not isinstance(table, dict):
        raise r.fail("types", "expected a table of types")
    out = []
    for name, spec in table.items():
        where = f'types."{name}"'
        if not isinstance(spec, dict):
            raise r.fail(where, "expected a table")
        r.keys(where, spec, _TYPE_KEYS)
        out.append(
            TypeSpec(
                name=name,
                aliases=r.strings(f"{where}.aliases", spec.get("aliases", [])),
                receivers=r.strings(f"{where}.receivers", spec.get("receivers", [])),
                call_returns=(
                    r.string(f"{where}.call-returns", spec["call-returns"]) if "call-returns" in spec else ""
                ),
                with_commits=r.boolean(f"{where}.with-commits", spec.get("with-commits", False)),
                identifying_methods=r.strings(
                    f"{where}.identifying-methods", spec.get("identifying-methods", [])
                ),
            )
        )
    return tuple(out)


def _parse_calls(r: _Reader, items: Any, pack: str) -> tuple[CallSpec, ...]:
    if not isinstance(items, list):
        raise r.fail("calls", "expected an array of tables ([[calls]])")
    out = []
    for i, spec in enumerate(items):
        if not isinstance(spec, dict):
            raise r.fail(f"calls[{i}]", "expected a table")
        target = r.string(f"calls[{i}].target", spec.get("target"))
        problem = dotted_problem(target)
        if problem:
            raise r.fail(f"calls[{i}].target", f"invalid pattern {target!r}: {problem}")
        where = f"calls[{i}] ({target})"
        r.keys(where, spec, _CALL_KEYS)
        role: Role | Literal[""] = r.choice(f"{where}.role", spec["role"], ROLES) if "role" in spec else ""
        returns = r.string(f"{where}.returns", spec["returns"]) if "returns" in spec else ""
        by_literal = spec.get("returns-by-literal", {})
        if not isinstance(by_literal, dict):
            raise r.fail(f"{where}.returns-by-literal", "expected a table of literal = type")
        returns_by_literal = tuple(
            (str(key), r.string(f"{where}.returns-by-literal.{key}", value))
            for key, value in by_literal.items()
        )
        returns_model = r.boolean(f"{where}.returns-model", spec.get("returns-model", False))
        unless = spec.get("unless-keyword", {})
        if not isinstance(unless, dict):
            raise r.fail(f"{where}.unless-keyword", "expected a table of keyword = value as written")
        unless_keyword = tuple(
            (str(key), r.string(f"{where}.unless-keyword.{key}", value)) for key, value in unless.items()
        )
        class_arg = (
            r.integer(f"{where}.returns-class-arg", spec["returns-class-arg"])
            if "returns-class-arg" in spec
            else -1
        )
        if (
            not role
            and not returns
            and not returns_by_literal
            and not returns_model
            and class_arg < 0
            and "wraps-arg" not in spec
            and "connects-arg" not in spec
            and "returns-class-template" not in spec
            and "returns-app-model" not in spec
            and not any(key in spec for key in _TENANCY_CALL_KEYS)
        ):
            raise r.fail(
                where, "needs a 'role', a 'returns', a 'returns-by-literal', 'connects-arg' or a tenancy key"
            )
        if ("connects-arg" in spec) != ("connects-method" in spec):
            raise r.fail(where, "'connects-arg' and 'connects-method' go together")
        if ("sender-keyword" in spec) != ("instance-keyword" in spec):
            raise r.fail(where, "'sender-keyword' and 'instance-keyword' go together")
        effect_kind: EffectKind | Literal[""] = ""
        if role == "publish":
            if "effect-kind" not in spec:
                raise r.fail(where, "a publish needs an 'effect-kind'")
            effect_kind = r.choice(f"{where}.effect-kind", spec["effect-kind"], EFFECT_KINDS)
        elif "effect-kind" in spec:
            raise r.fail(where, "'effect-kind' only goes with role = \"publish\"")
        out.append(
            CallSpec(
                target=target,
                role=role,
                effect_kind=effect_kind,
                returns=returns,
                commits_on_exit=r.boolean(f"{where}.commits-on-exit", spec.get("commits-on-exit", True)),
                nested=r.choice(f"{where}.nested", spec.get("nested", "savepoint"), NESTING),
                autocommit=r.boolean(f"{where}.autocommit", spec.get("autocommit", False)),
                callback_arg=r.integer(f"{where}.callback-arg", spec.get("callback-arg", 0)),
                pack=pack,
                literal_arg=r.integer(f"{where}.literal-arg", spec.get("literal-arg", 0)),
                if_literal=r.strings(f"{where}.if-literal", spec.get("if-literal", [])),
                returns_by_literal=returns_by_literal,
                returns_model=returns_model,
                returns_class_arg=class_arg,
                wraps_arg=r.integer(f"{where}.wraps-arg", spec["wraps-arg"]) if "wraps-arg" in spec else -1,
                callback_keyword=(
                    r.string(f"{where}.callback-keyword", spec["callback-keyword"])
                    if "callback-keyword" in spec
                    else ""
                ),
                returns_class_template=_class_template(r, where, spec),
                returns_app_model=_app_model_keywords(r, where, spec),
                connects_arg=(
                    r.integer(f"{where}.connects-arg", spec["connects-arg"]) if "connects-arg" in spec else -1
                ),
                connects_method=(
                    r.string(f"{where}.connects-method", spec["connects-method"])
                    if "connects-method" in spec
                    else ""
                ),
                sender_keyword=(
                    r.string(f"{where}.sender-keyword", spec["sender-keyword"])
                    if "sender-keyword" in spec
                    else ""
                ),
                instance_keyword=(
                    r.string(f"{where}.instance-keyword", spec["instance-keyword"])
                    if "instance-keyword" in spec
                    else ""
                ),
                unless_keyword=unless_keyword,
                discards_on_exit=r.boolean(f"{where}.discards-on-exit", spec.get("discards-on-exit", False)),
                job_arguments=r.boolean(f"{where}.job-arguments", spec.get("job-arguments", False)),
                reads_if_select=(
                    r.integer(f"{where}.reads-if-select", spec["reads-if-select"])
                    if "reads-if-select" in spec
                    else -1
                ),
                class_keyword=(
                    r.string(f"{where}.class-keyword", spec["class-keyword"])
                    if "class-keyword" in spec
                    else ""
                ),
                predicates=(
                    r.string(f"{where}.predicates", spec["predicates"], choices=PREDICATE_KINDS)
                    if "predicates" in spec
                    else ""
                ),
                model_arg=r.integer(f"{where}.model-arg", spec["model-arg"]) if "model-arg" in spec else -1,
                sql_arg=r.integer(f"{where}.sql-arg", spec["sql-arg"]) if "sql-arg" in spec else -1,
                sql_keyword=(
                    r.string(f"{where}.sql-keyword", spec["sql-keyword"]) if "sql-keyword" in spec else ""
                ),
                inserts=r.boolean(f"{where}.inserts", spec.get("inserts", False)),
                tenancy=(
                    r.string(f"{where}.tenancy", spec["tenancy"], choices=TENANCY_MEANINGS)
                    if "tenancy" in spec
                    else ""
                ),
            )
        )
    return tuple(out)


def _class_template(r: _Reader, where: str, spec: Mapping[str, Any]) -> str:
    """`returns-class-template`: a dotted name with {0}, {1}... for literal arguments."""
    if "returns-class-template" not in spec:
        return ""
    template = r.string(f"{where}.returns-class-template", spec["returns-class-template"])
    try:
        template.format(*(["x"] * 10))
    except (KeyError, IndexError, ValueError):
        raise r.fail(
            f"{where}.returns-class-template", f"'{template}' may use only positional placeholders ({{0}})"
        ) from None
    return template


def _app_model_keywords(r: _Reader, where: str, spec: Mapping[str, Any]) -> tuple[str, ...]:
    """`returns-app-model`: the two parameters naming the app label and the model."""
    if "returns-app-model" not in spec:
        return ()
    names = r.strings(f"{where}.returns-app-model", spec["returns-app-model"])
    if len(names) != 2:
        raise r.fail(
            f"{where}.returns-app-model", "expected two parameter names: the app label and the model"
        )
    return names


def _parse_string_table(r: _Reader, key: str, table: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(table, dict):
        raise r.fail(key, 'expected a table of "qualified.Base" = "text"')
    return tuple((base, r.string(f'{key}."{base}"', text)) for base, text in table.items())
