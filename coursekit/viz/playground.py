r"""Explorer 12, live training in the manner of TensorFlow Playground: change anything while it trains.

Press ▶ and a small network trains on 2-D green-vs-red points, epoch after epoch, while the loss curves
(training and test), the accuracy and the decision boundary ŷ(x1, x2) update live. Every control takes
effect *during* training, as in Playground (playground.tensorflow.org):

* **applied to the next step**, the weights kept: learning rate η, activation g (the same weights, a new g),
  regularization (none / L1 / L2) and its rate λ, batch size;
* **a new start** (new data and new weights, as Playground resets): data set, noise, the share of
  points used for training (the rest draw the test curve), hidden layers,
  units per layer, and the **reset** button (fresh random weights each press).

Each Play tick trains for about ``tick_seconds`` (at least one epoch) and then redraws once. Training is
mini-batch SGD, the lecture's algorithm (notebook 08),

    W ← W − η (∂J/∂W + λ ∂Ω/∂W),   Ω = Σ|w| (L1) or ½ Σ w² (L2) over the weights W (not the biases),

with J the binary cross-entropy of the batch; the curves show J without the penalty, as Playground does.
:func:`regularization_gradient` and :func:`playground_data` are the pure parts.
"""

from __future__ import annotations

import time

import numpy as np

from .. import datasets
from .._validation import check_choice, check_number
from .decision import input_grid
from .training import TrainingMonitor

DATASETS = ("circles", "xor", "moons", "spiral")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
REGULARIZATIONS = ("none", "L1", "L2")
#: The inputs are scaled into this box, so the picture's axes never change between data sets.
BOX = (-1.6, 1.6)


def playground_data(dataset, n_samples, noise, seed, train_percent=50):
    """Points of ``dataset`` scaled into :data:`BOX`, ``train_percent`` % for training, the rest for testing.

    The scale is that of the noise-free points, so moving the noise slider moves the points, not the axes.
    Returns ``(X_train, y_train, X_test, y_test)``.
    """
    maker = getattr(datasets, check_choice(dataset, "dataset", DATASETS))
    clean, _ = maker(n_samples, noise=0.0, seed=seed)
    centre = (clean.max(axis=0) + clean.min(axis=0)) / 2
    scale = np.abs(clean - centre).max() / 1.2
    X, y = maker(n_samples, noise=noise, seed=seed)
    X = (X - centre) / scale
    test_size = 1 - check_number(train_percent, "train_percent", low=10, high=90) / 100
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size, seed=seed)
    return X_train, y_train, X_test, y_test


def regularization_gradient(weights, kernel_mask, kind, rate):
    """λ ∂Ω/∂W for the flat weight vector: λ sign(w) (L1) or λ w (L2) on the kernel entries, 0 elsewhere."""
    kind = check_choice(kind, "regularization", REGULARIZATIONS)
    if kind == "none" or rate == 0:
        return np.zeros_like(weights)
    penalty = np.sign(weights) if kind == "L1" else weights
    return rate * penalty * kernel_mask


