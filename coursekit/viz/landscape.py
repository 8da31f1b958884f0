r"""Explorer 5, the loss landscape and gradient descent on it.

"Our loss is a function of the network weights!" (the lecture). The explorer draws J over two parameters
as a shaded map with contour lines, and the path of gradient descent,

    W <- W - η dJ(W)/dW,

from a start set by two sliders (or, with ``%matplotlib widget``, by clicking on the map), for a
learning rate η (log slider) and a number of steps. Beside it, J(W) along the path. A learning rate that
is too large shows the lecture's overshooting: the message line says so, nothing raises.

Three problems (:data:`PROBLEMS`):

* ``"pass_fail"`` -- logistic regression on "Will I pass this class?", ŷ = g(w1 x1 + w2 x2) on
  standardised features: J(w1, w2) is the real loss surface of two real weights.
* ``"toy_net"`` -- a small network (2 → 8 tanh → 1) trained on the circles; its J(W) drawn over two
  filter-normalised random directions through the trained weights (Li et al. 2018, via
  :mod:`coursekit.landscape`), and gradient descent restricted to that plane. The "directions" slider
  draws new directions; the 101 x 101 surface is recomputed within a slider's update budget.
* ``"digits"`` -- the same for a real network on the 8x8 digits (64 → 32 relu → 10 softmax), computed
  once per request on a row subset (256 rows), with a progress bar.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.colors import LogNorm

from ..gradient_descent import gradient_descent
from ..problems import (PROBLEMS, Problem, logistic_problem, make_problem, network_problem,  # noqa: F401
                        train_digits_net, train_toy_net)      # computed in the core; the old import paths
from .checks import check_in_range, check_range
from .explorer import Explorer, freeze_background
from .style import OKABE_ITO, axes_title, signed, style_axes


def descent_message(result, learning_rate):
    """A sentence about a descent run: diverged, overshooting (J went up), or how far J fell."""
    if result.diverged:
        return result.message, "error"
    losses = result.losses
    if len(losses) > 1 and losses[-1] > losses[0]:
        return (f"η = {learning_rate:.3g} is too large: every step overshoots the valley and J(W) went up, from "
                f"{losses[0]:.3g} to {losses[-1]:.3g}. Try a smaller learning rate."), "warning"
    if len(losses) > 2 and np.any(np.diff(losses) > 1e-12):
        return (f"η = {learning_rate:.3g}: J(W) fell from {losses[0]:.3g} to {losses[-1]:.3g}, but not at every step "
                f"(the path zig-zags: close to too large)."), "info"
    if len(losses) > 1:
        return f"η = {learning_rate:.3g}: J(W) fell from {losses[0]:.3g} to {losses[-1]:.3g} in {result.steps} steps.", \
            "info"
    return "0 steps: the path is just the start.", "info"


def _check_arguments(problem, start, learning_rate, steps, learning_rate_range, max_steps, resolution,
                     directions_seed):
    """The explorer's arguments checked; returns (learning_rate_range, steps)."""
    learning_rate_range = check_range(*learning_rate_range, "learning_rate_range")
    if learning_rate_range[0] <= 0:
        raise ValueError(f"learning_rate_range must be positive (a log slider); received {learning_rate_range}")
    if int(max_steps) != max_steps or max_steps < 1:
        raise ValueError(f"max_steps must be a positive integer; received max_steps={max_steps!r}")
    steps = int(check_in_range(steps, (0, max_steps), "steps"))
    if int(resolution) != resolution or not 5 <= resolution <= 401:
        raise ValueError(f"resolution must be an integer in [5, 401]; received resolution={resolution!r}")
    if int(directions_seed) != directions_seed or not 0 <= directions_seed <= 99:
        raise ValueError(f"directions_seed must be an integer in [0, 99]; received {directions_seed!r}")
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {', '.join(map(repr, PROBLEMS))}; received problem={problem!r}")
    if learning_rate is not None:
        check_in_range(learning_rate, learning_rate_range, "learning_rate")
    if start is not None and len(tuple(start)) != 2:
        raise ValueError(f"start must be a point (p1, p2); received start={start!r}")
    return learning_rate_range, steps


