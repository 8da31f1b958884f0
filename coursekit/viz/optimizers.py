r"""Explorer 8 — the optimizer race: SGD, momentum, Adam, Adadelta, Adagrad and RMSprop on one landscape.

All six start from the same point of the same loss surface and take the same number of steps, each with
coursekit's own optimizer classes (``opt.apply([g], [w])`` on the 2-vector (w1, w2); the torch.optim rules).
A step slider (with a Play button) walks along the paths; a shared learning-rate multiplier and the
momentum slider change the hyper-parameters. The landscapes are the toy surfaces of
:mod:`coursekit.toy_functions` and, when :mod:`coursekit.landscape` is available, a filter-normalised
2-D slice of a small trained network's loss ("network").

Pure parts: :func:`race` (the paths, no plotting), :func:`network_surface`.
"""

from __future__ import annotations

import numpy as np

from .. import toy_functions
from .._validation import check_number
from ..optimizers import SGD, Adadelta, Adagrad, Adam, RMSprop
from .checks import check_positive_slider
from .explorer import Explorer, freeze_background
from .frozen import frozen_pictures
from .learning_rate import draw_surface
from .style import SERIES_COLORS, style_axes

#: (label, class, default hyper-parameters); learning rates suit the toy surfaces' scale.
RACERS = (
    ("SGD", SGD, {"learning_rate": 0.1}),
    ("SGD + momentum", SGD, {"learning_rate": 0.1, "momentum": 0.9}),
    ("Adam", Adam, {"learning_rate": 0.1}),
    ("Adadelta", Adadelta, {"learning_rate": 1.0}),
    ("Adagrad", Adagrad, {"learning_rate": 0.5}),
    ("RMSprop", RMSprop, {"learning_rate": 0.05}),
)
LINESTYLES = ("-", "--", "-.", ":", (0, (6, 1.5)), (0, (3, 1, 1, 1, 1, 1)))
SURFACE_CHOICES = toy_functions.NAMES + ("network",)


def make_optimizers(multiplier=1.0, momentum=0.9, lr_scale=1.0, learning_rates=None):
    """The six racers as fresh optimizer objects, keyed by label.

    ``learning_rates`` overrides a racer's base rate by label; every rate is then multiplied by
    ``multiplier`` (and plain SGD's, with or without momentum, by the surface's ``lr_scale``).
    """
    learning_rates = learning_rates or {}
    optimizers = {}
    for label, cls, defaults in RACERS:
        kwargs = dict(defaults)
        kwargs["learning_rate"] = learning_rates.get(label, kwargs["learning_rate"]) * multiplier
        if cls is SGD:
            kwargs["learning_rate"] *= lr_scale
            if "momentum" in kwargs:
                kwargs["momentum"] = momentum
        optimizers[label] = cls(**kwargs)
    return optimizers


def race(fn, optimizers, steps, start=None, window=1e3):
    """Run every optimizer from the same start on ``fn``; returns {label: (path (T+1, 2), losses, diverged)}.

    A path stops early (``diverged`` True) once it is no longer finite or leaves ``window`` times the
    picture's size; nothing raises.
    """
    w0 = np.array(fn.start if start is None else start, dtype=float)
    span = max(fn.xlim[1] - fn.xlim[0], fn.ylim[1] - fn.ylim[0])
    results = {}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for label, opt in optimizers.items():
            path = np.empty((steps + 1, 2))
            path[0] = w0
            w = w0.copy()
            diverged = False
            last = steps
            for k in range(steps):
                opt.apply([fn.gradient(w)], [w])
                if not np.all(np.isfinite(w)) or np.abs(w).max() > window * span:
                    diverged, last = True, k
                    break
                path[k + 1] = w
            path = path[:last + 1]
            results[label] = (path, fn.value(path), diverged)
    return results


