"""Notebook 10 — a model trained on the real digits, scored by its accuracy on the fixed test split."""

from __future__ import annotations

import numpy as np

from coursekit.datasets import load_digits, train_test_split

from ._judging import as_numeric
from ._spec import Case, Exercise

FULL_ACCURACY = 0.97
PARTIAL_FROM = 0.90


def digits_split():
    """The fixed split every student and the grader use: ``train_test_split(X, y, 0.2, seed=0, stratify=True)``."""
    X, y = load_digits()
    return train_test_split(X, y, test_size=0.2, seed=0, stratify=True)


def accuracy(output, y_test):
    """Accuracy of ``predict``'s output: class probabilities (n, 10) or labels (n,); ``None`` if malformed."""
    out = as_numeric(output)
    if out is None:
        return None
    if out.ndim == 2 and out.shape == (len(y_test), 10):
        labels = out.argmax(axis=1)
    elif out.shape in ((len(y_test),), (len(y_test), 1)):
        labels = np.rint(out.reshape(-1))
    else:
        return None
    return float(np.mean(labels == y_test))


def _judge(output, case):
    y_test = case.expected
    acc = accuracy(output, y_test)
    if acc is None:
        return (f"model.predict(X_test) should give one row of 10 class probabilities per test image, "
                f"shape ({len(y_test)}, 10); got {getattr(as_numeric(output), 'shape', type(output).__name__)}")
    if acc < FULL_ACCURACY:
        return (f"test accuracy {acc:.3f}; full points need {FULL_ACCURACY:.2f} "
                f"(partial credit above {PARTIAL_FROM:.2f})")
    return None


def _score(results, outputs):
    acc = accuracy(outputs[0], digits_split()[3]) if outputs and outputs[0] is not None else None
    if acc is None or acc <= PARTIAL_FROM:
        return 0.0
    return round(4 * min((acc - PARTIAL_FROM) / (FULL_ACCURACY - PARTIAL_FROM), 1.0), 1)


def _cases():
    _, X_test, _, y_test = digits_split()
    return [Case(f"test accuracy ≥ {FULL_ACCURACY:.2f} on the {len(y_test)} test images of the fixed split",
                 (X_test,), expected=y_test, assess=_judge, call="predict",
                 hint="train longer, with more hidden units, or with Adam; check that the last layer is "
                      "Dense(10, activation='softmax')")]


EXERCISES = [
    Exercise(
        name="digits_model", notebook="10", points=4, kind="object", variable="model",
        signature="model",
        summary="a trained coursekit Sequential `model`; scored by model.predict(X_test) on the fixed split",
        build_cases=_cases, score=_score,
    ),
]
