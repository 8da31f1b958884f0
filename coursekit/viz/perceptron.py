r"""Explorer 1, the perceptron: ŷ = g(w0 + w1 x1 + w2 x2) is "just a line in 2-D".

Three weight sliders move the decision line w0 + w1 x1 + w2 x2 = 0 over the shaded output ŷ; two more
move an input point X = (x1, x2) whose ŷ is printed. The defaults are the lecture's example: w0 = 1,
w = [3, -2] and X = [-1, 2], so ŷ = g(1 + 3(-1) - 2(2)) = g(-6) ≈ 0.002.

The pure pieces come from :mod:`coursekit.viz.decision` (the line, the input grid); :func:`affine_text`
writes the argument of g the way the slides do.
"""

from __future__ import annotations

import numpy as np

from .. import activations
from .checks import check_in_range, check_range
from .decision import decision_line, input_grid
from .explorer import Explorer, freeze_background
from .style import MINUS, OKABE_ITO, axes_title, probability_cmap, signed, style_axes

# -- pure helpers -------------------------------------------------------------------------------------
def affine_text(w0, w1, w2, fmt=".2g"):
    """"1 + 3x₁ − 2x₂" for (1, 3, −2): the argument of g written as on the slides."""
    text = signed(w0, fmt)
    for w, name in ((w1, "x\u2081"), (w2, "x\u2082")):
        sign = MINUS if w < 0 else "+"
        text += f" {sign} {format(abs(w), fmt)}{name}"
    return text


# -- figure builder ------------------------------------------------------------------------------------
def draw_perceptron(ax, ax_g, xlim, ylim, activation="sigmoid"):
    """Create the perceptron picture's artists (empty data); returns them in a dict."""
    cmap = probability_cmap()
    artists = {
        "image": ax.imshow(np.zeros((2, 2)), origin="lower", extent=(*xlim, *ylim), cmap=cmap, vmin=0, vmax=1,
                           aspect="auto", interpolation="bilinear"),
        "line": ax.plot([], [], color=OKABE_ITO["black"], lw=2, label="w0 + w1x1 + w2x2 = 0")[0],
        "point": ax.plot([], [], marker="*", ms=16, color=OKABE_ITO["black"], mec="white", ls="none",
                         zorder=4)[0],
        "point_text": ax.text(0, 0, "", fontsize=10, ha="left", va="bottom", zorder=5,
                              bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85)),
        "title": axes_title(ax),
    }
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    style_axes(ax, "x1", "x2")
    ax.grid(False)
    z = np.linspace(-10, 10, 201)
    g = activations.get(activation)
    ax_g.plot(z, g(z), color=OKABE_ITO["blue"], lw=2)
    ax_g.axhline(0.5, color="0.6", lw=0.8, ls=":")
    ax_g.set_xlim(-10, 10)
    style_axes(ax_g, "z", "y_hat", title=f"ŷ = g(z), g = {g.name}")
    artists["curve_point"] = ax_g.plot([], [], "o", color=OKABE_ITO["vermillion"], ms=8, zorder=4)[0]
    artists["curve_drop"] = ax_g.plot([], [], color=OKABE_ITO["vermillion"], lw=1, ls="--")[0]
    artists["curve_text"] = ax_g.text(0.03, 0.95, "", transform=ax_g.transAxes, va="top", fontsize=10)
    return artists


