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
* :func:`loss_surface` -- f on a grid of (alpha, beta), evaluated in batched matrix products: the weight
  vectors of a chunk of grid points are never materialised one by one. The first Dense layer is linear
  in (alpha, beta), so ``X W(alpha, beta) = X W* + alpha X D1 + beta X D2`` costs three products for the
  whole grid; each later Dense layer is one stacked (batched) matrix product for a chunk of grid points.
  :func:`loss_surface_loop` is the plain per-point loop, kept as the reference and for benchmarks;
* :func:`project_trajectory` -- a training path (one flat weight vector per row) in the plane's
  coordinates (least squares), so the path can be drawn on the surface.

:func:`slice_loss_and_gradient` gives J and its gradient restricted to the plane, for running gradient
descent inside the picture. numpy only, like the rest of the math core.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import blas
from ._validation import check_array, check_number
from .layers import Activation, Dense, Dropout

__all__ = ["random_directions", "loss_surface", "loss_surface_loop", "project_trajectory",
           "slice_loss_and_gradient", "plane_weights"]

#: Elements of the largest (chunk, n_samples, units) array built at once (4 MB in float32). Chunks of
#: 1-8 MB measured alike here; 64 MB chunks (out of the CPU caches) were 2-4x slower.
CHUNK_ELEMENTS = 1 << 20
#: A grid needing more than this many multiply-adds gets a progress bar (``progress="auto"``).
PROGRESS_FLOPS = 2e9
#: Below this many multiply-adds (a few milliseconds of work) a grid runs on the calling thread only:
#: starting worker threads would cost more than it saves.
PARALLEL_FLOPS = 1e8
#: At most this many worker threads by default (each holds one chunk's arrays).
MAX_WORKERS = 4


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
    X, Y = model._prepare_xy(X, y)
    return X, Y, alphas, betas, d1, d2, center


def _layer_params(flat, where_list, dtype):
    return [flat[where].reshape(shape).astype(dtype) for where, shape, _ in where_list]


def _fused_loss(model, Y, Z, labels=None):
    """Per-sample losses from the last layer's logits Z (K, n, out) when the loss fuses with its activation.

    Softmax cross-entropy reduces over the classes with the class axis moved to the front (one copy):
    numpy reduces a short last axis slowly, an outer axis at full speed. One-hot targets are gathered by
    their labels instead of multiplied and summed.
    """
    if model.loss.fuses_with == "sigmoid":
        return np.mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z))), axis=-1)
    Zt = np.ascontiguousarray(np.moveaxis(Z, -1, 0))                      # (out, K, n)
    z_max = Zt.max(axis=0)
    Zt -= z_max
    np.exp(Zt, out=Zt)
    log_sum_exp = np.log(Zt.sum(axis=0)) + z_max
    if labels is not None:
        picked = Z[:, np.arange(Z.shape[1]), labels]
    else:
        picked = np.sum(Y * Z, axis=-1)
    return log_sum_exp - picked


def _activate(activation, z):
    """g(z), in place for the element-wise activations (z is a fresh temporary here)."""
    name = activation.name
    if name == "relu":
        return np.maximum(z, 0, out=z)
    if name == "tanh":
        return np.tanh(z, out=z)
    if name == "linear":
        return z
    return activation.function(z)


def _batched_losses(model, X, Y, a, b, params, labels=None):
    """J at the K grid points (a[k], b[k]); ``params`` = per layer (centre, d1, d2) parameter arrays.

    The activations are either shared by all grid points (2-D, before the first Dense layer) or batched
    (3-D, one slab per grid point). A Dense layer on shared input uses linearity in (alpha, beta): three
    products for all K points, combined by one (K, 3) x (3, n*out) product. A Dense layer on batched input
    stacks the K weight matrices W* + alpha D1 + beta D2 (one small product) and multiplies batch-wise.
    """
    K = a.size
    coeff = np.stack([np.ones_like(a), a, b], axis=1)          # (K, 3): 1, alpha, beta
    h = X                                                        # shared (n, d) or batched (K, n, d)
    fused = model._fused
    last = len(model.layers) - 1
    for index, layer in enumerate(model.layers):
        if isinstance(layer, Dense):
            (Wc, bc), (W1, b1), (W2, b2) = params[index]
            if h.ndim == 2:
                n = h.shape[0]
                parts = np.stack([h @ Wc + bc, h @ W1 + b1, h @ W2 + b2])     # (3, n, out)
                z = (coeff @ parts.reshape(3, -1)).reshape(K, n, -1)
            else:
                W = (coeff @ np.stack([Wc, W1, W2]).reshape(3, -1)).reshape((K,) + Wc.shape)   # (K, d, out)
                z = np.matmul(h, W)
                z += (coeff @ np.stack([bc, b1, b2]))[:, None, :]
            if index == last and fused:
                return np.mean(_fused_loss(model, Y, z, labels), axis=-1)
            h = _activate(layer.activation, z)
        elif isinstance(layer, Activation):
            h = layer.activation.function(h) if h.ndim == 2 else _activate(layer.activation, h)
        elif isinstance(layer, Dropout):
            pass                                                  # identity when not training
        else:
            raise TypeError(f"loss_surface supports Dense, Activation and Dropout layers; received {layer!r}")
    if h.ndim == 2:                                               # no weights at all: constant surface
        h = np.broadcast_to(h, (K,) + h.shape)
    return np.mean(model.loss._per_sample(Y, h), axis=-1)