class PlaygroundExplorer(TrainingMonitor):
    """Train, pause, change any setting, go on. See :func:`live_training_explorer`."""

    title = "live training (Playground)"

    def __init__(self, dataset="circles", noise=0.1, hidden_layers=2, units=4, activation="tanh",
                 learning_rate=0.03, regularization="none", regularization_rate=0.001, batch_size=10,
                 n_samples=300, seed=0, tick_seconds=0.03, grid=50):
        check_choice(dataset, "dataset", DATASETS)
        check_choice(activation, "activation", ACTIVATIONS)
        check_choice(regularization, "regularization", REGULARIZATIONS)
        noise = check_number(noise, "noise", low=0, high=0.5)
        hidden_layers = check_number(hidden_layers, "hidden_layers", low=0, high=6, integer=True)
        units = check_number(units, "units", low=1, high=8, integer=True)
        learning_rate = check_number(learning_rate, "learning_rate", low=1e-5, high=10)
        regularization_rate = check_number(regularization_rate, "regularization_rate", low=1e-5, high=10)
        batch_size = check_number(batch_size, "batch_size", low=1, high=30, integer=True)
        self.n_samples = check_number(n_samples, "n_samples", low=10, high=2000, integer=True)
        self.seed = check_number(seed, "seed", low=0, integer=True)
        self.tick_seconds = check_number(tick_seconds, "tick_seconds", low=0)
        self.resets = 0
        self.X_train, self.y_train, self.X_test, self.y_test = playground_data(dataset, self.n_samples, noise,
                                                                               self.seed)
        super().__init__(self.X_train, self.y_train, min_interval=0, grid=grid, display=False)
        self._fixed_box()
        self._add_controls(dataset, noise, hidden_layers, units, activation, learning_rate, regularization,
                           regularization_rate, batch_size)
        self.new_network()

    # -- set-up -------------------------------------------------------------------------------------
    def _fixed_box(self):
        ax = self.axes[2]
        ax.set_xlim(*BOX)
        ax.set_ylim(*BOX)
        self.boundary.set_extent((*BOX, *BOX))
        _, _, self.grid_points = input_grid(BOX, BOX, self.grid_size)
        ax.set_title("training points and ŷ(x1, x2)", fontsize=10)
        self.fig.subplots_adjust(top=0.80)
        for key in ("val_loss", "val_accuracy"):
            self.lines[key].set_label("test")
        self.axes[0].legend(fontsize=8, loc="upper right")
        self._frozen = False

    def _add_controls(self, dataset, noise, hidden_layers, units, activation, learning_rate, regularization,
                      regularization_rate, batch_size):
        W = self._widgets
        restart = ("dataset", "noise", "train_percent", "hidden_layers", "units")
        specs = [
            ("dataset", W.Dropdown(options=DATASETS, value=dataset, description="data")),
            ("noise", W.FloatSlider(value=noise, min=0, max=0.5, step=0.05, description="noise")),
            ("train_percent", W.IntSlider(value=50, min=10, max=90, step=10, description="training %")),
            ("batch_size", W.IntSlider(value=batch_size, min=1, max=30, description="batch size")),
            ("learning_rate", W.FloatLogSlider(value=learning_rate, base=10, min=-5, max=1, step=0.25,
                                               description="η", readout_format=".2g")),
            ("activation", W.Dropdown(options=ACTIVATIONS, value=activation, description="activation g")),
            ("regularization", W.Dropdown(options=REGULARIZATIONS, value=regularization,
                                          description="regularization")),
            ("regularization_rate", W.FloatLogSlider(value=regularization_rate, base=10, min=-5, max=1, step=0.25,
                                                     description="λ", readout_format=".2g")),
            ("hidden_layers", W.IntSlider(value=hidden_layers, min=0, max=6, description="hidden layers")),
            ("units", W.IntSlider(value=units, min=1, max=8, description="units/layer")),
        ]
        for name, widget in specs:
            widget.style.description_width = "7.5em"      # "regularization", "hidden layers" whole
            self.add_control(name, widget, observe=False)
            handler = self._on_restart if name in restart else self._on_setting
            widget.observe(lambda change, handler=handler, name=name: handler(name), names="value")
        self.controls["regularization_rate"].disabled = regularization == "none"     # λ matters only with L1/L2
        self.play = W.Play(value=0, min=0, max=10 ** 7, step=1, interval=150, description="train")
        self.play.observe(lambda change: self.tick() if change["new"] else None, names="value")
        self.step_button = W.Button(description="step", icon="step-forward", tooltip="train one epoch")
        self.step_button.on_click(lambda _: self.run(epochs=1))
        self.reset_button = W.Button(description="reset", icon="refresh", tooltip="new random weights")
        self.reset_button.on_click(lambda _: self.reset())

    def control_box(self):
        W, c = self._widgets, self.controls
        rows = [[self.play, self.step_button, self.reset_button, c["dataset"], c["noise"], c["train_percent"]],
                [c["learning_rate"], c["activation"], c["batch_size"]],
                [c["regularization"], c["regularization_rate"], c["hidden_layers"], c["units"]]]
        return W.VBox([W.HBox(row, layout={"flex_flow": "row wrap"}) for row in rows])

    # -- the network ----------------------------------------------------------------------------------
    def _build(self, activation, weights=None):
        from ..layers import Dense
        from ..model import Sequential

        layers = [Dense(int(self.value("units")), activation=activation)
                  for _ in range(int(self.value("hidden_layers")))]
        model = Sequential(layers + [Dense(1, activation="sigmoid")], dtype="float64",
                           seed=self.seed + self.resets)
        model.build(2)
        if weights is not None:
            model.set_flat_weights(weights)
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
        self.kernel_mask = np.concatenate([np.full(w.size, float(w.ndim == 2)) for w in model.weights])
        self.set_model(model)

    def new_network(self):
        """New data (data set, noise) and fresh weights for the current architecture; the curves restart."""
        self.X_train, self.y_train, self.X_test, self.y_test = playground_data(
            self.value("dataset"), self.n_samples, float(self.value("noise")), self.seed,
            int(self.value("train_percent")))
        for label, points in zip((0, 1), self.axes[2].collections[:2]):
            points.set_offsets(self.X_train[self.y_train == label])
        self._build(self.value("activation"))
        self.epoch = 0
        # the axes keep their range across a restart (runs compare, and the background is not repainted)
        limits, frozen = self._limits, self._frozen
        self._reset()
        self._limits, self._frozen = limits, frozen
        self._min_right = limits[0] or 10
        self.draw_now()

    def reset(self):
        """Fresh random weights (the next seed), same settings; the curves restart."""
        self.resets += 1
        self.new_network()

    def _on_restart(self, name):
        self.new_network()

    def _on_setting(self, name):
        if name == "activation":             # same weights, new g: the boundary changes at once
            self._build(self.value("activation"), self.model.get_flat_weights())
        if name == "regularization":
            self.controls["regularization_rate"].disabled = self.value("regularization") == "none"
        self.draw_now()

    # -- training -------------------------------------------------------------------------------------
    def _train_epoch(self):
        """One epoch of mini-batch SGD with the current η, λ, batch size; False if the loss diverged."""
        model = self.model
        eta, batch = float(self.value("learning_rate")), int(self.value("batch_size"))
        kind, rate = self.value("regularization"), float(self.value("regularization_rate"))
        weights = model.get_flat_weights()
        seed = (self.seed + self.resets) * 100_003 + self.epoch
        with np.errstate(over="ignore", invalid="ignore"):
            for X, y in datasets.minibatches(self.X_train, self.y_train, batch, seed=seed):
                _, gradient = model.loss_and_gradient(X, y, training=True)
                weights -= eta * (gradient + regularization_gradient(weights, self.kernel_mask, kind, rate))
                if not np.all(np.isfinite(weights)):
                    return False
                model.set_flat_weights(weights)
        self.epoch += 1
        return self._log()

    def _log(self):
        """Record the epoch's training and test loss and accuracy (without the penalty) into the curves."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, accuracy = self.model.evaluate(self.X_train, self.y_train)
            val_loss, val_accuracy = self.model.evaluate(self.X_test, self.y_test)
        logs = {"loss": loss, "val_loss": val_loss, "accuracy": accuracy, "val_accuracy": val_accuracy}
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        return bool(np.isfinite(loss))

    def run(self, epochs=1, seconds=None):
        """Train ``epochs`` epochs (or for about ``seconds``, at least one epoch), then redraw once.

        Returns the number of epochs trained; on divergence it stops, pauses ▶ and says so.
        """
        epochs = check_number(epochs, "epochs", low=1, high=100_000, integer=True)
        start, done = time.perf_counter(), 0
        while done < epochs:
            if not self._train_epoch():
                self.play.playing = False
                self.show_message(f"the loss diverged at epoch {self.epoch + 1} with η = "
                                  f"{self.value('learning_rate'):.2g}: lower η, then press reset", kind="warning")
                break
            done += 1
            if seconds is not None and time.perf_counter() - start >= seconds:
                break
        self.draw_now()
        return done

    def tick(self):
        """One ▶ tick: train for about ``tick_seconds`` and redraw."""
        if self.message.value and "diverged" in self.message.value:
            self.show_message("")
        return self.run(epochs=100_000, seconds=self.tick_seconds)

    def update(self):
        super().update()
        reg = self.value("regularization")
        reg_text = "no regularization" if reg == "none" else f"{reg} λ = {self.value('regularization_rate'):.2g}"
        hidden = int(self.value("hidden_layers"))
        layers = f"{hidden} × {int(self.value('units'))} {self.value('activation')}" if hidden else "no hidden layer"
        losses = ""
        if self.history.get("loss"):
            losses = f" — loss: training {self.history['loss'][-1]:.3f}, test {self.history['val_loss'][-1]:.3f}"
        self.status.set_text(f"epoch {self.epoch}{losses}\n{layers}, η = {self.value('learning_rate'):.2g}, "
                             f"batch {int(self.value('batch_size'))}, {reg_text}")


def live_training_explorer(dataset="circles", noise=0.1, hidden_layers=2, units=4, activation="tanh",
                           learning_rate=0.03, regularization="none", regularization_rate=0.001, batch_size=10,
                           n_samples=300, seed=0, tick_seconds=0.03):
    """Explorer 12: TensorFlow Playground in a notebook — press ▶, then change anything while it trains.

    Parameters
    ----------
    dataset : {"circles", "xor", "moons", "spiral"}
        The green-vs-red points (half for training, half for the test curve; a "training %" slider changes it).
    noise : float
        Standard deviation of the points' noise, 0..0.5.
    hidden_layers, units : int
        0..6 hidden layers of 1..8 units each (the output is one sigmoid unit).
    activation : {"tanh", "relu", "sigmoid", "linear"}
        g of the hidden units.
    learning_rate : float
        η of plain mini-batch SGD, 1e-5..10.
    regularization : {"none", "L1", "L2"}
    regularization_rate : float
        λ, 1e-5..10.
    batch_size : int
        1..30.
    n_samples : int
    seed : int
        Data and the first weights; each **reset** draws the next seed's weights.
    tick_seconds : float
        Training time per ▶ tick before each redraw.

    Returns
    -------
    PlaygroundExplorer
        ``.run(epochs)`` trains from code; ``.history`` holds the curves; ``.model`` the network.
    """
    return PlaygroundExplorer(dataset=dataset, noise=noise, hidden_layers=hidden_layers, units=units,
                              activation=activation, learning_rate=learning_rate, regularization=regularization,
                              regularization_rate=regularization_rate, batch_size=batch_size, n_samples=n_samples,
                              seed=seed, tick_seconds=tick_seconds)
