"""Which project classes are ORM entities, for the layering rules (CL3xx).

One small interface (`OrmEntities.mapped_base`) over `ProjectIndex`, so that a
richer shared model index can replace the lookup in one place.

A class is an ORM entity when one of its project bases (or itself) derives
from a pack `model-bases` entry: directly (`models.Model`), through a project
global of a pack type (`db.Model` with `db = SQLAlchemy()`,
`Base = declarative_base()`), or through a project class that is itself
mapped, or when a pack `model-decorators` entry decorates it or one of its
project bases (`@mapper_registry.mapped`). A base listed in a pack's
`model-keywords` (SQLModel's `table`) maps its subclasses only when some class
of the chain passes that keyword as True.
"""

from __future__ import annotations

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.summary import FileSummary

_MAX_REEXPORT_HOPS = 8


class OrmEntities:
    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self._base: dict[str, str] = {}
        self._canonical: dict[str, str] = {}

    def canonical(self, qualname: str) -> str:
        """Where a name is defined, following re-exports (`pkg.Order` -> `pkg.models.Order`)."""
        found = self._canonical.get(qualname)
        if found is not None:
            return found
        current = qualname
        for _ in range(_MAX_REEXPORT_HOPS):
            following = self.index._follow_reexport(current)
            if following == current:
                break
            current = following
        self._canonical[qualname] = current
        return current

    def owner(self, qualname: str) -> FileSummary | None:
        """The file that defines a project class (after re-exports)."""
        found = self.index.classes.get(self.canonical(qualname))
        return found[0] if found else None

    def mapped_base(self, qualname: str) -> str:
        """The framework model base that makes a project class an ORM entity ("" if none)."""
        qual = self.canonical(qualname)
        cached = self._base.get(qual)
        if cached is None:
            cached = self._compute(qual) if qual in self.index.classes else ""
            self._base[qual] = cached
        return cached

    def _compute(self, qual: str) -> str:
        index = self.index
        packs = index.packs
        chain = list(index.mro(qual))
        base = index.framework_base(qual) if index.is_model(qual) else ""
        if not base:
            for cls in chain:  # `db.Model`: an attribute of a project global of a pack type
                head, _, attr = cls.rpartition(".")
                kind = index.global_types.get(self.canonical(head)) if head else None
                if kind and packs.is_model_base(f"{kind}.{attr}"):
                    base = f"{kind}.{attr}"
                    break
        if not base:
            base = self._mapping_decorator(chain)
        if not base:
            return ""
        keyword = packs.model_keyword(base)
        if keyword:
            declared = any(
                (keyword, "True") in index.classes[cls][1].keywords for cls in chain if cls in index.classes
            )
            if not declared:
                return ""
        return base

    def _mapping_decorator(self, chain: list[str]) -> str:
        """`@mapper_registry.mapped` / `@as_declarative()` on the class or a project base."""
        index = self.index
        wanted = index.packs.model_decorators
        if not wanted:
            return ""
        for cls in chain:
            found = index.classes.get(cls)
            if found is None:
                continue
            for decorator in found[1].decorators:
                head, _, attr = decorator.rpartition(".")
                kind = index.global_types.get(self.canonical(head)) if head else None
                for name in (decorator, f"{kind}.{attr}" if kind else ""):
                    if name in wanted:
                        return name
        return ""
