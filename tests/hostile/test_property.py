"""Property: no Python source that the grammar allows makes the analysis raise or hang.

hypothesmith generates syntactically valid programs from CPython's grammar;
a bounded number of examples keeps it affordable (`slow` marker).
"""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from consistency_lint import lint_source  # noqa: E402


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=hypothesmith.from_grammar())
def test_generated_programs_never_raise(source: str) -> None:
    found = lint_source(source, "generated.py")
    assert all(d.path == "generated.py" for d in found)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=hypothesmith.from_node())
def test_generated_modules_never_raise(source: str) -> None:
    found = lint_source(source, "generated.py")
    assert all(d.path == "generated.py" for d in found)
