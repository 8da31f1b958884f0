r"""Pictures of the real digits (notebook 10): example images, the confusion matrix, misclassified examples.

Static pictures (PNG, see :mod:`coursekit.viz.static`); the counting is done in the core
(:func:`coursekit.metrics.confusion_matrix`, ``C[i, j]`` = number of test images of digit ``i`` predicted as ``j``):

* :func:`digits_picture` — a grid of 8x8 images with their labels (and predictions);
* :func:`confusion_matrix_picture` — the matrix as a heat map with the counts written in;
* :func:`misclassified_picture` — the images the model got wrong: true label, prediction, confidence.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array
from ..metrics import class_labels, confusion_matrix  # noqa: F401 - counted in the core (old import path kept)
from .static import Picture, new_figure, show
from .style import OKABE_ITO


def _images(images, name="images"):
    images = check_array(images, name, dtype=float)
    if images.ndim == 2 and images.shape[1] == 64:
        images = images.reshape(-1, 8, 8)
    if images.ndim != 3:
        raise ValueError(f"{name} must be 8x8 images, shape (n, 8, 8), or rows of 64 pixels, shape (n, 64); "
                         f"received shape {images.shape}")
    return images


def _grid(n, columns):
    columns = max(1, min(columns, n))
    return -(-n // columns), columns


def _image_grid(images, titles, columns, cell, suptitle, **title_kw) -> Picture:
    """Draw ``images`` in a grid of ``columns``, each with its title.

    ``cell`` = (width, height) per image in inches, plus the height kept for the figure's title.
    """
    rows, columns = _grid(len(images), columns)
    width, height, top = cell
    fig, axes = new_figure(figsize=(width * columns, height * rows + top), nrows=rows, ncols=columns,
                           squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            ax.set_title(titles[k], **title_kw)
    fig.suptitle(suptitle, fontsize=11)
    return show(fig, suptitle)


def digits_picture(images, labels, predictions=None, columns=10, title="handwritten digits") -> Picture:
    """A grid of digit images, each titled with its label (and the prediction, if given).

    ``images`` are 8x8 arrays (n, 8, 8) or rows of 64 pixels (n, 64); dark = ink.
    """
    images = _images(images)
    labels = class_labels(labels, "labels")
    if len(labels) != len(images):
        raise ValueError(f"one label per image: received {len(images)} images and {len(labels)} labels")
    if predictions is not None:
        predictions = class_labels(predictions, "predictions")
    if len(images) == 0:
        raise ValueError("images is empty: there is nothing to draw")
    titles = [f"{label}" if predictions is None else f"{label} → {predictions[k]}" for k, label in enumerate(labels)]
    return _image_grid(images, titles, columns, (1.0, 1.15, 0.4), title, fontsize=10)


def confusion_matrix_picture(matrix, title="confusion matrix (test set)") -> Picture:
    """The confusion matrix as a heat map, counts written in; rows true digits, columns predictions."""
    matrix = check_array(matrix, "matrix")
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, (n_classes, n_classes); received shape {matrix.shape}")
    n = matrix.shape[0]
    fig, ax = new_figure(figsize=(5.2, 4.6))
    image = ax.imshow(matrix, cmap="Blues")
    top = matrix.max() if matrix.size else 0
    for i in range(n):
        for j in range(n):
            if matrix[i, j]:
                colour = "white" if matrix[i, j] > 0.5 * top else (OKABE_ITO["vermillion"] if i != j else "black")
                ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=9, color=colour,
                        weight="bold" if i != j else "normal")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(title, fontsize=11)
    fig.colorbar(image, ax=ax, shrink=0.8, label="test images")
    return show(fig, title)


def misclassified_picture(images, y_true, y_pred, max_images=20, columns=10) -> Picture:
    """The images the model got wrong, each titled "true → predicted" (with the confidence if ``y_pred``
    holds probabilities), at most ``max_images`` of them."""
    images = _images(images)
    probabilities = check_array(y_pred, "y_pred")
    y_true, labels = class_labels(y_true, "y_true"), class_labels(y_pred, "y_pred")
    if not len(images) == len(y_true) == len(labels):
        raise ValueError(f"one image, label and prediction per sample: received {len(images)}, {len(y_true)} "
                         f"and {len(labels)}")
    wrong = np.flatnonzero(labels != y_true)[:max_images]
    if len(wrong) == 0:
        fig, ax = new_figure(figsize=(4.0, 1.0))
        ax.axis("off")
        ax.text(0.5, 0.5, "no misclassified images", ha="center", va="center", fontsize=11)
        return show(fig, "no misclassified images")
    confident = probabilities.ndim == 2 and probabilities.shape[1] > 1
    titles = [f"{y_true[i]} → {labels[i]}" + (f"\n{probabilities[i, labels[i]]:.0%}" if confident else "")
              for i in wrong]
    total = int(np.sum(labels != y_true))
    title = f"misclassified: {total} of {len(y_true)} (true → predicted, confidence)"
    return _image_grid(images[wrong], titles, columns, (1.1, 1.3, 0.5), title, fontsize=9, color=OKABE_ITO["vermillion"])
