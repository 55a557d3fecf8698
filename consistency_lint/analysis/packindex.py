"""Fast lookups over the loaded framework packs, for the extractor and the rules."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from functools import cached_property

from consistency_lint.domain.packs import CallSpec, Pack, TypeSpec


class PackIndex:
    """Answers "what does this qualified call mean" and "what type is this receiver"."""

    def __init__(self, packs: Iterable[Pack], effect_kinds: Iterable[str]) -> None:
        self.packs = tuple(packs)
        self.effect_kinds = frozenset(effect_kinds)
        self.types: dict[str, TypeSpec] = {}
        self._alias: dict[str, str] = {}
        self._receivers: list[tuple[re.Pattern[str], str]] = []
        self._calls: dict[str, CallSpec] = {}
        self._call_globs: list[tuple[re.Pattern[str], CallSpec]] = []
        # --- tenancy --- entries with tenancy keys, kept apart so that another
        # pack entry for the same target (a dual-write role) does not hide them.
        self._tcalls: dict[str, CallSpec] = {}
        self._tcall_globs: list[tuple[re.Pattern[str], CallSpec]] = []
        self.sql_methods: frozenset[str] = frozenset()
        self.model_keywords: dict[str, str] = {}
        self.model_table_names: dict[str, str] = {}
        sql_methods: set[str] = set()
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
                    regex = re.escape(call.target).replace(r"\*\*", ".+").replace(r"\*", r"[^.]*")
                    self._tcall_globs.append((re.compile(regex + "$"), call))
                else:
                    self._tcalls.setdefault(call.target, call)
        self.sql_methods = frozenset(sql_methods)
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
                    call = CallSpec(target=call.target, returns=call.returns, pack=call.pack)
                if "*" in call.target:
                    regex = re.escape(call.target).replace(r"\*\*", ".+").replace(r"\*", r"[^.]*")
                    self._call_globs.append((re.compile(regex + "$"), call))
                else:
                    self._calls.setdefault(call.target, call)

    def canonical_type(self, name: str) -> str:
        """The pack's canonical name of a type or one of its aliases ("" if unknown)."""
        return self._alias.get(name, "")

    def call(self, target: str) -> CallSpec | None:
        spec = self._calls.get(target)
        if spec is not None:
            return spec
        for regex, glob_spec in self._call_globs:
            if regex.match(target):
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

    def returns_of(self, callee: str) -> str:
        """The type produced by calling `callee` (a constructor, factory or type instance)."""
        spec = self.call(callee)
        if spec is not None and spec.returns:
            return spec.returns
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
