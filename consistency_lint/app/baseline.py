"""Baselines: record today's findings, then report only new ones.

The file is JSON, sorted and indented so that it diffs well in review. Each
entry is one finding, identified by `domain.fingerprint` (code, path relative
to the project root, enclosing function, normalised source line, occurrence);
line numbers and messages are not part of it, so edits that move code do not
resurface recorded findings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from consistency_lint.app.atomic import write_bytes_atomic
from consistency_lint.app.errors import UserError
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.fingerprint import fingerprints, normalise_source

FORMAT_VERSION = 1
TOOL = "consistency-lint"


def project_path(shown: str, root: str, cwd: str | None = None) -> str:
    """A path as shown to the user (relative to `cwd`) made relative to the project root."""
    absolute = os.path.normpath(os.path.join(cwd or os.getcwd(), shown))
    relative = os.path.relpath(absolute, root) if root else shown
    if relative.startswith(".."):
        return absolute.replace(os.sep, "/")
    return relative.replace(os.sep, "/")


def _fingerprints(diagnostics: Sequence[Diagnostic], root: str, cwd: str | None) -> list[str]:
    paths = [project_path(d.path, root, cwd) for d in diagnostics]
    return fingerprints(diagnostics, paths)


def baseline_document(diagnostics: Sequence[Diagnostic], root: str, cwd: str | None = None) -> str:
    """The text of a baseline recording `diagnostics` (in source order)."""
    entries = []
    for d, fingerprint in zip(diagnostics, _fingerprints(diagnostics, root, cwd)):
        entries.append(
            {
                "code": d.code,
                "path": project_path(d.path, root, cwd),
                "context": d.context,
                "source": normalise_source(d.source_line),
                "fingerprint": fingerprint,
            }
        )
    entries.sort(key=lambda e: (e["path"], e["code"], e["context"], e["source"], e["fingerprint"]))
    document = {"tool": TOOL, "version": FORMAT_VERSION, "findings": entries}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_baseline(path: Path, diagnostics: Sequence[Diagnostic], root: str, cwd: str | None = None) -> None:
    text = baseline_document(diagnostics, root, cwd)
    try:
        # Atomic: a failure never leaves a truncated baseline. A name that is not
        # UTF-8 is kept as a JSON `\udcXX` escape, which reads back to the same path.
        write_bytes_atomic(path, text.encode("utf-8", "backslashreplace"))
    except OSError as error:
        raise UserError(f"cannot write baseline {path}: {error.strerror or error}") from error


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints recorded in a baseline file; UserError when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"baseline file not found: {path} (create it with --write-baseline)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read baseline {path}: {error}") from error
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(
            f"{path}:{error.lineno}:{error.colno}: baseline is not valid JSON: {error.msg}"
        ) from None
    problem = _problem(data)
    if problem:
        raise UserError(f"{path}: not a consistency-lint baseline: {problem}")
    return frozenset(entry["fingerprint"] for entry in data["findings"])


def _problem(data: Any) -> str:
    if not isinstance(data, dict):
        return "expected a JSON object"
    if data.get("tool") != TOOL:
        return f'"tool" must be "{TOOL}"'
    if data.get("version") != FORMAT_VERSION:
        return f'unsupported "version" {data.get("version")!r} (this version reads {FORMAT_VERSION})'
    findings = data.get("findings")
    if not isinstance(findings, list):
        return '"findings" must be a list'
    for number, entry in enumerate(findings):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            return f'findings[{number}] has no "fingerprint" string'
    return ""


def new_findings(
    diagnostics: Sequence[Diagnostic], known: frozenset[str], root: str, cwd: str | None = None
) -> list[Diagnostic]:
    """The findings not recorded in the baseline (`diagnostics` in source order)."""
    return [
        d
        for d, fingerprint in zip(diagnostics, _fingerprints(diagnostics, root, cwd))
        if fingerprint not in known
    ]
