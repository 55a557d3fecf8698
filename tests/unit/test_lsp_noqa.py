"""The language server's `# noqa` quick fix: where it inserts, and when it must not."""

from __future__ import annotations

import pytest
from pygls.workspace import TextDocument

from consistency_lint.adapters.lsp import noqa_edit

SOURCE = '''\
x = """
abc
"""
y = f(a, \\
  b)
z = g()  # noqa
w = h()  # noqa:E501,W291 trailing
v = k()  # a comment{blanks}
u = m()  # noqa: CL1
'''.format(blanks="   ")


def edited(line: int, code: str = "CL101") -> str | None:
    document = TextDocument("file:///t.py", SOURCE)
    edit = noqa_edit(document, line, code)
    if edit is None:
        return None
    assert edit.range.start.line == edit.range.end.line == line
    text = document.lines[line].rstrip("\n")
    start, end = edit.range.start.character, edit.range.end.character
    return text[:start] + edit.new_text + text[end:]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (0, None),  # the line ends inside a triple-quoted string
        (1, None),
        (2, '"""  # noqa: CL101'),
        (3, None),  # a backslash continuation
        (4, "  b)  # noqa: CL101"),
        (5, None),  # a bare noqa already suppresses everything
        (6, "w = h()  # noqa:E501,W291, CL101 trailing"),
        (7, "v = k()  # a comment  # noqa: CL101"),
        (8, None),  # CL1 already covers CL101
        (40, None),
    ],
)
def test_noqa_edit(line: int, expected: str | None) -> None:
    assert edited(line) == expected


def test_a_suppressed_line_parses_as_suppressed() -> None:
    from consistency_lint.analysis.suppressions import parse_suppressions, suppressed_by

    text = edited(6)
    assert text is not None
    assert suppressed_by(parse_suppressions(text), "CL101", 1) == "line"
