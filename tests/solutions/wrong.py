"""Typical wrong answers, written as a student would, each with a fragment of the hint it must get.

``WRONG`` lists ``(exercise, hint fragment, function)``. In the notebook tests each function's source
(decorator removed, renamed to the exercise) replaces the exercise cell, after the answer's ``setup``
code when it has one (notebook code that runs before it, e.g. loading the shipped digits for a lookup table).
"""

import inspect
import re
import textwrap

import numpy as np

WRONG = []


def wrong(exercise, hint, setup=""):
    def register(func):
        func.cell_setup = setup
        WRONG.append((exercise, hint, func))
        return func
    return register


def cell_source(exercise: str, func) -> str:
    """Notebook code for a wrong answer: its setup, then the function renamed to the exercise."""
    source = textwrap.dedent(inspect.getsource(func))
    source = "\n".join(line for line in source.splitlines() if not line.startswith("@wrong("))
    source = getattr(func, "cell_setup", "") + source
    if not inspect.signature(func).parameters:         # an object answer: the value it returns
        from coursekit.exercises import EXERCISES
        return f"{EXERCISES[exercise].var} = {func()!r}\n"
    return "import numpy as np\n" + re.sub(r"^def \w+\(", f"def {exercise}(", source, count=1, flags=re.M)


# ---------------------------------------------------------------------------------------- 01
@wrong("perceptron_forward", "bias w0 is missing")
def perceptron_no_bias(x, w0, w):
    return 1 / (1 + np.exp(-np.dot(x, w)))


@wrong("perceptron_forward", "apply the activation")
def perceptron_no_activation(x, w0, w):
    return w0 + np.dot(x, w)


@wrong("perceptron_forward", "missing minus sign")
def perceptron_sign(x, w0, w):
    return 1 / (1 + np.exp(w0 + np.dot(x, w)))


# ---------------------------------------------------------------------------------------- 02
@wrong("sigmoid_derivative", "sigmoid g(z) itself")
def sigmoid_derivative_is_sigmoid(z):
    return 1 / (1 + np.exp(-z))


@wrong("sigmoid_derivative", "not z")
def sigmoid_derivative_of_z(z):
    return z * (1 - z)


@wrong("tanh_derivative", "square g(z)")
def tanh_derivative_no_square(z):
    return 1 - np.tanh(z)


@wrong("tanh_derivative", "tanh itself")
def tanh_derivative_is_tanh(z):
    return np.tanh(z)


@wrong("relu_derivative", "not z >= 0")
def relu_derivative_at_zero(z):
    return (z >= 0).astype(float)


@wrong("relu_derivative", "ReLU itself")
def relu_derivative_is_relu(z):
    return np.maximum(z, 0)


@wrong("relu_derivative", "in place")
def relu_derivative_in_place(z):
    z[z <= 0] = 0
    z[z > 0] = 1
    return z


# ---------------------------------------------------------------------------------------- 03
@wrong("dense_forward", "bias b is missing")
def dense_no_bias(X, W, b, g):
    return g(X @ W)


@wrong("dense_forward", "before the activation")
def dense_bias_after(X, W, b, g):
    return g(X @ W) + b


# ---------------------------------------------------------------------------------------- 04
@wrong("binary_cross_entropy", "sum instead of mean")
def bce_sum(y, y_hat):
    return -np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


@wrong("binary_cross_entropy", "missing minus sign")
def bce_no_minus(y, y_hat):
    return np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


@wrong("mean_squared_error", "sum instead of mean")
def mse_sum(y, y_hat):
    return np.sum((y - y_hat) ** 2)


@wrong("mean_squared_error", "square the errors")
def mse_no_square(y, y_hat):
    return np.mean(y - y_hat)


# ---------------------------------------------------------------------------------------- 05
@wrong("gradient_descent_step", "missing minus sign")
def step_plus(w, grad, learning_rate):
    return w + learning_rate * grad


@wrong("gradient_descent", "off by one")
def descent_one_more(grad_fn, w0, learning_rate, steps):
    w = w0
    for _ in range(steps + 1):
        w = w - learning_rate * grad_fn(w)
    return w


