"""What a file-phase worker hands back: the result encoded, equal to the one analysed in
place, and no garbage left behind in the worker (its collector is paused)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from consistency_lint.app import runner
from consistency_lint.app.config import load_settings
from consistency_lint.app.session import open_session
from consistency_lint.engine import Session

SOURCE = b"""\
LIMIT = 10
RATE = 1.5
NAMES = ["a", "b", "c"]


def save(session, order):
    session.add(order)
    session.commit()
    return {"id": 1, "total": 2.5, "tags": ("x", "y")}
"""


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Session]:
    settings = load_settings(None, tmp_path)
    session = open_session(settings)
    runner._init_worker(settings, session.pack_list, session.roots)
    assert runner._WORKER_SESSION is not None
    yield runner._WORKER_SESSION
    runner._WORKER_SESSION = None


def test_the_worker_answers_the_encoded_result_of_the_file(tmp_path: Path, worker: Session) -> None:
    path = tmp_path / "shop.py"
    path.write_bytes(SOURCE)
    job: runner.Job = (str(path), "shop.py", "shop", False, b"")
    digest, answer = runner._analyse_job(job)
    assert isinstance(answer, bytes)
    _, result, data = runner._decoded(job, (digest, answer))
    assert result == worker.analyse(SOURCE, "shop.py", module="shop")
    assert data == answer and digest


def test_the_worker_leaves_no_cyclic_garbage_with_its_collector_paused(
    tmp_path: Path, worker: Session
) -> None:
    path = tmp_path / "shop.py"
    path.write_bytes(SOURCE)
    job: runner.Job = (str(path), "shop.py", "shop", False, None)
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            runner._analyse_job(job)
        left = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert left == 0
