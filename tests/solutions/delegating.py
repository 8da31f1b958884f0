"""Answers that hand the exercise to the library's own implementation: each must earn nothing.

``DELEGATING[name]`` is the source of a notebook cell defining the exercise's function by calling
coursekit's implementation of the concept (an alias, a wrapper, a layer or a model doing the work).
"""

DELEGATING = {
    "perceptron_forward": "from coursekit.activations import sigmoid\n"
                          "def perceptron_forward(x, w0, w):\n    return sigmoid(w0 + x @ w)\n",
    "sigmoid_derivative": "import coursekit\nsigmoid_derivative = coursekit.activations.sigmoid_derivative\n",
    "tanh_derivative": "from coursekit import activations\n"
                       "def tanh_derivative(z):\n    return activations.get('tanh').derivative(z)\n",
    "relu_derivative": "import coursekit.activations as A\n"
                       "def relu_derivative(z):\n    return getattr(A, 'relu_' + 'derivative')(z)\n",
    "dense_forward": "from coursekit import Dense, Sequential\n"
                     "def dense_forward(X, W, b, g):\n"
                     "    model = Sequential([Dense(W.shape[1])], dtype='float64')\n"
                     "    model.build(W.shape[0])\n    model.set_weights([W, b])\n"
                     "    return g(model.predict(X))\n",
    "binary_cross_entropy": "from coursekit import BinaryCrossentropy\n"
                            "def binary_cross_entropy(y, y_hat):\n    return BinaryCrossentropy()(y, y_hat)\n",
    "mean_squared_error": "from coursekit.losses import MeanSquaredError\n"
                          "def mean_squared_error(y, y_hat):\n    return MeanSquaredError()(y, y_hat)\n",
    "gradient_descent_step": "import sys, coursekit\n"
                             "def gradient_descent_step(w, grad, learning_rate):\n"
                             "    return sys.modules['coursekit.gradient_descent'].gradient_descent_step(w, grad, learning_rate)\n",
    "gradient_descent": "import coursekit\n"
                        "def gradient_descent(grad_fn, w0, learning_rate, steps):\n"
                        "    return coursekit.gradient_descent(grad_fn, w0, learning_rate, steps).w\n",
    "backprop": "import numpy as np\nfrom coursekit import Dense, Sequential\n"
                "def backprop(X, y, W1, b1, W2, b2):\n"
                "    model = Sequential([Dense(W1.shape[1], activation='sigmoid'), Dense(1, activation='sigmoid')],\n"
                "                       dtype='float64')\n"
                "    model.build(W1.shape[0])\n    model.set_weights([W1, b1, W2, b2])\n"
                "    model.compile(optimizer='sgd', loss='binary_crossentropy')\n"
                "    _, g = model.loss_and_gradient(X, y)\n"
                "    sizes = np.cumsum([W1.size, b1.size, W2.size])\n"
                "    parts = np.split(g, sizes)\n"
                "    return tuple(p.reshape(a.shape) for p, a in zip(parts, (W1, b1, W2, b2)))\n",
    "adam_step": "import numpy as np\nfrom coursekit import Adam\n"
                 "def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):\n"
                 "    opt = Adam(learning_rate, beta_1, beta_2, epsilon)\n"
                 "    opt._init_state(w.size, w.dtype)\n    opt.m[:], opt.v[:], opt.iterations = m, v, t\n"
                 "    opt._update(w, g)\n    return w, opt.m, opt.v\n",
    "make_minibatches": "from coursekit.datasets import minibatches\n"
                        "def make_minibatches(X, y, batch_size, rng):\n"
                        "    return list(minibatches(X, y, batch_size, seed=rng))\n",
    "dropout_forward": "from coursekit.layers import Dropout\n"
                       "def dropout_forward(a, rate, rng):\n"
                       "    layer = Dropout(rate)\n    layer.rng = rng\n    return layer.forward(a, training=True)\n",
    "early_stopping_epoch": "from coursekit.viz.early_stopping import replay_early_stopping\n"
                            "def early_stopping_epoch(val_losses, patience, min_delta=0.0):\n"
                            "    return replay_early_stopping(val_losses, patience=patience, min_delta=min_delta).stop_epoch\n",
    "leaky_relu_derivative": "from coursekit.activations import relu_derivative\n"
                             "def leaky_relu_derivative(z, alpha=0.01):\n"
                             "    return alpha + (1 - alpha) * relu_derivative(z)\n",
    "sigmoid_mse_gradient": "import numpy as np\nfrom coursekit import Dense, Sequential\n"
                            "def sigmoid_mse_gradient(X, y, w0, w):\n"
                            "    model = Sequential([Dense(1, activation='sigmoid')], dtype='float64')\n"
                            "    model.build(X.shape[1])\n    model.set_weights([w.reshape(-1, 1), np.array([w0])])\n"
                            "    model.compile(optimizer='sgd', loss='mse')\n"
                            "    _, g = model.loss_and_gradient(X, y)\n    return g[-1], g[:-1]\n",
    "backprop_fixed": "from coursekit.gradcheck import numerical_gradient\n"
                      "def backprop_fixed(X, y, W1, b1, W2, b2):\n"
                      "    return numerical_gradient(lambda w: 0.0, W1)\n",
    "momentum_step": "from coursekit import SGD\n"
                     "def momentum_step(w, g, velocity, learning_rate=0.01, momentum=0.9):\n"
                     "    opt = SGD(learning_rate=learning_rate, momentum=momentum)\n"
                     "    opt.apply([g], [w])\n    return w, velocity\n",
    "dropout_backward": "import numpy as np\nfrom coursekit.layers import Dropout\n"
                        "def dropout_backward(grad_output, keep, rate):\n"
                        "    layer = Dropout(rate)\n    layer.mask = keep / (1 - rate)\n"
                        "    return layer.backward(grad_output)\n",
}
