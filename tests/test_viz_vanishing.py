"""The vanishing-gradient explorer driven without a browser (Agg): its numbers, its controls, bad input."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit import gradcheck  # noqa: E402
from coursekit.layers import Dense  # noqa: E402
from coursekit.model import Sequential  # noqa: E402
from coursekit.datasets import moons  # noqa: E402
from coursekit.viz import vanishing_gradient_explorer  # noqa: E402
from coursekit.viz.vanishing import SIGMOID_MAX_SLOPE, layer_gradients  # noqa: E402


def test_sigmoid_gradients_vanish_with_depth_and_relu_ones_do_not():
    sig_norms, sig_slopes = layer_gradients("sigmoid", 10, 16)
    relu_norms, _ = layer_gradients("relu", 10, 16)
    assert sig_norms.shape == sig_slopes.shape == (10,)
    assert np.all(sig_slopes <= SIGMOID_MAX_SLOPE)                   # g'(z) <= 0.25 for every unit
    assert sig_norms[0] / sig_norms[-1] < 1e-3                       # ten slopes below 0.25 multiply up
    assert relu_norms[0] / relu_norms[-1] > 1e-2
    assert np.all(np.diff(np.log(sig_norms)) > 0)                    # smaller at every step towards the input


def test_layer_gradients_are_the_backpropagated_ones():
    """The norms are those of dJ/dW_l, checked against central finite differences of the same network."""
    norms, slopes = layer_gradients("tanh", 3, 4, n_samples=16, seed=3)
    X, y = moons(16, seed=3)
    model = Sequential([Dense(4, activation="tanh") for _ in range(3)] + [Dense(1, activation="sigmoid")],
                       dtype="float64", seed=3)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    _, analytic, numerical = gradcheck.check_model_gradients(model, X, y)
    offset, expected = 0, []
    for layer in model.layers[:3]:
        size = layer.W.size
        expected.append(np.linalg.norm(numerical[offset:offset + size]))
        offset += size + layer.b.size
    np.testing.assert_allclose(norms, expected, rtol=1e-6)
    z = X @ model.layers[0].W + model.layers[0].b
    assert slopes[0] == pytest.approx(np.mean(1 - np.tanh(z) ** 2))


def test_explorer_sliders_change_the_lines_and_the_summary():
    e = vanishing_gradient_explorer(depth=10, width=16)
    first = e.summary.get_text()
    e.controls["depth"].value = 20
    assert all(len(line.get_xdata()) == 20 for line in e.norm_lines.values())
    assert e.summary.get_text() != first and "20 hidden layers" in e.summary.get_text()
    before = np.asarray(e.norm_lines["tanh"].get_ydata()).copy()
    e.controls["width"].value = 32
    assert not np.allclose(before, e.norm_lines["tanh"].get_ydata())
    assert e.message.value == "" and e.png()[:4] == b"\x89PNG"


def test_explorer_is_deterministic():
    a, b = vanishing_gradient_explorer(seed=1), vanishing_gradient_explorer(seed=1)
    for name in a.results:
        np.testing.assert_array_equal(a.results[name][0], b.results[name][0])


@pytest.mark.parametrize("kwargs, name", [({"depth": 0}, "depth"), ({"width": 1}, "width"),
                                          ({"max_depth": 500}, "max_depth"), ({"depth": 40}, "depth")])
def test_explorer_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        vanishing_gradient_explorer(**kwargs)


def test_layer_gradients_bad_activation():
    with pytest.raises(ValueError, match="activation.*received activation='softplus'"):
        layer_gradients("softplus", 3, 4)
