"""The exercise test sets and check(), in-process (no kernel): fast.

Proves for every exercise: the reference solution passes, the stub is "not attempted", each typical
wrong answer fails with its hint; and that check() never raises, whatever it is given.
"""

from __future__ import annotations

import inspect
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from solutions import reference as R  # noqa: E402
from solutions import reference_reasoning as RR  # noqa: E402
from solutions import wrong as W  # noqa: E402
from solutions.wrong import WRONG  # noqa: E402

from coursekit.exercises import EXERCISES, Case, Exercise, check, load_tests, names, total_points  # noqa: E402
from coursekit.exercises._wire import decode, encode  # noqa: E402
from coursekit.exercises.questions import EXERCISES as _QUESTIONS  # noqa: E402
from coursekit.exercises import digits as D  # noqa: E402
from coursekit.exercises._seal import sealed  # noqa: E402

CONTRACT = {   # name -> (notebook, points) of the code exercises, in notebook order
    "perceptron_forward": ("01", 2), "sigmoid_derivative": ("02", 1), "tanh_derivative": ("02", 1),
    "relu_derivative": ("02", 1), "leaky_relu_derivative": ("02", 1), "dense_forward": ("03", 2),
    "binary_cross_entropy": ("04", 2), "mean_squared_error": ("04", 2), "sigmoid_mse_gradient": ("04", 2),
    "gradient_descent_step": ("05", 1), "gradient_descent": ("05", 2), "pick_learning_rate": ("05", 1),
    "backprop": ("06", 3), "backprop_fixed": ("06", 3), "adam_step": ("07", 3), "momentum_step": ("07", 2),
    "make_minibatches": ("08", 2), "dropout_forward": ("09", 2), "early_stopping_epoch": ("09", 2),
    "dropout_backward": ("09", 1),
    "train_digits_model": ("10", 4),
}


def answer(name):
    """The reference answer: a function, or the value an object exercise's reference returns."""
    source = R if hasattr(R, name) else RR
    func = getattr(source, name)
    return func() if EXERCISES[name].kind == "object" else func


def _as_answer(name, func):
    """A wrong answer: object exercises keep theirs as a function of no arguments returning it."""
    return func() if EXERCISES[name].kind == "object" else func


# ------------------------------------------------------------------------------------ the contract
QUESTIONS = {q.name for q in _QUESTIONS}     # tested in test_questions.py
CODE = {n: e for n, e in EXERCISES.items() if n not in QUESTIONS}


def test_registry_matches_the_contract():
    assert {n: (e.notebook, e.points) for n, e in CODE.items()} == CONTRACT
    assert [n for n in names() if n in CODE] == list(CONTRACT)
    assert total_points() == sum(e.points for e in EXERCISES.values())


@pytest.mark.parametrize("name", [n for n, e in EXERCISES.items() if e.kind == "function"])
def test_reference_solutions_have_the_contract_signature(name):
    params = list(inspect.signature(answer(name)).parameters)
    assert params == EXERCISES[name].params


@pytest.mark.parametrize("name", list(CODE))
def test_every_exercise_has_several_cases_and_hints(name):
    exercise = EXERCISES[name]
    assert len(exercise.cases()) >= (1 if exercise.kind == "object" else 4)
    if exercise.kind == "function":
        assert len(exercise.mistakes) >= 2


def test_cases_are_deterministic():
    """The kernel and the grader build the cases separately: they must agree exactly."""
    for exercise in EXERCISES.values():
        if exercise.secret:          # new secret folds at every build (train_digits_model): tested below
            continue
        fresh = Exercise(**{**exercise.__dict__, "_cases": None}).cases()
        for a, b in zip(exercise.cases(), fresh):
            assert a.label == b.label
            assert encode(a.args) == encode(b.args) or callable(a.args[0])


# ------------------------------------------------------------------ solutions, stubs, wrong answers
@pytest.mark.parametrize("name", list(CODE))
def test_reference_solution_scores_full_points(name):
    result = check(name, answer(name), show=False)
    assert result.status == "passed", str(result)
    assert result.points == result.max_points == EXERCISES[name].points


@pytest.mark.parametrize("name", [n for n, e in EXERCISES.items() if e.kind == "function"])
def test_stub_is_not_attempted(name):
    namespace = {}
    exec(f"def {EXERCISES[name].signature}:\n    # YOUR CODE HERE\n    raise NotImplementedError()\n", namespace)
    result = check(name, namespace[name], show=False)
    assert result.status == "not attempted" and result.points == 0
    assert "not attempted yet" in str(result)


