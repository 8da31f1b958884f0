"""Explorers 1-6: median time of one update (compute + Agg redraw), and the loss-landscape batching ratio.

``CASES`` lists (name, make_explorer, move_control): ``move_control(explorer, i)`` changes one control the
way a student would (the i-th move); the explorer's observer recomputes and, under Agg, calls
``fig.canvas.draw()`` itself (``Explorer.refresh`` -> ``redraw``), so the timed call is ``move_control``
alone: compute + one Agg draw. Target: at most 50 ms each.

The second part times :func:`coursekit.landscape.loss_surface` (batched) against
:func:`~coursekit.landscape.loss_surface_loop` (one grid point at a time) on a 101 x 101 grid for

* the digits net of the landscape explorer (64-32-10, 256 rows; target <= 1 s),
* a larger digits net (64-128-64-10, 256 rows) as in ``benchmarks/landscapes.py``,
* the toy net of the landscape explorer (2-8-1 on 100 circle points; target <= 50 ms, a slider update).

Run: ``python benchmarks/explorers_part1.py`` (``--quick`` for fewer repeats, ``--no-loop`` to skip the
slow per-point loops).
"""

from __future__ import annotations

import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from coursekit.viz import (activation_explorer, backprop_explorer, landscape_explorer, loss_explorer,  # noqa: E402
                           network_explorer, perceptron_explorer)

ETAS = np.logspace(-2, 1, 13)


def _set(explorer, name, value):
    explorer.controls[name].value = value


def _network_new_config(e, i):
    """A units move that must train a fresh net (the cache is emptied first): the worst case."""
    e.models.clear()
    _set(e, "units", 1 + (i % e.max_units) if e.value("units") != 1 + (i % e.max_units) else 1 + ((i + 1) % 8))


def _backprop_step(e, i):
    if e.step == e.n_steps:
        e.reset()
    else:
        e.next_step()


def _vanishing():
    from coursekit.viz.vanishing import vanishing_gradient_explorer
    return vanishing_gradient_explorer()


CASES = [
    ("1 perceptron (w0 slider)", perceptron_explorer, lambda e, i: _set(e, "w0", round(-2 + (i % 40) / 10, 2))),
    ("1 perceptron (x1 slider)", perceptron_explorer, lambda e, i: _set(e, "x1", round(-3 + (i % 60) / 10, 2))),
    ("2 activations (switch g, cached nets)", activation_explorer,
     lambda e, i: _set(e, "activation", ("sigmoid", "tanh", "relu", "linear")[i % 4])),
    ("3 network builder (units, trains a new net)", network_explorer, _network_new_config),
    ("3 network builder (layers, cached)", lambda: network_explorer(units=6),
     lambda e, i: _set(e, "hidden_layers", 1 + i % 4)),
    ("4 loss per point (w1 slider)", loss_explorer, lambda e, i: _set(e, "w1", round(0.1 + (i % 20) / 50, 3))),
    ("4 loss per point (BCE/MSE toggle)", loss_explorer,
     lambda e, i: _set(e, "loss", ("binary_crossentropy", "mean_squared_error")[i % 2])),
    ("5 landscape pass/fail (η slider)", landscape_explorer,
     lambda e, i: _set(e, "learning_rate", float(ETAS[i % len(ETAS)]))),
    ("5 landscape pass/fail (steps slider)", landscape_explorer, lambda e, i: _set(e, "steps", 10 + (7 * i) % 190)),
    ("5 landscape toy net (new directions: 101x101 surface)", lambda: landscape_explorer("toy_net"),
     lambda e, i: _set(e, "directions", 1 + i % 99)),
    ("5 landscape toy net (start slider)", lambda: landscape_explorer("toy_net"),
     lambda e, i: _set(e, "start_1", round(-0.9 + (i % 30) / 20, 2))),
    ("5 landscape digits (η slider)", lambda: landscape_explorer("digits"),
     lambda e, i: _set(e, "learning_rate", float(ETAS[i % len(ETAS)] / 100))),
    ("6 backprop (next / reset)", backprop_explorer, _backprop_step),
    ("6 backprop (w1 slider, all steps shown)", lambda: _all_steps(backprop_explorer()),
     lambda e, i: _set(e, "w1", round(-2 + (i % 40) / 10, 2))),
    ("6 vanishing gradients (layers slider, 3 nets)", _vanishing,
     lambda e, i: _set(e, "depth", 2 + (7 * i) % 29)),
    ("6 vanishing gradients (units slider, 3 nets)", _vanishing,
     lambda e, i: _set(e, "width", 2 + 2 * ((5 * i) % 32))),
]


