r"""Explorer 12 — live training: loss, accuracy and the decision boundary while ``fit`` runs.

:class:`TrainingMonitor` is a coursekit callback and an explorer at once::

    monitor = TrainingMonitor(X, y)                  # X, y: 2-D data for the decision boundary (optional)
    model.fit(X, y, epochs=100, validation_data=(X_val, y_val), callbacks=[monitor], verbose=0)

It records every epoch's logs but redraws at most every ``update_every`` epochs *and* at most once per
``min_interval`` seconds — or per twice the last redraw's duration, whichever is longer — and once at the
end, so drawing never takes more than about a third of the time and a fast fit is barely slowed. Redraws are pushed to the
browser at once (an ipympl canvas is drawn directly; otherwise the PNG widget is updated), which works
while the cell is still running.

:func:`live_training_explorer` (in :mod:`coursekit.viz.playground`) builds TensorFlow Playground on it: ▶,
data set, noise, η, activation, layers and regularization, all changeable while it trains.
"""

from __future__ import annotations

import time

import numpy as np

from .._validation import check_array, check_number
from ..callbacks import Callback
from .decision import data_limits, draw_decision_map, input_grid
from .explorer import Explorer, freeze_background
from .style import SERIES_COLORS, style_axes


class TrainingMonitor(Explorer, Callback):
    """A callback that draws the training curves (and, for 2-D inputs, the decision boundary) during fit.

    Parameters
    ----------
    X, y : arrays, optional
        2-D inputs and 0/1 labels to draw with the decision boundary ŷ(x1, x2); omit for curves only.
    update_every : int
        Redraw at most every this many epochs.
    min_interval : float
        Redraw at most once per this many seconds (0.1 s by default), and at most once per twice the
        last redraw's duration; 0 redraws on every ``update_every``-th epoch.
    epochs : int, optional
        Fixes the epoch axis from the start (otherwise it grows).
    grid : int
        Resolution of the decision-boundary image.
    display : bool
        Show the widget when training begins (in a notebook).
    """

    title = "live training"
    _min_right = 10                      # the epoch axis shows at least this many epochs

    def __init__(self, X=None, y=None, update_every=1, min_interval=0.1, epochs=None, grid=60, display=True):
        self.update_every = check_number(update_every, "update_every", low=1, integer=True)
        self.min_interval = check_number(min_interval, "min_interval", low=0)
        self.fixed_epochs = None if epochs is None else check_number(epochs, "epochs", low=1, integer=True)
        self.grid_size = check_number(grid, "grid", low=2, high=400, integer=True)
        self.display = bool(display)
        self.X = self.y = None
        if X is not None:
            X = check_array(X, "X", ndim=2, dtype=float)
            if len(X) == 0:
                raise ValueError("X is empty: give at least one point to draw, or X=None for curves only")
            if X.shape[1] != 2:
                raise ValueError(f"X must have 2 features (x1, x2) to draw a decision boundary; received "
                                 f"shape {X.shape}; pass X=None for curves only")
            if y is None:
                raise ValueError("y is needed with X (the classes to draw)")
            y = check_array(y, "y").reshape(-1)
            if len(y) != len(X):
                raise ValueError(f"X and y must have the same length; received {len(X)} and {len(y)}")
            self.X, self.y = X, y
        panels = 3 if self.X is not None else 2
        super().__init__(figsize=(4.0 * panels, 3.6), nrows=1, ncols=panels)
        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.88, wspace=0.3)
        self.lines = {}
        ax_loss, ax_acc = self.axes[:2]
        for key, ax, colour, ls in (("loss", ax_loss, SERIES_COLORS[0], "-"), ("val_loss", ax_loss, SERIES_COLORS[3], "--"),
                                    ("accuracy", ax_acc, SERIES_COLORS[0], "-"),
                                    ("val_accuracy", ax_acc, SERIES_COLORS[3], "--")):
            label = "validation" if key.startswith("val_") else "training"
            self.lines[key], = ax.plot([], [], color=colour, ls=ls, lw=1.8, label=label)
        style_axes(ax_loss, "epoch", "loss")
        style_axes(ax_acc, "epoch", "accuracy")
        ax_acc.set_ylim(0, 1.02)
        ax_loss.legend(fontsize=8, loc="upper right")
        self.status = self.fig.suptitle("waiting for fit ...", fontsize=11)
        self.boundary = None
        if self.X is not None:
            ax = self.axes[2]
            xlim, ylim = data_limits(self.X, margin=0.1)
            G1, _, self.grid_points = input_grid(xlim, ylim, self.grid_size)
            self.boundary, _ = draw_decision_map(ax, self.X, self.y, xlim, ylim, alpha=0.75, size=14)
            self.boundary.set_data(np.full(G1.shape, 0.5))
            ax.set_title(r"$\hat{y}$ over the inputs", fontsize=11)
        self.redraw_count = 0
        self._reset()

    # -- callback hooks -----------------------------------------------------------------------
    def _reset(self):
        self.history = {}
        self._last_draw = -np.inf
        self._draw_seconds = 0.0
        self._epoch = -1
        self._limits = (None, None)
        self._frozen = False

    def on_train_begin(self, logs=None):
        self._reset()
        if self.display:
            try:
                from IPython import get_ipython
                from IPython.display import display

                if get_ipython() is not None:
                    # a display id, so that on_train_end can refresh the static PNG kept in the notebook
                    self._display_handle = display(self, display_id=True)
            except ImportError:                              # plain Python: nothing to show it in
                pass

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        self._epoch = epoch
        due = (epoch + 1) % self.update_every == 0
        # at most one redraw per min_interval, and never more than a third of the time spent drawing
        # (min_interval=0 redraws on every due epoch)
        wait = max(self.min_interval, 2 * self._draw_seconds) if self.min_interval > 0 else 0.0
        if due and time.perf_counter() - self._last_draw >= wait:
            self.draw_now()

    def on_train_end(self, logs=None):
        self.draw_now(final=True)
        handle, self._display_handle = getattr(self, "_display_handle", None), None
        if handle is not None:
            handle.update(self)           # the saved notebook's PNG shows the finished curves, not an empty figure

    # -- drawing ------------------------------------------------------------------------------
    def update(self):
        n = len(self.history.get("loss", []))
        epochs = np.arange(1, n + 1)
        for key, line in self.lines.items():
            values = self.history.get(key, [])
            line.set_data(epochs[:len(values)], values)
        # Limits change rarely (the epoch axis doubles, the loss axis only grows), so the static part of the
        # figure is painted once per change and each redraw draws only the curves and the image.
        right = self.fixed_epochs or max(self._min_right, 2 ** int(np.ceil(np.log2(max(n, 1)))))
        losses = [v for k in ("loss", "val_loss") for v in self.history.get(k, []) if np.isfinite(v)]
        top = self._limits[1]
        if losses and (top is None or max(losses) > top):
            top = 1.25 * max(losses)
        if (right, top) != self._limits:
            self._limits = (right, top)
            for ax in self.axes[:2]:
                ax.set_xlim(1, right)
            if top is not None:
                self.axes[0].set_ylim(0, top)
            self._frozen = False
        if self.boundary is not None and self.model is not None:
            with np.errstate(over="ignore", invalid="ignore", under="ignore"):
                yhat = np.asarray(self.model.predict(self.grid_points), dtype=float)
            if yhat.ndim == 2 and yhat.shape[1] > 1:
                yhat = yhat[:, 1]
            self.boundary.set_data(yhat.reshape(self.grid_size, self.grid_size))
        if n:
            parts = [f"{k} {v[-1]:.3f}" for k, v in self.history.items()]
            self.status.set_text(f"epoch {n}: " + ", ".join(parts))

    def draw_now(self, final=False):
        """Update the artists from the recorded logs and push the picture out now."""
        started = time.perf_counter()
        try:
            self.update()
        except Exception as error:  # noqa: BLE001 - a drawing problem must never stop training
            self.show_message(f"{type(error).__name__}: {error}", kind="error")
        if not self._frozen:
            dynamic = [*self.lines.values(), self.status]
            if self.boundary is not None:
                dynamic += [self.boundary, *self.axes[2].collections]
            freeze_background(self.fig, dynamic)
            self._frozen = True
        if self.interactive:
            self.fig.canvas.draw()                 # draws and sends the image even while the cell runs
        else:
            self.redraw()
        self.redraw_count += 1
        self._last_draw = time.perf_counter()
        self._draw_seconds = self._last_draw - started


def live_training_explorer(*args, **kwargs):
    """Explorer 12: TensorFlow Playground in a notebook (press ▶, change anything while it trains).

    Defined in :mod:`coursekit.viz.playground` (its arguments and controls are documented there), which
    builds on :class:`TrainingMonitor`; this name stays importable from here.
    """
    from .playground import live_training_explorer as playground_explorer

    return playground_explorer(*args, **kwargs)