class LandscapeExplorer(Explorer):
    """Contours of J over two parameters and the gradient-descent path. See :func:`landscape_explorer`."""

    title = "loss landscape and gradient descent"

    def __init__(self, problem="pass_fail", start=None, learning_rate=None, steps=30, learning_rate_range=(1e-3, 1e3),
                 max_steps=200, resolution=101, directions_seed=0, seed=0):
        learning_rate_range, steps = _check_arguments(problem, start, learning_rate, steps, learning_rate_range,
                                                      max_steps, resolution, directions_seed)
        self.problem = make_problem(problem, directions_seed=directions_seed, seed=seed)
        p = self.problem
        start = p.start if start is None else tuple(start)
        start = (check_in_range(start[0], p.xlim, "start[0]"), check_in_range(start[1], p.ylim, "start[1]"))
        learning_rate = p.learning_rate if learning_rate is None else learning_rate
        self.xs = np.linspace(*p.xlim, int(resolution))
        self.ys = np.linspace(*p.ylim, int(resolution))
        self._suspended = False

        super().__init__(figsize=(9.6, 4.2), ncols=2, gridspec_kw={"width_ratios": [1.15, 1.0]})
        self.J = p.surface(self.xs, self.ys)
        self._draw_map(self.axes[0])
        self._draw_loss_axes(self.axes[1], max_steps)
        self.fig.tight_layout()
        self._add_controls(start, learning_rate, learning_rate_range, steps, max_steps, directions_seed)
        self.fig.canvas.mpl_connect("button_press_event", self._on_click)
        self.refresh()
        self.frozen = freeze_background(self.fig, self._dynamic())

    def _draw_map(self, ax):
        """J as a shaded map with contours, the minimum, and the (empty) path, start and end markers."""
        p = self.problem
        self.image = ax.imshow(self.J, origin="lower", extent=(*p.xlim, *p.ylim), cmap="viridis", aspect="auto",
                               norm=LogNorm(*self._clim(self.J)), interpolation="bilinear")
        self.contours = None
        self._draw_contours()
        if p.minimum is not None:
            # above the path's end marker (zorder 5): a converged path ends on the minimum and would hide it
            ax.plot(*p.minimum, marker="+", ms=14, color="white", mew=2.2, zorder=6,
                    path_effects=[patheffects.withStroke(linewidth=3.5, foreground=OKABE_ITO["black"])])
        self.path_line = ax.plot([], [], "-o", color=OKABE_ITO["orange"], ms=3, lw=1.6, zorder=4)[0]
        self.start_marker = ax.plot([], [], "o", color="white", mec=OKABE_ITO["black"], ms=9, zorder=5,
                                    label="start")[0]
        self.end_marker = ax.plot([], [], "X", color=OKABE_ITO["vermillion"], mec="white", ms=11, zorder=5,
                                  label="end")[0]
        ax.set_xlim(*p.xlim)
        ax.set_ylim(*p.ylim)
        style_axes(ax, p.xlabel, p.ylabel)
        ax.grid(False)
        self.map_title = axes_title(ax)

    def _draw_loss_axes(self, ax_j, max_steps):
        """J(W) along the path, on a log axis."""
        self.loss_line = ax_j.plot([], [], "-o", color=OKABE_ITO["orange"], ms=2.5, lw=1.6)[0]
        ax_j.set_yscale("log")
        low, high = self._clim(self.J)
        # the lower limit on a power of ten, so the axis has a labelled tick below the curve's end
        ax_j.set_ylim(10.0 ** np.floor(np.log10(low * 0.5)), max(high * 3, 10.0))
        ax_j.set_xlim(0, max_steps)
        style_axes(ax_j, "iteration", "loss")
        self.j_title = axes_title(ax_j)

    def _add_controls(self, start, learning_rate, learning_rate_range, steps, max_steps, directions_seed):
        p, W = self.problem, self._widgets
        names = ("start w1", "start w2") if p.name == "pass_fail" else ("start α", "start β")
        for key, name, value, bounds in (("start_1", names[0], start[0], p.xlim), ("start_2", names[1], start[1],
                                                                                   p.ylim)):
            self.add_control(key, W.FloatSlider(value=value, min=bounds[0], max=bounds[1],
                                                step=(bounds[1] - bounds[0]) / 200, description=name,
                                                readout_format=".2f", style={"description_width": "initial"}))
        low, high = np.log10(learning_rate_range)
        self.add_control("learning_rate", W.FloatLogSlider(value=learning_rate, base=10, min=low, max=high, step=0.05,
                                                           description="η", readout_format=".3g"))
        self.add_control("steps", W.IntSlider(value=steps, min=0, max=int(max_steps), description="steps"))
        if p.redraw_directions is not None:
            self.add_control("directions", W.IntSlider(value=int(directions_seed), min=0, max=99,
                                                       description="directions", continuous_update=False),
                             observe=False)
            self.controls["directions"].observe(lambda change: self.new_directions(change["new"]), names="value")

    # -- helpers -------------------------------------------------------------------------------------
    @staticmethod
    def _clim(J):
        finite = J[np.isfinite(J)]
        low = max(float(finite.min()), 1e-6)
        return low, max(float(finite.max()), low * 1.01)

    def _draw_contours(self):
        if self.contours is not None:
            self.contours.remove()
        low, high = self._clim(self.J)
        levels = np.geomspace(low * 1.05, high, 10)
        self.contours = self.axes[0].contour(self.xs, self.ys, self.J, levels=levels, colors="white",
                                             linewidths=0.6, alpha=0.6)

    def _dynamic(self):
        return [self.image, self.contours, self.path_line, self.start_marker, self.end_marker, self.map_title,
                self.loss_line, self.j_title]

    def refresh(self):
        if not self._suspended:
            super().refresh()

    def set_start(self, p1, p2):
        """Move the start to (p1, p2) (clipped to the box) with one redraw."""
        p = self.problem
        self._suspended = True
        try:
            self.controls["start_1"].value = float(np.clip(p1, *p.xlim))
            self.controls["start_2"].value = float(np.clip(p2, *p.ylim))
        finally:
            self._suspended = False
        self.refresh()

    def _on_click(self, event):
        if event.inaxes is self.axes[0] and event.xdata is not None and getattr(event, "button", 1) == 1:
            self.set_start(event.xdata, event.ydata)

    def new_directions(self, seed):
        """Draw new random directions (net problems) and recompute the surface."""
        try:
            self.problem.redraw_directions(int(seed))
            self.J = self.problem.surface(self.xs, self.ys)
            self.image.set_data(self.J)
            self.image.set_norm(LogNorm(*self._clim(self.J)))
            self._draw_contours()
        except Exception as error:  # noqa: BLE001 - shown in the widget, as Explorer.refresh does
            self.show_message(f"{type(error).__name__}: {error}", kind="error")
            self.redraw()
            return
        self.refresh()

    def run(self):
        """The gradient-descent run of the current controls (a ``DescentResult``)."""
        p = self.problem
        return gradient_descent(p.grad, [self.value("start_1"), self.value("start_2")],
                                learning_rate=self.value("learning_rate"), steps=self.value("steps"), loss=p.loss)

    # -- drawing -------------------------------------------------------------------------------------
    def update(self):
        eta = self.value("learning_rate")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = self.run()
        path, losses = result.path, result.losses
        self.result = result
        self.path_line.set_data(path[:, 0], path[:, 1])
        self.start_marker.set_data(path[:1, 0], path[:1, 1])
        self.end_marker.set_data(path[-1:, 0], path[-1:, 1])
        self.loss_line.set_data(np.arange(len(losses)), np.maximum(losses, 1e-12))
        end = path[-1]
        self.map_title.set_text(f"gradient descent, η = {eta:.3g}: end ({signed(end[0], '.2f')}, "
                                f"{signed(end[1], '.2f')})")
        self.j_title.set_text(f"J(W) along the path: {losses[0]:.3g} → {losses[-1]:.3g}")
        text, kind = descent_message(result, eta)
        self.show_message(text, kind)


