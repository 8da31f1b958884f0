"""Notebook 01 — the perceptron's forward pass, ŷ = g(w0 + x·w) with the sigmoid g."""

from __future__ import annotations

import numpy as np

from coursekit.activations import sigmoid, tanh

from ._bans import FRAMEWORKS
from ._spec import Case, Exercise, Mistake, case_rng


def _reference(x, w0, w):
    return sigmoid(w0 + np.asarray(x, dtype=float) @ np.asarray(w, dtype=float))


def _cases():
    rng = case_rng(101)
    inputs = [
        ("lecture example: x = [-1, 2], w0 = 1, w = [3, -2] gives ŷ = g(-6) ≈ 0.002",
         np.array([-1.0, 2.0]), 1.0, np.array([3.0, -2.0])),
        ("x = [0, 0]: only the bias is left, ŷ = g(w0) = g(1)",
         np.array([0.0, 0.0]), 1.0, np.array([3.0, -2.0])),
        ("a batch X of shape (5, 3) gives 5 predictions, shape (5,)",
         rng.normal(size=(5, 3)), -0.5, rng.normal(size=3)),
        ("one feature, x of shape (1,)", np.array([2.0]), 0.5, np.array([-1.5])),
        ("huge inputs z = ±1000 (no overflow)", np.array([[1000.0], [-1000.0]]), 0.0, np.array([1.0])),
        ("integer inputs x = [1, 2], w0 = 1, w = [3, -2]", np.array([1, 2]), 1, np.array([3, -2])),
    ]
    return [Case(label, (x, w0, w), expected=_reference(x, w0, w)) for label, x, w0, w in inputs]


def _column(output, case):
    """The output is the right numbers as an (n, 1) column instead of shape (n,)."""
    out, want = np.asarray(output, dtype=float), np.asarray(case.expected, dtype=float)
    return want.ndim == 1 and out.shape == (len(want), 1) and np.allclose(out[:, 0], want, rtol=1e-5)


EXERCISES = [
    Exercise(
        name="perceptron_forward", notebook="01", points=2,
        concept="a perceptron weighs its inputs, adds the bias and squashes the sum: y_hat = g(w0 + x·w)",
        bans=("coursekit.activations:sigmoid", "coursekit.layers", "coursekit.model", "scipy.special", *FRAMEWORKS),
        signature="perceptron_forward(x, w0, w)",
        summary="ŷ = sigmoid(w0 + x·w) for one sample x (n_features,) or a batch (n, n_features)",
        build_cases=_cases,
        mistakes=[
            Mistake("return shape (n,), one number per sample, not a column (n, 1): with w of shape "
                    "(n_features,), x @ w is already 1-D (np.ravel a column if you built one)", detect=_column),
            Mistake("the bias w0 is missing: ŷ = g(w0 + x·w)", impl=lambda x, w0, w: sigmoid(x @ w)),
            Mistake("you returned z = w0 + x·w; apply the activation g (the sigmoid) to it",
                    impl=lambda x, w0, w: w0 + x @ w),
            Mistake("missing minus sign in the sigmoid: g(z) = 1 / (1 + e^(-z))",
                    impl=lambda x, w0, w: 1 / (1 + np.exp(w0 + x @ w))),
            Mistake("the bias is added, not subtracted: z = w0 + x·w",
                    impl=lambda x, w0, w: sigmoid(x @ w - w0)),
            Mistake("that is tanh; the perceptron here uses the sigmoid g(z) = 1 / (1 + e^(-z))",
                    impl=lambda x, w0, w: tanh(w0 + x @ w)),
        ],
    ),
]
