"""The exercise test sets and check(), in-process (no kernel): fast.

Proves for every exercise: the reference solution passes, the stub is "not attempted", each typical
wrong answer fails with its hint; and that check() never raises, whatever it is given.
"""

from __future__ import annotations

import inspect
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from solutions import reference as R  # noqa: E402
from solutions.wrong import WRONG  # noqa: E402

from coursekit.exercises import EXERCISES, Case, Exercise, check, load_tests, names, total_points  # noqa: E402
from coursekit.exercises._wire import decode, encode  # noqa: E402
from coursekit.exercises.digits import digits_split  # noqa: E402

CONTRACT = {   # name -> (notebook, points): the table of the issue
    "perceptron_forward": ("01", 2), "sigmoid_derivative": ("02", 1), "tanh_derivative": ("02", 1),
    "relu_derivative": ("02", 1), "dense_forward": ("03", 2), "binary_cross_entropy": ("04", 2),
    "mean_squared_error": ("04", 2), "gradient_descent_step": ("05", 1), "gradient_descent": ("05", 2),
    "backprop": ("06", 3), "adam_step": ("07", 3), "make_minibatches": ("08", 2), "dropout_forward": ("09", 2),
    "early_stopping_epoch": ("09", 2), "digits_model": ("10", 4),
}


@pytest.fixture(scope="module")
def trained_model():
    X_train, _, y_train, _ = digits_split()
    return R.digits_model(X_train, y_train)


def answer(name, trained_model):
    return trained_model if name == "digits_model" else getattr(R, name)


# ------------------------------------------------------------------------------------ the contract
def test_registry_matches_the_contract():
    assert {n: (e.notebook, e.points) for n, e in EXERCISES.items()} == CONTRACT
    assert names() == list(CONTRACT)
    assert total_points() == 30


@pytest.mark.parametrize("name", [n for n, e in EXERCISES.items() if e.kind == "function"])
def test_reference_solutions_have_the_contract_signature(name):
    params = list(inspect.signature(getattr(R, name)).parameters)
    assert params == EXERCISES[name].params


@pytest.mark.parametrize("name", list(EXERCISES))
def test_every_exercise_has_several_cases_and_hints(name):
    exercise = EXERCISES[name]
    assert len(exercise.cases()) >= (1 if exercise.kind == "object" else 4)
    if exercise.kind == "function":
        assert len(exercise.mistakes) >= 2


def test_cases_are_deterministic():
    """The kernel and the grader build the cases separately: they must agree exactly."""
    for exercise in EXERCISES.values():
        fresh = Exercise(**{**exercise.__dict__, "_cases": None}).cases()
        for a, b in zip(exercise.cases(), fresh):
            assert a.label == b.label
            assert encode(a.args) == encode(b.args) or callable(a.args[0])


# ------------------------------------------------------------------ solutions, stubs, wrong answers
@pytest.mark.parametrize("name", list(EXERCISES))
def test_reference_solution_scores_full_points(name, trained_model):
    result = check(name, answer(name, trained_model), show=False)
    assert result.status == "passed", str(result)
    assert result.points == result.max_points == EXERCISES[name].points


@pytest.mark.parametrize("name", [n for n, e in EXERCISES.items() if e.kind == "function"])
def test_stub_is_not_attempted(name):
    namespace = {}
    exec(f"def {EXERCISES[name].signature}:\n    # YOUR CODE HERE\n    raise NotImplementedError()\n", namespace)
    result = check(name, namespace[name], show=False)
    assert result.status == "not attempted" and result.points == 0
    assert "not attempted yet" in str(result)


def test_none_model_is_not_attempted():
    result = check("digits_model", None, show=False)
    assert result.status == "not attempted" and result.points == 0


@pytest.mark.parametrize("name, hint, func", WRONG, ids=[f"{n}-{f.__name__}" for n, _, f in WRONG])
def test_typical_wrong_answer_scores_zero_with_its_hint(name, hint, func):
    if name == "digits_model":
        X_train, _, y_train, _ = digits_split()
        func = func(X_train, y_train)
    result = check(name, func, show=False)
    assert result.points == 0 and result.status == "failed"
    texts = [f"{c.message} {c.hint or ''}" for c in result.cases if not c.passed]
    assert any(hint in t for t in texts), str(result)
    assert hint in result.message     # the first failing case carries it: that is what the grader's table shows


def test_every_exercise_has_a_wrong_answer_in_the_catalogue():
    assert {n for n, _, _ in WRONG} == set(EXERCISES)


