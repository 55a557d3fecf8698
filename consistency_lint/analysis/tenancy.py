"""Project phase of the tenancy rules: judge the per-file facts with the model index.

A query chain (`tenancy_facts.QueryFact`) is walked step by step with the pack
types: the chain's type starts at the model's framework base (`Invoice.objects`)
or at what the source call returns (`select(M)`), each step looks up
`<type>.<name>` in the packs (`tenancy_call`), and a step whose pack entry has
`predicates` contributes the names its arguments require. Unknown steps (a
custom queryset method) keep the type. The chain is scoped when a required
name matches a tenant key, when a step, the model's manager class or a called
helper matches `tenancy.scoping-helpers`, or when a global filter
(`with_loader_criteria`) with the tenant key covers the model.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.jobs import TenantFreeJobs
from consistency_lint.analysis.models import ModelIndex, ModelInfo
from consistency_lint.analysis.summary import FileSummary, Function
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
    FixedConnectionFact,
    QueryFact,
    SqlFact,
    StepFact,
    TenancyFacts,
)
from consistency_lint.domain.settings import TenancySettings

READ = "read"
BULK = "bulk"
INSERT = "insert"
WRITE = "write"


@dataclass(frozen=True)
class QueryVerdict:
    fact: QueryFact
    kind: str  # READ, BULK, INSERT or "" (not a query of a tenant-scoped model)
    model: ModelInfo | None = None
    scoped: bool = False
    insert_kwargs: tuple[str, ...] = ()
    insert_unknown: bool = False
    fixed_alias: tuple[str, ...] = ()  # literal aliases chosen by a step (.using("default"))
    text: str = ""  # the chain as far as it is this query: `Invoice.objects.filter()`
    ended: bool = False  # the chain ran the query (`.get()`, `.first()`) or read a row's attribute


@dataclass(frozen=True)
class Where:
    """The function a query is in, as provenance sees it (`TenancyAnalysis.context`)."""

    view: bool = False  # takes a request parameter: its other parameters are URL arguments
    verified: tuple[str, ...] = ()  # URL arguments a configured scope guard verifies ("*": all)
    sourced: tuple[str, ...] = ()  # parameters a tenant source fills (dependency, annotation)
    class_guarded: bool = False  # a method of its class is guarded: `self.kwargs` is verified
    principal: bool = False  # a method of a model of the principal: `self` is the principal
    model_row: bool = False  # a method of a mapped model: `self` is a row in hand


_NOWHERE = Where()
_GUARD = re.compile(r"([^()\s]+)\s*(?:\(([^()]*)\))?")
_MAX_DEPTH = 4  # calls followed up from a helper's parameter
_JOB_ARGUMENT = re.compile(r"\.\w+\[\d+\]")  # `.args[0]`: an enqueued argument read off a job


def _any_match(patterns: Iterable[str], names: Iterable[str]) -> bool:
    """A resolved name matching a pattern: fnmatch, or the pattern is its last segment(s)."""
    return any(
        name and (fnmatch.fnmatchcase(name, pattern) or name.endswith(f".{pattern}"))
        for name in names
        for pattern in patterns
    )


def _guard_args(guards: Iterable[tuple[str, frozenset[str]]], names: Iterable[str]) -> set[str]:
    """The URL arguments the guards among `names` verify."""
    out: set[str] = set()
    listed = [name for name in names if name]
    for pattern, args in guards:
        if _any_match((pattern,), listed):
            out |= args
    return out


def _head(origin: str) -> str:
    """The parameter an origin starts at: `param:auth_subject.organization_id` -> auth_subject."""
    return origin[len(PARAM) :].split(".", 1)[0].split("(", 1)[0]


def facts(summary: FileSummary) -> TenancyFacts | None:
    return summary.tenancy


def helper_matches(tenancy: TenancySettings, *names: str) -> bool:
    for pattern in tenancy.scoping_helpers:
        for name in names:
            if not name:
                continue
            if fnmatch.fnmatchcase(name, pattern) or name.rsplit(".", 1)[-1] == pattern:
                return True
    return False


class TenancyAnalysis:
    """Verdicts for every fact of a project, computed once per run and shared by CL201-CL205
    (the engine's check context holds it)."""

    def __init__(
        self,
        index: ProjectIndex,
        tenancy: TenancySettings,
        models: ModelIndex,
        silenced: Callable[[str], bool] | None = None,
    ) -> None:
        self.index = index
        self.tenancy = tenancy
        self.models = models
        self._criteria: set[str] | None = None
        self._verdicts: list[tuple[FileSummary, QueryVerdict]] | None = None
        self._where: dict[tuple[str, str], Where] = {}
        self._guarded_functions: list[str] | None = None
        self._guards: tuple[tuple[str, frozenset[str]], ...] | None = None
        self._defaults: tuple[str, ...] | None = None
        self._callers: dict[str, list[tuple[FileSummary, CallFact]]] | None = None
        self._forwarders: dict[str, tuple[int, frozenset[str]]] | None = None
        self._job_names: dict[str, str] | None = None
        self._params: dict[tuple[str, str, int], bool] = {}
        self._rows: dict[tuple[str, int], bool] = {}
        self._matches: dict[tuple[str, str], bool] = {}
        self._views: dict[tuple[str, str], tuple[ModelInfo | None, bool]] = {}
        self.jobs = TenantFreeJobs(index, silenced, self.operator_view)

    def criteria_models(self) -> set[str]:
        if self._criteria is None:
            out: set[str] = set()
            for summary in self.index.files.values():
                found = facts(summary)
                if found is None:
                    continue
                for criteria in found.criteria:
                    if any(
                        self.models.key_matches(name, self.tenancy.tenant_keys) for name in criteria.names
                    ):
                        out.add(self.index._follow_reexport(criteria.model))
            self._criteria = out
        return self._criteria

    def scoped_by_criteria(self, model: str) -> bool:
        criteria = self.criteria_models()
        return bool(criteria) and any(base in criteria for base in self.index.mro(model))

    # ----- queries ------------------------------------------------------------

    def queries(self) -> Iterator[tuple[FileSummary, QueryVerdict]]:
        """Verdicts of the queries of tenant-scoped models (and pinned aliases), judged once."""
        if self._verdicts is None:
            verdicts = []
            for summary in self.index.files.values():
                found = facts(summary)
                if found is None:
                    continue
                for query in found.queries:
                    if query.via_self:
                        continue  # a view's own queryset: judged where its class defines it
                    if query.in_class_body and self._class_overrides(summary, query.function):
                        continue
                    if self.enclosed(summary, query):
                        continue  # a subquery: its rows are bounded by the query it is part of
                    verdict = self.judge(query, summary)
                    if query.in_class_body and verdict.kind and self.object_guarded(summary, query.function):
                        verdict = replace(verdict, scoped=True)  # each object checked by the guard
                    if verdict.kind in (READ, BULK) and self.in_job(summary, query.function):
                        verdict = replace(verdict, scoped=True)  # every tenant, by design
                    if verdict.kind or verdict.fixed_alias:
                        verdicts.append((summary, verdict))
            self._verdicts = verdicts
        return iter(self._verdicts)

    def enclosed(self, summary: FileSummary, query: QueryFact) -> bool:
        """A subquery (`filter(pk__in=Sub.objects...)`, `.where(Outer.id.not_in(select(...)))`,
        a correlated `.exists()`) of a query of a tenant-scoped model: that query is judged (and
        reported when unscoped), the subquery only narrows its rows."""
        found = facts(summary)
        number = query.nested_in
        if number >= 0 and self.judge(query, summary).ended:
            return False  # a row fetched and then used (`project_id=project.id`), not a subquery
        seen = 0
        while found is not None and 0 <= number < len(found.queries) and seen < len(found.queries):
            outer = found.queries[number]
            verdict = self.judge(outer, summary)
            if verdict.kind in (READ, BULK) and verdict.model is not None and verdict.model.tenant_scoped:
                # a view's own queryset is never reported: only a scoped one answers for it
                return verdict.scoped or not outer.via_self
            number = outer.nested_in
            seen += 1
        return False

    def in_job(self, summary: FileSummary, function: str) -> bool:
        """Whether code of `function` runs in a background job that takes no argument (or a
        function only such jobs call): it serves every tenant by design (`jobs`)."""
        qualname = f"{summary.module}.{function}" if summary.module else function
        return bool(function) and qualname in self.jobs

    def _class_overrides(self, summary: FileSummary, cls: str) -> bool:
        """A class (or a project base) defines a method that replaces or narrows the queries
        of its body (the packs' `class-query-overrides`: DRF's `get_queryset`)."""
        methods = self.index.packs.syntax.class_query_overrides
        qualname = f"{summary.module}.{cls}" if summary.module else cls
        return any(
            f"{owner}.{m}" in self.index.functions for owner in self.index.mro(qualname) for m in methods
        )

    def judge(self, query: QueryFact, summary: FileSummary | None = None) -> QueryVerdict:
        packs = self.index.packs
        where = self.context(summary, query.function) if summary is not None else _NOWHERE
        tenancy = self.tenancy
        model: ModelInfo | None = None
        type_name = ""
        steps = query.steps
        kinds: set[str] = set()
        names: set[str] = set()
        helper = False
        insert_kwargs: tuple[str, ...] = ()
        insert_unknown = False
        aliases: list[str] = []
        origins: list[str] = []  # predicates whose value derives from the current tenant
        written: set[str] = set()  # every predicate name, whoever chose its value
        joined: set[str] = set()  # models joined into the query (`join(ProductBenefit)`)
        if query.via_self:
            model, helper = self.view_queryset(summary, query)
            if model is None:
                return QueryVerdict(query, "")
            type_name = packs.syntax.view_queryset_type
            kinds.add(READ)
        elif query.root:
            info = self.models.info(query.root, tenancy)
            if not info.is_model:
                return QueryVerdict(query, "")
            model = info
            type_name = info.framework_base
        elif query.source:
            spec = packs.tenancy_call(query.source)
            if spec is None:
                return QueryVerdict(query, "")
            for candidate in query.models:
                info = self.models.info(candidate, tenancy)
                if info.is_model and (model is None or (info.tenant_scoped and not model.tenant_scoped)):
                    model = info
            if model is None:
                return QueryVerdict(query, "")
            type_name = spec.returns
            if spec.role == "query":
                kinds.add(READ)
            elif spec.role == "bulk-write":
                kinds.add(BULK)
            if helper_matches(tenancy, query.source):
                helper = True
        used = len(steps)
        ended = False
        for position, step in enumerate(steps):
            if query.via_self and position == 0:
                continue  # `get_queryset()` itself: its rows are the view's queryset
            if step.name.startswith("@"):  # the chain is handed to this function
                handed_to = packs.tenancy_call(step.name[1:])
                if helper_matches(tenancy, step.name[1:]) or (
                    handed_to is not None and handed_to.tenancy == "scopes"
                ):
                    helper = True
                continue
            if not step.name:  # the source call's own arguments
                target = step.target or query.source
                spec = packs.tenancy_call(target)
            else:
                target = f"{type_name}.{step.name}" if type_name else step.name
                spec = packs.tenancy_call(target) if type_name else None
            if step.name and query.root and position == 0 and model is not None:
                # A manager declared on the model: objects = TenantManager()
                manager = dict(model.field_calls).get(step.name, "")
                if manager and helper_matches(tenancy, manager):
                    helper = True
                if manager and self.scoping_class(manager):
                    helper = True  # an automatically scoping manager (django-scopes' ScopedManager)
            if step.name and helper_matches(
                tenancy, f"{model.qualname}.{step.name}" if model else "", target, step.name
            ):
                helper = True
            if spec is None and step.name and position == 0 and query.root and model is not None:
                managed = self.models.manager_type(model, step.name)
                if managed:  # a custom manager: Issue.issue_objects.filter(...)
                    kinds.add(READ)
                    type_name = managed
                    continue
            if spec is None:
                if step.name and (not step.call or position == 0) and query.root:
                    # An attribute we cannot type (a relation descriptor, a field of a
                    # fetched instance) or a class attribute that is not a manager: the
                    # chain is no longer a query of this model.
                    if position == 0:
                        return QueryVerdict(query, "", model, fixed_alias=tuple(aliases))
                    used, ended = position, True
                    break
                if step.name and not step.call:
                    used, ended = position, True
                    break
                continue  # a custom queryset method: keeps the type
            if spec.role == "query":
                kinds.add(READ)
            elif spec.role == "bulk-write":
                kinds.add(BULK)
            elif spec.role == "write" or spec.sql_arg >= 0:
                kinds.add(WRITE)  # rows judged as constructions, raw SQL by CL203
            if spec.inserts:
                kinds.add(INSERT)
                insert_kwargs = step.kwargs
                insert_unknown = step.star
            if spec.tenancy in ("empty", "outer-row", "scopes"):
                # selects nothing / correlated to its outer row (`.correlate(...)`) / a manager
                # the library scopes itself (django-multitenant's `TenantModel.objects`)
                helper = True
            if spec.tenancy == "join":
                joined.update(self.index._follow_reexport(c) for c in step.classes)
            if spec.tenancy == "fixed-alias" and step.literal:
                aliases.append(step.literal)
            if spec.predicates or spec.sql_keyword:
                names.update(self._trusted_names(step, where))
                written.update(step.names)
                for predicate, origin in step.origins:
                    if self.derives_from_tenant(origin, where) or (
                        model is not None
                        and self._row_key(model, predicate)
                        and (
                            self.verified(origin, where)
                            or self.from_scoped(origin, summary, query.function, before=query.span.line)
                        )
                    ):
                        origins.append(predicate)
            if spec.predicates and model is not None and not helper:
                trusted = self._trusted_names(step, where)
                paths = [n[1:] for n in trusted if n.startswith("=") and n != ROW_MARK]
                # An equality comparison on the primary key re-reads a row in hand
                # (`Order.id == refund.order_id`), as `pk=refund.order_id` does.
                compared = [(p, o) for p, o in step.origins if p not in step.kwargs and f"={p}" in trusted]
                helper = (
                    ROW_MARK in trusted
                    or any(self.through_relation(model, key) for key in paths)
                    or any(p in packs.syntax.primary_keys and self._from_row(o, where) for p, o in compared)
                    or self.attached_to_object(model, step.names)
                    or self.joined_to_row(model, step, joined, where, summary, query.function)
                )
            if spec.returns and step.name:
                type_name = spec.returns
            elif step.name and not spec.returns and type_name:
                used, ended = position + 1, True
                break  # a terminal step (get, create, update): what follows is not this query
        if model is None or not model.tenant_scoped:
            # Not a query to judge; `scoped` still says whether its rows hang off rows of one
            # tenant (`ItemLabel.objects.filter(item=item)`), for the queries that use them.
            tied = model is not None and model.is_model and (helper or bool(origins))
            return QueryVerdict(query, "", model, scoped=tied, fixed_alias=tuple(aliases))
        if not helper and any(self.verifies(model, step, where) for step in steps):
            helper = True  # fetched, then verified against the caller before use
        if WRITE in kinds:  # bulk_create(...): its rows are judged as constructions
            kind = ""
        else:
            kind = INSERT if INSERT in kinds else BULK if BULK in kinds else READ if READ in kinds else ""
        scoped = (
            helper
            or any(self.models.key_matches(name, tenancy.tenant_keys) for name in names)
            or self.scoped_by_criteria(model.qualname)
            or self.by_lookup_field(model, written)
            or bool(origins)
        )
        return QueryVerdict(
            query,
            kind,
            model,
            scoped,
            insert_kwargs,
            insert_unknown,
            tuple(aliases),
            _text(query, used),
            ended,
        )

    def view_queryset(self, summary: FileSummary | None, query: QueryFact) -> tuple[ModelInfo | None, bool]:
        """The model of a class-based view's own queryset (`self.get_queryset()`, or
        `super().get_queryset()` in an override) and whether it is scoped: the queryset the
        nearest class defining one of the packs' `view-querysets` returns (its last query),
        else the class attribute `queryset` (judged in the class body) or every row of `model`
        (`view-queryset-attributes`)."""
        if summary is None or "." not in query.function:
            return None, False
        owner = query.function.rsplit(".", 1)[0]
        owner = f"{summary.module}.{owner}" if summary.module else owner
        key = (owner, query.via_self)
        if key in self._views:
            return self._views[key]
        self._views[key] = (None, False)  # while judging it: a cycle proves nothing
        syntax = self.index.packs.syntax
        classes = list(self.index.mro(owner))
        if query.via_self == "super":
            classes = classes[1:]
        out: tuple[ModelInfo | None, bool] = (None, False)
        for cls in classes:
            defined = [f"{cls}.{m}" for m in syntax.view_querysets if f"{cls}.{m}" in self.index.functions]
            if defined:
                out = self._returned_queryset(defined[0])
                if out[0] is None:  # `self.model.objects.all()`: the attributes name the model
                    out = (self._attribute_queryset(list(self.index.mro(owner)))[0], False)
                break
        else:
            out = self._attribute_queryset(classes)
        self._views[key] = out
        return out

    def _returned_queryset(self, qualname: str) -> tuple[ModelInfo | None, bool]:
        """The last outermost query of a view's queryset method: what it returns."""
        holder, fn = self.index.functions[qualname]
        found = facts(holder)
        if found is None:
            return None, False
        last: QueryVerdict | None = None
        for query in found.queries:
            if query.function == fn.qualname and query.nested_in < 0:
                verdict = self.judge(query, holder)
                if verdict.model is not None:
                    last = verdict
        if last is None or last.model is None:
            return None, False
        return last.model, last.scoped

    def _attribute_queryset(self, classes: list[str]) -> tuple[ModelInfo | None, bool]:
        attributes = self.index.packs.syntax.view_queryset_attributes
        for cls in classes:
            found = self.index.classes.get(cls)
            if found is None:
                continue
            holder, definition = found
            for name in attributes:
                field = next((f for f in definition.fields if f.name == name), None)
                if field is None:
                    continue
                local = definition.qualname
                for query in (facts(holder) or TenancyFacts()).queries:
                    if query.in_class_body and query.function == local and query.nested_in < 0:
                        verdict = self.judge(query, holder)
                        if verdict.model is not None:
                            return verdict.model, verdict.scoped
                for element in field.elements:
                    info = self.models.info(element, self.tenancy)
                    if info.is_model:
                        return info, False
        return None, False

    def verifies(self, model: ModelInfo, step: StepFact, where: Where) -> bool:
        """`row.has_permission(request.user)` on the fetched row (or queryset): a method listed
        in `verifiers` (a bare name or `Model.method`) handed a value of the current tenant or
        principal (a tenant source). Fetch-then-verify: the code checks the row it fetched
        belongs to the caller (`if not row.has_permission(request.user): return 403`)."""
        verifiers = self.tenancy.verifiers
        if not verifiers or not step.call or not step.name or step.name.startswith("@"):
            return False
        names = [f"{base}.{step.name}" for base in self.index.mro(model.qualname)]
        if not _any_match(verifiers, (step.name, *names)) and step.name not in verifiers:
            return False
        values = (*(origin for _, origin in step.arg_origins), *(origin for _, origin in step.origins))
        return any(self.derives_from_tenant(origin, where) for origin in values if origin)

    def by_lookup_field(self, model: ModelInfo, names: set[str]) -> bool:
        """A lookup by a configured unique secret (`ApiToken.key`), on the model or through
        a relation path (`project__ping_key=k` with `Project.ping_key`): how a request finds
        its tenant, whoever supplied the value."""
        plain = {name.lstrip(UNTRUSTED).lstrip("=") for name in names}
        if self._secret(model, plain):
            return True
        syntax = self.index.packs.syntax
        for name in names:
            path = name.lstrip(UNTRUSTED)
            if not path.startswith("=") or path == ROW_MARK:
                continue
            parts = [p for p in syntax.split(path[1:]) if p not in syntax.equality_tails]
            current: ModelInfo | None = model
            for part in parts[:-1]:
                if current is None:
                    break
                related = dict(current.relations).get(part) or self.models.reverse_relations(
                    current.qualname
                ).get(part)
                current = self.models.info(related, self.tenancy) if related else None
            if current is not None and len(parts) > 1 and self._secret(current, {parts[-1]}):
                return True
        return False

    def _secret(self, model: ModelInfo, fields: set[str]) -> bool:
        mro = list(self.index.mro(model.qualname))
        classes = {base.rsplit(".", 1)[-1] for base in mro}
        for entry in self.tenancy.tenant_lookup_fields:
            owner, _, field = entry.rpartition(".")
            if field in fields and (owner in classes or owner in mro):
                return True
        return False

    def is_tenant_source(self, origin: str) -> bool:
        """A value derived from a configured (or pack) tenant source: the source itself, an
        attribute or call of it (`request.user.organization.id`, `current_tenant()`), read
        in a method through `self` (`self.request.tenant`)."""
        plain = origin[len(PARAM) :] if origin.startswith(PARAM) else origin
        sources = (*self.tenancy.tenant_sources, *self.index.packs.syntax.tenant_sources)
        candidates = [c for c in (plain, plain[len("self.") :] if plain.startswith("self.") else "") if c]
        return any(
            candidate == source or candidate.startswith((f"{source}.", f"{source}("))
            for candidate in candidates
            for source in sources
        )

    # ----- provenance of predicate values -------------------------------------------

    def context(self, summary: FileSummary, function: str) -> Where:
        """What the function holding a query tells about its values: whether it is a view
        (it takes a request parameter and is not itself a guard), which of its URL arguments
        a configured scope guard verifies (a decorator, or a permission class listed in a
        guard attribute of its class or a base; `self.kwargs` too when any method of the
        class is guarded), and which parameters a tenant source fills (by dependency or
        annotation)."""
        key = (summary.module, function)
        cached = self._where.get(key)
        if cached is not None:
            return cached
        qualname = f"{summary.module}.{function}" if summary.module else function
        found = self.index.functions.get(qualname)
        syntax = self.index.packs.syntax
        guards = self.guards()
        owner = qualname.rsplit(".", 1)[0] if "." in function else ""
        is_guard = bool(_guard_args(guards, (qualname, owner)))
        view = False
        verified: set[str] = set()
        sourced: list[str] = []
        if found is not None:
            fn = found[1]
            names = [param.name for param in fn.params]
            view = not is_guard and any(name in syntax.request_parameters for name in names[:2])
            verified |= _guard_args(guards, fn.decorators)
            sources = (*self.tenancy.tenant_sources, *syntax.tenant_sources)
            sourced = [p.name for p in fn.params if _any_match(sources, (p.default, p.annotation))]
        class_guarded = False
        if owner in self.index.classes:
            verified |= _guard_args(guards, self.permission_classes(owner, nearest=False))
            prefix = f"{owner}."
            class_guarded = bool(verified) or any(name.startswith(prefix) for name in self._guarded())
        principal = owner in self.index.classes and self.principal_model(owner)
        model_row = owner in self.index.classes and self.models.info(owner, self.tenancy).is_model
        out = Where(view, tuple(sorted(verified)), tuple(sourced), class_guarded, principal, model_row)
        self._where[key] = out
        return out

    def principal_model(self, cls: str) -> bool:
        """A model of the logged-in principal: a project class deriving from one of the packs'
        `principal-models` (Django's `AbstractBaseUser`, Flask-Login's `UserMixin`) or listed
        in the `principal-models` setting (a per-user record such as a profile)."""
        patterns = (*self.tenancy.principal_models, *self.index.packs.syntax.principal_models)
        return bool(patterns) and _any_match(patterns, self.index.mro(cls))

    def operator_view(self, qualname: str, function: Function) -> bool:
        """A view only the operator may call: decorated with one of the `operator-guards`
        (the setting's and the packs': `@require_super_admin`, `staff_member_required`), or
        a method of a class whose permission classes include one (DRF's `IsAdminUser`)."""
        patterns = (*self.tenancy.operator_guards, *self.index.packs.syntax.operator_guards)
        if not patterns:
            return False
        if _any_match(patterns, function.decorators):
            return True
        owner = qualname.rsplit(".", 1)[0] if function.class_name else ""
        return (
            bool(owner)
            and owner in self.index.classes
            and _any_match(patterns, self.permission_classes(owner))
        )

    def _guarded(self) -> list[str]:
        """The project functions a configured guard decorates, found once (a scan of every
        function per queried method was quadratic on a large project)."""
        if self._guarded_functions is None:
            guards = self.guards()
            self._guarded_functions = [
                name for name, (_, fn) in self.index.functions.items() if _guard_args(guards, fn.decorators)
            ]
        return self._guarded_functions

    def permission_classes(self, cls: str, nearest: bool = True) -> tuple[str, ...]:
        """The guards a class's guard attributes list (`permission_classes`): those of the
        nearest class of its MRO that sets one (every class's with `nearest=False`), with a
        reference to the defaults (`api_settings.DEFAULT_PERMISSION_CLASSES + [...]`, the packs'
        `default-guard-references`) standing for the settings module's defaults (the packs'
        `default-guard-settings`); the defaults when no class sets one."""
        syntax = self.index.packs.syntax
        listed: list[str] = []
        found = False
        for base in self.index.mro(cls):
            entry = self.index.classes.get(base)
            if entry is None:
                continue
            for f in entry[1].fields:
                if f.name in syntax.guard_attributes:
                    found = True
                    listed.extend(f.elements)
            if found and nearest:
                break
        defaults = self.default_guards()
        if not found:
            return defaults
        out: list[str] = []
        for name in listed:
            out.extend(defaults if name in syntax.default_guard_references else (name,))
        return tuple(out)

    def default_guards(self) -> tuple[str, ...]:
        """The default permission classes the project's settings modules set."""
        if self._defaults is None:
            files = self.index.files.values()
            self._defaults = tuple(dict.fromkeys(name for f in files for name in f.default_guards))
        return self._defaults

    def object_guarded(self, summary: FileSummary, cls: str) -> bool:
        """The `queryset` of a view that hands out its rows one object at a time (the packs'
        `object-views`: DRF's retrieve/update/destroy views) after a configured object guard
        (`object-guards`, among its permission classes or the settings' defaults) checked
        each one: the rows it reaches are the caller tenant's."""
        object_guards = self.tenancy.object_guards
        views = self.index.packs.syntax.object_views
        if not object_guards or not views:
            return False
        qualname = summary.qualified(cls)
        if qualname not in self.index.classes or not any(base in views for base in self.index.mro(qualname)):
            return False
        return _any_match(object_guards, self.permission_classes(qualname))

    def guards(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """`scope-guards` entries as (pattern, verified arguments; {"*"} for all):
        `pkg.require_member` verifies every URL argument, `pkg.ProjectMember(slug,
        project_id)` only those named."""
        if self._guards is None:
            out = []
            for entry in self.tenancy.scope_guards:
                match = _GUARD.fullmatch(entry.strip())
                if match is None:
                    continue
                names = match.group(2)
                args = (
                    frozenset(a.strip() for a in names.split(",") if a.strip()) if names else frozenset("*")
                )
                pattern = match.group(1)
                out.append((pattern, args))
                if not any(c in pattern for c in "*?["):  # also where a re-export points
                    defined = self.index._follow_reexport(pattern)
                    if defined != pattern:
                        out.append((defined, args))
            self._guards = tuple(out)
        return self._guards

    def derives_from_tenant(self, origin: str, where: Where) -> bool:
        """A value of the current tenant: a tenant source, or a parameter whose dependency
        or annotation is one (FastAPI `org: Org = Depends(current_org)`,
        `auth_subject: OrganizationsRead` with `current_org` / `OrganizationsRead` configured)."""
        if self.is_tenant_source(origin):
            return True
        if origin.startswith(PARAM):
            # In a method of the principal's model, `self` is the principal: its own rows
            # (`Member.objects.filter(user_id=self.user_id)`, `Group.id.in_(self.group_ids)`).
            return _head(origin) in where.sourced or (where.principal and _head(origin) == "self")
        return False

    def verified(self, origin: str, where: Where) -> bool:
        """A URL argument a configured scope guard verifies: a parameter the guard names (or
        any, for a guard naming none), or the view's `self.kwargs` in a guarded class."""
        if not origin.startswith(PARAM):
            return False
        if self._url_attribute(origin):
            return where.class_guarded
        return "*" in where.verified or _head(origin) in where.verified

    def _url_attribute(self, origin: str) -> bool:
        plain = origin[len(PARAM) :]
        return any(
            plain == arg or plain.startswith((f"{arg}.", f"{arg}("))
            for arg in self.index.packs.syntax.url_arguments
        )

    def unverified_url_argument(self, origin: str, where: Where) -> bool:
        """A view's URL argument (a parameter other than the request and `self`, or the
        packs' `url-arguments` such as `self.kwargs`) that no configured guard verifies:
        the client chose it, so it does not scope a query even on the tenant key."""
        if (
            not origin.startswith(PARAM)
            or self.verified(origin, where)
            or self.derives_from_tenant(origin, where)
        ):
            return False
        if self._url_attribute(origin):
            return True
        head = _head(origin)
        syntax = self.index.packs.syntax
        return where.view and head not in syntax.request_parameters and head not in ("self", "cls")

    def _from_row(self, origin: str, where: Where) -> bool:
        """An attribute of a row in hand (`payment_method.customer_id`, a queried row), as
        `pk=obj.attr` is for keyword lookups, or `self` in a method of a model (the row itself);
        never a URL argument or request data."""
        if origin.startswith(ROW):
            return True
        if origin == f"{PARAM}self":
            return where.model_row  # `AlertSubscription.alert == self` in a method of Alert
        if not origin.startswith(PARAM) or "." not in origin[len(PARAM) :]:
            return False
        head = _head(origin)
        syntax = self.index.packs.syntax
        return not (head in syntax.request_parameters or self.unverified_url_argument(origin, where))

    def from_scoped(
        self, origin: str, summary: FileSummary | None, function: str, depth: int = 0, before: int = 0
    ) -> bool:
        """A value read from a scoped row or queryset of the same function (`row:<n>`), or a
        parameter of a helper that every call site in the project passes such a value
        (or a tenant value, or a verified URL argument), followed a few calls up."""
        if summary is None or depth > _MAX_DEPTH:
            return False
        if origin.startswith(ROW):
            return self._row_scoped(summary, int(origin[len(ROW) :]))
        if not origin.startswith(PARAM):
            return False
        head = _head(origin)
        if head in ("self", "cls") or head in self.index.packs.syntax.request_parameters:
            return False
        if self.matched(origin, summary, function, before):
            return True
        qualname = f"{summary.module}.{function}" if summary.module else function
        rest = origin[len(PARAM) + len(head) :]
        if (
            _JOB_ARGUMENT.fullmatch(rest)
            and rest[1:].split("[")[0] in self.index.packs.syntax.job_argument_attributes
        ):
            return self._param_scoped(qualname, head, depth, rest)  # `job.args[0]` in a job callback
        return self._param_scoped(qualname, head, depth)

    def matched(self, origin: str, summary: FileSummary, function: str, before: int = 0) -> bool:
        """A value (a URL argument) the same function matched to the primary key of one row
        it fetched through a scoped query (`page = self.get_queryset().filter(pk=page_id).first()`,
        `Page.objects.get(pk=page_id, workspace__slug=slug)`): it names that tenant's row, so
        it scopes later queries as the row's id would (a query at line `before` or later: only
        a fetch that starts above it)."""
        key = (summary.path, f"{function}:{origin}:{before}")
        if key in self._matches:
            return self._matches[key]
        self._matches[key] = False  # while judging it: a cycle proves nothing
        found = facts(summary)
        out = False
        for query in found.queries if found is not None else ():
            if (
                query.function != function
                or (before and query.span.line >= before)
                or not any(
                    o == origin and self._by_primary_key(p) for step in query.steps for p, o in step.origins
                )
            ):
                continue
            verdict = self.judge(query, summary)
            model = verdict.model
            # (judged while this value is unproven: scoped by its other predicates)
            if verdict.kind == READ and model is not None and model.tenant_scoped:
                out = verdict.scoped
                if out:
                    break
        self._matches[key] = out
        return out

    def _by_primary_key(self, predicate: str) -> bool:
        syntax = self.index.packs.syntax
        parts = [p for p in syntax.split(predicate) if p not in syntax.exact]
        return len(parts) == 1 and parts[0] in syntax.primary_keys

    def _row_scoped(self, summary: FileSummary, number: int) -> bool:
        key = (summary.path, number)
        if key in self._rows:
            return self._rows[key]
        self._rows[key] = False  # while judging it: a cycle proves nothing
        found = facts(summary)
        if found is None or number >= len(found.queries):
            return False
        verdict = self.judge(found.queries[number], summary)
        scoped = verdict.scoped and (bool(verdict.kind) or verdict.model is not None)
        if not scoped:
            scoped = self._created_scoped(verdict, summary)
        self._rows[key] = scoped
        return scoped

    def _created_scoped(self, verdict: QueryVerdict, summary: FileSummary) -> bool:
        """A row this query creates for one tenant (`Report.objects.create(organization=org)`,
        `Child.objects.create(parent=row)`): its tenant key or a relation to a tenant-scoped
        model is set from anything but request data, an unverified URL argument or a row of
        an unscoped query."""
        model = verdict.model
        if model is None or verdict.kind != INSERT:
            return False
        where = self.context(summary, verdict.fact.function)
        for step in verdict.fact.steps:
            if not step.name or step.kwargs != verdict.insert_kwargs:
                continue
            trusted = self._trusted_names(step, where)
            # a value read from a row of an unscoped query ties the new row to no tenant
            unproven = {
                name
                for name, origin in step.origins
                if origin.startswith(ROW) and not self._row_scoped(summary, int(origin[len(ROW) :]))
            }
            for name in step.kwargs:
                if (
                    name in trusted
                    and name not in unproven
                    and (
                        self.models.key_matches(name, self.tenancy.tenant_keys)
                        or self.through_relation(model, name)
                    )
                ):
                    return True
        return False

    def _param_scoped(self, qualname: str, param: str, depth: int, rest: str = "") -> bool:
        # Keyed by depth too: a verdict cut short by `_MAX_DEPTH` must not stand for the same
        # parameter asked from nearer, or the result would depend on the order of queries.
        # (Recursion deepens, so an entry in progress is never read back: cycles end there.)
        # `rest` (`.args[0]`): the enqueued argument a job callback reads off its job parameter.
        key = (qualname, param + rest, depth)
        if key in self._params:
            return self._params[key]
        self._params[key] = False
        entry = self.index.functions.get(qualname)
        sites = self.callers().get(qualname, [])
        if entry is None or not sites:
            return False
        names = [p.name for p in entry[1].params]
        if param not in names:
            return False
        position = names.index(param)
        if names and names[0] in ("self", "cls"):
            position -= 1  # a method, or a bound task: the receiver is not an argument
        for caller, call in sites:
            passed = dict(call.args)
            if rest:
                origin = passed.get(f"{position}{rest}") if position >= 0 else None
            else:
                origin = passed.get(param, passed.get(str(position)) if position >= 0 else None)
            if not origin or origin.startswith(LITERAL):
                return False
            where = self.context(caller, call.function)
            if not (
                self.derives_from_tenant(origin, where)
                or self.verified(origin, where)
                or self.from_scoped(origin, caller, call.function, depth + 1)
            ):
                return False
        self._params[key] = True
        return True

    def callers(self) -> dict[str, list[tuple[FileSummary, CallFact]]]:
        """Call sites of each project function (by qualified name), from the files' calls."""
        if self._callers is None:
            out: dict[str, list[tuple[FileSummary, CallFact]]] = {}
            for summary in self.index.files.values():
                found = facts(summary)
                if found is None:
                    continue
                for call in found.calls:
                    meaning = self.index.resolve(call.target)
                    resolved = meaning.function
                    enqueued = call.target.rsplit(".", 1)[0]
                    if resolved is None and meaning.spec is not None and meaning.spec.effect_kind == "task":
                        # `process.delay(order.id)`: the task runs with the arguments given
                        resolved = self.index.functions.get(self.index._follow_reexport(enqueued))
                        if meaning.spec.job_arguments:  # `apply_async(args=[order.id])`
                            call = self._enqueued_arguments(call)
                    if resolved is None:
                        if meaning.spec is not None and meaning.spec.effect_kind == "task":
                            # `queue.enqueue(job, row.id)`: a call site of `job`
                            self._dispatched(summary, call, 0, frozenset(), out)
                        continue
                    owner, function = resolved
                    name = f"{owner.module}.{function.qualname}" if owner.module else function.qualname
                    out.setdefault(name, []).append((summary, call))
                    forwarded = self.forwarders().get(name)
                    if forwarded is not None:  # `start_job_async_or_sync(job, row.id)`
                        self._dispatched(summary, call, *forwarded, out)
            self._callers = out
        return self._callers

    def _enqueued_arguments(self, call: CallFact) -> CallFact:
        """A task enqueue's call with the arguments it hands the job as a list and a dict (the
        packs' `job-args-keywords`, `job-kwargs-keywords`: `apply_async(args=[a], kwargs={"b":
        b})`) as if given directly: `args[0]` after the call's own positionals, `kwargs[b]` as
        `b`; the list and dict themselves dropped."""
        syntax = self.index.packs.syntax
        containers = (*syntax.job_args_keywords, *syntax.job_kwargs_keywords)
        if not containers:
            return call
        positional = sum(1 for key, _ in call.args if key.isdigit())
        args: list[tuple[str, str]] = []
        for key, origin in call.args:
            container, bracket, inner = key.partition("[")
            if not bracket:
                if key not in containers:
                    args.append((key, origin))
            elif container in syntax.job_args_keywords and inner[:-1].isdigit():
                args.append((str(positional + int(inner[:-1])), origin))
            elif container in syntax.job_kwargs_keywords:
                args.append((inner[:-1], origin))
        return CallFact(call.function, call.target, tuple(args))

    def forwarders(self) -> dict[str, tuple[int, frozenset[str]]]:
        """Enqueue wrappers: the project functions that call (or enqueue) the function one of
        their parameters holds with their own `*args`, as (that argument's position at a call
        site, the wrapper's own parameter names, which its keyword arguments fill)."""
        if self._forwarders is None:
            out: dict[str, tuple[int, frozenset[str]]] = {}
            for summary in self.index.files.values():
                found = facts(summary)
                for function, param in found.forwards if found is not None else ():
                    qualname = f"{summary.module}.{function}" if summary.module else function
                    entry = self.index.functions.get(qualname)
                    if entry is None:
                        continue
                    names = [p.name for p in entry[1].params]
                    position = names.index(param) if param in names else -1
                    if names and names[0] in ("self", "cls"):
                        position -= 1
                    if position >= 0:
                        out[qualname] = (position, frozenset(names))
            self._forwarders = out
        return self._forwarders

    def _dispatched(
        self,
        summary: FileSummary,
        call: CallFact,
        position: int,
        own: frozenset[str],
        out: dict[str, list[tuple[FileSummary, CallFact]]],
    ) -> None:
        """The call site of the function a dispatching call hands on (its argument at
        `position`): the arguments after it, and the keywords the dispatcher does not take."""
        job = dict(call.args).get(str(position), "")
        name = self._function_named(job)
        if not name:
            return
        args: list[tuple[str, str]] = []
        for key, origin in call.args:
            if key.isdigit():
                if int(key) > position:
                    args.append((str(int(key) - position - 1), origin))
            elif key not in own:
                args.append((key, origin))
        out.setdefault(name, []).append((summary, CallFact(call.function, job, tuple(args))))
        syntax = self.index.packs.syntax
        enqueued = [(key, origin) for key, origin in args if key.isdigit()]
        for key, callback in call.args:
            cb_name = self._function_named(callback) if key in syntax.job_callback_keywords else ""
            if not cb_name:
                continue
            # `cb(job, ...)`: the job's `args[i]` is the i-th argument enqueued for the function
            arguments = tuple(
                (f"0.{attribute}[{index}]", origin)
                for attribute in syntax.job_argument_attributes
                for index, origin in enqueued
            )
            out.setdefault(cb_name, []).append((summary, CallFact(call.function, callback, arguments)))

    def job_names(self) -> dict[str, str]:
        """The project's jobs by the name a decorator keyword gives them (packs'
        `job-name-keywords`: `@actor(actor_name="order.paid")`), a name given twice to none."""
        if self._job_names is None:
            out: dict[str, str] = {}
            twice: set[str] = set()
            for owner, function in self.index.functions.values():
                if function.job_name:
                    qualname = owner.qualified(function.qualname)
                    if out.get(function.job_name, qualname) != qualname:
                        twice.add(function.job_name)
                    out[function.job_name] = qualname
            self._job_names = {name: qualname for name, qualname in out.items() if name not in twice}
        return self._job_names

    def _function_named(self, origin: str) -> str:
        """The project function a value names (`build_report`, `Task.rebuild`), by its
        qualified name where it is defined; "" for anything else."""
        if origin.startswith(LITERAL):  # `enqueue_job("order.paid", ...)`: a job by its name
            return self.job_names().get(origin[len(LITERAL) :], "")
        if not origin or origin.startswith((PARAM, ROW)) or origin == REQUEST_DATA:
            return ""
        found = self.index.functions.get(self.index._follow_reexport(origin))
        if found is None:
            return ""
        owner, function = found
        return f"{owner.module}.{function.qualname}" if owner.module else function.qualname

    def _trusted_names(self, step: StepFact, where: Where) -> set[str]:
        """A step's predicate names without those whose value is an unverified URL argument
        (names from request data arrive already marked UNTRUSTED)."""
        names = set(step.names)
        if not step.origins:
            return names
        syntax = self.index.packs.syntax
        dropped: set[str] = set()
        kept: set[str] = set()
        seen = {predicate for predicate, _ in step.origins}
        for predicate, origin in step.origins:
            facts = {*syntax.split(predicate), f"={predicate}", predicate}
            if self.unverified_url_argument(origin, where):
                dropped |= facts
            else:
                kept |= facts
        for keyword in step.kwargs:
            if keyword not in seen:
                kept |= {*syntax.split(keyword), f"={keyword}"}
        return names - (dropped - kept)

    def _row_key(self, model: ModelInfo, predicate: str) -> bool:
        """A predicate selecting rows by identity: a primary key, a relation, or a relation's
        column (`pk`, `board`, `board_id__in`, `Board.id`)."""
        syntax = self.index.packs.syntax
        parts = [p for p in syntax.split(predicate) if p not in syntax.exact and p not in syntax.membership]
        if not parts:
            return False
        last = parts[-1]
        relations = dict(model.relations)
        return (
            last in syntax.primary_keys
            or last in relations
            or any(last.endswith(suffix) for suffix in syntax.fk_suffixes)
        )

    def joined_to_row(
        self,
        model: ModelInfo,
        step: StepFact,
        joined: set[str],
        where: Where,
        summary: FileSummary | None,
        function: str,
    ) -> bool:
        """`select(Benefit.id).join(ProductBenefit).where(ProductBenefit.product_id == product.id)`:
        an equality on a relation of a model joined into the query, to a row in hand (or a scoped
        row, or a tenant value), when that relation ends at a tenant-scoped model: the rows are
        those joined to one tenant's row. Never for request data or an unverified URL argument."""
        for owner, column, origin in step.owned:
            owner = self.index._follow_reexport(owner)
            if owner not in joined or owner == model.qualname:
                continue
            info = self.models.info(owner, self.tenancy)
            if not info.is_model or not self.through_relation(info, column):
                continue
            if (
                self.derives_from_tenant(origin, where)
                or self._from_row(origin, where)
                or self.from_scoped(origin, summary, function)
            ):
                return True
        return False

    def scoping_class(self, made_by: str) -> bool:
        """Whether a manager is made by a class the packs mark as scoping every query
        (`tenancy = "scopes"`), itself or as a base of a project class
        (`class BoardManager(TenantManagerMixin, models.Manager)`)."""
        for cls in self.index.mro(made_by):
            spec = self.index.packs.tenancy_call(cls)
            if spec is not None and spec.tenancy == "scopes":
                return True
        return False

    def attached_to_object(self, model: ModelInfo, names: tuple[str, ...]) -> bool:
        """`Watched.objects.filter(content_type=ct, object_id=obj.id)`: the rows a generic relation
        (`content_object = GenericForeignKey(...)`, the packs' `generic-relations`) attaches to an
        object in hand, selected by its id column (`generic-id-fields`) read from that object."""
        syntax = self.index.packs.syntax
        calls = dict(model.field_calls).values()
        if not any(call in syntax.generic_relations for call in calls):
            return False
        return any(f"{OBJECT_MARK}{field}" in names for field in syntax.generic_id_fields)

    def through_relation(self, model: ModelInfo, path: str) -> bool:
        """`order=o`, `order__in=qs`, `addon_to__subevent=s`: a relation path that ends at a
        tenant-scoped model (an object of one tenant), so the rows belong to that tenant."""
        current = model
        syntax = self.index.packs.syntax
        parts = syntax.split(path)
        for position, part in enumerate(parts):
            forward = dict(current.relations)
            if part not in forward:
                part = syntax.column_relation(part, forward) or part  # subevent_id__in=ids
            related = forward.get(part) or self.models.reverse_relations(current.qualname).get(part)
            if related is None:
                return False
            target = self.models.info(related, self.tenancy)
            rest = parts[position + 1 :]
            if target.tenant_scoped and all(p in syntax.equality_tails for p in rest):
                return True
            current = target
        return False

    # ----- constructions ---------------------------------------------------------

    def constructs(self) -> Iterator[tuple[FileSummary, ConstructFact, ModelInfo]]:
        for summary in self.index.files.values():
            found = facts(summary)
            if found is None:
                continue
            for construct in found.constructs:
                if construct.unknown or self._throwaway(construct):
                    continue
                info = self.models.info(construct.cls, self.tenancy)
                if not (info.is_model and info.tenant_scoped):
                    continue
                if self.has_tenant(info, construct.kwargs):
                    continue
                yield summary, construct, info

    def _throwaway(self, construct: ConstructFact) -> bool:
        """An instance built only to call a method on it (`Channel().send_alert(...)`), never
        bound or passed: not a new row unless that method is a pack write (`Model(...).save()`).
        An instance returned as built (`return S3ImportStorage()`, a factory or a resolver) is
        not saved here: its caller completes it (the tenant key included) or never saves it."""
        if not construct.then_called:
            return False
        if construct.then_called == RETURNED:
            return True
        spec = self.index.resolve(f"{construct.cls}.{construct.then_called}").spec
        return spec is None or spec.role != "write"

    def owned_by_principal(self, summary: FileSummary, verdict: QueryVerdict) -> bool:
        """A per-user row: created for a model whose tenant key is declared nullable, with
        one of its fields set to the principal or another current-tenant value
        (`APIToken.objects.create(user=request.user)`): it belongs to that user, not to
        another tenant, so it needs no tenant key."""
        model = verdict.model
        if model is None or not model.tenant_nullable or verdict.kind != INSERT:
            return False
        where = self.context(summary, verdict.fact.function)
        return any(
            name in step.kwargs and self.derives_from_tenant(origin, where)
            for step in verdict.fact.steps
            if step.name and step.kwargs == verdict.insert_kwargs
            for name, origin in step.origins
        )

    def has_tenant(self, model: ModelInfo, names: tuple[str, ...]) -> bool:
        """Whether a new row gets its tenant key: given, or derived by the model itself."""
        keys = self.tenancy.tenant_keys
        return any(self.models.key_matches(name, keys) for name in names) or any(
            self.models.key_matches(name, keys) for name in model.self_assigned
        )

    # ----- raw SQL ---------------------------------------------------------------

    def raw_sql(self) -> Iterator[tuple[FileSummary, SqlFact, list[ModelInfo]]]:
        tables = self.models.by_table(self.tenancy)
        if not tables:
            return
        for summary in self.index.files.values():
            found = facts(summary)
            if found is None:
                continue
            for sql in found.sql:
                if self.in_job(summary, sql.function):
                    continue
                missing: list[ModelInfo] = []
                for table, columns in sql.refs:
                    info = tables.get(table)
                    if info is None:
                        continue
                    if any(self.models.key_matches(column, self.tenancy.tenant_keys) for column in columns):
                        continue
                    if info.tenant_field and any(
                        self.models.key_matches(column, (info.tenant_field,)) for column in columns
                    ):
                        continue
                    if info not in missing:
                        missing.append(info)
                if missing:
                    yield summary, sql, missing

    # ----- fixed connections -----------------------------------------------------

    def fixed_connections(self) -> Iterator[tuple[FileSummary, FixedConnectionFact]]:
        for summary in self.index.files.values():
            found = facts(summary)
            if found is None:
                continue
            yield from ((summary, fixed) for fixed in found.fixed)


def _text(query: QueryFact, used: int) -> str:
    parts = [query.root.rsplit(".", 1)[-1]] if query.root else []
    for step in query.steps[:used]:
        if step.name.startswith("@"):
            continue
        if not step.name:
            source = (step.target or query.source).rsplit(".", 1)[-1]
            models = ", ".join(m.rsplit(".", 1)[-1] for m in query.models)
            parts.append(f"{source}({models})")
        else:
            parts.append(f"{step.name}()" if step.call else step.name)
    text = ".".join(parts)
    return text if len(text) <= 80 else text[:77] + "..."
