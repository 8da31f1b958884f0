"""Code exercises that need reasoning, not transcription: the notebook never shows the formula.

* ``leaky_relu_derivative`` (02): the notebook shows leaky ReLU, max(αz, z), not its derivative.
* ``sigmoid_mse_gradient`` (04): the chain rule for a perceptron with a sigmoid output and the squared
  error, a pairing the notebooks never differentiate.
* ``pick_learning_rate`` (05): a number, judged by running plain gradient descent with it.
* ``backprop_fixed`` (06): find the two bugs of a given backward pass (tanh hidden layer, sigmoid
  output, mean binary cross-entropy) and write it correctly.
* ``momentum_step`` (07): one step of SGD with momentum, described in words only.

Every reference output comes from the kit's own code (``Sequential.loss_and_gradient``,
``coursekit.gradient_descent``, ``coursekit.SGD``) or from numpy, computed when the cases are built.
"""

from __future__ import annotations

import math
from functools import lru_cache, partial

import numpy as np

from coursekit.gradient_descent import gradient_descent
from coursekit.layers import Dense
from coursekit.model import Sequential
from coursekit.optimizers import SGD

from ._spec import Case, Exercise, Mistake, case_rng
from ._bans import FRAMEWORKS
from .backprop import NAMES, network_cases



def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))     # no overflow


# ------------------------------------------------------------------------------------------ 02
def _leaky_reference(z, alpha=0.01):
    """1 where z > 0, alpha where z <= 0 (also at 0: the convention of relu_derivative)."""
    return np.where(np.asarray(z) > 0, 1.0, float(alpha))


def _leaky_cases():
    rng = case_rng(1301)
    specs = [
        ("z from -5 to 5, default α = 0.01", np.linspace(-5, 5, 11), {}),
        ("z = 0 takes the left slope: g'(0) = α = 0.01", np.array([0.0]), {}),
        ("α = 0.2 given by keyword", np.linspace(-2, 2, 9), {"alpha": 0.2}),
        ("a 2-D array keeps its shape (3, 4), α = 0.1", rng.normal(scale=3, size=(3, 4)), {"alpha": 0.1}),
        ("huge z = [-1000, 1000]", np.array([-1000.0, 1000.0]), {}),
        ("integer input z = [-2, -1, 0, 1, 2], α = 0.3", np.arange(-2, 3), {"alpha": 0.3}),
    ]
    return [Case(label, (z,), dict(kw), expected=_leaky_reference(z, **kw), rtol=1e-6, atol=1e-9)
            for label, z, kw in specs]


# ------------------------------------------------------------------------------------------ 04
def _mse_reference(X, y, w0, w):
    """coursekit's backward pass of Dense(1, sigmoid) with the mean squared error, float64."""
    X = np.asarray(X, dtype=float)
    model = Sequential([Dense(1, activation="sigmoid")], dtype="float64")
    model.build(X.shape[1])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    model.set_weights([np.asarray(w, dtype=float).reshape(-1, 1), np.array([float(w0)])])
    _, flat = model.loss_and_gradient(X, np.asarray(y, dtype=float).reshape(-1, 1))
    return float(flat[-1]), flat[:-1].copy()


def _mse_cases():
    from coursekit import datasets
    rng = case_rng(1302)
    X30, y30 = datasets.pass_fail(n_samples=30, seed=0)
    specs = [
        ("notebook 04's 30 students, w0 = -4, w = [0.25, 0.35]", X30, y30.astype(float), -4.0,
         np.array([0.25, 0.35])),
        ("one student, x = [4, 5], y = 1, w0 = 0.5, w = [-0.2, 0.1]", np.array([[4.0, 5.0]]), np.array([1.0]), 0.5,
         np.array([-0.2, 0.1])),
        ("all weights 0: ŷ = 0.5 for everyone", rng.normal(size=(6, 2)), np.array([1.0, 0, 1, 1, 0, 0]), 0.0,
         np.zeros(2)),
        ("10 samples, 3 features, targets between 0 and 1", rng.normal(size=(10, 3)), rng.uniform(size=10),
         0.3, rng.normal(size=3)),
        ("a saturated output (z ≈ 30): the gradient almost vanishes", np.array([[10.0, 10.0], [9.0, 11.0]]),
         np.array([0.0, 1.0]), 10.0, np.array([1.0, 1.0])),
    ]
    return [Case(label, (X, y, w0, w), expected=_mse_reference(X, y, w0, w), names=("dJ/dw0", "dJ/dw"),
                 rtol=1e-6, atol=1e-12) for label, X, y, w0, w in specs]


