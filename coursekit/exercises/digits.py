"""Notebook 10 — ``train_digits_model(X_train, y_train) -> model``, graded on digits the student never saw.

The student writes a function that builds and trains a coursekit ``Sequential`` on the rows it is given.
The grader calls it once per fold of :func:`held_out_cases` and scores ``model.predict(X_test)`` on the
fold's held-out rows. The folds are new data made from the shipped digits, drawn afresh from a secret
seed (:mod:`secrets`) every time the cases are built, each fold with its own

* **relabelling**: a secret derangement of the digits 0-9 (no digit keeps its name), so a model trained
  beforehand on the shipped labels, or a table of the shipped images and labels, gets (almost) nothing
  right;
* **pixel shuffle**: a secret permutation of the 64 pixels, the same for every image of the fold. A
  ``Dense`` network does not know which pixel lies next to which, so it learns the shuffled digits just as
  well; an image lookup in the shipped data no longer finds anything;
* **noise**: Gaussian noise of σ = :data:`NOISE` on the pixels (``load_digits`` scales them to [0, 1]),
  so no row equals a shipped one.

The rows travel as float32 (the job sent to the kernel is 2.4 MB). While the function trains and
predicts, :func:`coursekit.exercises._seal.sealed` keeps the shipped data files unreadable (the
``fit_predict`` call). Each fold earns linear credit from :data:`PARTIAL_FROM` to :data:`FULL_ACCURACY`
held-out accuracy; the exercise scores the mean over the folds (full points only when every fold reaches
:data:`FULL_ACCURACY`). Calibration (``benchmarks/digits_exercise.py``): the reference solution scores
0.975 per fold on average (standard deviation 0.007, lowest of 200 folds 0.951: full points are 4.9
standard deviations below the mean), training in about 0.3 s per fold; scikit-learn's MLPClassifier
with the same layers scores the same. Softmax regression (no hidden layer) scores about 0.964.

Limits: the cases are cached per process (one grading run uses the same folds for every submission; the
kernels receive only X_train, y_train and X_test). An answer that sets out to decode the secret
relabelling and pixel shuffle from the X_train, y_train it receives is not stopped by this design.
"""

from __future__ import annotations

import math
import re
import secrets

import numpy as np

from coursekit.datasets import load_digits, train_test_split

from ._judging import as_numeric
from ._spec import Case, Exercise, Mistake

#: Held-out accuracy (on every fold) for full points.
FULL_ACCURACY = 0.94
#: Held-out accuracy from which a fold earns partial credit (linear up to FULL_ACCURACY).
PARTIAL_FROM = 0.85
#: Below this accuracy a well-formed answer is "near chance" (1 in 10 is chance; a lookup of the shipped
#: images scores 0.10 on average, at most 0.27 in 600 folds).
NEAR_CHANCE = 0.4
#: Number of folds: each row of the digits is held out exactly once.
FOLDS = 4
#: Standard deviation of the pixel noise (pixels lie in [0, 1]).
NOISE = 0.05
#: Seconds the exercise gets at least (all folds together), whatever the grader's --timeout.
TIME_LIMIT = 60.0

RENAMED_HINT = ("the grader renames the digits (a secret relabelling: a 3 may be called 7), shuffles the 64 "
                "pixels and adds a little noise, so a model trained beforehand, or a table of the shipped "
                "images, gets about 1 in 10 right: build and train the model inside the function, on the "
                "X_train, y_train it receives, and return it (if yours does, it has not learned yet: train "
                "it longer, or with Adam)")
TRAIN_HINT = ("train longer, with more hidden units, or with Adam; the last layer must be Dense(10, "
              "activation='softmax') and the loss 'sparse_categorical_crossentropy'")
_ACCURACY_MESSAGE = re.compile(r"^held-out accuracy (\d\.\d+)")


def digits_split():
    """The notebook's split: ``train_test_split(X, y, 0.2, seed=0, stratify=True)`` of the shipped digits."""
    X, y = load_digits()
    return train_test_split(X, y, test_size=0.2, seed=0, stratify=True)


# ------------------------------------------------------------------------------------ the folds
def derangement(n: int, rng: np.random.Generator) -> np.ndarray:
    """A random permutation of ``0..n-1`` that moves every element (rejection sampling, ~e tries)."""
    while True:
        perm = rng.permutation(n)
        if np.all(perm != np.arange(n)):
            return perm


def stratified_folds(y: np.ndarray, folds: int, rng: np.random.Generator) -> np.ndarray:
    """The fold (``0..folds-1``) of every row: each class dealt round-robin in random order."""
    fold_of = np.empty(len(y), dtype=np.int64)
    start = 0
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        fold_of[rows] = (start + np.arange(len(rows))) % folds
        start += len(rows)              # the next class continues the round: fold sizes differ by ≤ 1
    return fold_of


def held_out_case(X, y, fold_of, k: int, rng: np.random.Generator, folds: int = FOLDS) -> Case:
    """Fold ``k``: train on the other folds' rows, test on fold ``k``; relabelled, pixel-shuffled, noisy."""
    relabel, pixels = derangement(10, rng), rng.permutation(X.shape[1])
    X_new = (X[:, pixels] + rng.normal(0.0, NOISE, X.shape)).astype(np.float32)
    y_new = relabel[y]
    train = rng.permutation(np.flatnonzero(fold_of != k))
    test = rng.permutation(np.flatnonzero(fold_of == k))
    return Case(f"fold {k + 1} of {folds}: trained on {len(train)} new digits, ≥ {FULL_ACCURACY:.2f} right on "
                f"the {len(test)} it did not see",
                (X_new[train], y_new[train], X_new[test]), expected=y_new[test], assess=_judge,
                call="fit_predict", bind=False)


