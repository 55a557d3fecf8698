"""Where the documentation site lives: the one place its address is written.

The site is `docs/` built by mkdocs (`mkdocs.yml`, whose `site_url` must equal
`DOCS_URL`; a test checks it) and published on the project's GitHub Pages,
`https://<owner>.github.io/<repository>/`. Each rule has a page generated from
its documentation by `scripts/gen_docs.py`: `docs/rules/CL101.md`, served as
`rules/CL101/`. SARIF `helpUri` and the language server's `codeDescription`
point there.
"""

from __future__ import annotations

DOCS_URL = "https://consistency-lint.github.io/consistency-lint/"
REPOSITORY_URL = "https://github.com/consistency-lint/consistency-lint"  # pyproject's Homepage


def rule_url(code: str) -> str:
    """The address of a rule's page on the documentation site."""
    return f"{DOCS_URL}rules/{code}/"
