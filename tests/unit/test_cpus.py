"""The default worker count: affinity mask and cgroup quota, over fake /sys/fs/cgroup trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consistency_lint.app import cpus
from consistency_lint.app.cpus import available_cpus, cgroup_cpus, quota_cpus


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("quota", "period", "expected"),
    [
        ("200000", "100000", 2),
        ("150000", "100000", 2),
        ("50000", "100000", 1),
        ("max", "100000", None),
        ("-1", "100000", None),
        ("x", "y", None),
        ("100000", "0", None),
    ],
)
def test_quota_cpus(quota: str, period: str, expected: int | None) -> None:
    assert quota_cpus(quota, period) == expected


def test_cgroup_v2_quota_of_the_own_group_and_its_parents(tmp_path: Path) -> None:
    root = tmp_path / "cgroup"
    write(root / "cgroup.controllers", "cpu memory\n")
    write(root / "cpu.max", "max 100000\n")
    write(root / "ci" / "cpu.max", "300000 100000\n")
    write(root / "ci" / "job" / "cpu.max", "max 100000\n")
    proc = write(tmp_path / "proc-cgroup", "0::/ci/job\n")
    assert cgroup_cpus(root, proc) == 3


def test_cgroup_v2_without_a_quota(tmp_path: Path) -> None:
    root = tmp_path / "cgroup"
    write(root / "cgroup.controllers", "cpu\n")
    write(root / "cpu.max", "max 100000\n")
    assert cgroup_cpus(root, write(tmp_path / "p", "0::/\n")) is None


def test_cgroup_v2_own_path_missing_inside_a_container(tmp_path: Path) -> None:
    root = tmp_path / "cgroup"
    write(root / "cgroup.controllers", "cpu\n")
    write(root / "cpu.max", "150000 100000\n")
    assert cgroup_cpus(root, write(tmp_path / "p", "0::/docker/abc\n")) == 2


def test_cgroup_v1_quota(tmp_path: Path) -> None:
    root = tmp_path / "cgroup"
    write(root / "cpu,cpuacct" / "cpu.cfs_quota_us", "100000\n")
    write(root / "cpu,cpuacct" / "cpu.cfs_period_us", "100000\n")
    proc = write(tmp_path / "p", "4:memory:/x\n3:cpu,cpuacct:/\n0::/\n")
    assert cgroup_cpus(root, proc) == 1
    write(root / "cpu,cpuacct" / "cpu.cfs_quota_us", "-1\n")
    assert cgroup_cpus(root, proc) is None


def test_no_cgroup_information(tmp_path: Path) -> None:
    assert cgroup_cpus(tmp_path / "none", tmp_path / "missing") is None


def test_available_cpus_takes_the_smallest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(cpus, "cgroup_cpus", lambda: None)
    assert available_cpus() == 4
    monkeypatch.setattr(cpus, "cgroup_cpus", lambda: 2)
    assert available_cpus() == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert available_cpus() == 1


def test_taskset_limits_the_default(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    taskset = shutil.which("taskset")
    if taskset is None or not hasattr(os, "sched_getaffinity"):
        pytest.skip("taskset (util-linux) not available")
    code = "from consistency_lint.app.cpus import available_cpus; print(available_cpus())"
    cpu = min(os.sched_getaffinity(0))
    proc = subprocess.run(
        [taskset, "-c", str(cpu), sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1"
