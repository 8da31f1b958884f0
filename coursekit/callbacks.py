"""Callbacks: code that runs during ``fit`` — the training record, early stopping, a progress bar.

The hooks are Keras': ``on_train_begin``, ``on_epoch_begin``, ``on_epoch_end(epoch, logs)``,
``on_train_end``; ``logs`` holds the epoch's "loss", "accuracy", "val_loss", "val_accuracy".
"""

from __future__ import annotations

from ._validation import check_choice, check_number


class Callback:
    """Base class; ``self.model`` is the model being trained."""

    model = None

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class History(Callback):
    """What ``fit`` returns: ``history.history["loss"]`` is the loss per epoch, and so on.

    Attributes
    ----------
    history : dict of lists
        One list per logged quantity ("loss", "accuracy", "val_loss", ...), one entry per epoch.
    epoch : list of int
        The epochs that ran (0-based).
    stop_reason : str or None
        Why training ended early: early stopping, or divergence (the loss became NaN/inf).
    diverged : bool
        True when training stopped because the loss stopped being a finite number.
    """

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.stop_reason = None
        self.diverged = False

    def on_train_begin(self, logs=None):
        self.history, self.epoch = {}, []
        self.stop_reason, self.diverged = None, False

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self):
        keys = ", ".join(self.history)
        return f"<History: {len(self.epoch)} epochs of {keys}>"


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving (Keras semantics).

    After each epoch: if ``monitor`` improved on the best value so far by more than ``min_delta``,
    remember it (and the weights) and reset the wait counter; otherwise count one more epoch of waiting,
    and stop once ``patience`` epochs in a row brought no improvement. With
    ``restore_best_weights=True`` the model ends with the weights of the best epoch.

    Parameters
    ----------
    monitor : str
        Quantity to watch, e.g. "val_loss" (default), "loss", "val_accuracy".
    min_delta : float
        Smallest change that counts as an improvement.
    patience : int
        Epochs without improvement after which training stops.
    mode : {"auto", "min", "max"}
        Whether lower or higher is better; "auto" chooses "max" for accuracies.
    baseline : float, optional
        A value the monitor must beat before waiting is reset.
    restore_best_weights : bool
        Put back the weights of the best epoch when training ends.
    start_from_epoch : int
        Epochs to ignore at the start (warm-up).
    verbose : int
        1 prints a line when training stops.

    Attributes
    ----------
    stopped_epoch : int
        The epoch (0-based) after which training stopped; 0 if it never stopped early.
    best_epoch : int
        The epoch with the best monitored value.
    best : float
        That best value.
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be the name of a logged quantity, e.g. 'val_loss', 'loss' or "
                            f"'val_accuracy'; received monitor={monitor!r}")
        self.monitor = monitor
        self.min_delta = abs(check_number(min_delta, "min_delta"))
        self.patience = check_number(patience, "patience", low=0, integer=True)
        self.verbose = verbose
        mode = check_choice(mode, "mode", ("auto", "min", "max"))
        if mode == "auto":
            mode = "max" if ("acc" in monitor or "auc" in monitor) else "min"
        self.mode = mode
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = check_number(start_from_epoch, "start_from_epoch", low=0, integer=True)
        self.on_train_begin()

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs and getattr(self.model, "stop_training", False):
            return      # training is stopping already (the loss diverged before validation could run)
        if self.monitor not in logs:
            known = ", ".join(repr(k) for k in logs) or "none"
            hint = " (validation quantities need validation_data= or validation_split= in fit)" \
                if self.monitor.startswith("val_") else ""
            raise ValueError(f"EarlyStopping monitor={self.monitor!r} is not logged{hint}; logged: {known}")
        if epoch < self.start_from_epoch:
            return
        current = float(logs[self.monitor])
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()       # Keras keeps the first epoch's as a start
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            restored = (f"; restored the weights of epoch {self.best_epoch + 1}"
                        if self.restore_best_weights and self.best_weights is not None else "")
            self.model.stop_reason = (f"early stopping: {self.monitor} has not improved for {self.wait} "
                                      f"epoch(s) since epoch {self.best_epoch + 1} ({self.best:.4g}){restored}")

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ProgressBar(Callback):
    """Progress during ``fit``: a tqdm bar over the epochs (a widget in Jupyter) or one line per epoch.

    ``verbose=1`` shows the bar with the latest logs; ``verbose=2`` prints one line per epoch, as Keras does.
    """

    def __init__(self, epochs, verbose=1):
        self.epochs = epochs
        self.verbose = verbose
        self.bar = None
        self.last_epoch = None

    def on_train_begin(self, logs=None):
        if self.verbose == 1:
            from tqdm.auto import tqdm   # imported here: the math core stays light to import
            self.bar = tqdm(total=self.epochs, unit="epoch", desc="fit", leave=True)

    def on_epoch_end(self, epoch, logs=None):
        self.last_epoch = epoch
        text = " - ".join(f"{k}: {v:.4f}" for k, v in (logs or {}).items())
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)
            self.bar.update(1)
        elif self.verbose == 2:
            print(f"Epoch {epoch + 1}/{self.epochs} - {text}")

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()
        reason = getattr(self.model, "stop_reason", None)
        if reason and reason.startswith("early stopping") and self.last_epoch is not None:
            print(f"stopped after epoch {self.last_epoch + 1} of {self.epochs}: {reason}")


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, on_train_begin=None, on_epoch_begin=None, on_epoch_end=None, on_train_end=None):
        for hook, fn in (("on_train_begin", on_train_begin), ("on_epoch_begin", on_epoch_begin),
                         ("on_epoch_end", on_epoch_end), ("on_train_end", on_train_end)):
            if fn is not None:
                setattr(self, hook, fn)
