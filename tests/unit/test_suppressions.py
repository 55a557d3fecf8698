"""Parsing `# noqa` directives: real comments only, with positions."""

from __future__ import annotations

from consistency_lint.analysis.summary import Suppressions
from consistency_lint.analysis.suppressions import matching_directives, parse_suppressions, suppressed_by


def test_line_and_file_directives_with_positions() -> None:
    text = "# consistency-lint: noqa: CL201\nx = 1  # noqa: CL101, E501\ny = 2  # NOQA\n"
    s = parse_suppressions(text)
    assert s.lines == ((2, ("CL101", "E501")), (3, ()))
    assert s.file_codes == ("CL201",)
    first, second, third = s.comments
    assert (first.line, first.column, first.file_level, first.codes) == (1, 1, True, ("CL201",))
    assert (second.line, second.column, second.codes) == (2, 8, ("CL101", "E501"))
    assert text.splitlines()[1][second.column - 1 : second.end_column - 1] == "# noqa: CL101, E501"
    assert third.codes == ()


def test_strings_and_docstrings_are_not_directives() -> None:
    text = '"""Write `# noqa: CL101` to silence it."""\nHELP = "# noqa"\nx = 1\n'
    s = parse_suppressions(text)
    assert s.comments == () and s.lines == ()


def test_directive_after_another_comment() -> None:
    s = parse_suppressions("x = 1  # explained  # noqa: CL101\n")
    assert s.lines == ((1, ("CL101",)),)
    assert s.comments[0].column == 21


def test_untokenizable_file_falls_back_to_lines() -> None:
    s = parse_suppressions('x = (\n  "unclosed  # noqa: CL101\n')
    assert s.lines == ((2, ("CL101",)),)


def test_noqa_followed_by_prose_is_blanket() -> None:
    s = parse_suppressions("x = 1  # noqa: this is fine\n")
    assert s.lines == ((1, ()),)


def test_matching_directives() -> None:
    s = parse_suppressions("# consistency-lint: noqa: CL1\nx = 1  # noqa: CL101\ny = 2  # noqa\n")
    assert matching_directives(s, "CL101", 2) == [(0, "CL1"), (1, "CL101")]
    assert matching_directives(s, "CL201", 3) == [(2, "")]
    assert matching_directives(s, "CL201", 2) == []
    assert suppressed_by(s, "CL101", 5) == "file"


def test_hand_built_suppressions_still_suppress() -> None:
    s = Suppressions(lines=((3, ("CL101",)),))
    assert matching_directives(s, "CL101", 3) == [(-1, "")]
    assert matching_directives(s, "CL101", 4) == []


TRICKY = '''\
a = "it's # noqa: CL101"  # noqa: CL102
b = 'say "hi" \\' # noqa: CL103'
c = """
# noqa: CL104 inside a triple-quoted string
"""  # noqa: CL201
d = r"\\" # noqa: CL202
e = f"{a!r} # noqa" rb'x'  # NOQA:CL203
f = \'\'\'it\\'s \'\'\'  # noqa
# a comment with "quotes" # noqa: CL301
'''


def test_comments_agree_with_tokenize() -> None:
    import io
    import tokenize

    expected = [
        (t.start[0], t.string)
        for t in tokenize.generate_tokens(io.StringIO(TRICKY).readline)
        if t.type == tokenize.COMMENT and "noqa" in t.string.lower()
    ]
    s = parse_suppressions(TRICKY)
    assert [c.line for c in s.comments] == [line for line, _ in expected]
    for comment, (_, token) in zip(s.comments, expected):
        assert token.endswith(TRICKY.splitlines()[comment.line - 1][comment.column - 1 :])
    assert [codes for _, codes in s.lines] == [("CL102",), ("CL201",), ("CL202",), ("CL203",), (), ("CL301",)]