class PerceptronExplorer(Explorer):
    """Weights → decision line and shaded ŷ; an input point → its ŷ. See :func:`perceptron_explorer`."""

    title = "perceptron: ŷ = g(w0 + w1 x1 + w2 x2)"

    def __init__(self, w0=1.0, w=(3.0, -2.0), x=(-1.0, 2.0), weight_range=(-5.0, 5.0), input_range=(-4.0, 4.0),
                 activation="sigmoid", resolution=101):
        weight_range = check_range(*weight_range, "weight_range")
        input_range = check_range(*input_range, "input_range")
        if len(tuple(w)) != 2:
            raise ValueError(f"w must be two weights (w1, w2); received w={w!r}")
        if len(tuple(x)) != 2:
            raise ValueError(f"x must be one input point (x1, x2); received x={x!r}")
        w0 = check_in_range(w0, weight_range, "w0")
        w1, w2 = (check_in_range(v, weight_range, n) for v, n in zip(w, ("w[0] (w1)", "w[1] (w2)")))
        x1, x2 = (check_in_range(v, input_range, n) for v, n in zip(x, ("x[0] (x1)", "x[1] (x2)")))
        self.g = activations.get(activation)
        if self.g.name == "softmax":
            raise ValueError("activation must be one of 'sigmoid', 'tanh', 'relu', 'linear'; received 'softmax'")
        super().__init__(figsize=(9.0, 4.0), ncols=2, gridspec_kw={"width_ratios": [1.25, 1.0]})
        self.xlim = self.ylim = input_range
        self.grid_x1, self.grid_x2, _ = input_grid(self.xlim, self.ylim, resolution)
        self.artists = draw_perceptron(self.axes[0], self.axes[1], self.xlim, self.ylim, self.g.name)
        if self.g.name != "sigmoid":          # outputs outside [0, 1]: colour the image by sign around 0
            self.artists["image"].set_clim(-1, 1)
        self.fig.tight_layout()
        self.frozen = None
        W = self._widgets
        step = (weight_range[1] - weight_range[0]) / 100
        for name, value, bounds in (("w0", w0, weight_range), ("w1", w1, weight_range), ("w2", w2, weight_range),
                                    ("x1", x1, input_range), ("x2", x2, input_range)):
            self.add_control(name, W.FloatSlider(value=value, min=bounds[0], max=bounds[1],
                                                 step=step if name.startswith("w") else
                                                 (bounds[1] - bounds[0]) / 80,
                                                 description=name, readout_format=".2f",
                                                 layout={"width": "250px"}))
        self.refresh()
        self.frozen = freeze_background(self.fig, self.artists.values())

    def output(self, x1, x2):
        """ŷ = g(w0 + w1 x1 + w2 x2) at the current weights."""
        return self.g(self.value("w0") + self.value("w1") * x1 + self.value("w2") * x2)

    def update(self):
        w0, w1, w2 = self.value("w0"), self.value("w1"), self.value("w2")
        x1, x2 = self.value("x1"), self.value("x2")
        a = self.artists
        a["image"].set_data(self.g(w0 + w1 * self.grid_x1 + w2 * self.grid_x2))
        a["line"].set_data(*decision_line(w0, w1, w2, self.xlim, self.ylim))
        z = w0 + w1 * x1 + w2 * x2
        y_hat = float(self.g(z))
        a["point"].set_data([x1], [x2])
        a["point_text"].set_position((x1, x2))
        a["point_text"].set_text(f"  ŷ = {signed(y_hat, '.3f')}")
        a["curve_point"].set_data([np.clip(z, -10, 10)], [y_hat])
        a["curve_drop"].set_data([np.clip(z, -10, 10)] * 2, [0, y_hat])
        a["curve_text"].set_text(f"z = {affine_text(w0, w1, w2)} = {signed(z, '.2f')}\n"
                                 f"ŷ = g({signed(z, '.3g')}) ≈ {signed(y_hat, '.3f')}")
        a["title"].set_text(f"ŷ = g({affine_text(w0, w1, w2)})")
        if w1 == 0 and w2 == 0:
            self.show_message("w1 = w2 = 0: there is no line; ŷ = g(w0) is the same everywhere.", kind="warning")
        else:
            self.show_message("")


def perceptron_explorer(w0=1.0, w=(3.0, -2.0), x=(-1.0, 2.0), weight_range=(-5.0, 5.0), input_range=(-4.0, 4.0),
                       activation="sigmoid"):
    """The perceptron as a line in 2-D: weight sliders move the decision line, an input point shows ŷ.

    Parameters
    ----------
    w0 : float, default 1
        The bias w0 (lecture: 1).
    w : (float, float), default (3, -2)
        The weights (w1, w2) (lecture: [3, -2]).
    x : (float, float), default (-1, 2)
        The input point (x1, x2) (lecture: X = [-1, 2], giving ŷ = g(-6) ≈ 0.002).
    weight_range, input_range : (min, max)
        Slider ranges of the weights and of x1, x2 (also the plotted box).
    activation : str, default "sigmoid"
        The non-linearity g.

    Returns
    -------
    PerceptronExplorer
        Display it in a notebook; ``.controls["w0"]`` etc. are the sliders.
    """
    return PerceptronExplorer(w0=w0, w=w, x=x, weight_range=weight_range, input_range=input_range,
                              activation=activation)