def test_lecture_example_is_the_first_perceptron_case():
    case = EXERCISES["perceptron_forward"].cases()[0]
    assert "0.002" in case.label and round(float(case.expected), 3) == 0.002


def test_digits_partial_credit_between_90_and_97_percent():
    from coursekit.exercises.digits import _score
    _, _, _, y_test = digits_split()
    probs = np.eye(10)[y_test].copy()
    wrong = int(0.065 * len(y_test))                  # 93.5 % right: half-way
    probs[:wrong] = np.roll(probs[:wrong], 1, axis=1)

    class Fixed:
        def predict(self, X):
            return probs

    result = check("digits_model", Fixed(), show=False)
    assert result.status == "partial" and 0 < result.points < 4
    assert result.points == _score(result.cases, [probs])
    assert "test accuracy 0.93" in result.message


def test_overflow_hint_for_a_naive_tanh():
    def tanh_derivative(z):
        t = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
        return 1 - t ** 2
    result = check("tanh_derivative", tanh_derivative, show=False)
    assert result.points == 0 and "np.tanh" in result.message and "NaN" in result.message


# ------------------------------------------------------------------------------ check never raises
def _loops(z):
    while True:
        pass


def _raises(z):
    raise ValueError("boom")


def _exits(z):
    sys.exit(3)


def _interrupts(z):
    raise KeyboardInterrupt


class _BadArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array for you")


@pytest.mark.parametrize("obj, status, fragment", [
    (None, "not attempted", "not attempted"),
    (3, "error", "must be a function"),
    ("relu", "error", "must be a function"),
    (lambda z, extra: z, "error", "wrong signature"),
    (lambda: 0, "error", "wrong signature"),
    (_raises, "failed", "raised ValueError: boom"),
    (_exits, "failed", "raised SystemExit"),
    (_interrupts, "timeout", "time limit"),
    (lambda z: None, "failed", "returned None"),
    (lambda z: {"a": 1}, "failed", "got <dict object>"),
    (lambda z: "0.25", "failed", "expected an array"),
    (lambda z: _BadArray(), "failed", "_BadArray"),
    (lambda z: [[1, 2], [3]], "failed", ""),
    (print, "failed", ""),
], ids=["None", "int", "str", "extra-arg", "no-arg", "raises", "sys.exit", "KeyboardInterrupt", "returns-None",
        "dict", "str-output", "bad-array", "ragged", "builtin"])
def test_check_never_raises(obj, status, fragment, capsys):
    result = check("relu_derivative", obj, show=False)
    assert result.status == status, str(result)
    assert result.points == 0
    assert fragment in str(result)


def test_check_stops_an_infinite_loop():
    started = time.monotonic()
    result = check("relu_derivative", _loops, time_limit=0.5, show=False)
    assert time.monotonic() - started < 3
    assert result.status == "timeout" and result.points == 0
    assert "time limit" in result.message


def test_check_time_limit_also_works_outside_the_main_thread():
    """No SIGALRM outside the main thread: the call runs in a helper thread that is abandoned."""
    import threading
    stop, box = threading.Event(), {}

    def slow(z):
        while not stop.is_set():      # stops when the test ends, so no thread keeps spinning
            time.sleep(0.01)

    thread = threading.Thread(target=lambda: box.setdefault("r", check("relu_derivative", slow, time_limit=0.3,
                                                                         show=False)))
    thread.start()
    thread.join(5)
    stop.set()
    assert box["r"].status == "timeout"


def test_check_with_unknown_name_or_bad_time_limit():
    result = check("no_such_exercise", R.relu_derivative, show=False)
    assert result.status == "error" and "known exercises" in result.message
    assert check(None, None, show=False).status == "error"
    assert check("relu_derivative", R.relu_derivative, time_limit="soon", show=False).status == "passed"


def test_in_place_modification_is_reported():
    def relu_derivative(z):
        z[...] = z > 0
        return z
    result = check("relu_derivative", relu_derivative, show=False)
    assert result.points == 0 and "changed its argument z in place" in result.message


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
                 st.lists(st.floats(allow_nan=False, width=32), max_size=5),
                 st.tuples(st.integers(), st.floats()), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)))
def test_check_never_raises_whatever_the_function_returns(value):
    for name in ("perceptron_forward", "backprop", "make_minibatches", "dropout_forward", "early_stopping_epoch"):
        params = ", ".join(EXERCISES[name].params)
        namespace = {"value": value}
        exec(f"def f({params}=None):\n    return value\n", namespace)
        result = check(name, namespace["f"], show=False)
        assert result.points == 0 and result.status == "failed"


