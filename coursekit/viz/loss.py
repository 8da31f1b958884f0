r"""Explorer 4, loss per point: "Will I pass this class?" and what each student costs the model.

The model is the lecture's perceptron on two features, x1 = lectures attended and x2 = project hours:

    ŷ = g(w0 + w1 x1 + w2 x2),   g = sigmoid

Weight sliders move its decision line over the students. Every student's loss L(ŷ_i, y_i) is drawn as a
bar (and as the size of the student's marker), for binary cross-entropy

    L = -[y log ŷ + (1 - y) log(1 - ŷ)]

or the squared error L = (y - ŷ)^2, and the empirical loss J(W) = 1/n sum_i L_i is their mean, drawn as a
line across the bars. The losses come from :mod:`coursekit.losses`, the same code the models train with.
"""

from __future__ import annotations

import numpy as np

from .. import datasets, losses
from ..activations import sigmoid
from .checks import check_in_range, check_range, check_xy_data
from .decision import data_limits, decision_line, draw_decision_map, input_grid
from .explorer import Explorer, freeze_background
from .perceptron import affine_text
from .style import CLASS_COLORS, OKABE_ITO, axes_title, style_axes

#: Loss choices: button label -> coursekit loss name.
LOSSES = (("binary cross-entropy", "binary_crossentropy"), ("mean squared error", "mean_squared_error"))


def per_point_losses(X, y, w0, w1, w2, loss="binary_crossentropy"):
    """ŷ_i = sigmoid(w0 + w1 x1 + w2 x2) and each point's loss L_i; J(W) is ``L.mean()``.

    Returns
    -------
    y_hat : ndarray (n,)
    per_point : ndarray (n,)
    """
    y_hat = sigmoid(w0 + X @ np.array([w1, w2], dtype=float))
    per_point = losses.get(loss).per_sample(np.asarray(y, dtype=float)[:, None], y_hat[:, None])
    return y_hat, per_point


