"""Notebook 02 — the derivatives of the activation functions (elementwise)."""

from __future__ import annotations

import numpy as np

from coursekit import activations as A

from ._bans import FRAMEWORKS
from ._spec import Case, Exercise, Mistake, case_rng


def _inputs(seed):
    rng = case_rng(seed)
    return [
        ("z = 0", np.array([0.0])),
        ("z from -5 to 5", np.linspace(-5, 5, 11)),
        ("huge z = [-1000, 1000] (no overflow, no NaN)", np.array([-1000.0, 1000.0])),
        ("a 2-D array keeps its shape (3, 4)", rng.normal(scale=3, size=(3, 4))),
        ("float32 input", rng.normal(size=6).astype(np.float32)),
        ("integer input z = [-2, -1, 0, 1, 2]", np.arange(-2, 3)),
    ]


def _cases_for(reference, seed, first_label, overflow_hint):
    cases = []
    for label, z in _inputs(seed):
        if label == "z = 0":
            label = first_label
        rtol = 1e-4 if z.dtype == np.float32 else 1e-6
        hint = overflow_hint if label.startswith("huge") else None
        cases.append(Case(label, (z,), expected=reference(z.astype(float)), rtol=rtol, atol=1e-7, hint=hint))
    return cases


def _sigmoid_cases():
    return _cases_for(A.sigmoid_derivative, 201, "g'(0) = g(0)(1 - g(0)) = 0.25",
                      "e^(-z) overflows for z = -1000: compute g = sigmoid(z) first (np.exp of a large "
                      "number is inf), then return g * (1 - g)")


def _tanh_cases():
    return _cases_for(A.tanh_derivative, 202, "g'(0) = 1 - tanh(0)² = 1",
                      "e^z overflows for z = 1000 (inf / inf = NaN): use np.tanh(z), then 1 - g²")


def _relu_cases():
    return _cases_for(A.relu_derivative, 203, "g'(0) = 0 (ReLU's derivative at 0, as in TensorFlow and PyTorch)",
                      None)


EXERCISES = [
    Exercise(
        name="sigmoid_derivative", notebook="02", points=1,
        concept="the sigmoid's slope can be written with the sigmoid itself: g'(z) = g(z)(1 - g(z))",
        bans=("coursekit.activations:sigmoid_derivative", *FRAMEWORKS),
        signature="sigmoid_derivative(z)",
        summary="g'(z) = g(z)(1 - g(z)) with g the sigmoid, elementwise",
        build_cases=_sigmoid_cases,
        mistakes=[
            Mistake("that is the sigmoid g(z) itself; its derivative is g'(z) = g(z)(1 - g(z))",
                    impl=A.sigmoid),
            Mistake("use g(z) = sigmoid(z), not z: g'(z) = g(z)(1 - g(z))", impl=lambda z: z * (1 - z)),
            Mistake("g'(z) = g(z)(1 - g(z)): you wrote 1 - g(z)", impl=lambda z: 1 - A.sigmoid(z)),
            Mistake("g'(z) = g(z)(1 - g(z)): mind the minus sign", impl=lambda z: A.sigmoid(z) * (1 + A.sigmoid(z))),
            Mistake("that is tanh's derivative; the sigmoid's is g(z)(1 - g(z))", impl=A.tanh_derivative),
        ],
    ),
    Exercise(
        name="tanh_derivative", notebook="02", points=1,
        concept="tanh's slope can be written with tanh itself: g'(z) = 1 - g(z)²",
        bans=("coursekit.activations:tanh_derivative", *FRAMEWORKS),
        signature="tanh_derivative(z)",
        summary="g'(z) = 1 - g(z)² with g = tanh, elementwise",
        build_cases=_tanh_cases,
        mistakes=[
            Mistake("that is tanh itself; its derivative is g'(z) = 1 - g(z)²", impl=A.tanh),
            Mistake("g'(z) = 1 - g(z)²: square g(z) (you wrote 1 - g(z))", impl=lambda z: 1 - np.tanh(z)),
            Mistake("use g(z) = tanh(z), not z: g'(z) = 1 - tanh(z)²", impl=lambda z: 1 - np.asarray(z, float) ** 2),
            Mistake("g'(z) = 1 - g(z)²: mind the minus sign", impl=lambda z: 1 + np.tanh(z) ** 2),
            Mistake("that is the sigmoid's derivative; tanh's is 1 - tanh(z)²", impl=A.sigmoid_derivative),
        ],
    ),
    Exercise(
        name="relu_derivative", notebook="02", points=1,
        concept="ReLU is flat (slope 0) for z <= 0 and the identity (slope 1) for z > 0",
        bans=("coursekit.activations:relu_derivative", *FRAMEWORKS),
        signature="relu_derivative(z)",
        summary="g'(z) = 1 where z > 0, else 0 (also at z = 0), elementwise",
        build_cases=_relu_cases,
        mistakes=[
            Mistake("at z = 0 the derivative is 0 here: use z > 0, not z >= 0",
                    impl=lambda z: (np.asarray(z) >= 0).astype(float)),
            Mistake("that is ReLU itself, max(0, z); its derivative is 1 where z > 0 and 0 elsewhere",
                    impl=A.relu),
            Mistake("the step goes the other way: 1 where z > 0, 0 where z <= 0",
                    impl=lambda z: (np.asarray(z) <= 0).astype(float)),
        ],
    ),
]
