"""Whether a stream is a terminal a person reads: what colour and the progress bar both ask."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO


def interactive(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """A terminal (`isatty`) that is not `TERM=dumb`; a closed or fake stream is not one."""
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False
