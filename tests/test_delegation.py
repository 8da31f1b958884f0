"""No credit for delegating: an answer that calls the library's implementation of the exercised
concept earns 0 on every case, with a message naming it; other coursekit use stays allowed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from solutions.delegating import DELEGATING  # noqa: E402

from coursekit.exercises import EXERCISES, check  # noqa: E402


def _define(name, source):
    namespace = {}
    exec(compile(source, f"<delegating {name}>", "exec"), namespace)
    return namespace[name]


def test_every_code_exercise_with_a_library_twin_bans_it():
    banned = {n for n, e in EXERCISES.items() if e.bans}
    assert set(DELEGATING) <= banned
    assert all(any(b.startswith("coursekit.") for b in EXERCISES[n].bans) for n in banned)


@pytest.mark.parametrize("name", list(DELEGATING))
def test_delegating_to_coursekit_earns_nothing_with_the_reason(name):
    result = check(name, _define(name, DELEGATING[name]), show=False)
    assert result.points == 0
    assert all("write it with numpy: coursekit." in c.message and "is what this exercise asks you to build"
               in c.message for c in result.cases), str(result)


def test_catching_the_refusal_does_not_help():
    import coursekit

    def sneaky(z):
        try:
            return coursekit.activations.sigmoid_derivative(z)
        except BaseException:        # noqa: BLE001 - what a hostile student would write
            s = 1 / (1 + np.exp(-z))
            return s * (1 - s)
    assert check("sigmoid_derivative", sneaky, show=False).points == 0


def test_switching_the_watch_off_is_refused():
    import coursekit

    def unwatch(z):
        sys.setprofile(None)
        return coursekit.activations.sigmoid_derivative(z)

    def end_the_watch(z):
        frame = sys._getframe(1)
        while frame is not None and "watch" not in frame.f_locals:
            frame = frame.f_back
        frame.f_locals["watch"].__exit__(None, None, None)
        return coursekit.activations.sigmoid_derivative(z)

    for answer in (unwatch, end_the_watch):
        result = check("sigmoid_derivative", answer, show=False)
        assert result.points == 0 and "switches off the check" in result.cases[0].message
    assert sys.getprofile() is None


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_thread_or_a_copied_code_object_is_caught_too():
    import threading
    import types

    import coursekit
    from coursekit import activations

    def in_a_thread(z):
        box = {}
        worker = threading.Thread(target=lambda: box.update(v=activations.sigmoid_derivative(z)))
        worker.start()
        worker.join()
        return box.get("v")

    copied = types.FunctionType(activations.sigmoid_derivative.__code__,
                                {"sigmoid": coursekit.activations.sigmoid, "np": np})
    for answer in (in_a_thread, copied):
        assert check("sigmoid_derivative", answer, show=False).points == 0


def test_a_notebook_that_replaced_the_sys_functions_the_watch_needs_earns_nothing(monkeypatch):
    """Replacing sys.setprofile (or its partners) before the check would blind the watch: refused."""
    import threading

    import coursekit
    answer = coursekit.activations.sigmoid_derivative
    for name, stand_in in (("setprofile", lambda f: None), ("getprofile", lambda: None),
                           ("_current_frames", lambda: {})):
        with monkeypatch.context() as patch:
            patch.setattr(sys, name, stand_in)
            patch.setattr(threading, "setprofile", lambda f: None)
            result = check("sigmoid_derivative", answer, show=False)
        assert result.points == 0, name
        assert all(f"your notebook replaced sys.{name}" in c.message for c in result.cases), str(result)
    assert sys.getprofile() is None


def test_a_stand_in_for_thread_idents_is_refused_too(monkeypatch):
    """The thread check asks _thread.get_ident which thread it runs on: a stand-in could hide a relay."""
    from coursekit.exercises import _bans
    assert _bans._replaced() is None
    monkeypatch.setattr(_bans, "_get_ident", lambda: 0)
    assert _bans._replaced() == "_thread.get_ident"
    assert "your notebook replaced _thread.get_ident" in _bans.message("replaced:_thread.get_ident")


def _watched(watch, fn):
    """Run ``fn()`` under ``watch`` from a kit-owned with-block (as the runner does); ``(value, error)``."""
    from coursekit.exercises._bans import owner

    @owner
    def run():
        with watch:
            return fn()
    try:
        return run(), None
    except BaseException as error:      # noqa: BLE001 - the refusal is what the test looks at
        return None, error


def _relay():
    """A worker thread fed through a queue: the banned call runs on a thread the answer did not start."""
    import queue
    import threading

    from coursekit import activations
    jobs, answers = queue.Queue(), queue.Queue()

    def worker():
        while True:
            z = jobs.get()
            if z is None:
                return
            try:
                answers.put(activations.sigmoid_derivative(z))
            except BaseException as error:      # noqa: BLE001 - a refusal must not kill the relay
                answers.put(error)

    thread = threading.Thread(target=worker, daemon=True, name="relay")

    def answer(z):
        jobs.put(z)
        return answers.get(timeout=5)
    return thread, jobs, answer


def test_a_thread_started_before_the_check_that_relays_the_work_is_refused():
    import threading

    from coursekit.exercises._bans import CallWatch, message
    kernel = [t.ident for t in threading.enumerate()]       # the threads "the kernel" had before
    thread, jobs, answer = _relay()
    thread.start()
    try:
        watch = CallWatch(["coursekit.activations:sigmoid_derivative"], kernel_threads=kernel)
        value, error = _watched(watch, lambda: answer(np.zeros(3)))
        assert value is None and error is not None
        assert watch.seen == "thread:relay"
        assert "a thread your notebook started was still running" in message(watch.seen)
    finally:
        jobs.put(None)
        thread.join(5)
    assert not thread.is_alive() and sys.getprofile() is None
    watch = CallWatch(["coursekit.activations:sigmoid_derivative"], kernel_threads=kernel)
    s, error = _watched(watch, lambda: 1 / (1 + np.exp(-np.zeros(3))))    # no other thread runs now
    assert error is None and watch.seen is None and np.allclose(s * (1 - s), 0.25)


def test_a_thread_started_during_one_case_keeps_being_watched_in_the_next():
    import threading

    from coursekit.exercises._bans import CallWatch
    kernel = [t.ident for t in threading.enumerate()]
    thread, jobs, answer = _relay()
    try:
        first = CallWatch(["coursekit.activations:sigmoid_derivative"], kernel_threads=kernel)
        _watched(first, thread.start)           # hooked: started while a case was watched
        assert first.seen is None
        second = CallWatch(["coursekit.activations:sigmoid_derivative"], kernel_threads=kernel)
        result, _ = _watched(second, lambda: answer(np.zeros(3)))
        assert second.seen == "ban:coursekit.activations:sigmoid_derivative"
        assert not isinstance(result, np.ndarray)       # the relay got the refusal, not the answer
    finally:
        jobs.put(None)
        thread.join(5)


def test_other_coursekit_use_stays_allowed():
    from coursekit.activations import sigmoid

    def with_kit_sigmoid(z):
        g = sigmoid(z)
        return g * (1 - g)
    assert check("sigmoid_derivative", with_kit_sigmoid, show=False).passed


def test_delegating_to_torch_earns_nothing():
    torch = pytest.importorskip("torch")

    def via_torch(z):
        t = torch.tensor(np.asarray(z, dtype=float), requires_grad=True)
        torch.sigmoid(t).sum().backward()
        return t.grad.numpy()
    result = check("sigmoid_derivative", via_torch, show=False)
    assert result.points == 0 and "write it with numpy: torch" in result.cases[0].message


@pytest.mark.parametrize("name, source", [
    ("make_minibatches", "from coursekit import fitting\n"
                         "def make_minibatches(X, y, batch_size, rng):\n"
                         "    return list(fitting.minibatches(X, y, batch_size, rng))\n"),
    ("adam_step", "import numpy as np\nfrom coursekit._adam_in_place import adam_update_in_place\n"
                  "def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):\n"
                  "    w, m, v = (np.array(a, dtype=float) for a in (w, m, v))\n"
                  "    adam_update_in_place(w, np.asarray(g, float), m, v, np.empty_like(w), t, learning_rate, beta_1,\n"
                  "                         beta_2, epsilon)\n    return w, m, v\n"),
    ("dense_forward", "import numpy as np\nfrom coursekit import _threaded_landscape as fast\n"
                      "def dense_forward(X, W, b, g):\n"
                      "    zero = (np.zeros_like(W), np.zeros_like(b))\n"
                      "    return g(fast._dense_on_grid(X, [(W, b), zero, zero], np.array([[1.0, 0.0, 0.0]]))[0])\n"),
])
def test_the_cores_helper_modules_are_banned_with_the_concept(name, source):
    """fit's mini-batches (coursekit.fitting), Adam's in-place twin (coursekit._adam_in_place) and the loss
    surface's batched Dense product are the concept too, though they live outside datasets, optimizers, layers."""
    result = check(name, _define(name, source), show=False)
    assert result.points == 0 and all("is what this exercise asks you to build" in c.message
                                      for c in result.cases), str(result)


