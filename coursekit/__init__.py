"""coursekit: the lecture *Neural Network Basics*, as numpy code you can read, run and poke at.

The math core (activations, layers, losses, optimizers, model, callbacks, datasets, gradcheck, and the
problems and metrics the notebooks compute) imports numpy only; the pictures live in :mod:`coursekit.viz` and the exercises in
:mod:`coursekit.exercises`, which are imported on demand.
"""

__version__ = "0.1.0"

from . import activations, callbacks, datasets, gradcheck, layers, losses, optimizers  # noqa: E402
from .callbacks import Callback, EarlyStopping, History, LambdaCallback  # noqa: E402
from .gradient_descent import gradient_descent  # noqa: E402
from .layers import Activation, Dense, Dropout  # noqa: E402
from .losses import (BinaryCrossentropy, CategoricalCrossentropy, MeanSquaredError,  # noqa: E402
                     SparseCategoricalCrossentropy)
from .model import Sequential  # noqa: E402
from .optimizers import SGD, Adadelta, Adagrad, Adam, RMSprop  # noqa: E402

__all__ = [
    "Activation", "Adadelta", "Adagrad", "Adam", "BinaryCrossentropy", "Callback", "CategoricalCrossentropy",
    "Dense", "Dropout", "EarlyStopping", "History", "LambdaCallback", "MeanSquaredError", "RMSprop", "SGD",
    "Sequential", "SparseCategoricalCrossentropy", "activations", "callbacks", "datasets", "gradcheck",
    "gradient_descent", "layers", "losses", "optimizers",
]