class LossExplorer(Explorer):
    """Weights and loss choice → each point's loss and J(W). See :func:`loss_explorer`."""

    title = "loss per point: Will I pass this class?"

    def __init__(self, loss="binary_crossentropy", w0=-4.0, w=(0.25, 0.35), data=None, n_samples=30,
                 w0_range=(-15.0, 5.0), w_range=(-1.0, 2.0), seed=0):
        names = [name for _, name in LOSSES]
        loss = {"bce": "binary_crossentropy", "mse": "mean_squared_error"}.get(loss, loss)
        if loss not in names:
            raise ValueError(f"loss must be 'binary_crossentropy' or 'mean_squared_error'; received loss={loss!r}")
        w0_range = check_range(*w0_range, "w0_range")
        w_range = check_range(*w_range, "w_range")
        if len(tuple(w)) != 2:
            raise ValueError(f"w must be two weights (w1, w2); received w={w!r}")
        w0 = check_in_range(w0, w0_range, "w0")
        w1, w2 = (check_in_range(v, w_range, n) for v, n in zip(w, ("w[0] (w1)", "w[1] (w2)")))
        if data is None:
            data = datasets.pass_fail(n_samples=n_samples, seed=seed)
        X, y = check_xy_data(data, "data")
        order = np.lexsort((X[:, 1], y))             # bars grouped by class, then by project hours
        self.X, self.y = X[order], y[order]
        super().__init__(figsize=(10.0, 4.2), ncols=2, gridspec_kw={"width_ratios": [1.0, 1.25]})
        ax_p, ax_l = self.axes
        self.xlim, self.ylim = data_limits(self.X, margin=0.08)
        self.grid_x1, self.grid_x2, _ = input_grid(self.xlim, self.ylim, 81)
        self.image, self.points = draw_decision_map(ax_p, self.X, self.y, self.xlim, self.ylim, alpha=0.5, size=30)
        self.line = ax_p.plot([], [], color=OKABE_ITO["black"], lw=2)[0]
        style_axes(ax_p, "x₁ = lectures attended", "x₂ = hours on the final project")
        self.legend = ax_p.legend(self.points, ["fail (0)", "pass (1)"], loc="upper right", fontsize=8,
                                  framealpha=0.9, markerscale=0.8)
        self.p_title = axes_title(ax_p)
        index = np.arange(len(self.y))
        self.bars = ax_l.bar(index, np.zeros(len(self.y)), color=[CLASS_COLORS[c] for c in self.y], width=0.8)
        for label in (0, 1):                          # the class marker under the bars, as in the scatter plot
            ax_l.scatter(index[self.y == label], np.zeros(np.sum(self.y == label)), marker=["^", "o"][label],
                         s=14, color=CLASS_COLORS[label], clip_on=False, zorder=3)
        self.mean_line = ax_l.axhline(0, color=OKABE_ITO["black"], lw=1.6, ls="--")
        self.mean_text = ax_l.text(0.99, 0.0, "", transform=ax_l.get_yaxis_transform(), ha="right", va="bottom",
                                   fontsize=10, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none",
                                                          alpha=0.85))
        ax_l.set_xlim(-1, len(self.y))
        style_axes(ax_l, "student i (fail | pass)", "loss of each student")
        self.l_title = axes_title(ax_l)
        self.fig.tight_layout()
        self.ymax = None
        self.frozen = None
        W = self._widgets
        self.add_control("loss", W.ToggleButtons(options=list(LOSSES), value=loss, description="loss",
                                                 style={"button_width": "160px"}))
        for name, value, bounds in (("w0", w0, w0_range), ("w1", w1, w_range), ("w2", w2, w_range)):
            self.add_control(name, W.FloatSlider(value=value, min=bounds[0], max=bounds[1],
                                                 step=(bounds[1] - bounds[0]) / 200, description=name,
                                                 readout_format=".2f", layout={"width": "280px"}))
        self.refresh()

    def values(self):
        """(ŷ, per-point losses, J(W)) at the current controls."""
        y_hat, per_point = per_point_losses(self.X, self.y, self.value("w0"), self.value("w1"), self.value("w2"),
                                            self.value("loss"))
        return y_hat, per_point, float(np.mean(per_point))

    def update(self):
        w0, w1, w2 = self.value("w0"), self.value("w1"), self.value("w2")
        self.show_message("")
        y_hat, per_point, J = self.values()
        self.image.set_data(sigmoid(w0 + w1 * self.grid_x1 + w2 * self.grid_x2))
        self.line.set_data(*decision_line(w0, w1, w2, self.xlim, self.ylim))
        sizes = 12 + 90 * np.minimum(per_point, 3.0)
        for label, points in zip((0, 1), self.points):
            points.set_sizes(sizes[self.y == label])
        for bar, value in zip(self.bars, per_point):
            bar.set_height(value)
        self.mean_line.set_ydata([J, J])
        self.mean_text.set_y(J)
        name = "BCE" if self.value("loss") == "binary_crossentropy" else "MSE"
        self.mean_text.set_text(f"J(W) = mean = {J:.3f}")
        accuracy = float(np.mean((y_hat > 0.5) == (self.y == 1)))
        self.p_title.set_text(f"ŷ = g({affine_text(w0, w1, w2, '.2f')}): {accuracy:.0%} right")
        self.l_title.set_text(f"{name} per student; J(W) = {J:.3f}")
        # one fixed scale for both losses, so bar heights compare between slider positions and between BCE
        # and MSE (a confident mistake costs far more under BCE); it grows, redrawing the static part once,
        # only when a bar would leave the picture
        if self.ymax is None or per_point.max() > self.ymax:
            self.ymax = max(3.0, 1.2 * float(per_point.max()))
            self.axes[1].set_ylim(0, self.ymax)
            self.frozen = freeze_background(self.fig, [self.image, self.line, *self.points, *self.bars, self.mean_line,
                                                   self.mean_text, self.p_title, self.l_title, self.legend])


def loss_explorer(loss="binary_crossentropy", w0=-4.0, w=(0.25, 0.35), data=None, n_samples=30,
                  w0_range=(-15.0, 5.0), w_range=(-1.0, 2.0), seed=0):
    """Each student's loss and their mean J(W) for the "Will I pass this class?" perceptron.

    Parameters
    ----------
    loss : {"binary_crossentropy", "mean_squared_error"} (or "bce", "mse")
        The loss selected at start (a toggle switches it).
    w0 : float
        Starting bias.
    w : (float, float)
        Starting weights (w1 per lecture attended, w2 per project hour).
    data : (X, y), optional
        Your own students; by default ``datasets.pass_fail(n_samples, seed=seed)``.
    n_samples : int, default 30
        Students drawn (few enough to see each bar).
    w0_range, w_range : (min, max)
        Slider ranges of w0 and of w1, w2.
    seed : int

    Returns
    -------
    LossExplorer
        ``.values()`` returns (ŷ, per-point losses, J(W)).
    """
    return LossExplorer(loss=loss, w0=w0, w=w, data=data, n_samples=n_samples, w0_range=w0_range, w_range=w_range,
                        seed=seed)
