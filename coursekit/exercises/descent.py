"""Notebook 05 — gradient descent: one update W <- W - η dJ/dW, and the loop."""

from __future__ import annotations

from functools import partial

import numpy as np

from coursekit.gradient_descent import gradient_descent as reference_descent
from coursekit.gradient_descent import gradient_descent_step as reference_step

from ._calls import quadratic_gradient
from ._bans import FRAMEWORKS
from ._spec import Case, Exercise, Mistake, case_rng


def _step_cases():
    rng = case_rng(501)
    data = [
        ("w = [1, 2], gradient [0.5, -1], η = 0.1", np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.1),
        ("one weight, shape (1,)", np.array([3.0]), np.array([6.0]), 0.25),
        ("a weight matrix of shape (3, 2)", rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), 0.01),
        ("a zero gradient leaves w unchanged", np.array([0.3, -0.7]), np.zeros(2), 0.5),
    ]
    return [Case(label, (w, g, lr), expected=reference_step(w, g, lr)) for label, w, g, lr in data]


def _random_bowl(rng, n=3):
    """A random bowl J(w) = ½ wᵀAw - cᵀw in n-D (A symmetric positive definite), a random start, 30 steps."""
    M = rng.normal(size=(n, n))
    A = M @ M.T / n + np.eye(n)
    eta = 0.5 / np.linalg.eigvalsh(A).max()              # stable: below 2 / largest curvature
    return (f"a random bowl in {n}-D, from a random w0, η = 0.5 / largest curvature, 30 steps",
            A, rng.normal(size=n), rng.normal(scale=2.0, size=n), float(eta), 30)


def _loop_cases():
    specs = [
        ("J(w) = (w - 3)², from w0 = [0], η = 0.1, 20 steps", np.array([[2.0]]), np.array([3.0]), np.array([0.0]), 0.1, 20),
        ("a bowl in 2-D, from w0 = [4, -3], η = 0.1, 50 steps",
         np.array([[1.0, 0.0], [0.0, 3.0]]), np.array([1.0, 2.0]), np.array([4.0, -3.0]), 0.1, 50),
        ("3 steps only (count them)", np.array([[1.0, 0.5], [0.5, 2.0]]), np.array([0.0, 1.0]), np.array([2.0, 2.0]), 0.2, 3),
        ("steps = 1: one update", np.array([[2.0]]), np.array([3.0]), np.array([0.0]), 0.1, 1),
        ("steps = 0 returns w0", np.array([[2.0]]), np.array([3.0]), np.array([5.0]), 0.1, 0),
        _random_bowl(case_rng(502)),
    ]
    cases = []
    for label, A, c, w0, lr, n in specs:
        grad = partial(quadratic_gradient, A=A, c=c)
        expected = reference_descent(grad, w0, learning_rate=lr, steps=n).w
        cases.append(Case(label, (grad, w0, lr, n), expected=expected))
    return cases


def _loop(grad_fn, w0, lr, n, sign=-1, eval_at_w0=False):
    w = np.array(w0, dtype=float)
    for _ in range(max(n, 0)):
        w = w + sign * lr * np.asarray(grad_fn(w0 if eval_at_w0 else w))
    return w


EXERCISES = [
    Exercise(
        name="gradient_descent_step", notebook="05", points=1,
        concept="one step of gradient descent moves the weights a little against the gradient",
        bans=("coursekit.gradient_descent", "coursekit.optimizers", *FRAMEWORKS),
        signature="gradient_descent_step(w, grad, learning_rate)",
        summary="w - learning_rate * grad",
        build_cases=_step_cases, pure=False,
        mistakes=[
            Mistake("missing minus sign: step against the gradient, w - η ∇J (a plus climbs uphill)",
                    impl=lambda w, g, lr: w + lr * g),
            Mistake("multiply the gradient by the learning rate η", impl=lambda w, g, lr: w - g),
            Mistake("multiply by the learning rate η, don't divide", impl=lambda w, g, lr: w - g / lr),
            Mistake("return the updated weights w - η ∇J, not only the step", impl=lambda w, g, lr: -lr * g),
        ],
    ),
    Exercise(
        name="gradient_descent", notebook="05", points=2,
        concept="gradient descent repeats the same small step downhill, from where the last step ended",
        bans=("coursekit.gradient_descent", "coursekit.optimizers", "coursekit.viz", "scipy.optimize", *FRAMEWORKS),
        signature="gradient_descent(grad_fn, w0, learning_rate, steps)",
        summary="start at w0 and apply w <- w - learning_rate * grad_fn(w) steps times; return the final w",
        build_cases=_loop_cases, pure=True,
        inplace_hint="w -= ... changed the caller's w0: start from a copy, w = np.array(w0, dtype=float), "
                     "and update that",
        mistakes=[
            Mistake("missing minus sign: step against the gradient, w - η ∇J(w)",
                    impl=lambda f, w0, lr, n: _loop(f, w0, lr, n, sign=+1)),
            Mistake("off by one: do exactly steps updates (for _ in range(steps))",
                    impl=lambda f, w0, lr, n: _loop(f, w0, lr, n + 1)),
            Mistake("off by one: do exactly steps updates (for _ in range(steps))",
                    impl=lambda f, w0, lr, n: _loop(f, w0, lr, n - 1)),
            Mistake("evaluate the gradient at the current w, not at w0",
                    impl=lambda f, w0, lr, n: _loop(f, w0, lr, n, eval_at_w0=True)),
            Mistake("w never changes: assign the update, w = w - η ∇J(w), and return w",
                    impl=lambda f, w0, lr, n: np.array(w0, dtype=float)),
        ],
    ),
]
