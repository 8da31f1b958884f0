"""Explorers 7-12: median time of one update (compute + Agg redraw with ``fig.canvas.draw()``).

``CASES`` lists (name, make_explorer, move_control): ``move_control(explorer, i)`` changes one control the
way a student would (the i-th move). The explorer's observer then recomputes and, under Agg, calls
``fig.canvas.draw()`` itself (``Explorer.refresh`` -> ``redraw``), so the timed call is ``move_control``
alone: compute + one Agg draw. (``--double`` adds a second, explicit ``fig.canvas.draw()``.) Target: at
most 50 ms each. Run: ``python benchmarks/explorers_part2.py``.
"""

from __future__ import annotations

import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from coursekit.viz import (TrainingMonitor, dropout_explorer, early_stopping_explorer,  # noqa: E402
                           learning_rate_explorer, minibatch_explorer, optimizer_race)

ETAS = np.logspace(-3, 1, 17)


def _set(explorer, name, value):
    explorer.controls[name].value = value


def _monitor():
    """A TrainingMonitor on 2-D data, a model to draw, and recorded logs to replay epoch by epoch."""
    from coursekit.datasets import moons
    from coursekit.problems import fit_overfitting

    X, y = moons(200, seed=0)
    monitor = TrainingMonitor(X, y, min_interval=0.0, display=False)
    model, history = fit_overfitting(0.0, 30, 0)
    monitor.set_model(model)
    monitor._logs = [dict(zip(history.history, values)) for values in zip(*history.history.values())]
    return monitor


def _monitor_epoch(monitor, i):
    """One epoch's callback with a redraw (min_interval=0): new logs, curves, decision-boundary image."""
    logs = monitor._logs[i % len(monitor._logs)]
    if i % len(monitor._logs) == 0:
        monitor._reset()
    monitor.on_epoch_end(i, logs)


def _playground():
    """The Playground explorer after 50 epochs of training (the curves and boundary are live)."""
    from coursekit.viz import live_training_explorer

    explorer = live_training_explorer()
    explorer.run(50)
    return explorer


CASES = [
    ("7 learning rate (η slider)", learning_rate_explorer,
     lambda e, i: _set(e, "learning_rate", float(ETAS[i % len(ETAS)]))),
    ("8 optimizer race (step slider)", optimizer_race,
     lambda e, i: _set(e, "step", (7 * i) % 101)),
    ("8 optimizer race (η multiplier, recompute)", optimizer_race,
     lambda e, i: _set(e, "multiplier", float(10 ** (-1 + i / 40)))),          # a new value each time
    ("9 mini-batches (batch-size slider)", minibatch_explorer,
     lambda e, i: _set(e, "batch_size", e.batch_sizes[i % len(e.batch_sizes)])),
    ("10 dropout (resample)", dropout_explorer, lambda e, i: e.resample()),
    ("10 dropout (rate slider, cached runs)", dropout_explorer,
     lambda e, i: _set(e, "rate", round((i % 10) / 10, 1))),
    ("11 early stopping (patience slider)", early_stopping_explorer,
     lambda e, i: _set(e, "patience", i % 40)),
    ("12 live training (one epoch's redraw)", _monitor, _monitor_epoch),
    ("12 Playground (η slider while training)", _playground,
     lambda e, i: _set(e, "learning_rate", float(ETAS[i % len(ETAS)]))),
    ("12 Playground (noise slider: new data, new net)", _playground,
     lambda e, i: _set(e, "noise", round(0.05 * (i % 11), 2))),
    ("12 Playground (step: one epoch + redraw)", _playground, lambda e, i: e.run(1)),
]


def time_case(make, move, repeats=25, warmup=12, double=False):
    explorer = make()
    for i in range(warmup):            # first visits fill caches (e.g. dropout's per-rate training runs)
        move(explorer, i)
    times = []
    for i in range(warmup, warmup + repeats):
        start = time.perf_counter()
        move(explorer, i)
        if double:
            explorer.fig.canvas.draw()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    import sys

    double = "--double" in sys.argv
    print(f"{'explorer':48s} {'median update':>14s}  target 50 ms")
    for name, make, move in CASES:
        seconds = time_case(make, move, double=double)
        flag = "ok" if seconds <= 0.050 else "SLOW"
        print(f"{name:48s} {seconds * 1000:11.1f} ms  {flag}")


if __name__ == "__main__":
    main()