def _mse_wrong(X, y, w0, w, *, factor=2.0, sign=1, slope=True, mean=True):
    y_hat = _sigmoid(w0 + X @ w)
    dz = sign * factor * (y_hat - y) * (y_hat * (1 - y_hat) if slope else 1) / (len(y) if mean else 1)
    return float(np.sum(dz)), X.T @ dz


# ------------------------------------------------------------------------------------------ 05
STEPS = 10           # gradient descent steps allowed
MARGIN = 0.005       # J after STEPS steps must be below J(w*) + MARGIN


@lru_cache(maxsize=1)
def _landscape():
    """Notebook 05's problem and start: ``logistic_problem()``, ``w_init`` from default_rng(4)."""
    from coursekit.problems import logistic_problem
    problem = logistic_problem()
    w_init = np.random.default_rng(4).normal(0.0, 4.0, size=2)
    return problem, w_init, problem.loss(problem.minimum) + MARGIN


def _as_rate(output):
    """``output`` as one positive finite float, else ``None`` (a numpy scalar arrives as an array of one)."""
    if isinstance(output, (bool, str, list, tuple)) or output is None:
        return None
    try:
        array = np.asarray(output, dtype=float)
    except (TypeError, ValueError):
        return None
    if array.size != 1 or not math.isfinite(float(array.reshape(()))) or float(array.reshape(())) <= 0:
        return None
    return float(array.reshape(()))


@lru_cache(maxsize=256)
def _descend(rate: float, start: tuple):
    """(J after STEPS steps, whether the path overshoots: two successive steps in opposite directions)."""
    problem = _landscape()[0]
    result = gradient_descent(problem.grad, np.array(start), learning_rate=rate, steps=STEPS, loss=problem.loss)
    steps = np.diff(result.path, axis=0)
    overshoots = result.diverged or bool(np.any(np.sum(steps[1:] * steps[:-1], axis=1) < 0))
    final = float(result.losses[-1]) if not result.diverged else math.inf
    return final, overshoots


def _not_positive(output) -> bool:
    """A number, but zero, negative or not finite."""
    if isinstance(output, (bool, str, list, tuple)) or output is None:
        return False
    try:
        array = np.asarray(output, dtype=float)
    except (TypeError, ValueError):
        return False
    return array.size == 1 and _as_rate(output) is None


def _all_or_nothing(results, outputs) -> float:
    """A rate either works or it does not: the point needs every case."""
    return 1.0 if all(r.passed for r in results) else 0.0


def _assess_positive(output, case):
    if _as_rate(output) is None:
        return f"picked_learning_rate must be one positive number (e.g. 0.5); got {_describe(output)}"
    return None


def _assess_rate(output, case):
    rate = _as_rate(output)
    if rate is None:
        return "not a positive number: no descent to run"
    final, overshoots = _descend(rate, tuple(case.expected))
    target = _landscape()[2]
    if final < target:
        return None
    if overshoots:
        start_loss = _landscape()[0].loss(case.expected)
        if not math.isfinite(final) or final > start_loss:
            what = f"diverges (J after {STEPS} steps is {final:.4g}, higher than {start_loss:.4f} at the start)"
        else:
            what = f"oscillates (J after {STEPS} steps is {final:.4f})"
        return f"with η = {rate:g} the path overshoots the valley floor and {what}: a smaller rate"
    return f"with η = {rate:g}, J after {STEPS} steps is still {final:.4f} (needs < {target:.4f}): a larger rate"


def _rate_fails(output, case, *, too_large):
    rate = _as_rate(output)
    if rate is None or case.expected is None:
        return False
    final, overshoots = _descend(rate, tuple(case.expected))
    return final >= _landscape()[2] and overshoots == too_large


