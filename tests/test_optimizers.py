"""Optimizers: 100 steps agree with the update rules written out by hand, and with torch.optim.

The torch comparison runs when torch is installed (``pip install torch==2.13.0``) and is skipped
otherwise; the hand-written rules always run.
"""

import numpy as np
import pytest

from coursekit import optimizers
from coursekit.optimizers import SGD, Adadelta, Adagrad, Adam, RMSprop

STEPS = 100
A = np.array([[3.0, 0.5, 0.0], [0.5, 1.0, -0.3], [0.0, -0.3, 0.2]])
B = np.array([1.0, -2.0, 0.5])
W0 = np.array([2.0, -1.0, 3.0])


def grad(w):
    """Gradient of J(w) = 1/2 wᵀAw − bᵀw + sum(log cosh(w)): curved, coupled and not quadratic."""
    return A @ w - B + np.tanh(w)


def run(optimizer, steps=STEPS):
    w = W0.copy()
    path = [w.copy()]
    for _ in range(steps):
        optimizer.apply([grad(w)], [w])
        path.append(w.copy())
    return np.array(path)


def by_hand(rule, steps=STEPS):
    w, state = W0.copy(), {}
    path = [w.copy()]
    for t in range(1, steps + 1):
        w = rule(w, grad(w), t, state)
        path.append(w.copy())
    return np.array(path)


def sgd_rule(lr, mu=0.0, nesterov=False):
    def rule(w, g, t, s):
        b = mu * s.get("b", 0) + g
        s["b"] = b
        return w - lr * ((g + mu * b) if nesterov else b)
    return rule


