r"""Explorer 9 — mini-batches: how the batch size B trades gradient noise for speed.

The lecture's three algorithms differ only in how many examples estimate the gradient:
gradient descent uses all n, stochastic gradient descent a single one (B = 1, "easy to compute but very
noisy"), mini-batch gradient descent B of them, (1/B) sum_k dJ_k/dW ("a much better estimate of the true
gradient"). One epoch passes the data once, in ceil(n / B) iterations (2000 examples, B = 500: 4).

The model is a logistic regression with two weights, y_hat = sigmoid(w1 x1 + w2 x2), on the standardised
"Will I pass this class?" data, so its whole loss J(W) is a picture. Left: many mini-batch gradients at
one point, scattered around the full gradient (the spread shrinks as B grows). Right: the paths of SGD
(B = 1), mini-batch (B) and full gradient descent on the contours of J, for the same learning rate and
number of iterations.

Pure parts: :class:`LogisticPlane` (J, per-sample gradients, descent paths, batch-gradient samples).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_number
from ..datasets import iterations_per_epoch, pass_fail
from .explorer import Explorer, freeze_background
from .style import OKABE_ITO, SERIES_COLORS, style_axes

BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


class LogisticPlane:
    """Two-weight logistic regression y_hat = sigmoid(X w) with the mean binary cross-entropy J(w).

    Parameters
    ----------
    X : array, shape (n, 2)
    y : array of 0/1, shape (n,)
    """

    def __init__(self, X, y):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float).reshape(-1)
        if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
            raise ValueError(f"X must have shape (n_samples, 2) with n_samples >= 1; received {X.shape}")
        if len(y) != len(X):
            raise ValueError(f"X and y must have the same number of rows; received {len(X)} and {len(y)}")
        self.X, self.y = X, y

    def loss(self, W):
        """J at many weight vectors at once: ``W`` of shape (..., 2) -> (...)."""
        W = np.asarray(W, dtype=float)
        z = W.reshape(-1, 2) @ self.X.T                                  # (m, n)
        per = np.logaddexp(0, z) - self.y * z                            # BCE from logits, stable
        return per.mean(axis=1).reshape(W.shape[:-1])

    def per_sample_gradients(self, w):
        """dJ_i/dw for every example i, shape (n, 2)."""
        z = self.X @ np.asarray(w, dtype=float)
        return ((0.5 * (1 + np.tanh(0.5 * z))) - self.y)[:, None] * self.X

    def gradient(self, w, rows=None):
        X = self.X if rows is None else self.X[rows]
        y = self.y if rows is None else self.y[rows]
        z = X @ w
        return ((0.5 * (1 + np.tanh(0.5 * z))) - y) @ X / len(y)

    def descent_path(self, w0, batch_size, learning_rate, iterations, seed=0):
        """Mini-batch gradient descent: epochs of shuffled batches of ``batch_size`` (the last may be smaller)."""
        rng = np.random.default_rng(seed)
        n = len(self.X)
        w = np.array(w0, dtype=float)
        path = [w.copy()]
        order, start = rng.permutation(n), 0
        for _ in range(iterations):
            if start >= n:
                order, start = rng.permutation(n), 0
            rows = order[start:start + batch_size]
            start += batch_size
            w = w - learning_rate * self.gradient(w, rows)
            path.append(w.copy())
        return np.array(path)


class BatchGradientSampler:
    """Many mini-batch gradients at one point, for every batch size, from one precomputation.

    ``samples`` random orderings of the data are drawn once; the k-th mini-batch of size B is the first B
    examples of ordering k (sampling without replacement, as an epoch's batches are). Cumulative sums of
    the per-sample gradients along each ordering make every batch size an O(samples) look-up.
    """

    def __init__(self, per_sample_gradients, samples=300, seed=0):
        G = np.asarray(per_sample_gradients, dtype=float)
        rng = np.random.default_rng(seed)
        orders = np.argsort(rng.random((samples, len(G))), axis=1)
        self.cumulative = np.cumsum(G[orders], axis=1)                   # (samples, n, 2)
        self.full = G.mean(axis=0)
        self.n = len(G)

    def batch_gradients(self, batch_size):
        """(samples, 2): mini-batch gradients (1/B) sum_k dJ_k/dW for ``samples`` random batches."""
        B = int(np.clip(batch_size, 1, self.n))
        return self.cumulative[:, B - 1] / B

    def spread(self, batch_size):
        """Root-mean-square distance of the mini-batch gradients from the full gradient."""
        g = self.batch_gradients(batch_size)
        return float(np.sqrt(np.mean(np.sum((g - self.full) ** 2, axis=1))))


class MinibatchExplorer(Explorer):
    """Batch-size slider: gradient spread, SGD / mini-batch / GD paths, iterations per epoch."""

    title = "mini-batches"

    def __init__(self, batch_size=500, n_samples=2000, learning_rate=1.0, iterations=40, samples=300, seed=0,
                 start=(-2.0, -1.5)):
        self.n_samples = check_number(n_samples, "n_samples", low=2, high=20_000, integer=True)
        self.learning_rate = check_number(learning_rate, "learning_rate", low=0, low_inclusive=False)
        self.iterations = check_number(iterations, "iterations", low=1, high=2000, integer=True)
        self.seed = check_number(seed, "seed", low=0, integer=True)
        batch_size = check_number(batch_size, "batch_size", low=1, high=self.n_samples, integer=True)
        self.batch_sizes = sorted({b for b in BATCH_SIZES if b < self.n_samples} | {self.n_samples, batch_size})
        X, y = pass_fail(self.n_samples, seed=self.seed)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        self.plane = LogisticPlane(X, y)
        self.w0 = np.array(start, dtype=float)
        self.sampler = BatchGradientSampler(self.plane.per_sample_gradients(self.w0), samples, self.seed)
        self._paths = {}

        super().__init__(figsize=(10.0, 4.2), nrows=1, ncols=2)
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.88, wspace=0.25)
        self._draw_static()
        w = self._widgets
        self.add_control("batch_size", w.SelectionSlider(options=self.batch_sizes, value=batch_size,
                                                         description="batch size B", layout={"width": "420px"},
                                                         style={"description_width": "initial"}))
        self.refresh()
        freeze_background(self.fig, self._dynamic)

    def path(self, batch_size):
        """The descent path for one batch size (cached)."""
        if batch_size not in self._paths:
            self._paths[batch_size] = self.plane.descent_path(self.w0, batch_size, self.learning_rate,
                                                              self.iterations, seed=self.seed)
        return self._paths[batch_size]

    def _draw_static(self):
        ax_g, ax_w = self.axes
        full = self.sampler.full
        widest = self.sampler.batch_gradients(1)
        reach = np.abs(np.vstack([widest, full[None, :], [[0, 0]]]))
        lim = 1.1 * np.percentile(reach, 99, axis=0).max()
        centre = full
        ax_g.set_xlim(centre[0] - lim, centre[0] + lim)
        ax_g.set_ylim(centre[1] - lim, centre[1] + lim)
        ax_g.set_aspect("equal", adjustable="box")
        self.scatter = ax_g.scatter([], [], s=10, color=SERIES_COLORS[0], alpha=0.45, linewidths=0,
                                    label="mini-batch gradients", zorder=2)
        ax_g.annotate("", xy=full, xytext=(0, 0), zorder=4,
                      arrowprops=dict(arrowstyle="-|>", color=OKABE_ITO["vermillion"], lw=2))
        ax_g.plot(*full, "*", ms=12, color=OKABE_ITO["vermillion"], mec="black", zorder=5,
                  label="full gradient (all n)")
        style_axes(ax_g, r"$\partial J/\partial w_1$", r"$\partial J/\partial w_2$")
        ax_g.legend(fontsize=8, loc="upper left")

        full_path = self.path(self.n_samples)
        sgd_path = self.path(1)
        pts = np.vstack([full_path, sgd_path, [[0, 0]]])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = 0.15 * (hi - lo).max()
        a = np.linspace(lo[0] - pad, hi[0] + pad, 70)
        b = np.linspace(lo[1] - pad, hi[1] + pad, 70)
        A, Bg = np.meshgrid(a, b)
        Z = self.plane.loss(np.stack([A, Bg], axis=-1))
        ax_w.contour(A, Bg, Z, levels=14, colors="#5a6d80", linewidths=0.6, alpha=0.8)
        ax_w.set_xlim(a[0], a[-1])
        ax_w.set_ylim(b[0], b[-1])
        ax_w.plot(sgd_path[:, 0], sgd_path[:, 1], "-", color=SERIES_COLORS[3], lw=1, alpha=0.8,
                  label="SGD (B = 1)")
        ax_w.plot(full_path[:, 0], full_path[:, 1], "--", color=SERIES_COLORS[6], lw=1.6,
                  label=f"gradient descent (B = n = {self.n_samples})")
        self.batch_line, = ax_w.plot([], [], "o-", color=SERIES_COLORS[0], lw=1.8, ms=2.5, label="mini-batch (B)")
        ax_w.plot(*self.w0, "s", color="black", ms=7, zorder=5)
        style_axes(ax_w, "w1", "w2")
        ax_w.legend(fontsize=8, loc="lower right")
        self.title_g = ax_g.text(0.5, 1.02, "", transform=ax_g.transAxes, ha="center", va="bottom", fontsize=10)
        self.title_w = ax_w.text(0.5, 1.02, "", transform=ax_w.transAxes, ha="center", va="bottom", fontsize=10)
        self.suptitle = self.fig.suptitle("", fontsize=11)
        self._dynamic = [self.scatter, self.batch_line, self.title_g, self.title_w, self.suptitle]

    def update(self):
        B = int(self.value("batch_size"))
        g = self.sampler.batch_gradients(B)
        self.scatter.set_offsets(g)
        self.batch_line.set_data(*self.path(B).T)
        spread = self.sampler.spread(B)
        self.title_g.set_text(f"{len(g)} mini-batch gradients at the start, B = {B}: spread {spread:.3f}")
        per_epoch = iterations_per_epoch(self.n_samples, B)
        epochs = self.iterations / per_epoch
        self.title_w.set_text(f"{self.iterations} iterations, η = {self.learning_rate:g} ({epochs:.3g} epochs)")
        self.suptitle.set_text(f"n = {self.n_samples} examples, batch size B = {B} → {per_epoch} iterations "
                               f"per epoch")
        self.show_message(f"One epoch = {per_epoch} iterations of B = {B} examples "
                          f"(the lecture: 2000 examples in batches of 500 → 4 iterations).")


def minibatch_explorer(batch_size=500, n_samples=2000, learning_rate=1.0, iterations=40, samples=300, seed=0):
    """Explorer 9: batch-size slider → gradient noise, SGD / mini-batch / GD paths, iterations per epoch.

    Parameters
    ----------
    batch_size : int
        Initial B (the lecture's 500), 1 <= B <= n_samples.
    n_samples : int
        Examples of "Will I pass this class?" (the lecture's 2000).
    learning_rate : float
        eta, the same for every path.
    iterations : int
        Updates drawn per path.
    samples : int
        Mini-batch gradients scattered per batch size.
    seed : int
        Data, batch orderings and shuffles.

    Returns
    -------
    MinibatchExplorer
    """
    return MinibatchExplorer(batch_size=batch_size, n_samples=n_samples, learning_rate=learning_rate,
                             iterations=iterations, samples=samples, seed=seed)