def test_none_answer_is_not_attempted():
    result = check("train_digits_model", None, show=False)
    assert result.status == "not attempted" and result.points == 0


@pytest.mark.parametrize("name, hint, func", WRONG, ids=[f"{n}-{f.__name__}" for n, _, f in WRONG])
def test_typical_wrong_answer_loses_points_with_its_hint(name, hint, func):
    result = check(name, _as_answer(name, func), show=False)
    assert result.points < result.max_points and result.status in ("failed", "partial")
    texts = [f"{c.message} {c.hint or ''}" for c in result.cases if not c.passed]
    assert any(hint in t for t in texts), str(result)
    assert hint in result.message     # the first failing case carries it: that is what the grader's table shows


def test_every_exercise_has_a_wrong_answer_in_the_catalogue():
    assert {n for n, _, _ in WRONG} == set(CODE)


def test_lecture_example_is_the_first_perceptron_case():
    case = EXERCISES["perceptron_forward"].cases()[0]
    assert "0.002" in case.label and round(float(case.expected), 3) == 0.002


# ------------------------------------------------------------------- train_digits_model (issue 13)
def _held_out(X):
    """The held-out labels of the fold whose X_test is ``X``, among the cases check() uses here (cached)."""
    for case in EXERCISES["train_digits_model"].cases():
        if case.args[2].shape == X.shape and np.array_equal(case.args[2], X):
            return case.expected
    raise AssertionError("not one of the held-out sets")


class _Oracle:
    """A "model" that knows the held-out labels and gets (at least) ``accuracy`` of every fold right."""

    def __init__(self, accuracy):
        self.accuracy = accuracy

    def predict(self, X):
        y = _held_out(X).copy()
        wrong = int((1 - self.accuracy) * len(y))
        y[:wrong] = (y[:wrong] + 1) % 10
        return np.eye(10)[y]


@pytest.mark.parametrize("accuracy, points", [(0.99, 4), (0.9401, 4), (0.9175, 3), (0.895, 2), (0.8725, 1),
                                              (0.85, 0), (0.5, 0)])
def test_digits_credit_is_linear_between_the_thresholds(accuracy, points):
    result = check("train_digits_model", lambda X_train, y_train: _Oracle(accuracy), show=False)
    assert result.points == pytest.approx(points, abs=0.11), str(result)
    assert result.status == ("passed" if points == 4 else "partial" if points else "failed")
    if points < 4:
        shown = float(re.search(r"held-out accuracy (\d\.\d+)", result.message).group(1))
        assert shown == pytest.approx(accuracy, abs=0.003) and "full points need 0.94" in result.message


def test_digits_fold_credit_reads_only_the_graders_own_message():
    from coursekit.exercises._results import CaseResult
    assert D.fold_credit(CaseResult("fold", True)) == 1
    assert D.fold_credit(CaseResult("fold", False, "held-out accuracy 0.895 on this fold")) == pytest.approx(0.5)
    assert D.fold_credit(CaseResult("fold", False, "raised ValueError: held-out accuracy 1.000")) == 0
    assert D._score([CaseResult("fold", True)] * 3 + [CaseResult("fold", False, "held-out accuracy 0.939")], []) == 3.9


@pytest.mark.parametrize("cheat", [W.digits_lookup_table, W.digits_pretrained_on_everything],
                         ids=["lookup-table-of-the-shipped-images", "trained-on-shipped-X_train-and-X_test"])
def test_digits_answers_from_the_shipped_data_score_zero_with_the_renaming_hint(cheat):
    result = check("train_digits_model", cheat, show=False)
    assert result.points == 0 and result.status == "failed"
    assert all(not c.passed and "renames the digits" in c.hint for c in result.cases), str(result)
    assert "renames the digits" in result.message


def test_digits_data_files_cannot_be_read_while_the_model_trains():
    def train_digits_model(X_train, y_train):
        from coursekit.datasets import load_digits
        X, y = load_digits()          # the seal empties load_digits' cache: this has to read the file
        return R.train_digits_model(X, y)
    result = check("train_digits_model", train_digits_model, show=False)
    assert result.points == 0 and "PermissionError" in result.message
    assert "the digits data files cannot be read while your model trains" in result.message
    from coursekit.datasets import load_digits
    assert load_digits()[0].shape == (1797, 64)       # readable again afterwards


