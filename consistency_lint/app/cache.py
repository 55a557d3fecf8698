"""The result cache: per-file results and the project phase's results, kept between runs.

Under `<project root>/.consistency-lint-cache/` (with its own `.gitignore`),
two files per configuration (see `ResultCache`): a small index (for each
file path its stat signature, content digest, module and the digest of its
file-phase result, plus the last project-phase results keyed by the digest of
their input) and the results, each `FileResult` encoded on its own
(`codec`: dataclasses as flat tuples, interned strings, read with `marshal`).
A warm run reads the index and `stat`s every source file; it re-reads (and
hashes) only the files whose signature changed, and reads the results only
when the project phase must run: 5,000 small cache files would cost more to open.

The project phase is incremental at the level of its input: its result is
kept under a digest of every file's *result* (summary, suppressions, why it
is unreadable), the settings and the files reported. An edit that does not
change what the file phase extracts (a comment at the end, a blank line after
the last statement) is re-analysed alone and the stored result reused; any
change to any result runs the project phase again over every result (the
analyses are whole-project fixpoints: reusing parts of them would need to know
what each one read, and they change often).

The key covers everything that changes a per-file result: the tool version
and the stat signature of its sources, the settings fingerprint, the text of
every loaded pack and the Python version. A different key is a different
pair of files, so configurations do not evict each other (`_KEEP` kept).

Security (SPEC section 8: loading the cache can never execute anything):
- every file starts with a magic string and an HMAC-SHA256 of its content
  under a per-user secret kept outside the project (`secret_path`, in the
  user's cache folder, created with mode 0600); a file whose signature does
  not verify is never decoded, so a file planted in the project (or one
  written by another user or machine) is ignored and rebuilt;
- the format is data only (`marshal` of plain values; `codec` builds only
  this package's dataclasses and enums, and only with the fields they have):
  even a signed file cannot name a callable or hold code that runs;
- what is loaded is validated (shapes and types), and anything unexpected
  is dropped and rebuilt, never trusted;
- a cache folder that is a symbolic link (or not a folder) is not used at
  all, so a run never writes or prunes files elsewhere (`problem` says why).

Safety:
- writes go to a temporary file in the same folder, then `os.replace`, so a
  reader never sees a half-written file and concurrent runs end with complete
  files; a result is used only if its recorded content digest matches, so an
  index and a results file from two different runs cannot mix;
- an unreadable or corrupted file is ignored (and replaced at the end of the run);
- a file modified within 2 s of the cache write ("racy" stat, as git calls it)
  is re-hashed instead of trusted by its stat.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import marshal
import os
import secrets
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consistency_lint import __version__
from consistency_lint.app import codec
from consistency_lint.app.atomic import write_bytes_atomic
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.engine.result import FileResult

CACHE_DIR = ".consistency-lint-cache"
_FORMAT = 4
_MAGIC = b"CLCACHE3"
_SUFFIX = ".data"
_MAC_SIZE = 32
SECRET_ENV = "CONSISTENCY_LINT_SECRET_DIR"  # where the per-user secret lives (tests, unusual homes)
_KEEP = 4  # index files kept per project (one per configuration)
_KEEP_PROJECTS = 3  # project-phase results kept per configuration (the tree, editors' buffers)
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
    digest: bytes  # of the file's bytes
    module: str
    is_package: bool
    summary: bytes  # digest of the file phase's result (`codec.digest`): what the project phase reads


# (content digest, summary digest, encoded FileResult) of one file in the results file.
Blob = tuple[bytes, bytes, bytes]
Memo = dict[str, tuple[bytes, FileResult]]


class ResultCache:
    """Per-file results for one project and one cache key; load, look up, store, save.

    Two files: a small index (stat signature, content digest, module and result
    digest of every file, plus the last project-phase results by the digest of
    their input) read on every run, and the results (each `FileResult` encoded
    on its own, so that unchanged entries are copied as bytes, never encoded
    again) read only when the project phase must run, and then decoded file by
    file. `memo` (rel -> (result digest, result)) keeps decoded results between
    runs of one process (the language server, the flake8 plugin).
    """

    def __init__(self, root: Path, key: str, folder: Path | None = None, memo: Memo | None = None) -> None:
        # `folder`: `--cache-dir` / CONSISTENCY_LINT_CACHE_DIR; default `<root>/.consistency-lint-cache`.
        self.folder = folder if folder is not None else root / CACHE_DIR
        self.index_path = self.folder / f"index-{key}{_SUFFIX}"
        self.results_path = self.folder / f"results-{key}{_SUFFIX}"
        self.entries: dict[str, Entry] = {}
        self.written_ns = 0
        # The last project-phase results, most recent last: (input digest, findings).
        # (input key, findings, run warnings such as unresolved imports) of the project phase.
        self.projects: list[tuple[str, list[Diagnostic], tuple[str, ...]]] = []
        self.memo: Memo = memo if memo is not None else {}
        self._blobs: dict[str, Blob] | None = None
        self.dirty = False
        self._blobs_dirty = False
        # Why the cache is not used at all (a linked folder, no secret); "" when it is.
        # The folder inside the project may come with the repository: a link there is
        # refused. A folder the user named (option, environment) is taken as given.
        self._in_project = folder is None
        self.problem = _folder_problem(self.folder) if self._in_project else ""
        self._secret = b""
        if not self.problem:
            self._secret, self.problem = _load_secret()
        if not self.problem:
            self._load_index()

    # ----- reading (anything unexpected: start empty, rewrite at the end) -----

    def _load_index(self) -> None:
        body = _read(self.index_path, self._secret)
        if body is None:
            self.dirty = self.index_path.exists()
            return
        try:
            fmt, written, entries, projects = codec.decode(body)
            if fmt != _FORMAT or not isinstance(written, int) or not isinstance(entries, dict):
                raise ValueError("unexpected layout")
            self.entries = {rel: _entry(rel, fields) for rel, fields in entries.items()}
        except Exception:
            self.entries = {}
            self.dirty = True
            return
        self.written_ns = written
        if isinstance(projects, tuple) and all(_valid_project(p) for p in projects):
            self.projects = [(key, list(found), warnings) for key, found, warnings in projects]

    def _load_blobs(self) -> dict[str, Blob]:
        if self._blobs is None:
            body = _read(self.results_path, self._secret) if not self.problem else None
            data: Any = None
            if body is not None:
                try:
                    data = marshal.loads(body)
                except (EOFError, ValueError, TypeError):
                    data = None
            if (
                isinstance(data, tuple)
                and len(data) == 2
                and data[0] == _FORMAT
                and isinstance(data[1], dict)
                and all(_valid_blob(rel, blob) for rel, blob in data[1].items())
            ):
                self._blobs = data[1]
            else:
                self._blobs = {}
                self._blobs_dirty = self.results_path.exists()
        return self._blobs

    # ----- per-file entries ---------------------------------------------------

    def unchanged(self, rel: str, module: str, is_package: bool, stat: os.stat_result) -> Entry | None:
        """The entry of a file whose stat signature is unchanged."""
        entry = self.entries.get(rel)
        if entry is None or entry.module != module or entry.is_package != is_package:
            return None
        if entry.mtime_ns != stat.st_mtime_ns or entry.size != stat.st_size:
            return None
        if stat.st_mtime_ns >= self.written_ns - _RACY_NS:
            return None  # modified around the time the cache was written: verify the content
        return entry

    def known_digest(self, rel: str, module: str, is_package: bool) -> bytes:
        entry = self.entries.get(rel)
        if entry is None or entry.module != module or entry.is_package != is_package:
            return b""
        return entry.digest

    def summary_digest(self, rel: str) -> bytes:
        entry = self.entries.get(rel)
        return entry.summary if entry is not None else b""

    def result(self, rel: str, digest: bytes) -> FileResult | None:
        """The cached result of `rel` with this content, if present and readable."""
        entry = self.entries.get(rel)
        remembered = self.memo.get(rel)
        known = entry is not None and entry.digest == digest
        if known and remembered is not None and entry is not None and remembered[0] == entry.summary:
            return remembered[1]
        found = self._load_blobs().get(rel)
        if found is None or found[0] != digest:
            return None
        try:
            value = codec.decode(found[2])
        except codec.DecodeError:
            return None
        if not (isinstance(value, FileResult) and value.path == rel):
            return None
        self.memo[rel] = (found[1], value)
        return value

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
        data: bytes = b"",
    ) -> bytes:
        """Keep a file's result (`data`: its encoding, when known); returns the digest of the result."""
        data = data or codec.encode(result)
        summary = codec.digest(data)
        self.entries[rel] = Entry(stat.st_mtime_ns, stat.st_size, digest, module, is_package, summary)
        self._load_blobs()[rel] = (digest, summary, data)
        self.memo[rel] = (summary, result)
        self.dirty = self._blobs_dirty = True
        return summary

    def forget_missing(self, present: set[str]) -> None:
        gone = [rel for rel in self.entries if rel not in present]
        for rel in gone:
            del self.entries[rel]
            self.memo.pop(rel, None)
            if self._blobs is not None:
                self._blobs.pop(rel, None)
        if gone:
            self.dirty = True
            self._blobs_dirty = self._blobs is not None

    # ----- the project phase's last results ---------------------------------------

    def project_result(self, key: str) -> tuple[list[Diagnostic], tuple[str, ...]] | None:
        """The findings and run warnings stored for a project input key (None: not stored)."""
        for known, found, warnings in self.projects:
            if known == key:
                return found, warnings
        return None

    def store_project(self, key: str, diagnostics: list[Diagnostic], warnings: tuple[str, ...] = ()) -> None:
        """Keep a project result (the last `_KEEP_PROJECTS`: an editor's buffer does not
        evict the whole tree's)."""
        if self.projects and self.projects[-1][0] == key:
            return
        kept = [entry for entry in self.projects if entry[0] != key]
        self.projects = [*kept, (key, diagnostics, warnings)][-_KEEP_PROJECTS:]
        self.dirty = True

    # ----- writing --------------------------------------------------------------

    def save(self) -> None:
        """Write atomically; a failure to write (read-only tree, full disk) is not an error."""
        if self.problem or (not self.dirty and not self._blobs_dirty):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._in_project and _folder_problem(self.folder):  # became a link during the run
                return
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                _atomic_write(ignore, b"# Created by consistency-lint automatically.\n*\n")
            if self._blobs_dirty and self._blobs is not None:
                blobs = {rel: blob for rel, blob in self._blobs.items() if rel in self.entries}
                body = marshal.dumps((_FORMAT, blobs))
                _atomic_write(self.results_path, _sign(self._secret, self.results_path.name, body))
            entries = {
                rel: (e.mtime_ns, e.size, e.digest, e.module, e.is_package, e.summary)
                for rel, e in self.entries.items()
            }
            projects = tuple((key, tuple(found), warnings) for key, found, warnings in self.projects)
            body = codec.encode((_FORMAT, time.time_ns(), entries, projects))
            _atomic_write(self.index_path, _sign(self._secret, self.index_path.name, body))
            self._prune()
        except OSError:
            return
        self.dirty = self._blobs_dirty = False

    def _prune(self) -> None:
        for pattern, keep in (
            (f"index-*{_SUFFIX}", _KEEP),
            (f"results-*{_SUFFIX}", _KEEP),
            ("index-*.pickle", 0),  # the format before this one
            ("results-*.pickle", 0),
        ):
            files = sorted(self.folder.glob(pattern), key=_mtime, reverse=True)
            for old in files[keep:]:
                with contextlib.suppress(OSError):
                    old.unlink()