def network_surface(n=41, seed=0, radius=1.0):
    """A filter-normalised 2-D slice of a small trained network's loss (moons data) as a ToyFunction."""
    from .. import landscape
    from ..datasets import moons
    from ..layers import Dense
    from ..model import Sequential

    X, y = moons(200, noise=0.2, seed=seed)
    model = Sequential([Dense(8, activation="tanh"), Dense(1, activation="sigmoid")], seed=seed,
                       dtype="float64")
    model.compile(optimizer=Adam(learning_rate=0.05), loss="binary_crossentropy")
    model.fit(X, y, epochs=300, batch_size=200, verbose=0, seed=seed)
    directions = landscape.random_directions(model, seed=seed)
    grid = np.linspace(-radius, radius, n)
    Z = landscape.loss_surface(model, X, y, grid, grid, directions, progress=False)
    # start on the ring |p| = 0.8 radius where the loss is highest: the longest way down
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    ring = 0.8 * radius * np.column_stack([np.cos(angles), np.sin(angles)])
    index = np.abs(grid[:, None] - ring[:, 0][None, :]).argmin(0), np.abs(grid[:, None] - ring[:, 1][None, :]).argmin(0)
    start = ring[np.argmax(Z[index[1], index[0]])]
    return toy_functions.from_grid(grid, grid, Z, name="network", start=tuple(start),
                                   title="2-D slice of a trained network's loss (moons, Li et al. 2018)")


class OptimizerRace(Explorer):
    """Six optimizers from one start on one landscape, stepped with a slider. See :func:`optimizer_race`."""

    title = "optimizer race"

    def __init__(self, surface="valley", steps=100, multiplier=1.0, momentum=0.9, multiplier_range=(0.01, 100.0),
                 learning_rates=None):
        low, high, multiplier = check_positive_slider(multiplier, "multiplier", multiplier_range, "multiplier_range")
        self.momentum0 = check_number(momentum, "momentum", low=0, high=1, high_inclusive=False)
        self.steps = check_number(steps, "steps", low=1, high=5000, integer=True)
        labels = [label for label, _, _ in RACERS]
        self.learning_rates = dict(learning_rates or {})
        for label, rate in self.learning_rates.items():
            if label not in labels:
                raise ValueError(f"learning_rates keys must be racer names {labels}; received {label!r}")
            check_number(rate, f"learning_rates[{label!r}]", low=0, low_inclusive=False)
        self._surfaces = {}
        self.surface = self._get_surface(surface)
        self._cache = {}

        super().__init__(figsize=(10.0, 4.2), nrows=1, ncols=2, gridspec_kw={"width_ratios": [1.25, 1]})
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.9, wspace=0.2)
        ax, ax_loss = self.axes
        self.paths, self.heads, self.curves = {}, {}, {}
        for i, label in enumerate(labels):
            style = dict(color=SERIES_COLORS[i], ls=LINESTYLES[i], lw=1.8)
            self.paths[label], = ax.plot([], [], label=label, zorder=3, **style)
            self.heads[label], = ax.plot([], [], "o", color=SERIES_COLORS[i], ms=6, mec="white", zorder=5)
            self.curves[label], = ax_loss.plot([], [], label=label, **style)
        self.start_marker, = ax.plot([], [], "s", color="black", ms=7, zorder=6)
        style_axes(ax_loss, "iteration", r"$J(\mathbf{W}) - J(\mathbf{W}^*)$")
        ax_loss.set_yscale("log")
        ax_loss.legend(fontsize=8, loc="lower left", frameon=True, framealpha=0.9)
        self.step_title = ax_loss.text(0.5, 1.02, "", transform=ax_loss.transAxes, ha="center", va="bottom", fontsize=10)
        self._surface_artists = []
        self._draw_surface()

        w = self._widgets
        self.add_control("surface", w.Dropdown(options=list(SURFACE_CHOICES), value=self.surface.name,
                                               description="landscape"))
        self.add_control("multiplier", w.FloatLogSlider(value=multiplier, base=10, min=np.log10(low),
                                                        max=np.log10(high), step=0.1, description="η ×",
                                                        readout_format=".3g"))
        self.add_control("momentum", w.FloatSlider(value=self.momentum0, min=0.0, max=0.99, step=0.01,
                                                   description="momentum μ", style={"description_width": "initial"}))
        self.add_control("step", w.IntSlider(value=self.steps, min=0, max=self.steps, description="step"))
        self.play = w.Play(value=self.steps, min=0, max=self.steps, interval=60, description="play")
        w.jslink((self.play, "value"), (self.controls["step"], "value"))
        self.refresh()

    # -- data ---------------------------------------------------------------------------------
    def _get_surface(self, name):
        if isinstance(name, toy_functions.ToyFunction):
            self._surfaces[name.name] = name
            return name
        if name not in SURFACE_CHOICES:
            raise ValueError(f"surface must be one of {', '.join(map(repr, SURFACE_CHOICES))} or a "
                             f"ToyFunction; received surface={name!r}")
        if name not in self._surfaces:
            self._surfaces[name] = network_surface() if name == "network" else toy_functions.get(name)
        return self._surfaces[name]

    def results(self):
        """The race on the current surface and hyper-parameters (cached)."""
        key = (self.surface.name, float(self.value("multiplier")), float(self.value("momentum")))
        if key not in self._cache:
            opts = make_optimizers(key[1], key[2], self.surface.lr_scale, self.learning_rates)
            self._cache[key] = race(self.surface, opts, self.steps)
        return self._cache[key]

    # -- drawing ------------------------------------------------------------------------------
    def _dynamic(self):
        return [*self.paths.values(), *self.heads.values(), *self.curves.values(), self.start_marker,
                self.step_title]

    def _draw_surface(self):
        ax, ax_loss = self.axes
        for background in frozen_pictures(self.fig):
            background.thaw()
        for artist in self._surface_artists:
            artist.remove()
        before = set(ax.get_children())
        draw_surface(ax, self.surface)
        self._surface_artists = [a for a in ax.get_children() if a not in before]
        ax.set_title(self.surface.title, fontsize=10)
        fn = self.surface
        j_min = float(fn.value(np.array(fn.minimum)))
        self._j_min = min(j_min, float(fn.grid(61)[2].min()))
        top = float(fn.value(np.array(fn.start))) - self._j_min
        ax_loss.set_xlim(0, self.steps)
        ax_loss.set_ylim(1e-6 * max(top, 1e-12), 10 * max(top, 1e-12))
        self.start_marker.set_data([fn.start[0]], [fn.start[1]])
        self._frozen_for = None

    def update(self):
        name = self.value("surface")
        if name != self.surface.name:
            self.surface = self._get_surface(name)
            self._draw_surface()
        if self._frozen_for != self.surface.name:
            freeze_background(self.fig, self._dynamic())
            self._frozen_for = self.surface.name
        results = self.results()
        step = int(self.value("step"))
        floor = self.axes[1].get_ylim()[0]
        diverged = []
        for label, (path, losses, blew_up) in results.items():
            k = min(step, len(path) - 1)
            self.paths[label].set_data(path[:k + 1, 0], path[:k + 1, 1])
            self.heads[label].set_data(path[k:k + 1, 0], path[k:k + 1, 1])
            gap = np.maximum(losses[:k + 1] - self._j_min, floor)
            self.curves[label].set_data(np.arange(k + 1), gap)
            if blew_up and step >= len(path) - 1:
                diverged.append(label)
        self.step_title.set_text(f"step {step} of {self.steps}")
        if diverged:
            self.show_message(f"Diverged (learning rate too large): {', '.join(diverged)}. "
                              f"Lower the η multiplier.", kind="warning")
        else:
            best = min(results, key=lambda lab: results[lab][1][min(step, len(results[lab][1]) - 1)])
            self.show_message(f"Lowest J(W) at step {step}: {best}.")

    def control_box(self):
        w = self._widgets
        c = self.controls
        return w.VBox([w.HBox([c["surface"], c["multiplier"], c["momentum"]]), w.HBox([self.play, c["step"]])])


