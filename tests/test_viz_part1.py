"""Explorers 1-6 driven without a browser: set controls, check what the figure now shows.

Agg backend: each explorer renders into a PNG-backed ipywidgets.Image; setting ``control.value`` runs
the same update as a slider move in the notebook.
"""

from __future__ import annotations

import base64

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit import datasets  # noqa: E402
from coursekit.activations import sigmoid  # noqa: E402
from coursekit.viz import (activation_explorer, backprop_explorer, landscape_explorer, loss_explorer,  # noqa: E402
                           network_explorer, perceptron_explorer)
from coursekit.viz.backprop import coursekit_gradients, finite_difference_gradients, tiny_net_values  # noqa: E402


def _collinear(points, tol=1e-6):
    """True when the points all lie on one straight line (smallest singular value ~ 0)."""
    centred = points - points.mean(axis=0)
    s = np.linalg.svd(centred, compute_uv=False)
    return s[-1] <= tol * max(s[0], 1e-12)


# -- 1. perceptron ---------------------------------------------------------------------------------------
def test_perceptron_defaults_are_the_lecture_example():
    e = perceptron_explorer()
    assert "0.002" in e.artists["point_text"].get_text()
    assert "g(−6) ≈ 0.002" in e.artists["curve_text"].get_text()
    xs, ys = e.artists["line"].get_data()
    np.testing.assert_allclose(1 + 3 * np.asarray(xs) - 2 * np.asarray(ys), 0, atol=1e-12)
    assert e.png()[:4] == b"\x89PNG"
    assert "ŷ = g(1 + 3x₁ − 2x₂)" == e.artists["title"].get_text()


def test_perceptron_line_moves_to_the_analytic_position():
    e = perceptron_explorer()
    e.controls["w0"].value = 2.0
    e.controls["w1"].value = 1.0
    e.controls["w2"].value = 4.0
    xs, ys = map(np.asarray, e.artists["line"].get_data())
    # w0 + w1 x1 + w2 x2 = 0  <=>  x2 = -(2 + x1) / 4 ; at x1 = -4 and 4: 0.5 and -1.5
    np.testing.assert_allclose(xs, [-4, 4])
    np.testing.assert_allclose(ys, [0.5, -1.5])
    image = e.artists["image"].get_array()
    assert image[0, 0] == pytest.approx(sigmoid(2 + 1 * -4 + 4 * -4))        # corner (x1, x2) = (-4, -4)
    # a steep line is parametrised along x2
    e.controls["w2"].value = 0.1
    xs, ys = map(np.asarray, e.artists["line"].get_data())
    np.testing.assert_allclose(ys, [-4, 4])
    np.testing.assert_allclose(2 + 1 * xs + 0.1 * ys, 0, atol=1e-12)


def test_perceptron_point_and_degenerate_weights():
    e = perceptron_explorer()
    e.controls["x1"].value = 1.0
    e.controls["x2"].value = 0.0
    assert e.artists["point"].get_data()[0][0] == 1.0
    assert f"{sigmoid(4.0):.3f}" in e.artists["point_text"].get_text()
    e.controls["w1"].value = 0.0
    e.controls["w2"].value = 0.0
    assert len(e.artists["line"].get_data()[0]) == 0
    assert "no line" in e.message.value


def test_perceptron_bad_input():
    with pytest.raises(ValueError, match="weight_range"):
        perceptron_explorer(weight_range=(2, 2))
    with pytest.raises(ValueError, match="w0"):
        perceptron_explorer(w0=50)
    with pytest.raises(ValueError, match="input_range"):
        perceptron_explorer(input_range=(3, -3))


# -- 2. activations --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def activation_ex():
    return activation_explorer()


def test_activation_curves_follow_the_choice(activation_ex):
    e = activation_ex
    for name, g, dg in (("tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2), ("relu", lambda z: np.maximum(z, 0),
                                                                              lambda z: (z > 0).astype(float))):
        e.controls["activation"].value = name
        z, gz = e.g_line.get_data()
        np.testing.assert_allclose(gz, g(z))
        np.testing.assert_allclose(e.dg_line.get_data()[1], dg(z))