def project_key(
    cache: str, settings_repr: str, report: list[str], files: list[tuple[str, str, bool, bytes]]
) -> str:
    """Identifies the project phase's input: every file's result digest, the settings, what is reported."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{cache}\0{settings_repr}\0".encode())
    for rel in report:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(b"\1")
    for rel, module, is_package, file_digest in files:
        digest.update(f"{rel}\0{module}\0{is_package}\0".encode("utf-8", "surrogateescape"))
        digest.update(file_digest)
    return digest.hexdigest()


def _read(path: Path, secret: bytes) -> bytes | None:
    """The body of the signed file at `path`, or None when missing, unsigned or forged."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return _verified(secret, path.name, data)  # planted, another user's or damaged: None


def _sign(secret: bytes, name: str, body: bytes) -> bytes:
    return _MAGIC + _mac(secret, name, body) + body


def _mac(secret: bytes, name: str, body: bytes) -> bytes:
    # The file name is signed too: an index cannot be passed off as results, nor
    # one configuration's file as another's.
    return hmac.new(secret, name.encode("utf-8") + b"\0" + body, hashlib.sha256).digest()


def _verified(secret: bytes, name: str, data: bytes) -> bytes | None:
    """The body of a signed file if its signature is right, else None."""
    if not secret or not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + _MAC_SIZE:
        return None
    mac = data[len(_MAGIC) : len(_MAGIC) + _MAC_SIZE]
    body = data[len(_MAGIC) + _MAC_SIZE :]
    return body if hmac.compare_digest(mac, _mac(secret, name, body)) else None


