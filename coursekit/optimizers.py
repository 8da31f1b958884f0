r"""Optimizers: how a gradient becomes a weight update.

Plain gradient descent (the lecture's slide) is W <- W - eta dJ/dW. The adaptive methods keep a
little state per weight and scale each step by how large and how consistent the gradients have been.
Each class below writes its update rule in its docstring and in one short ``_update`` method.

The rules are those of the cited papers, which is what ``torch.optim`` computes (tests compare against
it step by step). Where ``tf.keras`` differs, the docstring says so.

An optimizer updates weights in place with ``optimizer.apply(grads, variables)``, Keras' name and order
(gradients first, then the variables, each a list): the model passes its whole flat weight vector at once,
``apply([g], [w])``, and the explorers pass a 2-vector (w1, w2) of a toy landscape. State is created on the
first call (or when the number of weights changes). Adam's update runs in place through a fast twin of
its readable rule (:func:`adam_step`; ``coursekit._adam_in_place``), tested equal to it.
"""

from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np

from ._adam_in_place import adam_update_in_place
from ._validation import check_number, check_positive, lookup, short_repr


#: Argument names of torch.optim / older Keras, and what coursekit (and today's Keras) calls them.
_OTHER_NAMES = {"lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "betas": "beta_1 and beta_2",
                "eps": "epsilon", "alpha": "rho"}


def _answering_unknown_arguments(class_name, init):
    params = [p for p in inspect.signature(init).parameters if p != "self"]

    @functools.wraps(init)
    def checked(self, *args, **kwargs):
        unknown = [k for k in kwargs if k not in params]
        if unknown:
            name = unknown[0]
            better = f"; use {_OTHER_NAMES[name]}= instead" if name in _OTHER_NAMES else ""
            raise TypeError(f"{class_name}() has no argument {name!r}{better}; its arguments are "
                            f"{', '.join(params)}")
        init(self, *args, **kwargs)
    return checked


def _as_lists(grads, variables):
    """``grads`` and ``variables`` as two lists of the same length; the old order ``apply(w, g)`` fails loudly."""
    if isinstance(grads, np.ndarray) or isinstance(variables, np.ndarray):
        raise TypeError("apply takes two lists, gradients first, as Keras: optimizer.apply([g], [w]); received "
                        "arrays (coursekit's older apply(w, g) took the weights first: write apply([g], [w]))")
    grads, variables = list(grads), list(variables)
    if len(grads) != len(variables) or not variables:
        raise ValueError(f"apply needs one gradient per variable; received {len(grads)} gradient(s) and "
                         f"{len(variables)} variable(s)")
    return grads, variables


