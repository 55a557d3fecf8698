"""Writing reports: names that are not valid UTF-8 escaped, files replaced atomically.

A file name that is not valid UTF-8 reaches us with surrogate escapes
(`os.fsdecode`). Every report is encoded with `backslashreplace`, so such a
character comes out as `\\udcff`: a valid escape inside JSON strings (json,
sarif, gitlab, baselines), readable text elsewhere; XML cannot carry it at all,
so JUnit escapes it first (`escape_surrogates`), and SARIF URIs percent-encode
the original bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from consistency_lint.app.atomic import write_bytes_atomic

_SURROGATE = re.compile("[\ud800-\udfff]")


def encode_output(text: str) -> bytes:
    """The report as UTF-8; a lone surrogate becomes the six characters `\\udcXX`."""
    return text.encode("utf-8", "backslashreplace")


def escape_surrogates(text: str) -> str:
    """Lone surrogates (undecodable bytes of a file name) as `\\udcXX` text."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_output(path: Path, text: str) -> None:
    """Write a report file atomically (OSError on failure; the old file is kept)."""
    write_bytes_atomic(path, encode_output(text))
