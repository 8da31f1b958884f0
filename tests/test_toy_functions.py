"""Toy loss surfaces: gradients agree with finite differences; the 1-D curve shows all three regimes."""

import numpy as np
import pytest

from coursekit import toy_functions
from coursekit.gradient_descent import gradient_descent


def numeric_gradient(fn, w, h=1e-6):
    g = np.zeros(2)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        g[i] = (fn.value(w + e) - fn.value(w - e)) / (2 * h)
    return g


@pytest.mark.parametrize("name", toy_functions.NAMES)
def test_gradients_match_finite_differences(name):
    fn = toy_functions.get(name)
    rng = np.random.default_rng(0)
    for _ in range(20):
        w = np.array([rng.uniform(*fn.xlim), rng.uniform(*fn.ylim)])
        np.testing.assert_allclose(fn.gradient(w), numeric_gradient(fn, w), rtol=1e-5, atol=1e-6)
    assert np.allclose(fn.gradient(np.array(fn.minimum)), 0, atol=1e-6)


def test_vectorised_grid():
    fn = toy_functions.get("valley")
    W1, W2, Z = fn.grid(31)
    assert Z.shape == (31, 31)
    assert Z[15, 7] == pytest.approx(float(fn.value(np.array([W1[15, 7], W2[15, 7]]))))
    assert fn.gradient(np.zeros((4, 5, 2))).shape == (4, 5, 2)


def test_false_minimum_is_a_local_minimum():
    fn = toy_functions.false_minimum()
    local = np.array(fn.local_minima[0])
    assert np.linalg.norm(fn.gradient(local)) < 1e-6
    assert fn.value(local) > fn.value(np.array(fn.minimum))


@pytest.mark.parametrize("eta, where", [(0.05, "local"), (0.5, "global"), (3.0, "diverged")])
def test_one_d_curve_regimes(eta, where):
    c = toy_functions.false_minimum_1d()
    r = gradient_descent(c.gradient, np.array([c.start]), eta, 100)
    if where == "diverged":
        assert r.diverged
    else:
        target = c.local_minima[0] if where == "local" else c.minimum
        assert abs(r.w[0] - target) < 1e-3


def test_from_grid_interpolates_and_differentiates():
    bowl = toy_functions.bowl()
    x = np.linspace(-3, 3, 61)
    X, Y = np.meshgrid(x, x)
    fn = toy_functions.from_grid(x, x, bowl.value_fn(X, Y), name="sampled")
    w = np.array([0.73, -1.21])
    assert fn.value(w) == pytest.approx(bowl.value(w), abs=0.01)
    np.testing.assert_allclose(fn.gradient(w), bowl.gradient(w), atol=0.06)
    assert fn.minimum == (0.0, 0.0)
    with pytest.raises(ValueError, match="Z must have shape"):
        toy_functions.from_grid(x, x, np.zeros((3, 3)))


def test_unknown_name_lists_known():
    with pytest.raises(ValueError, match="valley"):
        toy_functions.get("saddle")
