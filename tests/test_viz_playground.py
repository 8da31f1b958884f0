"""The Playground-style live-training explorer driven without a browser (Agg): every control mid-training."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit import datasets  # noqa: E402
from coursekit.viz import live_training_explorer  # noqa: E402
from coursekit.viz.playground import BOX, playground_data, regularization_gradient  # noqa: E402


@pytest.fixture
def pg():
    return live_training_explorer(n_samples=120)


def test_run_trains_and_draws_the_curves(pg):
    assert pg.run(epochs=60) == 60 and pg.epoch == 60
    assert len(pg.history["loss"]) == len(pg.history["val_accuracy"]) == 60
    assert len(pg.lines["loss"].get_xdata()) == 60 and len(pg.lines["val_loss"].get_xdata()) == 60
    assert pg.history["loss"][-1] < pg.history["loss"][0] - 0.1                  # it learns the circles
    assert "epoch 60" in pg.status.get_text() and "no regularization" in pg.status.get_text()


def test_one_epoch_is_minibatch_sgd_with_the_penalty():
    """run(1) equals the rule in the module docstring, computed here by hand from the same batches."""
    pg = live_training_explorer(n_samples=60, regularization="L2", regularization_rate=0.1, batch_size=7,
                                learning_rate=0.2)
    w = pg.model.get_flat_weights()
    model = pg.model
    for X, y in datasets.minibatches(pg.X_train, pg.y_train, 7, seed=pg.seed * 100_003):
        model.set_flat_weights(w)
        _, g = model.loss_and_gradient(X, y, training=True)
        w = w - 0.2 * (g + 0.1 * w * pg.kernel_mask)
    fresh = live_training_explorer(n_samples=60, regularization="L2", regularization_rate=0.1, batch_size=7,
                                   learning_rate=0.2)
    fresh.run(1)
    np.testing.assert_allclose(fresh.model.get_flat_weights(), w, rtol=1e-12, atol=1e-12)


def test_regularization_gradient_only_on_kernel_weights():
    w, mask = np.array([-2.0, 0.5, 3.0]), np.array([1.0, 1.0, 0.0])
    np.testing.assert_allclose(regularization_gradient(w, mask, "L1", 0.1), [-0.1, 0.1, 0.0])
    np.testing.assert_allclose(regularization_gradient(w, mask, "L2", 0.1), [-0.2, 0.05, 0.0])
    np.testing.assert_allclose(regularization_gradient(w, mask, "none", 0.1), 0.0)
    with pytest.raises(ValueError, match="regularization.*'L3'"):
        regularization_gradient(w, mask, "L3", 0.1)


def test_settings_change_during_training_without_a_restart(pg):
    pg.run(5)
    weights = pg.model.get_flat_weights()
    before = pg.model.predict(pg.X_test)
    pg.controls["activation"].value = "relu"                 # same weights, new g
    np.testing.assert_array_equal(pg.model.get_flat_weights(), weights)
    assert not np.allclose(pg.model.predict(pg.X_test), before)
    assert pg.controls["regularization_rate"].disabled                 # λ is greyed out without L1/L2
    for name, value in (("learning_rate", 0.3), ("batch_size", 3), ("regularization", "L1"),
                        ("regularization_rate", 0.01)):
        text = pg.status.get_text()
        pg.controls[name].value = value
        assert pg.status.get_text() != text, name             # the figure says what the next step uses
    assert not pg.controls["regularization_rate"].disabled
    pg.run(2)
    assert pg.epoch == 7 and len(pg.history["loss"]) == 7     # the curves go on


def test_data_and_architecture_changes_restart(pg):
    pg.run(5)
    points = pg.axes[2].collections[0].get_offsets().copy()
    pg.controls["noise"].value = 0.3
    assert pg.epoch == 0 and pg.history == {}
    assert not np.allclose(points, pg.axes[2].collections[0].get_offsets())
    pg.controls["train_percent"].value = 80
    assert (len(pg.X_train), len(pg.X_test)) == (96, 24)
    pg.controls["hidden_layers"].value = 4
    pg.controls["units"].value = 6
    assert [layer.units for layer in pg.model.layers] == [6, 6, 6, 6, 1]
    pg.controls["dataset"].value = "spiral"
    assert np.all(np.abs(pg.X_train) <= BOX[1])
    weights = pg.model.get_flat_weights()
    pg.reset()
    assert not np.allclose(weights, pg.model.get_flat_weights())             # fresh weights each press


def test_play_ticks_train_and_redraw(pg):
    count = pg.redraw_count
    pg.play.value = 1                                          # what the ▶ widget does on each tick
    assert pg.epoch >= 1 and pg.redraw_count == count + 1
    pg.play.value = 0                                          # ■ stop: nothing trains
    assert pg.redraw_count == count + 1


def test_divergence_is_a_message_and_pauses():
    pg = live_training_explorer(activation="linear", learning_rate=10, batch_size=1, hidden_layers=3, units=8,
                                n_samples=60)
    pg.play.playing = True
    assert pg.run(5) == 0
    assert "diverged" in pg.message.value and "lower η" in pg.message.value and not pg.play.playing
    assert np.all(np.isfinite(pg.model.get_flat_weights()))


def test_deterministic_and_data_in_the_box():
    a, b = live_training_explorer(n_samples=80), live_training_explorer(n_samples=80)
    a.run(3)
    b.run(3)
    assert a.history == b.history
    X_train, _, X_test, _ = playground_data("moons", 100, 0.0, 0)
    assert len(X_train) == len(X_test) == 50 and np.abs(np.vstack([X_train, X_test])).max() == pytest.approx(1.2)


@pytest.mark.parametrize("kwargs, name", [({"dataset": "nope"}, "dataset"), ({"hidden_layers": 7}, "hidden_layers"),
                                          ({"activation": "softplus"}, "activation"), ({"noise": -1}, "noise"),
                                          ({"learning_rate": 0}, "learning_rate"), ({"batch_size": 0}, "batch_size")])
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        live_training_explorer(**kwargs)
