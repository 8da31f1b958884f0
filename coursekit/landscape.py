r"""Loss landscapes: J(W) on a plane through weight space, as in Li et al. (2018).

A network has thousands of weights, so its loss J(W) cannot be drawn directly. Li, Xu, Taylor, Studer
and Goldstein, "Visualizing the Loss Landscape of Neural Nets" (NeurIPS 2018; the paper the lecture
cites), draw it on a plane through the trained weights W*:

    f(alpha, beta) = J(W* + alpha d1 + beta d2)

with two random directions d1, d2 that are *filter-normalised*: each filter (for a Dense layer, the
incoming weights of one unit, a column of W) of a direction is rescaled to the norm of the same filter
of W*. Without that, layers with large weights would look flat and layers with small weights steep.

Three functions:

* :func:`random_directions` -- two filter-normalised directions for a built model;
* :func:`loss_surface_loop` -- f on a grid of (alpha, beta), read as the formula: for each grid point, the
  model's loss at W* + alpha d1 + beta d2 (``model.loss_at``). :func:`loss_surface` computes the same
  numbers fast (batched matrix products on worker threads, in the private ``coursekit._threaded_landscape``,
  tested equal to the loop): that is the one the explorers call;
* :func:`project_trajectory` -- a training path (one flat weight vector per row) in the plane's
  coordinates (least squares), so the path can be drawn on the surface.

:func:`slice_loss_and_gradient` gives J and its gradient restricted to the plane, for running gradient
descent inside the picture (``model.loss_and_gradient(..., weights=)``). Everything goes through the
model's public methods and the losses module. numpy only, like the rest of the math core.
"""

from __future__ import annotations

import numpy as np

from . import _threaded_landscape, blas
from ._validation import check_array, check_number

__all__ = ["random_directions", "loss_surface", "loss_surface_loop", "project_trajectory",
           "slice_loss_and_gradient", "plane_weights"]


def _require_built(model, what):
    if not getattr(model, "built", False):
        raise ValueError(f"{what} needs a built model: call model.fit(...) or model.build(input_shape=(n_features,)) "
                         f"first")


def _filters(model):
    """(slice, shape, is_bias) of every parameter array in the model's flat vector, in order."""
    out, offset = [], 0
    for layer in model.layers:
        for shape in layer.param_shapes():
            size = int(np.prod(shape))
            out.append((slice(offset, offset + size), tuple(shape), len(shape) <= 1))
            offset += size
    return out


def random_directions(model, seed=0, ignore_bias=True):
    """Two random directions in weight space, filter-normalised (Li et al. 2018, section 4).

    Each direction is drawn from N(0, 1) entry by entry; then, for every Dense layer, each filter (the
    incoming weights of one unit: a column of ``W``, shape ``(n_in,)``) is rescaled to the norm of the same
    filter of the model's current weights:

        d_filter <- d_filter / ||d_filter|| * ||w_filter||

    Parameters
    ----------
    model : Sequential
        A built model; its current weights are the centre W*.
    seed : int or numpy Generator
        The same seed gives the same directions.
    ignore_bias : bool, default True
        Set the directions' bias entries to 0 (Li et al.'s default, ``--xignore biasbn``). With False the
        bias entries copy the biases themselves, as in the authors' code.

    Returns
    -------
    (d1, d2) : two float64 vectors of length ``model.count_params()``
    """
    _require_built(model, "random_directions")
    rng = np.random.default_rng(seed) if not isinstance(seed, np.random.Generator) else seed
    weights = model.get_flat_weights().astype(np.float64)
    directions = []
    for _ in range(2):
        d = rng.standard_normal(weights.size)
        for where, shape, is_bias in _filters(model):
            w = weights[where].reshape(shape)
            view = d[where].reshape(shape)          # a view: writing to it changes d
            if is_bias:
                view[...] = 0.0 if ignore_bias else w
                continue
            w_norm = np.linalg.norm(w, axis=0)       # one norm per filter (column)
            d_norm = np.linalg.norm(view, axis=0)
            view *= w_norm / np.where(d_norm > 0, d_norm, 1.0)
        directions.append(d)
    return directions[0], directions[1]


