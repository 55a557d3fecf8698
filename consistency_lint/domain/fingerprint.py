"""Line-independent identities of findings, for baselines and SARIF.

A finding is identified by its code, its path (relative to the project root),
the qualified name of its enclosing function or class, and the normalised text
of the flagged line: never by line number, so inserting lines above does not
change it. Findings with the same identity are numbered in source order (the
occurrence), so a second identical finding in the same function is different
from the first.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence

from consistency_lint.domain.diagnostic import Diagnostic


def normalise_source(line: str) -> str:
    """The flagged line with its whitespace collapsed (indentation changes do not count)."""
    return " ".join(line.split())


def _digest(*parts: str, size: int = 16) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:size]


def line_hash(line: str) -> str:
    """A hash of the normalised line text (GitHub's `primaryLocationLineHash` stem)."""
    return _digest(normalise_source(line))


def finding_key(diagnostic: Diagnostic, project_path: str) -> str:
    """The identity of a finding without its occurrence number."""
    return _digest(
        diagnostic.code, project_path, diagnostic.context, normalise_source(diagnostic.source_line), size=20
    )


def occurrences(keys: Iterable[str]) -> list[int]:
    """1-based occurrence number of each key among the keys before it."""
    seen: Counter[str] = Counter()
    out = []
    for key in keys:
        seen[key] += 1
        out.append(seen[key])
    return out


def fingerprints(diagnostics: Sequence[Diagnostic], project_paths: Sequence[str]) -> list[str]:
    """`key:occurrence` for each diagnostic; diagnostics must be in source order."""
    keys = [finding_key(d, p) for d, p in zip(diagnostics, project_paths)]
    return [f"{key}:{n}" for key, n in zip(keys, occurrences(keys))]


def line_hashes(diagnostics: Sequence[Diagnostic], project_paths: Sequence[str]) -> list[str]:
    """GitHub-style `primaryLocationLineHash` values: line hash and occurrence number
    among the findings of the same rule and file with the same line text."""
    stems = [line_hash(d.source_line) for d in diagnostics]
    keys = [f"{d.code}\0{p}\0{s}" for d, p, s in zip(diagnostics, project_paths, stems)]
    return [f"{stem}:{n}" for stem, n in zip(stems, occurrences(keys))]
