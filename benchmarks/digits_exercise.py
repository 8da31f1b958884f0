"""The ``train_digits_model`` exercise (notebook 10): how long its check takes and how safely the reference passes.

Run: ``python -m benchmarks.digits_exercise [--seeds 5] [--repeats 3] [--no-load] [--quick]``.

1. Per fold (``held_out_cases(seed)`` for ``--seeds`` seeds: relabelled, pixel-shuffled, noisy digits),
   the reference solution (``tests/solutions/reference.py``) against a peer on the same rows, measured in
   the same run: scikit-learn's ``MLPClassifier`` with the same layers, optimizer, batch and epochs if it
   is installed, else the same network trained by plain numpy. Held-out accuracy and training seconds.
2. The whole check (``check("train_digits_model", reference)``: building the folds, the wire round trip,
   four trainings, the judging), median of ``--repeats``, on a quiet machine and with every core kept
   busy by spinning processes (the "slow CI machine"). Target: well under the exercise's time limit.

The thresholds are judged per fold, so the table also gives the reference's margin above full points in
standard deviations of its fold accuracy. Not part of the test run (about a minute).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from solutions.reference import train_digits_model  # noqa: E402

from coursekit.exercises import check  # noqa: E402
from coursekit.exercises import digits as D  # noqa: E402

#: The reference's recipe, for the peers: Dense(128, relu) -> Dense(10, softmax), Adam 3e-3, batch 32.
HIDDEN, LEARNING_RATE, BATCH, EPOCHS = 128, 0.003, 32, 50


def sklearn_peer(X_train, y_train):
    import warnings

    from sklearn.neural_network import MLPClassifier
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # ConvergenceWarning: max_iter is the epoch count here
        return MLPClassifier(hidden_layer_sizes=(HIDDEN,), learning_rate_init=LEARNING_RATE, batch_size=BATCH,
                             max_iter=EPOCHS, alpha=1e-4, random_state=0).fit(X_train, y_train)


class NumpyPeer:
    """The same network trained by plain numpy: ReLU layer, softmax, cross-entropy, Adam, mini-batches."""

    def __init__(self, X_train, y_train, seed=0):
        rng = np.random.default_rng(seed)
        X, Y = np.asarray(X_train, float), np.eye(10)[y_train]
        shapes = [(X.shape[1], HIDDEN), (HIDDEN,), (HIDDEN, 10), (10,)]
        self.p = [rng.normal(0, np.sqrt(2 / s[0]), s) if len(s) == 2 else np.zeros(s) for s in shapes]
        m, v = [np.zeros_like(p) for p in self.p], [np.zeros_like(p) for p in self.p]
        t = 0
        for _ in range(EPOCHS):
            order = rng.permutation(len(X))
            for start in range(0, len(X), BATCH):
                rows = order[start:start + BATCH]
                t += 1
                for i, g in enumerate(self._gradients(X[rows], Y[rows])):
                    m[i] = 0.9 * m[i] + 0.1 * g
                    v[i] = 0.999 * v[i] + 0.001 * g * g
                    self.p[i] -= LEARNING_RATE * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-7)

    def _forward(self, X):
        W1, b1, W2, b2 = self.p
        h = np.maximum(X @ W1 + b1, 0)
        z = h @ W2 + b2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return h, e / e.sum(axis=1, keepdims=True)

    def _gradients(self, X, Y):
        h, y_hat = self._forward(X)
        dz = (y_hat - Y) / len(X)
        dh = (dz @ self.p[2].T) * (h > 0)
        return [X.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)]

    def predict(self, X):
        return self._forward(np.asarray(X, float))[1]


def peer():
    """(name, train function) of the peer: scikit-learn if installed, else plain numpy."""
    try:
        import sklearn  # noqa: F401
        return f"sklearn MLPClassifier({HIDDEN},) adam", sklearn_peer
    except ImportError:
        return f"numpy MLP 64-{HIDDEN}-10 adam", NumpyPeer


def per_fold(seeds: int) -> dict:
    """Accuracy and training seconds of the reference and the peer on every fold of ``seeds`` seeds."""
    peer_name, peer_train = peer()
    rows = {"coursekit reference": ([], []), peer_name: ([], [])}
    print(f"  {'fold':<12} {'coursekit acc':>13} {'train':>8}   {peer_name + ' acc':>40} {'train':>8}")
    for seed in range(seeds):
        for k, case in enumerate(D.held_out_cases(seed=seed)):
            X_train, y_train, X_test = case.args
            line = f"  seed {seed} f{k + 1:<4}"
            for name, train in (("coursekit reference", train_digits_model), (peer_name, peer_train)):
                start = time.perf_counter()
                model = train(X_train, y_train)
                seconds = time.perf_counter() - start
                acc = D.accuracy(model.predict(X_test), case.expected)
                rows[name][0].append(acc)
                rows[name][1].append(seconds)
                line += f" {acc:>13.3f} {seconds:>7.2f}s" if name.startswith("coursekit") else \
                    f"   {acc:>40.3f} {seconds:>7.2f}s"
            print(line, flush=True)
    for name, (accs, times) in rows.items():
        accs = np.array(accs)
        margin = (accs.mean() - D.FULL_ACCURACY) / max(accs.std(), 1e-9)
        print(f"  {name:<40} accuracy mean {accs.mean():.4f} min {accs.min():.4f} std {accs.std():.4f} "
              f"(full points at {D.FULL_ACCURACY:.2f}: {margin:.1f} std above); training median "
              f"{statistics.median(times):.2f} s per fold", flush=True)
    return rows


@contextlib.contextmanager
def busy_cores(n: int):
    """``n`` processes spinning on the CPU for the duration (a loaded CI machine)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def check_seconds(repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        D.EXERCISES[0]._cases = None           # new secret folds every time, as for a new grading run
        start = time.perf_counter()
        result = check("train_digits_model", train_digits_model, show=False)
        times.append(time.perf_counter() - start)
        assert result.passed, str(result)
    return times


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds of folds for the accuracy table")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the whole check")
    parser.add_argument("--no-load", action="store_true", help="skip the run with every core busy")
    parser.add_argument("--quick", action="store_true", help="one seed, one repeat, no load")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.repeats, args.no_load = 1, 1, True
    print(f"== 1. per fold: {D.FOLDS} folds × {args.seeds} seeds, noise σ = {D.NOISE}")
    rows = per_fold(args.seeds)
    print(f"== 2. the whole check of the reference (time limit {D.TIME_LIMIT:g} s), median of {args.repeats}")
    out = {"reference_fold_seconds": statistics.median(rows["coursekit reference"][1])}
    runs = [("quiet", contextlib.nullcontext())]
    if not args.no_load:
        runs.append((f"{os.cpu_count()} cores busy", busy_cores(os.cpu_count() or 1)))
    for label, context in runs:
        with context:
            times = check_seconds(args.repeats)
        median = statistics.median(times)
        out[f"check_seconds_{label.split()[0]}"] = median
        print(f"  check, {label:<16} median {median:.2f} s, worst {max(times):.2f} s "
              f"({median / D.TIME_LIMIT:.0%} of the limit)", flush=True)
    return out


if __name__ == "__main__":
    main()