def _describe(output) -> str:
    if output is None or isinstance(output, (bool, str)):
        return repr(output)
    try:
        return f"{float(np.asarray(output, dtype=float).reshape(())):g}"
    except (TypeError, ValueError):
        return f"a {type(output).__name__}"


def _rate_cases():
    problem, w_init, target = _landscape()
    def descent_case(label, start):
        return Case(label, call="value", bind=False, expected=np.asarray(start, dtype=float), assess=_assess_rate,
                    hint="try rates over several powers of ten in the explorer, with steps = "
                         f"{STEPS}, and watch J")
    return [
        Case("one positive number", call="value", bind=False, assess=_assess_positive,
             hint="assign a number: picked_learning_rate = 0.5 (not a string, not a list)"),
        descent_case(f"{STEPS} steps from the notebook's w_init reach J < J(w*) + {MARGIN:g} = {target:.4f}", w_init),
        descent_case(f"{STEPS} steps from w = (0, 0) reach J < {target:.4f} too", (0.0, 0.0)),
        descent_case(f"{STEPS} steps from the explorer's start (-3, 8) reach J < {target:.4f} too", problem.start),
    ]


# ------------------------------------------------------------------------------------------ 06
def buggy_backprop(X, y, W1, b1, W2, b2):
    """Gradients (dW1, db1, dW2, db2) of the mean BCE of sigmoid(tanh(X W1 + b1) W2 + b2) — with two bugs.

    The version the notebook shows (the same code): the student finds and fixes both bugs.
    """
    n = X.shape[0]
    a1 = np.tanh(X @ W1 + b1)
    y_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    dz2 = y_hat - y
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return dW1, db1, dW2, db2


def _tanh_net_cases():
    return network_cases(1306, [     # n > 1 first: with one sample a missing 1/n cannot show
        ("a batch of 8 samples, 2 inputs, 3 hidden units", 8, 2, 3),
        ("16 samples, 3 inputs, 4 hidden units", 16, 3, 4),
        ("5 samples, 4 inputs, 1 hidden unit", 5, 4, 1),
        ("one sample, 2 inputs, 3 hidden units", 1, 2, 3),
    ], hidden="tanh")


def _tanh_net_wrong(X, y, W1, b1, W2, b2, *, mean=True, slope="tanh", n_twice=False):
    n = X.shape[0]
    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    y_hat = _sigmoid(a1 @ W2 + b2)
    dz2 = (y_hat - y) / (n if mean else 1)
    later = n if n_twice else 1
    dW2, db2 = a1.T @ dz2 / later, dz2.sum(axis=0) / later
    derivative = {"tanh": 1 - a1 ** 2, "sigmoid": a1 * (1 - a1), "of z": 1 - z1 ** 2, "none": 1.0}[slope]
    dz1 = (dz2 @ W2.T) * derivative
    return X.T @ dz1 / later, dz1.sum(axis=0) / later, dW2, db2


# ------------------------------------------------------------------------------------------ 07
def _momentum_reference(w, g, velocity, learning_rate=0.01, momentum=0.9):
    """coursekit's SGD with momentum (torch.optim.SGD's rule), its velocity set to ``velocity``."""
    w = np.array(w, dtype=float)
    g = np.asarray(g, dtype=float)
    opt = SGD(learning_rate=learning_rate, momentum=momentum)
    opt.build(w.size, w.dtype)
    if momentum == 0:           # coursekit keeps no velocity then; momentum * velocity + g is g
        opt.apply([g], [w])
        return w, g.copy()
    opt.b[:] = np.ravel(velocity)
    opt.apply([g], [w])
    return w, opt.b.reshape(w.shape).copy()


