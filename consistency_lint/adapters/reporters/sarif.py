"""SARIF 2.1.0, as GitHub code scanning reads it.

- `tool.driver` carries every rule of the catalogue (id, name, short and full
  description, help as text and Markdown from the rule's documentation,
  `helpUri` = the rule's page on the documentation site, default level);
  results point at rules by `ruleId` and `ruleIndex`.
- Locations are 1-based regions in files whose URIs are relative to the
  repository root (the git top level above the project root, else the project
  root), resolved through `originalUriBaseIds["%SRCROOT%"]`, as GitHub code
  scanning expects: in a monorepo (`services/api/pyproject.toml`) a URI reads
  `services/api/app/orders.py`. The other half of a dual write (the commit,
  the transaction) is a `relatedLocation`.
- `partialFingerprints.primaryLocationLineHash` is a hash of the normalised
  line text plus an occurrence count, as GitHub computes it, so alerts keep
  their identity when lines move; `consistencyLint/v1` is the baseline
  fingerprint (code, path relative to the project root, enclosing function,
  line text, occurrence), equal to the one `--write-baseline` records.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from consistency_lint.adapters.docs_site import REPOSITORY_URL, rule_url
from consistency_lint.domain.diagnostic import Diagnostic, Severity
from consistency_lint.domain.fingerprint import fingerprints, line_hashes
from consistency_lint.domain.rule import RuleMeta, doc_section

if TYPE_CHECKING:
    from consistency_lint.adapters.reporters import ReportContext

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = REPOSITORY_URL
SRCROOT = "%SRCROOT%"
FAMILY_TAGS = {
    "CL0": ["linter"],
    "CL1": ["dual-writes", "transactional-messaging", "correctness"],
    "CL2": ["multi-tenancy", "security", "correctness"],
    "CL3": ["layering", "maintainability"],
}


def help_uri(meta: RuleMeta) -> str:
    """The rule's page on the documentation site (generated from its documentation)."""
    return rule_url(meta.code)


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.ERROR else "warning"


def rule_descriptor(meta: RuleMeta) -> dict[str, Any]:
    what = " ".join(doc_section(meta.doc, "What it does").split()) or meta.summary
    text = meta.doc or meta.summary
    return {
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": what},
        "help": {"text": text, "markdown": f"# {meta.code} {meta.name}\n\n{text}"},
        "helpUri": help_uri(meta),
        "defaultConfiguration": {"level": _level(meta.severity), "enabled": meta.default_on},
        "properties": {
            "tags": FAMILY_TAGS.get(meta.family, []),
            "precision": "high",
            "problem.severity": _level(meta.severity),
        },
    }


def _location(uri: str, line: int, column: int, end_line: int, end_column: int) -> dict[str, Any]:
    # Percent-encode the name's bytes: a name that is not UTF-8 keeps them exactly.
    artifact: dict[str, Any] = {"uri": quote(os.fsencode(uri), safe="/")}
    if Path(uri).is_absolute():
        artifact = {"uri": Path(uri).as_uri()}
    else:
        artifact["uriBaseId"] = SRCROOT
    region: dict[str, Any] = {"startLine": max(line, 1), "startColumn": max(column, 1)}
    if end_line >= line:
        region["endLine"] = end_line
        if end_column >= 1 and (end_line > line or end_column > column):
            region["endColumn"] = end_column
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def sarif_document(diagnostics: list[Diagnostic], ctx: ReportContext) -> dict[str, Any]:
    from consistency_lint import __version__

    rules = list(ctx.rules.values())
    index = {meta.code: number for number, meta in enumerate(rules)}
    paths = [ctx.project_path(d.path) for d in diagnostics]
    uris = [ctx.repo_path(d.path) for d in diagnostics]
    results = []
    for d, uri, line_hash, fingerprint in zip(
        diagnostics, uris, line_hashes(diagnostics, paths), fingerprints(diagnostics, paths)
    ):
        result: dict[str, Any] = {"ruleId": d.code}
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        result |= {
            "level": _level(d.severity),
            "message": {"text": d.message},
            "locations": [_location(uri, d.line, d.column, d.end_line, d.end_column)],
            "partialFingerprints": {
                "primaryLocationLineHash": line_hash,
                "consistencyLint/v1": fingerprint,
            },
        }
        if d.related:
            related = []
            for number, r in enumerate(d.related, start=1):
                location = _location(ctx.repo_path(r.path), r.line, r.column, r.line, 0)
                location["id"] = number
                location["message"] = {"text": r.message}
                related.append(location)
            result["relatedLocations"] = related
        results.append(result)
    base: dict[str, Any] = {
        "description": {
            "text": "The repository root (the git top level), or the project root outside a git repository."
        }
    }
    if ctx.repo_root:
        base["uri"] = Path(ctx.repo_root).as_uri().rstrip("/") + "/"
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "consistency-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(meta) for meta in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: base},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(diagnostics: list[Diagnostic], stream: TextIO, ctx: ReportContext) -> None:
    json.dump(sarif_document(diagnostics, ctx), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
