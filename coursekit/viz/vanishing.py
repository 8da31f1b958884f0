r"""Explorer: vanishing gradients, the gradient's size layer by layer in a deep network.

Backpropagation (notebook 06) hands each layer the gradient of the layer after it, multiplied by that
layer's weights and by the activation's slope,

    dz_l = (dz_{l+1} W_{l+1}^T) ⊙ g'(z_l),

so going back through L layers multiplies L slopes. The sigmoid's slope is at most g'(0) = 0.25
(notebook 02): through ten sigmoid layers the gradient can shrink by 0.25^10 ≈ 1e-6, and the first
layers barely learn. ReLU's slope is exactly 1 wherever a unit is active, so its gradients keep their size.

The explorer builds one network per activation (sigmoid, tanh, ReLU; same depth, width, data and seed,
Keras' default Glorot-uniform initialisation), runs one forward and backward pass, and draws

* left: the size of each layer's weight gradient ‖∂J/∂W_l‖ (log scale), layer 1 next to the input;
* right: the mean slope g'(z_l) the layer's units actually see, with the sigmoid's bound 0.25.

:func:`layer_gradients` is the pure computation; the explorer only shows it.
"""

from __future__ import annotations

import numpy as np

from .. import activations
from ..datasets import moons
from ..layers import Dense
from ..model import Sequential
from .checks import check_in_range
from .explorer import Explorer, freeze_background
from .style import SERIES_COLORS, style_axes

#: The activations compared, with their line styles (a different dash per series, not colour alone).
SERIES = (("sigmoid", SERIES_COLORS[0], "-"), ("tanh", SERIES_COLORS[1], "--"), ("relu", SERIES_COLORS[2], ":"))
SIGMOID_MAX_SLOPE = 0.25


def layer_gradients(activation, depth, width, n_samples=64, seed=0):
    """One forward and backward pass of a deep network; the gradient's size and the mean slope per layer.

    The network is ``depth`` hidden ``Dense(width, activation)`` layers and a sigmoid output, trained
    with binary cross-entropy on ``n_samples`` moons (float64, ``seed`` for data and weights).

    Parameters
    ----------
    activation : {"sigmoid", "tanh", "relu"}
    depth : int
        Number of hidden layers, 1..100.
    width : int
        Units per hidden layer, 1..512.
    n_samples : int
    seed : int

    Returns
    -------
    norms : ndarray, shape (depth,)
        ‖∂J/∂W_l‖ (Frobenius norm) for the hidden layers l = 1..depth, input side first.
    slopes : ndarray, shape (depth,)
        Mean of g'(z_l) over the layer's units and the examples.
    """
    if activation not in {name for name, _, _ in SERIES}:
        raise ValueError(f"activation must be one of 'sigmoid', 'tanh', 'relu'; received activation={activation!r}")
    depth = int(check_in_range(depth, (1, 100), "depth"))
    width = int(check_in_range(width, (1, 512), "width"))
    X, y = moons(n_samples, seed=seed)
    model = Sequential([Dense(width, activation=activation) for _ in range(depth)] + [Dense(1, activation="sigmoid")],
                       dtype="float64", seed=seed)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.loss_and_gradient(X, y)
    hidden = model.layers[:depth]
    g = activations.get(activation)
    norms = np.array([np.linalg.norm(layer.dW) for layer in hidden])
    slopes = np.array([float(np.mean(g.derivative(layer.z))) for layer in hidden])
    return norms, slopes


