"""Path patterns: gitignore semantics through pathspec, in bounded time."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from consistency_lint.domain.globs import (
    GitIgnorePattern,
    any_match,
    dotted_glob,
    dotted_problem,
    path_matches,
    pattern_problem,
)


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("migrations/0001.py", "migrations", True),
        ("app/migrations/0001.py", "migrations/", True),
        ("scripts/a.py", "scripts/*.py", True),
        ("x/scripts/a.py", "scripts/*.py", False),
        ("src/a/b/domain/m.py", "src/**/domain/**", True),
        ("lib/src/domain/m.py", "src/**/domain/**", False),
        ("a/test_x.py", "test_*.py", True),
        ("h.py", "[!g].py", True),
        ("g.py", "[!g].py", False),
        ("#x.py", "\\#x.py", True),
    ],
)
def test_gitignore_semantics(path: str, pattern: str, expected: bool) -> None:
    assert path_matches(path, pattern) is expected


@pytest.mark.parametrize("pattern", ["[z-a]", "[]", "a[", "x\\", "!negated", "", "# comment"])
def test_invalid_patterns_are_named(pattern: str) -> None:
    assert pattern_problem(pattern)


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("*a*a*a*a*a*a*a*a*a*a*b", "a" * 5000),
        ("**/a/**/a/**/a/**/b", "/".join(["a"] * 2000)),
        ("*a*a*a*a*a*a*a*a*a*a*b/**/c", "/".join(["a" * 300] * 50)),
    ],
)
def test_matching_time_is_bounded(pattern: str, path: str) -> None:
    started = time.perf_counter()
    assert not path_matches(path, pattern)
    assert time.perf_counter() - started < 0.5


_SEGMENT = st.text(alphabet="ab*?", min_size=1, max_size=5)
_PATTERN = st.lists(st.one_of(_SEGMENT, st.just("**")), min_size=1, max_size=4).map("/".join)
_PATH = st.lists(st.text(alphabet="ab", min_size=1, max_size=4), min_size=1, max_size=6).map("/".join)


@settings(max_examples=400, deadline=None)
@given(pattern=_PATTERN, path=_PATH, folder=st.booleans())
def test_same_answers_as_pathspec(pattern: str, path: str, folder: bool) -> None:
    """The bounded translation decides exactly as pathspec's own (backtracking) one."""
    path += "/" if folder else ""
    ours, _ = GitIgnorePattern.pattern_to_regex(pattern)
    theirs, _ = GitIgnoreSpecPattern.pattern_to_regex(pattern)
    if ours is None or theirs is None:
        assert ours == theirs
        return
    import re

    assert (re.match(ours, path) is not None) == (re.match(theirs, path) is not None), (ours, theirs)


def test_combined_patterns_may_repeat() -> None:
    assert any_match("x/aab", ("*a*b", "*a*b", "c"))


@pytest.mark.parametrize(
    ("target", "name", "expected"),
    [
        ("celery.Task.*().delay", "celery.Task.send().delay", True),
        ("celery.Task.*().delay", "celery.Task.a.b().delay", False),
        ("m.Model.objects.**.create", "m.Model.objects.filter().create", True),
        ("m.Model.objects.**.create", "m.Model.objects.create", False),
        ("a.**.b.**.c", "a.x.b.y.b.z.c", True),
        ("k.*a*a*a*a*a*a*a*a*a*a*b", "k." + "a" * 5000, False),
    ],
)
def test_dotted_targets(target: str, name: str, expected: bool) -> None:
    started = time.perf_counter()
    assert (dotted_glob(target).match(name) is not None) is expected
    assert time.perf_counter() - started < 0.5


def test_dotted_target_problems() -> None:
    assert dotted_problem("a.**x.b") and dotted_problem("**.a") and not dotted_problem("a.**.b")