def _all_steps(e):
    for _ in range(e.n_steps):
        e.next_step()
    return e


def time_case(make, move, repeats=25, warmup=5):
    explorer = make()
    for i in range(warmup):
        move(explorer, i)
    times = []
    for i in range(warmup, warmup + repeats):
        start = time.perf_counter()
        move(explorer, i)
        times.append(time.perf_counter() - start)
    if explorer.message.value and "Error" in explorer.message.value:
        raise RuntimeError(f"the explorer reported an error: {explorer.message.value}")
    return statistics.median(times), max(times)


# -- the landscape: batched vs per-point loop ----------------------------------------------------------------
def _toy():
    from coursekit.problems import train_toy_net
    return train_toy_net(0)


def _digits_small():
    from coursekit.problems import train_digits_net
    return train_digits_net(rows=256, seed=0)


def _digits_large():
    from coursekit import Adam, Dense, Sequential, datasets
    X, y = datasets.load_digits()
    X_train, _, y_train, _ = datasets.train_test_split(X, y, test_size=0.25, seed=0)
    model = Sequential([Dense(128, activation="relu"), Dense(64, activation="relu"), Dense(10, activation="softmax")],
                       seed=0)
    model.compile(optimizer=Adam(learning_rate=3e-3), loss="sparse_categorical_crossentropy")
    model.fit(X_train, y_train, epochs=5, batch_size=32, verbose=0, seed=0)
    return model, X_train[:256], y_train[:256]


LANDSCAPES = [
    ("toy net 2-8-1, 100 rows", _toy, 0.05),
    ("digits net 64-32-10, 256 rows", _digits_small, 1.0),
    ("digits net 64-128-64-10, 256 rows", _digits_large, None),
]


def time_landscape(make, repeats=5, loop=True, points=101):
    from coursekit import landscape

    model, X, y = make()
    directions = landscape.random_directions(model, seed=0)
    grid = np.linspace(-1.0, 1.0, points)
    landscape.loss_surface(model, X, y, grid, grid, directions, progress=False)            # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        landscape.loss_surface(model, X, y, grid, grid, directions, progress=False)
        times.append(time.perf_counter() - start)
    batched = statistics.median(times)
    looped = None
    if loop:
        start = time.perf_counter()
        landscape.loss_surface_loop(model, X, y, grid, grid, directions)
        looped = time.perf_counter() - start
    return batched, looped


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    quick, loop = "--quick" in argv, "--no-loop" not in argv
    repeats = 9 if quick else 25
    print("Explorers 1-6: one update = move a control -> compute -> fig.canvas.draw() (Agg); target <= 50 ms")
    print(f"{'explorer (control)':58s} {'median':>9s} {'max':>9s}")
    over = []
    for name, make, move in CASES:
        median, worst = time_case(make, move, repeats=repeats)
        flag = "" if median <= 0.050 else "  OVER 50 ms"
        if flag:
            over.append(name)
        print(f"{name:58s} {median * 1e3:7.1f} ms {worst * 1e3:7.1f} ms{flag}")
    print()
    print("Loss landscape, 101 x 101 grid: batched loss_surface vs loss_surface_loop (one point at a time)")
    print(f"{'net':40s} {'batched':>10s} {'loop':>10s} {'loop/batched':>13s}  target")
    for name, make, target in LANDSCAPES:
        batched, looped = time_landscape(make, repeats=3 if quick else 5, loop=loop)
        ratio = f"{looped / batched:12.1f}x" if looped else f"{'-':>13s}"
        loop_text = f"{looped:9.2f}s" if looped else f"{'-':>10s}"
        goal = "" if target is None else (f"<= {target:g} s: " + ("met" if batched <= target else "MISSED"))
        print(f"{name:40s} {batched:9.3f}s {loop_text} {ratio}  {goal}")
    if over:
        print("\nover budget:", ", ".join(over))


if __name__ == "__main__":
    main()
