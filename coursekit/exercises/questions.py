r"""Questions beside the explorers: a number with a tolerance, or a choice among options.

A question is an :class:`~coursekit.exercises._spec.Exercise` of kind ``"object"``: the notebook holds
``NAME = None  # YOUR ANSWER HERE``, the student assigns a number or the letter of an option, and
``check("NAME", NAME)`` (or ``coursekit grade``) judges it like any exercise. Only the answer travels
from the kernel (the ``value`` call); the judging runs in the grader.

The answer key is never written out: where the kit can compute it (the explorer's own numbers, a
model's parameter count), the answer is derived at grading time by running the kit's code; where it
cannot (a "which picture do you see" choice), only a salted SHA-256 digest of the right letter is
stored. That keeps the key out of the notebook and the source; it does not stop a student from
running the kit's code, or from trying each of a few options in ``check`` (see the README).

Predict-then-check: a question placed *before* its explorer asks for a prediction; a wrong option
gets a hint that says why that option is wrong, and a right one an explanation of what happens.
"""

from __future__ import annotations

import hashlib
import math
from typing import Callable

import numpy as np

from ._spec import Case, Exercise, Mistake

_SALT = "coursekit-question-v1"


def digest(name: str, letter: str) -> str:
    """The salted SHA-256 digest of a choice question's right ``letter``."""
    return hashlib.sha256(f"{_SALT}:{name}:{letter.strip().lower()}".encode()).hexdigest()


def _as_number(output):
    """``output`` as a float, or ``None`` when it is not one number."""
    if isinstance(output, bool) or output is None or isinstance(output, str):
        return None
    try:
        array = np.asarray(output, dtype=float)
    except (TypeError, ValueError):
        return None
    return float(array.reshape(())) if array.size == 1 else None


def number_question(name: str, notebook: str, points: float, prompt: str, answer: Callable[[], float], *,
                    atol: float, concept: str, slips: tuple = (), explain: str | None = None) -> Exercise:
    """A question answered by one number, right within ``atol`` of ``answer()`` (computed when grading).

    ``slips`` are ``(wrong_value, hint)`` pairs: a typical wrong number (or a function of the right one)
    and what it says about the slip.
    """
    def assess(output, case):
        value = _as_number(output)
        if value is None:
            return f"answer with one number; got {_describe(output)}"
        right = float(case.expected)
        if math.isfinite(value) and abs(value - right) <= atol:
            return None
        return f"{value:g} is not right (within ±{atol:g})"

    def slip(wrong):
        def detect(output, case):
            value, right = _as_number(output), float(case.expected)
            bad = float(wrong(right) if callable(wrong) else wrong)
            return value is not None and abs(value - bad) <= atol < abs(bad - right)
        return detect

    def cases():
        return [Case("your answer", call="value", bind=False, expected=float(answer()), assess=assess)]

    return Exercise(name=name, notebook=notebook, points=points, kind="object", signature=f"{name} = <a number>",
                    summary=prompt, build_cases=cases, concept=concept, explain=explain,
                    mistakes=[Mistake(hint, detect=slip(wrong)) for wrong, hint in slips])


def choice_question(name: str, notebook: str, points: float, prompt: str, options: dict, *, concept: str,
                    why_not: dict, explain: str, right: Callable[[], str] | None = None,
                    key: str | None = None) -> Exercise:
    """A question answered by the letter of one of ``options`` ({"a": "text", ...}).

    The right letter is ``right()`` (derived when grading), or the one whose :func:`digest` is ``key``.
    ``why_not[letter]`` says why a wrong option is wrong (the answer is not revealed).
    """
    letters = tuple(options)

    def is_right(letter: str, case) -> bool:
        return letter == case.expected if right is not None else digest(name, letter) == key

    def letter_of(output):
        return output.strip().lower().strip("()").strip() if isinstance(output, str) else None

    def assess(output, case):
        letter = letter_of(output)
        if letter not in letters:
            listed = ", ".join(repr(x) for x in letters)
            return f"answer with the letter of one option ({listed}), as a string; got {_describe(output)}"
        return None if is_right(letter, case) else f"({letter}) is not right"

    def picked(letter):
        return lambda output, case: letter_of(output) == letter and not is_right(letter, case)

    def cases():            # a derived answer is computed once, with the cases (in the grader)
        return [Case("your answer", call="value", bind=False, assess=assess,
                     expected=right() if right is not None else None)]

    text = prompt + " " + "; ".join(f"({k}) {v}" for k, v in options.items())
    return Exercise(name=name, notebook=notebook, points=points, kind="object", signature=f"{name} = \"<letter>\"",
                    summary=text, build_cases=cases, concept=concept, explain=explain, options=dict(options),
                    mistakes=[Mistake(hint, detect=picked(letter)) for letter, hint in why_not.items()])


