r"""The small problems the notebooks compute on, without drawing anything (viz draws them).

* the activation notebook's classifier: :func:`train_classifier`;
* over-fitting and regularisation: :func:`overfitting_data`, :func:`fit_overfitting`;
* learning rates: :func:`run_descent` and :func:`classify_descent` (the lecture's small / stable / large);
* loss landscapes: a :class:`Problem` is a loss over two parameters with its gradient --
  :func:`logistic_problem` (J(w1, w2) of "Will I pass this class?"), :func:`network_problem` (a trained
  network's J over two filter-normalised directions, Li et al. 2018), built by :func:`make_problem`
  from one of :data:`PROBLEMS` with :func:`train_toy_net` or :func:`train_digits_net`.

Every function is deterministic for its seed. numpy only, like the rest of the math core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import datasets, landscape, toy_functions
from .gradient_descent import gradient_descent
from .layers import Dense, Dropout
from .losses import binary_crossentropy_from_logits
from .model import Sequential
from .optimizers import Adam

PROBLEMS = ("pass_fail", "toy_net", "digits")


def train_classifier(X, y, activation, hidden=(8,), epochs=300, learning_rate=0.05, seed=0):
    """A small coursekit network trained full-batch with Adam; returns the fitted ``Sequential``.

    Hidden layers use ``activation``; the output is ``Dense(1, activation="sigmoid")`` with binary
    cross-entropy. Deterministic: the same seed gives the same weights.
    """
    model = Sequential([Dense(units, activation=activation) for units in hidden] + [Dense(1, activation="sigmoid")],
                       seed=seed)
    model.compile(optimizer=Adam(learning_rate=learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=epochs, batch_size=len(X), verbose=0, seed=seed, shuffle=False)
    return model


def overfitting_data(n_train=60, n_val=300, noise=0.2, seed=1):
    """Few noisy training points and many validation points (moons): a wide net will over-fit.

    noise=0.2 (not more): with noisier moons a straight line already scores as well on the validation
    points as any network can, and notebook 09's "underfitting / ideal fit / overfitting" would not differ."""
    X, y = datasets.moons(n_train + n_val, noise=noise, seed=seed)
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


