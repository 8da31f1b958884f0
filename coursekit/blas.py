"""How many threads numpy's BLAS may use for a piece of work.

A small network's matrix products take microseconds; splitting each over two threads costs more in
hand-offs than it saves, and on a shared machine (a JupyterHub, Binder, a busy laptop) a second thread
often waits for a core and makes each product many times slower. So training small models and
evaluating loss landscapes run on one BLAS thread, and large products keep every core.
"""

from __future__ import annotations

import contextlib
import os

_CONTROLLER = []

#: Multiply-adds per mini-batch forward pass below which training runs on one BLAS thread (measured
#: here: a 64-128-64-10 digits net, 2.3 M per batch of 128, trained 1.9x faster on one thread; a
#: 784-256-128-10 net, 30 M per batch, 1.6x faster on two).
SMALL_WORK = 8_000_000


def limited(threads):
    """A context limiting numpy's BLAS to ``threads`` threads (via threadpoolctl); None: no limit."""
    if threads is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return contextlib.nullcontext()
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=int(threads), user_api="blas")


def threads_for(multiply_adds: int):
    """1 for work smaller than :data:`SMALL_WORK` multiply-adds, else None (BLAS decides)."""
    return 1 if multiply_adds < SMALL_WORK else None


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one, else ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS and Windows have no affinity mask
        return max(1, os.cpu_count() or 1)
