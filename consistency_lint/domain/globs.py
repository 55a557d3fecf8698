"""Path patterns for `exclude`, `per-file-ignores`, layers, tenancy exclusions and `.gitignore`.

Gitignore syntax, parsed by `pathspec` (`GitIgnoreSpecPattern`): a pattern
without a slash matches a file or folder name at any depth (`migrations`,
`*_test.py`); a pattern with a slash is anchored at the project root
(`scripts/*.py`); a trailing slash matches a folder (and so everything below
it); `**` spans any number of folders; `[!a]` and `[^a]` are negated classes;
`\\` escapes the next character. A pattern matches a path or anything below it.

Matching time is bounded. `pathspec` translates `*` to `[^/]*`, and a pattern
such as `*a*a*a*a*a*a*a*a*a*a*b` then backtracks for minutes on a long name.
`GitIgnorePattern` replaces the translation of one path segment: every star but
the last matches the shortest run that lets the next fixed-length piece match,
inside an atomic group emulated with a lookahead and a back-reference (as
`fnmatch.translate` does since Python 3.9), so a segment is matched in time
proportional to its length times the pattern's.

Patterns from the configuration are checked when it is loaded (`pattern_problem`);
a `.gitignore` line that does not compile is reported and skipped, as git does.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from pathspec.patterns.gitignore.base import GitIgnorePatternError
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

_GROUP_IDS = itertools.count()


class PatternError(ValueError):
    """A path pattern that cannot be used; the message says why."""


def _bracket(pattern: str, start: int) -> tuple[str, int] | None:
    """The regex class for the bracket expression at `start` (just after `[`), and the index after it."""
    end = len(pattern)
    j = start
    if j < end and pattern[j] in "!^":
        j += 1
    if j < end and pattern[j] == "]":
        j += 1  # `[]a]` and `[!]a]`: a first `]` is a member
    while j < end and pattern[j] != "]":
        j += 1
    if j >= end:
        return None
    body = pattern[start:j]
    negated = body[:1] in ("!", "^")
    if negated:
        body = body[1:]
    members = body.replace("\\", "\\\\").replace("[", "\\[")
    regex = f"[{'^' if negated else ''}{members}]"
    if negated:
        regex = f"(?!/){regex}"  # a class never matches the separator
    return regex, j + 1


def _pieces(segment: str) -> list[list[str]]:
    """The segment split at its stars into runs of single-character regexes."""
    pieces: list[list[str]] = [[]]
    i, end = 0, len(segment)
    while i < end:
        char = segment[i]
        i += 1
        if char == "\\":
            if i >= end:
                raise ValueError(f"a trailing backslash escapes nothing in {segment!r}")
            pieces[-1].append(re.escape(segment[i]))
            i += 1
        elif char == "*":
            if pieces[-1] or len(pieces) == 1:
                pieces.append([])
        elif char == "?":
            pieces[-1].append("[^/]")
        elif char == "[":
            found = _bracket(segment, i)
            if found is None:
                raise _InvalidRange(f"unclosed bracket expression in {segment!r}")
            regex, after = found
            try:
                re.compile(regex)
            except re.error as error:
                text = segment[i - 1 : after]
                raise _InvalidRange(f"invalid bracket expression {text!r}: {error}") from None
            i = after
            pieces[-1].append(regex)
        else:
            pieces[-1].append(re.escape(char))
    return pieces


class _InvalidRange(GitIgnorePatternError):
    pass


def _segment_regex(segment: str) -> str:
    """A segment glob as a regex that matches in linear time (see the module docstring)."""
    return _linear_stars(_pieces(segment), "[^/]")


def _linear_stars(pieces: list[list[str]], any_char: str) -> str:
    """Fixed-length pieces joined by stars; every star but the last is atomic and lazy."""
    if len(pieces) == 1:
        return "".join(pieces[0])
    out = ["".join(pieces[0])]
    for middle in pieces[1:-1]:
        name = f"g{next(_GROUP_IDS)}"
        out.append(f"(?=(?P<{name}>{any_char}*?{''.join(middle)}))(?P={name})")
    out.append(f"{any_char}*" + "".join(pieces[-1]))
    return "".join(out)


def dotted_problem(target: str) -> str | None:
    """Why a dotted call target glob (`a.*.b`, `a.**.b`) cannot be used, or None."""
    for segment in target.split("."):
        if "**" in segment and segment != "**":
            return "'**' must be a whole dotted segment (`a.**.b`)"
    if target.startswith("**") or target.endswith("**"):
        return "'**' must stand between two names (`a.**.b`)"
    return None


def dotted_glob(target: str) -> re.Pattern[str]:
    """A call target with `*` (within one name) and `**` (one or more names) as a full-match regex.

    Matched in bounded time: runs between `**` are found at their earliest
    place (atomic), stars inside a name as in `_segment_regex`.
    """
    runs = target.split(".**.")
    out = ["^"]
    for number, run in enumerate(runs):
        segments = []
        for segment in run.split("."):
            pieces: list[list[str]] = [[]]
            for char in segment:
                if char == "*":
                    if pieces[-1] or len(pieces) == 1:
                        pieces.append([])
                else:
                    pieces[-1].append(re.escape(char))
            segments.append(_linear_stars(pieces, "[^.]"))
        text = r"\.".join(segments)
        if number == 0:
            out.append(text)
            continue
        end = "$" if number == len(runs) - 1 else r"(?=\.)"
        name = f"g{next(_GROUP_IDS)}"
        out.append(f"(?=(?P<{name}>\\..+?\\.{text}{end}))(?P={name})")
    out.append("$")
    return re.compile("".join(out))


class GitIgnorePattern(GitIgnoreSpecPattern):
    """`GitIgnoreSpecPattern` with a segment translation that cannot backtrack catastrophically."""

    __slots__ = ()

    @staticmethod
    def _translate_segment_glob(pattern: str, range_error: str = "raise") -> str:
        return _segment_regex(pattern)

    @classmethod
    def pattern_to_regex(cls, pattern: str) -> tuple[str | None, bool | None]:  # type: ignore[override]
        regex, include = super().pattern_to_regex(pattern)
        return (_atomic_globstars(regex) if regex is not None else None), include


_LEADING = "^(?:.+/)?"
_INNER = "(?:/.+)?"


def _atomic_globstars(regex: str) -> str:
    """Make every `**` of a pathspec regex take the earliest match, without backtracking.

    Between two `**` lies a fixed number of segments, so matching each run at
    the earliest place it fits is always right (the same argument as for `*`
    inside a segment); emulated atomic groups keep the regex engine from trying
    every other split, which costs depth to the power of the number of `**`.
    """
    if _INNER not in regex and not regex.startswith(_LEADING):
        return regex
    leading = regex.startswith(_LEADING)
    body = regex[len(_LEADING) :] if leading else regex.removeprefix("^")
    parts = body.split(_INNER)
    out = ["^"]
    for number, part in enumerate(parts):
        if number == 0 and not leading:
            out.append(part)
            continue
        skip = "(?:.+?/)??" if number == 0 else "(?:/.+?)??"
        aligned = "(?=/)" if number < len(parts) - 1 else ""  # the next run starts a segment
        name = f"g{next(_GROUP_IDS)}"
        out.append(f"(?=(?P<{name}>{skip}{part}{aligned}))(?P={name})")
    return "".join(out)


def gitignore_regex(line: str) -> tuple[str | None, bool | None]:
    """(regex, include) of a `.gitignore` line; (None, None) for blank lines and comments.

    Raises PatternError for a line git would skip (invalid bracket expression,
    nothing left once normalised).
    """
    try:
        regex, include = GitIgnorePattern.pattern_to_regex(line)
    except (GitIgnorePatternError, ValueError) as error:
        raise PatternError(_reason(error)) from None
    if regex is None and line.strip() and not line.startswith("#") and line.strip() != "/":
        raise PatternError("invalid bracket expression")  # pathspec drops it, as git does
    if regex is not None:
        try:
            re.compile(regex)
        except re.error as error:
            raise PatternError(f"not a valid pattern: {error}") from None
    return regex, include


def _reason(error: Exception) -> str:
    cause = error.__cause__ or error.__context__
    return str(cause) if isinstance(cause, Exception) and str(cause) else str(error)


@lru_cache(maxsize=1024)
def _regex_text(pattern: str) -> str:
    """The regex of one of our own patterns (a path or anything below it)."""
    if not pattern.strip():
        raise PatternError("empty pattern")
    if pattern.startswith("!"):
        raise PatternError("negation ('!') is not supported here; list what to include instead")
    if pattern.startswith("#"):
        raise PatternError("'#' starts a comment in gitignore syntax; write '\\#' for a literal '#'")
    regex, _ = gitignore_regex(pattern)
    if regex is None:
        raise PatternError("pattern matches nothing")
    # pathspec marks the folder separator with a named group; one combined regex
    # holds many patterns, so names must go.
    return regex.replace("(?P<ps_d>/)", "/")


def pattern_problem(pattern: str) -> str | None:
    """Why a configured path pattern cannot be used, or None when it is fine."""
    try:
        _regex_text(pattern)
    except PatternError as error:
        return str(error)
    return None


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The pattern as a regex for `match` on a root-relative POSIX path. Raises PatternError."""
    return re.compile(_regex_text(pattern))


@lru_cache(maxsize=64)
def combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex matching what `any_match(path, patterns)` matches (patterns must be valid)."""
    if not patterns:
        return re.compile(r"(?!)")  # matches nothing
    unique = dict.fromkeys(patterns)  # a pattern's group names may appear once only
    return re.compile("|".join(f"(?:{_regex_text(p)})" for p in unique))


def path_matches(path: str, pattern: str) -> bool:
    """Whether a root-relative POSIX path (a folder ends with `/`) matches a pattern."""
    return compile_glob(pattern).match(path) is not None


def any_match(path: str, patterns: tuple[str, ...]) -> bool:
    return combined(patterns).match(path) is not None if patterns else False
