"""Losses: the slide formulas, J(W) as the mean, logits paths, and labels that do not fit."""

import warnings

import numpy as np
import pytest

from coursekit import losses
from coursekit.activations import sigmoid, softmax
from coursekit.gradcheck import numerical_gradient


def test_binary_cross_entropy_is_the_formula_and_j_is_the_mean():
    y = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.2, 0.4, 0.6])
    per_point = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    bce = losses.BinaryCrossentropy()
    np.testing.assert_allclose(bce.per_sample(y, p[:, None]), per_point)
    assert bce(y, p[:, None]) == pytest.approx(per_point.mean())
    assert losses.get("binary_crossentropy")(y, p) == pytest.approx(per_point.mean())


def test_mean_squared_error_is_the_formula():
    y, y_hat = np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.0])
    assert losses.get("mse")(y, y_hat[:, None]) == pytest.approx(np.mean((y - y_hat) ** 2))
    assert losses.get("mean_squared_error")(y, y_hat) == pytest.approx((0.25 + 0 + 1) / 3)


def test_categorical_accepts_integer_labels_and_one_hot_rows():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    expected = -np.mean(np.log([0.7, 0.8]))
    assert losses.get("sparse_categorical_crossentropy")([0, 2], p) == pytest.approx(expected)
    assert losses.get("categorical_crossentropy")([[1, 0, 0], [0, 0, 1]], p) == pytest.approx(expected)


@pytest.mark.parametrize("loss_cls, activation, y", [
    (losses.BinaryCrossentropy, sigmoid, np.array([[1.0], [0.0], [1.0]])),
    (losses.CategoricalCrossentropy, softmax, np.array([0, 2, 1])),
])
def test_from_logits_equals_probabilities_and_is_stable(loss_cls, activation, y):
    z = np.array([[0.3, -1.0, 2.0], [1.5, 0.2, -0.7], [-2.0, 0.0, 0.5]])
    if loss_cls is losses.BinaryCrossentropy:
        z = z[:, :1]
    assert loss_cls(from_logits=True)(y, z) == pytest.approx(loss_cls()(y, activation(z)), rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = loss_cls(from_logits=True)(y, z * 1e4)
    assert np.isfinite(huge) and huge > 100


@pytest.mark.parametrize("loss, y, pred", [
    (losses.BinaryCrossentropy(), np.array([1, 0, 1]), np.array([[0.3], [0.6], [0.9]])),
    (losses.BinaryCrossentropy(from_logits=True), np.array([1, 0, 1]), np.array([[0.3], [-1.6], [2.9]])),
    (losses.MeanSquaredError(), np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([[0.5, 2.5], [0.3, -0.2]])),
    (losses.CategoricalCrossentropy(), np.array([0, 1]), np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]])),
    (losses.CategoricalCrossentropy(from_logits=True), np.array([0, 1]), np.array([[0.5, 0.3, 0.2], [0.1, 2.0, 0.3]])),
])
def test_gradient_of_the_empirical_loss_matches_finite_differences(loss, y, pred):
    numeric = numerical_gradient(lambda p: loss(y, p), pred.copy())
    np.testing.assert_allclose(loss.gradient(y, pred), numeric, rtol=1e-6, atol=1e-9)


def test_probabilities_of_exactly_zero_or_one_do_not_give_inf_or_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = losses.BinaryCrossentropy()([1, 0], np.array([[0.0], [1.0]]))
    assert np.isfinite(value) and value > 10


@pytest.mark.parametrize("call, match", [
    (lambda: losses.BinaryCrossentropy()([0, 2], [[0.5], [0.5]]), r"labels y in \[0, 1\].*received a label 2"),
    (lambda: losses.BinaryCrossentropy()([0, 1, 1], [[0.5], [0.5]]), r"y has shape \(3, 1\) but the predictions have shape \(2, 1\)"),
    (lambda: losses.MeanSquaredError()([0, np.nan], [[0.5], [0.5]]), r"y contains 1 NaN"),
    (lambda: losses.CategoricalCrossentropy()([0, 5], [[0.5, 0.5], [0.5, 0.5]]), r"integer labels y must be in 0..1"),
    (lambda: losses.CategoricalCrossentropy()([0.5, 1], [[0.5, 0.5], [0.5, 0.5]]), r"integer labels y must be in 0..1"),
    (lambda: losses.CategoricalCrossentropy()([[1, 0, 0]], [[0.5, 0.5]]), r"one-hot y has shape \(1, 3\)"),
    (lambda: losses.get("hinge"), r"unknown loss 'hinge'"),
    (lambda: losses.get(None), r"loss is missing"),
])
def test_targets_that_do_not_fit_the_loss(call, match):
    with pytest.raises(ValueError, match=match):
        call()
