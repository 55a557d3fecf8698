"""The project phase: link every file's facts, run the selected rules, keep what is reported.

Runs in one process over all results, whatever ran the file phase, so findings
do not depend on the number of workers or on the cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.checks import ALL_RULES, RULES_BY_CODE, CheckContext
from consistency_lint.checks.cl002_unused_suppression import UnusedDirective, UnusedSuppression
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.settings import Settings
from consistency_lint.engine.result import FileResult
from consistency_lint.engine.suppression import Used, ignored, reported, unused_directives


def check_project(
    results: Sequence[FileResult],
    settings: Settings,
    packs: PackIndex,
    *,
    report_paths: Iterable[str] | None = None,
) -> list[Diagnostic]:
    """Link the summaries, run the rules, apply selection and suppressions, then CL002.

    `report_paths` limits reporting to some files (pre-commit, flake8, the language
    server) while the analyses still see every summary.
    """
    summaries = [r.summary for r in results if r.summary is not None]
    unreadable = {r.path: r.unreadable for r in results if r.unreadable is not None}
    ctx = CheckContext(ProjectIndex(summaries, packs), settings, packs, unreadable)
    found: list[Diagnostic] = []
    for rule_class in ALL_RULES:
        if rule_class.CODE in settings.enabled and rule_class.IMPLEMENTED:
            found.extend(rule_class().check(ctx))
    wanted = set(report_paths) if report_paths is not None else None
    suppressions = {r.path: r.suppressions for r in results}
    used: Used = set()
    out = reported(set(found), settings, suppressions, wanted, used)
    if UnusedDirective.CODE in settings.enabled:
        rule = UnusedSuppression()
        unused = [rule.report(event) for event in _unused(results, settings, wanted, used)]
        out += reported(set(unused), settings, suppressions, wanted, set())
    out.sort(key=lambda d: d.sort_key)
    return out


def _unused(
    results: Sequence[FileResult], settings: Settings, wanted: set[str] | None, used: Used
) -> list[UnusedDirective]:
    used_in: dict[str, set[tuple[int, str]]] = {}
    for path, position, code in used:
        used_in.setdefault(path, set()).add((position, code))
    out: list[UnusedDirective] = []
    for result in results:
        if wanted is not None and result.path not in wanted:
            continue
        if result.summary is None:  # not analysed (CL001): no rule had a chance to fire
            continue
        out.extend(
            unused_directives(
                result.path,
                result.suppressions,
                used_in.get(result.path, set()),
                _judged,
                lambda path, code: not ignored(settings, code, path),
            )
        )
    return out


def _judged(written: str) -> tuple[str, ...] | None:
    """The implemented rules (CL002 aside) a code written in a comment covers; None if none exists."""
    covered = [code for code in RULES_BY_CODE if code.startswith(written)]
    if not covered:
        return None
    return tuple(code for code in covered if code != UnusedDirective.CODE and RULES_BY_CODE[code].IMPLEMENTED)
