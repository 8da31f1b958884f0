"""Notebook 04 — the empirical loss J(W): binary cross-entropy and mean squared error (means, not sums)."""

from __future__ import annotations

import numpy as np

from coursekit.losses import BinaryCrossentropy, MeanSquaredError

from ._bans import FRAMEWORKS
from ._spec import Case, Exercise, Mistake, case_rng


def _bce_cases():
    rng = case_rng(401)
    data = [
        ("lecture example 'Will I pass this class?': y = [1, 0, 1], ŷ = [0.1, 0.8, 0.6]",
         np.array([1.0, 0.0, 1.0]), np.array([0.1, 0.8, 0.6])),
        ("good predictions give a small loss", np.array([1.0, 0.0, 0.0, 1.0]), np.array([0.95, 0.02, 0.1, 0.9])),
        ("a single sample, shape (1,)", np.array([0.0]), np.array([0.3])),
        ("column vectors, shape (4, 1)", np.array([[1.0], [0.0], [1.0], [1.0]]), np.array([[0.7], [0.2], [0.4], [0.99]])),
        ("50 random samples", rng.integers(0, 2, 50).astype(float), rng.uniform(0.02, 0.98, 50)),
    ]
    loss = BinaryCrossentropy()
    return [Case(label, (y, p), expected=loss(y, p)) for label, y, p in data]


def _mse_cases():
    rng = case_rng(402)
    data = [
        ("lecture example: grades y = [90, 20, 95], predicted ŷ = [30, 80, 85]",
         np.array([90.0, 20.0, 95.0]), np.array([30.0, 80.0, 85.0])),
        ("perfect predictions give 0", np.array([1.5, -2.0, 3.0]), np.array([1.5, -2.0, 3.0])),
        ("a single sample, shape (1,)", np.array([2.0]), np.array([-1.0])),
        ("column vectors, shape (4, 1)", np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([[1.5], [1.0], [3.5], [2.0]])),
        ("50 random samples", rng.normal(size=50), rng.normal(size=50)),
    ]
    loss = MeanSquaredError()
    return [Case(label, (y, p), expected=loss(y, p)) for label, y, p in data]


def _bce_terms(y, p):
    return y * np.log(p) + (1 - y) * np.log(1 - p)


EXERCISES = [
    Exercise(
        name="binary_cross_entropy", notebook="04", points=2,
        concept="the cross entropy averages -log of the probability the model gave to the true label",
        bans=("coursekit.losses", "coursekit.model", *FRAMEWORKS),
        signature="binary_cross_entropy(y, y_hat)",
        summary="J = -mean( y log ŷ + (1 - y) log(1 - ŷ) ) over the samples",
        build_cases=_bce_cases,
        mistakes=[
            Mistake("use the natural log, np.log: np.log2 measures the loss in bits and makes it 1/ln 2 ≈ 1.44 "
                    "times too large", impl=lambda y, p: -np.mean(y * np.log2(p) + (1 - y) * np.log2(1 - p))),
            Mistake("use the natural log, np.log: np.log10 makes the loss ln 10 ≈ 2.3 times too small",
                    impl=lambda y, p: -np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p))),
            Mistake("sum instead of mean: the empirical loss J(W) is the mean over the n samples "
                    "(np.mean, or divide the sum by n)", impl=lambda y, p: -np.sum(_bce_terms(y, p))),
            Mistake("missing minus sign: J = -mean( y log ŷ + (1 - y) log(1 - ŷ) ) is positive",
                    impl=lambda y, p: np.mean(_bce_terms(y, p))),
            Mistake("the (1 - y) log(1 - ŷ) term is missing: samples with y = 0 count too",
                    impl=lambda y, p: -np.mean(y * np.log(p))),
            Mistake("use the natural logarithm np.log", impl=lambda y, p: -np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p))),
            Mistake("the arguments are (y, y_hat): true labels first, predictions second",
                    impl=lambda y, p: -np.mean(_bce_terms(p, y))),
        ],
    ),
    Exercise(
        name="mean_squared_error", notebook="04", points=2,
        concept="the mean squared error averages the squared distance between label and prediction",
        bans=("coursekit.losses", "coursekit.model", *FRAMEWORKS),
        signature="mean_squared_error(y, y_hat)",
        summary="J = mean( (y - ŷ)² ) over the samples",
        build_cases=_mse_cases,
        mistakes=[
            Mistake("sum instead of mean: the empirical loss J(W) is the mean over the n samples "
                    "(np.mean, or divide the sum by n)", impl=lambda y, p: np.sum((y - p) ** 2)),
            Mistake("square the errors: mean((y - ŷ)²)", impl=lambda y, p: np.mean(y - p)),
            Mistake("that is the mean absolute error; square the errors instead", impl=lambda y, p: np.mean(np.abs(y - p))),
            Mistake("no square root: the mean squared error is mean((y - ŷ)²), not its root",
                    impl=lambda y, p: np.sqrt(np.mean((y - p) ** 2))),
            Mistake("no factor 1/2 here: J = mean((y - ŷ)²)", impl=lambda y, p: 0.5 * np.mean((y - p) ** 2)),
        ],
    ),
]
