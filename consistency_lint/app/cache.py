"""The result cache: per-file results (summary, per-file findings, suppressions) kept between runs.

One consolidated file per project and configuration, under
`<project root>/.consistency-lint-cache/`, holds for each file path the stat
signature (mtime_ns, size), the content hash, the module name and the
`FileResult`. A warm run reads that one file, `stat`s every source file and
re-reads (and hashes) only those whose signature changed: 5,000 small cache
files cost more to open than one file costs to load.

The cache key covers everything that changes a per-file result: the tool
version, the settings fingerprint, the text of every loaded pack and the
Python version (pickles of the summary classes). A different key is a different
file, so two configurations do not evict each other's entries while they
alternate (at most `_KEEP` files are kept).

Safety:
- writes go to a temporary file in the same folder, then `os.replace`, so a
  reader never sees a half-written file and concurrent runs end with one
  complete file (the last writer's) - both are valid for the same key;
- an unreadable or corrupted file is ignored (and replaced at the end of
  the run); an entry is used only when its path, module and content hash match;
- a file modified within the same second as the cache was written ("racy"
  stat, as git calls it) is re-hashed instead of trusted by its stat.

The project phase is never cached: it is recomputed from the summaries.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from consistency_lint import __version__
from consistency_lint.analysis.engine import FileResult

CACHE_DIR = ".consistency-lint-cache"
_FORMAT = 1
_KEEP = 4  # index files kept per project (one per configuration)
_RACY_NS = 2_000_000_000


def content_hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _tool_signature() -> str:
    """The version plus the stat signature of the package's own sources.

    A development checkout keeps one version number while its code changes; a
    cache built by older code must not be trusted.
    """
    package = Path(__file__).resolve().parents[1]
    parts = [__version__]
    for path in sorted(package.rglob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def cache_key(settings_fingerprint: str, pack_texts: list[bytes]) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for part in (
        f"format={_FORMAT}",
        _tool_signature(),
        f"python={sys.version_info[:2]}",
        settings_fingerprint,
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    for text in pack_texts:
        digest.update(content_hash(text))
    return digest.hexdigest()


@dataclass
class Entry:
    mtime_ns: int
    size: int
    digest: bytes
    module: str
    is_package: bool
    result: FileResult


class ResultCache:
    """Entries for one project and one cache key; load, look up, store, save."""

    def __init__(self, root: Path, key: str) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / f"results-{key}.pickle"
        self.entries: dict[str, Entry] = {}
        self.written_ns = 0
        self.dirty = False
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                data = pickle.load(handle)
        except FileNotFoundError:
            return
        except Exception:  # corrupted, truncated, from an incompatible version: rebuild
            self.dirty = True
            return
        if (
            isinstance(data, tuple)
            and len(data) == 3
            and data[0] == _FORMAT
            and isinstance(data[1], int)
            and isinstance(data[2], dict)
        ):
            self.written_ns, self.entries = data[1], data[2]
        else:
            self.dirty = True

    def lookup_stat(self, rel: str, module: str, is_package: bool, stat: os.stat_result) -> FileResult | None:
        """The cached result when the file's stat signature is unchanged (no read needed)."""
        entry = self.entries.get(rel)
        if entry is None or entry.module != module or entry.is_package != is_package:
            return None
        if entry.mtime_ns != stat.st_mtime_ns or entry.size != stat.st_size:
            return None
        if stat.st_mtime_ns >= self.written_ns - _RACY_NS:
            return None  # modified around the time the cache was written: verify the content
        return entry.result

    def lookup_content(self, rel: str, module: str, is_package: bool, digest: bytes) -> FileResult | None:
        """The cached result when the content is unchanged (a touched but identical file)."""
        entry = self.entries.get(rel)
        if entry is None or entry.module != module or entry.is_package != is_package:
            return None
        if entry.digest != digest or not isinstance(entry.result, FileResult):
            return None
        return entry.result

    def refresh_stat(self, rel: str, stat: os.stat_result) -> None:
        entry = self.entries[rel]
        if entry.mtime_ns != stat.st_mtime_ns or entry.size != stat.st_size:
            entry.mtime_ns, entry.size = stat.st_mtime_ns, stat.st_size
            self.dirty = True

    def store(
        self,
        rel: str,
        module: str,
        is_package: bool,
        stat: os.stat_result,
        digest: bytes,
        result: FileResult,
    ) -> None:
        self.entries[rel] = Entry(stat.st_mtime_ns, stat.st_size, digest, module, is_package, result)
        self.dirty = True

    def forget_missing(self, present: set[str]) -> None:
        gone = [rel for rel in self.entries if rel not in present]
        for rel in gone:
            del self.entries[rel]
        self.dirty = self.dirty or bool(gone)

    def save(self) -> None:
        """Write atomically; a failure to write (read-only tree, full disk) is not an error."""
        if not self.dirty:
            return
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                _atomic_write(ignore, b"# Created by consistency-lint automatically.\n*\n")
            payload = pickle.dumps((_FORMAT, time.time_ns(), self.entries), protocol=pickle.HIGHEST_PROTOCOL)
            _atomic_write(self.path, payload)
            self._prune()
        except OSError:
            return
        self.dirty = False

    def _prune(self) -> None:
        files = sorted(self.folder.glob("results-*.pickle"), key=_mtime, reverse=True)
        for old in files[_KEEP:]:
            with contextlib.suppress(OSError):
                old.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _atomic_write(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