def fit_overfitting(rate=0.0, epochs=150, seed=0, units=32, callbacks=None, learning_rate=0.01, data=None):
    """Train the over-fitting setup (2 -> units -> units -> 1, ReLU, Adam) with ``Dropout(rate)`` after each
    hidden layer; returns (model, History). Deterministic for a given seed."""
    (Xt, yt), (Xv, yv) = data or overfitting_data()
    layers = [Dense(units, activation="relu")]
    if rate > 0:
        layers.append(Dropout(rate))
    layers.append(Dense(units, activation="relu"))
    if rate > 0:
        layers.append(Dropout(rate))
    layers.append(Dense(1, activation="sigmoid"))
    model = Sequential(layers, seed=seed)
    model.compile(optimizer=Adam(learning_rate=learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(Xt, yt, epochs=epochs, batch_size=len(Xt), verbose=0, validation_data=(Xv, yv),
                        seed=seed, callbacks=callbacks)
    return model, history


def run_descent(fn, learning_rate, steps, start=None):
    """Gradient descent on a toy function from its start; returns a DescentResult (never raises)."""
    if isinstance(fn, toy_functions.ToyFunction1D):
        w0 = np.array([fn.start if start is None else start], dtype=float)
        return gradient_descent(lambda w: fn.gradient(w), w0, learning_rate, steps,
                                loss=lambda w: float(fn.value(w[0])))
    w0 = np.array(fn.start if start is None else start, dtype=float)
    return gradient_descent(fn.gradient, w0, learning_rate, steps, loss=lambda w: float(fn.value(w)))


def classify_descent(result, fn, tol=0.05):
    """Which of the lecture's regimes a run shows: ("small" | "stable" | "large", a sentence).

    "large" when it diverged (or still jumps about), "stable" when it reached the global minimum,
    "small" when it stopped in a false local minimum or is still creeping down.
    """
    if result.diverged:
        return "large", f"large: overshoots and diverges ({result.message})"
    w = np.atleast_1d(result.w)
    if np.linalg.norm(w - np.atleast_1d(fn.minimum)) < tol:
        return "stable", f"stable: converged smoothly to the global minimum in {result.steps} steps"
    for local in fn.local_minima:
        if np.linalg.norm(w - np.atleast_1d(local)) < tol:
            return "small", "small: stuck in a false local minimum"
    last = result.path[-min(4, len(result.path)):]
    jumps = np.linalg.norm(np.diff(last, axis=0), axis=-1)
    first = np.linalg.norm(result.path[1] - result.path[0]) if len(result.path) > 1 else 0.0
    if len(jumps) and jumps.max() > 0.5 * max(first, 1e-12) and jumps.max() > 0.1:
        return "large", "large: still bouncing about without settling"
    return "small", f"small: converges slowly (still descending after {result.steps} steps)"


@dataclass
class Problem:
    """A two-parameter loss: its box, labels, J on a grid (vectorised), and J and dJ/dp at a point."""

    name: str
    xlim: tuple
    ylim: tuple
    xlabel: str
    ylabel: str
    surface: Callable          # surface(xs, ys) -> J, shape (len(ys), len(xs))
    loss: Callable             # loss(p) -> float
    grad: Callable             # grad(p) -> (2,)
    start: tuple
    learning_rate: float
    minimum: tuple | None = None
    redraw_directions: Callable | None = None     # directions_seed -> None (net problems)


def logistic_problem(n_samples=200, seed=0):
    """J(w1, w2) of ŷ = sigmoid(w1 x1 + w2 x2) on standardised pass_fail data (binary cross-entropy)."""
    X, y = datasets.pass_fail(n_samples=n_samples, seed=seed)
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    y = y.astype(float)

    def bce_from_logits(z):                                     # z: (n, K), one column per weight vector
        return np.mean(binary_crossentropy_from_logits(y[:, None], z), axis=0)

    def surface(xs, ys):
        W1, W2 = np.meshgrid(xs, ys)
        Z = Xs @ np.stack([W1.ravel(), W2.ravel()])             # (n, K): every grid point in one product
        return bce_from_logits(Z).reshape(W1.shape)

    def loss(p):
        return float(bce_from_logits((Xs @ np.asarray(p, float))[:, None])[0])

    def grad(p):
        z = Xs @ np.asarray(p, float)
        return Xs.T @ (1.0 / (1.0 + np.exp(-z)) - y) / len(y)

    with np.errstate(over="ignore"):
        best = gradient_descent(grad, np.zeros(2), learning_rate=5.0, steps=500, tol=1e-8).w
    return Problem("pass_fail", (-4.0, 10.0), (-4.0, 10.0), r"$w_1$", r"$w_2$", surface, loss, grad,
                   start=(-3.0, 8.0), learning_rate=1.0, minimum=tuple(best))


def train_toy_net(seed=0):
    """The toy net of ``"toy_net"``: 2 → 8 tanh → 1 sigmoid, trained on 100 circle points (returns model, X, y)."""
    X, y = datasets.circles(n_samples=100, seed=seed)
    model = Sequential([Dense(8, activation="tanh"), Dense(1, activation="sigmoid")], seed=seed)
    model.compile(optimizer=Adam(learning_rate=0.05), loss="binary_crossentropy")
    model.fit(X, y, epochs=200, batch_size=len(X), verbose=0, seed=seed, shuffle=False)
    return model, X, y


def train_digits_net(rows=256, seed=0):
    """The digits net of ``"digits"``: 64 → 32 relu → 10 softmax, 5 epochs of Adam; J measured on ``rows`` rows."""
    X, y = datasets.load_digits()
    X_train, _, y_train, _ = datasets.train_test_split(X, y, test_size=0.25, seed=seed)
    model = Sequential([Dense(32, activation="relu"), Dense(10, activation="softmax")], seed=seed)
    model.compile(optimizer=Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy")
    model.fit(X_train, y_train, epochs=5, batch_size=64, verbose=0, seed=seed)
    return model, X_train[:rows], y_train[:rows]


def network_problem(model, X, y, name, span=1.0, directions_seed=0, progress=False):
    """J over two filter-normalised directions through a trained model's weights (Li et al. 2018)."""
    center = model.get_flat_weights().astype(np.float64)
    state = {}

    def set_directions(seed):
        state["directions"] = landscape.random_directions(model, seed=seed)
        state["loss"], state["grad"] = landscape.slice_loss_and_gradient(model, X, y, state["directions"], center)

    def surface(xs, ys):
        return landscape.loss_surface(model, X, y, xs, ys, state["directions"], center=center, progress=progress)

    set_directions(directions_seed)
    return Problem(name, (-span, span), (-span, span), r"$\alpha$ (direction $d_1$)", r"$\beta$ (direction $d_2$)",
                   surface, lambda p: state["loss"](p), lambda p: state["grad"](p),
                   start=(-0.8 * span, 0.75 * span), learning_rate=0.01,
                   minimum=(0.0, 0.0), redraw_directions=set_directions)


def make_problem(problem, directions_seed=0, seed=0):
    """The landscape problem named ``problem`` (one of :data:`PROBLEMS`), built and trained from ``seed``."""
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {', '.join(map(repr, PROBLEMS))}; received problem={problem!r}")
    if problem == "pass_fail":
        return logistic_problem(seed=seed)
    if problem == "toy_net":
        return network_problem(*train_toy_net(seed), "toy_net", directions_seed=directions_seed)
    return network_problem(*train_digits_net(seed=seed), "digits", directions_seed=directions_seed, progress="auto")