def test_the_seal_refuses_data_files_and_programs_only_while_sealed(tmp_path):
    import os
    import subprocess

    import coursekit
    from coursekit.exercises._seal import is_sealed
    data = Path(coursekit.__file__).resolve().parent / "data" / "digits.npz"
    (tmp_path / "link.npz").symlink_to(data)
    with sealed():
        for path in (data, tmp_path / "link.npz", str(data.parent / ".." / "data" / "digits.npz"), data.parent):
            with pytest.raises(PermissionError, match="cannot be read while your model trains"):
                os.open(path, os.O_RDONLY)
        with pytest.raises(PermissionError, match="no other program can be started"):
            subprocess.run(["true"])
        with pytest.raises(PermissionError, match="no other program can be started"):
            os.system("true")
        (tmp_path / "mine.txt").write_text("other files are fine")
        with pytest.raises(ValueError):
            with sealed():             # nested, and left by an exception
                raise ValueError
        assert is_sealed()
    assert not is_sealed()
    with open(tmp_path / "link.npz", "rb"):
        pass
    assert subprocess.run([sys.executable, "-c", "pass"]).returncode == 0


def test_the_seal_refuses_to_start_when_its_audit_hook_would_be_a_stand_in(monkeypatch):
    """A notebook that replaced sys.addaudithook before grading would leave the seal without a hook."""
    from coursekit.exercises import _seal
    monkeypatch.setattr(_seal._STATE, "installed", False)       # as in a fresh grading kernel
    monkeypatch.setattr(sys, "addaudithook", lambda hook: None)
    with pytest.raises(PermissionError, match="your notebook replaced sys.addaudithook"):
        with sealed():
            pass
    assert not _seal.is_sealed()


@pytest.mark.parametrize("model, fragment", [
    (lambda X_train, y_train: 42, "must return the trained model"),
    (lambda X_train, y_train: type("M", (), {"predict": lambda self, X: np.zeros((len(X), 9))})(),
     "one row of 10 class probabilities per held-out image"),
    (lambda X_train, y_train: type("M", (), {"predict": lambda self, X: None})(),
     "model.predict(X_test) returned None"),
], ids=["not-a-model", "nine-columns", "predict-returns-None"])
def test_digits_answers_that_are_not_a_trained_model_are_explained(model, fragment):
    result = check("train_digits_model", model, show=False)
    assert result.points == 0 and fragment in result.message, str(result)


def test_digits_folds_are_secret_new_data_each_digit_held_out_once():
    from coursekit.datasets import load_digits
    X, y = load_digits()
    first, second = D.held_out_cases(), D.held_out_cases()
    assert not np.array_equal(first[0].expected, second[0].expected)      # a new secret draw each build
    seeded, again = D.held_out_cases(seed=3), D.held_out_cases(seed=3)
    assert all(np.array_equal(a.args[0], b.args[0]) for a, b in zip(seeded, again))
    assert sum(len(c.expected) for c in seeded) == len(y)
    shipped_sq = (X ** 2).sum(1)
    for case in seeded:
        X_train, y_train, X_test = case.args
        assert X_train.dtype == np.float32 and X_train.shape[1] == 64 and len(X_train) + len(X_test) == len(y)
        assert np.abs(np.bincount(case.expected, minlength=10) - np.bincount(y, minlength=10)[
            np.argsort(np.argsort(np.bincount(case.expected, minlength=10)))] / 4).max() <= 45  # every digit held out
        rows = X_test.astype(float)
        distance = (rows ** 2).sum(1)[:, None] - 2 * rows @ X.T + shipped_sq[None, :]
        assert np.sqrt(np.maximum(distance, 0)).min() > 0.2               # no held-out row is a shipped image
    rng = np.random.default_rng(0)
    assert all(np.all(D.derangement(10, rng) != np.arange(10)) for _ in range(200))
    folds = D.stratified_folds(y, 4, rng)
    assert all(abs(np.sum((folds == k) & (y == d)) - np.sum(y == d) / 4) < 1 for k in range(4) for d in range(10))


def test_overflow_hint_for_a_naive_tanh():
    def tanh_derivative(z):
        t = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
        return 1 - t ** 2
    result = check("tanh_derivative", tanh_derivative, show=False)
    assert result.points < 1 and "np.tanh" in result.message and "NaN" in result.message


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
def test_display_text_and_html_are_deterministic():
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


