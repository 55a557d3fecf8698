"""Which codes are on: ruff's resolution order over layers of select / extend-select / ignore.

The layers are applied in order: the defaults (every rule marked "on"), the
configuration file, then the command line. Within one layer each rule takes
the verdict of its most specific selector (`CL101` beats `CL1` beats `ALL`);
on a tie the ignore wins. A layer that sets `select` starts afresh: the rules
on are those its own selectors turn on, whatever earlier layers chose. A layer
without `select` only adds (`extend-select`) and removes (`ignore`) rules on
top of the previous layers, so an ignore on the command line beats any
selection in the file.

A prefix selects the default-on rules under it; an exact code selects any
rule; `ALL` selects every rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from consistency_lint.domain.catalogue import RuleHead

ALL = "ALL"


@dataclass(frozen=True)
class Selection:
    """One layer: `select=None` keeps what earlier layers chose."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def _best(code: str, prefixes: Iterable[str]) -> int:
    """Length of the longest prefix of `code` in `prefixes` (`ALL`: 0; -1 if none)."""
    best = -1
    for prefix in prefixes:
        if prefix == ALL:
            best = max(best, 0)
        elif code.startswith(prefix) and len(prefix) > best:
            best = len(prefix)
    return best


def _selected(rule: RuleHead, selectors: Sequence[str]) -> int:
    """Specificity of the best selector turning `rule` on (-1 if none)."""
    if rule.default_on:
        return _best(rule.code, selectors)
    best = _best(rule.code, [s for s in selectors if s == ALL])
    return len(rule.code) if rule.code in selectors else best


def resolve_layers(rules: Iterable[RuleHead], layers: Sequence[Selection]) -> frozenset[str]:
    """The codes on after applying `layers` to the defaults, in order."""
    catalogue = list(rules)
    enabled = {rule.code for rule in catalogue if rule.default_on}
    for layer in layers:
        selectors = [*(layer.select or ()), *layer.extend_select]
        updates: dict[str, bool] = {}
        for rule in catalogue:
            on = _selected(rule, selectors)
            off = _best(rule.code, layer.ignore)
            if on >= 0 or off >= 0:
                updates[rule.code] = on > off
        if layer.select is not None:
            enabled = {code for code, on in updates.items() if on}
            continue
        for code, on in updates.items():
            if on:
                enabled.add(code)
            else:
                enabled.discard(code)
    return frozenset(enabled)


def code_matches(code: str, prefixes: Iterable[str]) -> bool:
    return _best(code, prefixes) >= 0
