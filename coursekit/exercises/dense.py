"""Notebook 03 — a Dense layer's forward pass for a whole batch, g(X W + b)."""

from __future__ import annotations

import numpy as np

from coursekit import activations as A
from coursekit.layers import Dense

from ._bans import FRAMEWORKS
from ._spec import Case, Exercise, Mistake, case_rng


def _reference(X, W, b, g):
    """coursekit's Dense layer, with W and b set by hand."""
    layer = Dense(W.shape[1], activation=g.__name__)
    layer(np.zeros((1, W.shape[0])))          # a first call builds the layer on its own (float64 weights)
    layer.W[...], layer.b[...] = W, b
    return layer.forward(np.asarray(X, dtype=float))


def _cases():
    rng = case_rng(301)
    specs = [
        ("one sample, 3 inputs, 2 outputs (the slide's multi-output perceptron), sigmoid", 1, 3, 2, A.sigmoid),
        ("a batch of 4 samples, 3 inputs, 4 outputs, relu", 4, 3, 4, A.relu),
        ("linear activation shows z = X W + b itself", 5, 3, 3, A.linear),
        ("one output unit, tanh: shape (6, 1)", 6, 2, 1, A.tanh),
        ("a square layer (3 inputs, 3 outputs), sigmoid", 3, 3, 3, A.sigmoid),
    ]
    cases = []
    for label, n, n_in, n_out, g in specs:
        X = rng.normal(size=(n, n_in))
        W = rng.normal(size=(n_in, n_out))
        b = rng.normal(size=n_out)
        cases.append(Case(label, (X, W, b, g), expected=_reference(X, W, b, g)))
    return cases


EXERCISES = [
    Exercise(
        name="dense_forward", notebook="03", points=2,
        concept="a dense layer is many perceptrons at once: every unit sees every input, g(X W + b)",
        bans=("coursekit.layers", "coursekit.model", "coursekit._threaded_landscape", *FRAMEWORKS),
        signature="dense_forward(X, W, b, g)",
        summary="g(X @ W + b) with X (n, n_in), W (n_in, n_out), b (n_out,), g an activation function",
        build_cases=_cases,
        mistakes=[
            Mistake("the bias b is missing: a = g(X W + b)", impl=lambda X, W, b, g: g(X @ W)),
            Mistake("apply the activation g to z = X W + b", impl=lambda X, W, b, g: X @ W + b),
            Mistake("add the bias before the activation: g(X W + b), not g(X W) + b",
                    impl=lambda X, W, b, g: g(X @ W) + b),
            Mistake("W has shape (n_in, n_out): compute X @ W, not X @ W.T", impl=lambda X, W, b, g: g(X @ W.T + b)),
            Mistake("the bias is added: z = X W + b", impl=lambda X, W, b, g: g(X @ W - b)),
        ],
    ),
]
