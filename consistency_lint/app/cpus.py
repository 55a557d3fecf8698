"""How many CPUs this process may use: the default worker count.

`os.cpu_count()` counts the machine's CPUs, not those a container or a
`taskset` leaves us. The answer is the smallest of: the CPUs in the
process's affinity mask (`os.sched_getaffinity`), and the cgroup CPU quota
rounded up (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us` /
`cpu.cfs_period_us`), for the cgroup this process belongs to.
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def quota_cpus(quota: str, period: str) -> int | None:
    """CPUs allowed by a quota and a period in microseconds (None: unlimited or unreadable)."""
    try:
        allowed, length = int(quota), int(period)
    except ValueError:
        return None  # "max" (cgroup v2) or garbage
    if allowed <= 0 or length <= 0:
        return None  # -1 is "no limit" in cgroup v1
    return max(1, math.ceil(allowed / length))


def _own_cgroups(proc_self: Path) -> list[tuple[str, str]]:
    """(controllers, path) for each line of /proc/self/cgroup."""
    try:
        lines = proc_self.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3:
            out.append((parts[1], parts[2]))
    return out


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def cgroup_cpus(root: Path = CGROUP_ROOT, proc_self: Path = Path("/proc/self/cgroup")) -> int | None:
    """The tightest CPU quota on this process's cgroup and its ancestors (None: no quota)."""
    limits: list[int] = []
    for controllers, relative in _own_cgroups(proc_self):
        if controllers == "":  # cgroup v2: one unified hierarchy (under unified/ on hybrid hosts)
            hybrid = not (root / "cgroup.controllers").is_file() and (root / "unified").is_dir()
            base = root / "unified" if hybrid else root
            files: tuple[str, ...] = ("cpu.max",)
        elif "cpu" in controllers.split(","):
            base = root / controllers if (root / controllers).is_dir() else root / "cpu"
            files = ("cpu.cfs_quota_us", "cpu.cfs_period_us")
        else:
            continue
        folder = base / relative.lstrip("/")
        # Inside a container the process's own path may not exist (the cgroup is mounted
        # as the root); walk up to the mount point, taking every quota met on the way.
        for candidate in [folder, *folder.parents]:
            if not candidate.is_relative_to(base):
                break
            if len(files) == 1:
                text = _read(candidate / files[0])
                fields = text.split() if text else []
                cpus = quota_cpus(fields[0], fields[1]) if len(fields) == 2 else None
            else:
                quota, period = _read(candidate / files[0]), _read(candidate / files[1])
                cpus = quota_cpus(quota, period) if quota and period else None
            if cpus is not None:
                limits.append(cpus)
    return min(limits) if limits else None


def available_cpus() -> int:
    """CPUs this process may use: affinity mask and cgroup quota, at least 1."""
    counts = []
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        with contextlib.suppress(OSError):
            counts.append(len(affinity(0)))
    if not counts:
        counts.append(os.cpu_count() or 1)
    quota = cgroup_cpus()
    if quota is not None:
        counts.append(quota)
    return max(1, min(counts))
