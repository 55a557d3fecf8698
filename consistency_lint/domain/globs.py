"""Path patterns for `exclude`, `per-file-ignores`, layers and tenancy exclusions.

Gitignore-like: a pattern without a slash matches a file or folder name at any
depth (`migrations`, `*_test.py`); a pattern with a slash is anchored at the
project root (`scripts/*.py`); a trailing slash matches everything below a
folder (`migrations/`); `**` spans any number of folders.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    directory = pattern.endswith("/")
    pattern = pattern.strip("/") if directory else pattern.lstrip("/")
    anchored = "/" in pattern
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i)
            if end < 0:
                out.append(re.escape(char))
            else:
                out.append(pattern[i : end + 1])
                i = end + 1
                continue
        else:
            out.append(re.escape(char))
        i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    suffix = "(?:/.*)?"
    return re.compile(f"^{prefix}{body}{suffix}$")


def path_matches(path: str, pattern: str) -> bool:
    """Whether a root-relative POSIX path matches a pattern."""
    return compile_glob(pattern).match(path) is not None


def any_match(path: str, patterns: tuple[str, ...]) -> bool:
    return any(path_matches(path, p) for p in patterns)
