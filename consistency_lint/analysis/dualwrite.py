"""Ordering of commits and publishes along a function's flow (dual writes).

A small abstract interpretation over the flow tree of one function: the
state is the first commit that has happened on some path so far; a publish
reached in that state is a publish after commit. Calls are classified through
the project index, so a framework call reached through a project class (a
Django model's `save`) counts like a direct one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.summary import (
    CALL,
    Block,
    Branch,
    Deferred,
    Exit,
    Loop,
    Op,
    Scope,
    TryBlock,
)


@dataclass(frozen=True)
class PublishAfterCommit:
    publish: Op
    commit: Op


class _Walk:
    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.findings: list[PublishAfterCommit] = []

    def role(self, op: Op) -> str:
        if op.kind != CALL:
            return op.kind
        resolved = self.index.resolve(op.target)
        if resolved.spec is not None and resolved.spec.role:
            if (
                resolved.spec.role == "publish"
                and resolved.spec.effect_kind not in self.index.packs.effect_kinds
            ):
                return ""
            return resolved.spec.role
        return ""

    def block(self, block: Block, committed: Op | None) -> tuple[Op | None, bool]:
        """Run a block; return (state after it, whether it can fall through)."""
        for node in block:
            if isinstance(node, Op):
                role = self.role(node)
                if role == "commit" and committed is None:
                    committed = node
                elif role == "publish" and committed is not None:
                    self.findings.append(PublishAfterCommit(node, committed))
            elif isinstance(node, Exit):
                return committed, False
            elif isinstance(node, Branch):
                states = [self.block(arm, committed) for arm in node.arms]
                live = [state for state, falls in states if falls]
                if not live:
                    return committed, False
                committed = next((s for s in live if s is not None), None)
            elif isinstance(node, Loop):
                after, _ = self.block(node.body, committed)
                committed = after or committed
                committed, _ = self.block(node.orelse, committed)
            elif isinstance(node, TryBlock):
                after, falls = self.block(node.body, committed)
                for handler in node.handlers:
                    self.block(handler, committed)
                if falls:
                    after, falls = self.block(node.orelse, after)
                committed, final_falls = self.block(node.final, after if falls else committed)
                if not (falls and final_falls):
                    return committed, False
            elif isinstance(node, Scope):
                inner, falls = self.block(node.body, committed)
                committed = inner
                if node.opener.commits and committed is None:
                    committed = node.opener
                if not falls:
                    return committed, False
            elif isinstance(node, Deferred):
                continue
        return committed, True


def publishes_after_commit(body: Block, index: ProjectIndex) -> Iterator[PublishAfterCommit]:
    walk = _Walk(index)
    walk.block(body, None)
    yield from walk.findings
