"""The pieces of ``Sequential.fit`` around its training step: arguments, data, batches, callbacks, numerics.

``fit`` itself (in :mod:`coursekit.model`) reads as the lecture's loop: for each epoch, for each
mini-batch, one ``train_step``; the helpers here check what the student passed, hold out the validation
rows, cut the mini-batches, run the callbacks and set up the numerics.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import warnings

import numpy as np

from . import blas
from ._validation import check_array, check_choice, check_number, short_repr
from .callbacks import Callback, ProgressBar


def check_fit_arguments(batch_size, epochs, verbose, shuffle):
    """(batch_size, epochs, verbose) checked, with Keras' defaults (batch 32, verbose "auto" = 1)."""
    batch_size = 32 if batch_size is None else check_number(batch_size, "batch_size", low=1, integer=True)
    epochs = check_number(epochs, "epochs", low=0, integer=True)
    if verbose == "auto":
        verbose = 1
    check_choice(str(verbose), "verbose", ("0", "1", "2"))
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False; received shuffle={shuffle!r}")
    return batch_size, epochs, int(verbose)


def check_inputs(x, name, dtype, input_dim=None):
    """``x`` as a (n_samples, n_features) array of ``dtype``, with a hint for every shape a student might pass.

    ``input_dim``: the width the model was built for (``None`` before it is built).
    """
    X = check_array(x, name)
    if X.ndim != 2:
        hint = (f"; for one sample use {name}.reshape(1, -1), for one feature {name}.reshape(-1, 1)"
                if X.ndim == 1 else
                f"; to feed images or other grids to Dense layers, flatten each sample: "
                f"{name}.reshape(len({name}), -1)" if X.ndim > 2 else "")
        raise ValueError(f"{name} must have shape (n_samples, n_features); received shape {X.shape}{hint}")
    if len(X) == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}): there is nothing to train on or predict")
    if X.shape[1] == 0:
        raise ValueError(f"{name} has no features (shape {X.shape}): each sample needs at least one column")
    check_scale(X, name, dtype)
    if input_dim is not None and X.shape[1] != input_dim:
        raise ValueError(f"{name} has {X.shape[1]} features per sample but the model was built for "
                         f"{input_dim} (input_shape=({input_dim},))")
    return X.astype(dtype, copy=False)


def check_scale(X, name, dtype):
    """Inputs beyond what the model's dtype holds, or so large that training is hopeless, get a hint now
    (rather than an overflow, and the learning rate blamed, later)."""
    biggest = float(np.max(np.abs(X))) if X.size else 0.0
    limit = float(np.finfo(dtype).max)
    if biggest > limit:
        raise ValueError(f"{name} holds values up to {biggest:.3g}, beyond what {np.dtype(dtype).name} can hold "
                         f"({limit:.3g}): scale the inputs first, e.g. standardise each column, "
                         f"({name} - {name}.mean(axis=0)) / {name}.std(axis=0)")
    if biggest > 1e15:
        warnings.warn(f"{name} holds values up to {biggest:.3g}: networks train on inputs of order 1; scale them "
                      f"first, e.g. ({name} - {name}.mean(axis=0)) / {name}.std(axis=0)",
                      stacklevel=stacklevel_of_caller())


def stacklevel_of_caller():
    """The ``stacklevel`` of a warning that points at the first line outside coursekit (the student's)."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = inspect.currentframe().f_back, 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    return level


def split_validation(X, Y, validation_split):
    """(X, Y, X_val, Y_val): the last ``validation_split`` of the rows held out, before shuffling (as Keras)."""
    validation_split = check_number(validation_split, "validation_split", low=0, high=1, high_inclusive=False)
    if validation_split == 0:
        return X, Y, None, None
    n_val = int(len(X) * validation_split)
    if n_val == 0 or n_val == len(X):
        raise ValueError(f"validation_split={validation_split} leaves {n_val} of {len(X)} samples for "
                         f"validation; choose a split that keeps samples on both sides")
    return X[:-n_val], Y[:-n_val], X[-n_val:], Y[-n_val:]


def check_validation_data(validation_data):
    """``validation_data`` as a pair (x_val, y_val), or a TypeError."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise TypeError("validation_data must be a pair (x_val, y_val)")
    return validation_data


def minibatches(X, Y, batch_size, rng=None):
    """(x_batch, y_batch) pairs covering every row once: an epoch, shuffled by ``rng`` (``None``: in order).

    Each mini-batch gathers its rows of the shuffled order (a shuffled copy of the whole data set per
    epoch would cost more than the arithmetic for large data).
    """
    order = None if rng is None else rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        rows = slice(start, start + batch_size) if order is None else order[start:start + batch_size]
        yield X[rows], Y[rows]


class CallbackList:
    """The callbacks of one ``fit``: the History first, the student's next, the progress display last."""

    def __init__(self, history, callbacks, epochs, verbose, model):
        if isinstance(callbacks, Callback):
            raise TypeError(f"callbacks must be a list, e.g. callbacks=[{type(callbacks).__name__}(...)]; "
                            f"received a single {type(callbacks).__name__} object")
        callbacks = list(callbacks or [])
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be coursekit Callback objects such as EarlyStopping(); "
                                f"received {short_repr(cb)}")
        self.callbacks = [history] + callbacks + ([ProgressBar(epochs, verbose)] if verbose else [])
        for cb in self.callbacks:
            cb.set_model(model)

    def on_train_begin(self):
        for cb in self.callbacks:
            cb.on_train_begin()

    def on_epoch_begin(self, epoch):
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch)

    def on_epoch_end(self, epoch, logs):
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_end(self):
        for cb in self.callbacks:
            cb.on_train_end()


@contextlib.contextmanager
def training_numerics(multiply_adds):
    """BLAS threads chosen for the work of one mini-batch (:mod:`coursekit.blas`), and numpy's overflow
    warnings off: a loss that stops being a number is reported by ``fit`` itself, in words."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"), blas.limited(blas.threads_for(multiply_adds)):
        yield


def divergence_message(epoch, batch, learning_rate):
    """What ``fit`` says when the loss stops being a finite number."""
    return (f"Training stopped in epoch {epoch + 1}, batch {batch + 1}: the loss is no longer a finite number "
            f"(it diverged). The learning rate ({learning_rate:g}) is probably too large for this problem: try a "
            f"smaller one, e.g. learning_rate={learning_rate / 10:g}.")


def nan_validation_message(history):
    """What ``fit`` says when the validation loss stopped being a number while the training loss never did."""
    val_losses = np.asarray(history.history.get("val_loss", []), dtype=float)
    if history.diverged or np.all(np.isfinite(val_losses)):
        return None
    epoch = int(np.flatnonzero(~np.isfinite(val_losses))[0])
    return (f"epoch {epoch + 1}: val_loss is {val_losses[epoch]} while the training loss is finite "
            f"({history.history['loss'][epoch]:.4g}): the model's outputs on the validation data are not numbers. "
            f"The validation inputs are probably on another scale than the training inputs: scale both the same "
            f"way, with the training set's mean and standard deviation")
