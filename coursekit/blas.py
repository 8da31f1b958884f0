"""How many threads numpy's BLAS may use for a piece of work, and how many cores this process really has.

A small network's matrix products take microseconds; splitting each over two threads costs more in
hand-offs than it saves, and on a shared machine (a JupyterHub, Binder, a busy laptop) a second thread
often waits for a core and makes each product many times slower. So training small models and
evaluating loss landscapes run on one BLAS thread, and large products use the cores the process has.

"The cores the process has" is not always what OpenBLAS sees. In a container (Binder, most JupyterHubs)
the process may be allowed, say, one CPU's worth of time while seeing all of the host's cores; OpenBLAS
then starts a thread per visible core, and threads that wait for each other under a one-CPU quota make
every product slower. :func:`usable_cores` reads the container's CPU quota (Linux cgroups) as well as
the process's affinity mask, and large products run on that many threads.
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path

_CONTROLLER = []

#: Multiply-adds per mini-batch forward pass below which training runs on one BLAS thread (measured
#: here: a 64-128-64-10 digits net, 2.3 M per batch of 128, trained 1.9x faster on one thread; a
#: 784-256-128-10 net, 30 M per batch, 1.6x faster on two).
SMALL_WORK = 8_000_000

#: Where Linux mounts the control groups (a container sees its own group here).
CGROUP_ROOT = Path("/sys/fs/cgroup")


def _controller():
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def limited(threads):
    """A context limiting numpy's BLAS to ``threads`` threads (via threadpoolctl); None: no limit."""
    if threads is None:
        return contextlib.nullcontext()
    try:
        controller = _controller()
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return contextlib.nullcontext()
    return controller.limit(limits=int(threads), user_api="blas")


def blas_threads():
    """Threads numpy's BLAS uses now (the most of any loaded BLAS), or None if that cannot be told."""
    try:
        counts = [lib.num_threads for lib in _controller().select(user_api="blas").lib_controllers]
    except Exception:  # noqa: BLE001 - threadpoolctl missing or a BLAS it cannot query
        return None
    return max(counts) if counts else None


def threads_for(multiply_adds: int):
    """BLAS threads for work of this size: 1 below :data:`SMALL_WORK` multiply-adds; above it the usable
    cores when BLAS would start more threads than that (a container's CPU quota), else None (BLAS decides)."""
    if multiply_adds < SMALL_WORK:
        return 1
    cores, current = usable_cores(), blas_threads()
    return cores if current is not None and cores < current else None


def cgroup_cpu_quota(root=None):
    """CPUs' worth of time the container may use (e.g. 1.5), from its cgroup quota; None without a quota.

    Reads cgroup v2 ``cpu.max`` ("150000 100000" = 1.5 CPUs, "max 100000" = no limit) or, on cgroup v1,
    ``cpu/cpu.cfs_quota_us`` / ``cpu/cpu.cfs_period_us`` (-1 = no limit), as loky and the JVM do.
    """
    root = Path(CGROUP_ROOT if root is None else root)
    try:
        fields = (root / "cpu.max").read_text().split()
        if fields[0] == "max":
            return None
        return int(fields[0]) / int(fields[1])
    except (OSError, ValueError, IndexError, ZeroDivisionError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None


def usable_cores() -> int:
    """CPU cores this process can keep busy: its affinity mask, lowered to its container's CPU quota
    (rounded up: 1.5 CPUs of quota -> 2)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - macOS and Windows have no affinity mask
        cores = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)
