r"""Explorer 11 — early stopping: stop training before we have a chance to over-fit.

Train and validation loss of one real over-fitting coursekit run (fixed seed, no early stopping), and
patience / min_delta sliders. A vertical line marks the epoch after which
``EarlyStopping(monitor="val_loss", patience=, min_delta=)`` would stop training, and a star the epoch
whose weights ``restore_best_weights=True`` would put back.

The rule is not written twice: :func:`replay_early_stopping` feeds the recorded validation losses,
epoch by epoch, through a real :class:`coursekit.callbacks.EarlyStopping` instance, so the line is where
``model.fit(..., callbacks=[EarlyStopping(...)])`` stops on the same run.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from .._validation import check_array, check_number
from ..callbacks import EarlyStopping
from .dropout import fit_overfitting
from .explorer import Explorer, freeze_background
from .style import OKABE_ITO, SERIES_COLORS, style_axes


@dataclass
class StopPoint:
    """Where early stopping ends a recorded run.

    Attributes
    ----------
    stopped : bool
        Training would stop before the recorded run ends.
    stop_epoch : int
        The last epoch trained (0-based): EarlyStopping's ``stopped_epoch`` if it stopped, else the last.
    best_epoch : int
        The epoch whose weights ``restore_best_weights=True`` restores (0-based).
    best : float
        The monitored value at ``best_epoch``.
    """

    stopped: bool
    stop_epoch: int
    best_epoch: int
    best: float


def replay_early_stopping(values, patience=0, min_delta=0.0, monitor="val_loss", **kwargs):
    """Replay a recorded curve through coursekit's EarlyStopping; returns a :class:`StopPoint`.

    Parameters
    ----------
    values : sequence of float
        The monitored quantity per epoch (e.g. ``history.history["val_loss"]``).
    patience, min_delta, monitor, **kwargs
        As for :class:`~coursekit.callbacks.EarlyStopping` (``mode``, ``baseline``, ``start_from_epoch``).
    """
    values = check_array(values, "values", ndim=1, dtype=float)
    if len(values) == 0:
        raise ValueError("values is empty: replay_early_stopping needs the monitored value of at least one epoch")
    callback = EarlyStopping(monitor=monitor, patience=patience, min_delta=min_delta, **kwargs)
    model = SimpleNamespace(stop_training=False, _stop_reason=None)
    callback.set_model(model)
    callback.on_train_begin()
    last = len(values) - 1
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {monitor: float(value)})
        if model.stop_training:
            last = epoch
            break
    return StopPoint(stopped=bool(model.stop_training), stop_epoch=last, best_epoch=int(callback.best_epoch),
                     best=float(callback.best))


class EarlyStoppingExplorer(Explorer):
    """Patience and min_delta sliders over recorded train/validation curves. See :func:`early_stopping_explorer`."""

    title = "early stopping"

    def __init__(self, patience=10, min_delta=0.0, epochs=150, seed=0, history=None):
        self.patience0 = check_number(patience, "patience", low=0, high=100, integer=True)
        self.min_delta0 = check_number(min_delta, "min_delta", low=0, high=0.1)
        if history is None:
            self.epochs = check_number(epochs, "epochs", low=2, high=2000, integer=True)
            _, history = fit_overfitting(0.0, self.epochs, seed)
            logs = history.history
        else:
            logs = getattr(history, "history", history)
        if "val_loss" not in logs or "loss" not in logs or len(logs["val_loss"]) == 0:
            raise ValueError("history must hold non-empty 'loss' and 'val_loss' lists (fit with validation_data=)")
        self.train = np.asarray(logs["loss"], dtype=float)
        self.val = np.asarray(logs["val_loss"], dtype=float)
        self.epochs = len(self.val)

        super().__init__(figsize=(8.0, 4.2))
        self.fig.subplots_adjust(left=0.1, right=0.97, bottom=0.13, top=0.88)
        ax = self.ax
        x = np.arange(1, self.epochs + 1)
        ax.plot(x, self.train, color=SERIES_COLORS[0], lw=2, label="training loss")
        ax.plot(x, self.val, color=SERIES_COLORS[3], lw=2, label="validation loss")
        top = float(max(self.train.max(), self.val.max()))
        ax.set_xlim(0, self.epochs + 1)
        ax.set_ylim(0, top * 1.08)
        style_axes(ax, "epoch", "loss")
        from matplotlib.patches import Rectangle

        self.after = Rectangle((self.epochs, 0), 1, 1, transform=ax.get_xaxis_transform(), color="#999999",
                               alpha=0.18, lw=0, label="not trained (stopped)")
        ax.add_patch(self.after)
        self.stop_line = ax.axvline(self.epochs, color="black", lw=1.8, ls="--", label="training stops")
        self.best_marker, = ax.plot([], [], "*", ms=16, color=OKABE_ITO["yellow"], mec="black", zorder=5,
                                    label="weights restored (best val_loss)")
        ax.legend(fontsize=8, loc="upper center", ncol=2)
        self.heading = ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=10)

        w = self._widgets
        self.add_control("patience", w.IntSlider(value=self.patience0, min=0, max=max(50, self.patience0),
                                                 description="patience"))
        self.add_control("min_delta", w.FloatSlider(value=self.min_delta0, min=0.0, max=0.05, step=0.001,
                                                    readout_format=".3f", description="min_delta"))
        self.refresh()
        freeze_background(self.fig, [self.after, self.stop_line, self.best_marker, self.heading])

    def stop_point(self):
        """The :class:`StopPoint` for the current slider values (coursekit's EarlyStopping, replayed)."""
        return replay_early_stopping(self.val, patience=int(self.value("patience")),
                                     min_delta=float(self.value("min_delta")))

    def update(self):
        point = self.stop_point()
        self.point = point
        stop_x = point.stop_epoch + 1                    # epochs are drawn 1-based, as Keras prints them
        self.stop_line.set_xdata([stop_x, stop_x])
        self.after.set_x(stop_x)                          # axvspan is a Rectangle in data x, axes y
        self.after.set_width(self.epochs + 1 - stop_x)
        self.best_marker.set_data([point.best_epoch + 1], [self.val[point.best_epoch]])
        if point.stopped:
            text = (f"stops after epoch {stop_x} of {self.epochs}; restores epoch {point.best_epoch + 1} "
                    f"(val_loss {point.best:.3f})")
        else:
            text = f"never stops within {self.epochs} epochs; best epoch {point.best_epoch + 1}"
        self.heading.set_text(text)
        saved = self.epochs - stop_x
        self.show_message(f"EarlyStopping(monitor='val_loss', patience={int(self.value('patience'))}, "
                          f"min_delta={float(self.value('min_delta')):g}, restore_best_weights=True): {text}; "
                          f"{saved} epochs not needed.")


def early_stopping_explorer(patience=10, min_delta=0.0, epochs=150, seed=0, history=None):
    """Explorer 11: patience and min_delta sliders → where EarlyStopping stops and which weights it restores.

    Parameters
    ----------
    patience : int
        Initial patience (epochs without improvement before stopping), 0..100.
    min_delta : float
        Initial smallest change that counts as an improvement, 0..0.1.
    epochs : int
        Length of the recorded over-fitting run (ignored when ``history`` is given).
    seed : int
        Seed of that run.
    history : History or dict, optional
        Your own run's ``fit`` result (needs "loss" and "val_loss").

    Returns
    -------
    EarlyStoppingExplorer
        ``.point`` is the current :class:`StopPoint`; ``.stop_line`` the vertical line.
    """
    return EarlyStoppingExplorer(patience=patience, min_delta=min_delta, epochs=epochs, seed=seed, history=history)
