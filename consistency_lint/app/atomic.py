"""Writing a file so that no reader ever sees it half-written: a temporary file, then a rename.

A failure (a full disk, an encoding error, an interrupted run) leaves the old
file as it was, never a truncated one. Used for reports, baselines and the cache.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` in one step; raises OSError and leaves `path` untouched on failure.

    A symbolic link at `path` is replaced by the file, not followed. `durable`
    flushes the data to the disk before the rename (reports and baselines; the
    cache, which is rebuilt when lost, skips it).
    """
    folder = path.parent
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            # mkstemp creates the file readable by its owner only; give it the usual mode.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
