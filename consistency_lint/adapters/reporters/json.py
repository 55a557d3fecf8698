"""One JSON object: version, diagnostics with related locations, and a summary."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any, TextIO

from consistency_lint.domain.diagnostic import Diagnostic

if TYPE_CHECKING:
    from consistency_lint.adapters.reporters import ReportContext


def diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "end_column": d.end_column,
        "related": [
            {"path": r.path, "line": r.line, "column": r.column, "message": r.message} for r in d.related
        ],
    }


def render_json(diagnostics: list[Diagnostic], stream: TextIO, ctx: ReportContext) -> None:
    from consistency_lint import __version__

    by_code = Counter(d.code for d in diagnostics)
    by_severity = Counter(d.severity.value for d in diagnostics)
    document = {
        "version": __version__,
        "diagnostics": [diagnostic_dict(d) for d in diagnostics],
        "summary": {
            "files_checked": ctx.files_checked,
            "total": len(diagnostics),
            "by_code": dict(sorted(by_code.items())),
            "by_severity": dict(sorted(by_severity.items())),
        },
    }
    json.dump(document, stream, indent=2)
    stream.write("\n")
