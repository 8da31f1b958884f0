r"""Explorer 6, backpropagation one step at a time, on the lecture's tiny network.

    x --w1--> a1 --w2--> ŷ --> J(W)

with z1 = w1 x the hidden unit's pre-activation and a1 = g(z1) its output, ŷ = sigmoid(w2 a1) and
J = L(ŷ, y) for one example (x, y); no biases, as on the slide. (The lecture's notation, as in notebook 03:
z is a weighted sum before the activation, a the unit's output. The slide draws the hidden unit as "z1";
the labels here write a1 for it. The code keeps its keys "z1", "dyhat_dz1", "dz1_dw1" for the hidden
unit's output and the factors through it.) "next" runs one step: the forward pass (a1, ŷ, J) and then the backward pass,
each factor of the chain rule written on the graph in the lecture's colours,

    dJ/dw2 = dJ/dŷ · dŷ/dw2
    dJ/dw1 = dJ/dŷ · dŷ/da1 · da1/dw1          (purple · red · blue on the slide, there written with z1)

and, at the last step, the product compared with coursekit's own backpropagation (a ``Sequential`` with
these two weights) and with central finite differences.

:func:`tiny_net_values`, :func:`coursekit_gradients` and :func:`finite_difference_gradients` are the pure
computations; the explorer only shows them.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyArrowPatch

from .. import activations, losses
from ..gradcheck import numerical_gradient
from ..layers import Dense
from ..model import Sequential
from .checks import check_in_range, check_range
from .explorer import Explorer, freeze_background
from .style import OKABE_ITO, signed

#: The slide's colours for the three factors of dJ/dw1 (Okabe-Ito: purple, vermillion, blue).
FACTOR_COLORS = {"dJ_dyhat": OKABE_ITO["reddish_purple"], "dyhat_dz1": OKABE_ITO["vermillion"],
                 "dz1_dw1": OKABE_ITO["blue"], "dyhat_dw2": OKABE_ITO["bluish_green"]}
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
LOSS_NAMES = ("binary_crossentropy", "mean_squared_error")

STEPS = (
    "press next to run the forward pass",
    "forward: the hidden unit a₁ = g(z₁), z₁ = w₁x",
    "forward: the output ŷ = g(w₂a₁)",
    "forward: the loss J(W) = L(ŷ, y)",
    "backward: ∂J/∂ŷ",
    "backward: ∂ŷ/∂w₂, and so ∂J/∂w₂",
    "backward: ∂ŷ/∂a₁ (∂J/∂ŷ is reused)",
    "backward: ∂a₁/∂w₁ = g′(z₁)·x",
    "backward: ∂J/∂w₁, the chain rule's product",
)


# -- the computations ---------------------------------------------------------------------------------
def _loss(loss, y, y_hat):
    return losses.get(loss)(np.array([[y]], float), np.array([[y_hat]], float))


def tiny_net_values(x, y, w1, w2, activation="sigmoid", loss="binary_crossentropy"):
    """Every forward value and chain-rule factor of x → a1 = g(w1 x) → ŷ = sigmoid(w2 a1) → J = L(ŷ, y).

    Returns
    -------
    dict with keys z1, y_hat, J (forward), dJ_dyhat, dyhat_dw2, dyhat_dz1, dz1_dw1 (factors) and
    dJ_dw2, dJ_dw1 (the products).
    """
    g = activations.get(activation)
    s1 = w1 * x
    z1 = float(g.function(s1))
    s2 = w2 * z1
    y_hat = float(activations.sigmoid(s2))
    J = _loss(loss, y, y_hat)
    dJ_dyhat = float(losses.get(loss).gradient(np.array([[y]], float), np.array([[y_hat]], float))[0, 0])
    sigmoid_prime = float(activations.sigmoid_derivative(s2))
    values = {
        "z1": z1, "y_hat": y_hat, "J": J,
        "dJ_dyhat": dJ_dyhat,
        "dyhat_dw2": sigmoid_prime * z1,
        "dyhat_dz1": sigmoid_prime * w2,
        "dz1_dw1": float(g.derivative(s1)) * x,
    }
    values["dJ_dw2"] = values["dJ_dyhat"] * values["dyhat_dw2"]
    values["dJ_dw1"] = values["dJ_dyhat"] * values["dyhat_dz1"] * values["dz1_dw1"]
    return values


def tiny_net_model(w1, w2, activation="sigmoid", loss="binary_crossentropy"):
    """The same network as a coursekit ``Sequential`` (float64, biases 0), compiled with ``loss``."""
    model = Sequential([Dense(1, activation=activation, input_dim=1), Dense(1, activation="sigmoid")],
                       dtype="float64", seed=0)
    model.build(1)
    model.set_weights([np.array([[w1]]), np.zeros(1), np.array([[w2]]), np.zeros(1)])
    model.compile(optimizer="sgd", loss=loss)
    return model


def coursekit_gradients(x, y, w1, w2, activation="sigmoid", loss="binary_crossentropy"):
    """(dJ/dw1, dJ/dw2) from coursekit's backpropagation (``Sequential.loss_and_gradient``)."""
    model = tiny_net_model(w1, w2, activation, loss)
    _, gradient = model.loss_and_gradient(np.array([[x]], float), np.array([y], float))
    W1, _, W2, _ = (g for g in _split(model, gradient))
    return float(W1[0]), float(W2[0])


