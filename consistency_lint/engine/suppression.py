"""What a run reports of what the rules found: selection, per-file ignores, `# noqa`,
and which suppression comments suppressed nothing (the facts CL002 reports)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from consistency_lint.analysis.summary import Suppressions
from consistency_lint.analysis.suppressions import matching_directives
from consistency_lint.checks.cl002_unused_suppression import OUR_PREFIX, UnusedDirective
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.globs import any_match, path_matches
from consistency_lint.domain.settings import ANALYSIS_EXCLUDE_FAMILIES, Settings

# (path, comment index, code as written) of every directive that suppressed a finding.
Used = set[tuple[str, int, str]]


def ignored(settings: Settings, code: str, path: str) -> bool:
    """Whether a code is off for a file: not selected, in `per-file-ignores`, analysis-excluded
    (tests, migrations, ... for CL1xx and CL2xx) or tenancy-excluded."""
    if code not in settings.enabled:
        return True
    for pattern, codes in settings.per_file_ignores:
        if path_matches(path, pattern) and any(code.startswith(prefix) for prefix in codes):
            return True
    if code.startswith(ANALYSIS_EXCLUDE_FAMILIES) and any_match(path, settings.analysis_exclude):
        return True
    return code.startswith("CL2") and any_match(path, settings.tenancy.exclude)


def reported(
    found: Iterable[Diagnostic],
    settings: Settings,
    suppressions: dict[str, Suppressions],
    wanted: set[str] | None,
    used: Used,
) -> list[Diagnostic]:
    """Selection, per-file ignores and `# noqa`; records the directives that suppressed."""
    out = []
    for diagnostic in found:
        if wanted is not None and diagnostic.path not in wanted:
            continue
        if ignored(settings, diagnostic.code, diagnostic.path):
            continue
        marks = suppressions.get(diagnostic.path)
        if marks is not None:
            hits = matching_directives(marks, diagnostic.code, diagnostic.line)
            if hits:
                used.update((diagnostic.path, index, code) for index, code in hits)
                continue
        out.append(diagnostic)
    return out


def unused_directives(
    path: str,
    suppressions: Suppressions,
    used: set[tuple[int, str]],
    judged: Callable[[str], tuple[str, ...] | None],
    active: Callable[[str, str], bool],
) -> Iterator[UnusedDirective]:
    """The comments of one file that name codes which suppressed nothing, or unknown codes.

    `used` holds (comment index, code as written) of the directives that suppressed a
    finding; `judged(written)` lists the implemented rule codes a written code covers
    (None: no rule has that code); `active(path, code)` says whether a rule is on for this file.
    Only `CL` codes are judged, and a code only while a rule it covers is active.
    """
    for position, comment in enumerate(suppressions.comments):
        unused: list[str] = []
        unknown: list[str] = []
        for written in comment.codes:
            if not written.startswith(OUR_PREFIX) or written == UnusedDirective.CODE:
                continue
            covered = judged(written)
            if covered is None:
                unknown.append(written)
                continue
            if not any(active(path, code) for code in covered):
                continue
            if (position, written) not in used:
                unused.append(written)
        if unused or unknown:
            yield UnusedDirective(path, comment, tuple(unused), tuple(unknown))
