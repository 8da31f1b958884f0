"""The reasoning exercises (issue 13): references that are right by an independent measure, wrong
answers that get their hint, and a learning-rate question whose verdict follows the descent it runs.

Independent measures: central differences for the two gradients (``sigmoid_mse_gradient``,
``backprop_fixed``), ``torch.optim.SGD`` for ``momentum_step``, and ``coursekit.gradient_descent`` run
here for ``pick_learning_rate``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from solutions import reference_reasoning as RR  # noqa: E402
from solutions.wrong import WRONG  # noqa: E402

from coursekit.exercises import EXERCISES, Exercise, check  # noqa: E402
from coursekit.exercises import reasoning  # noqa: E402
from coursekit.exercises._wire import encode  # noqa: E402
from coursekit.gradcheck import numerical_gradient  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = {   # name -> (notebook, points)
    "leaky_relu_derivative": ("02", 1), "sigmoid_mse_gradient": ("04", 2), "pick_learning_rate": ("05", 1),
    "backprop_fixed": ("06", 3), "momentum_step": ("07", 2), "dropout_backward": ("09", 1),
}
FUNCTIONS = [n for n in CONTRACT if n != "pick_learning_rate"]
OURS = [(n, h, f) for n, h, f in WRONG if n in CONTRACT]


def answer(name):
    return RR.pick_learning_rate() if name == "pick_learning_rate" else getattr(RR, name)


# ------------------------------------------------------------------------------------ the contract
def test_the_reasoning_exercises_are_registered_as_contracted():
    assert [e.name for e in reasoning.EXERCISES] == list(CONTRACT)
    for name, (notebook, points) in CONTRACT.items():
        assert EXERCISES[name] is next(e for e in reasoning.EXERCISES if e.name == name)
        assert (EXERCISES[name].notebook, EXERCISES[name].points) == (notebook, points)
    assert EXERCISES["pick_learning_rate"].kind == "object"
    assert EXERCISES["pick_learning_rate"].var == "picked_learning_rate"


@pytest.mark.parametrize("name", list(CONTRACT))
def test_cases_mistakes_concept_and_bans(name):
    exercise = EXERCISES[name]
    assert len(exercise.cases()) >= 4
    assert len(exercise.mistakes) >= 2 and all(m.hint for m in exercise.mistakes)
    assert exercise.concept and exercise.concept.count(". ") == 0 and exercise.concept.endswith(".")
    if exercise.kind == "function":
        assert exercise.bans and all(re.fullmatch(r"[\w.]+(:[\w.]+)?", b) for b in exercise.bans)
        assert "torch" in exercise.bans


@pytest.mark.parametrize("ban", sorted({b for n in CONTRACT for b in EXERCISES[n].bans if b.startswith("coursekit")}))
def test_the_banned_kit_functions_exist(ban):
    module, _, qualname = ban.partition(":")
    target = importlib.import_module(module)
    for part in filter(None, qualname.split(".")):
        target = getattr(target, part)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_reference_has_the_contract_signature(name):
    assert list(inspect.signature(getattr(RR, name)).parameters) == EXERCISES[name].params


@pytest.mark.parametrize("name", list(CONTRACT))
def test_cases_are_deterministic(name):
    exercise = EXERCISES[name]
    fresh = Exercise(**{**exercise.__dict__, "_cases": None}).cases()
    for a, b in zip(exercise.cases(), fresh):
        assert a.label == b.label and encode(a.args) == encode(b.args)
        assert json.dumps(encode(a.expected)) == json.dumps(encode(b.expected))


# ------------------------------------------------------------------ solutions, stubs, wrong answers
@pytest.mark.parametrize("name", list(CONTRACT))
def test_reference_scores_full_marks(name):
    result = check(name, answer(name), show=False)
    assert result.status == "passed", str(result)
    assert result.points == result.max_points == CONTRACT[name][1]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_stub_is_not_attempted(name):
    namespace = {}
    exec(f"def {EXERCISES[name].signature}:\n    # YOUR CODE HERE\n    raise NotImplementedError\n", namespace)
    result = check(name, namespace[name], show=False)
    assert result.status == "not attempted" and result.points == 0
    assert "not attempted yet" in str(result)


def test_unanswered_learning_rate_is_not_attempted():
    result = check("pick_learning_rate", None, show=False)
    assert result.status == "not attempted" and result.points == 0


def test_every_reasoning_exercise_has_two_wrong_answers_in_the_catalogue():
    for name in CONTRACT:
        assert sum(n == name for n, _, _ in OURS) >= 2, name


@pytest.mark.parametrize("name, hint, func", OURS, ids=[f"{n}-{f.__name__}" for n, _, f in OURS])
def test_wrong_answer_gets_its_hint(name, hint, func):
    result = check(name, func() if name == "pick_learning_rate" else func, show=False)
    assert result.status != "passed" and result.points < result.max_points, str(result)   # partial credit at most
    assert any(hint in f"{c.message} {c.hint or ''}" for c in result.cases if not c.passed), str(result)
    assert hint in result.message


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_typical_mistake_is_wrong_and_gets_its_own_hint(name):
    exercise = EXERCISES[name]
    for mistake in exercise.mistakes:
        result = check(name, mistake.impl, show=False)
        assert result.status != "passed", mistake.hint
        assert any(c.hint == mistake.hint for c in result.cases if not c.passed), (mistake.hint, str(result))


def test_the_references_do_not_change_their_arguments():
    for name in ("leaky_relu_derivative", "sigmoid_mse_gradient", "backprop_fixed"):
        for case in EXERCISES[name].cases():
            before = [np.copy(a) for a in case.args]
            getattr(RR, name)(*case.args, **case.kwargs)
            assert all(np.array_equal(a, b) for a, b in zip(before, case.args))


# ------------------------------------------------------------------------- leaky_relu_derivative
def test_leaky_relu_derivative_matches_central_differences_away_from_zero():
    z = np.array([-3.0, -0.5, -1e-3, 1e-3, 0.5, 3.0])
    for alpha in (0.01, 0.2):
        def leaky(v):
            return np.maximum(alpha * v, v)
        h = 1e-6
        numerical = (leaky(z + h) - leaky(z - h)) / (2 * h)
        assert np.allclose(RR.leaky_relu_derivative(z, alpha), numerical, atol=1e-6)
        assert np.allclose(EXERCISES["leaky_relu_derivative"].cases()[2].expected[:1], 0.2)


# ------------------------------------------------------------------------ sigmoid_mse_gradient
def _mse(X, y, w0, w):
    return np.mean((y - 1 / (1 + np.exp(-(w0 + X @ w)))) ** 2)


@pytest.mark.parametrize("index", range(5))
def test_sigmoid_mse_reference_matches_finite_differences(index):
    case = EXERCISES["sigmoid_mse_gradient"].cases()[index]
    X, y, w0, w = case.args
    params = np.concatenate([[w0], w])
    numerical = numerical_gradient(lambda p: _mse(X, y, p[0], p[1:]), params)
    dw0, dw = case.expected
    assert np.allclose(np.concatenate([[dw0], dw]), numerical, rtol=1e-5, atol=1e-9)
    mine = RR.sigmoid_mse_gradient(*case.args)
    assert np.allclose(np.concatenate([[mine[0]], mine[1]]), numerical, rtol=1e-5, atol=1e-9)


def test_the_first_mse_case_is_notebook_04s_students():
    case = EXERCISES["sigmoid_mse_gradient"].cases()[0]
    assert case.args[0].shape == (30, 2) and case.args[2] == -4.0


# ------------------------------------------------------------------------------ backprop_fixed
def _bce(X, y, W1, b1, W2, b2):
    y_hat = 1 / (1 + np.exp(-(np.tanh(X @ W1 + b1) @ W2 + b2)))
    return -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


def _numerical_backprop(X, y, W1, b1, W2, b2):
    params = [W1, b1, W2, b2]
    out = []
    for i, p in enumerate(params):
        def loss(v, i=i):
            changed = list(params)
            changed[i] = v
            return _bce(X, y, *changed)
        out.append(numerical_gradient(loss, p))
    return out


@pytest.mark.parametrize("index", range(4))
def test_backprop_fixed_reference_matches_finite_differences(index):
    case = EXERCISES["backprop_fixed"].cases()[index]
    numerical = _numerical_backprop(*case.args)
    for grade, mine, fd in zip(case.expected, RR.backprop_fixed(*case.args), numerical):
        assert grade.shape == fd.shape
        assert np.allclose(grade, fd, rtol=1e-5, atol=1e-8)
        assert np.allclose(mine, fd, rtol=1e-5, atol=1e-8)


def test_buggy_backprop_is_wrong_and_each_single_fix_is_not_enough():
    case = EXERCISES["backprop_fixed"].cases()[0]
    numerical = _numerical_backprop(*case.args)

    def off(result):
        return [not np.allclose(r, fd, rtol=1e-4, atol=1e-8) for r, fd in zip(result, numerical)]

    assert off(reasoning.buggy_backprop(*case.args)) == [True] * 4
    assert off(reasoning._tanh_net_wrong(*case.args, mean=False)) == [True] * 4          # derivative fixed only
    assert off(reasoning._tanh_net_wrong(*case.args, slope="sigmoid")) == [True, True, False, False]   # mean fixed only
    assert off(reasoning._tanh_net_wrong(*case.args)) == [False] * 4


# ------------------------------------------------------------------------------- momentum_step
def _torch_steps(w, grads, velocity, learning_rate, momentum):
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.tensor(w, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=learning_rate, momentum=momentum)
    if velocity is not None and momentum > 0:
        opt.state[p]["momentum_buffer"] = torch.tensor(velocity, dtype=torch.float64)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    buffer = opt.state[p].get("momentum_buffer")
    return p.detach().numpy().copy(), None if buffer is None else buffer.numpy().copy()


@pytest.mark.parametrize("momentum", [0.9, 0.5, 0.0])
def test_momentum_reference_follows_torch_over_several_steps(momentum):
    rng = np.random.default_rng(0)
    w0, grads = rng.normal(size=(2, 3)), [rng.normal(size=(2, 3)) for _ in range(6)]
    w, velocity = w0.copy(), np.zeros_like(w0)
    for g in grads:
        w, velocity = RR.momentum_step(w, g, velocity, learning_rate=0.05, momentum=momentum)
    torch_w, torch_buffer = _torch_steps(w0, grads, None, 0.05, momentum)
    assert np.allclose(w, torch_w, rtol=1e-12, atol=1e-12)
    if momentum > 0:
        assert np.allclose(velocity, torch_buffer, rtol=1e-12, atol=1e-12)
    else:
        assert torch_buffer is None and np.array_equal(velocity, grads[-1])    # no memory without momentum


@pytest.mark.parametrize("index", range(5))
def test_momentum_cases_are_one_torch_step(index):
    case = EXERCISES["momentum_step"].cases()[index]
    w, g, velocity = case.args
    lr, mu = case.kwargs.get("learning_rate", 0.01), case.kwargs.get("momentum", 0.9)
    torch_w, torch_buffer = _torch_steps(w, [g], velocity, lr, mu)
    assert np.allclose(case.expected[0], torch_w, rtol=1e-12, atol=1e-12)
    if torch_buffer is not None:
        assert np.allclose(case.expected[1], torch_buffer, rtol=1e-12, atol=1e-12)


def test_momentum_step_may_update_in_place():
    def momentum_step(w, g, velocity, learning_rate=0.01, momentum=0.9):
        velocity *= momentum
        velocity += g
        w -= learning_rate * velocity
        return w, velocity
    assert check("momentum_step", momentum_step, show=False).status == "passed"


# -------------------------------------------------------------------------- pick_learning_rate
def _notebook_descent(rate):
    """J after the exercise's steps, run here from notebook 05's own cells' recipe."""
    import coursekit
    from coursekit.viz.landscape import logistic_problem
    problem = logistic_problem()
    w_init = np.random.default_rng(4).normal(0.0, 4.0, size=2)
    result = coursekit.gradient_descent(problem.grad, w_init, learning_rate=rate, steps=reasoning.STEPS,
                                        loss=problem.loss)
    return result.losses[-1], problem.loss(problem.minimum)