def landscape_explorer(problem="pass_fail", start=None, learning_rate=None, steps=30, learning_rate_range=(1e-3, 1e3),
                       max_steps=200, directions_seed=0, seed=0):
    """The loss landscape J over two parameters with the gradient-descent path from a chosen start.

    Parameters
    ----------
    problem : {"pass_fail", "toy_net", "digits"}
        ``"pass_fail"``: logistic regression's J(w1, w2) on "Will I pass this class?";
        ``"toy_net"``: a small net's J over two filter-normalised random directions (Li et al. 2018);
        ``"digits"``: the same for a real digits network (256 rows; computed once, about a second).
    start : (float, float), optional
        Start of the descent; the problem's default otherwise. Must lie in the drawn box.
    learning_rate : float, optional
        η, inside ``learning_rate_range``; the problem's default otherwise (a stable one).
    steps : int, default 30
        Number of gradient-descent steps, 0..``max_steps``.
    learning_rate_range : (min, max), default (1e-3, 1e3)
        The range of the logarithmic η slider.
    max_steps : int
        The steps slider's maximum (and the iteration axis' length).
    directions_seed : int
        Seed of the random directions (net problems); a slider changes it.
    seed : int
        Data, training and directions are seeded: the same picture every run.

    Returns
    -------
    LandscapeExplorer
        ``.result`` is the last ``DescentResult`` (path, losses, diverged, message); ``.set_start(p1, p2)``
        moves the start (a click on the map does the same with ``%matplotlib widget``).
    """
    return LandscapeExplorer(problem=problem, start=start, learning_rate=learning_rate, steps=steps,
                             learning_rate_range=learning_rate_range, max_steps=max_steps,
                             directions_seed=directions_seed, seed=seed)