class Optimizer:
    """Base class: keeps ``learning_rate`` (eta), the step counter ``iterations`` and per-weight state."""

    name = "optimizer"

    def __init_subclass__(cls, **kwargs):
        """Every optimizer's constructor answers a misspelt or foreign argument (``lr=``) with the right name."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            cls.__init__ = _answering_unknown_arguments(cls.__name__, init)

    def __init__(self, learning_rate):
        self.learning_rate = check_positive(learning_rate, "learning_rate")
        self.iterations = 0
        self.model = None          # the model this optimizer trains (one model each: its state is per weight)
        self._size = None

    def build(self, size: int, dtype=np.float64):
        """Allocate the state for ``size`` weights (zeros) and reset the step counter."""
        self._size = size
        self.iterations = 0
        self._init_state(size, dtype)

    def _init_state(self, size, dtype):
        pass

    def apply(self, grads, variables):
        """One step: update each variable in place from its gradient, as Keras' ``apply(grads, variables)``.

        Parameters
        ----------
        grads : list of arrays
            dJ/dw for each variable, in the order of ``variables``.
        variables : list of float numpy arrays
            The weights, updated in place (the model passes its one flat weight vector: ``apply([g], [w])``).
        """
        grads, variables = _as_lists(grads, variables)
        for index, (g, w) in enumerate(zip(grads, variables)):
            if not isinstance(w, np.ndarray) or w.dtype.kind != "f":
                raise TypeError(f"variables[{index}] must be a float numpy array (updated in place); received "
                                f"{short_repr(w)}")
            if np.shape(g) != w.shape:
                raise ValueError(f"grads[{index}] has shape {np.shape(g)} but variables[{index}] has shape {w.shape}")
        if len(variables) == 1:             # the model's one flat vector: updated where it lies, no copies
            w_all, g_all = variables[0].reshape(-1), np.asarray(grads[0], dtype=variables[0].dtype).reshape(-1)
        else:
            w_all = np.concatenate([w.ravel() for w in variables])
            g_all = np.concatenate([np.asarray(g, dtype=w_all.dtype).ravel() for g in grads])
        if self._size != w_all.size:
            self.build(w_all.size, w_all.dtype)
        self.iterations += 1
        self._update(w_all, g_all)
        if len(variables) > 1:              # separate arrays: write the updated vector back into each
            offset = 0
            for w in variables:
                w[...] = w_all[offset:offset + w.size].reshape(w.shape)
                offset += w.size
        return variables

    def _update(self, w, g):
        raise NotImplementedError

    def get_config(self) -> dict:
        """The hyper-parameters, as the constructor takes them."""
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name != "self"}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional (Nesterov) momentum.

    Without momentum (the lecture's rule):   w <- w - eta g
    With momentum mu (Polyak; torch.optim.SGD):
        b <- mu b + g
        w <- w - eta b                      (nesterov=True: w <- w - eta (g + mu b))

    tf.keras writes the same rule as v <- mu v - eta g, w <- w + v (v = -eta b): identical steps for a
    constant learning rate.
    """

    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate)
        self.momentum = check_number(momentum, "momentum", low=0, high=1, high_inclusive=False)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs a momentum > 0; received momentum=0")

    def _init_state(self, size, dtype):
        self.b = np.zeros(size, dtype)

    def _update(self, w, g):
        if self.momentum == 0:
            w -= self.learning_rate * g
            return
        self.b[:] = self.momentum * self.b + g
        step = g + self.momentum * self.b if self.nesterov else self.b
        w -= self.learning_rate * step


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014): momentum on the gradient and on its square, bias-corrected.

        m <- beta_1 m + (1 - beta_1) g              v <- beta_2 v + (1 - beta_2) g^2
        m_hat = m / (1 - beta_1^t)                  v_hat = v / (1 - beta_2^t)
        w <- w - eta m_hat / (sqrt(v_hat) + epsilon)

    t counts steps from 1. torch.optim and this class add epsilon = 1e-8 to sqrt(v_hat), as written above.
    tf.keras folds the bias corrections into the step size, eta sqrt(1 - beta_2^t) / (1 - beta_1^t), and
    adds its default epsilon = 1e-7 to the *uncorrected* sqrt(v) (the paper's "epsilon hat", the formula
    just before its section 2.1): the same as epsilon / sqrt(1 - beta_2^t) on sqrt(v_hat), so Keras'
    epsilon weighs more in the first steps.

    :func:`adam_step` is this rule line by line; the class runs the same step in place (fast, no new arrays).
    """

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(learning_rate)
        self.beta_1 = check_number(beta_1, "beta_1", low=0, high=1, high_inclusive=False)
        self.beta_2 = check_number(beta_2, "beta_2", low=0, high=1, high_inclusive=False)
        self.epsilon = check_number(epsilon, "epsilon", low=0)

    def _init_state(self, size, dtype):
        self.m = np.zeros(size, dtype)
        self.v = np.zeros(size, dtype)
        self.work = np.empty(size, dtype)   # scratch space: an update allocates no new arrays

    def _update(self, w, g):
        # adam_step below, in place and without temporaries (tests check that both give the same steps)
        adam_update_in_place(w, g, self.m, self.v, self.work, self.iterations, self.learning_rate, self.beta_1,
                             self.beta_2, self.epsilon)


def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """One Adam step as the paper writes it: returns the new (w, m, v) (``Adam`` computes the same in place)."""
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g ** 2
    m_hat = m / (1 - beta_1 ** t)
    v_hat = v / (1 - beta_2 ** t)
    w = w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
    return w, m, v


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011): each weight's step shrinks with its gradient history.

        s <- s + g^2
        w <- w - eta g / (sqrt(s) + epsilon)

    Defaults as torch.optim.Adagrad (eta = 0.01, epsilon = 1e-10, s starts at 0). tf.keras puts epsilon
    inside the root, sqrt(s + epsilon), starts s at 0.1 and uses eta = 0.001.
    """

    name = "adagrad"

    def __init__(self, learning_rate=0.01, epsilon=1e-10, initial_accumulator_value=0.0):
        super().__init__(learning_rate)
        self.epsilon = check_number(epsilon, "epsilon", low=0)
        self.initial_accumulator_value = check_number(initial_accumulator_value, "initial_accumulator_value",
                                                      low=0)

    def _init_state(self, size, dtype):
        self.s = np.full(size, self.initial_accumulator_value, dtype)

    def _update(self, w, g):
        self.s += g * g
        w -= self.learning_rate * g / (np.sqrt(self.s) + self.epsilon)


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton, 2012): divide by a running root-mean-square of the gradients.

        v <- rho v + (1 - rho) g^2
        w <- w - eta g / (sqrt(v) + epsilon)

    Defaults as torch.optim.RMSprop (eta = 0.01, rho = 0.99 — torch calls it alpha — epsilon = 1e-8).
    tf.keras uses rho = 0.9, eta = 0.001 and epsilon = 1e-7 inside the root, sqrt(v + epsilon).
    """

    name = "rmsprop"

    def __init__(self, learning_rate=0.01, rho=0.99, epsilon=1e-8):
        super().__init__(learning_rate)
        self.rho = check_number(rho, "rho", low=0, high=1, high_inclusive=False)
        self.epsilon = check_number(epsilon, "epsilon", low=0)

    def _init_state(self, size, dtype):
        self.v = np.zeros(size, dtype)

    def _update(self, w, g):
        self.v[:] = self.rho * self.v + (1 - self.rho) * g * g
        w -= self.learning_rate * g / (np.sqrt(self.v) + self.epsilon)


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012): step sizes from the ratio of two running RMS values, no eta to tune.

        v <- rho v + (1 - rho) g^2
        delta = sqrt(u + epsilon) / sqrt(v + epsilon) * g
        u <- rho u + (1 - rho) delta^2
        w <- w - eta delta

    epsilon sits inside the roots, as in the paper. Defaults as torch.optim.Adadelta (eta = 1.0, the
    paper's rule; rho = 0.9; epsilon = 1e-6). tf.keras defaults to eta = 0.001, rho = 0.95, epsilon = 1e-7,
    which learns far more slowly.
    """

    name = "adadelta"

    def __init__(self, learning_rate=1.0, rho=0.9, epsilon=1e-6):
        super().__init__(learning_rate)
        self.rho = check_number(rho, "rho", low=0, high=1, high_inclusive=False)
        self.epsilon = check_number(epsilon, "epsilon", low=0, low_inclusive=False)

    def _init_state(self, size, dtype):
        self.v = np.zeros(size, dtype)
        self.u = np.zeros(size, dtype)

    def _update(self, w, g):
        self.v[:] = self.rho * self.v + (1 - self.rho) * g * g
        delta = np.sqrt(self.u + self.epsilon) / np.sqrt(self.v + self.epsilon) * g
        self.u[:] = self.rho * self.u + (1 - self.rho) * delta * delta
        w -= self.learning_rate * delta


