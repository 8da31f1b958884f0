"""Activations: the slide's formulas, their derivatives against finite differences, stability."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from coursekit import activations
from coursekit.gradcheck import numerical_gradient

ELEMENTWISE = ["sigmoid", "tanh", "relu", "linear"]


def test_lecture_perceptron_example():
    # ŷ = g(1 + 3 x1 − 2 x2) at X = [−1, 2]: g(1 + (3 * −1) − (2 * 2)) = g(−6) ≈ 0.002
    w0, w, x = 1.0, np.array([3.0, -2.0]), np.array([-1.0, 2.0])
    z = w0 + x @ w
    assert z == -6
    assert round(float(activations.sigmoid(z)), 3) == 0.002


def test_formulas_match_the_slides():
    z = np.linspace(-4, 4, 41)
    np.testing.assert_allclose(activations.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(activations.tanh(z), (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)), rtol=1e-12)
    np.testing.assert_array_equal(activations.relu(z), np.maximum(0, z))
    g = activations.sigmoid(z)
    np.testing.assert_allclose(activations.sigmoid_derivative(z), g * (1 - g))
    np.testing.assert_allclose(activations.tanh_derivative(z), 1 - np.tanh(z) ** 2)
    np.testing.assert_array_equal(activations.relu_derivative(z), (z > 0).astype(float))
    assert activations.relu_derivative(np.array([0.0]))[0] == 0


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=30, deadline=None)
@given(z=arrays(np.float64, st.integers(1, 20), elements=st.floats(-8, 8).filter(lambda v: abs(v) > 1e-3)))
def test_derivatives_match_finite_differences(name, z):
    act = activations.get(name)
    numeric = numerical_gradient(lambda v: float(np.sum(act.function(v))), z.copy())
    np.testing.assert_allclose(act.derivative(z), numeric, atol=1e-7)
    np.testing.assert_allclose(act.derivative_from_output(act.function(z)), act.derivative(z), atol=1e-12)


def test_sigmoid_is_stable_for_huge_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = activations.sigmoid(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))
        np.testing.assert_allclose(values, [0.0, 1.9287498479639178e-22, 0.5, 1.0, 1.0])
        assert activations.sigmoid(np.float32(-1000)).dtype == np.float32
        assert np.all(np.isfinite(activations.softmax(np.array([[1000.0, -1000.0, 0.0]]))))


def test_softmax_rows_sum_to_one_and_backward_is_the_jacobian():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3, 4))
    a = activations.softmax(z)
    np.testing.assert_allclose(a.sum(axis=1), 1)
    upstream = rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda v: float(np.sum(activations.softmax(v) * upstream)), z.copy())
    np.testing.assert_allclose(activations.softmax_backward(a, upstream), numeric, atol=1e-8)


def test_get_accepts_names_none_and_objects_and_lists_known_names():
    assert activations.get("ReLU").name == "relu"
    assert activations.get(None).name == "linear"
    act = activations.get("tanh")
    assert activations.get(act) is act
    with pytest.raises(ValueError, match="unknown activation 'rleu'; known activations: 'sigmoid'"):
        activations.get("rleu")
    with pytest.raises(TypeError, match="activation must be a name"):
        activations.get(3)