@pytest.mark.parametrize("rate", [7.0, 9, np.float64(12.0)])
def test_a_good_rate_passes_and_really_gets_low(rate):
    result = check("pick_learning_rate", rate, show=False)
    assert result.status == "passed" and result.points == 1
    final, best = _notebook_descent(rate)
    assert final < best + reasoning.MARGIN


@pytest.mark.parametrize("rate", [0.01, 1, 5.0])
def test_too_small_a_rate_is_told_to_grow(rate):
    result = check("pick_learning_rate", rate, show=False)
    assert result.status == "failed" and result.points == 0
    assert "still" in result.message and "a larger rate" in result.message and "too small" in result.message
    final, _ = _notebook_descent(rate)
    assert f"{final:.4f}" in result.message


@pytest.mark.parametrize("rate, word", [(20.0, "oscillates"), (300.0, "diverges"), (1e300, "diverges")])
def test_too_large_a_rate_is_told_to_shrink(rate, word):
    result = check("pick_learning_rate", rate, show=False)
    assert result.status == "failed" and result.points == 0
    assert word in result.message and "a smaller rate" in result.message and "too large" in result.message


@pytest.mark.parametrize("value, fragment", [(0, "positive number"), (-5.0, "positive number"),
                                             (float("nan"), "positive number"), ("9", "not a string"),
                                             ([9.0], "one positive number"), (True, "not a string")])