def _momentum_cases():
    rng = case_rng(1307)
    w1, g1 = np.array([1.0, -2.0, 0.5]), np.array([0.3, -0.1, 2.0])
    w2, g2, v2 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    w3, g3, v3 = np.array([0.5, 0.5]), np.array([1.0, -3.0]), np.array([0.4, -0.2])
    w4, g4, v4 = np.array([2.0, -1.0]), np.array([0.5, 0.5]), np.array([1.0, 3.0])
    w5, g5, v5 = rng.normal(size=4), np.zeros(4), rng.normal(size=4)
    specs = [
        ("first step, velocity = 0, the defaults (learning_rate=0.01, momentum=0.9)", (w1, g1, np.zeros(3)), {}),
        ("a velocity from earlier steps, weights of shape (2, 3)", (w2, g2, v2), {}),
        ("learning_rate=0.1, momentum=0.5 given by keyword", (w3, g3, v3), {"learning_rate": 0.1, "momentum": 0.5}),
        ("momentum=0: plain gradient descent, the velocity is just g", (w4, g4, v4),
         {"learning_rate": 0.1, "momentum": 0.0}),
        ("a zero gradient: the weights still move, carried by the velocity", (w5, g5, v5), {"learning_rate": 0.05}),
    ]
    return [Case(label, args, dict(kw), expected=_momentum_reference(*args, **kw), names=("w", "velocity"))
            for label, args, kw in specs]


def _momentum_wrong(w, g, velocity, learning_rate=0.01, momentum=0.9, *, rule="torch"):
    if rule == "keras":
        velocity = momentum * velocity - learning_rate * g
        return w + velocity, velocity
    if rule == "average":
        velocity = momentum * velocity + (1 - momentum) * g
        return w - learning_rate * velocity, velocity
    if rule == "no memory":
        return w - learning_rate * g, g
    if rule == "step first":
        return w - learning_rate * velocity, momentum * velocity + g
    velocity = momentum * velocity + g
    return w + learning_rate * velocity, velocity      # "sign"


# ------------------------------------------------------------------------------------------ 09
def _dropout_backward_reference(grad_output, keep, rate):
    """The chain rule through out = a * keep / (1 - rate): each kept unit passes its gradient, scaled."""
    return np.asarray(grad_output, dtype=float) * np.asarray(keep, dtype=float) / (1 - rate)


def _dropout_backward_cases():
    rng = case_rng(1309)
    specs = [
        ("rate 0.5 on a (4, 5) layer: dropped units pass no gradient, kept ones twice theirs", (4, 5), 0.5),
        ("rate 0.2: the kept units' gradient scaled by 1 / 0.8 = 1.25", (3, 6), 0.2),
        ("rate 0 keeps every unit: the gradient passes unchanged", (2, 3), 0.0),
        ("a 1-D vector of 50 units, rate 0.7", (50,), 0.7),
        ("every unit dropped (rate 0.9, an unlucky mask): no gradient at all", (2, 2), 0.9),
    ]
    cases = []
    for label, shape, rate in specs:
        grad = rng.normal(size=shape)
        keep = rng.random(shape) >= rate
        if label.startswith("every unit"):
            keep[...] = False
        cases.append(Case(label, (grad, keep, rate), expected=_dropout_backward_reference(grad, keep, rate)))
    return cases


