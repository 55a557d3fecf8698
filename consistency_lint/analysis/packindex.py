"""Fast lookups over the loaded framework packs, for the extractor and the rules."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from functools import cached_property

from consistency_lint.domain.globs import dotted_glob
from consistency_lint.domain.packs import CallSpec, FrameworkSyntax, Pack, TypeSpec


class PackIndex:
    """Answers "what does this qualified call mean" and "what type is this receiver"."""

    def __init__(self, packs: Iterable[Pack], effect_kinds: Iterable[str]) -> None:
        self.packs = tuple(packs)
        self.effect_kinds = frozenset(effect_kinds)
        self.types: dict[str, TypeSpec] = {}
        self._alias: dict[str, str] = {}
        self._receivers: list[tuple[re.Pattern[str], str]] = []
        self._calls: dict[str, list[CallSpec]] = {}
        self._call_globs: list[tuple[re.Pattern[str], CallSpec]] = []
        # --- tenancy --- entries with tenancy keys, kept apart so that another
        # pack entry for the same target (a dual-write role) does not hide them.
        self._tcalls: dict[str, CallSpec] = {}
        self._tcall_globs: list[tuple[re.Pattern[str], CallSpec]] = []
        self.sql_methods: frozenset[str] = frozenset()
        self.model_keywords: dict[str, str] = {}
        self.model_table_names: dict[str, str] = {}
        sql_methods: set[str] = set()
        task_types: set[str] = set()
        for pack in self.packs:
            for call in pack.calls:
                if call.role == "publish" and call.effect_kind == "task":
                    task_types.add(call.target.rpartition(".")[0])  # celery.Task.delay -> celery.Task
        # Types whose instances enqueue a job: what a task decorator turns a function into.
        self.task_types = frozenset(task_types)
        for pack in self.packs:
            self.model_keywords.update(pack.model_keywords)
            self.model_table_names.update(pack.model_table_names)
            for call in pack.calls:
                if not _has_tenancy(call):
                    continue
                parent, _, method = call.target.rpartition(".")
                is_method = any(part[:1].isupper() for part in parent.split("."))
                if (call.sql_arg >= 0 or call.sql_keyword) and is_method:
                    sql_methods.add(method)
                if "*" in call.target:
                    self._tcall_globs.append((dotted_glob(call.target), call))
                else:
                    self._tcalls.setdefault(call.target, call)
        self.sql_methods = frozenset(sql_methods)
        # What query sources return (a Django queryset, an SQLAlchemy `Query`): the types a
        # custom manager declared on a model can have.
        self.query_types = frozenset(
            spec.returns
            for spec in [*self._tcalls.values(), *(glob for _, glob in self._tcall_globs)]
            if spec.role == "query" and spec.returns
        )
        for pack in self.packs:
            for spec in pack.types:
                self.types[spec.name] = spec
                self._alias[spec.name] = spec.name
                for alias in spec.aliases:
                    self._alias[alias] = spec.name
                for pattern in spec.receivers:
                    self._receivers.append((re.compile(fnmatch.translate(pattern)), spec.name))
            for call in pack.calls:
                if call.role == "publish" and call.effect_kind not in self.effect_kinds:
                    # An effect kind the user did not select: the call means nothing here,
                    # but what it returns still matters for receivers.
                    if not call.returns:
                        continue
                    call = CallSpec(
                        target=call.target,
                        returns=call.returns,
                        pack=call.pack,
                        literal_arg=call.literal_arg,
                        returns_by_literal=call.returns_by_literal,
                    )
                if "*" in call.target:
                    self._call_globs.append((dotted_glob(call.target), call))
                else:
                    self._calls.setdefault(call.target, []).append(call)

    def canonical_type(self, name: str) -> str:
        """The pack's canonical name of a type or one of its aliases ("" if unknown)."""
        return self._alias.get(name, "")

    def call(self, target: str, literals: tuple[str | None, ...] = ()) -> CallSpec | None:
        """The pack entry for a call; `literals` are its positional string literals (None
        for other arguments), matched against entries with `if-literal`."""
        specs = self._calls.get(target)
        if specs is None:
            # `flask_sqlalchemy.SQLAlchemy.session.commit`: a receiver named by a type alias.
            head, _, method = target.rpartition(".")
            canonical = self.canonical_type(head) if head else ""
            if canonical and canonical != head:
                specs = self._calls.get(f"{canonical}.{method}")
        if specs is not None:
            for spec in specs:
                if _literal_ok(spec, literals):
                    return spec
        for regex, glob_spec in self._call_globs:
            if regex.match(target) and _literal_ok(glob_spec, literals):
                return glob_spec
        return None

    def tenancy_call(self, target: str) -> CallSpec | None:
        """The pack entry for `target` that carries tenancy keys, else any entry."""
        spec = self._tcalls.get(target)
        if spec is not None:
            return spec
        for regex, glob_spec in self._tcall_globs:
            if regex.match(target):
                return glob_spec
        return self.call(target)

    def method(self, type_name: str, method: str) -> CallSpec | None:
        return self.call(f"{type_name}.{method}")

    def receiver_type(self, receiver: str) -> str:
        """The type a receiver's name suggests when nothing else resolves it."""
        for regex, type_name in self._receivers:
            if regex.match(receiver):
                return type_name
        return ""

    def returns_of(self, callee: str, literals: tuple[str | None, ...] = ()) -> str:
        """The type produced by calling `callee` (a constructor, factory or type instance)."""
        spec = self.call(callee, literals)
        if spec is not None:
            literal = literals[spec.literal_arg] if spec.literal_arg < len(literals) else None
            produced = spec.returns_for(literal)
            if produced:
                return produced
        canonical = self.canonical_type(callee)
        return canonical

    def call_returns(self, type_name: str) -> str:
        spec = self.types.get(type_name)
        return spec.call_returns if spec else ""

    def with_commits(self, type_name: str) -> bool:
        spec = self.types.get(type_name)
        return bool(spec and spec.with_commits)

    @cached_property
    def modules(self) -> frozenset[str]:
        return frozenset(m for pack in self.packs for m in pack.modules)

    @cached_property
    def persistence_modules(self) -> tuple[str, ...]:
        return tuple(sorted({m for pack in self.packs for m in pack.persistence_modules}))

    @cached_property
    def model_bases(self) -> frozenset[str]:
        return frozenset(base for pack in self.packs for base in pack.model_bases)

    def is_model_base(self, qualified: str) -> bool:
        return qualified in self.model_bases

    @cached_property
    def model_decorators(self) -> frozenset[str]:
        return frozenset(d for pack in self.packs for d in pack.model_decorators)

    @cached_property
    def table_attributes(self) -> frozenset[str]:
        return frozenset(a for pack in self.packs for a in pack.table_attributes)

    @cached_property
    def abstract_attributes(self) -> tuple[str, ...]:
        return tuple(sorted({a for pack in self.packs for a in pack.abstract_attributes}))

    @cached_property
    def model_modules(self) -> frozenset[str]:
        return frozenset(m for pack in self.packs for m in pack.model_modules)

    @cached_property
    def syntax(self) -> FrameworkSyntax:
        """The query and relation syntax every pack declares, merged."""
        return FrameworkSyntax.merge(pack.syntax for pack in self.packs)

    def model_keyword(self, base: str) -> str:
        """The class keyword (`table`) that must be True for a subclass of `base` to be mapped."""
        return self.model_keywords.get(base, "")

    def is_persistence_module(self, module: str) -> bool:
        """Whether `module` is a persistence framework module or one of its submodules."""
        return any(module == m or module.startswith(m + ".") for m in self.persistence_modules)


def _literal_ok(spec: CallSpec, literals: tuple[str | None, ...]) -> bool:
    if not spec.if_literal:
        return True
    index = spec.literal_arg
    return index < len(literals) and literals[index] in spec.if_literal


def _has_tenancy(call: CallSpec) -> bool:
    return bool(
        call.predicates
        or call.model_arg >= 0
        or call.sql_arg >= 0
        or call.sql_keyword
        or call.inserts
        or call.tenancy
        or call.role in ("query", "bulk-write")
    )
