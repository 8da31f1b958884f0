r"""Graded exercises: one test set per exercise, shared by ``check()`` in the notebook and ``coursekit grade``.

The contract
============
The notebooks contain these stubs (``# YOUR CODE HERE`` / ``raise NotImplementedError``); the name in
the first column is the key for ``check(name, obj)`` and the grading report.

=====================  ==  ==================================================================  ======
name                   nb  what the student writes                                             points
=====================  ==  ==================================================================  ======
perceptron_forward     01  ``perceptron_forward(x, w0, w)`` -> sigmoid(w0 + x·w); x of shape        2
                           (n_features,) gives a number, (n, n_features) gives shape (n,).
                           Lecture: x=[-1, 2], w0=1, w=[3, -2] -> g(-6) ≈ 0.002
sigmoid_derivative     02  ``sigmoid_derivative(z)`` -> g(z)(1 - g(z)), elementwise                 1
tanh_derivative        02  ``tanh_derivative(z)`` -> 1 - tanh(z)², elementwise                      1
relu_derivative        02  ``relu_derivative(z)`` -> 1 where z > 0 else 0 (0 at z = 0)              1
dense_forward          03  ``dense_forward(X, W, b, g)`` -> g(X @ W + b); X (n, n_in),              2
                           W (n_in, n_out), b (n_out,), g an activation function
binary_cross_entropy   04  ``binary_cross_entropy(y, y_hat)`` -> -mean(y log ŷ + (1-y) log(1-ŷ))    2
mean_squared_error     04  ``mean_squared_error(y, y_hat)`` -> mean((y - ŷ)²)                       2
gradient_descent_step  05  ``gradient_descent_step(w, grad, learning_rate)`` -> w - η grad          1
gradient_descent       05  ``gradient_descent(grad_fn, w0, learning_rate, steps)`` -> final w     2
                           after steps updates w <- w - η grad_fn(w)
backprop               06  ``backprop(X, y, W1, b1, W2, b2)`` -> (dW1, db1, dW2, db2) for           3
                           sigmoid(sigmoid(X W1 + b1) W2 + b2) and the mean binary
                           cross-entropy; y of shape (n, 1); each gradient shaped like its
                           parameter (db1 (n_hidden,), db2 (1,))
adam_step              07  ``adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9,               3
                           beta_2=0.999, epsilon=1e-8)`` -> (w, m, v); t counts from 1;
                           bias-corrected, ε outside the root (Kingma & Ba, torch.optim)
make_minibatches       08  ``make_minibatches(X, y, batch_size, rng)`` -> list of (X_batch,        2
                           y_batch): shuffled with ``rng`` (a numpy Generator), every sample
                           once, the last batch may be smaller (a generator is accepted too)
dropout_forward        09  ``dropout_forward(a, rate, rng)`` -> inverted dropout: drop with         2
                           probability rate (random numbers from ``rng``), scale kept by
                           1/(1 - rate)
early_stopping_epoch   09  ``early_stopping_epoch(val_losses, patience, min_delta=0.0)`` -> the     2
                           0-based epoch after which Keras' EarlyStopping stops (an improvement
                           must beat the best by more than min_delta; stop once ``patience``
                           epochs in a row brought none), or the last epoch if it never stops
=====================  ==  ==================================================================  ======

Reasoning exercises (:mod:`coursekit.exercises.reasoning`: what the notebook does not show):
``leaky_relu_derivative(z, alpha=0.01)`` (02, 1), ``sigmoid_mse_gradient(X, y, w0, w)`` (04, 2), the
variable ``picked_learning_rate`` graded by running gradient descent with it (05, 1),
``backprop_fixed(X, y, W1, b1, W2, b2)`` (06, 3: the bugs of a given backprop found and fixed),
``momentum_step(w, g, velocity, learning_rate=0.01, momentum=0.9)`` (07, 2, torch.optim.SGD's
convention), ``dropout_backward(grad_output, keep, rate)`` (09, 1: the gradient through inverted dropout). Notebook 10: ``train_digits_model(X_train, y_train)`` (4) returns a trained model; the
grader trains it on digits the student never saw (labels renamed, pixels perturbed, the shipped data
files unreadable while it runs) and scores the held-out accuracy (:mod:`coursekit.exercises.digits`).

Questions (:mod:`coursekit.exercises.questions`, 1 point each): the variable ``NAME`` holds a number or
the letter of an option; numbers are judged within a tolerance of the value the kit computes when
grading, choices against a salted digest of the right letter.

Functions must not change their array arguments in place, except ``gradient_descent_step``,
``adam_step`` and ``momentum_step`` (``gradient_descent`` works on a copy of ``w0``).

Scoring: each passed case earns its share of the points (rounded to 0.01); cases that a do-nothing
answer (zeros, ones, its own input) passes too earn nothing unless every case passes. An answer that changes its
arguments in place, or that calls an implementation the exercise bans (``Exercise.bans``: coursekit's
own version of the concept, torch, keras, sklearn ...; watched while each case runs, see
:mod:`coursekit.exercises._bans`), earns nothing. A failure shows the idea first (``Exercise.concept``),
then the hint of the typical mistake it matches.

In the notebook
===============
``check("sigmoid_derivative", sigmoid_derivative)`` runs the exercise's cases (with a time limit,
default 10 s), shows ✓/✗ per case with a hint for typical mistakes, and returns an
:class:`ExerciseResult` (``points``, ``max_points``, ``status``, ``cases``). It never raises: a stub that
still raises ``NotImplementedError`` (or ``None``) shows "not attempted yet".

Notebook conventions read by the grader (``coursekit grade``)
==============================================================
* What is graded comes from the kit, never from the submission: ``--notebook NN`` (every
  submission graded on notebook NN's exercises), else the notebook the submission names in its
  metadata, ``{"coursekit": {"notebook": "04"}}`` (the shipped notebooks carry it), else a ``NN_``
  file name, else all the kit's exercises. ``--exercises NAME,...`` grades exactly those. An exercise
  deleted or renamed in the submission scores 0 ("not found in the submission"). The metadata and
  the file name are the student's to change: pass ``--notebook`` when that matters (the table warns
  when the submissions of one run were graded as different notebooks).
* The exercise cell of a function exercise holds ``def NAME(...):`` with the body ``# YOUR CODE HERE``
  / ``raise NotImplementedError``. A question's (or ``picked_learning_rate``'s) cell holds
  ``NAME = None  # YOUR ANSWER HERE`` and *no* raise (Run All must complete; ``check`` then says "not
  attempted yet").
* The grader skips cells that only call ``check("NAME", obj)`` (it runs the same tests itself) and
  runs every other code cell, so a notebook must be able to run top to bottom in a fresh kernel
  (``--cell-timeout``, default 120 s per cell, bounds training cells).
  Tagging the cell ``exercise:NAME`` is recommended (the reference-solution filler in ``tests/`` uses
  the tag, or else finds the ``def``).

Private instructor tests (``coursekit grade --tests DIR``)
==========================================================
Every ``*.py`` file in DIR is loaded by the grader only: a student's kernel receives the inputs of
the cases and nothing else (no expected values, no case objects, not the file), and outputs are judged
in the grader's process. A file may define

* ``EXTRA_CASES = {"perceptron_forward": build, ...}``: ``build()`` returns a list of :class:`Case`
  that are added to that exercise's built-in cases;
* ``EXERCISES = [Exercise(...), ...]``: new exercises (new names).

Random inputs drawn with ``case_rng(seed)`` (instead of ``numpy.random.default_rng(seed)``) are drawn
afresh for every ``coursekit grade`` run: a case whose inputs differ from the ones ``check()`` shows is
*drawn*, and an answer right on every public case but wrong on a drawn one earns nothing for the
exercise (its outputs were looked up, not computed). Every built-in code exercise has such a case.

A case's ``call``, when it needs one, names one of the kit's calls
(``coursekit.exercises._calls.CALLS``), since only names travel to the kernel; a custom comparison
goes in ``assess(output, case)``, which runs in the grader. Example::

    import numpy as np
    from coursekit.activations import sigmoid
    from coursekit.exercises import Case

    def more_perceptron_cases():
        x, w0, w = np.array([0.5, 0.5]), -1.0, np.array([1.0, 1.0])
        return [Case("private: on the decision line", (x, w0, w), expected=sigmoid(w0 + x @ w))]

    EXTRA_CASES = {"perceptron_forward": more_perceptron_cases}
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import os
import sys

from . import activations as _activations_set
from . import adam as _adam_set
from . import backprop as _backprop_set
from . import dense as _dense_set
from . import descent as _descent_set
from . import digits as _digits_set
from . import losses as _losses_set
from . import minibatches as _minibatches_set
from . import perceptron as _perceptron_set
from . import questions as _questions_set
from . import reasoning as _reasoning_set
from . import regularization as _regularization_set
from ._judging import run_check
from ._results import CaseResult, ExerciseResult, _execution_count, _show
from ._spec import DEFAULT_TIME_LIMIT, Case, Exercise, Mistake, case_rng

__all__ = ["check", "get", "names", "EXERCISES", "Case", "Mistake", "Exercise", "ExerciseResult", "CaseResult",
           "total_points", "load_tests", "case_rng"]

#: Every built-in graded item (code exercises and questions) by name, in notebook order (a stable sort:
#: within a notebook, the order of the modules below).
EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise
    for exercise in sorted(
        (exercise
         for module in (_perceptron_set, _activations_set, _dense_set, _losses_set, _descent_set, _backprop_set,
                        _adam_set, _minibatches_set, _regularization_set, _digits_set, _reasoning_set,
                        _questions_set)
         for exercise in module.EXERCISES),
        key=lambda exercise: exercise.notebook)
}


def names() -> list[str]:
    """The exercise names, in notebook order."""
    return list(EXERCISES)


def total_points() -> float:
    return float(sum(e.points for e in EXERCISES.values()))


def get(name: str, registry: dict | None = None) -> Exercise:
    """The exercise called ``name``; an unknown name lists the known ones."""
    registry = EXERCISES if registry is None else registry
    if not isinstance(name, str) or name not in registry:
        known = ", ".join(repr(n) for n in registry)
        raise ValueError(f"unknown exercise {name!r}; known exercises: {known}")
    return registry[name]


def check(name, obj, *, time_limit: float = DEFAULT_TIME_LIMIT, show: bool = True) -> ExerciseResult:
    """Run the tests of exercise ``name`` on ``obj`` (your function, or ``model``) and show the result.

    Parameters
    ----------
    name : str
        The exercise, e.g. ``"sigmoid_derivative"`` (see the table in :mod:`coursekit.exercises`).
    obj : function or object
        Your answer: the function you wrote, or a question's number or letter.
    time_limit : float
        Seconds allowed for all cases together; a function that loops is stopped.
    show : bool
        Display the result (HTML in Jupyter, text elsewhere).

    Returns
    -------
    ExerciseResult
        ``points``, ``max_points``, ``status`` and one :class:`CaseResult` per case. Never raises.
    """
    try:
        exercise = get(name)
    except ValueError as error:
        result = ExerciseResult(str(name)[:60], 0, 0, "error", str(error))
    else:
        try:
            limit = float(time_limit)
        except (TypeError, ValueError):
            limit = DEFAULT_TIME_LIMIT
        result = run_check(exercise, obj, limit)
    if show:
        try:
            _show(result)
            result._shown_in = _execution_count()
        except Exception:       # pragma: no cover - showing must never break the notebook
            pass
    return result


# ------------------------------------------------------------------------------------------------
# Private instructor tests
# ------------------------------------------------------------------------------------------------
def _load_file(path: str):
    digest = hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:12]
    stem = "".join(c if c.isalnum() else "_" for c in os.path.splitext(os.path.basename(path))[0])
    module_name = f"_coursekit_private_tests_{digest}_{stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def _private(cases) -> list:
    """Cases from an instructor's test file: hidden from students unless they say ``hidden=False``."""
    return [dataclasses.replace(c, hidden=True) if c.hidden is None else c for c in cases]


