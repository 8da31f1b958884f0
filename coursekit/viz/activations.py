r"""Explorer 2, activation functions: g(z) and g'(z), and the decision boundary each one lets a net learn.

"The purpose of activation functions is to introduce non-linearities into the network" (the lecture).
Pick sigmoid, tanh, ReLU or linear: the left panel draws g(z) and its derivative g'(z); the right panel
shows the boundary a small coursekit network with that activation in its hidden layer learns on the
green-vs-red points. With ``linear`` the network is a composition of linear maps, so its boundary stays
a straight line no matter the network size.

Each network is trained once per activation (fixed seed, so the same picture every run) and cached, so
switching is instant.
"""

from __future__ import annotations

import numpy as np

from .. import activations, datasets
from ..problems import train_classifier  # noqa: F401 - computed in the core; the old import path
from .checks import check_in_range, check_range, check_xy_data
from .decision import data_limits, draw_decision_map, input_grid, show_decision
from .explorer import Explorer, freeze_background
from .style import OKABE_ITO, axes_title, style_axes

#: The activations offered, with the label shown on the buttons.
CHOICES = (("sigmoid", "sigmoid"), ("tanh", "tanh"), ("ReLU", "relu"), ("linear", "linear"))
DATASETS = {"circles": datasets.circles, "xor": datasets.xor, "moons": datasets.moons, "spiral": datasets.spiral}


def load_two_class_data(data, n_samples, seed, name="data"):
    """``data`` as a dataset name from :data:`DATASETS` or an (X, y) pair; checked, float64 X, 0/1 y."""
    if isinstance(data, str):
        if data not in DATASETS:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, DATASETS))} or a pair (X, y); "
                             f"received {name}={data!r}")
        return DATASETS[data](n_samples=n_samples, seed=seed)
    return check_xy_data(data, name)


def activation_curves(name, z):
    """(g(z), g'(z)) for an activation name."""
    g = activations.get(name)
    return np.asarray(g.function(z), dtype=float), np.asarray(g.derivative(z), dtype=float)


