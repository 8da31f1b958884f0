"""Notebook 09 — regularization: inverted dropout and early stopping (Keras' EarlyStopping semantics)."""

from __future__ import annotations

import numpy as np

from coursekit.callbacks import EarlyStopping

from ._judging import as_numeric
from ._bans import FRAMEWORKS
from ._spec import Case, Exercise, Mistake, case_rng


# ------------------------------------------------------------------------------------------- dropout
def _kept_and_dropped(output, case):
    a, rate = case.args[0], case.args[1]
    out = as_numeric(output)
    if out is None or out.shape != a.shape:
        return None
    out = out.astype(float)
    live = a != 0
    dropped = (out == 0) & live
    kept = ~dropped & live
    return out, kept, dropped, live


def _judge_dropout(output, case):
    a, rate = case.args[0], case.args[1]
    out = as_numeric(output)
    if output is None:
        return "returned None: return the array after dropout"
    if out is None:
        return "expected an array"
    if out.shape != a.shape:
        return f"expected shape {a.shape} (the shape of a); got {out.shape}"
    out, kept, dropped, live = _kept_and_dropped(output, case)
    if not np.all(np.isfinite(out)):
        return "the output contains NaN or infinity"
    if not np.allclose(out[kept], a[kept] / (1 - rate), rtol=1e-6, atol=1e-12):
        return f"the kept activations must be scaled to a / (1 - rate) = a / {1 - rate:g}"
    if _first_dropped(output, case):
        return "the first rate·n activations were dropped: choose the dropped units at random, with rng"
    fraction = dropped.sum() / max(live.sum(), 1)
    if rate == 0 and fraction > 0:
        return "rate = 0 must keep every activation"
    if live.sum() >= 1000 and abs(fraction - rate) > 0.03:
        return f"{fraction:.1%} of the activations were dropped; expected about rate = {rate:.0%}"
    return None


def _first_dropped(output, case):
    """The mask is not random: exactly the first entries (in memory order) are dropped."""
    parts = _kept_and_dropped(output, case)
    if parts is None:
        return False
    _, _, dropped, live = parts
    flat, k = dropped.ravel(), int(dropped.sum())
    return live.all() and live.size >= 100 and 0 < k < flat.size and flat[:k].all()


def _judge_seeds(output, case):
    """Three runs: the same seed twice (the same mask), then another seed (another mask)."""
    if not isinstance(output, list) or len(output) != 3:
        return "unexpected output"
    for run in output:
        message = _judge_dropout(run, Case("", case.args[:2]))
        if message:
            return message
    first, again, other = (np.asarray(run, dtype=float) == 0 for run in output)
    if not np.array_equal(first, again):
        return "two calls with generators of the same seed dropped different units: draw from rng, not np.random"
    if np.array_equal(first, other):
        return "generators of different seeds dropped the same units: the mask must come from rng"
    return None


def _ignores_rng(output, case):
    if case.call != "dropout_seeds" or not isinstance(output, list) or len(output) != 3:
        return False
    masks = [np.asarray(run, dtype=float) == 0 for run in output]
    return not np.array_equal(masks[0], masks[1]) or np.array_equal(masks[0], masks[2])


def _dropout_cases():
    rng = case_rng(901)
    specs = [
        ("the lecture's rate 0.5 on 10 000 ones: about half become 0, the rest 2", np.ones((100, 100)), 0.5),
        ("rate = 0.2: about 20 % dropped, the rest scaled by 1 / 0.8 = 1.25", np.ones((100, 100)), 0.2),
        ("rate = 0.8 on random activations of shape (50, 200)", rng.normal(size=(50, 200)), 0.8),
        ("rate = 0 keeps every activation unchanged", rng.normal(size=(4, 5)), 0.0),
        ("a 1-D vector of 5000 activations, rate = 0.3", rng.uniform(0.1, 2.0, size=5000), 0.3),
    ]
    cases = [Case(label, (a, rate, case_rng(910 + i)), assess=_judge_dropout)
             for i, (label, a, rate) in enumerate(specs)]
    cases.append(Case("uses the rng it is given: the same seed gives the same mask, another seed another one",
                      (np.ones((20, 50)), 0.5, 915, 916), assess=_judge_seeds, call="dropout_seeds", bind=False))
    return cases


