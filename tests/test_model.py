"""Sequential end to end: the lecture's claims as tests, determinism, weights, and bad input."""

import re

import numpy as np
import pytest

from coursekit import Dense, Dropout, EarlyStopping, Sequential, SGD, Adam, datasets
from coursekit.callbacks import LambdaCallback


def small_net(n_hidden=16, activation="tanh", seed=0, **compile_kw):
    model = Sequential([Dense(n_hidden, activation=activation), Dense(n_hidden, activation=activation),
                        Dense(1, activation="sigmoid")], seed=seed)
    model.compile(optimizer=compile_kw.pop("optimizer", Adam(0.02)), loss="binary_crossentropy",
                  metrics=["accuracy"], **compile_kw)
    return model


def test_digits_mlp_reaches_97_percent_in_30_epochs():
    X, y = datasets.load_digits()
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
    model = Sequential([Dense(128, activation="relu"), Dense(64, activation="relu"),
                        Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer=Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X_train, y_train, epochs=30, batch_size=32, verbose=0, seed=0)
    loss, accuracy = model.evaluate(X_test, y_test)
    assert accuracy >= 0.97, accuracy
    assert history.history["loss"][-1] < history.history["loss"][0] / 10
    assert model.predict(X_test[:3]).shape == (3, 10)
    np.testing.assert_allclose(model.predict(X_test[:3]).sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("make", [datasets.circles, datasets.xor, datasets.spiral])
def test_non_linear_sets_need_a_hidden_layer(make):
    """The lecture's point: linear decisions cannot separate green from red, a small hidden layer can."""
    X, y = make(n_samples=400, seed=1)
    net = Sequential([Dense(32, activation="relu"), Dense(32, activation="relu"), Dense(1, activation="sigmoid")],
                     seed=0)
    net.compile(optimizer=Adam(0.005), loss="binary_crossentropy", metrics=["accuracy"])
    net.fit(X, y, epochs=300, batch_size=32, verbose=0)
    linear = Sequential([Dense(1, activation="sigmoid")], seed=0)
    linear.compile(optimizer=Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    linear.fit(X, y, epochs=100, batch_size=32, verbose=0)
    assert net.evaluate(X, y)[1] >= 0.95
    assert linear.evaluate(X, y)[1] < 0.8


def test_linear_activations_draw_linear_boundaries_whatever_the_depth():
    X, y = datasets.circles(n_samples=300, seed=2)
    deep_linear = Sequential([Dense(32, activation="linear") for _ in range(3)] + [Dense(1, activation="sigmoid")],
                             seed=0)
    deep_linear.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    deep_linear.fit(X, y, epochs=60, verbose=0)
    assert deep_linear.evaluate(X, y)[1] < 0.8


def test_lecture_epoch_of_2000_samples_with_batch_500_takes_4_iterations():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(2000, 2)), rng.integers(0, 2, 2000)
    model = Sequential([Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=SGD(0.1), loss="binary_crossentropy")
    model.fit(X, y, epochs=3, batch_size=500, verbose=0)
    assert model.optimizer.iterations == 3 * 4
    assert datasets.iterations_per_epoch(2000, 500) == 4


def test_same_seed_gives_bit_identical_history_and_weights():
    X, y = datasets.moons(n_samples=300, seed=3)

    def train():
        model = Sequential([Dense(8, activation="relu"), Dropout(0.3), Dense(1, activation="sigmoid")], seed=42)
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit(X, y, epochs=15, batch_size=16, validation_split=0.2, verbose=0)
        return history.history, model.get_flat_weights()

    (h1, w1), (h2, w2) = train(), train()
    assert h1 == h2
    np.testing.assert_array_equal(w1, w2)
    other = Sequential([Dense(8, activation="relu"), Dense(1, activation="sigmoid")], seed=43)
    other.compile(optimizer="adam", loss="binary_crossentropy")
    assert other.fit(X, y, epochs=2, verbose=0).history["loss"] != h1["loss"][:2]


def test_fit_logs_keras_names_and_validation():
    X, y = datasets.pass_fail(n_samples=200, seed=0)
    model = small_net()
    history = model.fit(X, y, epochs=3, validation_data=datasets.pass_fail(n_samples=50, seed=1), verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == [0, 1, 2]
    assert all(len(v) == 3 for v in history.history.values())
    # evaluate on the validation data gives the logged val_loss of the last epoch
    val = model.evaluate(*datasets.pass_fail(n_samples=50, seed=1), return_dict=True)
    assert val["loss"] == pytest.approx(history.history["val_loss"][-1], rel=1e-6)


def test_divergence_stops_training_and_names_the_learning_rate(capsys):
    X, y = datasets.pass_fail(n_samples=200, seed=0)
    model = Sequential([Dense(1)], seed=0)
    model.compile(optimizer=SGD(learning_rate=10.0), loss="mse")
    history = model.fit(X * 10, y, epochs=50, verbose=2)
    out = capsys.readouterr().out
    assert history.diverged and len(history.epoch) < 50
    assert "learning rate (10) is probably too large" in out and "learning_rate=1" in out
    assert "diverged" in history.stop_reason


def test_progress_bar_runs_in_the_terminal(capsys):
    X, y = datasets.pass_fail(n_samples=50, seed=0)
    model = small_net()
    model.fit(X, y, epochs=2, verbose=1)
    assert "2/2" in capsys.readouterr().err


def test_input_shape_on_the_first_layer_builds_the_model_as_in_keras():
    model = Sequential([Dense(4, activation="relu", input_shape=(3,)), Dense(2)], seed=0)
    assert model.built and model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    model = Sequential(seed=0)
    model.add(Dense(4, input_dim=3))
    model.add(Dense(1))                      # not trained yet: adding builds again
    assert model.count_params() == 21 and model.output_dim == 1
    model.compile(loss="mse")
    model.fit(np.ones((2, 3)), np.ones(2), verbose=0)
    with pytest.raises(ValueError, match="cannot add layers to a model that is already built"):
        model.add(Dense(1))


def test_weights_views_flat_vector_and_keras_order():
    model = Sequential([Dense(4, activation="sigmoid", input_shape=(2,)), Dense(1)], seed=0)
    W1, b1, W2, b2 = model.get_weights()
    assert (W1.shape, b1.shape, W2.shape, b2.shape) == ((2, 4), (4,), (4, 1), (1,))
    assert model.count_params() == 2 * 4 + 4 + 4 + 1 == model.get_flat_weights().size
    np.testing.assert_array_equal(model.get_flat_weights()[:8], W1.ravel())
    flat = np.arange(17, dtype=float)
    model.set_flat_weights(flat)
    assert model.layers[0].W[1, 0] == 4 and model.layers[1].b[0] == 16     # layers see the new vector
    model.layers[0].W[0, 0] = -1                                            # and write through to it
    assert model.get_flat_weights()[0] == -1
    model.set_weights([np.ones((2, 4)), np.zeros(4), np.ones((4, 1)), np.zeros(1)])
    np.testing.assert_allclose(model.predict(np.array([[1.0, 1.0]])), [[4 * (1 / (1 + np.exp(-2)))]], rtol=1e-6)


def test_save_and_load_weights_round_trip_exactly(tmp_path):
    X, y = datasets.xor(n_samples=100, seed=0)
    model = small_net()
    model.fit(X, y, epochs=2, verbose=0)
    path = tmp_path / "xor.weights.npz"
    model.save_weights(path)
    copy = small_net(seed=99)
    copy.build(2)
    copy.load_weights(path)
    np.testing.assert_array_equal(copy.get_flat_weights(), model.get_flat_weights())
    np.testing.assert_array_equal(copy.predict(X), model.predict(X))
    with pytest.raises(ValueError, match="numpy .npz"):
        model.save_weights(tmp_path / "w.h5")


def test_summary_lists_layers_shapes_and_parameters():
    lines = []
    model = Sequential([Dense(4, activation="relu"), Dropout(0.5), Dense(2, activation="softmax")], seed=0)
    model.build((None, 3))
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert re.search(r"dense \(Dense\)\s+\(None, 4\)\s+16", text)
    assert re.search(r"dropout \(Dropout\)\s+\(None, 4\)\s+0", text)
    assert re.search(r"dense_1 \(Dense\)\s+\(None, 2\)\s+10", text)
    assert "Total params: 26" in text


def test_float64_on_request():
    model = Sequential([Dense(2)], seed=0, dtype="float64")
    model.compile(loss="mse")
    assert model.predict(np.ones((1, 3))).dtype == np.float64
    model32 = Sequential([Dense(2)], seed=0)
    assert model32.predict(np.ones((1, 3))).dtype == np.float32


def test_callbacks_see_every_epoch():
    X, y = datasets.pass_fail(n_samples=60, seed=0)
    seen = []
    model = small_net()
    model.fit(X, y, epochs=4, verbose=0, callbacks=[LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))])
    assert seen == [0, 1, 2, 3]


# ------------------------------------------------------------------------------------------ bad input
def compiled(loss="binary_crossentropy", units=1, activation="sigmoid"):
    model = Sequential([Dense(3, activation="relu"), Dense(units, activation=activation)], seed=0)
    model.compile(optimizer="adam", loss=loss)
    return model


X4, Y4 = np.ones((4, 2)), np.array([0, 1, 0, 1])


@pytest.mark.parametrize("call, error, match", [
    (lambda: Sequential([Dense(1)]).fit(X4, Y4), ValueError, r"fit needs a compiled model: call model.compile"),
    (lambda: compiled().fit(X4, Y4[:3]), ValueError,
     r"x and y must have the same number of rows .* x with shape \(4, 2\) and y with shape \(3,\)"),
    (lambda: compiled().fit(np.ones(4), Y4), ValueError, r"x must have shape \(n_samples, n_features\); received "
                                                        r"shape \(4,\); for one sample use x.reshape\(1, -1\)"),
    (lambda: compiled().fit(X4, [0, 2, 0, 1]), ValueError, r"binary_crossentropy needs labels y in \[0, 1\]"),
    (lambda: compiled().fit([[0, np.nan]] * 4, Y4), ValueError, r"x contains 4 NaN or infinite value\(s\); remove or impute them"),
    (lambda: compiled().fit(X4, [0, 1, np.inf, 1]), ValueError, r"y contains 1 NaN or infinite value"),
    (lambda: compiled().fit(X4, Y4, batch_size=0), ValueError, r"batch_size must be in \[1, inf\); received batch_size=0"),
    (lambda: compiled().fit(X4, Y4, batch_size=2.5), TypeError, r"batch_size must be an integer; received batch_size=2.5"),
    (lambda: compiled().fit(X4, Y4, epochs=-1), ValueError, r"epochs must be in \[0, inf\); received epochs=-1"),
    (lambda: compiled().fit(X4, Y4, validation_split=1.0), ValueError, r"validation_split must be in \[0, 1\)"),
    (lambda: compiled().fit(X4, Y4, verbose=3), ValueError, r"verbose must be one of '0', '1', '2'"),
    (lambda: compiled().fit(X4, Y4, callbacks=[print]), TypeError, r"callbacks must be coursekit Callback objects"),
    (lambda: compiled("sparse_categorical_crossentropy", 3, "softmax").fit(X4, [0, 1, 3, 1]), ValueError,
     r"integer labels y must be in 0..2"),
    (lambda: compiled("categorical_crossentropy").fit(X4, Y4), ValueError, r"needs one output per class"),
    (lambda: Sequential([Dense(1)]).compile(loss="cross_entropy"), ValueError,
     r"unknown loss 'cross_entropy'; known losses: 'binary_crossentropy'"),
    (lambda: Sequential([Dense(1)]).compile(optimizer="adamw", loss="mse"), ValueError, r"unknown optimizer 'adamw'"),
    (lambda: Sequential([Dense(1)]).compile(loss="mse", metrics=["f1"]), ValueError, r"metrics must be one of 'accuracy'"),
    (lambda: Sequential([Dense(1, activation="softplus")]), ValueError, r"unknown activation 'softplus'"),
    (lambda: Sequential([Dense(0)]), ValueError, r"units must be in \[1, inf\); received units=0"),
    (lambda: Sequential(["dense"]), TypeError, r"layers must be coursekit layers such as Dense"),
    (lambda: Dropout(1.0), ValueError, r"Dropout rate must be in \[0, 1\); received rate=1.0"),
    (lambda: Dropout(-0.1), ValueError, r"Dropout rate must be in \[0, 1\); received rate=-0.1"),
    (lambda: Sequential([Dense(1)], seed=1.5), TypeError, r"seed must be None, a non-negative integer or a numpy.random.Generator; received seed=1.5"),
    (lambda: Sequential([Dense(1)], dtype="float16"), ValueError, r"dtype must be 'float32' or 'float64'"),
    (lambda: Sequential([Dense(1)]).get_weights(), ValueError, r"weights needs a built model"),
])
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_large_finite_values_whose_sum_overflows_are_accepted():
    # check_array proves finiteness from the sum; an overflowing sum must fall back to checking each entry
    from coursekit._validation import check_array
    big = np.full((4, 2), 3e38, dtype=np.float32)
    assert check_array(big, "x") is not None
    with pytest.raises(ValueError, match=r"x contains 2 NaN or infinite value\(s\)"):
        check_array(np.array([[3e38, np.inf], [-np.inf, 1.0]], dtype=np.float32), "x")


def test_wrong_number_of_features_for_a_built_model():
    model = compiled()
    model.fit(X4, Y4, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"x has 3 features per sample but the model was built for 2"):
        model.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"set_weights expects 4 arrays with shapes \(2, 3\), \(3,\), \(3, 1\), \(1,\)"):
        model.set_weights([np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(2, 3\); received \(3, 2\)"):
        model.set_weights([np.ones((3, 2)), np.ones(3), np.ones((3, 1)), np.ones(1)])
    with pytest.raises(ValueError, match=r"vector must have 13 entries"):
        model.set_flat_weights(np.ones(12))


def test_early_stopping_on_a_missing_validation_quantity_says_how_to_get_it():
    model = compiled()
    with pytest.raises(ValueError, match=r"monitor='val_loss' is not logged \(validation quantities need "
                                         r"validation_data= or validation_split="):
        model.fit(X4, Y4, epochs=2, verbose=0, callbacks=[EarlyStopping()])