def test_what_the_answer_returns_is_converted_while_the_case_is_watched():
    """np.asarray of an output calls its __array__; inspect.signature its __signature__: both are the
    student's code and run under the watch, so a lazy object or a signature cannot delegate unseen."""
    import inspect

    from coursekit import activations

    class Later:
        def __init__(self, z):
            self.z = z

        def __array__(self, dtype=None, copy=None):
            return np.asarray(activations.sigmoid_derivative(self.z))

    class Signed:
        @property
        def __signature__(self):
            activations.sigmoid_derivative(np.zeros(1))
            return inspect.signature(lambda z: None)

        def __call__(self, z):
            s = 1 / (1 + np.exp(-z))
            return s * (1 - s)

    for answer in (lambda z: Later(z), Signed()):
        result = check("sigmoid_derivative", answer, show=False)
        assert result.points == 0, str(result)
        assert "write it with numpy: coursekit.activations.sigmoid_derivative" in result.cases[0].message


def test_starting_another_process_while_a_case_runs_is_refused():
    import os
    import subprocess

    def spawns(z):
        subprocess.run([sys.executable, "-c", "pass"], check=False)
        return np.zeros_like(z)

    def forks(z):
        pid = os.fork()
        if pid == 0:            # only if the fork was not refused
            os._exit(0)
        os.waitpid(pid, 0)
        return np.zeros_like(z)

    for answer, event in ((spawns, "subprocess.Popen"), (forks, "os.fork")):
        result = check("sigmoid_derivative", answer, show=False)
        assert result.points == 0
        assert all(f"your answer started another process ({event})" in c.message for c in result.cases), str(result)
    assert subprocess.run([sys.executable, "-c", "pass"]).returncode == 0      # allowed again afterwards