def filter_norms(model, vector):
    """The norm of every filter (column of each Dense ``W``) of a flat vector, concatenated layer by layer."""
    vector = np.asarray(vector)
    return np.concatenate([np.linalg.norm(vector[where].reshape(shape), axis=0)
                           for where, shape, is_bias in _filters(model) if not is_bias] or [np.zeros(0)])


def plane_weights(center, directions, alpha, beta):
    """The flat weight vector W* + alpha d1 + beta d2."""
    d1, d2 = directions
    return np.asarray(center) + alpha * np.asarray(d1) + beta * np.asarray(d2)


def _check_inputs(model, X, y, alphas, betas, directions, center, what):
    _require_built(model, what)
    if model.loss is None:
        raise ValueError(f"{what} needs a compiled model (the loss defines J): call model.compile(loss=...) first")
    alphas = check_array(alphas, "alphas", ndim=1).astype(np.float64)
    betas = check_array(betas, "betas", ndim=1).astype(np.float64)
    if alphas.size == 0 or betas.size == 0:
        raise ValueError(f"alphas and betas must not be empty; received {alphas.size} alphas and {betas.size} betas")
    if not isinstance(directions, (tuple, list)) or len(directions) != 2:
        raise TypeError("directions must be a pair (d1, d2), e.g. random_directions(model, seed=0)")
    size = model.count_params()
    d1, d2 = (check_array(d, f"directions[{i}]", ndim=1).astype(np.float64) for i, d in enumerate(directions))
    for i, d in enumerate((d1, d2)):
        if d.size != size:
            raise ValueError(f"directions[{i}] has {d.size} entries but the model has {size} weights")
    center = model.get_flat_weights().astype(np.float64) if center is None else \
        check_array(center, "center", ndim=1).astype(np.float64)
    if center.size != size:
        raise ValueError(f"center has {center.size} entries but the model has {size} weights")
    X, Y = model.prepare_data(X, y)
    return X, Y, alphas, betas, d1, d2, center


