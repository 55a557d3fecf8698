"""A progress bar on stderr, for long runs in a terminal only.

Shown when stderr is a terminal, `TERM` is not `dumb`, no `CI` variable is set
(some CI runners allocate a pseudo-terminal, and a redrawn bar turns into
thousands of log lines), and the run has at least `MIN_FILES` files. The bar is
redrawn at most every 1/10 s and erased when the per-file phase ends, so the
report and the summary line are never interleaved with it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import TextIO

from consistency_lint.adapters.terminal import interactive

MIN_FILES = 200
WIDTH = 30
INTERVAL = 0.1


def wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if env.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    return interactive(stream, env)


class ProgressBar:
    def __init__(self, stream: TextIO, min_files: int = MIN_FILES) -> None:
        self.stream = stream
        self.min_files = min_files
        self.shown = False
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if total < self.min_files:
            return
        now = time.monotonic()
        if done < total and now - self.last < INTERVAL:
            return
        self.last = now
        filled = WIDTH * done // total
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\rChecking [{bar}] {done}/{total} files")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
