"""Notebook 07 — one step of Adam (Kingma & Ba, 2014), bias-corrected, t counting from 1."""

from __future__ import annotations

import numpy as np

from coursekit.optimizers import Adam

from ._bans import FRAMEWORKS
from ._spec import Case, Exercise, Mistake, case_rng

NAMES = ("w", "m", "v")


def _reference(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """coursekit's Adam, with its state set to (m, v) after t - 1 steps."""
    opt = Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
    w = np.array(w, dtype=float)
    opt.build(w.size, w.dtype)
    opt.m[:] = np.ravel(m)
    opt.v[:] = np.ravel(v)
    opt.iterations = t - 1
    opt.apply([np.asarray(g, dtype=float)], [w])
    return w, opt.m.reshape(w.shape).copy(), opt.v.reshape(w.shape).copy()


def _cases():
    rng = case_rng(701)
    cases = []
    w, g = np.array([1.0, -2.0, 0.5]), np.array([0.3, -0.1, 2.0])
    z = np.zeros(3)
    cases.append(Case("first step (t = 1) from m = v = 0 with the defaults: each weight moves by about η",
                      (w, g, z, z, 1), expected=_reference(w, g, z, z, 1), names=NAMES))
    w2, g2 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    m2, v2 = rng.normal(scale=0.1, size=(2, 3)), rng.uniform(0.01, 0.1, size=(2, 3))
    cases.append(Case("t = 10 with moments from earlier steps, weights of shape (2, 3)",
                      (w2, g2, m2, v2, 10), expected=_reference(w2, g2, m2, v2, 10), names=NAMES))
    kw = dict(learning_rate=0.1, beta_1=0.5, beta_2=0.8, epsilon=0.1)
    m3, v3 = np.array([0.2, -0.1]), np.array([0.05, 0.3])
    w3, g3 = np.array([0.5, 0.5]), np.array([1.0, -3.0])
    cases.append(Case("t = 2, learning_rate=0.1, beta_1=0.5, beta_2=0.8, epsilon=0.1 (given by keyword)",
                      (w3, g3, m3, v3, 2), dict(kw), expected=_reference(w3, g3, m3, v3, 2, **kw), names=NAMES))
    grads = [rng.normal(size=4) for _ in range(3)]
    w4 = rng.normal(size=4)
    expected = (w4, np.zeros(4), np.zeros(4))
    for t, gt in enumerate(grads, start=1):
        expected = _reference(expected[0], gt, expected[1], expected[2], t, learning_rate=0.01)
    cases.append(Case("three steps in a row (t = 1, 2, 3), learning_rate=0.01", (w4, grads, np.zeros(4), np.zeros(4)),
                      dict(learning_rate=0.01), expected=expected, names=NAMES, call="three_steps",
                      bind=False))
    return cases


def _adam(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, *, correct=True,
          eps_inside=False, t_offset=0, sign=-1, square=True):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * (g * g if square else g)
    t = t + t_offset
    m_hat = m / (1 - beta_1 ** t) if correct else m
    v_hat = v / (1 - beta_2 ** t) if correct else v
    denominator = np.sqrt(v_hat + epsilon) if eps_inside else np.sqrt(v_hat) + epsilon
    return w + sign * learning_rate * m_hat / denominator, m, v


def _mistake(**options):
    def impl(*args, **kw):
        return _adam(*args, **kw, **options)
    return impl


EXERCISES = [
    Exercise(
        name="adam_step", notebook="07", points=3,
        concept="Adam keeps running averages of the gradient (m) and its square (v), bias-corrected, per weight",
        bans=("coursekit.optimizers", "coursekit._adam_in_place", *FRAMEWORKS),
        signature="adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8)",
        summary="m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²; m̂ = m/(1-β1^t); v̂ = v/(1-β2^t); "
                "w = w - η m̂/(√v̂ + ε); return (w, m, v)",
        build_cases=_cases, pure=False,
        mistakes=[
            Mistake("bias correction is missing: divide m by (1 - β1^t) and v by (1 - β2^t) before the update",
                    impl=_mistake(correct=False)),
            Mistake("ε goes outside the square root: w - η m̂ / (√v̂ + ε)", impl=_mistake(eps_inside=True)),
            Mistake("t counts from 1 and is given to you: use β1**t and β2**t as they are",
                    impl=_mistake(t_offset=-1)),
            Mistake("t counts from 1 and is given to you: use β1**t and β2**t as they are",
                    impl=_mistake(t_offset=1)),
            Mistake("missing minus sign: step against the gradient, w - η m̂ / (√v̂ + ε)", impl=_mistake(sign=1)),
            Mistake("v averages the squared gradient: v = β2 v + (1 - β2) g²", impl=_mistake(square=False)),
        ],
    ),
]
