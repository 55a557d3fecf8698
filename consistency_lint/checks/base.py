"""What every rule is: metadata from its module docstring, and a `check` over the project."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.summary import FileSummary
from consistency_lint.domain.diagnostic import Diagnostic, Related, Severity, Span
from consistency_lint.domain.rule import RuleMeta
from consistency_lint.domain.settings import Settings


@dataclass(frozen=True)
class CheckContext:
    index: ProjectIndex
    settings: Settings
    packs: PackIndex

    def files(self) -> Iterable[FileSummary]:
        return self.index.files.values()


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
        return Diagnostic(
            code=self.CODE,
            name=self.NAME,
            severity=self.SEVERITY,
            message=message,
            path=summary.path,
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
            related=tuple(related),
            context=context,
        )
