"""How a case calls the student's answer, by name: these run inside the student's kernel.

A :class:`~coursekit.exercises._spec.Case` names one of :data:`CALLS` (``call="three_steps"``); only
the name travels to the kernel, where the kit's own function of that name calls the student's code.
"""

from __future__ import annotations

import numpy as np

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
