"""What every rule is: metadata from its module docstring, and a `check` over the project."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from consistency_lint.analysis.dualwrite import DualWrites
from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.layers import Layers
from consistency_lint.analysis.models import ModelIndex
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.summary import FileSummary
from consistency_lint.analysis.tenancy import TenancyAnalysis
from consistency_lint.analysis.unreadable import Unreadable
from consistency_lint.domain.diagnostic import Diagnostic, Related, Severity, Span
from consistency_lint.domain.rule import RuleMeta
from consistency_lint.domain.settings import Settings


@dataclass(frozen=True, eq=False)
class CheckContext:
    """What the rules of one run read: the linked project and its analyses.

    The analyses are computed on first use and shared by every rule of the run, so a
    run that selects only CL3xx never pays for the dual-write fixpoint. A context
    lives for one project phase; nothing is kept across runs.
    """

    index: ProjectIndex
    settings: Settings
    packs: PackIndex
    # Files the file phase could not read (path -> why); CL001 reports them.
    unreadable: Mapping[str, Unreadable] = field(default_factory=dict)

    def files(self) -> Iterable[FileSummary]:
        return self.index.files.values()

    @cached_property
    def dual_writes(self) -> DualWrites:
        """Commits, transactions and publishes along every flow (CL101-CL104)."""
        return DualWrites(self.index, self.settings).run()

    @cached_property
    def tenancy(self) -> TenancyAnalysis:
        """Query chains, constructions and raw SQL judged against the tenant keys (CL201-CL205)."""
        return TenancyAnalysis(
            self.index, self.settings.tenancy, self.models, silenced=self.settings.tenancy_silenced
        )

    @cached_property
    def models(self) -> ModelIndex:
        """The one model index: which classes are mapped, their fields, relations and tables
        (CL2xx and CL3xx)."""
        return ModelIndex(self.index)

    @cached_property
    def layers(self) -> Layers:
        """Which files are domain, persistence and outer code (CL301-CL304)."""
        return Layers(self.settings.layers)

    @property
    def entities(self) -> ModelIndex:
        """Which project classes are ORM entities (CL301-CL304): the same model index."""
        return self.models


class Rule:
    """A rule: subclasses set CODE, NAME, SEVERITY, DEFAULT_ON, SUMMARY; the module
    docstring is the documentation `explain` shows. `IMPLEMENTED = False` marks a rule
    of the catalogue whose analysis has not landed yet (it reports nothing)."""

    CODE: ClassVar[str]
    NAME: ClassVar[str]
    SEVERITY: ClassVar[Severity] = Severity.ERROR
    DEFAULT_ON: ClassVar[bool] = True
    SUMMARY: ClassVar[str]
    OPTIONS: ClassVar[tuple[str, ...]] = ()
    IMPLEMENTED: ClassVar[bool] = True

    @classmethod
    def meta(cls) -> RuleMeta:
        doc = sys.modules[cls.__module__].__doc__ or ""
        return RuleMeta(
            code=cls.CODE,
            name=cls.NAME,
            severity=cls.SEVERITY,
            default_on=cls.DEFAULT_ON,
            summary=cls.SUMMARY,
            doc=doc.strip(),
            options=cls.OPTIONS,
        )

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        return iter(())

    def diagnostic(
        self,
        summary: FileSummary,
        span: Span,
        message: str,
        *,
        related: Iterable[Related] = (),
        context: str = "",
    ) -> Diagnostic:
        return self.at(summary.path, span, message, related=related, context=context)

    def at(
        self,
        path: str,
        span: Span,
        message: str,
        *,
        related: Iterable[Related] = (),
        context: str = "",
    ) -> Diagnostic:
        """A finding of this rule in the file `path` (root-relative)."""
        return Diagnostic(
            code=self.CODE,
            name=self.NAME,
            severity=self.SEVERITY,
            message=message,
            path=path,
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
            related=tuple(related),
            context=context,
        )
