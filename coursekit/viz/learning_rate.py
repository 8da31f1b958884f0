r"""Explorer 7 — setting the learning rate: small, large and stable.

The lecture's three pictures of W <- W - eta dJ/dW:

* a **small** learning rate converges slowly and gets stuck in false local minima;
* a **large** learning rate overshoots, becomes unstable and diverges;
* a **stable** learning rate converges smoothly and avoids local minima.

:func:`learning_rate_explorer` puts a log-scale slider for eta over two pictures: gradient descent on a
1-D loss curve (a parabola with a dent, :func:`coursekit.toy_functions.false_minimum_1d`, chosen so all
three regimes happen between eta = 0.001 and 10) and on a 2-D surface drawn as contours. A diverging run
is drawn up to where it left the picture and reported in the message line; nothing raises.

The runs are computed in the core (:func:`coursekit.problems.run_descent`,
:func:`coursekit.problems.classify_descent`); drawn here: :func:`draw_surface`.
"""

from __future__ import annotations

import numpy as np

from .. import toy_functions
from .._validation import check_number
from ..problems import classify_descent, run_descent  # noqa: F401 - computed in the core; old import path
from .checks import check_positive_slider
from .explorer import Explorer, freeze_background
from .style import LABELS, OKABE_ITO, SERIES_COLORS, style_axes

REGIMES = ("small", "stable", "large")


def draw_surface(ax, fn, n=101, levels=14, cmap="Blues_r"):
    """Contours of a toy surface on ``ax``: an image for the fill (fast to redraw) plus contour lines."""
    W1, W2, Z = fn.grid(n)
    shown = np.log10(Z - Z.min() + 1e-3) if fn.log_levels else Z
    image = ax.imshow(shown, extent=(*fn.xlim, *fn.ylim), origin="lower", aspect="auto", cmap=cmap,
                      alpha=0.55, interpolation="bilinear", zorder=0)
    lines = ax.contour(W1, W2, shown, levels=levels, colors="#5a6d80", linewidths=0.6, alpha=0.7, zorder=1)
    ax.set_xlim(fn.xlim)
    ax.set_ylim(fn.ylim)
    ax.plot(*fn.minimum, marker="*", ms=12, color=OKABE_ITO["yellow"], mec="black", zorder=4, ls="none")
    for local in fn.local_minima:
        ax.plot(*local, marker="x", ms=8, color=OKABE_ITO["vermillion"], mew=2, zorder=4, ls="none")
    style_axes(ax, "w1", "w2")
    return image, lines