def load_tests(directory, registry: dict | None = None) -> dict[str, Exercise]:
    """A copy of ``registry`` (default: the built-in exercises) extended by the test files in ``directory``.

    See "Private instructor tests" above for the file format. Raises ``ValueError`` naming the file
    when a file is broken.
    """
    registry = dict(EXERCISES if registry is None else registry)
    if directory is None:
        return registry
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"--tests must be a directory of *.py test files; received {directory!r}")
    for filename in sorted(os.listdir(directory)):
        if not filename.endswith(".py") or filename.startswith("_"):
            continue
        path = os.path.join(directory, filename)
        try:
            module = _load_file(path)
        except Exception as error:
            raise ValueError(f"could not load the test file {path}: {type(error).__name__}: {error}") from None
        for exercise in getattr(module, "EXERCISES", []) or []:
            if not isinstance(exercise, Exercise):
                raise ValueError(f"{path}: EXERCISES must hold coursekit.exercises.Exercise objects; "
                                 f"received {type(exercise).__name__}")
            if exercise.name in registry:
                raise ValueError(f"{path}: an exercise called {exercise.name!r} exists already; use "
                                 f"EXTRA_CASES = {{{exercise.name!r}: build}} to add cases to it")
            registry[exercise.name] = dataclasses.replace(
                exercise, build_cases=lambda build=exercise.build_cases: _private(build()), _cases=None, _drawn={})
        for name, build in (getattr(module, "EXTRA_CASES", {}) or {}).items():
            if name not in registry:
                raise ValueError(f"{path}: EXTRA_CASES names an unknown exercise {name!r}; known: "
                                 + ", ".join(registry))
            if not callable(build):
                raise ValueError(f"{path}: EXTRA_CASES[{name!r}] must be a function returning a list of Case")
            base = registry[name]

            def combined(base_build=base.build_cases, extra=build):
                return list(base_build()) + _private(extra())

            registry[name] = dataclasses.replace(base, build_cases=combined, _cases=None, _drawn={})
    return registry
