"""The lecture's gradient descent algorithm on plain functions J(w)."""

import numpy as np
import pytest

from coursekit.gradient_descent import gradient_descent, gradient_descent_step


def test_one_step_is_w_minus_eta_times_the_gradient():
    np.testing.assert_allclose(gradient_descent_step(np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.1),
                               [0.95, -2.05])


def test_converges_on_a_bowl_with_a_stable_rate():
    # J(w) = (w1 - 1)^2 + 4 (w2 + 2)^2, minimum at (1, -2)
    loss = lambda w: (w[0] - 1) ** 2 + 4 * (w[1] + 2) ** 2
    grad = lambda w: np.array([2 * (w[0] - 1), 8 * (w[1] + 2)])
    result = gradient_descent(grad, [4.0, 3.0], learning_rate=0.1, steps=500, loss=loss, tol=1e-8)
    assert result.converged and not result.diverged
    np.testing.assert_allclose(result.w, [1, -2], atol=1e-7)
    assert np.all(np.diff(result.losses) <= 0)                 # every step goes downhill
    np.testing.assert_array_equal(result.path[0], [4, 3])
    assert result.steps == len(result.losses) - 1


def test_small_rate_is_slow_and_large_rate_diverges_with_a_message():
    loss = lambda w: w[0] ** 2
    grad = lambda w: 2 * w
    slow = gradient_descent(grad, [1.0], learning_rate=1e-3, steps=100, loss=loss)
    assert slow.losses[-1] > 0.5                                # has barely moved
    wild = gradient_descent(grad, [1.0], learning_rate=1.5, steps=200, loss=loss)
    assert wild.diverged and "learning rate 1.5 is too large" in wild.message
    assert np.all(np.isfinite(wild.path))


def test_bad_arguments():
    with pytest.raises(ValueError, match="learning_rate must be a positive number; received learning_rate=0"):
        gradient_descent(lambda w: w, [1.0], learning_rate=0)
    with pytest.raises(TypeError, match="grad must be a function"):
        gradient_descent([1, 2], [1.0])
    with pytest.raises(ValueError, match=r"grad\(w\) returned shape \(3,\) but w has shape \(2,\)"):
        gradient_descent(lambda w: np.ones(3), [1.0, 2.0])