def test_linear_stays_linear_and_nonlinear_bends(activation_ex):
    e = activation_ex
    e.controls["activation"].value = "linear"
    assert _collinear(e.boundary_vertices(), tol=1e-6)
    assert "straight line" in e.message.value
    e.controls["activation"].value = "tanh"
    vertices = e.boundary_vertices()
    assert len(vertices) > 10 and not _collinear(vertices, tol=1e-2)
    assert e.cache["tanh"][1] > 0.9 > e.cache["linear"][1]
    assert e.message.value == ""


def test_activation_models_are_cached_and_deterministic(activation_ex):
    e = activation_ex
    model = e.cache["relu"][2]
    e.controls["activation"].value = "relu"
    e.controls["activation"].value = "sigmoid"
    e.controls["activation"].value = "relu"
    assert e.cache["relu"][2] is model
    again = activation_explorer(activation="relu")
    np.testing.assert_array_equal(again.cache["relu"][0], e.cache["relu"][0])


def test_activation_bad_input():
    with pytest.raises(ValueError, match="activation"):
        activation_explorer(activation="softplus")
    with pytest.raises(ValueError, match="data"):
        activation_explorer(data=(np.zeros((0, 2)), np.zeros(0)))
    with pytest.raises(ValueError, match="z_range"):
        activation_explorer(z_range=(1, 0))


# -- 3. network builder ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def network_ex():
    return network_explorer()


def test_network_shows_every_neuron_and_weight(network_ex):
    e = network_ex
    e.controls["hidden_layers"].value = 2
    e.controls["units"].value = 3
    assert [h.shape[1] for h in e.neuron_outputs] == [3, 3]
    segments = e.edges.get_segments()
    assert len(segments) == 2 * 3 + 3 * 3 + 3 * 1
    weights = np.concatenate([layer.W.ravel() for layer in e.dense_layers()])
    colours = e.edges.get_colors()
    blue = matplotlib.colors.to_rgba("#0072B2")
    assert [bool(np.allclose(c[:3], blue[:3])) for c in colours] == list(weights > 0)
    widths = e.edges.get_linewidths()
    first = np.abs(e.dense_layers()[0].W.ravel())
    assert np.argmax(widths[:6]) == np.argmax(first)
    assert "2 → 3 → 3 → 1" in e.n_title.get_text()


def test_network_image_changes_with_the_architecture(network_ex):
    e = network_ex
    e.controls["hidden_layers"].value = 1
    e.controls["units"].value = 1
    one = e.image.get_array().copy()
    nodes = e.nodes_image.get_array().copy()
    e.controls["units"].value = 6
    assert not np.allclose(one, e.image.get_array())
    assert not np.allclose(nodes, e.nodes_image.get_array())
    assert len(e.neuron_outputs) == 1 and e.neuron_outputs[0].shape[1] == 6
    assert "accuracy" in e.b_title.get_text()


def test_network_train_more_continues(network_ex):
    e = network_ex
    e.controls["hidden_layers"].value = 1
    e.controls["units"].value = 2
    before = e.current()[0].get_flat_weights()
    e.controls["train"].click()
    assert e.current()[1] == 2 * e.epochs
    assert f"after {2 * e.epochs} epochs" in e.b_title.get_text()
    assert not np.allclose(before, e.current()[0].get_flat_weights())


def test_network_bad_input():
    with pytest.raises(ValueError, match="hidden_layers"):
        network_explorer(hidden_layers=9)
    with pytest.raises(ValueError, match="units"):
        network_explorer(units=0)
    with pytest.raises(ValueError, match="learning_rate"):
        network_explorer(learning_rate=-1)


