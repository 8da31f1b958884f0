"""Notebook 08 — splitting one epoch into shuffled mini-batches."""

from __future__ import annotations

import numpy as np

from coursekit.datasets import iterations_per_epoch

from ._judging import as_numeric
from ._bans import FRAMEWORKS
from ._spec import Case, Exercise, Mistake, case_rng


def _data(n):
    """Rows that say who they are: X[i] = [i, -i], y[i] = 10 i."""
    ids = np.arange(n, dtype=float)
    return np.stack([ids, -ids], axis=1), 10 * ids


def _batch_ids(output):
    """Check the structure; return (list of id arrays per batch, None) or (None, message)."""
    if output is None:
        return None, "returned None: return the list of (X_batch, y_batch) pairs"
    if not isinstance(output, (list, tuple)):
        return None, "expected a list of (X_batch, y_batch) pairs"
    ids = []
    for k, pair in enumerate(output):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            return None, f"batch {k} is not a pair (X_batch, y_batch)"
        Xb, yb = as_numeric(pair[0]), as_numeric(pair[1])
        if Xb is None or yb is None:
            return None, f"batch {k}: X_batch and y_batch must be arrays"
        if Xb.ndim != 2 or Xb.shape[1] != 2:
            return None, f"batch {k}: X_batch must keep the rows of X, shape (batch, 2); got {Xb.shape}"
        yb = yb.reshape(-1)
        if len(yb) != len(Xb):
            return None, f"batch {k}: X_batch has {len(Xb)} rows but y_batch has {len(yb)} entries"
        if not (np.array_equal(Xb[:, 1], -Xb[:, 0]) and np.array_equal(yb, 10 * Xb[:, 0])):
            return None, (f"batch {k}: the labels no longer belong to their samples — shuffle X and y "
                          f"with the same permutation")
        ids.append(Xb[:, 0].astype(int))
    return ids, None


def _judge_epoch(output, case):
    X, y, b = case.args[0], case.args[1], case.args[2]
    n = len(X)
    ids, message = _batch_ids(output)
    if message:
        return message
    want = iterations_per_epoch(n, b)
    every = np.concatenate(ids) if ids else np.array([], dtype=int)
    if len(every) != n or not np.array_equal(np.sort(every), np.arange(n)):
        missing = n - len(np.unique(every))
        return (f"every sample must appear exactly once per epoch; {missing} of {n} are missing"
                + (" and some appear twice" if len(every) != len(np.unique(every)) else ""))
    if len(ids) != want:
        return f"expected {want} batches (ceil({n} / {b})); got {len(ids)}"
    sizes = [len(i) for i in ids]
    if any(s != b for s in sizes[:-1]) or not 0 < sizes[-1] <= b:
        return f"every batch but the last must hold batch_size = {b} samples; the sizes are {sizes}"
    if n > 10 and np.array_equal(every, np.arange(n)):
        return "the samples come in their original order: shuffle them first"
    return None


def _judge_runs(output, case, same: bool):
    """Two epochs from two generators: each must be right, and alike when ``same`` seed, else different."""
    if not isinstance(output, list) or len(output) != 2:
        return "unexpected output"
    for run in output:
        message = _judge_epoch(run, Case("", case.args[:3]))
        if message:
            return message
    first, second = (np.concatenate(_batch_ids(run)[0]) for run in output)
    if same and not np.array_equal(first, second):
        return "two calls with generators of the same seed gave different batches"
    if not same and np.array_equal(first, second):
        return "generators of different seeds gave the same batches: shuffle with the rng you are given"
    return None


def _judge_twice(output, case):
    return _judge_runs(output, case, same=True)


def _judge_two_seeds(output, case):
    return _judge_runs(output, case, same=False)


def _cases():
    cases = []
    for label, n, b in [
        ("lecture example: 2000 samples in batches of 500 take 4 iterations", 2000, 500),
        ("10 samples in batches of 3: sizes 3, 3, 3, 1", 10, 3),
        ("batch_size = 1 (stochastic gradient descent): 20 batches", 20, 1),
        ("batch_size larger than the data: one batch of all 15 samples", 15, 64),
        ("25 samples in batches of 5", 25, 5),
    ]:
        X, y = _data(n)
        cases.append(Case(label, (X, y, b, case_rng(800 + n)), assess=_judge_epoch, call="materialize"))
    X, y = _data(30)
    cases.append(Case("uses the rng it is given: the same seed gives the same batches", (X, y, 8, 7),
                      assess=_judge_twice, call="twice_with_seed"))
    cases.append(Case("uses the rng it is given: another seed gives another order", (X, y, 8, 7, 8),
                      assess=_judge_two_seeds, call="two_seeds", bind=False))
    return cases


def _fixed_order(output, case):
    return case.call == "two_seeds" and _judge_two_seeds(output, case) is not None and \
        "different seeds gave the same" in (_judge_two_seeds(output, case) or "")


def _ids_of(output):
    ids, message = _batch_ids(output)
    return ids


def _drops_last(output, case):
    ids = _ids_of(output)
    n, b = len(case.args[0]), case.args[2]
    return ids is not None and n % b != 0 and len(ids) == n // b and all(len(i) == b for i in ids)


def _not_shuffled(output, case):
    ids = _ids_of(output)
    return ids is not None and len(ids) > 0 and np.array_equal(np.concatenate(ids), np.arange(len(case.args[0])))


def _with_replacement(output, case):
    ids = _ids_of(output)
    if not ids:
        return False
    every = np.concatenate(ids)
    return len(every) == len(case.args[0]) and len(np.unique(every)) < len(every)


def _misaligned(output, case):
    _, message = _batch_ids(output)
    return message is not None and "same permutation" in message


def _ignores_rng(output, case):
    if case.call != "twice_with_seed" or not isinstance(output, list) or len(output) != 2:
        return False
    first, second = _ids_of(output[0]), _ids_of(output[1])
    return (first is not None and second is not None and
            not (len(first) == len(second) and all(np.array_equal(a, b) for a, b in zip(first, second))))


EXERCISES = [
    Exercise(
        name="make_minibatches", notebook="08", points=2,
        concept="an epoch shows every sample once, in a fresh random order, cut into batches of B",
        bans=("coursekit.datasets:minibatches", "coursekit.splits:minibatches", "coursekit.fitting", "coursekit.model",
              *FRAMEWORKS),
        signature="make_minibatches(X, y, batch_size, rng)",
        summary="a list of (X_batch, y_batch): shuffled with rng, every sample exactly once, "
                "batches of batch_size (the last may be smaller)",
        build_cases=_cases,
        mistakes=[
            Mistake("keep the last, smaller batch: the remaining samples are part of the epoch too "
                    "(range(0, n, batch_size) reaches them)", detect=_drops_last),
            Mistake("shuffle first: order = rng.permutation(n), then take X[order], y[order]", detect=_not_shuffled),
            Mistake("draw a permutation (rng.permutation), not random indices with replacement: "
                    "every sample exactly once per epoch", detect=_with_replacement),
            Mistake("shuffle X and y with the same permutation so each sample keeps its label", detect=_misaligned),
            Mistake("shuffle with the rng you are given, rng.permutation(n): a fixed order (or a generator of "
                    "your own) gives the same batches in every epoch", detect=_fixed_order),
            Mistake("use the rng you are given (rng.permutation(n)), not np.random: results must be reproducible",
                    detect=_ignores_rng),
        ],
    ),
]
