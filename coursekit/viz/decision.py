"""The decision map: ŷ over the input plane (x1, x2), with the two classes on top.

Several explorers draw it (activations, network builder, loss per point, live training): these are
its pure pieces — the grid of inputs to evaluate a model on, axis limits around the data, the
perceptron's straight decision line, and the figure builder itself.
"""

from __future__ import annotations

import numpy as np

from .style import OKABE_ITO, probability_cmap, scatter_classes, style_axes


def decision_line(w0, w1, w2, xlim, ylim):
    """Two points of the line w0 + w1 x1 + w2 x2 = 0 spanning the box ``xlim`` x ``ylim``.

    Returns ``(xs, ys)`` (two values each), or two empty arrays when w1 = w2 = 0 (no line).
    The line is parametrised along the axis it is less steep against, so it is accurate for any slope.
    """
    if w1 == 0 and w2 == 0:
        return np.array([]), np.array([])
    if abs(w2) >= abs(w1):
        xs = np.array(xlim, dtype=float)
        return xs, -(w0 + w1 * xs) / w2
    ys = np.array(ylim, dtype=float)
    return -(w0 + w2 * ys) / w1, ys


def input_grid(xlim, ylim, resolution=101):
    """A ``resolution`` x ``resolution`` grid over the box: ``(x1, x2)`` meshes and the rows (n, 2)."""
    x1, x2 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    return x1, x2, np.column_stack([x1.ravel(), x2.ravel()])


def data_limits(X, margin=0.15):
    """Axis limits around the points with a relative margin."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-9)
    return (low[0] - pad[0], high[0] + pad[0]), (low[1] - pad[1], high[1] + pad[1])


def draw_decision_map(ax, X, y, xlim, ylim, alpha=0.55, size=18):
    """ŷ as an image over the box ``xlim`` x ``ylim`` (empty until its data is set) and the classes on top.

    Returns ``(image, points)``: update the picture with ``image.set_data(probabilities)`` where
    ``probabilities`` has the shape of the grid from :func:`input_grid`.
    """
    image = ax.imshow(np.zeros((2, 2)), origin="lower", extent=(*xlim, *ylim), cmap=probability_cmap(),
                      vmin=0, vmax=1, aspect="auto", alpha=alpha)
    points = scatter_classes(ax, X, y, size=size)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    style_axes(ax, "x1", "x2")
    ax.grid(False)
    return image, points


def show_decision(image, boundary, grid_x1, grid_x2, probabilities, linewidth=1.8):
    """Put new ŷ values on a decision map and redraw its ŷ = 0.5 line; returns the new line (or None).

    ``boundary`` is the previous line (a contour set, or None); a contour cannot be moved, so it is
    replaced. No line is drawn when ŷ stays on one side of 0.5 everywhere.
    """
    image.set_data(probabilities)
    if boundary is not None:
        boundary.remove()
    if not probabilities.min() < 0.5 < probabilities.max():
        return None
    return image.axes.contour(grid_x1, grid_x2, probabilities, levels=[0.5], colors=OKABE_ITO["black"],
                              linewidths=linewidth)