# ---------------------------------------------------------------------------------- partial credit
def test_each_passed_case_earns_its_share():
    def relu_slip(z):                       # right everywhere but at z = 0
        return (np.asarray(z) >= 0).astype(float)
    result = check("relu_derivative", relu_slip, show=False)
    cases = EXERCISES["relu_derivative"].cases()
    passed = [c for c, r in zip(cases, result.cases) if r.passed]
    assert result.status == "partial" and 0 < result.points < 1
    assert result.points == round(len(passed) / len(cases), 2)


def test_do_nothing_answers_earn_nothing():
    for answer in (lambda z: np.zeros_like(np.asarray(z, dtype=float)), lambda z: z,
                   lambda z: np.ones_like(np.asarray(z, dtype=float))):
        assert check("relu_derivative", answer, show=False).points == 0


def test_a_case_that_changes_its_arguments_costs_the_exercise():
    def sigmoid_derivative(z):
        g = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
        if isinstance(z, np.ndarray) and z.ndim == 2:
            z *= 0                          # right values, but the caller's array is gone
        return g * (1 - g)
    result = check("sigmoid_derivative", sigmoid_derivative, show=False)
    assert sum(c.passed for c in result.cases) == len(result.cases) - 1 and result.points == 0


def test_failures_show_the_idea_before_the_slip():
    result = check("relu_derivative", lambda z: (np.asarray(z) >= 0).astype(float), show=False)
    text, html = str(result), result._repr_html_()
    assert text.index("idea:") < text.index("hint:") and "Concept:" in result.message
    assert html.index("idea:") < html.index("hint:")


# ------------------------------------------------------------------------------ inputs drawn for grading
def _key(args, kwargs):
    def part(a):
        if isinstance(a, np.random.Generator):
            return ("rng", repr(a.bit_generator.state))
        if isinstance(a, (list, tuple)):
            return tuple(part(x) for x in a)
        if callable(a):
            return ("callable",)
        arr = np.asarray(a)
        return (arr.dtype.str, arr.shape, arr.tobytes())
    return part(tuple(args)), tuple(sorted((k, part(v)) for k, v in kwargs.items()))


def _lookup_answer(exercise, reference):
    """What a student can prepare in a cell: the reference's outputs on every input check() shows."""
    import copy
    table = {}

    def recording(*args, **kwargs):
        key = _key(args, kwargs)
        value = reference(*args, **kwargs)
        table[key] = copy.deepcopy(value)
        return value

    from coursekit.exercises._spec import quiet
    with quiet():
        for case in exercise.cases():
            case.run(recording)

    def lookup(*args, **kwargs):
        return copy.deepcopy(table[_key(args, kwargs)])
    return lookup


def _references():
    found = {}
    for name, exercise in EXERCISES.items():
        ref = getattr(R, name, None) or getattr(RR, name, None)
        if exercise.kind == "function" and not exercise.secret and callable(ref):
            found[name] = ref
    return found


def test_every_code_exercise_has_a_case_drawn_afresh_for_grading():
    from coursekit.exercises._spec import drawn_for_grading
    public = {n: [c.args for c in e.cases()] for n, e in EXERCISES.items()}
    for secret in (1, 2):
        with drawn_for_grading(secret):
            for name, exercise in EXERCISES.items():
                if exercise.kind != "function" or exercise.secret:
                    continue
                cases = exercise.cases()
                assert any(c.drawn for c in cases), f"{name}: no case is drawn afresh for grading"
                assert not all(c.drawn for c in cases) or name in ("dense_forward", "gradient_descent", "backprop",
                                                                  "backprop_fixed", "dropout_backward"), name
                assert exercise.cases() is cases                 # one build per grading run
    for name, exercise in EXERCISES.items():                     # check() still sees the public cases
        assert all(not c.drawn for c in exercise.cases())
        assert len(exercise.cases()) == len(public[name])


@pytest.mark.parametrize("name", sorted(_references()))
def test_outputs_looked_up_for_the_shown_inputs_earn_nothing_when_grading(name):
    from coursekit.exercises._judging import LOOKED_UP
    from coursekit.exercises._spec import drawn_for_grading
    exercise, reference = EXERCISES[name], _references()[name]
    lookup = _lookup_answer(exercise, reference)
    assert check(name, lookup, show=False).points == exercise.points      # check() shows only public inputs
    with drawn_for_grading(20261207):
        looked_up = check(name, lookup, show=False)
        honest = check(name, reference, show=False)
        some_public = not all(c.drawn for c in exercise.cases())
    assert looked_up.points == 0, looked_up.message
    assert LOOKED_UP in looked_up.message or not some_public, looked_up.message    # else every case is new
    assert honest.points == exercise.points, honest.message