def loss_surface(model, X, y, alphas, betas, directions, center=None, chunk_size=None, progress="auto",
                 blas_threads=1, workers="auto"):
    """J(W* + alpha d1 + beta d2) on the grid ``alphas`` x ``betas``, in batched matrix products.

    Parameters
    ----------
    model : Sequential
        A built, compiled model of Dense / Activation / Dropout layers (dropout is off, as in ``evaluate``).
        Its weights are not changed.
    X, y : arrays
        The data J is measured on (a row subset keeps a large grid fast).
    alphas, betas : 1-D arrays
        Grid coordinates along d1 and d2.
    directions : (d1, d2)
        E.g. ``random_directions(model, seed=0)``.
    center : 1-D array, optional
        W*; the model's current weights by default.
    chunk_size : int, optional
        Grid points per batched evaluation; chosen from the data and layer sizes by default (memory
        stays below about 64 MB per array).
    progress : "auto", bool
        Show a tqdm progress bar; "auto" shows one for large grids (more than a second or so of work).
    blas_threads : int or None, default 1
        BLAS threads during the computation (needs threadpoolctl; ignored without it). The work is many
        small matrix products, for which thread hand-offs cost more than they give: on this project's
        2-core machine under load, multi-threaded products were up to 10x slower. None leaves BLAS alone.
    workers : "auto" or int, default "auto"
        Threads evaluating chunks of grid points side by side (numpy releases the GIL in its products and
        element-wise operations, so chunks really run in parallel). "auto" uses one per usable core (at
        most 4) for grids of more than about 0.1 G multiply-adds and 1 for smaller ones. Each chunk is
        computed exactly as on one thread, so the surface is the same bit for bit whatever ``workers`` is.
        Measured here (2 cores): the 101 x 101 surface of a 64-128-64-10 digits net on 256 rows took
        1.12 s with 1 worker and 0.58 s with 2.

    Returns
    -------
    ndarray, shape (len(betas), len(alphas))
        Row i, column j holds J at (alphas[j], betas[i]): ready for ``imshow``/``contour`` with
        alpha on the horizontal axis.
    """
    X, Y, alphas, betas, d1, d2, center = _check_inputs(model, X, y, alphas, betas, directions, center,
                                                       "loss_surface")
    if chunk_size is None:
        widest = max(layer.output_dim for layer in model.layers)
        chunk_size = max(1, _threaded_landscape.CHUNK_ELEMENTS // (X.shape[0] * widest))
    chunk_size = check_number(chunk_size, "chunk_size", low=1, integer=True)
    A, B = np.meshgrid(alphas, betas)                     # (len(betas), len(alphas))
    per_layer = _threaded_landscape.layer_params(model, center, d1, d2)
    values = _threaded_landscape.surface_values(model, X, Y, A.ravel().astype(model.dtype),
                                                B.ravel().astype(model.dtype), per_layer, chunk_size, workers,
                                                progress, blas_threads)
    return values.reshape(A.shape)


def loss_surface_loop(model, X, y, alphas, betas, directions, center=None, blas_threads=1):
    """The same surface as :func:`loss_surface`, one grid point at a time: what the surface *is*.

    For each grid point, J at the weights W* + alpha d1 + beta d2 (``model.loss_at``); slow, the reference
    that the batched, threaded :func:`loss_surface` is tested against. ``blas_threads`` as there.
    """
    X, Y, alphas, betas, d1, d2, center = _check_inputs(model, X, y, alphas, betas, directions, center,
                                                       "loss_surface_loop")
    result = np.empty((betas.size, alphas.size))
    with blas.limited(blas_threads):
        for i, beta in enumerate(betas):
            for j, alpha in enumerate(alphas):
                result[i, j] = model.loss_at(plane_weights(center, (d1, d2), alpha, beta), X, Y)
    return result


def project_trajectory(path, directions, center):
    """Coordinates (alpha, beta) of each weight vector of ``path`` in the plane center + span(d1, d2).

    Least squares: the (alpha, beta) minimising ||w - center - alpha d1 - beta d2||, so a path that lies
    in the plane is recovered exactly and the centre itself maps to (0, 0).

    Parameters
    ----------
    path : array, shape (T, n_weights) or (n_weights,)
        Flat weight vectors, e.g. ``model.get_flat_weights()`` recorded after every epoch.
    directions : (d1, d2)
    center : 1-D array

    Returns
    -------
    ndarray, shape (T, 2)
    """
    path = check_array(path, "path", ndim=(1, 2)).astype(np.float64)
    if path.ndim == 1:
        path = path[None, :]
    center = check_array(center, "center", ndim=1).astype(np.float64)
    if not isinstance(directions, (tuple, list)) or len(directions) != 2:
        raise TypeError("directions must be a pair (d1, d2)")
    D = np.column_stack([check_array(d, f"directions[{i}]", ndim=1).astype(np.float64)
                         for i, d in enumerate(directions)])
    if D.shape[0] != center.size or path.shape[1] != center.size:
        raise ValueError(f"path rows ({path.shape[1]}), center ({center.size}) and directions ({D.shape[0]}) "
                         f"must all have the same number of weights")
    coords, *_ = np.linalg.lstsq(D, (path - center).T, rcond=None)
    return coords.T


def slice_loss_and_gradient(model, X, y, directions, center=None):
    """J and its gradient restricted to the plane: functions of p = (alpha, beta) for gradient descent.

    ``grad(p) = [d1 . dJ/dW, d2 . dJ/dW]`` at W = center + alpha d1 + beta d2 (the chain rule), computed
    by the model's own backpropagation. The model's weights are restored after each call.

    Returns
    -------
    (loss, grad) : two callables taking a 2-vector
    """
    _require_built(model, "slice_loss_and_gradient")
    center = model.get_flat_weights().astype(np.float64) if center is None else np.asarray(center, float)
    d1, d2 = (np.asarray(d, dtype=np.float64) for d in directions)
    X, Y = model.prepare_data(X, y)
    last = {}

    def evaluate(p):
        key = (float(p[0]), float(p[1]))
        if key not in last:                   # gradient descent asks for J and dJ at the same point
            J, g = model.loss_and_gradient(X, Y, weights=plane_weights(center, (d1, d2), *key))
            g = g.astype(np.float64)
            last.clear()
            last[key] = (J, np.array([d1 @ g, d2 @ g]))
        return last[key]

    return (lambda p: evaluate(p)[0]), (lambda p: evaluate(p)[1])
