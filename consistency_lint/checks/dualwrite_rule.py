"""The shared shell of CL101-CL104: events of the run's dual-write analysis, worded by each rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Generic, TypeVar

from consistency_lint.analysis.dualwrite import Event, Hit
from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.domain.diagnostic import Diagnostic, Related

E = TypeVar("E", bound=Event)


class DualWriteRule(Rule, Generic[E]):
    """A rule that reports every `EVENT` of `ctx.dual_writes`, with the message of `word`."""

    EVENT: ClassVar[type[Event]]

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for event in ctx.dual_writes.events(self.EVENT):
            message, related = self.word(event)  # type: ignore[arg-type]
            yield self.at(event.path, event.op.span, message, related=related, context=event.context)

    def word(self, event: E) -> tuple[str, tuple[Related, ...]]:
        """The message and the related locations of one event."""
        raise NotImplementedError


def published(event: Event, through: Hit | None) -> tuple[str, tuple[Related, ...]]:
    """How a publish is named: the call itself, or the call and the publish it leads to."""
    what = f"`{event.op.text}`"
    if through is None:
        return what, ()
    return f"{what} leads to a publish {through.describe(event.path)} and", (through.related("the publish"),)
