"""Loss landscape benchmark: a 101×101 grid of J(W* + alpha d1 + beta d2), batched vs one point at a time.

Three nets: the digits MLP 64-128-64-10 after 5 epochs of training, on a 256-row subset of its training data;
the notebooks' digits net (64-32-10, 256 rows) and the notebooks' toy 2-D net (2-8-1, tanh + sigmoid, on 100
circle points), both from coursekit.viz.landscape.
"""

from __future__ import annotations

import importlib

import numpy as np

from ._common import interleaved


def _landscape_module():
    try:
        module = importlib.import_module("coursekit.landscape")
    except ImportError:
        return None
    needed = ("random_directions", "loss_surface")
    return module if all(hasattr(module, name) for name in needed) else None


def _digits_model():
    from coursekit import Adam, Dense, Sequential
    from .training import digits_split
    X_train, _, y_train, _ = digits_split()
    model = Sequential([Dense(128, activation="relu"), Dense(64, activation="relu"),
                        Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer=Adam(learning_rate=3e-3), loss="sparse_categorical_crossentropy")
    model.fit(X_train, y_train, epochs=5, batch_size=32, verbose=0)
    return model, X_train[:256], y_train[:256]


def _notebook_digits_model():
    """The notebooks' digits net (coursekit.problems.train_digits_net: 64-32-10 on 256 rows), if present."""
    from coursekit.problems import train_digits_net
    return train_digits_net(rows=256, seed=0)


def _toy_model():
    """The notebooks' toy net (coursekit.problems.train_toy_net: 2-8-1 tanh/sigmoid on 100 circle points)."""
    try:
        from coursekit.problems import train_toy_net
    except ImportError:
        train_toy_net = None
    if train_toy_net is not None:
        return train_toy_net(0)
    from coursekit import Adam, Dense, Sequential, datasets
    X, y = datasets.circles(n_samples=100, seed=0)
    model = Sequential([Dense(8, activation="tanh"), Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=Adam(learning_rate=0.05), loss="binary_crossentropy")
    model.fit(X, y, epochs=200, batch_size=len(X), verbose=0, seed=0, shuffle=False)
    return model, X, y


def _threads_note(landscape, model, X, grid):
    """How many worker threads loss_surface chose for this grid ("auto"), when the module has workers."""
    choose, count = getattr(landscape, "_workers", None), getattr(landscape, "_multiply_adds", None)
    if choose is None or count is None:
        return ""
    points = grid.size ** 2
    workers = choose("auto", count(model, X.shape[1], len(X), points), points)
    return f"{workers} worker thread{'s' if workers > 1 else ''}, 1 BLAS thread each"


def run(report, quick=False):
    report.section("4. loss landscape (coursekit.landscape)")
    landscape = _landscape_module()
    if landscape is None:
        report.skip("loss landscape", "coursekit.landscape", "not available yet (random_directions / loss_surface)")
        return
    points = 11 if quick else 101
    grid = np.linspace(-1.0, 1.0, points)
    targets = {"digits 64-128-64-10": 0.85, "digits 64-32-10": 0.85, "toy 2-D": 0.1}
    cases = [("digits 64-128-64-10", _digits_model), ("digits 64-32-10", _notebook_digits_model), ("toy 2-D", _toy_model)]
    for name, make in cases:
        try:
            model, X, y = make()
        except ImportError as error:
            report.skip(name, "loss_surface", f"not available yet ({error})")
            continue
        directions = landscape.random_directions(model, seed=0)
        work = f"{name} {points}×{points} ({len(X)} rows)"

        def batched():
            landscape.loss_surface(model, X, y, grid, grid, directions, progress=False)
        t_batched = interleaved({"batched": batched}, repeats=1 if quick else 5)["batched"]["median"]
        report.row(work, "loss_surface (batched)", t_batched, relative=1.0, note=_threads_note(landscape, model, X, grid))
        key = name.replace(" ", "_")
        report.ratio(f"landscape_seconds/{key}_batched", t_batched)
        if hasattr(landscape, "loss_surface_loop"):
            def loop():
                landscape.loss_surface_loop(model, X, y, grid, grid, directions)
            t_loop = interleaved({"loop": loop}, repeats=1, warmup=0)["loop"]["median"]
            report.row(work, "loss_surface_loop (per point)", t_loop, relative=t_loop / t_batched,
                       note="one run (slow)")
            report.ratio(f"landscape/{key}_loop_over_batched", t_loop / t_batched)
            same = np.allclose(landscape.loss_surface(model, X, y, grid[:5], grid[:5], directions, progress=False),
                               landscape.loss_surface_loop(model, X, y, grid[:5], grid[:5], directions),
                               rtol=1e-3, atol=1e-4)
            if not same:
                report.note(f"{name}: batched and per-point surfaces DIFFER on a 5×5 corner")
        else:
            report.skip(work, "loss_surface_loop", "not available yet")
        report.target(f"landscape {name} ≤ {targets[name]} s", t_batched <= targets[name], f"{t_batched:.3f} s")
