"""Rule metadata: what the catalogue, `rules`, `explain` and SARIF know of a rule."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consistency_lint.domain.diagnostic import Severity

CODE_RE = re.compile(r"^CL[0-9]{3}$")
DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "Options")


@dataclass(frozen=True)
class RuleMeta:
    code: str
    name: str
    severity: Severity
    default_on: bool
    summary: str
    doc: str
    # Options of the configuration that change what the rule does (documented in `doc`).
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not CODE_RE.match(self.code):
            raise ValueError(f"bad rule code {self.code!r}")

    @property
    def family(self) -> str:
        return self.code[:3]


def doc_section(doc: str, heading: str) -> str:
    """The text under a `## heading` of a rule's documentation ("" if absent)."""
    lines = doc.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip() == heading
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip("\n")


def doc_code_block(doc: str, heading: str) -> str:
    """The first fenced Python block under a heading ("" if none)."""
    section = doc_section(doc, heading)
    match = re.search(r"```(?:python|py)?\n(.*?)```", section, re.S)
    return match.group(1) if match else ""
