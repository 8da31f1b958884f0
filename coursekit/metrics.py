"""Metrics: how often the network is right, counted in numpy (viz only draws what is counted here).

* :func:`count_correct` -- correct predictions in a batch, the "accuracy" that ``fit`` and ``evaluate`` log;
* :func:`accuracy` -- the fraction of correct predictions;
* :func:`confusion_matrix` -- ``C[i, j]`` = number of samples of class ``i`` predicted as ``j``.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_array


def count_correct(y_hat, Y, from_logits=False):
    """Correct predictions in a batch of outputs ``y_hat`` against prepared targets ``Y`` (n, outputs).

    One output: ŷ > 0.5 means class 1 (ŷ > 0 for logits); several outputs: the largest one is the class.
    """
    if y_hat.shape[1] == 1:
        threshold = 0.0 if from_logits else 0.5
        return int(np.count_nonzero((y_hat[:, 0] > threshold) == (Y[:, 0] > 0.5)))
    return int(np.count_nonzero(y_hat.argmax(axis=1) == Y.argmax(axis=1)))


def accuracy(y_true, y_pred):
    """The fraction of samples whose predicted class (largest probability per row, or the label) is right."""
    y_true, y_pred = class_labels(y_true, "y_true"), class_labels(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have one entry per sample; received {len(y_true)} and "
                         f"{len(y_pred)}")
    return float(np.mean(y_true == y_pred))


def class_labels(values, name):
    """Integer class labels from labels, or from one row of probabilities (or one-hot) per sample."""
    values = check_array(values, name)
    if values.ndim == 2 and values.shape[1] > 1:        # probabilities or one-hot rows
        values = values.argmax(axis=1)
    values = values.reshape(-1)
    if values.size and (np.any(values < 0) or np.any(values != np.round(values))):
        raise ValueError(f"{name} must hold class labels 0, 1, 2, ... (or one row of probabilities per sample); "
                         f"received values such as {values[:5].tolist()}")
    return values.astype(np.int64)


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Count, for every true class i and predicted class j, the samples of class i predicted as j.

    Parameters
    ----------
    y_true : array (n,)
        True labels 0..n_classes-1.
    y_pred : array (n,) or (n, n_classes)
        Predicted labels, or the model's probabilities (the largest one per row is the prediction).
    n_classes : int, optional
        Number of classes; by default one more than the largest label seen.

    Returns
    -------
    ndarray of int64, shape (n_classes, n_classes)
        Rows are true classes, columns predicted ones; the diagonal counts the correct predictions.
    """
    y_true, y_pred = class_labels(y_true, "y_true"), class_labels(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have one entry per sample; received {len(y_true)} and "
                         f"{len(y_pred)}")
    seen = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    n_classes = seen if n_classes is None else int(n_classes)
    if n_classes < seen:
        raise ValueError(f"n_classes={n_classes} is too small for the label {seen - 1}")
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix
