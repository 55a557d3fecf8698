"""Running a check: discover, read, analyse per file (in parallel), then the project."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from consistency_lint.analysis.engine import FileResult, analyse_file, analyse_project
from consistency_lint.analysis.modules import module_name
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.app.discovery import discover, relative_posix
from consistency_lint.app.packs import load_packs
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.packs import Pack
from consistency_lint.domain.settings import Settings

PARALLEL_THRESHOLD = 48  # below this many files, worker start-up costs more than it saves


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0
    errors: list[str] = field(default_factory=list)
    # The files reported on, as shown to the user (relative to the current directory).
    checked: list[str] = field(default_factory=list)
    # The project root (absolute): SARIF URIs and baseline paths are relative to it.
    root: str = ""


def source_roots(root: Path, settings: Settings) -> tuple[str, ...]:
    """Folders that module names are relative to (longest match wins).

    The `src` setting when given; otherwise `src/` and the project root, unless
    `src/` has an `__init__.py`: then `src` is itself a package (`import src.app`).
    """
    if settings.src:
        return tuple(settings.src)
    src = root / "src"
    return ("src", "") if src.is_dir() and not (src / "__init__.py").is_file() else ("",)


# ----- worker side ---------------------------------------------------------

_WORKER_PACKS: PackIndex | None = None


def _init_worker(packs: tuple[Pack, ...], effect_kinds: tuple[str, ...]) -> None:
    global _WORKER_PACKS
    _WORKER_PACKS = PackIndex(packs, effect_kinds)


def _analyse_job(job: tuple[str, str, str, bool]) -> FileResult | str:
    absolute, rel, module, is_package = job
    assert _WORKER_PACKS is not None
    try:
        source = Path(absolute).read_bytes()
    except OSError as error:
        return f"{rel}: cannot read: {error.strerror or error}"
    return analyse_file(source, rel, module=module, is_package=is_package, packs=_WORKER_PACKS)


# ----- driver --------------------------------------------------------------


def run_check(
    paths: Sequence[Path],
    settings: Settings,
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Lint `paths` within the project at `settings.root`.

    With a configuration file, the whole project is analysed so that helpers in
    other files are resolved, and findings are reported for `paths` only.
    """
    root = Path(settings.root)
    packs = load_packs(settings.packs, root)
    targets = discover(list(paths), root, settings.exclude, settings.respect_gitignore)
    result = RunResult(errors=list(targets.errors))
    context_files = list(targets.files)
    if settings.config_file and settings.config_file != "(defaults)":
        project = discover([root], root, settings.exclude, settings.respect_gitignore)
        known = set(context_files)
        context_files += [f for f in project.files if f not in known]
    roots = source_roots(root, settings)
    job_list = []
    for path in context_files:
        rel = relative_posix(path, root)
        module, is_package = module_name(rel, roots)
        job_list.append((str(path), rel, module, is_package))
    results = _run_jobs(job_list, packs, settings.effect_kinds, jobs, progress)
    file_results = []
    for item in results:
        if isinstance(item, str):
            result.errors.append(item)
        else:
            file_results.append(item)
    report = {relative_posix(p, root) for p in targets.files}
    index = PackIndex(packs, settings.effect_kinds)
    diagnostics = analyse_project(file_results, settings, index, report_paths=report)
    result.diagnostics = [_for_display(d, root) for d in diagnostics]
    result.files_checked = len(targets.files)
    result.checked = [display_path(p) for p in targets.files]
    result.root = str(root.resolve())
    return result


def display_path(path: Path) -> str:
    """How a path is shown: relative to the current directory, with forward slashes."""
    return os.path.relpath(path, Path.cwd()).replace(os.sep, "/") if path.is_absolute() else path.as_posix()


def _run_jobs(
    job_list: list[tuple[str, str, str, bool]],
    packs: tuple[Pack, ...],
    effect_kinds: tuple[str, ...],
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[FileResult | str]:
    workers = jobs or os.cpu_count() or 1
    total = len(job_list)
    out: list[FileResult | str] = []
    if workers <= 1 or total < PARALLEL_THRESHOLD:
        _init_worker(packs, effect_kinds)
        for done, job in enumerate(job_list, start=1):
            out.append(_analyse_job(job))
            if progress:
                progress(done, total)
        return out
    chunk = max(1, min(64, total // (workers * 8)))
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(packs, effect_kinds)
    ) as pool:
        for done, item in enumerate(pool.map(_analyse_job, job_list, chunksize=chunk), start=1):
            out.append(item)
            if progress:
                progress(done, total)
    return out


def _for_display(diagnostic: Diagnostic, root: Path) -> Diagnostic:
    """Paths relative to the current directory, and the flagged source line."""
    absolute = root / diagnostic.path
    shown = os.path.relpath(absolute, Path.cwd()) if absolute.is_absolute() else diagnostic.path
    related = tuple(replace(r, path=os.path.relpath(root / r.path, Path.cwd())) for r in diagnostic.related)
    line = ""
    try:
        with open(absolute, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == diagnostic.line:
                    line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                    break
    except OSError:
        pass
    return replace(diagnostic, path=shown.replace(os.sep, "/"), related=related, source_line=line)
