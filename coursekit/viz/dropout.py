r"""Explorer 10 — dropout: during training, randomly set some activations to 0.

"Typically drop 50% of activations in a layer; forces the network to not rely on any one node"
(``tf.keras.layers.Dropout(0.5)``). Left: a network drawing whose hidden units are dropped by coursekit's
own :class:`~coursekit.layers.Dropout` layer — each "resample" draws a new mask, dropped units are greyed
out with their connections, and kept units show the inverted scaling 1/(1 - p) that keeps the expected
activation unchanged. Right: train and validation loss of a real over-fitting coursekit run (few
examples, a wide network) without dropout and with dropout at the slider's rate; each rate is trained
once, when first selected, and cached.

The training runs are computed in the core (:func:`coursekit.problems.overfitting_data`,
:func:`coursekit.problems.fit_overfitting`, also used by the early-stopping explorer); drawn here:
:func:`draw_masks`.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_number
from ..layers import Dropout
from ..problems import fit_overfitting, overfitting_data  # noqa: F401 - computed in the core; old import path
from .explorer import Explorer, freeze_background
from .style import OKABE_ITO, SERIES_COLORS, style_axes

RATE_STEP = 0.1


def draw_masks(layer_sizes, rate, rng):
    """One dropout mask per hidden layer, drawn by coursekit's Dropout layer (inverted scaling).

    Returns a list of float arrays: 0 for a dropped unit, 1/(1 - rate) for a kept one.
    """
    masks = []
    for size in layer_sizes[1:-1]:
        layer = Dropout(rate)
        layer.rng = rng
        layer.forward(np.ones((1, size)), training=True)
        masks.append(np.ones(size) if layer.mask is None else layer.mask[0].astype(float))
    return masks


class DropoutExplorer(Explorer):
    """Rate slider + resample button over a network drawing and train/validation curves."""

    title = "dropout"

    def __init__(self, rate=0.5, layer_sizes=(2, 8, 8, 1), epochs=150, seed=0):
        rate = check_number(rate, "rate", what="Dropout rate", low=0, high=1, high_inclusive=False)
        if rate > 0.9:
            raise ValueError(f"Dropout rate must be in [0, 0.9] for this explorer; received rate={rate!r}")
        sizes = [check_number(s, "layer_sizes", low=1, high=16, integer=True) for s in layer_sizes]
        if len(sizes) < 3:
            raise ValueError(f"layer_sizes needs an input, at least one hidden and an output layer; "
                             f"received layer_sizes={tuple(layer_sizes)}")
        self.layer_sizes = sizes
        self.epochs = check_number(epochs, "epochs", low=2, high=2000, integer=True)
        self.seed = check_number(seed, "seed", low=0, integer=True)
        self.rng = np.random.default_rng(self.seed)
        self._data = overfitting_data()
        self._curves = {}

        super().__init__(figsize=(10.0, 4.2), nrows=1, ncols=2, gridspec_kw={"width_ratios": [1, 1.2]})
        self.fig.subplots_adjust(left=0.02, right=0.98, bottom=0.13, top=0.88, wspace=0.15)
        self._draw_network()
        self._draw_curves()
        w = self._widgets
        self.add_control("rate", w.FloatSlider(value=round(rate, 2), min=0.0, max=0.9, step=RATE_STEP,
                                               description="rate p", readout_format=".1f"))
        self.resample_button = w.Button(description="resample", icon="refresh",
                                        tooltip="draw a new dropout mask")
        self.resample_button.on_click(lambda _: self.resample())
        self.masks = draw_masks(self.layer_sizes, rate, self.rng)
        self.refresh()
        freeze_background(self.fig, self._dynamic)

    # -- data ---------------------------------------------------------------------------------
    def curves(self, rate):
        """(train loss, validation loss) per epoch for ``rate`` rounded to the slider's step (cached)."""
        key = round(round(rate / RATE_STEP) * RATE_STEP, 2)
        if key not in self._curves:
            _, history = fit_overfitting(key, self.epochs, self.seed, data=self._data)
            self._curves[key] = (np.array(history.history["loss"]), np.array(history.history["val_loss"]))
        return self._curves[key]

    @property
    def hidden_mask(self):
        """True for every dropped hidden unit in the current draw (all hidden layers concatenated)."""
        return np.concatenate([m == 0 for m in self.masks])

    def resample(self):
        """Draw a new mask (what each training step does) and redraw."""
        self.masks = draw_masks(self.layer_sizes, float(self.value("rate")), self.rng)
        self.refresh()

    # -- figure -------------------------------------------------------------------------------
    def _draw_network(self):
        from matplotlib.collections import LineCollection

        ax = self.axes[0]
        ax.set_axis_off()
        xs = np.linspace(0, 1, len(self.layer_sizes))
        self.positions = []
        for x, size in zip(xs, self.layer_sizes):
            ys = np.linspace(0.5 - 0.06 * (size - 1), 0.5 + 0.06 * (size - 1), size) if size > 1 else np.array([0.5])
            self.positions.append(np.column_stack([np.full(size, x), ys]))
        segments, self.edge_ends = [], []
        for layer, (left, right) in enumerate(zip(self.positions[:-1], self.positions[1:])):
            for i, p in enumerate(left):
                for j, q in enumerate(right):
                    segments.append([p, q])
                    self.edge_ends.append(((layer, i), (layer + 1, j)))
        self.edges = LineCollection(segments, colors="#7a8a99", linewidths=0.8, zorder=1)
        ax.add_collection(self.edges)
        allpos = np.vstack(self.positions)
        self.units = ax.scatter(allpos[:, 0], allpos[:, 1], s=260, c="white", edgecolors="black",
                                linewidths=1.2, zorder=3)
        # "×2" on every kept hidden unit: one scatter whose marker is the text, cheaper to draw than texts
        self.hidden_positions = np.vstack(self.positions[1:-1])
        self.scale_marks = ax.scatter([], [], s=130, c="white", linewidths=0, zorder=4)
        self._scale_factor = None
        names = ["input"] + [f"hidden {k}" for k in range(1, len(self.layer_sizes) - 1)] + ["output ŷ"]
        for x, name in zip(xs, names):
            ax.text(x, 0.5 - 0.06 * (max(self.layer_sizes) - 1) - 0.08, name, ha="center", fontsize=9)
        ax.set_xlim(-0.1, 1.1)
        ax.set_ylim(0.5 - 0.06 * max(self.layer_sizes) - 0.1, 0.5 + 0.06 * max(self.layer_sizes) + 0.02)
        self.net_title = ax.text(0.5, 1.0, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=10)

    def _draw_curves(self):
        ax = self.axes[1]
        train0, val0 = self.curves(0.0)
        epochs = np.arange(1, self.epochs + 1)
        ax.plot(epochs, train0, color=SERIES_COLORS[0], lw=1.2, ls="--", label="train, no dropout")
        ax.plot(epochs, val0, color=SERIES_COLORS[3], lw=1.2, ls="--", label="validation, no dropout")
        self.train_line, = ax.plot([], [], color=SERIES_COLORS[0], lw=2.2, label="train, dropout p")
        self.val_line, = ax.plot([], [], color=SERIES_COLORS[3], lw=2.2, label="validation, dropout p")
        ax.set_xlim(1, self.epochs)
        ax.set_ylim(0, min(2.0, max(1.0, float(np.max(val0)) * 1.05)))
        style_axes(ax, "epoch", "loss")
        ax.legend(fontsize=8, loc="upper left")
        self.curve_title = ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=10)

    @property
    def _dynamic(self):
        return [self.edges, self.units, self.scale_marks, self.net_title, self.train_line, self.val_line,
                self.curve_title]

    # -- update -------------------------------------------------------------------------------
    def update(self):
        rate = float(self.value("rate"))
        if not self.masks or any(np.any((m != 0) & ~np.isclose(m, 1 / (1 - rate))) for m in self.masks):
            self.masks = draw_masks(self.layer_sizes, rate, self.rng)      # the rate changed: a new draw
        scales = [np.ones(self.layer_sizes[0])] + self.masks + [np.ones(self.layer_sizes[-1])]
        kept = np.concatenate([s > 0 for s in scales])
        faces = np.where(kept, "", "")
        faces = [OKABE_ITO["blue"] if k else "#e6e6e6" for k in kept]
        faces[:self.layer_sizes[0]] = [OKABE_ITO["orange"]] * self.layer_sizes[0]
        faces[-self.layer_sizes[-1]:] = [OKABE_ITO["bluish_green"]] * self.layer_sizes[-1]
        self.units.set_facecolor(faces)
        self.units.set_edgecolor(["black" if k else "#b0b0b0" for k in kept])
        alive = [bool(scales[a][i] > 0 and scales[b][j] > 0) for (a, i), (b, j) in self.edge_ends]
        self.edges.set_color(["#55606b" if ok else "#ececec" for ok in alive])
        factor = 1 / (1 - rate)
        hidden = np.concatenate(self.masks)
        if factor != self._scale_factor:
            from matplotlib.markers import MarkerStyle

            marker = MarkerStyle(f"$\\times{factor:.2g}$")
            self.scale_marks.set_paths([marker.get_path().transformed(marker.get_transform())])
            self._scale_factor = factor
        self.scale_marks.set_offsets(self.hidden_positions[hidden > 0].reshape(-1, 2))
        dropped = int(np.count_nonzero(hidden == 0))
        self.net_title.set_text(f"p = {rate:.1f}: {dropped} of {hidden.size} hidden units dropped\n"
                                f"kept units scaled by 1/(1−p) = {factor:.3g}")
        train, val = self.curves(rate)
        epochs = np.arange(1, len(train) + 1)
        self.train_line.set_data(epochs, train)
        self.val_line.set_data(epochs, val)
        self.curve_title.set_text(f"final validation loss: {val[-1]:.3f} with p = {rate:.1f}, "
                                  f"{self._curves[0.0][1][-1]:.3f} without")
        self.show_message("Dropout is on only while training (model.fit); predict and evaluate use every "
                          "unit, unscaled — the 1/(1−p) during training keeps the expected activation equal.")

    def control_box(self):
        return self._widgets.HBox([self.controls["rate"], self.resample_button])


def dropout_explorer(rate=0.5, layer_sizes=(2, 8, 8, 1), epochs=150, seed=0):
    """Explorer 10: dropout rate slider and resample button → dropped units, scaling, train/val loss.

    Parameters
    ----------
    rate : float in [0, 0.9]
        Initial dropout rate p (the lecture's 0.5); the slider moves in steps of 0.1.
    layer_sizes : tuple of int
        Units per layer in the drawing (input, hidden..., output), each at most 16.
    epochs : int
        Epochs of the over-fitting training runs behind the loss curves.
    seed : int
        Masks and training runs.

    Returns
    -------
    DropoutExplorer
        ``.resample()`` draws a new mask; ``.hidden_mask`` says which hidden units are dropped.
    """
    return DropoutExplorer(rate=rate, layer_sizes=layer_sizes, epochs=epochs, seed=seed)