class ActivationExplorer(Explorer):
    """g(z), g'(z) and the learned boundary per activation. See :func:`activation_explorer`."""

    title = "activation functions: g(z), g'(z) and the decision boundary"

    def __init__(self, activation="sigmoid", data="circles", n_samples=200, hidden=(8,), epochs=300,
                 learning_rate=0.05, z_range=(-5.0, 5.0), resolution=101, seed=0):
        names = [value for _, value in CHOICES]
        if activation not in names:
            raise ValueError(f"activation must be one of {', '.join(map(repr, names))}; received activation={activation!r}")
        z_range = check_range(*z_range, "z_range")
        check_in_range(learning_rate, (1e-6, 10.0), "learning_rate")
        hidden = tuple(hidden)
        if not hidden or any(int(u) != u or u < 1 for u in hidden):
            raise ValueError(f"hidden must list at least one layer size >= 1, e.g. (8,); received hidden={hidden!r}")
        if int(epochs) != epochs or epochs < 1:
            raise ValueError(f"epochs must be a positive integer; received epochs={epochs!r}")
        self.X, self.y = load_two_class_data(data, n_samples, seed)
        self.hidden, self.epochs, self.learning_rate, self.seed = hidden, int(epochs), learning_rate, seed
        super().__init__(figsize=(9.0, 4.0), ncols=2)
        ax_g, ax_b = self.axes
        self.z = np.linspace(*z_range, 201)
        self.xlim, self.ylim = data_limits(self.X)
        self.grid_x1, self.grid_x2, self.grid = input_grid(self.xlim, self.ylim, resolution)
        self.g_line = ax_g.plot([], [], color=OKABE_ITO["blue"], lw=2.2, label="g(z)")[0]
        self.dg_line = ax_g.plot([], [], color=OKABE_ITO["orange"], lw=2, ls="--", label="g'(z)")[0]
        ax_g.axhline(0, color="0.5", lw=0.8)
        ax_g.axvline(0, color="0.5", lw=0.8)
        ax_g.set_xlim(*z_range)
        ax_g.set_ylim(-1.25, 2.25)
        ax_g.legend(loc="upper left", frameon=False)
        style_axes(ax_g, "z", "g(z), g'(z)")
        self.g_title = axes_title(ax_g)
        self.image, self.points = draw_decision_map(ax_b, self.X, self.y, self.xlim, self.ylim, size=18)
        self.b_title = axes_title(ax_b)
        self.boundary = None           # the ŷ = 0.5 contour, re-created per activation
        self.fig.tight_layout()
        self.cache = {}
        for name in names:             # train all four once, up front: every switch is then instant
            self._result(name)
        self.add_control("activation", self._widgets.ToggleButtons(options=list(CHOICES), value=activation,
                                                                   description="g:",
                                                                   style={"button_width": "84px"}))
        self.refresh()
        self.frozen = freeze_background(self.fig, [self.g_line, self.dg_line, self.g_title, self.image, self.b_title,
                                              self.boundary, *self.points])

    def _result(self, name):
        """(ŷ on the grid, training accuracy, model) for one activation, trained once and cached."""
        if name not in self.cache:
            model = train_classifier(self.X, self.y, name, self.hidden, self.epochs, self.learning_rate, self.seed)
            probabilities = model.predict(self.grid)[:, 0].reshape(self.grid_x1.shape).astype(float)
            accuracy = float(np.mean((model.predict(self.X)[:, 0] > 0.5) == (self.y == 1)))
            self.cache[name] = (probabilities, accuracy, model)
        return self.cache[name]

    def update(self):
        name = self.value("activation")
        g, dg = activation_curves(name, self.z)
        self.g_line.set_data(self.z, g)
        self.dg_line.set_data(self.z, dg)
        self.g_title.set_text(f"{name}: g(z) and g'(z)")
        probabilities, accuracy, _ = self._result(name)
        self.boundary = show_decision(self.image, self.boundary, self.grid_x1, self.grid_x2, probabilities)
        layers = " → ".join([str(u) for u in self.hidden])
        self.b_title.set_text(f"net 2 → {layers} ({name}) → 1: accuracy {accuracy:.0%}")
        if name == "linear":
            self.show_message("linear: every layer is a linear map, so the whole net is one — "
                              "its decision boundary is a straight line, whatever the network size.")
        else:
            self.show_message("")

    def boundary_vertices(self):
        """The vertices of the drawn ŷ = 0.5 boundary, shape (m, 2) (empty if there is none)."""
        if self.boundary is None:
            return np.zeros((0, 2))
        paths = self.boundary.get_paths()
        return np.concatenate([p.vertices for p in paths]) if paths else np.zeros((0, 2))


def activation_explorer(activation="sigmoid", data="circles", n_samples=200, hidden=(8,), epochs=300,
                        learning_rate=0.05, z_range=(-5.0, 5.0), seed=0):
    """Pick an activation: g(z), g'(z), and the decision boundary a small net learns with it.

    Parameters
    ----------
    activation : {"sigmoid", "tanh", "relu", "linear"}
        Selected at start.
    data : str or (X, y)
        "circles" (default), "xor", "moons", "spiral", or your own two-feature, two-class data.
    n_samples : int
        Points drawn for a named data set.
    hidden : tuple of int, default (8,)
        Hidden layer sizes of the network trained for each activation.
    epochs, learning_rate : int, float
        Full-batch Adam training, done once per activation and cached.
    z_range : (min, max)
        The z axis of the g(z) panel.
    seed : int
        Data, initial weights and training are all seeded: the same picture every run.

    Returns
    -------
    ActivationExplorer
    """
    return ActivationExplorer(activation=activation, data=data, n_samples=n_samples, hidden=hidden, epochs=epochs,
                              learning_rate=learning_rate, z_range=z_range, seed=seed)