def _describe(output) -> str:
    if output is None:
        return "None"
    if isinstance(output, str):
        return repr(output[:40])
    return f"a {type(output).__name__}"


# ------------------------------------------------------------------------------- the answers, derived
def _sigmoid(z):
    from coursekit.activations import sigmoid
    return float(sigmoid(np.asarray(z, dtype=float)))


def _perceptron_output():
    return _sigmoid(1.0 + np.dot([2.0, 1.0], [3.0, -2.0]))


def _crossing_x1():
    w0, (w1, w2), x2 = 1.0, (3.0, -2.0), 2.0
    return (-w0 - w2 * x2) / w1                     # where z = w0 + w1 x1 + w2 x2 = 0


def _parameter_count():
    from coursekit import Dense, Sequential
    model = Sequential([Dense(5), Dense(3), Dense(1)])
    model.build(4)
    return model.count_params()


def _coin_flip_loss():
    from coursekit.losses import BinaryCrossentropy
    return float(BinaryCrossentropy()(np.array([1.0, 0.0, 1.0]), np.full(3, 0.5)))


def _descent_on_notebook_05(learning_rate):
    import coursekit
    from coursekit.problems import logistic_problem
    problem, w_init = logistic_problem(), np.random.default_rng(4).normal(0.0, 4.0, size=2)
    return coursekit.gradient_descent(problem.grad, w_init, learning_rate=learning_rate, steps=200,
                                      loss=problem.loss, tol=1e-3)


def _steps_at_eta_10():
    return _descent_on_notebook_05(10.0).steps


def _eta_20_letter():
    fast, faster = _descent_on_notebook_05(10.0), _descent_on_notebook_05(20.0)
    if faster.diverged or not faster.converged:
        return "c"
    return "a" if faster.steps < fast.steps else "b"


def _dJ_dw1_at_half():
    from coursekit.viz.backprop import tiny_net_values
    return tiny_net_values(x=2.0, y=1, w1=0.5, w2=0.5)["dJ_dw1"]


def _divergence_rate():
    from coursekit import toy_functions
    from coursekit.problems import classify_descent, run_descent
    curve = toy_functions.false_minimum_1d()
    for eta in np.arange(1.0, 5.0, 0.01):
        if classify_descent(run_descent(curve, learning_rate=float(eta), steps=50), curve)[0] == "large":
            return float(np.round(eta, 2))
    raise RuntimeError("no learning rate below 5 diverges")     # pragma: no cover


def _iterations():
    from coursekit.datasets import iterations_per_epoch
    return iterations_per_epoch(1500, 64)


