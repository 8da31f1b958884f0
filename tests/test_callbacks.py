"""EarlyStopping stops where Keras stops and restores the best weights; History records every epoch."""

import os

import numpy as np
import pytest

from coursekit import Dense, EarlyStopping, LambdaCallback, Sequential, datasets
from coursekit.optimizers import Adam


class RecordingModel:
    """Just enough of a model for a callback: weights that change every epoch, and stop_training."""

    def __init__(self):
        self.stop_training = False
        self.epoch = -1

    def get_weights(self):
        return [np.array([self.epoch])]

    def set_weights(self, weights):
        self.restored = int(weights[0][0])


def replay(callback, values, monitor="val_loss"):
    """Feed a recorded curve through a callback the way fit does; return the last epoch that ran."""
    model = RecordingModel()
    callback.set_model(model)
    callback.on_train_begin()
    last = None
    for epoch, value in enumerate(values):
        model.epoch = last = epoch
        callback.on_epoch_end(epoch, {monitor: value})
        if model.stop_training:
            break
    callback.on_train_end()
    return last, model


CURVE = [1.0, 0.8, 0.7, 0.72, 0.69, 0.695, 0.71, 0.73, 0.74, 0.75]


@pytest.mark.parametrize("patience, min_delta, stop, best", [
    (0, 0.0, 3, 2),      # first non-improvement stops at once
    (1, 0.0, 3, 2),      # wait reaches 1 at epoch 3
    (2, 0.0, 6, 4),      # 0.69 at epoch 4 resets the wait; epochs 5 and 6 do not improve
    (3, 0.0, 7, 4),
    (2, 0.02, 4, 2),     # 0.69 is not 0.02 below 0.70: no improvement
    (20, 0.0, 9, 4),     # never stops: runs to the last epoch
])
def test_patience_semantics_by_hand(patience, min_delta, stop, best):
    callback = EarlyStopping(patience=patience, min_delta=min_delta, restore_best_weights=True)
    last, model = replay(callback, CURVE)
    assert last == stop
    assert callback.best_epoch == best and model.restored == best
    assert callback.stopped_epoch == (stop if stop < len(CURVE) - 1 else 0)


def test_max_mode_for_accuracy_and_baseline():
    acc = [0.5, 0.6, 0.65, 0.64, 0.63, 0.66]
    callback = EarlyStopping(monitor="val_accuracy", patience=2)
    assert callback.mode == "max"
    assert replay(callback, acc, "val_accuracy")[0] == 4
    # a baseline the monitor never beats: the wait never resets, and the first epoch that does not
    # improve on the best so far stops training (epoch 3), although patience alone would go on to 4
    callback = EarlyStopping(monitor="val_accuracy", patience=2, baseline=0.9)
    assert replay(callback, acc, "val_accuracy")[0] == 3


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras", reason="keras is optional: pip install keras torch==2.13.0 to compare")


def test_agrees_with_keras_on_random_curves(keras):
    rng = np.random.default_rng(0)
    for trial in range(200):
        values = list(np.round(1 / np.arange(1, 31) + rng.normal(0, 0.03, 30), 3))
        kwargs = dict(patience=int(rng.integers(0, 6)), min_delta=float(rng.choice([0, 0.005, 0.02])),
                      restore_best_weights=True, start_from_epoch=int(rng.integers(0, 3)),
                      baseline=[None, None, 0.2][trial % 3])
        ours = EarlyStopping(**kwargs)
        theirs = keras.callbacks.EarlyStopping(**kwargs, mode="min")
        last_ours, model_ours = replay(ours, values)
        last_theirs, model_theirs = replay(theirs, values)
        assert (last_ours, ours.stopped_epoch, ours.best_epoch) == \
               (last_theirs, theirs.stopped_epoch, theirs.best_epoch), (values, kwargs)
        assert getattr(model_ours, "restored", None) == getattr(model_theirs, "restored", None)


def test_fit_stops_early_and_restores_the_best_weights():
    X, y = datasets.moons(n_samples=120, noise=0.35, seed=0)
    X_val, y_val = datasets.moons(n_samples=400, noise=0.35, seed=1)
    model = Sequential([Dense(64, activation="relu"), Dense(64, activation="relu"), Dense(1, activation="sigmoid")],
                       seed=0)
    model.compile(optimizer=Adam(0.01), loss="binary_crossentropy")
    weights_after_epoch = []
    record = LambdaCallback(on_epoch_end=lambda e, logs: weights_after_epoch.append(model.get_flat_weights()))
    stopper = EarlyStopping(patience=5, restore_best_weights=True)
    history = model.fit(X, y, epochs=500, batch_size=16, validation_data=(X_val, y_val), verbose=0,
                        callbacks=[record, stopper])
    val = history.history["val_loss"]
    assert len(val) < 500 and stopper.stopped_epoch == len(val) - 1
    assert stopper.best_epoch == int(np.argmin(val)) == len(val) - 1 - 5
    np.testing.assert_array_equal(model.get_flat_weights(), weights_after_epoch[stopper.best_epoch])
    assert model.evaluate(X_val, y_val) == pytest.approx(min(val), rel=1e-6)
    assert "early stopping" in history.stop_reason


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"patience must be in \[0, inf\); received patience=-1"):
        EarlyStopping(patience=-1)
    with pytest.raises(TypeError, match="patience must be an integer"):
        EarlyStopping(patience=2.5)
    with pytest.raises(ValueError, match="mode must be one of 'auto', 'min', 'max'"):
        EarlyStopping(mode="up")