def _one_hot_labels(Y):
    """Integer labels when every row of Y is one-hot (so a gather replaces a multiply-and-sum), else None."""
    if Y.ndim == 2 and Y.shape[1] > 1 and np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1):
        return Y.argmax(axis=1)
    return None


def _progress(total, enabled):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    return tqdm(total=total, desc="loss surface", unit="point", leave=False)


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
    dtype = model.dtype
    where = _filters(model)
    per_layer, cursor = [], 0
    for layer in model.layers:
        count = len(layer.param_shapes())
        mine = where[cursor:cursor + count]
        cursor += count
        per_layer.append(tuple(_layer_params(v, mine, dtype) for v in (center, d1, d2)) if count else None)
    widths = [X.shape[1]] + [layer.output_dim for layer in model.layers]
    n = X.shape[0]
    if chunk_size is None:
        chunk_size = max(1, CHUNK_ELEMENTS // (n * max(widths[1:])))
    chunk_size = check_number(chunk_size, "chunk_size", low=1, integer=True)
    A, B = np.meshgrid(alphas, betas)                     # (len(betas), len(alphas))
    a_all, b_all = A.ravel().astype(dtype), B.ravel().astype(dtype)
    total = a_all.size
    multiply_adds = _multiply_adds(model, X.shape[1], n, total)
    starts = range(0, total, chunk_size)
    workers = _workers(workers, multiply_adds, len(starts))
    bar = _progress(total, progress is True or (progress == "auto" and 2 * multiply_adds > PROGRESS_FLOPS))
    result = np.empty(total, dtype=np.float64)
    labels = _one_hot_labels(Y) if model._fused and model.loss.fuses_with == "softmax" else None

    def evaluate_chunk(start):
        stop = min(start + chunk_size, total)
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):   # per thread
            result[start:stop] = _batched_losses(model, X, Y, a_all[start:stop], b_all[start:stop], per_layer,
                                                 labels)
        return stop - start

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="loss_surface") if workers > 1 else None
    try:
        with blas.limited(blas_threads):
            for count in (pool.map if pool is not None else map)(evaluate_chunk, starts):
                if bar is not None:
                    bar.update(count)
    finally:
        if pool is not None:
            pool.shutdown()
        if bar is not None:
            bar.close()
    return result.reshape(A.shape)


def _multiply_adds(model, n_features, n_rows, n_points):
    """Multiply-adds of the Dense products that evaluate J at ``n_points`` grid points on ``n_rows`` rows."""
    widths = [n_features] + [layer.output_dim for layer in model.layers]
    return float(n_points) * n_rows * sum(w_in * w_out for w_in, w_out in zip(widths[:-1], widths[1:]))


def _workers(workers, multiply_adds, chunks):
    """The number of threads for :func:`loss_surface`: checked, or chosen from the work for "auto"."""
    if isinstance(workers, str) and workers == "auto":
        if multiply_adds < PARALLEL_FLOPS:
            return 1
        return max(1, min(blas.usable_cores(), MAX_WORKERS, chunks))
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)):
        raise TypeError(f'workers must be "auto" or a number of threads (an integer >= 1); '
                        f'received workers={workers!r}')
    return min(check_number(workers, "workers", low=1, integer=True), max(1, chunks))


def loss_surface_loop(model, X, y, alphas, betas, directions, center=None, blas_threads=1):
    """The same surface as :func:`loss_surface`, one grid point at a time (slow; the reference).

    Sets each grid point's weights into the model and evaluates J, then restores the weights.
    ``blas_threads`` as in :func:`loss_surface`, so benchmarks compare like with like.
    """
    X, Y, alphas, betas, d1, d2, center = _check_inputs(model, X, y, alphas, betas, directions, center,
                                                       "loss_surface_loop")
    saved = model.get_flat_weights()
    result = np.empty((betas.size, alphas.size))
    try:
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"), \
                blas.limited(blas_threads):
            for i, beta in enumerate(betas):
                for j, alpha in enumerate(alphas):
                    model.set_flat_weights(center + alpha * d1 + beta * d2)
                    result[i, j] = model._evaluate_arrays(X, Y)["loss"]
    finally:
        model.set_flat_weights(saved)
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
    X, Y = model._prepare_xy(X, y)

    last = {}

    def evaluate(p):
        key = (float(p[0]), float(p[1]))
        if key in last:                       # gradient descent asks for J and dJ at the same point
            return last[key]
        saved = model.get_flat_weights()
        try:
            model.set_flat_weights(plane_weights(center, (d1, d2), key[0], key[1]))
            with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
                per_sample, _ = model._loss_and_backward(X, Y, training=False)
            g = model._grads.astype(np.float64)
            last.clear()
            last[key] = (float(np.mean(per_sample)), np.array([d1 @ g, d2 @ g]))
            return last[key]
        finally:
            model.set_flat_weights(saved)

    return (lambda p: evaluate(p)[0]), (lambda p: evaluate(p)[1])