def _batch_error_128():
    from coursekit import Dense, Sequential
    from coursekit.datasets import minibatches, pass_fail
    X, y = pass_fail(2000, seed=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    model = Sequential([Dense(1, activation="sigmoid")], dtype="float64", seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    full = model.loss_and_gradient(X, y)[1]
    batches = list(minibatches(X, y, batch_size=128, seed=0))[:100]
    return float(np.mean([np.linalg.norm(model.loss_and_gradient(Xb, yb)[1] - full) / np.linalg.norm(full)
                          for Xb, yb in batches]))


def _kept_activation():
    from coursekit.layers import Dropout
    return float(Dropout(0.25, seed=0).forward(np.full(1000, 2.0), training=True).max())


# --------------------------------------------------------------------------------------- the questions
EXERCISES = [
    number_question(
        "perceptron_output", "01", 1,
        "The lecture's perceptron (w0 = 1, w = [3, -2]): its output y_hat at X = [2, 1], to 3 decimals",
        _perceptron_output, atol=5e-4,
        concept="a perceptron outputs y_hat = g(w0 + X·w): the weighted sum plus the bias, through the sigmoid",
        slips=((5.0, "5 is z = w0 + X·w; the output is y_hat = g(z), a number between 0 and 1"),
               (_sigmoid(-5.0), "mind the sign: g(z) = 1 / (1 + e^(-z))"),
               (_sigmoid(4.0), "the bias w0 = 1 is part of z: z = w0 + X·w")),
        explain="z = 1 + 3·2 - 2·1 = 5 and g(5) = 1/(1 + e^-5): the point is far on the z > 0 side"),
    number_question(
        "crossing_x1", "01", 1,
        "In the perceptron explorer (w0 = 1, w = [3, -2]) keep x2 = 2 and move x1: at which x1 does the "
        "★ sit exactly on the decision line (y_hat = 0.5)?",
        _crossing_x1, atol=0.05,
        concept="the decision line is where z = w0 + w1 x1 + w2 x2 = 0, i.e. where y_hat = g(0) = 0.5",
        slips=((-1.0, "x1 = -1 is where the ★ starts, on the z < 0 side: move it until y_hat reads 0.5"),
               (-5 / 3, "solve 1 + 3 x1 - 2·2 = 0: the term w2 x2 = -4 has a minus sign")),
        explain="1 + 3 x1 - 4 = 0 gives x1 = 1: there z = 0 and y_hat = 0.5"),
    choice_question(
        "linear_depth", "02", 1,
        "Predict, before you run the explorer below: a network of three Dense(8) layers with linear "
        "activations (and a sigmoid output), trained on the green-vs-red rings, draws a decision boundary that is",
        {"a": "a circle around the green points", "b": "a straight line, like a single perceptron's",
         "c": "a wiggly curve that follows the noise"},
        key="4179ea7795b567a00c05fb555bd4980bc82defd661f08dce1e8d22c259109960",
        concept="without a non-linear activation, a stack of layers computes X W1 W2 W3 + const: one linear map",
        why_not={"a": "a circle needs a non-linearity; linear layers only ever multiply X by a matrix",
                 "c": "a curve of any kind needs a non-linearity; the stack is one linear map"},
        explain="three linear layers multiply to one matrix W1 W2 W3, so the network is one perceptron in "
                "disguise: a straight line, no better than a coin toss on the rings"),
    number_question(
        "parameter_count", "03", 1,
        "How many trainable parameters (weights and biases) has Sequential([Dense(5), Dense(3), Dense(1)]) "
        "on inputs with 4 features?",
        _parameter_count, atol=0.5,
        concept="a Dense layer from n_in inputs to n_out units has an (n_in, n_out) weight matrix W and "
                "n_out biases b",
        slips=((38, "each Dense layer also has one bias per unit: n_in·n_out + n_out"),
               (9, "count the weights and biases, not the units")),
        explain="(4·5 + 5) + (5·3 + 3) + (3·1 + 1) = 25 + 18 + 4"),
    choice_question(
        "one_unit_boundary", "03", 1,
        "In the network explorer set hidden_layers = 1 and units = 1 (tanh). The decision boundary on the "
        "rings is",
        {"a": "a straight line", "b": "a circle", "c": "two parallel lines with the green ring between them"},
        key="6bf06690b050d240b89192488552202b9ffadb0c9c0eeef86e18d72dee75cc18",
        concept="one hidden unit sees the inputs only through one weighted sum w·x + b",
        why_not={"b": "a single unit's output tanh(w·x + b) is the same all along each line w·x + b = const",
                 "c": "two lines need the output to go up and down across the plane; one tanh unit followed "
                      "by a sigmoid only goes one way"},
        explain="the output sigmoid(v·tanh(w·x + b) + c) changes only across the lines w·x + b = const, so "
                "its boundary is one straight line; more units bend it"),
    number_question(
        "coin_flip_loss", "04", 1,
        "A model that answers y_hat = 0.5 for every student: its binary cross entropy J(W) on the three "
        "students of the table (labels 1, 0, 1), to 3 decimals",
        _coin_flip_loss, atol=5e-4,
        concept="the cross entropy charges -log of the probability given to the right label, averaged",
        slips=((1.0, "that is log base 2: the cross entropy here uses the natural log (np.log)"),
               (np.log10(2.0), "that is log base 10: use the natural log (np.log)"),
               (0.25, "0.25 is the squared error (y - y_hat)²; the cross entropy is -log(y_hat) for y = 1"),
               (-np.log(2.0), "the cross entropy has a minus sign in front: it is never negative")),
        explain="each student costs -ln 0.5 = ln 2 whatever the label: a coin toss costs ln 2 per example"),
    number_question(
        "steps_at_eta_10", "05", 1,
        "Run the gradient descent cell of section 4 again with learning_rate=10.0 (same start, tol=1e-3): "
        "after how many steps does it converge?",
        _steps_at_eta_10, atol=0.5,
        concept="a larger learning rate takes larger steps down the same landscape",
        slips=((60, "60 is the count at learning_rate=5.0: change the rate to 10.0"),
               (200, "200 means it never met the tolerance: keep tol=1e-3 and steps=200 as in the cell")),
        explain="twice the rate takes the same path in fewer, longer steps"),
    choice_question(
        "eta_20", "05", 1,
        "Predict: compared with learning_rate=10, gradient descent with learning_rate=20 on the same "
        "landscape (same start, tol=1e-3)",
        {"a": "converges in even fewer steps", "b": "converges, but in more steps (it zig-zags)",
         "c": "diverges"},
        right=_eta_20_letter,
        concept="a step that is too long overshoots the valley floor and has to come back",
        why_not={"a": "doubling the rate again overshoots: try it (or the landscape explorer with 20)",
                 "c": "it does not diverge here: the steps overshoot, but less and less"},
        explain="at 20 each step jumps across the valley, so the path zig-zags down and needs more steps "
                "than at 10"),
    number_question(
        "dJ_dw1_at_half", "06", 1,
        "In the backprop explorer set w2 = 0.5 (x = 2, y = 1, w1 = 0.5) and step to the end: dJ/dw1, "
        "to 3 decimals",
        _dJ_dw1_at_half, atol=5e-4,
        concept="the chain rule: dJ/dw1 = dJ/dy_hat · dy_hat/da1 · da1/dw1, each factor read at the current weights",
        slips=((0.26544086653621407, "that is dJ/dw1 at w2 = -1: set w2 = 0.5 first"),
               (-0.29945748919691895, "that is dJ/dw2; the question asks for dJ/dw1")),
        explain="with w2 > 0 the factor dy_hat/da1 = sigmoid'(w2 a1)·w2 is positive, so raising w1 now lowers J"),
    number_question(
        "divergence_rate", "07", 1,
        "Explore with the learning-rate explorer, then pin it down by changing the rates in the cell of "
        "section 1 (50 steps): the smallest learning rate at which the run is 'large' (it no longer "
        "settles but overshoots), to ±0.05",
        _divergence_rate, atol=0.05,
        concept="a step η·slope that jumps past the minimum by more than it started from grows at every step",
        slips=(),
        explain="from this rate on each step lands further from the minimum than the one before: near the "
                "minimum that happens once η exceeds 2 / curvature"),
    number_question(
        "iterations_1500_64", "08", 1,
        "How many iterations (updates) make one epoch of 1500 samples in mini-batches of B = 64?",
        _iterations, atol=0.5,
        concept="an epoch passes every sample once; each mini-batch is one iteration",
        slips=((23, "iterations are whole batches, and the last, smaller one (the samples left over) is an "
                    "iteration too: round 1500 / 64 up"),),
        explain="⌈1500 / 64⌉: 23 full batches and one of 28 samples"),
    number_question(
        "batch_error_128", "08", 1,
        "Run the cell of section 2 with B = 128: by how much is the batch gradient off on average? As a "
        "fraction (0.25 for 25 %), ±0.01",
        _batch_error_128, atol=0.01,
        concept="a mini-batch gradient averages B per-sample gradients: its error falls roughly like 1/√B",
        slips=((lambda right: 100 * right, "give it as a fraction: 0.25 for 25 %"),),
        explain="between the B = 32 and B = 500 errors, close to the 1/√B rule"),
    number_question(
        "kept_activation", "09", 1,
        "Inverted dropout with rate p = 0.25, during training: what value does a kept activation a = 2.0 "
        "pass on? (3 decimals)",
        _kept_activation, atol=5e-4,
        concept="inverted dropout rescales what it keeps so that the expected activation stays a",
        slips=((2.0, "inverted dropout scales the kept activations by 1/(1 - p) during training"),
               (1.5, "2·(1 - p) is the test-time scaling of the original dropout; inverted dropout "
                     "divides by (1 - p) during training"),
               (8.0, "divide by the keep probability 1 - p, not by p")),
        explain="2.0 / (1 - 0.25): the mean over kept and dropped units stays 2.0"),
]