def _split(model, flat):
    out, offset = [], 0
    for layer in model.layers:
        for shape in layer.param_shapes():
            size = int(np.prod(shape))
            out.append(flat[offset:offset + size])
            offset += size
    return out


def finite_difference_gradients(x, y, w1, w2, activation="sigmoid", loss="binary_crossentropy", eps=1e-6):
    """(dJ/dw1, dJ/dw2) by central differences of J(w1, w2)."""
    def J(w):
        return tiny_net_values(x, y, w[0], w[1], activation, loss)["J"]

    g = numerical_gradient(J, np.array([w1, w2], float), eps=eps)
    return float(g[0]), float(g[1])


# -- the explorer -------------------------------------------------------------------------------------
def _num(value):
    return signed(value, ".4g")


class BackpropExplorer(Explorer):
    """One click per forward/backward step on x → a1 → ŷ → J. See :func:`backprop_explorer`."""

    title = "backpropagation, step by step"
    NODES = {"x": (1.0, 3.9), "z1": (4.0, 3.9), "y_hat": (7.0, 3.9), "J": (9.3, 3.9)}

    def __init__(self, x=2.0, y=1, w1=0.5, w2=-1.0, activation="sigmoid", loss="binary_crossentropy",
                 value_range=(-3.0, 3.0)):
        value_range = check_range(*value_range, "value_range")
        x, w1, w2 = (check_in_range(v, value_range, n) for v, n in ((x, "x"), (w1, "w1"), (w2, "w2")))
        if y not in (0, 1):
            raise ValueError(f"y must be the label 0 or 1; received y={y!r}")
        if activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(map(repr, HIDDEN_ACTIVATIONS))}; "
                             f"received activation={activation!r}")
        loss = {"bce": "binary_crossentropy", "mse": "mean_squared_error"}.get(loss, loss)
        if loss not in LOSS_NAMES:
            raise ValueError(f"loss must be one of {', '.join(map(repr, LOSS_NAMES))}; received loss={loss!r}")
        self.activation, self.loss = activation, loss
        self.step = 0
        super().__init__(figsize=(9.6, 4.4))
        ax = self.ax
        ax.set_xlim(0, 10.2)
        ax.set_ylim(0, 6.2)
        ax.axis("off")
        self.fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
        self.circles, self.node_labels = {}, []
        for key, label in (("x", "x"), ("z1", "a₁"), ("y_hat", "ŷ"), ("J", "J(W)")):
            cx, cy = self.NODES[key]         # a marker stays round whatever the axes' aspect
            self.circles[key] = ax.plot([cx], [cy], "o", ms=44, mfc="white", mec=OKABE_ITO["black"], mew=1.5,
                                        zorder=3)[0]
            self.node_labels.append(ax.text(cx, cy, label, ha="center", va="center", fontsize=12, zorder=4))
        for a, b in (("x", "z1"), ("z1", "y_hat"), ("y_hat", "J")):
            (xa, ya), (xb, yb) = self.NODES[a], self.NODES[b]
            ax.add_patch(FancyArrowPatch((xa + 0.42, ya), (xb - 0.42, yb), arrowstyle="-|>", mutation_scale=14,
                                         color="0.3", lw=1.4, zorder=2))
        text = dict(ha="center", va="center", fontsize=10, zorder=5)
        self.weight_texts = {"w1": ax.text(2.5, 3.55, "", **text), "w2": ax.text(5.5, 3.55, "", **text)}
        self.forward_texts = {key: ax.text(self.NODES[key][0], 2.95, "", **text) for key in ("x", "z1", "y_hat", "J")}
        self.factor_texts = {
            "dJ_dyhat": ax.text(8.15, 5.05, "", color=FACTOR_COLORS["dJ_dyhat"], **text),
            "dyhat_dz1": ax.text(5.5, 5.05, "", color=FACTOR_COLORS["dyhat_dz1"], **text),
            "dyhat_dw2": ax.text(5.5, 4.45, "", color=FACTOR_COLORS["dyhat_dw2"], **text),
            "dz1_dw1": ax.text(2.5, 5.05, "", color=FACTOR_COLORS["dz1_dw1"], **text),
        }
        left = dict(ha="left", va="center", fontsize=10.5, zorder=5)
        self.status = ax.text(0.1, 6.0, "", fontsize=11, ha="left", va="center", weight="bold")
        # the chain rule itself never changes: static text (drawn once); only the numbers are redrawn
        formulas = [ax.text(0.1, 1.9, "∂J/∂w₂ = ∂J/∂ŷ · ∂ŷ/∂w₂", **left),
                    ax.text(0.1, 1.2, "∂J/∂w₁ = ∂J/∂ŷ · ∂ŷ/∂a₁ · ∂a₁/∂w₁", **left),
                    ax.text(0.1, 0.5, "check (∂J/∂w₁, ∂J/∂w₂):", color="0.25", **left)]
        renderer = self.fig.canvas.get_renderer()
        ends = [ax.transData.inverted().transform(t.get_window_extent(renderer).p1)[0] + 0.08 for t in formulas]
        self.result_texts = {"dJ_dw2": ax.text(ends[0], 1.9, "", **left), "dJ_dw1": ax.text(ends[1], 1.2, "", **left),
                             "check": ax.text(ends[2], 0.5, "", color="0.25", **left)}
        self.frozen = None
        self._add_controls(x, y, w1, w2, value_range)
        self.refresh()
        dynamic = [*self.weight_texts.values(), *self.forward_texts.values(), *self.factor_texts.values(),
                   self.status, *self.result_texts.values(), *self.circles.values(), *self.node_labels]
        self.frozen = freeze_background(self.fig, dynamic)

    def _add_controls(self, x, y, w1, w2, value_range):
        """Sliders for x, w1, w2, the label toggle, and the back / next / reset buttons."""
        W = self._widgets
        for name, value in (("x", x), ("w1", w1), ("w2", w2)):
            self.add_control(name, W.FloatSlider(value=value, min=value_range[0], max=value_range[1],
                                                 step=(value_range[1] - value_range[0]) / 120, description=name,
                                                 readout_format=".2f", layout={"width": "240px"}))
        self.add_control("y", W.ToggleButtons(options=[0, 1], value=int(y), description="label y",
                                              style={"button_width": "40px"}))
        for name, icon, action in (("back", "step-backward", self.previous_step), ("next", "step-forward",
                                                                                   self.next_step),
                                   ("reset", "undo", self.reset)):
            button = self.add_control(name, W.Button(description=name, icon=icon, layout={"width": "90px"}),
                                      observe=False)
            button.on_click(lambda _, action=action: action())

    # -- stepping ------------------------------------------------------------------------------------
    @property
    def n_steps(self):
        return len(STEPS) - 1

    def next_step(self):
        """Run one more step (forward, then backward); stays at the last step."""
        self.step = min(self.step + 1, self.n_steps)
        self.refresh()

    def previous_step(self):
        self.step = max(self.step - 1, 0)
        self.refresh()

    def reset(self):
        """Back to the start, before the forward pass."""
        self.step = 0
        self.refresh()

    def values(self):
        """The numbers of the current controls (see :func:`tiny_net_values`)."""
        return tiny_net_values(self.value("x"), self.value("y"), self.value("w1"), self.value("w2"), self.activation,
                               self.loss)

    def checks(self):
        """(coursekit backprop, finite differences), each (dJ/dw1, dJ/dw2), for the current controls."""
        args = (self.value("x"), self.value("y"), self.value("w1"), self.value("w2"), self.activation, self.loss)
        return coursekit_gradients(*args), finite_difference_gradients(*args)

    # -- drawing -------------------------------------------------------------------------------------
    def update(self):
        v, s = self.values(), self.step
        self.show_message("")
        g = self.activation
        x, y, w1, w2 = self.value("x"), self.value("y"), self.value("w1"), self.value("w2")
        loss_name = "BCE" if self.loss == "binary_crossentropy" else "squared error"
        self.status.set_text(f"step {s}/{self.n_steps}: {STEPS[s]}")
        self.weight_texts["w1"].set_text(f"w₁ = {_num(w1)}")
        self.weight_texts["w2"].set_text(f"w₂ = {_num(w2)}")
        forward = {"x": f"x = {_num(x)}, y = {y}",
                   "z1": f"a₁ = {g}(w₁x) = {_num(v['z1'])}",
                   "y_hat": f"ŷ = σ(w₂a₁) = {_num(v['y_hat'])}",
                   "J": f"J = {loss_name} = {_num(v['J'])}"}
        shown_at = {"x": 0, "z1": 1, "y_hat": 2, "J": 3}
        for key, text in forward.items():
            self.forward_texts[key].set_text(text if s >= shown_at[key] else "")
        factors = {"dJ_dyhat": (4, f"∂J/∂ŷ = {_num(v['dJ_dyhat'])}"),
                   "dyhat_dw2": (5, f"∂ŷ/∂w₂ = {_num(v['dyhat_dw2'])}"),
                   "dyhat_dz1": (6, f"∂ŷ/∂a₁ = {_num(v['dyhat_dz1'])}"),
                   "dz1_dw1": (7, f"∂a₁/∂w₁ = {_num(v['dz1_dw1'])}")}
        for key, (at, text) in factors.items():
            self.factor_texts[key].set_text(text if s >= at else "")
            self.factor_texts[key].set_fontweight("bold" if s == at else "normal")
        self.result_texts["dJ_dw2"].set_text(
            f"= ({_num(v['dJ_dyhat'])}) · ({_num(v['dyhat_dw2'])}) = {_num(v['dJ_dw2'])}" if s >= 5 else "")
        self.result_texts["dJ_dw1"].set_text(
            f"= ({_num(v['dJ_dyhat'])}) · ({_num(v['dyhat_dz1'])}) · ({_num(v['dz1_dw1'])}) = {_num(v['dJ_dw1'])}"
            if s >= 8 else "")
        if s >= 8:
            (b1, b2), (f1, f2) = self.checks()
            self.result_texts["check"].set_text(f"coursekit backprop {_num(b1)}, {_num(b2)}; "
                                                f"finite differences {_num(f1)}, {_num(f2)}")
        else:
            self.result_texts["check"].set_text("")
        active = {1: "z1", 2: "y_hat", 3: "J", 4: "J", 5: "y_hat", 6: "y_hat", 7: "z1", 8: "x"}.get(s)
        for key, circle in self.circles.items():
            forward_step = s <= 3
            circle.set_markerfacecolor("#FFF3C4" if key == active else "white")
            circle.set_markeredgecolor(OKABE_ITO["black"] if forward_step or key != active else
                                 FACTOR_COLORS["dJ_dyhat"])


def backprop_explorer(x=2.0, y=1, w1=0.5, w2=-1.0, activation="sigmoid", loss="binary_crossentropy"):
    """Backpropagation on x → a1 → ŷ → J(W), one forward or backward step per click of "next".

    Parameters
    ----------
    x : float, default 2
        The input.
    y : {0, 1}, default 1
        The label.
    w1, w2 : float
        The two weights (sliders in [-3, 3]).
    activation : {"sigmoid", "tanh", "relu", "linear"}
        g of the hidden unit a1 = g(z1), z1 = w1 x; the output is ŷ = sigmoid(w2 a1).
    loss : {"binary_crossentropy", "mean_squared_error"}

    Returns
    -------
    BackpropExplorer
        ``.next_step()``, ``.previous_step()``, ``.reset()`` do what the buttons do; ``.values()`` gives every
        number shown, ``.checks()`` coursekit's backprop and finite differences.
    """
    return BackpropExplorer(x=x, y=y, w1=w1, w2=w2, activation=activation, loss=loss)
