"""Accessibility (issue 14): every explorer and every saved picture has a text description.

An explorer's static picture carries it as the PNG's ``alt`` metadata (nbconvert/nbviewer write it into
``<img alt>``), its live widget as a label for screen readers; a Picture's PNG carries it as ``alt``.
"""

from __future__ import annotations

import inspect

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import coursekit.viz as viz  # noqa: E402
from coursekit import datasets  # noqa: E402
from coursekit.viz.describe import describe_figure, plain  # noqa: E402
from coursekit.viz.digits import confusion_matrix_picture, digits_picture, misclassified_picture  # noqa: E402
from coursekit.viz.explorer import Explorer  # noqa: E402
from coursekit.viz.static import new_figure, show, students_picture  # noqa: E402

FACTORIES = sorted(name for name, obj in vars(viz).items()
                   if inspect.isfunction(obj) and (name.endswith("_explorer") or name == "optimizer_race"))


def test_every_explorer_factory_is_covered():
    assert len(FACTORIES) >= 12, FACTORIES


@pytest.mark.parametrize("name", FACTORIES)
def test_every_explorer_describes_itself(name):
    explorer = getattr(viz, name)()
    assert isinstance(explorer, Explorer)
    text = explorer.description()
    assert text.startswith("Interactive explorer: ") and explorer.title in text
    labels = {plain(label) for ax in explorer.fig.axes for label in (ax.get_xlabel(), ax.get_ylabel()) if label}
    assert "$" not in text and "\\" not in text, text                   # no TeX read out letter by letter
    assert all(label in text for label in labels), (labels, text)
    assert labels or " reads: " in text, text                # a diagram without axes: what is written on it
    for widget in explorer.controls.values():
        if hasattr(widget, "value") and getattr(widget, "description", ""):
            assert f"{widget.description} = {widget.value}" in text
    # the live widget: a hidden label for screen readers, first in the box
    label = explorer.widget.children[0]
    assert 'class="coursekit-description"' in label.value and explorer.title.split(":")[0] in label.value
    # the saved picture: the description as its alt text, and the PNG view's picture too
    _, metadata = explorer._repr_mimebundle_()
    assert metadata["image/png"]["alt"] == explorer.description()
    (shown,) = explorer._image.outputs
    assert shown["metadata"]["image/png"]["alt"] == explorer.description()


def test_a_moved_control_is_in_the_description():
    explorer = viz.perceptron_explorer()
    name, slider = next((n, w) for n, w in explorer.controls.items() if hasattr(w, "max"))
    slider.value = slider.max
    assert f"{slider.description} = {slider.max}" in explorer.description()


def _pictures():
    images, labels = datasets.load_digits()[:2] if False else (np.random.default_rng(0).random((12, 8, 8)),
                                                                np.arange(12) % 10)
    X, y = datasets.pass_fail(20, seed=0)
    return {
        "students": students_picture(X, y, you=(4, 5)),
        "digits": digits_picture(images, labels),
        "confusion": confusion_matrix_picture(np.eye(10, dtype=int) * 5),
        "misclassified": misclassified_picture(images, labels, (labels + 1) % 10),
    }


@pytest.mark.parametrize("name", ["students", "digits", "confusion", "misclassified"])
def test_every_picture_has_alt_text(name):
    picture = _pictures()[name]
    png, metadata = picture._repr_png_()
    assert png[:4] == b"\x89PNG"
    assert metadata["alt"] == picture.alt and picture.title in picture.alt and len(picture.alt) > len(picture.title)


def test_a_description_names_panels_axes_and_legend():
    fig, (left, right) = new_figure(nrows=1, ncols=2)
    left.plot([0, 1], [0, 1], label="train")
    left.legend()
    left.set(title="loss", xlabel="epoch", ylabel="J(W)")
    right.set(title="accuracy")
    text = show(fig, "training").alt
    assert text == describe_figure(fig, "training")
    assert text == 'training. Panel 1 of 2: "loss"; J(W) against epoch; legend: train. Panel 2 of 2: "accuracy".'


@pytest.mark.parametrize("tex, said", [(r"$x_2$", "x2"), (r"$\hat{y}$", "ŷ"), (r"$J(\mathbf{W})$", "J(W)"),
                                       (r"$w_{12}$ and $\eta$", "w12 and η"), ("x₁ = lectures", "x₁ = lectures")])
def test_mathtext_is_said_plainly(tex, said):
    assert plain(tex) == said
