"""Running per-file work in worker processes that may die or stall without taking the run down.

libcst's native parser can overflow its stack (the process is killed by a
signal, nothing to catch) or take minutes on a pathological file. Each job
therefore runs in a worker process; the parent knows which job every worker
is on, so when a worker dies, or overruns the per-file time budget and is
killed, that job alone becomes a `Failure` with the reason, a fresh worker
takes its place, and the run goes on. `concurrent.futures` cannot do this: a
dead worker breaks the whole pool (`BrokenProcessPool`) without saying which
job killed it, and a stalled task cannot be stopped.

Workers take jobs one or two at a time (`_PREFETCH`) and answer in order, so
the job a worker was on when it died is the oldest one it has not answered.

A pool made with `lasting=True` keeps its workers between runs (a long-lived
process: the language server) until `close`; its start method must then not be
`fork` when the process has threads (`start_method`: forking a threaded
process can copy a lock some other thread holds, and the child hangs).
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import multiprocessing.connection

J = TypeVar("J")
R = TypeVar("R")

RECURSION_LIMIT = 20_000


def recursion_limit() -> int:
    """The recursion limit for analysing: deep enough for what CPython compiles, where safe.

    The extractor and the project phase recurse once per nesting level (an
    `elif` chain is nested `else` blocks; CPython compiles 2,000 of them).
    From Python 3.11 on, Python-to-Python calls do not use the C stack, so a
    high limit is safe; before, the default stays (deeper files are CL001).
    Workers and the parent use the same limit, so that a summary a worker
    could build is one the project phase can walk.
    """
    current = sys.getrecursionlimit()
    return max(current, RECURSION_LIMIT) if sys.version_info >= (3, 11) else current


@contextlib.contextmanager
def deep_recursion() -> Iterator[None]:
    """`recursion_limit()` for the duration (the parent's project phase)."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(recursion_limit())
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


_PREFETCH = 2  # jobs queued per worker: keeps it busy while the parent reads a result


@dataclass(frozen=True)
class Failure:
    """A job that did not complete: its worker died, ran out of memory or time."""

    reason: str


@dataclass(frozen=True)
class _Raised:
    """An exception raised by the work itself (a bug of ours): re-raised in the parent."""

    kind: str
    message: str


class WorkerError(RuntimeError):
    pass


def _worker_main(
    conn: multiprocessing.connection.Connection,
    work: Callable[[Any], Any],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
    memory_limit: int,
) -> None:
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    faulthandler.disable()  # a crash is reported by the parent, in one line
    _limit_memory(memory_limit)
    sys.setrecursionlimit(recursion_limit())
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        index, job = item
        try:
            result: Any = work(job)
        except MemoryError:
            result = Failure(_memory_reason(memory_limit))
        except Exception as error:
            result = _Raised(type(error).__name__, str(error))
        try:
            conn.send((index, result))
        except MemoryError:
            conn.send((index, Failure(_memory_reason(memory_limit))))


def _limit_memory(limit: int) -> None:
    """Let the worker grow by `limit` bytes at most (Linux); an allocation above fails instead of swapping.

    The cap is on the address space, counted from what the worker already
    maps when it starts (a forked worker shares its parent's pages).
    """
    if limit <= 0 or not sys.platform.startswith("linux"):
        return
    try:
        import resource

        with open("/proc/self/statm") as handle:
            mapped = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit += mapped
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _memory_reason(limit: int) -> str:
    return f"file skipped: analysing it needs more than the memory budget ({limit // 2**20} MB)"


def _death_reason(exitcode: int | None, memory_limit: int) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if name == "SIGABRT" and memory_limit > 0:
            budget = f"{memory_limit // 2**20} MB"
            return f"file skipped: the parser aborted (SIGABRT), likely over the memory budget ({budget})"
        return f"file skipped: the parser crashed ({name}; nested too deeply for its stack)"
    return f"file skipped: the worker analysing it exited unexpectedly (status {exitcode})"


class _Worker(Generic[J]):
    def __init__(self, pool: IsolatedPool[J, Any]) -> None:
        parent, child = pool.context.Pipe()
        self.conn = parent
        self.process = pool.context.Process(
            target=_worker_main,
            args=(child, pool.work, pool.initializer, pool.initargs, pool.memory_limit),
            daemon=True,
        )
        self.process.start()
        child.close()
        self.queue: deque[tuple[int, J]] = deque()
        self.head_started = 0.0

    def send(self, index: int, job: J) -> None:
        if not self.queue:
            self.head_started = time.monotonic()
        self.queue.append((index, job))
        with contextlib.suppress(OSError):  # a dead worker: found out when its answer is read
            self.conn.send((index, job))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class IsolatedPool(Generic[J, R]):
    """`run` maps `work` over jobs in `workers` processes; a job whose worker fails is a `Failure`."""

    def __init__(
        self,
        work: Callable[[J], R],
        *,
        workers: int,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        time_budget: float = 0.0,
        memory_limit: int = 0,
        start_method: str | None = None,
        lasting: bool = False,
    ) -> None:
        self.work = work
        self.workers = max(1, workers)
        self.initializer = initializer
        self.initargs = initargs
        self.time_budget = time_budget
        self.memory_limit = memory_limit
        # Imported here: a run the cache answers starts no worker, and importing
        # multiprocessing is a noticeable part of such a run.
        import multiprocessing

        if start_method is None:
            # fork starts a worker in milliseconds with the packs already loaded; elsewhere the default.
            fork = "fork" in multiprocessing.get_all_start_methods() and os.name == "posix"
            start_method = "fork" if fork else None
        # Any: typeshed gives a context named by a string no `Process` attribute.
        self.context: Any = multiprocessing.get_context(start_method)
        self.lasting = lasting
        self._kept: list[_Worker[J]] = []  # idle workers kept between runs (`lasting`)

    def close(self) -> None:
        """Stop the workers kept between runs."""
        kept, self._kept = self._kept, []
        for worker in kept:
            worker.stop()

    def run(self, jobs: Sequence[J], progress: Callable[[int, int], None] | None = None) -> list[R | Failure]:
        import multiprocessing.connection

        total = len(jobs)
        if multiprocessing.current_process().daemon:
            # Inside a daemonic worker of another pool (flake8 -j): it may not have
            # children, so the jobs run here, without isolation.
            return self._run_here(jobs, progress)
        results: list[R | Failure | None] = [None] * total
        pending: deque[tuple[int, J]] = deque(enumerate(jobs))
        done = 0
        crew = [w for w in self._kept if w.process.is_alive()]
        for worker in self._kept:
            if worker not in crew:
                worker.stop(kill=True)
        self._kept = []
        try:
            crew += [_Worker(self) for _ in range(min(self.workers, total) - len(crew))]
            for worker in crew:
                self._feed(worker, pending)
            while done < total:
                ready = multiprocessing.connection.wait(
                    [w.conn for w in crew if w.queue], timeout=self._wait_time(crew)
                )
                for worker in list(crew):
                    if worker.conn not in ready:
                        continue
                    try:
                        index, value = worker.conn.recv()
                    except (EOFError, OSError):
                        worker.process.join(timeout=5)
                        reason = _death_reason(worker.process.exitcode, self.memory_limit)
                        done += self._replace(crew, worker, pending, results, reason, kill=False)
                        if progress:
                            progress(done, total)
                        continue
                    if isinstance(value, _Raised):
                        raise WorkerError(f"{value.kind}: {value.message}")
                    worker.queue.popleft()
                    worker.head_started = time.monotonic()
                    results[index] = value
                    done += 1
                    if progress:
                        progress(done, total)
                    self._feed(worker, pending)
                if self.time_budget > 0:
                    now = time.monotonic()
                    for worker in list(crew):
                        if worker.queue and now - worker.head_started > self.time_budget:
                            reason = f"file skipped: not analysed within the {self.time_budget:g} s budget"
                            done += self._replace(crew, worker, pending, results, reason, kill=True)
                            if progress:
                                progress(done, total)
        finally:
            if self.lasting and done == total:
                self._kept = crew
            else:
                for worker in crew:
                    worker.stop(kill=done < total)
        return [r for r in results if r is not None]

    def _run_here(self, jobs: Sequence[J], progress: Callable[[int, int], None] | None) -> list[R | Failure]:
        if self.initializer is not None:
            self.initializer(*self.initargs)
        out: list[R | Failure] = []
        for done, job in enumerate(jobs, start=1):
            out.append(self.work(job))
            if progress:
                progress(done, len(jobs))
        return out

    def _wait_time(self, crew: list[_Worker[J]]) -> float | None:
        if self.time_budget <= 0:
            return None
        now = time.monotonic()
        waits = [w.head_started + self.time_budget - now for w in crew if w.queue]
        return max(0.0, min(waits)) + 0.01 if waits else None

    def _feed(self, worker: _Worker[J], pending: deque[tuple[int, J]]) -> None:
        while pending and len(worker.queue) < _PREFETCH:
            index, job = pending.popleft()
            worker.send(index, job)

    def _replace(
        self,
        crew: list[_Worker[J]],
        worker: _Worker[J],
        pending: deque[tuple[int, J]],
        results: list[R | Failure | None],
        reason: str,
        *,
        kill: bool,
    ) -> int:
        """The worker's current job fails with `reason`; its other jobs go back to the queue."""
        index, _ = worker.queue.popleft()
        results[index] = Failure(reason)
        pending.extendleft(reversed(worker.queue))
        worker.queue.clear()
        worker.stop(kill=kill)
        crew.remove(worker)
        if pending:
            fresh = _Worker(self)
            crew.append(fresh)
            self._feed(fresh, pending)
        return 1