def adam_rule(lr, b1=0.9, b2=0.999, eps=1e-8):
    def rule(w, g, t, s):
        s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0) + (1 - b2) * g ** 2
        m_hat, v_hat = s["m"] / (1 - b1 ** t), s["v"] / (1 - b2 ** t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return rule


def adagrad_rule(lr, eps=1e-10):
    def rule(w, g, t, s):
        s["G"] = s.get("G", 0) + g ** 2
        return w - lr * g / (np.sqrt(s["G"]) + eps)
    return rule


def rmsprop_rule(lr, rho=0.99, eps=1e-8):
    def rule(w, g, t, s):
        s["E"] = rho * s.get("E", 0) + (1 - rho) * g ** 2
        return w - lr * g / (np.sqrt(s["E"]) + eps)
    return rule


def adadelta_rule(lr=1.0, rho=0.9, eps=1e-6):
    def rule(w, g, t, s):
        s["Eg"] = rho * s.get("Eg", 0) + (1 - rho) * g ** 2
        dx = np.sqrt(s.get("Edx", 0) + eps) / np.sqrt(s["Eg"] + eps) * g
        s["Edx"] = rho * s.get("Edx", 0) + (1 - rho) * dx ** 2
        return w - lr * dx
    return rule


CASES = {
    "sgd": (lambda: SGD(0.05), sgd_rule(0.05)),
    "momentum": (lambda: SGD(0.05, momentum=0.9), sgd_rule(0.05, 0.9)),
    "nesterov": (lambda: SGD(0.05, momentum=0.9, nesterov=True), sgd_rule(0.05, 0.9, True)),
    "adam": (lambda: Adam(0.05), adam_rule(0.05)),
    "adagrad": (lambda: Adagrad(0.5), adagrad_rule(0.5)),
    "rmsprop": (lambda: RMSprop(0.01), rmsprop_rule(0.01)),
    "adadelta": (lambda: Adadelta(), adadelta_rule()),
}


@pytest.mark.parametrize("name", CASES)
def test_hundred_steps_follow_the_update_rule(name):
    make, rule = CASES[name]
    ours, expected = run(make()), by_hand(rule)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
    assert np.linalg.norm(ours[-1] - ours[0]) > 1e-3, "the optimizer must actually move"


def test_the_comparison_can_fail():
    """Adam without bias correction is a different rule, and the test above would catch it."""
    def no_bias_correction(w, g, t, s):
        s["m"] = 0.9 * s.get("m", 0) + 0.1 * g
        s["v"] = 0.999 * s.get("v", 0) + 0.001 * g ** 2
        return w - 0.05 * s["m"] / (np.sqrt(s["v"]) + 1e-8)
    assert np.max(np.abs(run(Adam(0.05)) - by_hand(no_bias_correction))) > 1e-3


def test_defaults_are_torch_defaults():
    assert Adam().get_config() == {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8}
    assert Adadelta().learning_rate == 1.0 and Adadelta().rho == 0.9 and Adadelta().epsilon == 1e-6
    assert Adagrad().learning_rate == 0.01 and Adagrad().epsilon == 1e-10
    assert RMSprop().rho == 0.99 and RMSprop().learning_rate == 0.01
    for name in optimizers.NAMES:
        assert optimizers.get(name).name == name


TORCH_CASES = {
    "sgd": (lambda: SGD(0.05), lambda p, torch: torch.optim.SGD(p, lr=0.05)),
    "momentum": (lambda: SGD(0.05, momentum=0.9), lambda p, torch: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "nesterov": (lambda: SGD(0.05, momentum=0.9, nesterov=True),
                 lambda p, torch: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    "adam": (lambda: Adam(0.05), lambda p, torch: torch.optim.Adam(p, lr=0.05)),
    "adagrad": (lambda: Adagrad(0.5), lambda p, torch: torch.optim.Adagrad(p, lr=0.5)),
    "rmsprop": (lambda: RMSprop(0.01), lambda p, torch: torch.optim.RMSprop(p, lr=0.01)),
    "adadelta": (lambda: Adadelta(), lambda p, torch: torch.optim.Adadelta(p)),
}


@pytest.mark.parametrize("name", TORCH_CASES)
def test_hundred_steps_agree_with_torch_optim(name):
    torch = pytest.importorskip("torch", reason="torch is optional: pip install torch==2.13.0 to compare")
    make_ours, make_theirs = TORCH_CASES[name]
    p = torch.tensor(W0.copy(), dtype=torch.float64, requires_grad=True)
    opt = make_theirs([p], torch)
    theirs = [W0.copy()]
    for _ in range(STEPS):
        p.grad = torch.from_numpy(grad(p.detach().numpy().copy()))
        opt.step()
        theirs.append(p.detach().numpy().copy())
    np.testing.assert_allclose(run(make_ours()), np.array(theirs), rtol=0, atol=1e-10)


@pytest.mark.parametrize("bad, match", [
    (lambda: SGD(learning_rate=0), "learning_rate must be a positive number; received learning_rate=0"),
    (lambda: Adam(learning_rate=-1e-3), "learning_rate must be a positive number"),
    (lambda: SGD(0.1, momentum=1.5), r"momentum must be in \[0, 1\); received momentum=1.5"),
    (lambda: SGD(0.1, nesterov=True), "nesterov=True needs a momentum > 0"),
    (lambda: RMSprop(rho=1.0), "rho must be in"),
    (lambda: optimizers.get("adamw"), "unknown optimizer 'adamw'; known optimizers: 'sgd', 'adam'"),
])
def test_bad_hyper_parameters_are_named(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


def test_learning_rate_type_is_checked():
    with pytest.raises(TypeError, match="learning_rate must be a number; received learning_rate='0.1'"):
        Adam(learning_rate="0.1")


def test_apply_checks_shapes_and_state_follows_the_size():
    opt = Adam(0.1)
    w = np.zeros(3)
    with pytest.raises(ValueError, match=r"grads\[0\] has shape \(2,\) but variables\[0\] has shape \(3,\)"):
        opt.apply([np.ones(2)], [w])
    opt.apply([np.ones(3)], [w])
    assert opt.iterations == 1
    opt.apply([np.ones(5)], [np.zeros(5)])    # a new problem: fresh state
    assert opt.iterations == 1 and opt.m.shape == (5,)


def test_the_old_argument_order_fails_loudly_instead_of_updating_the_gradient():
    """apply(w, g) (weights first, coursekit's old order) would silently swap roles under Keras' order."""
    w, g = np.zeros(3), np.ones(3)
    with pytest.raises(TypeError, match=r"gradients first, as Keras: optimizer.apply\(\[g\], \[w\]\)"):
        Adam(0.1).apply(w, g)
    assert np.all(w == 0) and np.all(g == 1)


def test_several_variables_update_like_one_concatenated_vector():
    rng = np.random.default_rng(0)
    W, b, gW, gb = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(3, 2)), rng.normal(size=2)
    flat = np.concatenate([W.ravel(), b])
    one, two = Adam(0.1), Adam(0.1)
    for _ in range(3):
        one.apply([gW, gb], [W, b])
        two.apply([np.concatenate([gW.ravel(), gb])], [flat])
    np.testing.assert_array_equal(np.concatenate([W.ravel(), b]), flat)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_adam_equals_the_readable_rule(dtype):
    """The fast in-place update (coursekit._adam_in_place) takes the steps adam_step writes out."""
    from coursekit.optimizers import adam_step
    rng = np.random.default_rng(1)
    w = rng.normal(size=50).astype(dtype)
    w_ref, m, v = w.astype(np.float64), np.zeros(50), np.zeros(50)
    opt = Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.95, epsilon=1e-6)
    for t in range(1, 21):
        g = rng.normal(size=50)
        opt.apply([g.astype(dtype)], [w])
        w_ref, m, v = adam_step(w_ref, g, m, v, t, 0.01, 0.8, 0.95, 1e-6)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(w, w_ref, rtol=rtol)
    np.testing.assert_allclose(opt.m, m, rtol=rtol * 10, atol=1e-6 if dtype == np.float32 else 0)
