"""freeze_background: a frozen figure must look exactly like the same figure drawn the ordinary way.

Explorers paint the static part of their figure from a stored picture and draw only what a control moves;
legends are stored too and painted on top. Each explorer's picture after a move is compared with the same
figure thawed (every artist drawn by matplotlib), pixel by pixel.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from coursekit import viz  # noqa: E402
from coursekit.viz.frozen import frozen_pictures  # noqa: E402
from coursekit.viz.explorer import freeze_background  # noqa: E402


def _pixels(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return np.asarray(Image.open(buffer).convert("RGB"), dtype=np.int16)


def _differing(a, b):
    return int((np.abs(a - b).max(axis=2) > 8).sum())


def _thawed(fig):
    for artist in frozen_pictures(fig):
        artist.thaw()
    return fig


def test_a_moving_line_passes_under_the_legend_not_across_it():
    fig = Figure(figsize=(4, 3), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="static line")
    moving, = ax.plot([0, 1], [1, 1], linewidth=6, color="black", label="moving line")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.2)
    legend = ax.legend(loc="upper left", framealpha=1.0)
    freeze_background(fig, [moving])
    moving.set_data([0, 1], [0.95, 0.95])            # now right through the legend's box
    frozen = _pixels(fig)
    ordinary = _pixels(_thawed(fig))
    assert _differing(frozen, ordinary) == 0
    assert legend.get_visible()                        # thawed: matplotlib draws the legend again


EXPLORERS = {
    "optimizer race (step)": (lambda: viz.optimizer_race(steps=40), "step", 20),
    "early stopping (patience)": (viz.early_stopping_explorer, "patience", 5),
    "dropout (rate)": (viz.dropout_explorer, "rate", 0.3),
    "mini-batches (batch size)": (viz.minibatch_explorer, None, None),
    "activations": (viz.activation_explorer, None, None),
    "perceptron (w1)": (viz.perceptron_explorer, "w1", 2.0),
    "loss (w1)": (viz.loss_explorer, "w1", 0.5),
    "learning rate": (viz.learning_rate_explorer, None, None),
}


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_every_frozen_explorer_draws_like_matplotlib(name):
    make, control, value = EXPLORERS[name]
    explorer = make()
    if control is not None:
        explorer.controls[control].value = value
    assert frozen_pictures(explorer.fig), f"{name} does not freeze its background"
    frozen = _pixels(explorer.fig)
    ordinary = _pixels(_thawed(explorer.fig))
    assert frozen.shape == ordinary.shape
    assert _differing(frozen, ordinary) <= 0.001 * frozen.shape[0] * frozen.shape[1], name


def test_a_canvas_of_another_size_thaws_every_picture():
    """HiDPI ipympl canvases and resized figures: the stored pictures no longer fit, so matplotlib draws."""
    explorer = viz.optimizer_race(steps=40)
    frozen = frozen_pictures(explorer.fig)
    assert len(frozen) >= 2                              # the background and at least the legend above the curves
    explorer.fig.set_dpi(explorer.fig.dpi * 2)
    explorer.fig.canvas.draw()                           # notices the size, thaws, asks for a redraw
    assert not any(picture.get_visible() for picture in frozen)
    assert explorer.axes[1].get_legend().get_visible()
    assert _differing(_pixels(explorer.fig), _pixels(_thawed(explorer.fig))) == 0