# -- 4. loss per point -----------------------------------------------------------------------------------
def test_loss_bars_are_the_per_point_losses_and_J_their_mean():
    e = loss_explorer()
    heights = np.array([bar.get_height() for bar in e.bars])
    y_hat = sigmoid(-4.0 + e.X @ np.array([0.25, 0.35]))
    bce = -(e.y * np.log(y_hat) + (1 - e.y) * np.log(1 - y_hat))
    np.testing.assert_allclose(heights, bce, rtol=1e-6)
    assert e.mean_line.get_ydata()[0] == pytest.approx(bce.mean())
    assert f"{bce.mean():.3f}" in e.mean_text.get_text()
    e.controls["loss"].value = "mean_squared_error"
    heights = np.array([bar.get_height() for bar in e.bars])
    np.testing.assert_allclose(heights, (e.y - y_hat) ** 2, rtol=1e-6)
    assert "MSE" in e.l_title.get_text()


def test_loss_follows_the_weights():
    e = loss_explorer()
    J_before = e.values()[2]
    e.controls["w0"].value, e.controls["w1"].value, e.controls["w2"].value = -7.0, 0.5, 0.8   # the true rule
    assert e.values()[2] < J_before
    xs, ys = map(np.asarray, e.line.get_data())
    np.testing.assert_allclose(-7 + 0.5 * xs + 0.8 * ys, 0, atol=1e-9)
    sizes = np.concatenate([p.get_sizes() for p in e.points])
    assert sizes.min() >= 12


def test_loss_bad_input():
    with pytest.raises(ValueError, match="data"):
        loss_explorer(data=(np.zeros((0, 2)), np.zeros(0)))
    with pytest.raises(ValueError, match="loss"):
        loss_explorer(loss="hinge")
    with pytest.raises(ValueError, match="w0_range"):
        loss_explorer(w0_range=(0, 0))


# -- 5. landscape + gradient descent ---------------------------------------------------------------------
def test_landscape_path_starts_at_the_slider_start_and_descends():
    e = landscape_explorer()
    e.set_start(-2.0, 6.0)
    e.controls["learning_rate"].value = 0.5
    e.controls["steps"].value = 40
    xs, ys = e.path_line.get_data()
    assert (xs[0], ys[0]) == pytest.approx((-2.0, 6.0))
    assert len(xs) == 41
    losses = e.loss_line.get_data()[1]
    assert np.all(np.diff(losses) < 0)
    assert "fell" in e.message.value


def test_landscape_large_learning_rate_shows_a_message_not_an_error():
    e = landscape_explorer()
    e.controls["learning_rate"].value = 1000.0
    assert "too large" in e.message.value
    assert e.result.losses[-1] > e.result.losses[0]


def test_landscape_surface_is_the_loss():
    e = landscape_explorer()
    i, j = 17, 60
    p = (e.xs[j], e.ys[i])
    assert e.J[i, j] == pytest.approx(e.problem.loss(p), rel=1e-9)
    assert e.image.get_array().shape == (101, 101)


def test_landscape_toy_net_directions_slider_recomputes():
    e = landscape_explorer("toy_net")
    before = e.image.get_array().copy()
    assert e.J[50, 50] == pytest.approx(e.J.min(), rel=0.5)              # the trained weights sit low
    e.controls["directions"].value = 3
    assert not np.allclose(before, e.image.get_array())
    assert e.path_line.get_data()[0][0] == pytest.approx(e.value("start_1"))
    e.controls["learning_rate"].value = 100.0
    assert "too large" in e.message.value or "diverged" in e.message.value


def test_landscape_click_sets_the_start():
    from types import SimpleNamespace

    e = landscape_explorer()
    e._on_click(SimpleNamespace(inaxes=e.axes[0], xdata=1.5, ydata=-2.0, button=1))
    assert (e.value("start_1"), e.value("start_2")) == pytest.approx((1.5, -2.0))
    xs, ys = e.path_line.get_data()
    assert (xs[0], ys[0]) == pytest.approx((1.5, -2.0))
    e._on_click(SimpleNamespace(inaxes=e.axes[1], xdata=0.0, ydata=0.0, button=1))     # other axes: ignored
    assert e.value("start_1") == pytest.approx(1.5)


def test_landscape_digits_net_is_computed_once():
    e = landscape_explorer("digits")
    assert e.J.shape == (101, 101)
    assert e.J[50, 50] <= np.median(e.J)                                   # the trained weights sit low
    losses = e.result.losses
    assert losses[-1] < losses[0] and e.message.value.count("fell") == 1


