"""Typical wrong answers, written as a student would, each with a fragment of the hint it must get.

``WRONG`` lists ``(exercise, hint fragment, function)``. In the notebook tests each function's source
(decorator removed, renamed to the exercise) replaces the exercise cell. ``digits_model`` answers are
training functions ``(X_train, y_train) -> model``; the notebook cell calls them to assign ``model``.
"""

import inspect
import re
import textwrap

import numpy as np

WRONG = []


def wrong(exercise, hint):
    def register(func):
        WRONG.append((exercise, hint, func))
        return func
    return register


def cell_source(exercise: str, func) -> str:
    """Notebook code for a wrong answer: the function renamed to the exercise (or training ``model``)."""
    source = textwrap.dedent(inspect.getsource(func))
    source = "\n".join(line for line in source.splitlines() if not line.startswith("@wrong("))
    if exercise == "digits_model":
        return "import numpy as np\n" + source + f"\nmodel = {func.__name__}(X_train, y_train)\n"
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
def descent_one_more(grad_fn, w0, learning_rate, n_steps):
    w = w0
    for _ in range(n_steps + 1):
        w = w - learning_rate * grad_fn(w)
    return w


@wrong("gradient_descent", "missing minus sign")
def descent_plus(grad_fn, w0, learning_rate, n_steps):
    w = w0
    for _ in range(n_steps):
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
def adam_no_bias_correction(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    return w - learning_rate * m / (np.sqrt(v) + eps), m, v


@wrong("adam_step", "outside the square root")
def adam_eps_inside(w, g, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - learning_rate * m_hat / np.sqrt(v_hat + eps), m, v


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


@wrong("early_stopping_epoch", "off by one")
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
@wrong("digits_model", "test accuracy")
def digits_untrained(X_train, y_train):
    from coursekit import Dense, Sequential
    model = Sequential([Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(X_train[:50], y_train[:50], epochs=1, verbose=0)
    return model