def held_out_cases(seed=None, folds: int = FOLDS) -> list[Case]:
    """One case per fold of the shipped digits, made new (see the module docstring).

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        ``None`` (the grader): a secret seed from :func:`secrets.randbits`, new at every call. An int
        gives the same folds every time (tests, benchmarks).
    folds : int
        Number of folds; every row is held out exactly once.
    """
    rng = np.random.default_rng(secrets.randbits(128) if seed is None else seed)
    X, y = load_digits()
    fold_of = stratified_folds(y, folds, rng)
    return [held_out_case(X, y, fold_of, k, rng, folds) for k in range(folds)]


# ------------------------------------------------------------------------------------ judging
def predicted_labels(output, n: int):
    """The predicted digits from ``predict``'s output: probabilities (n, 10) or labels (n,); else ``None``."""
    out = as_numeric(output)
    if out is None:
        return None
    if out.shape == (n, 10):
        return out.argmax(axis=1)
    if out.shape in ((n,), (n, 1)):
        return np.rint(out.reshape(-1).astype(float))
    return None


def accuracy(output, y_test):
    """Fraction of ``y_test`` predicted right; ``None`` if the output is not one prediction per row."""
    labels = predicted_labels(output, len(y_test))
    return None if labels is None else float(np.mean(labels == y_test))


def _judge(output, case):
    y_test = case.expected
    n = len(y_test)
    if output is None:
        return "your function returned None: end it with `return model` (the model it trained)"
    acc = accuracy(output, y_test)
    if acc is None:
        got = as_numeric(output)
        got = f"shape {got.shape}" if got is not None else f"{type(output).__name__}"
        return (f"model.predict(X_test) should give one row of 10 class probabilities per held-out image, "
                f"shape ({n}, 10) (or {n} labels 0-9); got {got}")
    if acc < FULL_ACCURACY:
        return (f"held-out accuracy {acc:.3f} on this fold; full points need {FULL_ACCURACY:.2f} on every "
                f"fold (partial credit from {PARTIAL_FROM:.2f})")
    return None


def fold_credit(result) -> float:
    """A fold's share of the points: 1 if it passed, linear from PARTIAL_FROM to FULL_ACCURACY, else 0.

    Read from the message :func:`_judge` wrote (anchored at its start, so a student's exception text
    cannot pose as one): ``score`` gets the results, not the (secret) cases.
    """
    if result.passed:
        return 1.0
    match = _ACCURACY_MESSAGE.match(result.message or "")
    if not match:
        return 0.0
    return min(max((float(match.group(1)) - PARTIAL_FROM) / (FULL_ACCURACY - PARTIAL_FROM), 0.0), 1.0)


def _score(results, outputs):
    """4 × the mean credit of the folds, rounded down to 0.1 (full points only when every fold passed)."""
    if not results:
        return 0.0
    mean = sum(fold_credit(r) for r in results) / len(results)
    return math.floor(4 * mean * 10 + 1e-9) / 10


def _well_formed(output, case):
    return predicted_labels(output, len(case.expected)) is not None


MISTAKES = [
    Mistake("the last line of train_digits_model should be `return model`: the grader needs the trained model",
            detect=lambda output, case: output is None),
    Mistake("the model's predictions contain NaN: training diverged (a learning rate too high?), or the "
            "model was never trained",
            detect=lambda output, case: _well_formed(output, case)
            and bool(np.isnan(np.asarray(output, dtype=float)).any())),
    Mistake("your model predicts the same digit for every image: it has not learned (train it on X_train, "
            "y_train for more epochs, or with another learning rate)",
            detect=lambda output, case: _well_formed(output, case)
            and len(np.unique(predicted_labels(output, len(case.expected)))) == 1),
    Mistake("the last layer must be Dense(10, activation='softmax'): one probability per digit",
            detect=lambda output, case: getattr(as_numeric(output), "ndim", 0) == 2
            and as_numeric(output).shape[0] == len(case.expected) and as_numeric(output).shape[1] != 10),
    Mistake(RENAMED_HINT,
            detect=lambda output, case: _well_formed(output, case) and accuracy(output, case.expected) < NEAR_CHANCE),
    Mistake(TRAIN_HINT, detect=lambda output, case: _well_formed(output, case)),
]


EXERCISES = [
    Exercise(
        name="train_digits_model", notebook="10", points=4,
        signature="train_digits_model(X_train, y_train)",
        summary="build and train a coursekit Sequential on X_train, y_train and return it; graded by its "
                "accuracy on held-out digits it never saw",
        build_cases=held_out_cases, score=_score, mistakes=MISTAKES, pure=False, secret=True,
        time_limit=TIME_LIMIT,
        concept=f"your function is graded on new data: the grader calls it {FOLDS} times, each time on digits "
                f"it never saw (renamed, pixels shuffled, a little noise), and counts how many of the "
                f"held-out digits its model gets right",
    ),
]