def _entry(rel: Any, fields: Any) -> Entry:
    if not isinstance(rel, str) or not isinstance(fields, tuple) or len(fields) != 6:
        raise ValueError("unexpected entry")
    mtime_ns, size, digest, module, is_package, summary = fields
    if not (
        isinstance(mtime_ns, int)
        and isinstance(size, int)
        and isinstance(digest, bytes)
        and isinstance(module, str)
        and isinstance(is_package, bool)
        and isinstance(summary, bytes)
    ):
        raise ValueError("unexpected entry")
    return Entry(mtime_ns, size, digest, module, is_package, summary)


def _valid_project(project: Any) -> bool:
    return (
        isinstance(project, tuple)
        and len(project) == 3
        and isinstance(project[0], str)
        and isinstance(project[1], tuple)
        and all(isinstance(d, Diagnostic) for d in project[1])
        and isinstance(project[2], tuple)
        and all(isinstance(w, str) for w in project[2])
    )


def _valid_blob(rel: Any, blob: Any) -> bool:
    return (
        isinstance(rel, str)
        and isinstance(blob, tuple)
        and len(blob) == 3
        and all(isinstance(part, bytes) for part in blob)
    )


def _folder_problem(folder: Path) -> str:
    """Why the cache folder must not be used ("" when it may): a link could point anywhere."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return ""
    except OSError as error:
        return f"cache folder {folder} cannot be used: {error.strerror or error}; running without a cache"
    if stat.S_ISLNK(info.st_mode):
        return f"cache folder {folder} is a symbolic link; running without a cache"
    if not stat.S_ISDIR(info.st_mode):
        return f"cache folder {folder} is not a folder; running without a cache"
    return ""


def user_cache_dir() -> Path:
    """The user's cache folder (outside every project), as each platform names it."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "consistency-lint"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "consistency-lint"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "consistency-lint"


def secret_path() -> Path:
    folder = os.environ.get(SECRET_ENV)
    return (Path(folder) if folder else user_cache_dir()) / "cache-secret"


def _load_secret() -> tuple[bytes, str]:
    """The per-user signing key, created on first use; (b"", reason) when there is none."""
    path = secret_path()
    try:
        return _read_secret(path), ""
    except FileNotFoundError:
        pass
    except OSError as error:
        return b"", f"cache secret {path} cannot be read ({error.strerror or error}); running without a cache"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    except FileExistsError:
        pass  # another run created it first
    except OSError as error:
        return (
            b"",
            f"cache secret {path} cannot be created ({error.strerror or error}); running without a cache",
        )
    try:
        return _read_secret(path), ""
    except OSError as error:
        return b"", f"cache secret {path} cannot be read ({error.strerror or error}); running without a cache"


def _read_secret(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        secret = handle.read(64)
    if len(secret) < 16:
        raise OSError(0, "too short")
    return secret


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _atomic_write(path: Path, data: bytes) -> None:
    write_bytes_atomic(path, data, durable=False)
