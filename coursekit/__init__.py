"""coursekit: the lecture *Neural Network Basics*, as numpy code you can read, run and poke at.

The math core (activations, layers, losses, optimizers, model, callbacks, datasets, gradcheck)
imports numpy only; the pictures live in :mod:`coursekit.viz` and the exercises in
:mod:`coursekit.exercises`, which are imported on demand.
"""

__version__ = "0.1.0"
