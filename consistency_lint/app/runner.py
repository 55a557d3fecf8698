"""Running a check: discover, read, analyse per file (in parallel), then the project."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from consistency_lint.analysis.layers import unmatched_patterns
from consistency_lint.analysis.summary import Suppressions
from consistency_lint.analysis.unreadable import Unreadable
from consistency_lint.app import codec
from consistency_lint.app.cache import Memo, ResultCache, cache_key, content_hash, project_key
from consistency_lint.app.cpus import available_cpus
from consistency_lint.app.discovery import DEFAULT_EXCLUDE, discover, display, relative_found, relative_posix
from consistency_lint.app.import_check import unresolved_imports_warning
from consistency_lint.app.isolation import Failure, IsolatedPool, deep_recursion
from consistency_lint.app.session import open_session
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.globs import any_match
from consistency_lint.domain.packs import Pack
from consistency_lint.domain.settings import Settings
from consistency_lint.engine import FileResult, Session

PARALLEL_THRESHOLD = 48  # below this many files, worker start-up costs more than it saves
# Summaries are acyclic (frozen dataclasses of tuples): the cyclic garbage collector
# only re-traverses them, over and over, as they accumulate; loading 5,000 cached
# summaries took 4x longer with it on. It is paused for the run (see `_paused_gc`).
PAUSE_GC = True


@contextmanager
def _paused_gc() -> Iterator[None]:
    if not PAUSE_GC or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0
    errors: list[str] = field(default_factory=list)
    # The files reported on, as shown to the user (relative to the current directory).
    checked: list[str] = field(default_factory=list)
    # The project root (absolute): SARIF URIs and baseline paths are relative to it.
    root: str = ""
    # Things the user should know that are not errors (files outside the root, dead layer
    # patterns, a skipped .gitignore line, a cache folder not used).
    warnings: list[str] = field(default_factory=list)


# ----- worker side ---------------------------------------------------------

_WORKER_SESSION: Session | None = None


def _init_worker(settings: Settings, packs: tuple[Pack, ...], roots: tuple[str, ...]) -> None:
    # A forked worker inherits the paused collector: libcst trees and summaries are
    # acyclic; the few cycles the analysis leaves are collected after each file
    # (see `_analyse_job`).
    global _WORKER_SESSION
    _WORKER_SESSION = Session(settings, packs, roots)


# (absolute path, relative path, module, is_package, cached content hash or None when not caching)
Job = tuple[str, str, str, bool, "bytes | None"]
# What a worker answers: (content hash or b"", the result encoded by `codec`, or why the
# file cannot be read, or None when the content matches the cached hash).
Outcome = tuple[bytes, "bytes | FileResult | str | None"]
# The same in the driver: (content hash, result or error or None, the result's encoding or b"").
Analysed = tuple[bytes, "FileResult | str | None", bytes]


def _analyse_job(job: Job) -> Outcome:
    """One file in a worker; the result goes back encoded (see `_decoded`).

    The worker's collector is paused (inherited from the driver, see
    `PAUSE_GC`), but some of what the analysis runs leaves reference cycles
    (`ast.literal_eval`, which libcst's `evaluated_value` calls, makes four
    closures that refer to one another on every call): the young generation is
    collected after each file, which frees them for the cost of looking at
    what this one file left alive. Without it a one-process worker grew to
    over 600 MB on the benchmark corpus.
    """
    assert _WORKER_SESSION is not None
    digest, item = _analyse_with(_WORKER_SESSION, job)
    answer: bytes | FileResult | str | None = item
    if isinstance(item, FileResult):
        with contextlib.suppress(ValueError):  # nested deeper than `marshal` goes: sent pickled
            answer = codec.encode(item)
    del item
    gc.collect(0)
    return digest, answer


def _analyse_with(session: Session, job: Job) -> tuple[bytes, FileResult | str | None]:
    absolute, rel, module, is_package, cached = job
    try:
        source = Path(absolute).read_bytes()
    except OSError as error:
        return b"", f"{rel}: cannot read: {error.strerror or error}"
    digest = b""
    if cached is not None:
        digest = content_hash(source)
        if digest == cached:
            return digest, None
    return digest, session.analyse(source, rel, module=module, is_package=is_package)


# ----- driver --------------------------------------------------------------


def run_check(
    paths: Sequence[Path],
    settings: Settings,
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache: bool = True,
    cache_dir: Path | None = None,
    buffers: Mapping[Path, bytes] | None = None,
    buffer_noqa: bool = True,
    session: Session | None = None,
    force_exclude: bool = False,
    memo: Memo | None = None,
    pool: IsolatedPool[Job, Outcome] | None = None,
) -> RunResult:
    """Lint `paths` within the project at `settings.root`.

    With a configuration file, the whole project is analysed so that helpers in
    other files are resolved, and findings are reported for `paths` only.
    With `cache`, per-file results are kept in `.consistency-lint-cache/` under
    the project root (only when there is a configuration file, i.e. a project),
    or in `cache_dir`.

    `buffers` maps absolute resolved paths to the text to lint in place of the
    file on disk (stdin, an editor's or flake8's buffer; the file need not
    exist). Each buffer is analysed fresh, the rest of the project comes from
    the cache. `buffer_noqa=False` ignores the buffers' suppression comments
    (flake8's `--disable-noqa`). `session`: the project's open session, when
    the caller keeps one (the flake8 plugin); by default one is opened.
    `memo`: decoded cache results kept by a long-lived caller between runs
    (the language server, the flake8 plugin), so that a second run reads
    only what changed. `pool`: the isolated workers that analyse files from
    disk, when the caller keeps some between runs (`lasting_pool`: the
    language server, which must not fork its threads); by default the run
    starts its own.
    """
    with _paused_gc(), deep_recursion():
        return _run_check(
            paths,
            settings,
            jobs,
            progress,
            cache,
            cache_dir,
            buffers or {},
            buffer_noqa,
            session or open_session(settings),
            force_exclude,
            memo,
            pool,
        )


def _run_check(
    paths: Sequence[Path],
    settings: Settings,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
    cache: bool,
    cache_dir: Path | None,
    buffers: Mapping[Path, bytes],
    buffer_noqa: bool,
    session: Session,
    force_exclude: bool = False,
    memo: Memo | None = None,
    pool: IsolatedPool[Job, Outcome] | None = None,
) -> RunResult:
    root = Path(settings.root)
    is_project = bool(settings.config_file and settings.config_file != "(defaults)")
    targets = discover(
        [p for p in paths if p not in buffers],
        root,
        settings.exclude,
        settings.respect_gitignore,
        force_exclude=force_exclude,
    )
    # A buffer is linted as a file named on the command line (that file may not exist).
    targets.files = sorted(
        set(targets.files)
        | {p for p in buffers if not any_match(relative_posix(p, root), DEFAULT_EXCLUDE + settings.exclude)}
    )
    result = RunResult(errors=list(targets.errors), warnings=list(targets.warnings))
    context_files = list(targets.files)
    if is_project and [Path(os.path.realpath(p)) for p in paths] != [root.resolve()]:
        project = discover([root], root, settings.exclude, settings.respect_gitignore)
        known = set(context_files)
        context_files += [f for f in project.files if f not in known]
        result.warnings = list(dict.fromkeys(result.warnings + project.warnings))
    relative = {path: relative_found(path, root) for path in context_files}
    report = sorted({relative[p] for p in targets.files})
    store: ResultCache | None = None
    key = ""
    if cache and is_project:
        # A cache folder named by the user may be shared by projects: the root is part of the key.
        parts = [session.pack_key.encode("utf-8")] + ([str(root.resolve()).encode()] if cache_dir else [])
        key = cache_key(settings.fingerprint(), parts)
        store = ResultCache(root, key, cache_dir, memo)
        if store.problem:
            result.warnings.append(store.problem)

    # Which files must be analysed: all without a cache; with one, those whose stat changed.
    job_list: list[Job] = []
    stats: dict[str, os.stat_result] = {}
    unchanged: dict[str, bytes] = {}  # rel -> content digest, results not loaded yet
    described: list[tuple[str, str, bool]] = []
    fresh: list[FileResult] = []
    for path in context_files:
        rel = relative[path]
        module, is_package = session.module_of(rel)
        described.append((rel, module, is_package))
        if path in buffers:
            fresh.append(_analyse_buffer(session, buffers[path], rel, module, is_package, buffer_noqa))
            continue
        if store is None:
            job_list.append((str(path), rel, module, is_package, None))
            continue
        try:
            stat = os.stat(path)
        except OSError:
            job_list.append((str(path), rel, module, is_package, None))  # the worker reports it
            continue
        stats[rel] = stat
        entry = store.unchanged(rel, module, is_package, stat)
        if entry is not None:
            unchanged[rel] = entry.digest
        else:
            job_list.append((str(path), rel, module, is_package, store.known_digest(rel, module, is_package)))
    result.warnings += _warnings(settings, root, report, described, is_project)

    # The file phase for the changed files only; the others' results stay on disk for now.
    analysed: dict[str, FileResult] = {r.path: r for r in fresh}
    summaries: dict[str, bytes] = {r.path: codec.digest(codec.encode(r)) for r in fresh} if store else {}
    outcomes = _run_jobs(job_list, session, jobs, progress, pool)
    for job, (digest, item, data) in zip(job_list, outcomes):
        _, rel, module, is_package, _ = job
        if item is None and store is not None:  # same content as cached: only the stat changed
            store.refresh_stat(rel, stats[rel])
            unchanged[rel] = digest
            continue
        if isinstance(item, str):
            result.errors.append(item)
            continue
        assert item is not None
        analysed[rel] = item
        if store is None:
            continue
        data = data or _encoded(item)
        if digest and data and rel in stats:
            summaries[rel] = store.store(rel, module, is_package, stats[rel], digest, item, data)
        elif data:  # not cached (the worker failed): still part of the project phase's input
            summaries[rel] = codec.digest(data)
    for rel in unchanged:
        if store is not None:
            summaries[rel] = store.summary_digest(rel)

    # The project phase's input is unchanged (every file's result digest): its stored result stands.
    input_key = ""
    if store is not None:
        store.forget_missing(set(stats) | {r.path for r in fresh})
        if not result.errors and all(summaries.get(rel) for rel, _, _ in described):
            files = sorted((rel, module, pkg, summaries[rel]) for rel, module, pkg in described)
            input_key = project_key(key, _stable_repr(settings), report, files)
            cached = store.project_result(input_key)
            if cached is not None:
                found, warnings = cached
                result.warnings.extend(warnings)
                store.save()
                return _finish(result, found, root, targets.files, buffers)

    file_results = list(analysed.values())
    if store is not None:
        paths_by_rel = {relative[p]: p for p in context_files}
        late: list[Job] = []
        for rel, digest in unchanged.items():
            hit = store.result(rel, digest)
            if hit is not None:
                file_results.append(hit)
            else:  # missing or unreadable entry: analyse again
                module, is_package = session.module_of(rel)
                late.append((str(paths_by_rel[rel]), rel, module, is_package, b""))
        for job, (digest, item, data) in zip(late, _run_jobs(late, session, jobs, progress, pool)):
            _, rel, module, is_package, _ = job
            if isinstance(item, str):
                result.errors.append(item)
                continue
            assert item is not None
            file_results.append(item)
            if digest and data and rel in stats:
                store.store(rel, module, is_package, stats[rel], digest, item, data)
    file_results.sort(key=lambda r: r.path)
    imports = (i.module for r in file_results if r.summary is not None for i in r.summary.imports)
    unresolved = unresolved_imports_warning(described, imports)
    run_warnings = (unresolved,) if unresolved else ()
    result.warnings.extend(run_warnings)
    diagnostics = session.check(file_results, report_paths=report)
    if store is not None:
        if input_key and not result.errors:
            store.store_project(input_key, diagnostics, run_warnings)
        store.save()
    return _finish(result, diagnostics, root, targets.files, buffers)


def _analyse_buffer(
    session: Session, data: bytes, rel: str, module: str, is_package: bool, noqa: bool
) -> FileResult:
    result = session.analyse(data, rel, module=module, is_package=is_package)
    return result if noqa else without_suppressions(result)


def without_suppressions(result: FileResult) -> FileResult:
    """A file's result with its `# noqa` comments ignored (flake8's `--disable-noqa`)."""
    summary = result.summary and replace(result.summary, suppressions=Suppressions())
    return replace(result, summary=summary, suppressions=Suppressions())


def _warnings(
    settings: Settings,
    root: Path,
    report: list[str],
    described: list[tuple[str, str, bool]],
    is_project: bool,
) -> list[str]:
    """Why a run may check less than the user thinks: it never does so silently."""
    out = []
    outside = [rel for rel in report if Path(rel).is_absolute()]
    if outside:
        count, config = len(outside), settings.config_file or "(defaults)"
        out.append(
            f"{count} file{'s lie' if count != 1 else ' lies'} outside the project root {root} "
            f"(configuration: {config}), e.g. {display(Path(outside[0]))}: "
            "path patterns, module names and the project context do not apply to "
            f"{'them' if count != 1 else 'it'}"
        )
    if is_project:  # the whole project was discovered: a pattern matching nothing is dead
        files = [(rel, module) for rel, module, _ in described]
        for layer, pattern in unmatched_patterns(settings.layers, files):
            out.append(
                f"{settings.config_file}: layers.{layer}: pattern '{pattern}' matches no file "
                f"under the project root {root}"
            )
    return out


def _stable_repr(settings: Settings) -> str:
    """Every setting, in a text that does not depend on hash randomisation (no set order)."""
    return repr((replace(settings, enabled=frozenset()), sorted(settings.enabled)))


def _finish(
    result: RunResult,
    diagnostics: list[Diagnostic],
    root: Path,
    files: list[Path],
    buffers: Mapping[Path, bytes],
) -> RunResult:
    # The flagged source lines of a buffer come from the buffer, not from the disk.
    lines = {
        relative_posix(path, root): [
            line.rstrip("\r\n") for line in data.decode("utf-8", "replace").splitlines()
        ]
        for path, data in buffers.items()
    }
    result.diagnostics = [_for_display(d, root, lines) for d in diagnostics]
    result.files_checked = len(files)
    result.checked = [display(p) for p in files]
    result.root = str(root.resolve())
    return result


def _run_jobs(
    job_list: list[Job],
    session: Session,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
    lasting: IsolatedPool[Job, Outcome] | None = None,
) -> list[Analysed]:
    """Analyse every job in worker processes (one below `PARALLEL_THRESHOLD` files).

    Even one file is parsed in a worker: the native parser can kill its process
    (SIGSEGV on deep input) or stall, and the run must go on. A job that fails
    so is a CL001 finding with the reason, not cached (digest b"").
    """
    if not job_list:
        return []
    workers = jobs or available_cpus()
    if len(job_list) < PARALLEL_THRESHOLD:
        workers = 1
    pool = lasting or _pool(session, workers)
    out: list[Analysed] = []
    for job, item in zip(job_list, pool.run(job_list, progress)):
        if isinstance(item, Failure):  # the worker died or overran: CL001 with the reason
            out.append((b"", FileResult(job[1], None, Unreadable(item.reason)), b""))
        else:
            out.append(_decoded(job, item))
    return out


def _encoded(result: FileResult) -> bytes:
    """The codec's bytes of a result; b"" for one nested deeper than `marshal` writes (such a
    result is analysed again by the next run instead of cached)."""
    try:
        return codec.encode(result)
    except ValueError:
        return b""


def _decoded(job: Job, outcome: Outcome) -> Analysed:
    """A worker's answer in the driver: the result decoded, and its encoding kept for the cache.

    Results travel encoded by `codec` rather than pickled: the bytes are what
    the cache stores (the driver does not encode them again), and the objects
    the codec builds are about half the size of unpickled ones (see `codec`).
    """
    digest, answer = outcome
    if not isinstance(answer, bytes):
        return digest, answer, _encoded(answer) if isinstance(answer, FileResult) else b""
    try:
        result = codec.decode(answer)
    except codec.DecodeError as error:  # cannot happen between two processes of one version
        return b"", FileResult(job[1], None, Unreadable(f"file skipped: {error}")), b""
    return digest, result, answer


def _pool(
    session: Session, workers: int, start_method: str | None = None, lasting: bool = False
) -> IsolatedPool[Job, Outcome]:
    settings = session.settings
    return IsolatedPool(
        _analyse_job,
        workers=workers,
        initializer=_init_worker,
        initargs=(settings, session.pack_list, session.roots),
        time_budget=settings.file_timeout,
        memory_limit=settings.file_memory_mb * 2**20,
        start_method=start_method,
        lasting=lasting,
    )


def lasting_pool(session: Session, workers: int = 1) -> IsolatedPool[Job, Outcome]:
    """Isolated workers for a long-lived, threaded process (the language server), kept between runs.

    Started without `fork` (a forked copy of a threaded process can hang on a
    lock another thread held): from a fork server where there is one (workers
    then start in milliseconds, and a worker killed by a file is replaced as
    fast), otherwise spawned. `close()` it when done.
    """
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        # What the fork server imports once, so that each worker forked from it starts warm.
        multiprocessing.get_context("forkserver").set_forkserver_preload([__name__, "libcst"])
        return _pool(session, workers, "forkserver", lasting=True)
    return _pool(session, workers, "spawn", lasting=True)


def _source_lines(path: Path, root: Path) -> list[str]:
    """The lines of a file inside the project; none for a link to a file elsewhere or a special file."""
    try:
        real = path.resolve()
        real.relative_to(root.resolve())
        if not real.is_file():
            return []
        with open(real, "rb") as handle:
            return [raw.decode("utf-8", errors="replace").rstrip("\r\n") for raw in handle]
    except (OSError, RuntimeError, ValueError):
        return []


def _for_display(diagnostic: Diagnostic, root: Path, lines: dict[str, list[str]]) -> Diagnostic:
    """Paths relative to the current directory, and the flagged source line."""
    absolute = root / diagnostic.path
    shown = os.path.relpath(absolute, Path.cwd()) if absolute.is_absolute() else diagnostic.path
    related = tuple(replace(r, path=os.path.relpath(root / r.path, Path.cwd())) for r in diagnostic.related)
    text = lines.get(diagnostic.path)
    if text is None:  # each file read once, however many findings it has
        text = _source_lines(absolute, root)
        lines[diagnostic.path] = text
    line = text[diagnostic.line - 1] if 0 < diagnostic.line <= len(text) else ""
    return replace(diagnostic, path=shown.replace(os.sep, "/"), related=related, source_line=line)
