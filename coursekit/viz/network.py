r"""Explorer 3, the network builder: hidden layers and units → what every neuron computes.

TensorFlow Playground's view with a real coursekit ``Sequential`` underneath: choose the number of hidden
layers, units per layer and the activation; a small network is trained (full-batch Adam, a fixed
number of epochs, seeded) and drawn as

* one small heat map per neuron: its output a = g(z) over the whole input plane (x1, x2), so one sees
  lines in the first hidden layer combine into curves in later ones;
* the weights as edges, width = magnitude |w| (relative to the layer's largest), colour = sign
  (blue positive, orange negative);
* beside it, the network's decision boundary ŷ = 0.5 on the data.

A configuration is trained the first time it is shown and cached; "train more" continues its training.
The pure parts, :func:`network_layout` and :func:`edge_segments`, only compute geometry.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap

from .activations import load_two_class_data, train_classifier
from .checks import check_in_range
from .decision import data_limits, draw_decision_map, input_grid, show_decision
from .explorer import Explorer, freeze_background
from .style import OKABE_ITO, axes_title, probability_cmap

#: Edge colours: positive weights blue, negative orange (both readable with any colour vision).
SIGN_COLORS = (OKABE_ITO["orange"], OKABE_ITO["blue"])
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
BOX = (10.0, 8.0)                    # the drawing's coordinate box (width, height)
PIXELS_PER_UNIT = 36                 # resolution of the composite image of all nodes


def neuron_cmap():
    """Orange (negative) - white - blue (positive), for a neuron's output a."""
    return LinearSegmentedColormap.from_list("coursekit_neuron", [SIGN_COLORS[0], "#FFFFFF", SIGN_COLORS[1]])


def network_layout(sizes, max_units, box=BOX):
    """Centres of every node, column by column, and the node size.

    Parameters
    ----------
    sizes : list of int
        Units per column, inputs first and output last, e.g. [2, 4, 4, 1].
    max_units : int
        The most units any column may have (fixes the node size, so nodes do not jump).

    Returns
    -------
    centres : list of (n_units, 2) arrays
    size : float
        Side of a node's square.
    """
    width, height = box
    columns = len(sizes)
    xs = np.linspace(0.6, width - 0.6, columns)
    step = height / max(max_units, 2)
    size = min(0.78 * step, 0.55 * (xs[1] - xs[0]) if columns > 1 else 1.0, 1.1)
    centres = []
    for x, n in zip(xs, sizes):
        ys = height / 2 + (np.arange(n) - (n - 1) / 2) * step
        centres.append(np.column_stack([np.full(n, x), ys[::-1]]))
    return centres, size


def edge_segments(centres, size, weights):
    """Segments, widths and colours of every weight's edge.

    ``weights[k]`` is the ``W`` (n_in, n_out) between column k and k + 1. Width is |w| relative to the
    largest |w| of its layer (0.3 to 4 points); colour is the sign.
    """
    segments, widths, colors = [], [], []
    for k, W in enumerate(weights):
        left, right = centres[k], centres[k + 1]
        biggest = float(np.max(np.abs(W))) or 1.0
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                segments.append(((left[i, 0] + size / 2, left[i, 1]), (right[j, 0] - size / 2, right[j, 1])))
                widths.append(0.3 + 3.7 * abs(W[i, j]) / biggest)
                colors.append(SIGN_COLORS[int(W[i, j] > 0)])
    return segments, np.array(widths), colors


