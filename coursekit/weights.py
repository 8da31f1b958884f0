"""A model's weights W1, b1, W2, b2, ... in one flat vector, handed to the layers as views.

A layer asks for each of its weights in ``build``, as in Keras::

    self.W = self.add_weight((n_in, n_out), "glorot_uniform")
    self.b = self.add_weight((n_out,), "zeros")

and gets back a view into :attr:`WeightStore.values`, the one flat weight vector of its model (and, beside
it, a view into :attr:`WeightStore.gradients`, where its backward pass writes dJ/dW). An optimizer then
updates a whole network in a few vectorised operations, and gradient checks and loss landscapes read and
write a single vector.

The sizes are known only once every layer has asked, so :meth:`WeightStore.build` builds the layers twice:
first to count the weights, then, with the flat vectors allocated, to hand out the views and draw the
initial values (in layer order, from the model's generator: the same seed gives the same weights).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .initializers import initialize


class WeightStore:
    """The flat weight and gradient vectors of one model (or of one layer used on its own).

    Parameters
    ----------
    dtype : numpy dtype
        float32 or float64.
    rng : numpy Generator
        Draws the initial weights.
    """

    def __init__(self, dtype, rng):
        self.dtype = np.dtype(dtype)
        self.rng = rng
        self.values = np.zeros(0, self.dtype)       # W1, b1, W2, b2, ... flattened row by row
        self.gradients = np.zeros(0, self.dtype)    # dJ/dW in the same order
        self._counting = False
        self._offset = 0

    def build(self, layers, input_dim):
        """Build every layer for inputs of width ``input_dim``; return the last layer's output width."""
        self._counting, self._offset = True, 0
        self._build_layers(layers, input_dim)
        self.values = np.zeros(self._offset, self.dtype)
        self.gradients = np.zeros(self._offset, self.dtype)
        self._counting, self._offset = False, 0
        return self._build_layers(layers, input_dim)

    def _build_layers(self, layers, dim):
        for layer in layers:
            layer.params, layer.grads = [], []
            layer.weight_store = self
            dim = layer.build(dim)
        return dim

    def add(self, shape, initializer):
        """The next weight of ``shape``: (a view of the values, a view of the gradients), initialised."""
        shape = tuple(int(s) for s in shape)
        size = int(np.prod(shape))
        where = slice(self._offset, self._offset + size)
        self._offset += size
        if self._counting:                          # first pass: only the sizes count
            return np.zeros(shape, self.dtype), np.zeros(shape, self.dtype)
        weight, gradient = self.values[where].reshape(shape), self.gradients[where].reshape(shape)
        weight[...] = initialize(initializer, self.rng, shape)
        return weight, gradient

    @property
    def size(self) -> int:
        """The number of weights."""
        return int(self.values.size)


def save_npz(path, arrays):
    """Write ``arrays`` [W1, b1, W2, b2, ...] to a ``.npz`` file (``model.save_weights``)."""
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"save_weights writes numpy .npz files; received path={str(path)!r} "
                         f"(use e.g. 'model.weights.npz')")
    np.savez(path, *arrays)


def load_npz(path):
    """The list of arrays a ``.npz`` file written by :func:`save_npz` holds, in order (``model.load_weights``)."""
    path = Path(path)
    data = np.load(path, allow_pickle=False)
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"load_weights reads the .npz files that save_weights writes; {str(path)!r} holds a "
                         f"single array (a .npy file). Save with model.save_weights('model.weights.npz')")
    with data:
        expected = [f"arr_{i}" for i in range(len(data.files))]
        if sorted(data.files) != sorted(expected):
            raise ValueError(f"{str(path)!r} was not written by save_weights: its arrays are named "
                             f"{', '.join(sorted(data.files)[:6])} instead of arr_0, arr_1, ...; build the "
                             f"list of arrays yourself and call model.set_weights(list_of_arrays)")
        return [data[name] for name in expected]
