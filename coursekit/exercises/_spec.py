"""What an exercise is: its cases (inputs, reference output), its typical mistakes, its points.

These objects live in the grader's process (and, for ``check()``, in the notebook). A student's
kernel never receives them: ``coursekit grade`` sends it only the *inputs* of each case
(:func:`coursekit.exercises._wire.job`), and judges what comes back in its own process.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import functools
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

#: Default time limit for one exercise (all its cases together), in seconds.
DEFAULT_TIME_LIMIT = 10.0


@dataclass
class Case:
    """One test of an exercise.

    Parameters
    ----------
    label : str
        What the case tests, shown to the student ("lecture example: x = [-1, 2] ...").
    args, kwargs :
        The arguments passed to the student's function (copied for every call). Numbers, strings,
        numpy arrays, lists/tuples of them and numpy ``Generator`` objects: what travels to a kernel.
    expected :
        The reference output (computed with coursekit), compared by ``compare``.
    assess : callable, optional
        ``assess(output, case) -> None | str``: a custom comparison returning ``None`` when the output
        is right and otherwise a message saying what is wrong. Replaces the default comparison.
    call : str, optional
        How to call the function, by the name of one of :data:`coursekit.exercises._calls.CALLS`
        (default: ``func(*args, **kwargs)``); e.g. ``"three_steps"`` or ``"predict"``.
    rtol, atol : float
        Tolerances of the default comparison (``numpy.allclose``).
    hint : str, optional
        Shown when this case fails and no typical mistake matches.
    names : tuple of str, optional
        Names of the parts of a tuple output, used in messages (e.g. ``("dW1", "db1", "dW2", "db2")``).
    bind : bool
        Whether ``args``/``kwargs`` are exactly what the function receives, so that a wrong signature
        is reported before anything runs (set ``False`` for a ``call`` that passes other arguments).
    hidden : bool, optional
        Whether students see only pass/fail for this case (feedback pages, Gradescope). Default:
        hidden for cases from the instructor's ``--tests`` files, visible for the kit's own.
    drawn : bool
        Set by :meth:`Exercise.cases` under :func:`drawn_for_grading`: this case's inputs were drawn for
        this grading run (its builder's :func:`case_rng`), so no notebook could have seen them.
    """

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    assess: Callable | None = None
    call: str | None = None
    rtol: float = 1e-5
    atol: float = 1e-8
    hint: str | None = None
    names: tuple | None = None
    bind: bool = True
    hidden: bool | None = None
    drawn: bool = False

    def __post_init__(self):
        if self.call is not None:
            from ._calls import CALLS
            if not isinstance(self.call, str) or self.call not in CALLS:
                raise ValueError(f"Case {self.label!r}: call must name one of {', '.join(sorted(CALLS))} "
                                 f"(calls run in the student's kernel, so they are the kit's own); "
                                 f"received {self.call!r}")

    def run(self, func):
        """Call ``func`` on fresh copies of the arguments (in this process); return its output."""
        from ._calls import call_case
        return call_case(func, self.call, copy.deepcopy(self.args), copy.deepcopy(self.kwargs))


@dataclass
class Mistake:
    """A typical wrong answer and the hint that explains it.

    ``hint`` is a string, or a function ``hint(case) -> str`` for a worked example specific to the case.
    Give either ``impl`` (a wrong implementation with the exercise's signature: the student's output
    matches the mistake when it equals ``impl``'s output on the same case) or ``detect``
    (``detect(output, case) -> bool``, for outputs that are random, e.g. dropout masks).
    """

    hint: Any
    impl: Callable | None = None
    detect: Callable | None = None


@dataclass
class Exercise:
    """An exercise: what the student writes, its test cases, points and typical mistakes.

    Parameters
    ----------
    name : str
        The key used by ``check(name, obj)`` and in grading reports.
    notebook : str
        The notebook it belongs to ("01" ... "10"); ``coursekit grade`` grades a notebook on the
        exercises of its number, whatever the submission says.
    points : float
        Points for a fully correct answer.
    signature : str
        The contract, e.g. ``"perceptron_forward(x, w0, w)"``.
    summary : str
        One line saying what to compute.
    build_cases : callable
        ``build_cases() -> list[Case]``; deterministic (fixed seeds).
    mistakes : list of Mistake
    kind : {"function", "object"}
        A function the student writes, or an object (e.g. a trained model) the notebook defines.
    variable : str, optional
        The notebook variable holding the answer (default: ``name``).
    pure : bool
        The function must not change its array arguments in place.
    score : callable, optional
        ``score(results: list[CaseResult], outputs: list) -> float`` for partial credit; by default
        each passed case earns its share of the points.
    concept : str, optional
        The first-stage hint: the idea the exercise is about, shown with any failure (before the
        specific slip a typical mistake or the case explains).
    inplace_hint : str, optional
        The hint for an answer that changed its array arguments in place (default: a general one).
    options : dict, optional
        A choice question's options, ``{"a": "text", ...}``; the answer is one of the letters.
    explain : str, optional
        Shown once the answer is right: why it is right (a question's explanation).
    bans : tuple of str
        What the answer may not call while a case runs: ``"module:qualname"`` prefixes (e.g.
        ``"coursekit.activations:sigmoid_derivative"``, ``"torch"``). A case whose answer calls one
        earns nothing, with a message naming it ("write it with numpy: ...").
    secret : bool
        The cases are drawn afresh, from a secret seed, at every build (``train_digits_model``'s
        held-out folds): the kernel never rebuilds them, and they are not deterministic.
    time_limit : float, optional
        Seconds this exercise gets at least, whatever ``check(time_limit=...)`` or ``--timeout`` says
        (training a model takes longer than the default).
    """

    name: str
    notebook: str
    points: float
    signature: str
    summary: str
    build_cases: Callable[[], list]
    mistakes: list = field(default_factory=list)
    kind: str = "function"
    variable: str | None = None
    pure: bool = True
    score: Callable | None = None
    concept: str | None = None
    explain: str | None = None
    options: dict | None = None
    inplace_hint: str | None = None
    bans: tuple = ()
    secret: bool = False                # cases drawn afresh (a secret seed) at every build: not deterministic
    time_limit: float | None = None     # seconds this exercise gets at least, whatever --timeout says
    _cases: list | None = field(default=None, repr=False)
    _drawn: dict = field(default_factory=dict, repr=False)      # {grading secret: cases built with it}

    @property
    def params(self) -> list[str]:
        if "(" not in self.signature:
            return []
        inside = self.signature[self.signature.index("(") + 1: self.signature.rindex(")")]
        return [p.split("=")[0].strip() for p in inside.split(",") if p.strip()]

    @property
    def var(self) -> str:
        return self.variable or self.name

    def cases(self) -> list[Case]:
        """The cases: the public ones (``check()``, the notebooks), or, inside :func:`drawn_for_grading`,
        the same cases with the random inputs drawn for that grading run (each such case ``drawn``)."""
        if self._cases is None:
            with quiet():
                self._cases = list(_build_public(self.build_cases))
        secret = _SECRET.get()
        if secret is None or self.secret:
            return self._cases
        if secret not in self._drawn:
            with quiet():
                cases = list(self.build_cases())
            if len(cases) == len(self._cases):
                for case, public in zip(cases, self._cases):
                    case.drawn = not _same_inputs(case, public)
            self._drawn = {secret: cases}
        return self._drawn[secret]


#: The grading run's secret, while :func:`drawn_for_grading` is in force (``None``: public cases).
_SECRET = contextvars.ContextVar("coursekit_case_secret", default=None)


def case_rng(seed: int) -> np.random.Generator:
    """Where a case builder draws its random inputs: ``default_rng(seed)`` for ``check()`` and the
    notebooks (so students can rerun what failed), and a generator seeded by the grading run's secret
    as well inside :func:`drawn_for_grading`, so ``coursekit grade`` asks for outputs on inputs that no
    notebook has seen: an answer that looks its outputs up instead of computing them fails there."""
    secret = _SECRET.get()
    return np.random.default_rng(seed if secret is None else [secret, seed])


@contextlib.contextmanager
def drawn_for_grading(secret: int):
    """Inside it (and in asyncio tasks started inside it), :meth:`Exercise.cases` draws with ``secret``."""
    token = _SECRET.set(int(secret))
    try:
        yield
    finally:
        _SECRET.reset(token)


def _build_public(build):
    token = _SECRET.set(None)
    try:
        return build()
    finally:
        _SECRET.reset(token)


def _same_inputs(a: Case, b: Case) -> bool:
    """Whether two cases pass the same arguments (arrays by value, generators by state)."""
    def same(x, y):
        if isinstance(x, functools.partial) or isinstance(y, functools.partial):
            return (isinstance(x, functools.partial) and isinstance(y, functools.partial) and x.func is y.func
                    and same(x.args, y.args) and x.keywords.keys() == y.keywords.keys()
                    and all(same(x.keywords[k], y.keywords[k]) for k in x.keywords))
        if callable(x) or callable(y):
            return getattr(x, "__code__", x) is getattr(y, "__code__", y)
        if isinstance(x, np.random.Generator) or isinstance(y, np.random.Generator):
            return (isinstance(x, np.random.Generator) and isinstance(y, np.random.Generator)
                    and x.bit_generator.state == y.bit_generator.state)
        if isinstance(x, (list, tuple)) or isinstance(y, (list, tuple)):
            return (type(x) is type(y) and len(x) == len(y) and all(same(u, v) for u, v in zip(x, y)))
        try:
            return bool(np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True))
        except (TypeError, ValueError):
            return x == y
    return same(a.args, b.args) and a.kwargs.keys() == b.kwargs.keys() and all(
        same(a.kwargs[k], b.kwargs[k]) for k in a.kwargs)


class quiet:
    """Silence numpy floating-point warnings and Python warnings (overflow in a student's exp ...)."""

    def __enter__(self):
        self._err = np.seterr(all="ignore")
        self._warn = warnings.catch_warnings()
        self._warn.__enter__()
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc):
        self._warn.__exit__(*exc)
        np.seterr(**self._err)
        return False