def test_a_non_rate_is_refused(value, fragment):
    result = check("pick_learning_rate", value, show=False)
    assert result.status == "failed" and fragment in result.message


def test_the_passing_rates_are_one_interval_with_consistent_hints():
    rates = np.geomspace(0.1, 1000, 121)
    verdicts = []
    for rate in rates:
        result = check("pick_learning_rate", float(rate), show=False)
        verdicts.append("ok" if result.status == "passed" else
                        "small" if "a larger rate" in result.message else
                        "large" if "a smaller rate" in result.message else "?")
    text = "".join({"ok": "o", "small": "s", "large": "l", "?": "?"}[v] for v in verdicts)
    assert re.fullmatch(r"s+o+l+", text), text
    passing = rates[[v == "ok" for v in verdicts]]
    assert passing.min() < 7 and passing.max() > 12 and passing.max() / passing.min() > 1.8
    assert 5.0 < passing.min()          # the notebook's own η = 5 is not enough: the student must explore


# ------------------------------------------------------------------------------------- notebooks
NOTEBOOK_OF = {"02": "02_activation_functions", "04": "04_loss", "05": "05_gradient_descent",
               "06": "06_backpropagation", "07": "07_learning_rates_and_optimizers",
               "09": "09_overfitting_and_regularization"}