def optimizer_race(surface="valley", steps=100, multiplier=1.0, momentum=0.9, multiplier_range=(0.01, 100.0),
                   learning_rates=None):
    """Explorer 8: SGD, SGD + momentum, Adam, Adadelta, Adagrad and RMSprop race on one loss landscape.

    Parameters
    ----------
    surface : str or ToyFunction
        "valley" (default), "bowl", "rosenbrock", "false_minimum", "network" (a 2-D slice of a small
        trained net's loss, computed on first use), or any ToyFunction (e.g. from
        :func:`coursekit.toy_functions.from_grid`).
    steps : int
        Steps every optimizer takes; the step slider and Play button walk along them.
    multiplier : float
        Shared factor on every learning rate (slider "η ×"), within ``multiplier_range``.
    momentum : float in [0, 1)
        Momentum of "SGD + momentum".
    multiplier_range : (float, float)
        Positive slider range, min < max.
    learning_rates : dict, optional
        Base learning rate per racer, e.g. ``{"Adam": 0.05}``; defaults in :data:`RACERS`
        (Adadelta keeps torch's 1.0, so it starts slowly — its steps grow from sqrt(epsilon)).

    Returns
    -------
    OptimizerRace
    """
    return OptimizerRace(surface=surface, steps=steps, multiplier=multiplier, momentum=momentum,
                         multiplier_range=multiplier_range, learning_rates=learning_rates)
