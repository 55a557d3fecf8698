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
from consistency_lint.analysis.summary import ClassDef, FileSummary, Function
from consistency_lint.domain.packs import CallSpec


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
        self._model_base: dict[str, str] = {}
        self._resolved: dict[str, Resolved] = {}

    # ----- classes -------------------------------------------------------

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
            owner = self.global_types.get(base)  # Base = declarative_base()
            if owner:
                result = owner
                break
            head, _, attribute = base.rpartition(".")
            owner = self.global_types.get(head)  # class Invoice(db.Model) with db = SQLAlchemy()
            if owner and self.packs.is_model_base(f"{owner}.{attribute}"):
                result = f"{owner}.{attribute}"
                break
        self._model_base[qualname] = result
        return result

    def is_model(self, qualname: str) -> bool:
        base = self.framework_base(qualname)
        return bool(base) and (base in self.packs.model_bases or self.packs.is_model_base(base))

    def _follow_reexport(self, qualname: str) -> str:
        """`pkg.Order` imported in pkg/__init__.py from pkg.models -> pkg.models.Order."""
        if qualname in self.classes or qualname in self.functions:
            return qualname
        module, _, name = qualname.rpartition(".")
        summary = self.files.get(module)
        if summary is None:
            return qualname
        for imp in summary.imports:
            if imp.alias == name and imp.name:
                return f"{imp.module}.{imp.name}" if imp.module else imp.name
        return qualname

    # ----- calls ---------------------------------------------------------

    def resolve(self, target: str) -> Resolved:
        cached = self._resolved.get(target)
        if cached is None:
            cached = self._resolve(target)
            self._resolved[target] = cached
        return cached

    def _resolve(self, target: str) -> Resolved:
        target = self._follow_reexport(target) if "()" not in target else target
        if target in self.functions:
            return Resolved(target, function=self.functions[target])
        spec = self.packs.call(target)
        if spec is not None:
            return Resolved(target, spec=spec)
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:cut])
            rest = ".".join(parts[cut:])
            head = self._follow_reexport(head)
            kind = self.global_types.get(head)
            if kind:
                return self._via(f"{kind}.{rest}", target)
            if head in self.functions:
                function = self.functions[head][1]
                for deco in function.decorators:
                    produced = self.packs.returns_of(self._canonical_callee(deco))
                    if produced:
                        return self._via(f"{produced}.{rest}", target)
                return Resolved(target)
            if head in self.classes:
                for owner in self.mro(head):
                    method = f"{owner}.{rest}"
                    if method in self.functions:
                        return Resolved(target, function=self.functions[method])
                base = self.framework_base(head)
                if base:
                    return self._via(f"{base}.{rest}", target)
                return Resolved(target)
        return Resolved(target)

    def _canonical_callee(self, name: str) -> str:
        """A decorator or callee named through a project global: `shop.app.task` -> Celery.task."""
        head, _, rest = name.rpartition(".")
        kind = self.global_types.get(head)
        return f"{kind}.{rest}" if kind else name

    def _via(self, rewritten: str, original: str) -> Resolved:
        spec = self.packs.call(rewritten)
        if spec is not None:
            return Resolved(original, spec=spec)
        if rewritten in self.functions:
            return Resolved(original, function=self.functions[rewritten])
        return Resolved(original)
