"""GitLab Code Quality: the Code Climate JSON subset GitLab reads
(`artifacts:reports:codequality`).

Each finding is an issue with `description`, `check_name`, `fingerprint`,
`severity` and `location.path` / `location.lines.begin`. GitLab resolves paths
against the checkout, so they are relative to `CI_PROJECT_DIR` when that
variable is set (in a GitLab job), else to the repository root (the git top
level above the project root): in a monorepo a path reads
`services/api/app/orders.py`. The fingerprint is the baseline fingerprint
(project-relative), so GitLab's merge-request widget tracks a finding across
commits that move it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from consistency_lint.domain.diagnostic import Diagnostic, Severity
from consistency_lint.domain.fingerprint import fingerprints

if TYPE_CHECKING:
    from consistency_lint.adapters.reporters import ReportContext

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def render_gitlab(diagnostics: list[Diagnostic], stream: TextIO, ctx: ReportContext) -> None:
    paths = [ctx.project_path(d.path) for d in diagnostics]
    shown = [ctx.ci_path(d.path) for d in diagnostics]
    issues: list[dict[str, Any]] = []
    for d, path, fingerprint in zip(diagnostics, shown, fingerprints(diagnostics, paths)):
        issues.append(
            {
                "type": "issue",
                "check_name": f"{d.code} {d.name}",
                "description": f"{d.code} {d.message}",
                "categories": ["Bug Risk"],
                "severity": SEVERITY[d.severity],
                "fingerprint": fingerprint,
                "location": {
                    "path": path,
                    "lines": {"begin": d.line, "end": max(d.end_line, d.line)},
                },
            }
        )
    json.dump(issues, stream, indent=2, ensure_ascii=False)
    stream.write("\n")