def test_landscape_bad_input():
    with pytest.raises(ValueError, match="learning_rate"):
        landscape_explorer(learning_rate=1e6)
    with pytest.raises(ValueError, match="learning_rate_range"):
        landscape_explorer(learning_rate_range=(1.0, 0.1))
    with pytest.raises(ValueError, match="problem"):
        landscape_explorer("mnist")
    with pytest.raises(ValueError, match="start"):
        landscape_explorer(start=(100.0, 0.0))


# -- 6. backprop step-through ----------------------------------------------------------------------------
@pytest.mark.parametrize("activation, loss, x, y, w1, w2", [
    ("sigmoid", "binary_crossentropy", 2.0, 1, 0.5, -1.0),
    ("tanh", "mean_squared_error", -1.5, 0, 1.2, 0.7),
    ("relu", "binary_crossentropy", 1.0, 0, 0.8, 2.0),
])
def test_backprop_numbers_match_coursekit_and_finite_differences(activation, loss, x, y, w1, w2):
    v = tiny_net_values(x, y, w1, w2, activation, loss)
    backprop = coursekit_gradients(x, y, w1, w2, activation, loss)
    numeric = finite_difference_gradients(x, y, w1, w2, activation, loss)
    np.testing.assert_allclose([v["dJ_dw1"], v["dJ_dw2"]], backprop, rtol=1e-9)
    np.testing.assert_allclose([v["dJ_dw1"], v["dJ_dw2"]], numeric, rtol=1e-6)


def test_backprop_steps_one_click_at_a_time():
    e = backprop_explorer()
    assert e.step == 0 and e.forward_texts["z1"].get_text() == ""
    e.controls["next"].click()
    assert e.step == 1 and "0.7311" in e.forward_texts["z1"].get_text()       # sigmoid(0.5 * 2)
    assert e.factor_texts["dJ_dyhat"].get_text() == ""
    for _ in range(3):
        e.controls["next"].click()
    v = e.values()
    assert f"{v['dJ_dyhat']:.4g}".replace("-", "−") in e.factor_texts["dJ_dyhat"].get_text()
    for _ in range(10):                                                        # stays at the last step
        e.controls["next"].click()
    assert e.step == e.n_steps
    final = e.result_texts["dJ_dw1"].get_text()
    assert f"{v['dJ_dw1']:.4g}".replace("-", "−") in final
    assert "finite differences" in e.result_texts["check"].get_text()
    e.controls["w1"].value = -1.0                                            # numbers follow the sliders
    assert f"{e.values()['dJ_dw1']:.4g}".replace("-", "−") in e.result_texts["dJ_dw1"].get_text()
    e.controls["back"].click()
    assert e.step == e.n_steps - 1 and e.result_texts["dJ_dw1"].get_text() == ""
    e.controls["reset"].click()
    assert e.step == 0 and e.forward_texts["J"].get_text() == ""
    assert e.message.value == ""


def test_backprop_bad_input():
    with pytest.raises(ValueError, match="w1"):
        backprop_explorer(w1=10)
    with pytest.raises(ValueError, match="y"):
        backprop_explorer(y=0.5)
    with pytest.raises(ValueError, match="loss"):
        backprop_explorer(loss="hinge")


# -- all -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [perceptron_explorer, loss_explorer, backprop_explorer])
def test_widget_and_static_picture(make):
    e = make()
    assert e.widget is not None
    (shown,) = e._image.outputs                      # the PNG view: an inline picture in an Output widget
    assert base64.b64decode(shown["data"]["image/png"])[:4] == b"\x89PNG"
    bundle, _ = e._repr_mimebundle_()
    assert bundle["image/png"][:4] == b"\x89PNG"


def test_same_seed_same_picture():
    a, b = loss_explorer(seed=3), loss_explorer(seed=3)
    np.testing.assert_array_equal(a.X, b.X)
    assert a.png() == b.png()
    c = landscape_explorer(seed=1)
    np.testing.assert_array_equal(c.J, landscape_explorer(seed=1).J)
    assert datasets.pass_fail(30, seed=0)[0].shape == (30, 2)