@wrong("gradient_descent", "missing minus sign")
def descent_plus(grad_fn, w0, learning_rate, steps):
    w = w0
    for _ in range(steps):
        w = w + learning_rate * grad_fn(w)
    return w


# ---------------------------------------------------------------------------------------- 06
@wrong("backprop", "mean over the n samples")
def backprop_sum(X, y, W1, b1, W2, b2):
    a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    y_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    dz2 = y_hat - y
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    return X.T @ dz1, dz1.sum(axis=0), a1.T @ dz2, dz2.sum(axis=0)


@wrong("backprop", "hidden layer's sigmoid needs its derivative")
def backprop_no_hidden_derivative(X, y, W1, b1, W2, b2):
    n = len(X)
    a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    y_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    dz2 = (y_hat - y) / n
    dz1 = dz2 @ W2.T
    return X.T @ dz1, dz1.sum(axis=0), a1.T @ dz2, dz2.sum(axis=0)


# ---------------------------------------------------------------------------------------- 07
@wrong("adam_step", "bias correction is missing")
def adam_no_bias_correction(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g ** 2
    return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v


@wrong("adam_step", "outside the square root")
def adam_eps_inside(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g ** 2
    m_hat, v_hat = m / (1 - beta_1 ** t), v / (1 - beta_2 ** t)
    return w - learning_rate * m_hat / np.sqrt(v_hat + epsilon), m, v


# ---------------------------------------------------------------------------------------- 08
@wrong("make_minibatches", "keep the last")
def minibatches_drop_last(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    n_full = len(X) // batch_size
    return [(X[order[k * batch_size:(k + 1) * batch_size]], y[order[k * batch_size:(k + 1) * batch_size]])
            for k in range(n_full)]


@wrong("make_minibatches", "shuffle first")
def minibatches_in_order(X, y, batch_size, rng):
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


@wrong("make_minibatches", "same permutation")
def minibatches_two_permutations(X, y, batch_size, rng):
    ox, oy = rng.permutation(len(X)), rng.permutation(len(X))
    return [(X[ox[i:i + batch_size]], y[oy[i:i + batch_size]]) for i in range(0, len(X), batch_size)]


# ---------------------------------------------------------------------------------------- 09
@wrong("dropout_forward", "also rescales")
def dropout_no_rescale(a, rate, rng):
    return a * (rng.random(a.shape) >= rate)


@wrong("dropout_forward", "probability of *dropping*")
def dropout_keep_rate(a, rate, rng):
    return a * (rng.random(a.shape) < rate) / (1 - rate)


@wrong("early_stopping_epoch", "off by one: here the best loss comes in epoch 3")
def early_stopping_late(val_losses, patience, min_delta=0.0):
    best, wait = np.inf, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait > patience:
                return epoch
    return len(val_losses) - 1


@wrong("early_stopping_epoch", "not the best epoch")
def early_stopping_best(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch
    return best_epoch


# ---------------------------------------------------------------------------------------- 10
#: Notebook code that runs before a cheating answer, outside the grader's seal: the shipped digits, and a
#: model trained on all of them (X_train + X_test). Run here too, for the in-process tests.
SHIPPED_DIGITS = """\
from coursekit.datasets import load_digits
SHIPPED_X, SHIPPED_Y = load_digits()
"""
PRETRAIN = SHIPPED_DIGITS + """\
from coursekit import Dense, Sequential
PRETRAINED = Sequential([Dense(64, activation="relu"), Dense(10, activation="softmax")], seed=0)
PRETRAINED.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
PRETRAINED.fit(SHIPPED_X, SHIPPED_Y, epochs=30, batch_size=32, verbose=0, seed=0)
"""
_shipped: dict = {}
exec(PRETRAIN, _shipped)
SHIPPED_X, SHIPPED_Y, PRETRAINED = _shipped["SHIPPED_X"], _shipped["SHIPPED_Y"], _shipped["PRETRAINED"]


@wrong("train_digits_model", "renames the digits", setup=SHIPPED_DIGITS)
def digits_lookup_table(X_train, y_train):
    class Lookup:                        # the label of the nearest shipped image
        def predict(self, X):
            X = np.asarray(X, dtype=float)
            distances = (X ** 2).sum(1)[:, None] - 2 * X @ SHIPPED_X.T + (SHIPPED_X ** 2).sum(1)[None, :]
            return SHIPPED_Y[distances.argmin(axis=1)]
    return Lookup()


@wrong("train_digits_model", "renames the digits", setup=PRETRAIN)
def digits_pretrained_on_everything(X_train, y_train):
    return PRETRAINED


@wrong("train_digits_model", "train longer")
def digits_undertrained(X_train, y_train):
    from coursekit import Dense, Sequential
    model = Sequential([Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")     # learning rate 0.01: slow
    model.fit(X_train, y_train, epochs=10, verbose=0, seed=0)                   # ~0.68 held out
    return model


@wrong("train_digits_model", "`return model`")
def digits_no_return(X_train, y_train):
    from coursekit import Dense, Sequential
    model = Sequential([Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(X_train, y_train, epochs=1, verbose=0, seed=0)


# ------------------------------------------------------------------ reasoning exercises (issue 13)
# pick_learning_rate is an object exercise: its wrong answers are functions of no arguments that return
# the wrong value (a notebook test assigns picked_learning_rate = func()).
@wrong("leaky_relu_derivative", "slope is α, not 0")
def leaky_relu_derivative_is_relus(z, alpha=0.01):
    return np.where(z > 0, 1.0, 0.0)


@wrong("leaky_relu_derivative", "use z > 0, not z >= 0")
def leaky_relu_derivative_one_at_zero(z, alpha=0.01):
    return np.where(z >= 0, 1.0, alpha)


@wrong("leaky_relu_derivative", "not αz")
def leaky_relu_derivative_alpha_times_z(z, alpha=0.01):
    return np.where(z > 0, 1, alpha * z)


@wrong("leaky_relu_derivative", "not a fixed 0.01")
def leaky_relu_derivative_fixed_alpha(z, alpha=0.01):
    return np.where(z > 0, 1.0, 0.01)


@wrong("sigmoid_mse_gradient", "cross-entropy's gradient")
def sigmoid_mse_gradient_like_bce(X, y, w0, w):
    y_hat = 1 / (1 + np.exp(-(w0 + X @ w)))
    dz = (y_hat - y) / len(y)
    return dz.sum(), X.T @ dz


@wrong("sigmoid_mse_gradient", "keep the factor 2")
def sigmoid_mse_gradient_no_two(X, y, w0, w):
    y_hat = 1 / (1 + np.exp(-(w0 + X @ w)))
    dz = (y_hat - y) * y_hat * (1 - y_hat) / len(y)
    return dz.sum(), X.T @ dz


@wrong("sigmoid_mse_gradient", "mind the sign")
def sigmoid_mse_gradient_sign(X, y, w0, w):
    y_hat = 1 / (1 + np.exp(-(w0 + X @ w)))
    dz = 2 * (y - y_hat) * y_hat * (1 - y_hat) / len(y)
    return dz.sum(), X.T @ dz


@wrong("sigmoid_mse_gradient", "divide by n")
def sigmoid_mse_gradient_sum(X, y, w0, w):
    y_hat = 1 / (1 + np.exp(-(w0 + X @ w)))
    dz = 2 * (y_hat - y) * y_hat * (1 - y_hat)
    return dz.sum(), X.T @ dz


@wrong("pick_learning_rate", "a larger rate")
def learning_rate_of_the_notebook():
    return 5.0


@wrong("pick_learning_rate", "a smaller rate")
def learning_rate_too_large():
    return 30.0


@wrong("pick_learning_rate", "positive number")
def learning_rate_negative():
    return -5.0


@wrong("backprop_fixed", "both bugs")
def backprop_fixed_unchanged(X, y, W1, b1, W2, b2):
    n = X.shape[0]
    a1 = np.tanh(X @ W1 + b1)
    y_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    dz2 = y_hat - y
    dW2, db2 = a1.T @ dz2, dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    return X.T @ dz1, dz1.sum(axis=0), dW2, db2


@wrong("backprop_fixed", "(ŷ - y) / n")
def backprop_fixed_derivative_only(X, y, W1, b1, W2, b2):
    a1 = np.tanh(X @ W1 + b1)
    y_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    dz2 = y_hat - y
    dW2, db2 = a1.T @ dz2, dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * (1 - a1 ** 2)
    return X.T @ dz1, dz1.sum(axis=0), dW2, db2


@wrong("backprop_fixed", "tanh's derivative 1 - a1²")
def backprop_fixed_mean_only(X, y, W1, b1, W2, b2):
    n = X.shape[0]
    a1 = np.tanh(X @ W1 + b1)
    y_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    dz2 = (y_hat - y) / n
    dW2, db2 = a1.T @ dz2, dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    return X.T @ dz1, dz1.sum(axis=0), dW2, db2


@wrong("backprop_fixed", "not z1")
def backprop_fixed_derivative_of_z(X, y, W1, b1, W2, b2):
    n = X.shape[0]
    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    y_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    dz2 = (y_hat - y) / n
    dW2, db2 = a1.T @ dz2, dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * (1 - z1 ** 2)
    return X.T @ dz1, dz1.sum(axis=0), dW2, db2


@wrong("momentum_step", "Keras convention")
def momentum_step_keras(w, g, velocity, learning_rate=0.01, momentum=0.9):
    velocity = momentum * velocity - learning_rate * g
    return w + velocity, velocity


@wrong("momentum_step", "carries over")
def momentum_step_forgets(w, g, velocity, learning_rate=0.01, momentum=0.9):
    velocity = g
    return w - learning_rate * velocity, velocity


@wrong("momentum_step", "a plus climbs uphill")
def momentum_step_sign(w, g, velocity, learning_rate=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    return w + learning_rate * velocity, velocity


@wrong("momentum_step", "not averaged")
def momentum_step_average(w, g, velocity, learning_rate=0.01, momentum=0.9):
    velocity = momentum * velocity + (1 - momentum) * g
    return w - learning_rate * velocity, velocity


# ------------------------------------------------------------------- slips the cases catch since issue 13
@wrong("binary_cross_entropy", "np.log2 measures the loss in bits")
def bce_in_bits(y, y_hat):
    return -np.mean(y * np.log2(y_hat) + (1 - y) * np.log2(1 - y_hat))


@wrong("binary_cross_entropy", "np.log10 makes the loss")
def bce_log10(y, y_hat):
    return -np.mean(y * np.log10(y_hat) + (1 - y) * np.log10(1 - y_hat))


@wrong("perceptron_forward", "not a column (n, 1)")
def perceptron_column(x, w0, w):
    z = w0 + x @ w.reshape(-1, 1)
    return 1 / (1 + np.exp(-z)) if np.ndim(x) == 2 else float(1 / (1 + np.exp(-z[0])))


@wrong("gradient_descent", "changed the caller's w0")
def gradient_descent_in_place(grad_fn, w0, learning_rate, steps):
    w = w0
    for _ in range(steps):
        w -= learning_rate * grad_fn(w)
    return w


@wrong("dropout_forward", "Dropping the first rate·n")
def dropout_first_units(a, rate, rng):
    keep = np.arange(a.size).reshape(a.shape) >= int(round(rate * a.size))
    return a * keep / (1 - rate)


@wrong("dropout_forward", "draw the random numbers from the rng argument")
def dropout_own_generator(a, rate, rng):
    keep = np.random.default_rng(0).random(a.shape) >= rate
    return a * keep / (1 - rate)


@wrong("make_minibatches", "a fixed order (or a generator of your own)")
def minibatches_fixed_order(X, y, batch_size, rng):
    order = np.random.default_rng(0).permutation(len(X))
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(X), batch_size)]


@wrong("dropout_backward", "scale their gradient the same way")
def dropout_backward_unscaled(grad_output, keep, rate):
    return grad_output * keep


@wrong("dropout_backward", "passes no gradient back")
def dropout_backward_no_mask(grad_output, keep, rate):
    return grad_output / (1 - rate)
