r"""Static pictures: a figure shown as a PNG, the same under ``%matplotlib widget``, inline, or in a test.

Explorers are for pictures a student changes; some pictures only need to be looked at. Those are drawn
on a plain :class:`matplotlib.figure.Figure` (never registered with pyplot, so no interactive canvas is
created and nothing stays open) and shown as a :class:`Picture`: an ``image/png`` output with a short
text form, which a saved notebook keeps and GitHub shows, and a text description of the figure as the
PNG's ``alt`` (:func:`coursekit.viz.describe.describe_figure`), which screen readers read.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .describe import describe_figure
from .explorer import figure_to_png
from .style import OKABE_ITO, scatter_classes, style_axes


class Picture:
    """A rendered figure: displays as PNG in Jupyter; ``png`` holds the bytes, ``alt`` its text description."""

    def __init__(self, png: bytes, title: str = "figure", alt: str | None = None):
        self.png = png
        self.title = title
        self.alt = alt or title

    def _repr_png_(self):
        return self.png, {"alt": self.alt}

    def __repr__(self):
        return f"<picture: {self.title}>"


def new_figure(figsize=(6.0, 4.0), nrows=1, ncols=1, **subplot_kw):
    """A figure that draws with Agg whatever the notebook's backend; returns ``(fig, axes)`` (axes squeezed)."""
    fig = Figure(figsize=figsize, dpi=90)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, **subplot_kw)


def show(fig, title="figure") -> Picture:
    """Render ``fig`` (tight layout) to a :class:`Picture` described by its title, panels and axes."""
    fig.tight_layout()
    return Picture(figure_to_png(fig), title, alt=describe_figure(fig, title))


def students_picture(X, y, you=None, title="Will I pass this class?") -> Picture:
    """The "Will I pass this class?" students: lectures attended x1 against project hours x2, pass vs fail.

    Parameters
    ----------
    X : array (n, 2)
        Columns x1 (lectures attended) and x2 (hours on the final project).
    y : array (n,)
        1 = passed, 0 = failed.
    you : (x1, x2), optional
        One more student, drawn as a star and labelled "you", whose outcome is unknown.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"X must have shape (n, 2) and y shape (n,); received {X.shape} and {y.shape}")
    fig, ax = new_figure(figsize=(5.6, 4.2))
    fail, passed = scatter_classes(ax, X, y, size=30)
    handles, labels = [passed, fail], ["pass (y = 1)", "fail (y = 0)"]
    if you is not None:
        star = ax.plot([you[0]], [you[1]], marker="*", ms=20, color=OKABE_ITO["black"], mec="white", ls="none",
                       zorder=5)[0]
        ax.annotate(f"you: x = [{you[0]:g}, {you[1]:g}]", (you[0], you[1]), xytext=(12, -4),
                    textcoords="offset points", fontsize=10, zorder=5,
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))
        handles, labels = handles + [star], labels + ["you (y = ?)"]
    ax.legend(handles, labels, loc="best", fontsize=9, framealpha=0.9)
    style_axes(ax, "x₁ = lectures attended", "x₂ = hours spent on the final project", title)
    return show(fig, title)