#: Where tf.keras' optimizer of the same name starts from other numbers than coursekit (= torch.optim).
KERAS_DEFAULTS = {
    "rmsprop": ("RMSprop(learning_rate=0.001, rho=0.9)", " (with epsilon=1e-07 inside the root)"),
    "adagrad": ("Adagrad(learning_rate=0.001, initial_accumulator_value=0.1)", " (with epsilon=1e-07 inside the root)"),
    "adadelta": ("Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-07)", ""),
}


def defaults_note(name):
    """For an optimizer chosen by name whose tf.keras defaults differ from coursekit's: a sentence saying so."""
    key = name.lower() if isinstance(name, str) else None
    if key not in KERAS_DEFAULTS:
        return None
    keras_call, detail = KERAS_DEFAULTS[key]
    return (f"optimizer={name!r} means coursekit's {_OPTIMIZERS[key]()!r}: coursekit's defaults are torch.optim's. "
            f"tf.keras' {name!r} starts from {keras_call}{detail}. To train with tf.keras' numbers, pass them: "
            f"compile(optimizer={keras_call})")


_OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adadelta": Adadelta, "adagrad": Adagrad, "rmsprop": RMSprop}

NAMES = tuple(_OPTIMIZERS)


def get(optimizer) -> Optimizer:
    """An optimizer from a name ("sgd", "adam", "adadelta", "adagrad", "rmsprop") or an object."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        return optimizer()
    chosen = lookup(_OPTIMIZERS, optimizer, "optimizer")()
    note = defaults_note(optimizer)
    if note is not None:                     # said where the student sees it: under the compile() cell
        warnings.warn(note, UserWarning, stacklevel=3)
    return chosen
