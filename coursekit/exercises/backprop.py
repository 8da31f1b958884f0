"""Notebook 06 — backpropagation through a 1-hidden-layer network (sigmoid, sigmoid, mean BCE)."""

from __future__ import annotations

import numpy as np

from coursekit.activations import sigmoid
from coursekit.layers import Dense
from coursekit.model import Sequential

from ._bans import FRAMEWORKS
from ._spec import Case, Exercise, Mistake, case_rng

NAMES = ("dW1", "db1", "dW2", "db2")


def _reference(X, y, W1, b1, W2, b2, hidden="sigmoid"):
    """coursekit's own backward pass: a Sequential with the same weights (``hidden`` activation, then a
    sigmoid output), the mean binary cross-entropy, float64."""
    model = Sequential([Dense(W1.shape[1], activation=hidden), Dense(W2.shape[1], activation="sigmoid")],
                       dtype="float64")
    model.build(W1.shape[0])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.set_weights([W1, b1, W2, b2])
    _, flat = model.loss_and_gradient(X, y)
    out, offset = [], 0
    for shape in (W1.shape, b1.shape, W2.shape, b2.shape):
        size = int(np.prod(shape))
        out.append(flat[offset:offset + size].reshape(shape))
        offset += size
    return tuple(out)


def _cases():
    return network_cases(601, [
        ("one sample, 2 inputs, 3 hidden units (the chain rule of the slides)", 1, 2, 3),
        ("a batch of 8 samples, 2 inputs, 3 hidden units", 8, 2, 3),
        ("16 samples, 3 inputs, 4 hidden units", 16, 3, 4),
        ("5 samples, 4 inputs, 1 hidden unit", 5, 4, 1),
    ])


def network_cases(seed, specs, hidden="sigmoid"):
    """One case per ``(label, n samples, n inputs, n hidden)``: random data and weights, coursekit's gradients."""
    rng = case_rng(seed)
    cases = []
    for label, n, n_in, h in specs:
        X = rng.normal(size=(n, n_in))
        y = rng.integers(0, 2, size=(n, 1)).astype(float)
        W1, b1 = rng.normal(scale=0.8, size=(n_in, h)), rng.normal(scale=0.3, size=h)
        W2, b2 = rng.normal(scale=0.8, size=(h, 1)), rng.normal(scale=0.3, size=1)
        args = (X, y, W1, b1, W2, b2)
        cases.append(Case(label, args, expected=_reference(*args, hidden=hidden), names=NAMES, rtol=1e-5,
                          atol=1e-9))
    return cases


def _wrong(X, y, W1, b1, W2, b2, *, mean=True, hidden_derivative=True, sign=1, output_derivative_twice=False):
    n = len(X) if mean else 1
    A1 = sigmoid(X @ W1 + b1)
    A2 = sigmoid(A1 @ W2 + b2)
    dZ2 = sign * (A2 - y) / n
    if output_derivative_twice:
        dZ2 = dZ2 * A2 * (1 - A2)
    dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * A1 * (1 - A1) if hidden_derivative else dA1
    return X.T @ dZ1, dZ1.sum(axis=0), dW2, db2


EXERCISES = [
    Exercise(
        name="backprop", notebook="06", points=3,
        concept="backpropagation applies the chain rule layer by layer, from the loss back to each weight",
        bans=("coursekit.model", "coursekit.layers", "coursekit.losses", "coursekit.gradcheck", "coursekit.viz", *FRAMEWORKS),
        signature="backprop(X, y, W1, b1, W2, b2)",
        summary="gradients (dW1, db1, dW2, db2) of the mean binary cross-entropy of "
                "sigmoid(sigmoid(X W1 + b1) W2 + b2); X (n, n_in), y (n, 1)",
        build_cases=_cases,
        mistakes=[
            Mistake("J(W) is the mean over the n samples: divide dJ/dz2 = (ŷ - y) by n",
                    impl=lambda *a: _wrong(*a, mean=False)),
            Mistake("the hidden layer's sigmoid needs its derivative too: dZ1 = (dZ2 W2ᵀ) * a1 (1 - a1)",
                    impl=lambda *a: _wrong(*a, hidden_derivative=False)),
            Mistake("missing minus sign: with a sigmoid output and cross-entropy, dJ/dz2 = (ŷ - y) / n, not (y - ŷ) / n",
                    impl=lambda *a: _wrong(*a, sign=-1)),
            Mistake("dJ/dz2 = (ŷ - y) / n already contains the output sigmoid's derivative; don't multiply by "
                    "ŷ(1 - ŷ) again", impl=lambda *a: _wrong(*a, output_derivative_twice=True)),
        ],
    ),
]
