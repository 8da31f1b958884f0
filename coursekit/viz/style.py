"""The kit's look: a colour-blind-safe palette, one marker shape per class, the lecture's notation.

The lecture separates "green vs red" points. About 1 in 12 men cannot tell those two apart, so the
classes here are Okabe–Ito bluish green and vermillion (which differ in lightness as well as hue) and
they always have different marker shapes as well: a circle for class 1, a triangle for class 0.
"""

from __future__ import annotations

import numpy as np

#: Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable with any colour vision.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Class 0 ("red" in the lecture, e.g. fail) and class 1 ("green", e.g. pass).
CLASS_COLORS = (OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"])
CLASS_MARKERS = ("^", "o")
CLASS_NAMES = ("class 0", "class 1")

#: A colour per curve when several are compared (optimizers, learning rates, ...).
SERIES_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"],
                 OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"], OKABE_ITO["black"], OKABE_ITO["yellow"])

#: The typographic minus sign, as on the slides (and in ipywidgets' slider readouts).
MINUS = "\u2212"

#: Axis labels in the lecture's notation.
LABELS = {
    "x1": r"$x_1$",
    "x2": r"$x_2$",
    "z": r"$z$",
    "g": r"$g(z)$",
    "g_prime": r"$g'(z)$",
    "y_hat": r"$\hat{y}$",
    "loss": r"$J(\mathbf{W})$",
    "eta": r"learning rate $\eta$",
    "w0": r"$w_0$",
    "w1": r"$w_1$",
    "w2": r"$w_2$",
    "epoch": "epoch",
    "iteration": "iteration",
}


def probability_cmap():
    """A diverging colour map for ŷ in [0, 1]: vermillion (class 0) - white - bluish green (class 1)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("coursekit_yhat", [CLASS_COLORS[0], "#FFFFFF", CLASS_COLORS[1]])


def scatter_classes(ax, X, y, size=28, **kwargs):
    """Draw two-class points with the kit's colours and markers; returns the two PathCollections."""
    X, y = np.asarray(X), np.asarray(y).reshape(-1)
    artists = []
    for label in (0, 1):
        points = X[y == label]
        artists.append(ax.scatter(points[:, 0], points[:, 1], s=size, c=CLASS_COLORS[label],
                                  marker=CLASS_MARKERS[label], edgecolors="white", linewidths=0.6,
                                  label=CLASS_NAMES[label], zorder=3, **kwargs))
    return artists


def style_axes(ax, xlabel=None, ylabel=None, title=None):
    """Light grid, lecture labels, no top/right spines."""
    if xlabel:
        ax.set_xlabel(LABELS.get(xlabel, xlabel))
    if ylabel:
        ax.set_ylabel(LABELS.get(ylabel, ylabel))
    if title:
        ax.set_title(title, fontsize=11)
    ax.grid(True, alpha=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def signed(value, fmt="g"):
    """A number with a typographic minus sign (−2 rather than -2)."""
    return format(value, fmt).replace("-", MINUS)


def axes_title(ax, fontsize=11):
    """A title that updates cheaply: a Text above the axes (``ax.title`` is re-laid out on every draw).

    A blank ``ax.title`` keeps room for it when the layout is computed (``tight_layout``).
    """
    ax.set_title(" ", fontsize=fontsize)
    return ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=fontsize)
