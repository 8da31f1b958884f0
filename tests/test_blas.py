"""coursekit.blas: BLAS threads by work size, and the cores a container really has (cgroup CPU quota)."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit import Dense, LambdaCallback, Sequential, blas


@pytest.mark.parametrize("files, expected", [
    ({"cpu.max": "max 100000\n"}, None),                                  # cgroup v2, no limit
    ({"cpu.max": "150000 100000\n"}, 1.5),                                # cgroup v2, 1.5 CPUs
    ({"cpu.max": "50000 100000\n"}, 0.5),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),    # cgroup v1, no limit
    ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2.0),
    ({"cpu.max": "garbage\n"}, None),
    ({}, None),                                                            # no cgroup files (macOS, ...)
])
def test_cgroup_cpu_quota(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert blas.cgroup_cpu_quota(tmp_path) == expected


@pytest.mark.parametrize("quota, expected", [(None, 2), (0.5, 1), (1.0, 1), (1.5, 2), (8.0, 2)])
def test_usable_cores_is_the_affinity_lowered_to_the_quota(monkeypatch, quota, expected):
    monkeypatch.setattr(blas.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(blas, "cgroup_cpu_quota", lambda root=None: quota)
    assert blas.usable_cores() == expected


def test_threads_for_small_and_large_work(monkeypatch):
    assert blas.threads_for(blas.SMALL_WORK - 1) == 1
    monkeypatch.setattr(blas, "blas_threads", lambda: 8)
    monkeypatch.setattr(blas, "usable_cores", lambda: 1)          # a one-CPU container on an 8-core host
    assert blas.threads_for(blas.SMALL_WORK) == 1
    monkeypatch.setattr(blas, "usable_cores", lambda: 8)
    assert blas.threads_for(blas.SMALL_WORK) is None              # BLAS already matches the cores
    monkeypatch.setattr(blas, "blas_threads", lambda: 1)          # the user set OPENBLAS_NUM_THREADS=1
    assert blas.threads_for(blas.SMALL_WORK) is None              # never raised above the user's choice


def test_fit_of_a_large_model_in_a_one_cpu_container_uses_one_blas_thread(monkeypatch):
    monkeypatch.setattr(blas, "usable_cores", lambda: 1)
    monkeypatch.setattr(blas, "blas_threads", lambda: 4)
    seen = []

    def record(epoch, logs):
        from threadpoolctl import threadpool_info
        seen.append(max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"))

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((256, 256)), rng.integers(0, 2, 256)
    model = Sequential([Dense(512, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy")          # 128 x 256 x 512 = 16.8 M per batch
    model.fit(X, y, epochs=1, batch_size=128, verbose=0, callbacks=[LambdaCallback(on_epoch_end=record)])
    assert seen == [1]