class NetworkExplorer(Explorer):
    """Layers/units sliders → trained net drawn neuron by neuron. See :func:`network_explorer`."""

    title = "network builder: every neuron's output and the decision boundary"

    def __init__(self, data="circles", hidden_layers=1, units=4, activation="tanh", epochs=100,
                 learning_rate=0.05, n_samples=100, max_layers=4, max_units=8, neuron_resolution=24,
                 resolution=81, seed=0):
        if int(max_layers) != max_layers or not 1 <= max_layers <= 6:
            raise ValueError(f"max_layers must be an integer in [1, 6]; received max_layers={max_layers!r}")
        if int(max_units) != max_units or not 1 <= max_units <= 12:
            raise ValueError(f"max_units must be an integer in [1, 12]; received max_units={max_units!r}")
        hidden_layers = int(check_in_range(hidden_layers, (1, max_layers), "hidden_layers"))
        units = int(check_in_range(units, (1, max_units), "units"))
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}; "
                             f"received activation={activation!r}")
        if int(epochs) != epochs or epochs < 1:
            raise ValueError(f"epochs must be a positive integer; received epochs={epochs!r}")
        check_in_range(learning_rate, (1e-6, 10.0), "learning_rate")
        self.X, self.y = load_two_class_data(data, n_samples, seed)
        self.epochs, self.learning_rate, self.seed = int(epochs), float(learning_rate), seed
        self.max_layers, self.max_units = int(max_layers), int(max_units)
        super().__init__(figsize=(10.0, 4.4), ncols=2, gridspec_kw={"width_ratios": [1.55, 1.0]})
        ax_n, ax_b = self.axes
        self.xlim, self.ylim = data_limits(self.X)
        _, _, self.coarse = input_grid(self.xlim, self.ylim, neuron_resolution)
        self.neuron_shape = (neuron_resolution, neuron_resolution)
        self._neuron_cmap, self._output_cmap = neuron_cmap(), probability_cmap()
        self.grid_x1, self.grid_x2, self.grid = input_grid(self.xlim, self.ylim, resolution)

        # the network drawing: edges below, all node heat maps painted into ONE transparent RGBA image
        # (one image draws in ~2 ms; thirty small images took ~15 ms)
        self.edges = LineCollection([], zorder=1, alpha=0.75)
        ax_n.add_collection(self.edges)
        self.extent = (-0.3, BOX[0] + 0.3, 0.0, BOX[1])
        self.pixels = np.zeros((int(round(BOX[1] * PIXELS_PER_UNIT)),
                                int(round((self.extent[1] - self.extent[0]) * PIXELS_PER_UNIT)), 4))
        self.nodes_image = ax_n.imshow(self.pixels, extent=self.extent, origin="upper", zorder=2,
                                       interpolation="nearest")
        self.neuron_outputs = []      # per hidden layer, the (n_grid, units) outputs drawn (for tests)
        centres, size = network_layout([2, 1], self.max_units)
        for (x, y), label in zip(centres[0], ("x₁", "x₂")):
            ax_n.text(x - size / 2 - 0.1, y, label, ha="right", va="center", fontsize=11)
        (x, y), = centres[-1]
        ax_n.text(x + size / 2 + 0.1, y, "ŷ", ha="left", va="center", fontsize=12)
        ax_n.set_xlim(-0.3, BOX[0] + 0.3)
        ax_n.set_ylim(0, BOX[1])
        ax_n.set_aspect("equal")
        ax_n.axis("off")
        self.n_title = axes_title(ax_n)

        # the decision boundary on the data
        self.image, self.points = draw_decision_map(ax_b, self.X, self.y, self.xlim, self.ylim, size=16)
        self.b_title = axes_title(ax_b)
        self.boundary = None
        self.fig.tight_layout()

        self.models = {}              # (layers, units, activation) -> [model, epochs trained]
        self._add_controls(hidden_layers, units, activation)
        self.refresh()
        dynamic = [self.edges, self.nodes_image, self.n_title, self.image, *self.points, self.b_title, self.boundary]
        self.frozen = freeze_background(self.fig, dynamic)

    def _add_controls(self, hidden_layers, units, activation):
        """Sliders for the layers and units, the activation menu and the train button."""
        W = self._widgets
        self.add_control("hidden_layers", W.IntSlider(value=hidden_layers, min=1, max=self.max_layers,
                                                      description="hidden layers",
                                                      style={"description_width": "initial"}))
        self.add_control("units", W.IntSlider(value=units, min=1, max=self.max_units, description="units",
                                              style={"description_width": "initial"}))
        self.add_control("activation", W.Dropdown(options=list(ACTIVATIONS), value=activation, description="g",
                                                  layout={"width": "150px"}))
        self.train_button = self.add_control("train", W.Button(description=f"train {self.epochs} more epochs",
                                                               icon="play", layout={"width": "220px"}),
                                             observe=False)
        self.train_button.on_click(lambda _: self.train_more())

    # -- model ---------------------------------------------------------------------------------------
    def neuron_colours(self, tile):
        return self._neuron_cmap(np.clip((tile + 1) / 2, 0, 1))

    def output_colours(self, output):
        return self._output_cmap(np.clip(output.reshape(self.neuron_shape), 0, 1))

    def _normalised(self, values):
        biggest = float(np.max(np.abs(values))) or 1.0
        return (values / biggest).reshape(self.neuron_shape)

    def _paint(self, x, y, size, rgba):
        """Copy a node's colours into the composite image, as a square of side ``size`` centred at (x, y)."""
        left = int(round((x - size / 2 - self.extent[0]) * PIXELS_PER_UNIT))
        top = int(round((self.extent[3] - (y + size / 2)) * PIXELS_PER_UNIT))
        side = max(1, int(round(size * PIXELS_PER_UNIT)))
        index = np.arange(side) * rgba.shape[0] // side
        # rgba row 0 is the bottom of the input plane (origin="lower"), the composite's row 0 its top
        self.pixels[top:top + side, left:left + side] = rgba[::-1][index][:, index]

    def key(self):
        return self.value("hidden_layers"), self.value("units"), self.value("activation")

    def current(self):
        """The trained model of the current configuration (trained on first use) and its epoch count."""
        key = self.key()
        if key not in self.models:
            layers, units, activation = key
            model = train_classifier(self.X, self.y, activation, (units,) * layers, self.epochs, self.learning_rate,
                                     self.seed)
            self.models[key] = [model, self.epochs]
        return self.models[key]

    def train_more(self):
        """Continue training the current configuration for ``epochs`` more epochs, then redraw."""
        try:
            entry = self.current()
            entry[0].fit(self.X, self.y, epochs=self.epochs, batch_size=len(self.X), verbose=0, shuffle=False)
            entry[1] += self.epochs
        except Exception as error:  # noqa: BLE001 - shown in the widget, as Explorer.refresh does
            self.refresh()
            self.show_message(f"{type(error).__name__}: {error}", kind="error")
            return
        self.refresh()

    def dense_layers(self):
        return [layer for layer in self.current()[0].layers if hasattr(layer, "W")]

    # -- drawing -------------------------------------------------------------------------------------
    def update(self):
        self.show_message("")
        model, trained = self.current()
        layers, units, activation = self.key()
        dense = [layer for layer in model.layers if hasattr(layer, "W")]
        model.predict(self.coarse)                       # fills every layer's .a on the coarse grid
        hidden_outputs = [layer.a.copy() for layer in dense[:-1]]
        output = dense[-1].a[:, 0].copy()
        centres, size = network_layout([2] + [units] * layers + [1], self.max_units)
        self.neuron_outputs = hidden_outputs
        tiles = [self._normalised(self.coarse[:, 0]), self._normalised(self.coarse[:, 1])]
        tiles += [self._normalised(values[:, j]) for values in hidden_outputs for j in range(values.shape[1])]
        colours = [self.neuron_colours(tile) for tile in tiles] + [self.output_colours(output)]
        self.pixels[...] = 0
        for (x, y), rgba in zip(np.concatenate(centres), colours):
            self._paint(x, y, size, rgba)
        self.nodes_image.set_data(self.pixels)
        segments, widths, colors = edge_segments(centres, size, [layer.W for layer in dense])
        self.edges.set_segments(segments)
        self.edges.set_linewidths(widths)
        self.edges.set_colors(colors)
        probabilities = model.predict(self.grid)[:, 0].reshape(self.grid_x1.shape).astype(float)
        self.boundary = show_decision(self.image, self.boundary, self.grid_x1, self.grid_x2, probabilities,
                                      linewidth=1.6)
        loss, accuracy = model.evaluate(self.X, self.y)
        shape = " → ".join(["2"] + [str(units)] * layers + ["1"])
        self.n_title.set_text(f"{shape}  ({activation}, {model.count_params()} weights)")
        self.b_title.set_text(f"after {trained} epochs: J(W) = {loss:.3f}, accuracy {accuracy:.0%}")

    def boundary_vertices(self):
        """Vertices of the drawn ŷ = 0.5 boundary, shape (m, 2)."""
        if self.boundary is None:
            return np.zeros((0, 2))
        paths = self.boundary.get_paths()
        return np.concatenate([p.vertices for p in paths]) if paths else np.zeros((0, 2))


