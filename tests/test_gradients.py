"""Backpropagation equals central differences for random architectures, activations and losses."""

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coursekit import Dense, Dropout, Sequential, SGD
from coursekit.gradcheck import check_model_gradients, numerical_gradient, relative_error

HIDDEN = ["sigmoid", "tanh", "relu", "linear"]
# (loss, output activation, output units, labels kind)
HEADS = [
    ("binary_crossentropy", "sigmoid", 1, "binary"),        # fused with the sigmoid: computed from logits
    ("binary_crossentropy", "sigmoid", 3, "multilabel"),
    ("mse", "linear", 2, "real"),
    ("mse", "tanh", 1, "real"),
    ("sparse_categorical_crossentropy", "softmax", 4, "integer"),
    ("categorical_crossentropy", "softmax", 3, "onehot"),
]


def _targets(kind, n, units, rng):
    if kind == "binary":
        return rng.integers(0, 2, size=n)
    if kind == "multilabel":
        return rng.integers(0, 2, size=(n, units)).astype(float)
    if kind == "real":
        return rng.normal(size=(n, units))
    if kind == "integer":
        return rng.integers(0, units, size=n)
    return np.eye(units)[rng.integers(0, units, size=n)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(widths=st.lists(st.integers(1, 16), min_size=0, max_size=3),   # hidden layers: depth 1–4 with the output
       hidden=st.lists(st.sampled_from(HIDDEN), min_size=3, max_size=3),
       head=st.sampled_from(HEADS),
       n_features=st.integers(1, 5), n_samples=st.integers(1, 12), seed=st.integers(0, 2**16))
@example(widths=[12, 10, 7], hidden=["tanh", "tanh", "relu"], head=("mse", "tanh", 1, "real"),     # saturated
         n_features=5, n_samples=1, seed=9823)
def test_backprop_matches_central_differences(widths, hidden, head, n_features, n_samples, seed):
    loss, out_act, units, kind = head
    rng = np.random.default_rng(seed)
    layers = [Dense(w, activation=a) for w, a in zip(widths, hidden)] + [Dense(units, activation=out_act)]
    model = Sequential(layers, seed=seed, dtype="float64")
    model.compile(optimizer=SGD(0.1), loss=loss)
    model.build((None, n_features))
    # random biases too: ReLU kinks then sit at z = 0 with probability zero
    model.set_flat_weights(rng.normal(scale=0.7, size=model.count_params()))
    X = rng.normal(size=(n_samples, n_features))
    y = _targets(kind, n_samples, units, rng)
    # Central differences err by O(eps^2) (truncation) plus O(rounding / eps); which one wins depends on
    # the curvature and on how flat the loss is (a saturated tanh makes every gradient tiny), so take the
    # best of three step sizes. A wrong backward pass is far off at every one of them.
    error, analytic, numeric = min((check_model_gradients(model, X, y, eps=eps) for eps in (1e-4, 1e-5, 1e-6)),
                                   key=lambda result: result[0])
    # A saturated output (tanh at z ~ 10) makes every gradient ~1e-8: then rounding alone gives a relative
    # error of ~1e-5 entry by entry (hypothesis found one), while the largest entries still agree to 1e-4.
    # A wrong backward pass is off by the size of the gradient itself.
    close = np.abs(analytic - numeric).max() <= 1e-4 * np.abs(numeric).max()
    assert error < 1e-6 or close, f"relative error {error:.2e}"
    assert np.any(analytic != 0) or np.all(np.abs(numeric) < 1e-9)


@pytest.mark.parametrize("from_logits", [False, True])
def test_explicit_logits_and_separate_activation_layers(from_logits):
    from coursekit import Activation, BinaryCrossentropy
    rng = np.random.default_rng(1)
    out = [Dense(1)] if from_logits else [Dense(1), Activation("sigmoid")]
    model = Sequential([Dense(5, activation="tanh"), *out], seed=0, dtype="float64")
    model.compile(optimizer="sgd", loss=BinaryCrossentropy(from_logits=from_logits))
    model.build(3)
    model.set_flat_weights(rng.normal(size=model.count_params()))
    error, _, _ = check_model_gradients(model, rng.normal(size=(7, 3)), rng.integers(0, 2, 7))
    assert error < 1e-7


def test_dropout_gradient_with_a_fixed_mask():
    """With the mask held fixed, backprop through Dropout equals finite differences of the masked net."""
    rng = np.random.default_rng(3)
    model = Sequential([Dense(6, activation="relu"), Dropout(0.5), Dense(1, activation="sigmoid")], seed=2,
                       dtype="float64")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.build(4)
    model.set_flat_weights(rng.normal(size=model.count_params()))
    X, y = rng.normal(size=(9, 4)), rng.integers(0, 2, 9)
    dropout = model.layers[1]
    dropout.rng = np.random.default_rng(5)
    _, analytic = model.loss_and_gradient(X, y, training=True)
    mask = dropout.mask.copy()
    assert 0 < np.count_nonzero(mask) < mask.size

    def loss_with_fixed_mask(w):
        model.set_flat_weights(w)
        dropout.rng = np.random.default_rng(5)    # the same mask again
        return model.loss_and_gradient(X, y, training=True)[0]

    numeric = numerical_gradient(loss_with_fixed_mask, model.get_flat_weights())
    assert relative_error(analytic, numeric) < 1e-7


def test_gradcheck_detects_a_wrong_gradient():
    """The check can fail: a sign error in a derivative is caught."""
    from coursekit import activations
    model = Sequential([Dense(3, activation="tanh"), Dense(1)], seed=0, dtype="float64")
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 2)), rng.normal(size=5)
    model.build(2)
    right = activations.get("tanh")
    model.layers[0].activation = right._replace(backward=lambda a, grad_a: grad_a * -(1 - a * a))
    error, _, _ = check_model_gradients(model, X, y)
    assert error > 0.1


def test_gradcheck_needs_float64():
    model = Sequential([Dense(1)], seed=0)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="float64"):
        check_model_gradients(model, np.ones((2, 1)), np.ones(2))
