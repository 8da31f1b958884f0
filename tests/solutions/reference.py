"""Reference solutions of every exercise, nbgrader style.

Each exercise is a function whose body holds the stub's code between ``### BEGIN SOLUTION`` and
``### END SOLUTION``; :mod:`tests.solutions.fill` copies that block into a notebook's exercise cell
(in place of ``# YOUR CODE HERE`` / ``raise NotImplementedError``), so a block ends with its ``return``.
"""

import numpy as np


def perceptron_forward(x, w0, w):
    ### BEGIN SOLUTION
    z = w0 + np.dot(x, w)
    return 1 / (1 + np.exp(-z))
    ### END SOLUTION


def sigmoid_derivative(z):
    ### BEGIN SOLUTION
    g = 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))   # the sigmoid, without overflow
    return g * (1 - g)
    ### END SOLUTION


def tanh_derivative(z):
    ### BEGIN SOLUTION
    return 1 - np.tanh(z) ** 2
    ### END SOLUTION


def relu_derivative(z):
    ### BEGIN SOLUTION
    return np.where(np.asarray(z) > 0, 1.0, 0.0)
    ### END SOLUTION


def dense_forward(X, W, b, g):
    ### BEGIN SOLUTION
    return g(X @ W + b)
    ### END SOLUTION


def binary_cross_entropy(y, y_hat):
    ### BEGIN SOLUTION
    return -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    ### END SOLUTION


def mean_squared_error(y, y_hat):
    ### BEGIN SOLUTION
    return np.mean((y - y_hat) ** 2)
    ### END SOLUTION


def gradient_descent_step(w, grad, learning_rate):
    ### BEGIN SOLUTION
    return w - learning_rate * grad
    ### END SOLUTION


def gradient_descent(grad_fn, w0, learning_rate, steps):
    ### BEGIN SOLUTION
    w = np.array(w0, dtype=float)
    for _ in range(steps):
        w = w - learning_rate * grad_fn(w)
    return w
    ### END SOLUTION


def backprop(X, y, W1, b1, W2, b2):
    ### BEGIN SOLUTION
    n = X.shape[0]
    a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    y_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    dz2 = (y_hat - y) / n                  # BCE and sigmoid together
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return dW1, db1, dW2, db2
    ### END SOLUTION


def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    ### BEGIN SOLUTION
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g ** 2
    m_hat = m / (1 - beta_1 ** t)
    v_hat = v / (1 - beta_2 ** t)
    w = w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
    return w, m, v
    ### END SOLUTION


def make_minibatches(X, y, batch_size, rng):
    ### BEGIN SOLUTION
    order = rng.permutation(len(X))
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(X), batch_size)]
    ### END SOLUTION


def dropout_forward(a, rate, rng):
    ### BEGIN SOLUTION
    keep = rng.random(np.shape(a)) >= rate
    return a * keep / (1 - rate)
    ### END SOLUTION


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    ### BEGIN SOLUTION
    best, wait = np.inf, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch
    return len(val_losses) - 1
    ### END SOLUTION


def train_digits_model(X_train, y_train):
    ### BEGIN SOLUTION
    from coursekit import Dense, Dropout, Sequential
    from coursekit.optimizers import Adam
    model = Sequential([Dense(128, activation="relu"), Dropout(0.2), Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer=Adam(learning_rate=0.003), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(X_train, y_train, epochs=50, batch_size=32, verbose=0, seed=0)
    return model
    ### END SOLUTION