class VanishingGradientExplorer(Explorer):
    """Gradient size per layer for sigmoid, tanh and ReLU networks. See :func:`vanishing_gradient_explorer`."""

    title = "vanishing gradients: gradient size per layer"

    def __init__(self, depth=10, width=16, max_depth=30, seed=0):
        self.max_depth = int(check_in_range(max_depth, (2, 100), "max_depth"))
        depth = int(check_in_range(depth, (1, self.max_depth), "depth"))
        width = int(check_in_range(width, (2, 64), "width"))
        self.seed = int(check_in_range(seed, (0, 2 ** 31 - 1), "seed"))
        super().__init__(figsize=(10.0, 3.9), nrows=1, ncols=2)
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.84, wspace=0.28)
        ax_norm, ax_slope = self.axes
        self.norm_lines, self.slope_lines = {}, {}
        for name, colour, ls in SERIES:
            label = "ReLU" if name == "relu" else name
            self.norm_lines[name], = ax_norm.plot([], [], color=colour, ls=ls, lw=2, marker="o", ms=3, label=label)
            self.slope_lines[name], = ax_slope.plot([], [], color=colour, ls=ls, lw=2, marker="o", ms=3, label=label)
        ax_norm.set_yscale("log")
        ax_slope.axhline(SIGMOID_MAX_SLOPE, color="0.3", lw=1, ls="-.")
        ax_slope.text(self.max_depth, SIGMOID_MAX_SLOPE * 1.04, "sigmoid's largest slope g′(0) = 0.25",
                      ha="right", va="bottom", fontsize=8, color="0.3")
        ax_slope.set_ylim(0, 1.05)
        for ax in self.axes:
            ax.set_xlim(0.5, self.max_depth + 0.5)
        style_axes(ax_norm, "layer $l$ (1 = next to the input)", r"$\Vert \partial J / \partial W_l \Vert$ (log scale)")
        style_axes(ax_slope, "layer $l$", "mean slope $g'(z_l)$")
        ax_norm.legend(fontsize=8, loc="lower right")
        self.summary = self.fig.suptitle("", fontsize=10)
        W = self._widgets
        self.add_control("depth", W.IntSlider(value=depth, min=2, max=self.max_depth, description="layers"))
        self.add_control("width", W.IntSlider(value=width, min=2, max=64, step=2, description="units/layer"))
        self._norm_limits = None
        self.refresh()

    def update(self):
        depth, width = int(self.value("depth")), int(self.value("width"))
        layers = np.arange(1, depth + 1)
        self.results = {name: layer_gradients(name, depth, width, seed=self.seed) for name, _, _ in SERIES}
        parts = []
        for name, (norms, slopes) in self.results.items():
            self.norm_lines[name].set_data(layers, norms)
            self.slope_lines[name].set_data(layers, slopes)
            label = "ReLU" if name == "relu" else name
            ratio = f"{norms[0] / norms[-1]:.1e}" if norms[-1] > 0 else "none (the last layer's units are all off)"
            parts.append(f"{label} {ratio}")
        positive = np.concatenate([n[n > 0] for n, _ in self.results.values()] + [np.array([1e-3, 1.0])])
        limits = (10 ** np.floor(np.log10(positive.min())), 10 ** np.ceil(np.log10(positive.max())))
        if self._norm_limits is not None:        # the axis only grows, so the static background is rarely repainted
            limits = (min(limits[0], self._norm_limits[0]), max(limits[1], self._norm_limits[1]))
        if limits != self._norm_limits:
            self._norm_limits = limits
            self.axes[0].set_ylim(*limits)
            freeze_background(self.fig, [*self.norm_lines.values(), *self.slope_lines.values(), self.summary])
        self.summary.set_text(f"{depth} hidden layers of {width} units: first layer's gradient / last layer's = "
                              + ", ".join(parts))


def vanishing_gradient_explorer(depth=10, width=16, max_depth=30, seed=0):
    """Explorer: how big each layer's gradient is in a deep network, for sigmoid, tanh and ReLU.

    Parameters
    ----------
    depth : int
        Number of hidden layers to start with (the "layers" slider, 2..``max_depth``).
    width : int
        Units per hidden layer (the "units/layer" slider, 2..64).
    max_depth : int
        The layers slider's maximum.
    seed : int
        Data and weights are seeded: the same picture every run.

    Returns
    -------
    VanishingGradientExplorer
        ``.results[name]`` is ``(norms, slopes)`` from :func:`layer_gradients` for the current settings.
    """
    return VanishingGradientExplorer(depth=depth, width=width, max_depth=max_depth, seed=seed)