def test_a_copy_of_a_banned_modules_classes_is_caught():
    """"coursekit.losses" is banned as a whole: copies of its methods' code objects, under another module
    name, are caught too."""
    import types

    import coursekit.losses as losses
    space = dict(vars(losses), __name__="my_losses")

    def copy_class(cls):
        namespace = {}
        for klass in reversed(cls.__mro__[:-1]):
            for key, value in vars(klass).items():
                if isinstance(value, types.FunctionType):
                    value = types.FunctionType(value.__code__, space, value.__name__, value.__defaults__,
                                               value.__closure__)
                if key not in ("__dict__", "__weakref__"):
                    namespace[key] = value
        return type(cls.__name__, (), namespace)

    space["Loss"] = copy_class(losses.Loss)
    for key, value in list(space.items()):
        if isinstance(value, types.FunctionType) and value.__module__ == "coursekit.losses":
            space[key] = types.FunctionType(value.__code__, space, key)
    copied = copy_class(losses.BinaryCrossentropy)
    result = check("binary_cross_entropy", lambda y, y_hat: copied()(y, y_hat), show=False)
    assert result.points == 0
    assert all("write it with numpy: coursekit.losses.BinaryCrossentropy.__init__ is what" in c.message
               for c in result.cases), str(result)       # named by the copied code, not by my_losses