EXERCISES = [
    Exercise(
        name="leaky_relu_derivative", notebook="02", points=1,
        signature="leaky_relu_derivative(z, alpha=0.01)",
        summary="the derivative of leaky ReLU max(αz, z), elementwise: 1 where z > 0, α elsewhere (also at 0)",
        build_cases=_leaky_cases,
        concept="A derivative is the slope of each piece: where leaky ReLU is the line z its slope is 1, "
                "where it is the line αz its slope is α.",
        bans=FRAMEWORKS + ("coursekit.activations:relu_derivative", "coursekit.gradcheck"),
        mistakes=[
            Mistake("for z < 0 leaky ReLU is the line αz, whose slope is α, not 0 (0 is plain ReLU's)",
                    impl=lambda z, alpha=0.01: np.where(np.asarray(z) > 0, 1.0, 0.0)),
            Mistake("at z = 0 take the left slope α, as relu_derivative takes 0 there: use z > 0, not z >= 0",
                    impl=lambda z, alpha=0.01: np.where(np.asarray(z) >= 0, 1.0, alpha)),
            Mistake("that is leaky ReLU itself, max(αz, z); its derivative is the slope of each piece",
                    impl=lambda z, alpha=0.01: np.maximum(alpha * np.asarray(z), z)),
            Mistake("the slope of the line αz is α everywhere, not αz", impl=lambda z, alpha=0.01:
                    np.where(np.asarray(z) > 0, 1.0, alpha * np.asarray(z))),
            Mistake("use the alpha argument, not a fixed 0.01",
                    impl=lambda z, alpha=0.01: np.where(np.asarray(z) > 0, 1.0, 0.01)),
        ],
    ),
    Exercise(
        name="sigmoid_mse_gradient", notebook="04", points=2,
        signature="sigmoid_mse_gradient(X, y, w0, w)",
        summary="(dJ/dw0, dJ/dw) of J = mean((y - sigmoid(w0 + X w))²); X (n, n_features), y (n,), w (n_features,)",
        build_cases=_mse_cases,
        concept="The chain rule: J depends on a weight only through ŷ = σ(z), so dJ/dw multiplies how J reacts "
                "to ŷ, how ŷ reacts to z (the sigmoid's slope), and how z reacts to the weight.",
        bans=FRAMEWORKS + ("coursekit.model", "coursekit.layers", "coursekit.losses", "coursekit.gradcheck",
                           "scipy.optimize"),
        mistakes=[
            Mistake("that is the cross-entropy's gradient (ŷ - y)/n, where the sigmoid's slope cancels; with the "
                    "squared error it does not: multiply by ŷ(1 - ŷ) and by 2",
                    impl=partial(_mse_wrong, slope=False, factor=1.0)),
            Mistake("the derivative of (y - ŷ)² with respect to ŷ is 2(ŷ - y): keep the factor 2",
                    impl=partial(_mse_wrong, factor=1.0)),
            Mistake("mind the sign: J grows as ŷ moves away from y, dJ/dŷ = 2(ŷ - y)/n, not 2(y - ŷ)/n",
                    impl=partial(_mse_wrong, sign=-1)),
            Mistake("J is the mean over the n samples: divide by n", impl=partial(_mse_wrong, mean=False)),
            Mistake("the sigmoid's slope ŷ(1 - ŷ) is missing from the chain",
                    impl=partial(_mse_wrong, slope=False)),
        ],
    ),
    Exercise(
        name="pick_learning_rate", notebook="05", points=1, kind="object", variable="picked_learning_rate",
        signature="picked_learning_rate",
        summary=f"a learning rate η with which {STEPS} steps of plain gradient descent from notebook 05's w_init "
                f"bring J below J(w*) + {MARGIN:g}",
        build_cases=_rate_cases,
        score=_all_or_nothing,
        concept="The learning rate sets the step size: too small and descent crawls, too large and each step "
                "overshoots the valley floor; the right size comes from trying rates over several powers of ten.",
        mistakes=[
            Mistake("too small: every step goes downhill, but the steps are too short to reach the valley floor in "
                    f"{STEPS} steps; try a larger rate",
                    detect=partial(_rate_fails, too_large=False)),
            Mistake("too large: each step jumps past the valley floor, so the path zigzags across the valley (or, "
                    "larger still, flies out of it and diverges); try a smaller rate",
                    detect=partial(_rate_fails, too_large=True)),
            Mistake("a learning rate is a positive number: the update w - η ∇J moves against the gradient only for "
                    "η > 0", detect=lambda output, case: _not_positive(output)),
        ],
    ),
    Exercise(
        name="backprop_fixed", notebook="06", points=3,
        signature="backprop_fixed(X, y, W1, b1, W2, b2)",
        summary="buggy_backprop corrected: (dW1, db1, dW2, db2) of the mean binary cross-entropy of "
                "sigmoid(tanh(X W1 + b1) W2 + b2); X (n, n_in), y (n, 1)",
        build_cases=_tanh_net_cases,
        concept="A backward pass can be tested one gradient at a time against finite differences: which gradients "
                "disagree, and by what factor, points to the bug.",
        bans=FRAMEWORKS + ("coursekit.model", "coursekit.layers", "coursekit.losses", "coursekit.gradcheck"),
        mistakes=[
            Mistake("both bugs of buggy_backprop are still there: J is a mean over the n samples, and the hidden "
                    "layer is tanh, not a sigmoid", impl=buggy_backprop),
            Mistake("one bug left: J is the mean over the n samples, so dJ/dz2 = (ŷ - y) / n (buggy_backprop "
                    "computes n and never uses it)", impl=partial(_tanh_net_wrong, mean=False)),
            Mistake("one bug left: the hidden layer is tanh, so dz1 needs tanh's derivative 1 - a1², not the "
                    "sigmoid's a1 (1 - a1)", impl=partial(_tanh_net_wrong, slope="sigmoid")),
            Mistake("tanh'(z1) = 1 - tanh(z1)² = 1 - a1²: square the activation a1, not z1",
                    impl=partial(_tanh_net_wrong, slope="of z")),
            Mistake("divide by n once, in dz2: every later gradient inherits it",
                    impl=partial(_tanh_net_wrong, n_twice=True)),
            Mistake("the hidden layer's derivative is missing: dz1 = (dz2 W2ᵀ) * (1 - a1²)",
                    impl=partial(_tanh_net_wrong, slope="none")),
        ],
    ),
    Exercise(
        name="momentum_step", notebook="07", points=2,
        signature="momentum_step(w, g, velocity, learning_rate=0.01, momentum=0.9)",
        summary="velocity = momentum * velocity + g; w = w - learning_rate * velocity; return (w, velocity) "
                "(torch.optim.SGD's rule)",
        build_cases=_momentum_cases, pure=False,
        concept="Momentum keeps a velocity that remembers past gradients: each step it decays by the momentum "
                "factor and collects the new gradient, and the weights move against it.",
        bans=FRAMEWORKS + ("coursekit.optimizers",),
        mistakes=[
            Mistake("that is the Keras convention (the velocity holds -learning_rate·g and is added to w); here the "
                    "velocity collects the raw gradients, velocity = momentum·velocity + g, and the step is "
                    "w - learning_rate·velocity (torch.optim.SGD)", impl=partial(_momentum_wrong, rule="keras")),
            Mistake("the new gradient is added in full, not averaged: velocity = momentum·velocity + g, "
                    "without a (1 - momentum) factor", impl=partial(_momentum_wrong, rule="average")),
            Mistake("the velocity carries over from step to step: start from the velocity you are given, "
                    "velocity = momentum·velocity + g", impl=partial(_momentum_wrong, rule="no memory")),
            Mistake("update the velocity first, then step with the new velocity",
                    impl=partial(_momentum_wrong, rule="step first")),
            Mistake("step against the velocity: w - learning_rate·velocity (a plus climbs uphill)",
                    impl=partial(_momentum_wrong, rule="sign")),
        ],
    ),
    Exercise(
        name="dropout_backward", notebook="09", points=1,
        signature="dropout_backward(grad_output, keep, rate)",
        summary="the gradient that inverted dropout passes back to its input a, given dJ/d(out), the boolean "
                "mask keep of the units it kept, and the rate",
        build_cases=_dropout_backward_cases,
        concept="Backpropagation through a layer multiplies the incoming gradient by each unit's local "
                "slope d(out)/d(a), which differs for a dropped unit and a kept, rescaled one.",
        bans=FRAMEWORKS + ("coursekit.layers", "coursekit.model"),
        mistakes=[
            Mistake("the kept units were scaled by 1 / (1 - rate) in the forward pass, so their slope is "
                    "1 / (1 - rate): scale their gradient the same way",
                    impl=lambda g, keep, rate: g * keep),
            Mistake("a dropped unit did not reach the output (its slope is 0): it passes no gradient back",
                    impl=lambda g, keep, rate: g / (1 - rate)),
            Mistake("divide by the keep probability 1 - rate, don't multiply by it",
                    impl=lambda g, keep, rate: g * keep * (1 - rate)),
            Mistake("keep is the mask of the units that were *kept*: those pass the gradient, not the others",
                    impl=lambda g, keep, rate: g * ~np.asarray(keep) / (1 - rate)),
        ],
    ),
]
