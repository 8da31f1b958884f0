"""The fast twin of :func:`coursekit.landscape.loss_surface_loop`: a loss surface in batched, threaded products.

Private: the loop (set each grid point's weights, evaluate J) is what the surface *is*; this module
computes the same numbers quickly, and the tests hold the two equal. The first Dense layer is linear in
(alpha, beta), so ``X W(alpha, beta) = X W* + alpha X D1 + beta X D2`` costs three products for the
whole grid; each later Dense layer is one stacked (batched) matrix product for a chunk of grid points;
chunks run on worker threads (numpy releases the GIL in its products), each computed exactly as on one
thread, so the surface is the same bit for bit whatever the number of workers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import blas
from ._validation import check_number
from .layers import Activation, Dense, Dropout
from .losses import BinaryCrossentropy, binary_crossentropy_from_logits

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


def layer_params(model, center, d1, d2):
    """Per layer, (centre, d1, d2) as lists of that layer's weight arrays (None for a layer without weights)."""
    per_layer, offset = [], 0
    for layer in model.layers:
        if not layer.params:
            per_layer.append(None)
            continue
        arrays = ([], [], [])
        for shape in layer.param_shapes():
            size = int(np.prod(shape))
            for out, vector in zip(arrays, (center, d1, d2)):
                out.append(vector[offset:offset + size].reshape(shape).astype(model.dtype))
            offset += size
        per_layer.append(arrays)
    return per_layer


def losses_from_logits(model, Y, Z, labels=None):
    """Per-sample losses from the last layer's logits Z (K, n, out) when the loss applies the activation.

    Softmax cross-entropy reduces over the classes with the class axis moved to the front (one copy):
    numpy reduces a short last axis slowly, an outer axis at full speed. One-hot targets are gathered by
    their labels instead of multiplied and summed.
    """
    if isinstance(model.loss, BinaryCrossentropy):
        return np.mean(binary_crossentropy_from_logits(Y, Z), axis=-1)
    Zt = np.ascontiguousarray(np.moveaxis(Z, -1, 0))                      # (out, K, n)
    z_max = Zt.max(axis=0)
    Zt -= z_max
    np.exp(Zt, out=Zt)
    log_sum_exp = np.log(Zt.sum(axis=0)) + z_max
    picked = Z[:, np.arange(Z.shape[1]), labels] if labels is not None else np.sum(Y * Z, axis=-1)
    return log_sum_exp - picked


def _dense_on_grid(h, params, coeff):
    """z of a Dense layer at K grid points: shared input h (n, d) by linearity, batched input (K, n, d) stacked."""
    (Wc, bc), (W1, b1), (W2, b2) = params
    K = coeff.shape[0]
    if h.ndim == 2:
        parts = np.stack([h @ Wc + bc, h @ W1 + b1, h @ W2 + b2])     # (3, n, out)
        return (coeff @ parts.reshape(3, -1)).reshape(K, h.shape[0], -1)
    W = (coeff @ np.stack([Wc, W1, W2]).reshape(3, -1)).reshape((K,) + Wc.shape)   # (K, d, out)
    z = np.matmul(h, W)
    z += (coeff @ np.stack([bc, b1, b2]))[:, None, :]
    return z


def batched_losses(model, X, Y, a, b, params, labels=None):
    """J at the K grid points (a[k], b[k]); ``params`` from :func:`layer_params`."""
    K = a.size
    coeff = np.stack([np.ones_like(a), a, b], axis=1)          # (K, 3): 1, alpha, beta
    h = X                                                        # shared (n, d) or batched (K, n, d)
    last = len(model.layers) - 1
    for index, layer in enumerate(model.layers):
        if isinstance(layer, Dense):
            z = _dense_on_grid(h, params[index], coeff)
            if index == last and model.objective.from_logits:
                return np.mean(losses_from_logits(model, Y, z, labels), axis=-1)
            h = layer.activation.overwrite(z)
        elif isinstance(layer, Activation):
            h = layer.activation.function(h) if h.ndim == 2 else layer.activation.overwrite(h)
        elif not isinstance(layer, Dropout):                      # dropout: the identity when not training
            raise TypeError(f"loss_surface supports Dense, Activation and Dropout layers; received {layer!r}")
    if h.ndim == 2:                                               # no weights at all: constant surface
        h = np.broadcast_to(h, (K,) + h.shape)
    return np.mean(model.loss.forward(Y, h), axis=-1)


def one_hot_labels(Y):
    """Integer labels when every row of Y is one-hot (so a gather replaces a multiply-and-sum), else None."""
    if Y.ndim == 2 and Y.shape[1] > 1 and np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1):
        return Y.argmax(axis=1)
    return None


def multiply_adds(model, n_features, n_rows, n_points):
    """Multiply-adds of the Dense products that evaluate J at ``n_points`` grid points on ``n_rows`` rows."""
    widths = [n_features] + [layer.output_dim for layer in model.layers]
    return float(n_points) * n_rows * sum(w_in * w_out for w_in, w_out in zip(widths[:-1], widths[1:]))


def choose_workers(workers, work, chunks):
    """The number of threads: checked, or chosen from the work (multiply-adds) for "auto"."""
    if isinstance(workers, str) and workers == "auto":
        if work < PARALLEL_FLOPS:
            return 1
        return max(1, min(blas.usable_cores(), MAX_WORKERS, chunks))
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)):
        raise TypeError(f'workers must be "auto" or a number of threads (an integer >= 1); '
                        f'received workers={workers!r}')
    return min(check_number(workers, "workers", low=1, integer=True), max(1, chunks))


def progress_bar(total, enabled):
    """A tqdm bar over ``total`` grid points, or None."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    return tqdm(total=total, desc="loss surface", unit="point", leave=False)


def surface_values(model, X, Y, a_all, b_all, per_layer, chunk_size, workers, progress, blas_threads):
    """J at every grid point (a_all[k], b_all[k]), chunk by chunk on ``workers`` threads (float64 vector)."""
    total = a_all.size
    work = multiply_adds(model, X.shape[1], X.shape[0], total)
    starts = range(0, total, chunk_size)
    workers = choose_workers(workers, work, len(starts))
    bar = progress_bar(total, progress is True or (progress == "auto" and 2 * work > PROGRESS_FLOPS))
    result = np.empty(total, dtype=np.float64)
    labels = one_hot_labels(Y) if model.objective.from_logits and Y.shape[1] > 1 else None

    def evaluate_chunk(start):
        stop = min(start + chunk_size, total)
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):   # per thread
            result[start:stop] = batched_losses(model, X, Y, a_all[start:stop], b_all[start:stop], per_layer,
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
    return result
