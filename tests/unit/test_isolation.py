"""IsolatedPool: a job whose worker dies or overruns fails alone; the others complete."""

from __future__ import annotations

import ctypes
import os
import sys
import time

import pytest

from consistency_lint.app.isolation import Failure, IsolatedPool, WorkerError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _work(job: int) -> int:
    if job == 3:
        ctypes.string_at(0)  # SIGSEGV, as the native parser's stack overflow
    if job == 5:
        time.sleep(60)
    if job == 7:
        os._exit(3)
    if job == 9:
        raise ValueError("a bug of ours")
    return job * 2


@pytest.mark.parametrize("workers", [1, 2])
def test_death_and_overrun_fail_their_job_only(workers: int) -> None:
    started = time.monotonic()
    results = IsolatedPool(_work, workers=workers, time_budget=1.0).run([0, 1, 2, 3, 4, 5, 6, 7, 8])
    assert time.monotonic() - started < 20
    assert results[:3] == [0, 2, 4] and results[4] == 8 and results[6] == 12 and results[8] == 16
    assert isinstance(results[3], Failure) and "SIGSEGV" in results[3].reason
    assert isinstance(results[5], Failure) and "within the 1 s budget" in results[5].reason
    assert isinstance(results[7], Failure) and "status 3" in results[7].reason


def test_an_exception_in_the_work_is_raised_in_the_parent() -> None:
    with pytest.raises(WorkerError, match="ValueError: a bug of ours"):
        IsolatedPool(_work, workers=1).run([1, 9])


def test_progress_counts_every_job() -> None:
    seen: list[tuple[int, int]] = []
    IsolatedPool(_work, workers=2, time_budget=1.0).run([1, 3, 4], progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3, 3)


def _pid(job: int) -> int:
    if job == 3:
        ctypes.string_at(0)
    return os.getpid()


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_a_lasting_pool_keeps_its_workers_and_replaces_a_dead_one(method: str) -> None:
    """The language server's pool: started without fork, reused between runs, until closed."""
    pool = IsolatedPool(_pid, workers=1, start_method=method, lasting=True)
    try:
        first = pool.run([0, 1])
        assert first[0] == first[1] != os.getpid()
        assert pool.run([2]) == [first[0]]  # the same worker answers the next run
        crashed = pool.run([4, 3, 5])
        assert crashed[0] == first[0]
        assert isinstance(crashed[1], Failure) and "SIGSEGV" in crashed[1].reason
        assert crashed[2] not in (first[0], os.getpid())  # a fresh worker took the dead one's place
        assert pool.run([6]) == [crashed[2]]
    finally:
        pool.close()
    assert pool.run([7]) != [crashed[2]]  # closed: a new run starts a new worker
    pool.close()
