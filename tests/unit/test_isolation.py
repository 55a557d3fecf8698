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
