"""Reference solutions of the reasoning exercises (:mod:`coursekit.exercises.reasoning`), nbgrader style.

Same format as :mod:`tests.solutions.reference`: :mod:`tests.solutions.fill` copies each block between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` into the exercise cell. ``pick_learning_rate`` is
top-level notebook code: its block assigns ``picked_learning_rate`` (it replaces the cell's
``picked_learning_rate = None`` line); the function only returns that value for the tests.
"""

import numpy as np


def leaky_relu_derivative(z, alpha=0.01):
    ### BEGIN SOLUTION
    return np.where(np.asarray(z) > 0, 1.0, float(alpha))
    ### END SOLUTION


def sigmoid_mse_gradient(X, y, w0, w):
    ### BEGIN SOLUTION
    y_hat = 1 / (1 + np.exp(-(w0 + X @ w)))
    dz = 2 * (y_hat - y) / len(y) * y_hat * (1 - y_hat)      # dJ/dŷ · dŷ/dz, one per sample
    return dz.sum(), X.T @ dz
    ### END SOLUTION


def pick_learning_rate():
    ### BEGIN SOLUTION
    picked_learning_rate = 9.0
    ### END SOLUTION
    return picked_learning_rate


def backprop_fixed(X, y, W1, b1, W2, b2):
    ### BEGIN SOLUTION
    n = X.shape[0]
    a1 = np.tanh(X @ W1 + b1)
    y_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    dz2 = (y_hat - y) / n                       # fix 1: J is the mean over the n samples
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * (1 - a1 ** 2)          # fix 2: tanh's derivative, not the sigmoid's
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return dW1, db1, dW2, db2
    ### END SOLUTION


def momentum_step(w, g, velocity, learning_rate=0.01, momentum=0.9):
    ### BEGIN SOLUTION
    velocity = momentum * velocity + g
    w = w - learning_rate * velocity
    return w, velocity
    ### END SOLUTION


def dropout_backward(grad_output, keep, rate):
    ### BEGIN SOLUTION
    return grad_output * keep / (1 - rate)
    ### END SOLUTION
