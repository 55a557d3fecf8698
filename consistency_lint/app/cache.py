"""The result cache: per-file results (summary, per-file findings, suppressions) kept between runs.

Under `<project root>/.consistency-lint-cache/` (with its own `.gitignore`),
two files per configuration (see `ResultCache`): a small index (for each
file path its stat signature, content hash and module, plus the last
project-phase result) and the results, each `FileResult` pickled on its own.
A warm run reads the index and `stat`s every source file; it re-reads (and
hashes) only the files whose signature changed, and reads the results only
when something changed: 5,000 small cache files would cost more to open.

The key covers everything that changes a per-file result: the tool version
and the stat signature of its sources, the settings fingerprint, the text of
every loaded pack and the Python version. A different key is a different
pair of files, so configurations do not evict each other (`_KEEP` kept).

Safety:
- writes go to a temporary file in the same folder, then `os.replace`, so a
  reader never sees a half-written file and concurrent runs end with complete
  files; a result is used only if its recorded content hash matches, so an
  index and a results file from two different runs cannot mix;
- an unreadable or corrupted file is ignored (and replaced at the end of the run);
- a file modified within 2 s of the cache write ("racy" stat, as git calls it)
  is re-hashed instead of trusted by its stat.

The project phase is recomputed from the summaries whenever any file changed.
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
from typing import Any

from consistency_lint import __version__
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.engine.file_phase import FileResult

CACHE_DIR = ".consistency-lint-cache"
_FORMAT = 1
_KEEP = 4  # index files kept per project (one per configuration)
_RACY_NS = 2_000_000_000
_PROTOCOL = pickle.HIGHEST_PROTOCOL


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


class ResultCache:
    """Per-file results for one project and one cache key; load, look up, store, save.

    Two files: a small index (stat signature, content hash and module of every
    file, plus the last project-phase result) read on every run, and the
    results (each `FileResult` pickled on its own, so that unchanged entries are
    copied as bytes, never re-pickled) read only when something changed.
    """

    def __init__(self, root: Path, key: str, folder: Path | None = None) -> None:
        # `folder`: `--cache-dir` / CONSISTENCY_LINT_CACHE_DIR; default `<root>/.consistency-lint-cache`.
        self.folder = folder if folder is not None else root / CACHE_DIR
        self.index_path = self.folder / f"index-{key}.pickle"
        self.results_path = self.folder / f"results-{key}.pickle"
        self.entries: dict[str, Entry] = {}
        self.written_ns = 0
        self.project: tuple[str, list[Diagnostic]] | None = None
        self._blobs: dict[str, tuple[bytes, bytes]] | None = None
        self.dirty = False
        self._blobs_dirty = False
        self._load_index()

    # ----- reading (anything unexpected: start empty, rewrite at the end) -----

    def _load_index(self) -> None:
        data = _read(self.index_path)
        if data is None:
            self.dirty = self.index_path.exists()
            return
        try:
            fmt, written, entries, project = data
            if fmt != _FORMAT or not isinstance(written, int) or not isinstance(entries, dict):
                raise ValueError("unexpected layout")
            self.entries = {rel: Entry(*fields) for rel, fields in entries.items()}
        except Exception:
            self.entries = {}
            self.dirty = True
            return
        self.written_ns = written
        if isinstance(project, tuple) and len(project) == 2 and isinstance(project[1], list):
            self.project = project

    def _load_blobs(self) -> dict[str, tuple[bytes, bytes]]:
        if self._blobs is None:
            data = _read(self.results_path)
            if (
                isinstance(data, tuple)
                and len(data) == 2
                and data[0] == _FORMAT
                and isinstance(data[1], dict)
            ):
                self._blobs = data[1]
            else:
                self._blobs = {}
                self._blobs_dirty = self.results_path.exists()
        return self._blobs

    # ----- per-file entries ---------------------------------------------------

    def unchanged(self, rel: str, module: str, is_package: bool, stat: os.stat_result) -> bytes | None:
        """The content hash recorded for a file whose stat signature is unchanged."""
        entry = self.entries.get(rel)
        if entry is None or entry.module != module or entry.is_package != is_package:
            return None
        if entry.mtime_ns != stat.st_mtime_ns or entry.size != stat.st_size:
            return None
        if stat.st_mtime_ns >= self.written_ns - _RACY_NS:
            return None  # modified around the time the cache was written: verify the content
        return entry.digest

    def known_digest(self, rel: str, module: str, is_package: bool) -> bytes:
        entry = self.entries.get(rel)
        if entry is None or entry.module != module or entry.is_package != is_package:
            return b""
        return entry.digest

    def result(self, rel: str, digest: bytes) -> FileResult | None:
        """The cached result of `rel` with this content, if present and readable."""
        found = self._load_blobs().get(rel)
        if found is None or found[0] != digest:
            return None
        try:
            value = pickle.loads(found[1])
        except Exception:
            return None
        return value if isinstance(value, FileResult) else None

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
        self.entries[rel] = Entry(stat.st_mtime_ns, stat.st_size, digest, module, is_package)
        self._load_blobs()[rel] = (digest, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        self.dirty = self._blobs_dirty = True

    def forget_missing(self, present: set[str]) -> None:
        gone = [rel for rel in self.entries if rel not in present]
        for rel in gone:
            del self.entries[rel]
            if self._blobs is not None:
                self._blobs.pop(rel, None)
        if gone:
            self.dirty = True
            self._blobs_dirty = self._blobs is not None

    # ----- the project phase's last result --------------------------------------

    def project_result(self, key: str) -> list[Diagnostic] | None:
        if self.project is not None and self.project[0] == key:
            return self.project[1]
        return None

    def store_project(self, key: str, diagnostics: list[Diagnostic]) -> None:
        if self.project is None or self.project[0] != key:
            self.project = (key, diagnostics)
            self.dirty = True

    # ----- writing --------------------------------------------------------------

    def save(self) -> None:
        """Write atomically; a failure to write (read-only tree, full disk) is not an error."""
        if not self.dirty and not self._blobs_dirty:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                _atomic_write(ignore, b"# Created by consistency-lint automatically.\n*\n")
            if self._blobs_dirty and self._blobs is not None:
                blobs = {rel: blob for rel, blob in self._blobs.items() if rel in self.entries}
                _atomic_write(self.results_path, pickle.dumps((_FORMAT, blobs), protocol=_PROTOCOL))
            entries = {
                rel: (e.mtime_ns, e.size, e.digest, e.module, e.is_package) for rel, e in self.entries.items()
            }
            index = (_FORMAT, time.time_ns(), entries, self.project)
            _atomic_write(self.index_path, pickle.dumps(index, protocol=_PROTOCOL))
            self._prune()
        except OSError:
            return
        self.dirty = self._blobs_dirty = False

    def _prune(self) -> None:
        for pattern in ("index-*.pickle", "results-*.pickle"):
            files = sorted(self.folder.glob(pattern), key=_mtime, reverse=True)
            for old in files[_KEEP:]:
                with contextlib.suppress(OSError):
                    old.unlink()


def project_key(
    cache: str, settings_repr: str, report: list[str], files: list[tuple[str, str, bool, bytes]]
) -> str:
    """Identifies the project phase's input: every file's content, the settings, what is reported."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{cache}\0{settings_repr}\0".encode())
    for rel in report:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(b"\1")
    for rel, module, is_package, file_digest in files:
        digest.update(f"{rel}\0{module}\0{is_package}\0".encode("utf-8", "surrogateescape"))
        digest.update(file_digest)
    return digest.hexdigest()


def _read(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # corrupted, truncated, from an incompatible version: rebuild
        return None


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