class LearningRateExplorer(Explorer):
    """A log-scale learning-rate slider over gradient descent on a 1-D curve and a 2-D surface.

    See :func:`learning_rate_explorer` for the parameters.
    """

    title = "learning rate: small, large, stable"

    def __init__(self, learning_rate=0.05, steps=50, eta_range=(1e-3, 10.0), surface="false_minimum",
                 curve=None):
        low, high, learning_rate = check_positive_slider(learning_rate, "learning_rate", eta_range, "eta_range")
        self.steps = check_number(steps, "steps", low=1, high=10_000, integer=True)
        self.curve = curve or toy_functions.false_minimum_1d()
        self.surface = toy_functions.get(surface)
        super().__init__(figsize=(10.0, 4.0), nrows=1, ncols=2)
        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.86, wspace=0.22)
        self._draw_static()

        w = self._widgets
        self.add_control("learning_rate", w.FloatLogSlider(
            value=learning_rate, base=10, min=np.log10(low), max=np.log10(high), step=0.05,
            description="η", readout_format=".3g", continuous_update=True, layout={"width": "420px"}))
        self.add_control("steps", w.IntSlider(value=self.steps, min=1, max=max(200, self.steps),
                                              description="steps", layout={"width": "300px"}))
        self.regimes = {}
        self.refresh()
        ax1, ax2 = self.axes
        freeze_background(self.fig, [self.path_1d, self.start_1d, self.path_2d, self.start_2d, self.title_1d,
                                     self.title_2d, self.suptitle, *ax1.lines[1:3], *ax2.lines[:-2]])

    # -- figure -------------------------------------------------------------------------------
    def _draw_static(self):
        ax1, ax2 = self.axes
        c = self.curve
        w = np.linspace(*c.xlim, 400)
        J = c.value(w)
        ax1.plot(w, J, color=OKABE_ITO["black"], lw=1.5, zorder=1)
        pad = 0.1 * (J.max() - J.min())
        ax1.set_xlim(c.xlim)
        ax1.set_ylim(J.min() - pad, J.max() + pad)
        ax1.plot(c.minimum, c.value(c.minimum), marker="*", ms=12, color=OKABE_ITO["yellow"], mec="black",
                 ls="none", zorder=4)
        for local in c.local_minima:
            ax1.plot(local, c.value(local), marker="x", ms=8, mew=2, color=OKABE_ITO["vermillion"],
                     ls="none", zorder=4)
        style_axes(ax1, r"weight $w$", "loss")
        self.path_1d, = ax1.plot([], [], "o-", color=SERIES_COLORS[0], ms=3.5, lw=1, alpha=0.85, zorder=3)
        self.start_1d, = ax1.plot([], [], "s", color=SERIES_COLORS[1], ms=7, zorder=5)

        draw_surface(ax2, self.surface)
        self.path_2d, = ax2.plot([], [], "o-", color=SERIES_COLORS[0], ms=3, lw=1, alpha=0.9, zorder=3)
        self.start_2d, = ax2.plot([], [], "s", color=SERIES_COLORS[1], ms=7, zorder=5)
        self.title_1d = ax1.text(0.5, 1.02, "", transform=ax1.transAxes, ha="center", va="bottom", fontsize=10)
        self.title_2d = ax2.text(0.5, 1.02, "", transform=ax2.transAxes, ha="center", va="bottom", fontsize=10)
        self.suptitle = self.fig.suptitle("", fontsize=11)

    # -- update -------------------------------------------------------------------------------
    def update(self):
        eta = float(self.value("learning_rate"))
        steps = int(self.value("steps"))
        r1 = run_descent(self.curve, eta, steps)
        r2 = run_descent(self.surface, eta, steps)
        self.results = (r1, r2)
        self.path_1d.set_data(r1.path[:, 0], r1.losses)
        self.start_1d.set_data(r1.path[:1, 0], r1.losses[:1])
        self.path_2d.set_data(r2.path[:, 0], r2.path[:, 1])
        self.start_2d.set_data(r2.path[:1, 0], r2.path[:1, 1])
        (k1, s1), (k2, s2) = classify_descent(r1, self.curve), classify_descent(r2, self.surface)
        self.regimes = {"1d": k1, "2d": k2}
        self.title_1d.set_text(f"1-D: {s1.split(' (')[0]}")
        self.title_2d.set_text(f"2-D: {s2.split(' (')[0]}")
        self.suptitle.set_text(f"{LABELS['eta']} = {eta:.3g},  {steps} steps of "
                               r"$\mathbf{W} \leftarrow \mathbf{W} - \eta\,\partial J/\partial \mathbf{W}$")
        colour = {"small": SERIES_COLORS[0], "stable": OKABE_ITO["bluish_green"], "large": OKABE_ITO["vermillion"]}
        self.path_1d.set_color(colour[k1])
        self.path_2d.set_color(colour[k2])
        if r1.diverged or r2.diverged:
            which = r1 if r1.diverged else r2
            self.show_message(f"Diverged: {which.message}", kind="warning")
        else:
            self.show_message(f"1-D curve — {s1}; 2-D surface — {s2}.")


def learning_rate_explorer(learning_rate=0.05, steps=50, eta_range=(1e-3, 10.0), surface="false_minimum",
                           curve=None):
    """Explorer 7: a log-scale learning-rate slider on a 1-D loss curve and a 2-D loss surface.

    Parameters
    ----------
    learning_rate : float
        Initial eta; must lie in ``eta_range``. 0.05 shows the "small" regime (stuck in the dent);
        try 0.5 (stable) and 3 (diverges).
    steps : int
        Gradient-descent steps drawn (also a slider).
    eta_range : (float, float)
        Slider range, positive, min < max (log scale).
    surface : str or ToyFunction
        The 2-D loss: "false_minimum" (default), "bowl", "valley", "rosenbrock", or a ToyFunction.
    curve : ToyFunction1D, optional
        The 1-D loss; default :func:`coursekit.toy_functions.false_minimum_1d`.

    Returns
    -------
    LearningRateExplorer
        Display it in a notebook; ``.controls["learning_rate"].value = 3`` moves the slider from code.
    """
    return LearningRateExplorer(learning_rate=learning_rate, steps=steps, eta_range=eta_range,
                                surface=surface, curve=curve)