# ----------------------------------------------------------------------------------- the display
def test_display_text_and_html_are_deterministic(trained_model):
    for obj in (R.relu_derivative, WRONG[0][2], None):
        a = check("perceptron_forward" if obj is WRONG[0][2] else "relu_derivative", obj, show=False)
        b = check("perceptron_forward" if obj is WRONG[0][2] else "relu_derivative", obj, show=False)
        assert str(a) == str(b) and a._repr_html_() == b._repr_html_()
        assert "0x" not in str(a) and " s)" not in str(a)
    text = str(check("perceptron_forward", WRONG[0][2], show=False))
    assert text.startswith("✗ perceptron_forward: ") and "✓ " in text and "hint: the bias w0 is missing" in text
    html = check("relu_derivative", R.relu_derivative, show=False)._repr_html_()
    assert "✓" in html and "relu_derivative" in html and "<script" not in html


def test_check_prints_outside_jupyter(capsys):
    result = check("relu_derivative", R.relu_derivative)
    out = capsys.readouterr().out
    assert out.startswith("✓ relu_derivative: all 6 checks passed — 1/1 point")
    assert result.passed and repr(result) == "<ExerciseResult relu_derivative: 1/1 passed>"


def test_html_escapes_student_text():
    def relu_derivative(z):
        raise ValueError("<b>bold</b>")
    html = check("relu_derivative", relu_derivative, show=False)._repr_html_()
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


# ----------------------------------------------------------------------------- encoding & extras
@settings(max_examples=80, deadline=None)
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=False),
              st.text(max_size=4)),
    lambda children: st.one_of(st.lists(children, max_size=3), st.tuples(children, children)), max_leaves=8))
def test_encode_decode_round_trip(value):
    back = decode(encode(value))

    def same(a, b):
        if isinstance(a, (list, tuple)):
            return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        if isinstance(a, int) and not isinstance(a, bool) and abs(a) >= 2 ** 53:
            return b == float(a)
        return a == b and type(a) is type(b)
    assert same(value, back)


def test_encode_arrays_and_refuse_objects():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    back = decode(encode((a, np.int64(3), np.float64(0.5))))
    assert back[0].dtype == np.float32 and np.array_equal(back[0], a) and back[1] == 3 and back[2] == 0.5
    assert repr(decode(encode(np.array([object()], dtype=object)))).startswith("<array of dtype object")
    assert repr(decode({"nd": "bm90IGFuIG5weQ=="})) == "<malformed object>"
    assert repr(decode({"pickle": "x"})) == "<malformed object>"


def test_private_tests_add_cases(tmp_path):
    (tmp_path / "private.py").write_text(
        "import numpy as np\n"
        "from coursekit.activations import sigmoid\n"
        "from coursekit.exercises import Case, Exercise\n"
        "def more():\n"
        "    x, w0, w = np.array([0.5, 0.5]), -1.0, np.array([1.0, 1.0])\n"
        "    return [Case('private: on the decision line', (x, w0, w), expected=sigmoid(w0 + x @ w))]\n"
        "EXTRA_CASES = {'perceptron_forward': more}\n"
        "EXERCISES = [Exercise('double', '99', 1, 'double(x)', 'x * 2',\n"
        "                      lambda: [Case('2 -> 4', (2.0,), expected=4.0)])]\n")
    registry = load_tests(tmp_path)
    assert len(registry["perceptron_forward"].cases()) == len(EXERCISES["perceptron_forward"].cases()) + 1
    assert registry["perceptron_forward"].cases()[-1].label.startswith("private")
    assert "double" in registry and "double" not in EXERCISES
    from coursekit.exercises._judging import run_check
    assert run_check(registry["double"], lambda x: 2 * x).passed


def test_broken_private_tests_name_the_file(tmp_path):
    (tmp_path / "bad.py").write_text("EXTRA_CASES = {'nope': lambda: []}\n")
    with pytest.raises(ValueError, match=r"bad\.py.*unknown exercise 'nope'"):
        load_tests(tmp_path)
    with pytest.raises(ValueError, match="must be a directory"):
        load_tests(tmp_path / "missing")


def test_custom_case_judge_failure_is_a_failed_case():
    exercise = Exercise("x", "00", 1, "x(a)", "", lambda: [Case("c", (1,), assess=lambda out, case: 1 / 0)])
    from coursekit.exercises._judging import run_check
    result = run_check(exercise, lambda a: a)
    assert result.status == "failed" and "ZeroDivisionError" in result.message