def _scaled_by(factor):
    def detect(output, case):
        parts = _kept_and_dropped(output, case)
        if parts is None:
            return False
        out, kept, _, _ = parts
        a, rate = case.args[0], case.args[1]
        f = factor(rate)
        return kept.any() and f != 1 / (1 - rate) and np.allclose(out[kept], a[kept] * f, rtol=1e-6)
    return detect


def _keeps_rate(output, case):
    parts = _kept_and_dropped(output, case)
    if parts is None:
        return False
    _, _, dropped, live = parts
    rate = case.args[1]
    return live.sum() >= 1000 and abs(rate - 0.5) > 0.1 and abs(dropped.sum() / live.sum() - (1 - rate)) < 0.03


# ------------------------------------------------------------------------------------ early stopping
class _Recorder:
    stop_training = False
    _stop_reason = None


def _stop_epoch(val_losses, patience, min_delta=0.0):
    """coursekit's EarlyStopping, driven epoch by epoch; the epoch after which it stops."""
    callback = EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta)
    model = _Recorder()
    callback.set_model(model)
    callback.on_train_begin()
    losses = list(val_losses)
    for epoch, value in enumerate(losses):
        callback.on_epoch_end(epoch, {"val_loss": float(value)})
        if model.stop_training:
            return epoch
    return len(losses) - 1


def _noisy_curve(rng, epochs):
    """A validation loss that falls, bottoms out at a random epoch and rises again, with noise."""
    t, bottom = np.arange(epochs), rng.uniform(0.3, 0.6) * epochs
    return np.round(0.3 + ((t - bottom) / epochs) ** 2 + rng.normal(scale=0.02, size=epochs), 4)


def _es_cases():
    specs = [
        ("lecture curve: the validation loss falls, then rises (patience=2)",
         [1.0, 0.7, 0.5, 0.45, 0.47, 0.5, 0.55, 0.6], 2, None),
        ("patience=0 stops at the first epoch without improvement", [0.9, 0.8, 0.85, 0.7], 0, None),
        ("the loss keeps falling: it never stops, return the last epoch", [5.0, 4.0, 3.0, 2.0, 1.0], 2, None),
        ("patience=3 counts epochs since the best loss, not since the last drop",
         [1.0, 0.8, 0.82, 0.79, 0.81, 0.80, 0.83, 0.9, 0.5], 3, None),
        ("min_delta=0.05: improvements smaller than 0.05 do not count",
         [1.0, 0.97, 0.95, 0.93, 0.90, 0.88], 2, 0.05),
        ("a plain list, patience larger than the run", [0.5, 0.6, 0.7], 5, None),
        ("a numpy array, patience=1; an equal loss is no improvement", np.array([0.3, 0.2, 0.2, 0.1]), 1, None),
        ("a noisy validation curve of 40 epochs, patience=4", _noisy_curve(case_rng(920), 40), 4, None),
    ]
    cases = []
    for label, losses, patience, min_delta in specs:
        kwargs = {} if min_delta is None else {"min_delta": min_delta}
        cases.append(Case(label, (losses, patience), kwargs,
                          expected=_stop_epoch(losses, patience, min_delta or 0.0), atol=0, rtol=0))
    return cases


def _es_variant(losses, patience, min_delta=0.0, *, late=0, best=False, one_based=False, no_delta=False,
                previous=False):
    best_value, best_epoch, last, wait = None, 0, None, 0
    losses = list(losses)
    delta = 0.0 if no_delta else min_delta
    for epoch, value in enumerate(losses):
        reference = last if previous else best_value
        wait += 1
        if reference is None or value < reference - delta:
            best_value, best_epoch, wait = value, epoch, 0
        elif wait >= patience + late and epoch > 0:
            return (best_epoch if best else epoch) + (1 if one_based else 0)
        last = value
    return (best_epoch if best else len(losses) - 1) + (1 if one_based else 0)


