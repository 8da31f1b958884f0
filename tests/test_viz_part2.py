"""Explorers 7-12 driven without a browser (Agg): move a control, check the artists changed as they should."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit.callbacks import Callback, EarlyStopping  # noqa: E402
from coursekit.viz import (TrainingMonitor, dropout_explorer, early_stopping_explorer,  # noqa: E402
                           learning_rate_explorer, live_training_explorer, minibatch_explorer, optimizer_race,
                           replay_early_stopping)
from coursekit.viz.dropout import draw_masks, fit_overfitting  # noqa: E402


def xy(line):
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


# ---------------------------------------------------------------- 7 learning rate
@pytest.fixture(scope="module")
def lr():
    return learning_rate_explorer(learning_rate=0.05)


def test_learning_rate_regimes_and_path_change(lr):
    lr.controls["learning_rate"].value = 0.05
    small = xy(lr.path_2d)
    assert lr.regimes == {"1d": "small", "2d": "small"}
    lr.controls["learning_rate"].value = 0.5
    assert lr.regimes == {"1d": "stable", "2d": "stable"}
    stable = xy(lr.path_2d)
    assert not np.allclose(small[0][-1], stable[0][-1])
    assert abs(stable[0][-1]) < 0.05 and abs(xy(lr.path_1d)[0][-1]) < 0.05   # reached the global minimum
    assert "error" not in lr.message.value and "Diverged" not in lr.message.value


def test_learning_rate_divergence_is_a_message_not_an_exception(lr):
    lr.controls["learning_rate"].value = 5.0
    assert lr.regimes["1d"] == "large"
    assert "Diverged" in lr.message.value and "too large" in lr.message.value
    assert lr.png()[:4] == b"\x89PNG"


@pytest.mark.parametrize("kwargs, name", [({"eta_range": (1.0, 0.1)}, "eta_range"),
                                          ({"learning_rate": 50.0}, "learning_rate"),
                                          ({"steps": 0}, "steps")])
def test_learning_rate_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        learning_rate_explorer(**kwargs)


# ---------------------------------------------------------------- 8 optimizer race
@pytest.fixture(scope="module")
def race():
    return optimizer_race(surface="valley", steps=60)


def test_race_step_slider_grows_paths(race):
    race.controls["step"].value = 5
    assert all(len(line.get_xdata()) == 6 for line in race.paths.values())
    race.controls["step"].value = 60
    assert all(len(line.get_xdata()) > 6 for line in race.paths.values())
    starts = {tuple(np.round([line.get_xdata()[0], line.get_ydata()[0]], 9)) for line in race.paths.values()}
    assert starts == {(-5.0, 2.0)}                                   # same start for all six
    assert len({line.get_color() for line in race.paths.values()}) == 6
    assert len({str(line.get_linestyle()) for line in race.paths.values()}) >= 4


def test_race_multiplier_changes_paths_and_divergence_is_reported(race):
    race.controls["step"].value = 60
    before = xy(race.paths["Adam"])
    race.controls["multiplier"].value = 0.1
    after = xy(race.paths["Adam"])
    assert not np.allclose(before[0][-1], after[0][-1])
    race.controls["multiplier"].value = 30.0
    assert "Diverged" in race.message.value and "SGD" in race.message.value
    race.controls["multiplier"].value = 1.0


def test_race_switches_landscape(race):
    race.controls["surface"].value = "rosenbrock"
    assert race.paths["SGD"].get_xdata()[0] == pytest.approx(-1.5)
    race.controls["surface"].value = "valley"


def test_race_bad_input():
    with pytest.raises(ValueError, match="surface"):
        optimizer_race(surface="nope")
    with pytest.raises(ValueError, match="multiplier_range"):
        optimizer_race(multiplier_range=(2.0, 1.0))


# ---------------------------------------------------------------- 9 mini-batches
@pytest.fixture(scope="module")
def mb():
    return minibatch_explorer()


def spread(points):
    return float(np.sqrt(np.mean(np.sum((points - points.mean(axis=0)) ** 2, axis=1))))


def test_minibatch_spread_shrinks_as_batch_grows(mb):
    spreads = []
    for B in (1, 10, 100, 500):
        mb.controls["batch_size"].value = B
        spreads.append(spread(np.asarray(mb.scatter.get_offsets())))
    assert all(a > b for a, b in zip(spreads, spreads[1:]))
    mb.controls["batch_size"].value = 2000                            # the full batch: no noise at all
    assert spread(np.asarray(mb.scatter.get_offsets())) < 1e-9


def test_minibatch_iterations_per_epoch_and_path(mb):
    mb.controls["batch_size"].value = 500
    assert "4 iterations" in mb.message.value
    path_500 = xy(mb.batch_line)
    mb.controls["batch_size"].value = 1
    assert "2000 iterations" in mb.suptitle.get_text()
    assert not np.allclose(path_500[0], xy(mb.batch_line)[0])


def test_minibatch_bad_input():
    with pytest.raises(ValueError, match="batch_size"):
        minibatch_explorer(batch_size=5000)


# ---------------------------------------------------------------- 10 dropout
@pytest.fixture(scope="module")
def do():
    return dropout_explorer(epochs=60)


def test_dropout_dropped_fraction_matches_rate(do):
    do.controls["rate"].value = 0.5
    fractions = []
    for _ in range(60):                                              # through the widget: 960 unit draws
        do.resample()
        fractions.append(do.hidden_mask.mean())
    assert np.mean(fractions) == pytest.approx(0.5, abs=0.05)        # 3 standard errors
    fractions = [draw_masks(do.layer_sizes, 0.2, do.rng)[0].__eq__(0).mean() for _ in range(500)]
    assert np.mean(fractions) == pytest.approx(0.2, abs=0.03)


def test_dropout_resample_greys_units_and_shows_scaling(do):
    do.controls["rate"].value = 0.5
    seen = set()
    for _ in range(5):
        do.resample()
        seen.add(tuple(do.hidden_mask))
        faces = do.units.get_facecolor()
        greyed = np.all(np.isclose(faces[:, :3], matplotlib.colors.to_rgb("#e6e6e6")), axis=1)
        assert greyed.sum() == do.hidden_mask.sum()
        assert len(do.scale_marks.get_offsets()) == (~do.hidden_mask).sum()     # a "×2" on each kept unit
        assert do._scale_factor == pytest.approx(2.0)
    assert len(seen) > 1                                             # a new mask per draw


def test_dropout_curves_change_with_rate(do):
    do.controls["rate"].value = 0.0
    none = xy(do.val_line)[1].copy()
    do.controls["rate"].value = 0.5
    assert not np.allclose(none, xy(do.val_line)[1])


def test_dropout_bad_input():
    with pytest.raises(ValueError, match="rate"):
        dropout_explorer(rate=1.5)


# ---------------------------------------------------------------- 11 early stopping
@pytest.fixture(scope="module")
def es():
    return early_stopping_explorer(epochs=80)


@pytest.mark.parametrize("patience", [0, 3, 12])
def test_early_stopping_line_matches_a_real_fit(es, patience):
    es.controls["min_delta"].value = 0.0
    es.controls["patience"].value = patience
    callback = EarlyStopping(monitor="val_loss", patience=patience)
    fit_overfitting(0.0, 80, 0, callbacks=[callback])
    assert callback.stopped_epoch > 0
    assert es.stop_line.get_xdata()[0] == callback.stopped_epoch + 1     # drawn 1-based, as Keras prints
    assert es.best_marker.get_xdata()[0] == callback.best_epoch + 1


def test_early_stopping_min_delta_and_replay():
    values = [1.0, 0.9, 0.89, 0.885, 0.88, 0.95, 0.99]
    assert replay_early_stopping(values, patience=1).stop_epoch == 5
    assert replay_early_stopping(values, patience=1, min_delta=0.02).stop_epoch == 2   # 0.89 is no longer enough
    assert not replay_early_stopping(values, patience=10).stopped
    with pytest.raises(ValueError, match="values"):
        replay_early_stopping([])


def test_early_stopping_bad_history():
    with pytest.raises(ValueError, match="history"):
        early_stopping_explorer(history={"loss": [1.0]})


# ---------------------------------------------------------------- 12 live training
def test_monitor_lines_gain_points_during_fit():
    from coursekit.datasets import moons

    X, y = moons(120, seed=0)
    monitor = TrainingMonitor(X, y, min_interval=0.0, display=False)
    counts = []

    class Spy(Callback):                                             # runs after the monitor
        def on_epoch_end(self, epoch, logs=None):
            counts.append(len(monitor.lines["loss"].get_xdata()))

    _, history = fit_overfitting(0.0, 12, 0, callbacks=[monitor, Spy()])
    assert counts[-1] > counts[0] >= 1 and counts == sorted(counts)
    assert len(monitor.lines["val_loss"].get_xdata()) == 12
    assert monitor.redraw_count >= 2
    first = monitor.boundary.get_array().copy()
    assert first.std() > 0                                           # the boundary image shows the model


def test_monitor_throttles_redraws():
    monitor = TrainingMonitor(min_interval=60.0, display=False)
    fit_overfitting(0.0, 20, 0, callbacks=[monitor])
    assert monitor.redraw_count == 2                                 # the first epoch and the end only


def test_live_training_explorer_trains():
    explorer = live_training_explorer(n_samples=80)            # more in tests/test_viz_playground.py
    assert explorer.run(epochs=5) == 5 and len(explorer.lines["loss"].get_xdata()) == 5
    with pytest.raises(ValueError, match="dataset"):
        live_training_explorer(dataset="nope")
    with pytest.raises(ValueError, match="X is empty"):
        TrainingMonitor(np.zeros((0, 2)), np.zeros(0), display=False)