def network_explorer(data="circles", hidden_layers=1, units=4, activation="tanh", epochs=100, learning_rate=0.05,
                     n_samples=100, max_layers=4, max_units=8, seed=0):
    """Build a network with sliders and see every neuron's output, the weights and the decision boundary.

    Parameters
    ----------
    data : str or (X, y)
        "circles" (default), "xor", "moons", "spiral", or your own two-feature, two-class data.
    hidden_layers, units : int
        Starting architecture: ``hidden_layers`` Dense layers of ``units`` each (slider ranges
        1..``max_layers`` and 1..``max_units``).
    activation : {"tanh", "relu", "sigmoid", "linear"}
        The hidden layers' g; the output is sigmoid.
    epochs : int, default 100
        Full-batch Adam epochs per configuration (and per "train more" click). At the defaults
        (100 points, up to 4 x 8 units) training takes 5-20 ms, inside a slider's update budget.
    learning_rate : float
        Adam's η.
    n_samples : int
        Points drawn for a named data set.
    seed : int
        Data, weights and training are seeded: the same picture every run.

    Returns
    -------
    NetworkExplorer
    """
    return NetworkExplorer(data=data, hidden_layers=hidden_layers, units=units, activation=activation, epochs=epochs,
                           learning_rate=learning_rate, n_samples=n_samples, max_layers=max_layers,
                           max_units=max_units, seed=seed)
