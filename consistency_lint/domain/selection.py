"""Which codes are on: select / extend-select / ignore by prefix, the most specific wins."""

from __future__ import annotations

from collections.abc import Iterable

from consistency_lint.domain.rule import RuleMeta


def _best(code: str, prefixes: Iterable[str]) -> int:
    """Length of the longest prefix of `code` in `prefixes` (-1 if none)."""
    best = -1
    for prefix in prefixes:
        if code.startswith(prefix) and len(prefix) > best:
            best = len(prefix)
    return best


def resolve_enabled(
    rules: Iterable[RuleMeta],
    select: Iterable[str] | None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> frozenset[str]:
    """A prefix selects the default-on rules under it; an exact code selects any rule.

    `ignore` beats `select` unless the selection is more specific, as in flake8/ruff.
    """
    chosen = list(select) if select is not None else ["CL"]
    chosen += list(extend_select)
    ignored = list(ignore)
    enabled = set()
    for rule in rules:
        selected = _best(rule.code, chosen)
        if selected < 0:
            continue
        if not rule.default_on and rule.code not in chosen:
            continue
        if _best(rule.code, ignored) >= selected:
            continue
        enabled.add(rule.code)
    return frozenset(enabled)


def code_matches(code: str, prefixes: Iterable[str]) -> bool:
    return _best(code, prefixes) >= 0
