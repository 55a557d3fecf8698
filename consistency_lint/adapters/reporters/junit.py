"""JUnit XML: one test case per checked file, one `<failure>` per finding.

The findings of a file are also listed in its test case's `<system-out>`, for
consumers that show only the first failure of a test case.

GitLab (`artifacts:reports:junit`), Jenkins and Azure DevOps show files as
tests; a clean file is a passing test. Built with `xml.etree`, so the text is
escaped by the XML library; characters XML 1.0 cannot carry are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TYPE_CHECKING, TextIO

from consistency_lint.adapters.output import escape_surrogates
from consistency_lint.domain.diagnostic import Diagnostic

if TYPE_CHECKING:
    from consistency_lint.adapters.reporters import ReportContext

SUITE = "consistency-lint"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", escape_surrogates(text))


def _failure_text(d: Diagnostic) -> str:
    lines = [f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}"]
    if d.source_line:
        lines.append(f"    {d.source_line.strip()}")
    lines += [f"{r.path}:{r.line}:{r.column}: {r.message}" for r in d.related]
    return "\n".join(lines)


def render_junit(diagnostics: list[Diagnostic], stream: TextIO, ctx: ReportContext) -> None:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in diagnostics:
        by_file[d.path].append(d)
    # Files with findings that were not listed as checked (a caller that passes no
    # file list) still get their test case.
    files = list(ctx.files) + sorted(path for path in by_file if path not in set(ctx.files))
    failing = sum(1 for path in files if by_file.get(path))
    counts = {"tests": str(len(files)), "failures": str(failing), "errors": "0", "skipped": "0"}
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    for path in files:
        case = ET.SubElement(
            suite, "testcase", {"name": _clean(path), "classname": SUITE, "file": _clean(path)}
        )
        for d in by_file.get(path, ()):
            failure = ET.SubElement(
                case,
                "failure",
                {"message": _clean(f"{d.code} {d.message}"), "type": f"{d.code} {d.name}"},
            )
            failure.text = _clean(_failure_text(d))
        if by_file.get(path):
            # Some consumers (Jenkins' page, several GitHub actions) show only the first
            # `<failure>` of a test case: the test's output lists every finding.
            out = ET.SubElement(case, "system-out")
            out.text = _clean(
                "\n".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}" for d in by_file[path])
            )
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
