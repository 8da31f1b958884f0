"""Dense and Dropout: the slide's equations, shapes, and dropout's inverted scaling."""

import numpy as np
import pytest

from coursekit import Dense, Dropout, Sequential
from coursekit.activations import sigmoid
from coursekit.layers import Layer


def test_dense_is_the_multi_output_perceptron():
    # z_j = w_{0,j} + sum_i x_i w_{i,j}, j = 1, 2 — for a whole batch at once
    model = Sequential([Dense(2, activation="sigmoid")], seed=0, dtype="float64")
    model.build(3)
    W = np.array([[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]])
    b = np.array([0.5, -0.5])
    model.set_weights([W, b])
    X = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])
    expected = np.array([[sigmoid(b[j] + sum(X[n, i] * W[i, j] for i in range(3))) for j in range(2)]
                         for n in range(2)])
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-12)


def test_initializers_scale_as_documented():
    rng_std = {}
    for init in ("glorot_uniform", "glorot_normal", "he_normal", "normal"):
        model = Sequential([Dense(400, kernel_initializer=init)], seed=0, dtype="float64")
        model.build(600)
        rng_std[init] = model.layers[0].W.std()
        assert np.all(model.layers[0].b == 0)
    assert rng_std["glorot_uniform"] == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    assert rng_std["glorot_normal"] == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    assert rng_std["he_normal"] == pytest.approx(np.sqrt(2 / 600), rel=0.02)
    assert rng_std["normal"] == pytest.approx(0.05, rel=0.02)
    with pytest.raises(ValueError, match="kernel_initializer must be one of 'glorot_uniform'"):
        Dense(3, kernel_initializer="xavier")


def test_dropout_keeps_the_mean_activation_within_one_percent():
    layer = Dropout(0.5, seed=0)
    a = np.random.default_rng(1).uniform(0.5, 1.5, size=(2000, 100))
    out = layer.forward(a, training=True)
    assert abs(out.mean() / a.mean() - 1) < 0.01
    dropped = np.mean(out == 0)
    assert abs(dropped - 0.5) < 0.01                 # the lecture's p = 0.5 drops half
    kept = out != 0
    np.testing.assert_allclose(out[kept], a[kept] * 2)  # inverted scaling 1 / (1 - p)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.8])
def test_dropout_rate_and_mean_for_other_rates(rate):
    layer = Dropout(rate, seed=2)
    a = np.ones((1000, 200), dtype=np.float32)
    out = layer.forward(a, training=True)
    assert out.dtype == np.float32
    assert abs(np.mean(out == 0) - rate) < 0.01
    assert abs(out.mean() - 1) < 0.01


def test_dropout_is_the_identity_at_inference_and_backward_uses_the_mask():
    layer = Dropout(0.5, seed=0)
    a = np.arange(12.0).reshape(3, 4)
    assert layer.forward(a, training=False) is a
    np.testing.assert_array_equal(layer.backward(np.ones_like(a)), np.ones_like(a))
    out = layer.forward(a, training=True)
    np.testing.assert_array_equal(layer.backward(np.ones_like(a)), layer.mask)
    assert set(np.unique(layer.mask)) <= {0.0, 2.0}
    assert out.shape == a.shape


def test_predict_and_evaluate_switch_dropout_off():
    model = Sequential([Dense(50, activation="relu"), Dropout(0.5), Dense(1)], seed=0)
    model.compile(loss="mse")
    X = np.random.default_rng(0).normal(size=(10, 3))
    np.testing.assert_array_equal(model.predict(X), model.predict(X))


class _Scale(Layer):
    """A layer written as a student would, Keras-style: a = x * s, one weight per feature asked for in build."""

    kind = "scale"

    def build(self, input_dim):
        self.input_dim = self.output_dim = input_dim
        self.s = self.add_weight((input_dim,), "glorot_uniform")
        return input_dim

    def forward(self, x, training=False):
        self.x = x
        return x * self.s

    def backward(self, grad_output):
        np.sum(grad_output * self.x, axis=0, out=self.grads[0])
        return grad_output * self.s


def test_a_layer_asks_for_its_weights_in_build_and_gets_views_into_the_models_vector():
    from coursekit.gradcheck import check_model_gradients
    model = Sequential([Dense(3, activation="tanh"), _Scale(), Dense(1, activation="sigmoid")], seed=0,
                       dtype="float64")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.build(2)
    scale = model.layers[1]
    assert model.count_params() == 2 * 3 + 3 + 3 + 3 * 1 + 1
    assert np.shares_memory(scale.s, model.weight_store.values)            # a view, not a copy
    model.set_flat_weights(np.arange(model.count_params(), dtype=float) / 10)
    np.testing.assert_array_equal(scale.s, [0.9, 1.0, 1.1])               # W1 (6), b1 (3), then s
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 2)), rng.integers(0, 2, 8)
    error, _, _ = check_model_gradients(model, X, y)
    assert error < 1e-6


def test_add_weight_outside_build_says_where_it_belongs():
    with pytest.raises(RuntimeError, match="add_weight is called from build"):
        _Scale().add_weight((3,))
