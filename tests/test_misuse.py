"""Misuse answered (issue 12): each mistake a student makes with the core gets a message naming the fix."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit import SGD, Adam, BinaryCrossentropy, Dense, EarlyStopping, RMSprop, Sequential

X = np.random.default_rng(0).normal(size=(20, 3))
y = (X[:, 0] > 0).astype(float)


def _model():
    model = Sequential([Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    return model


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: Sequential(Dense(1)), TypeError, "Sequential([Dense(...)])"),
    (lambda: _model().fit(X, y, verbose=0, callbacks=EarlyStopping()), TypeError, "callbacks=[EarlyStopping(...)]"),
    (lambda: Adam(lr=0.1), TypeError, "use learning_rate= instead"),
    (lambda: SGD(lr=0.1), TypeError, "use learning_rate= instead"),
    (lambda: Adam(beta1=0.8), TypeError, "use beta_1= instead"),
    (lambda: RMSprop(alpha=0.9), TypeError, "use rho= instead"),
    (lambda: Adam(learning_rate=0.1, momentum=0.9), TypeError, "its arguments are learning_rate, beta_1"),
    (lambda: _model().fit(X, 1, verbose=0), ValueError, "one target per sample (20 rows"),
    (lambda: EarlyStopping(monitor=3), TypeError, "e.g. 'val_loss'"),
    (lambda: _model().fit(X, y, verbose=0, shuffle="no"), TypeError, "shuffle must be True or False"),
    (lambda: BinaryCrossentropy()(np.array([1.0, 0.0]), np.array([np.nan, 0.5])), ValueError, "smaller learning rate"),
    (lambda: _model().fit(np.zeros((20, 0)), y, verbose=0), ValueError, "has no features (shape (20, 0))"),
    (lambda: _model().fit(np.zeros((20, 4, 4)), y, verbose=0), ValueError, "x.reshape(len(x), -1)"),
    (lambda: _model().fit(X * 1e39, y, verbose=0), ValueError, "beyond what float32 can hold"),
])
def test_misuse_gets_a_message_that_names_the_fix(call, error, fragment):
    with pytest.raises(error) as raised:
        call()
    assert fragment in str(raised.value)


def test_huge_inputs_that_still_fit_get_a_hint_to_scale():
    with pytest.warns(UserWarning, match="scale them first"):
        _model().fit(X * 1e30, y, verbose=0)


def test_load_weights_explains_npy_and_foreign_npz_files(tmp_path):
    model = Sequential([Dense(1)])
    model.build(3)
    np.save(tmp_path / "w.npy", np.zeros(3))
    with pytest.raises(ValueError, match="holds a single array"):
        model.load_weights(tmp_path / "w.npy")
    np.savez(tmp_path / "named.npz", kernel=np.zeros((3, 1)), bias=np.zeros(1))
    with pytest.raises(ValueError, match="set_weights"):
        model.load_weights(tmp_path / "named.npz")
    model.save_weights(tmp_path / "ok.npz")
    before = model.get_flat_weights().copy()
    model.set_flat_weights(np.zeros_like(before))
    model.load_weights(tmp_path / "ok.npz")
    assert np.array_equal(model.get_flat_weights(), before)


def test_right_use_is_untouched():
    assert Adam(learning_rate=0.1, beta_1=0.8, beta_2=0.99, epsilon=1e-7).beta_1 == 0.8
    assert len(_model().fit(X, y, epochs=2, verbose=0, callbacks=[EarlyStopping(monitor="loss")]).epoch) >= 1


def test_one_layer_or_one_optimizer_in_two_models_is_refused():
    dense = Dense(1)
    Sequential([dense])
    with pytest.raises(ValueError, match="create a new Dense"):
        Sequential([dense])
    optimizer = Adam()
    first, second = Sequential([Dense(1)]), Sequential([Dense(1)])
    first.compile(optimizer=optimizer, loss="mse")
    first.compile(optimizer=optimizer, loss="mse")             # the same model again is fine
    with pytest.raises(ValueError, match="give each model its own"):
        second.compile(optimizer=optimizer, loss="mse")


def test_layers_are_callable_on_their_own_as_in_keras():
    from coursekit.layers import Dropout
    out = Dropout(0.5, seed=0)(np.ones((200, 50)), training=True)
    assert set(np.unique(out)) == {0.0, 2.0} and abs((out == 0).mean() - 0.5) < 0.05
    assert np.array_equal(Dropout(0.5, seed=0)(np.ones((4, 5))), np.ones((4, 5)))       # inference: identity
    again = Dropout(0.5, seed=0)(np.ones((200, 50)), training=True)
    assert np.array_equal(out, again)                                                  # a seed repeats
    assert Dense(4, activation="relu")(np.ones((2, 3))).shape == (2, 4)


def test_early_stopping_says_so_in_the_progress_display(capsys):
    rng = np.random.default_rng(0)
    X2 = rng.normal(size=(200, 2))
    y2 = (X2[:, 0] + 0.5 * rng.normal(size=200) > 0).astype(float)
    model = Sequential([Dense(32, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=Adam(0.05), loss="binary_crossentropy")
    stopper = EarlyStopping(patience=3, restore_best_weights=True)
    history = model.fit(X2, y2, epochs=200, validation_split=0.3, verbose=2, callbacks=[stopper])
    out = capsys.readouterr().out
    last = len(history.epoch)
    assert last < 200 and model.stop_reason.startswith("early stopping")
    assert (f"stopped after epoch {last} of 200: early stopping: val_loss has not improved for 3 epoch(s) since "
            f"epoch {stopper.best_epoch + 1}") in out
    assert out.rstrip().endswith(f"restored the weights of epoch {stopper.best_epoch + 1}")


def test_huge_inputs_warning_points_at_the_students_line():
    with pytest.warns(UserWarning) as caught:
        _model().fit(X * 1e30, y, verbose=0)
    assert caught[0].filename == __file__


def test_validation_loss_that_stops_being_a_number_is_reported():
    """The training loss stays finite while the validation inputs (on another scale) overflow."""
    model = Sequential([Dense(8, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.warns(UserWarning, match="x_val holds values"), \
            pytest.warns(RuntimeWarning, match=r"epoch 1: val_loss is nan while the training loss is finite") as caught:
        history = model.fit(X, y, epochs=3, verbose=0, validation_data=(X / np.abs(X).max() * 3e38, y))
    assert sum(issubclass(w.category, RuntimeWarning) for w in caught) == 1       # said once, not every epoch
    assert np.isnan(history.history["val_loss"]).all() and np.isfinite(history.history["loss"]).all()
    assert "scale both the same way" in str([w.message for w in caught if w.category is RuntimeWarning][0])


def test_divergence_with_early_stopping_on_val_loss_is_the_documented_divergence_stop():
    rng = np.random.default_rng(1)
    Xr = rng.normal(size=(40, 3))
    yr = Xr @ np.array([1.0, -2.0, 3.0])
    model = Sequential([Dense(16, activation="relu"), Dense(1)], seed=0)
    model.compile(optimizer=SGD(learning_rate=10.0), loss="mse")
    stop = EarlyStopping("val_loss", patience=3, restore_best_weights=True)
    history = model.fit(Xr, yr, epochs=50, verbose=0, callbacks=[stop], validation_split=0.25)
    assert history.diverged
    assert history.stop_reason.startswith("Training stopped in epoch") and "learning_rate=1" in history.stop_reason
    assert model.stop_reason == history.stop_reason


@pytest.mark.parametrize("name, keras", [("rmsprop", "learning_rate=0.001, rho=0.9"),
                                         ("adagrad", "initial_accumulator_value=0.1"),
                                         ("adadelta", "rho=0.95")])
def test_optimizer_names_whose_keras_defaults_differ_say_so_at_compile(name, keras):
    model = Sequential([Dense(1, activation="sigmoid")])
    with pytest.warns(UserWarning, match="coursekit's defaults are torch.optim's") as caught:
        model.compile(optimizer=name, loss="binary_crossentropy")
    message = str(caught[0].message)
    assert keras in message and repr(model.optimizer) in message and caught[0].filename == __file__


def test_the_default_optimizer_rmsprop_says_it_too_and_objects_stay_quiet():
    with pytest.warns(UserWarning, match=r"RMSprop\(learning_rate=0.01, rho=0.99"):
        Sequential([Dense(1)]).compile(loss="mse")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Sequential([Dense(1)]).compile(optimizer=RMSprop(learning_rate=0.001, rho=0.9), loss="mse")
        Sequential([Dense(1)]).compile(optimizer="adam", loss="mse")