def _cells(notebook):
    with open(ROOT / "notebooks" / f"{NOTEBOOK_OF[notebook]}.ipynb", encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    for cell in cells:
        cell["text"] = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    return cells


@pytest.mark.parametrize("name", list(CONTRACT))
def test_each_notebook_has_the_exercise_markdown_stub_and_check(name):
    exercise = EXERCISES[name]
    cells = _cells(exercise.notebook)
    index = next(i for i, c in enumerate(cells) if f"exercise:{name}" in c["metadata"].get("tags", []))
    cell, before, after = cells[index], cells[index - 1], cells[index + 1]
    if exercise.kind == "function":
        assert cell["text"] == f"def {exercise.signature}:\n    # YOUR CODE HERE\n    raise NotImplementedError"
    else:
        assert cell["text"] == f"{exercise.var} = None  # YOUR CODE HERE"
    assert after["cell_type"] == "code" and after["text"] == f'check("{name}", {exercise.var})'
    markdown = before if name != "backprop_fixed" else cells[index - 2]
    assert markdown["cell_type"] == "markdown" and markdown["text"].startswith("### Exercise")
    assert f"`{exercise.signature.split('(')[0]}" in markdown["text"] or exercise.var in markdown["text"]


def test_notebook_06_shows_the_same_buggy_backprop_the_grader_knows():
    cells = _cells("06")
    source = next(c["text"] for c in cells if c["text"].startswith("def buggy_backprop("))
    namespace = {"np": np}
    exec(source, namespace)
    for case in EXERCISES["backprop_fixed"].cases():
        for shown, known in zip(namespace["buggy_backprop"](*case.args), reasoning.buggy_backprop(*case.args)):
            assert np.array_equal(shown, known)


def test_notebook_05_states_the_graded_steps_and_margin():
    text = next(c["text"] for c in _cells("05") if c["text"].startswith("### Exercise 3: pick a learning rate"))
    assert f"**{reasoning.STEPS} steps**" in text and f"+ {reasoning.MARGIN:g}$" in text
    assert f"steps={reasoning.STEPS}" in text


def test_the_derivations_are_not_given_away():
    momentum = next(c["text"] for c in _cells("07") if c["text"].startswith("### Exercise: one step of SGD"))
    assert "```" not in momentum and "$" not in momentum.split("(Adam")[0]     # words, no formula, no code
    assert not re.search(r"velocity\s*=", momentum)
    leaky = next(c["text"] for c in _cells("02") if c["text"].startswith("### Exercise: leaky ReLU"))
    assert "g'(z)" not in leaky and "np.where" not in leaky
    mse = next(c["text"] for c in _cells("04") if c["text"].startswith("### Exercise: how the squared error"))
    assert "(1 - " not in mse and "2(" not in mse


# ------------------------------------------------------------------------------ no delegating
def _delegates():
    from coursekit.activations import relu_derivative

    def leaky_relu_derivative(z, alpha=0.01):
        return alpha + (1 - alpha) * relu_derivative(z)

    def sigmoid_mse_gradient(X, y, w0, w):
        def J(p):
            return np.mean((y - 1 / (1 + np.exp(-(p[0] + X @ p[1:])))) ** 2)
        g = numerical_gradient(J, np.concatenate([[w0], w]))
        return g[0], g[1:]

    def backprop_fixed(X, y, W1, b1, W2, b2):
        from coursekit.exercises.backprop import _reference
        return _reference(X, y, W1, b1, W2, b2, hidden="tanh")

    def momentum_step(w, g, velocity, learning_rate=0.01, momentum=0.9):
        import torch
        p = torch.nn.Parameter(torch.tensor(w, dtype=torch.float64))
        opt = torch.optim.SGD([p], lr=learning_rate, momentum=momentum)
        if momentum > 0:
            opt.state[p]["momentum_buffer"] = torch.tensor(velocity, dtype=torch.float64)
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        return p.detach().numpy(), opt.state[p].get("momentum_buffer", p.grad).numpy()

    return [leaky_relu_derivative, sigmoid_mse_gradient, backprop_fixed, momentum_step]


@pytest.mark.parametrize("func", _delegates(), ids=lambda f: f.__name__)
def test_an_answer_that_delegates_to_a_library_earns_nothing(func):
    if func.__name__ == "momentum_step":
        pytest.importorskip("torch")
    result = check(func.__name__, func, show=False)
    assert result.status == "failed" and result.points == 0
    assert "write it with numpy" in result.message, result.message


# ------------------------------------------------------------------------------ dropout_backward
@pytest.mark.parametrize("index", range(5))
def test_dropout_backward_reference_matches_finite_differences(index):
    """d/da of sum(grad * dropout(a)) with the mask fixed: the chain rule the exercise asks for."""
    grad, keep, rate = EXERCISES["dropout_backward"].cases()[index].args
    a = np.random.default_rng(index).normal(size=grad.shape)

    def J(flat):
        return float(np.sum(grad * (flat.reshape(a.shape) * keep / (1 - rate))))
    numeric = numerical_gradient(J, a.ravel()).reshape(a.shape)
    assert np.allclose(RR.dropout_backward(grad, keep, rate), numeric, atol=1e-7)


def test_dropout_backward_agrees_with_coursekit_layer():
    from coursekit.layers import Dropout
    layer = Dropout(0.4, seed=3)
    a = np.ones((6, 7))
    out = layer.forward(a, training=True)
    grad = np.random.default_rng(0).normal(size=a.shape)
    assert np.allclose(RR.dropout_backward(grad, out != 0, 0.4), layer.backward(grad))
