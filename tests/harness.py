"""Fixture harness: Python files whose expected findings are written next to the code.

Markers (see docs/development.md):
- `# expect: CL101` at the end of a line that must be reported (several: `CL101, CL102`);
- `# expect-next-line: CL101` on its own line, for the line after it;
- `# config: <TOML>` lines at the top of a single-file fixture set configuration keys
  (`# config: extend-select = ["CL104"]`).
A file with no markers must produce no finding at all: that is how look-alikes are written.

Single-file fixtures live in `tests/fixtures/rules/<CODE>/` and are linted alone.
Project fixtures are folders in `tests/fixtures/projects/<name>/`, linted as one project
(with their own `consistency-lint.toml` if present), so calls across modules are followed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from consistency_lint.app.config import load_settings, resolve
from consistency_lint.app.runner import run_check
from consistency_lint.app.session import open_session

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

FIXTURES = Path(__file__).parent / "fixtures"
_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>CL\d{3}(?:\s*,\s*CL\d{3})*)")
_EXPECT_NEXT = re.compile(r"^\s*#\s*expect-next-line:\s*(?P<codes>CL\d{3}(?:\s*,\s*CL\d{3})*)")
_CONFIG = re.compile(r"^#\s*config:\s?(?P<toml>.*)$")

Expectation = set[tuple[str, int, str]]  # (path, line, code)


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",")]


def expectations(path: Path, label: str) -> Expectation:
    out: Expectation = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        nxt = _EXPECT_NEXT.match(line)
        if nxt:
            out.update((label, number + 1, code) for code in _codes(nxt.group("codes")))
            continue
        match = _EXPECT.search(line)
        if match:
            out.update((label, number, code) for code in _codes(match.group("codes")))
    return out


def header_config(path: Path) -> dict[str, object]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _CONFIG.match(line)
        if match:
            lines.append(match.group("toml"))
    return tomllib.loads("\n".join(lines)) if lines else {}


def lint_fixture_file(path: Path) -> Expectation:
    """Findings for one single-file fixture, as (name, line, code)."""
    settings = resolve(header_config(path), path.name, path.parent)
    session = open_session(settings, roots=("",))
    return {(d.path, d.line, d.code) for d in session.lint(path.read_bytes(), path.name)}


def lint_fixture_project(folder: Path, jobs: int = 1) -> Expectation:
    """Findings for a project fixture, as (root-relative path, line, code)."""
    config = folder / "consistency-lint.toml"
    settings = load_settings(config if config.is_file() else None, folder)
    if not config.is_file():
        settings = resolve({}, "(defaults)", folder)
    result = run_check([folder], settings, jobs=jobs, cache=False)
    assert not result.errors, result.errors
    out = set()
    for d in result.diagnostics:
        rel = (Path.cwd() / d.path).resolve().relative_to(folder.resolve()).as_posix()
        out.add((rel, d.line, d.code))
    return out


def project_expectations(folder: Path) -> Expectation:
    out: Expectation = set()
    for path in sorted(folder.rglob("*.py")):
        out |= expectations(path, path.relative_to(folder).as_posix())
    return out


def describe(expected: Expectation, actual: Expectation) -> str:
    missing = sorted(expected - actual)
    extra = sorted(actual - expected)
    lines = [f"- missing {p}:{n}: {c}" for p, n, c in missing]
    lines += [f"+ unexpected {p}:{n}: {c}" for p, n, c in extra]
    return "\n".join(lines)
