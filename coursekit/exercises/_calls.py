"""How a case calls the student's answer, by name: these run inside the student's kernel.

A :class:`~coursekit.exercises._spec.Case` names one of :data:`CALLS` (``call="three_steps"``); only
the name travels to the kernel, where the kit's own function of that name calls the student's code.
"""

from __future__ import annotations

import numpy as np

from ._seal import sealed

CALLS: dict = {}


def quadratic_gradient(w, A, c):
    """dJ/dw of J(w) = 1/2 (w - c)^T A (w - c)."""
    return A @ (np.asarray(w, dtype=float) - c)


def _functions() -> dict:
    from coursekit import activations
    kit = {name: getattr(activations, name) for name in ("sigmoid", "tanh", "relu", "linear", "softmax")}
    return {**kit, "quadratic_gradient": quadratic_gradient}


#: Functions that may be the *arguments* of a case (the activation ``g`` of ``dense_forward``, the
#: ``grad_fn`` of ``gradient_descent``): they travel to the kernel by name, bound keywords as data.
FUNCTIONS: dict = _functions()


def _call(name):
    def register(fn):
        CALLS[name] = fn
        return fn
    return register


def call_case(func, call: str | None, args, kwargs):
    """``func(*args, **kwargs)``, or the named call of :data:`CALLS`."""
    if call is None:
        return func(*args, **kwargs)
    return CALLS[call](func, *args, **kwargs)


@_call("three_steps")
def three_steps(func, w, grads, m, v, **kw):
    """Call an optimizer step three times (t = 1, 2, 3), feeding back its own (w, m, v)."""
    for t, g in enumerate(grads, start=1):
        w, m, v = func(w, g, m, v, t, **kw)
    return w, m, v


@_call("predict")
def predict(model, X_test):
    """``model.predict(X_test)`` for an object exercise (a trained model)."""
    if not hasattr(model, "predict"):
        raise TypeError(f"model must be a trained coursekit Sequential (something with .predict); "
                        f"received a {type(model).__name__}")
    return model.predict(X_test)


@_call("value")
def value(answer):
    """The answer itself: a question's number or the letter of its option."""
    return answer


@_call("fit_predict")
def fit_predict(func, X_train, y_train, X_test):
    """``model = func(X_train, y_train)``, then ``model.predict(X_test)``: the predictions, or ``None``
    when ``func`` returned ``None`` (it forgot ``return model``). Runs sealed (:mod:`._seal`): the kit's
    data files cannot be read and no other program can start meanwhile."""
    with sealed():
        model = func(X_train, y_train)
        if model is None:
            return None
        if not callable(getattr(model, "predict", None)):
            raise TypeError(f"the function must return the trained model (a coursekit Sequential, something "
                            f"with .predict); it returned a {type(model).__name__}")
        predictions = model.predict(X_test)
        if predictions is None:
            raise TypeError("model.predict(X_test) returned None: it should return the predictions")
        return np.asarray(predictions)      # converted while sealed: nothing of the model runs after


@_call("materialize")
def materialize(func, *args):
    """Call and turn a generator (also fine) into a list."""
    out = func(*args)
    if out is not None and not isinstance(out, (list, tuple)) and hasattr(out, "__iter__"):
        out = list(out)
    return out


@_call("twice_with_seed")
def twice_with_seed(func, X, y, b, seed):
    """Call twice with generators of the same seed: an answer that uses its rng gives the same result."""
    first = materialize(func, X, y, b, np.random.default_rng(seed))
    second = materialize(func, X, y, b, np.random.default_rng(seed))
    return [first, second]


@_call("dropout_seeds")
def dropout_seeds(func, a, rate, seed, other):
    """Dropout with a generator of ``seed``, again with a fresh one of the same seed, then of ``other``."""
    return [func(a.copy(), rate, np.random.default_rng(s)) for s in (seed, seed, other)]


@_call("two_seeds")
def two_seeds(func, X, y, b, seed, other):
    """Mini-batches with generators of two different seeds: an answer that uses its rng gives two orders."""
    return [materialize(func, X, y, b, np.random.default_rng(s)) for s in (seed, other)]