def _es(**options):
    return lambda losses, patience, min_delta=0.0: _es_variant(losses, patience, min_delta, **options)


def _worked_example(case) -> str:
    """The off-by-one hint, worked out on this case's own losses."""
    losses, patience = list(case.args[0]), case.args[1]
    stop = int(case.expected)
    best = _es_variant(losses, patience, case.kwargs.get("min_delta", 0.0), best=True)
    if stop == len(losses) - 1 and stop - best < patience:
        return (f"off by one: here the best loss comes in epoch {best} and only {stop - best} epochs follow, "
                f"fewer than patience = {patience}: training never stops, so return the last epoch, {stop}")
    following = f"epoch {stop} is" if patience == 1 else f"epochs {best + 1} to {stop} are"
    return (f"off by one: here the best loss comes in epoch {best}; {following} the patience = {patience} "
            f"epoch{'s' if patience != 1 else ''} without improvement, so training stops after epoch {stop}"
            if patience > 0 else
            f"off by one: with patience = 0, training stops after the first epoch without improvement, "
            f"epoch {stop}")


EXERCISES = [
    Exercise(
        name="dropout_forward", notebook="09", points=2,
        concept="dropout switches units off at random during training and rescales the rest",
        bans=("coursekit.layers", "coursekit.model", *FRAMEWORKS),
        signature="dropout_forward(a, rate, rng)",
        summary="inverted dropout: zero each activation with probability rate (draws from rng), "
                "scale the kept ones by 1 / (1 - rate)",
        build_cases=_dropout_cases,
        mistakes=[
            Mistake("drop units at random: e.g. keep = rng.random(a.shape) >= rate. Dropping the first rate·n "
                    "units drops the same units every time, so nothing regularizes", detect=_first_dropped),
            Mistake("draw the random numbers from the rng argument (rng.random(a.shape)), not from np.random "
                    "or a generator of your own: the caller's seed must decide the mask", detect=_ignores_rng),
            Mistake("rate is the probability of *dropping* a unit: keep each one with probability 1 - rate",
                    detect=_keeps_rate),
            Mistake("inverted dropout also rescales: multiply the kept activations by 1 / (1 - rate), so "
                    "their expected value stays the same", detect=_scaled_by(lambda rate: 1.0)),
            Mistake("divide the kept activations by (1 - rate), don't multiply", detect=_scaled_by(lambda rate: 1 - rate)),
            Mistake("scale by 1 / (1 - rate) (the keep probability), not 1 / rate",
                    detect=_scaled_by(lambda rate: 1 / rate if rate else 1.0)),
        ],
    ),
    Exercise(
        name="early_stopping_epoch", notebook="09", points=2,
        concept="early stopping waits `patience` epochs for the best validation loss to improve, then stops",
        bans=("coursekit.callbacks", "coursekit.viz", "coursekit.model", *FRAMEWORKS),
        signature="early_stopping_epoch(val_losses, patience, min_delta=0.0)",
        summary="the 0-based epoch after which Keras' EarlyStopping(patience, min_delta) stops "
                "(the last epoch if it never stops)",
        build_cases=_es_cases,
        mistakes=[
            Mistake(_worked_example, impl=_es(late=1)),
            Mistake(_worked_example, impl=_es(late=-1)),
            Mistake("return the epoch after which training stops, not the best epoch", impl=_es(best=True)),
            Mistake("epochs count from 0 here (the first epoch is epoch 0)", impl=_es(one_based=True)),
            Mistake("an improvement must beat the best loss by more than min_delta", impl=_es(no_delta=True)),
            Mistake("compare each loss with the best loss so far, not with the previous epoch",
                    impl=_es(previous=True)),
        ],
    ),
]
