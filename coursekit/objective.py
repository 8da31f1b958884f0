r"""The network's last step: its last layer and the loss J, chosen once in ``compile``.

Two ways to end a network, decided once by :func:`objective_for` (never re-checked per batch):

* :class:`LossOnOutputs` -- the last layer applies its activation g, then the loss compares ŷ = g(z) with y;
  backpropagation starts from dJ/dŷ and goes back through g.
* :class:`LossOnLogits` -- when the loss knows g (sigmoid with binary cross-entropy, softmax with
  categorical cross-entropy), g and the loss are computed together from the logits z, as Keras does
  with ``from_logits``: one exponential gives ŷ and the loss, and g's derivative cancels against the
  loss's, leaving dJ/dz = (ŷ - y) / n. Exact even where ŷ rounds to 0 or 1.
"""

from __future__ import annotations


class LossOnOutputs:
    """The last layer's output ŷ, then the loss L(ŷ, y): the general case."""

    from_logits = False

    def __init__(self, loss):
        self.loss = loss

    def forward(self, last, x, y, training=False):
        """(L_i of every sample, ŷ) for the input ``x`` of the last layer ``last``."""
        y_hat = last.forward(x, training=training)
        return self.loss.forward(y, y_hat), y_hat

    def backward(self, last, y, y_hat):
        """dJ/d(input of the last layer): dJ/dŷ, then back through the last layer."""
        return last.backward(self.loss.backward(y, y_hat))


class LossOnLogits:
    """The last activation g and the loss as one function of the logits z (stable, one exponential)."""

    from_logits = True

    def __init__(self, loss):
        self.loss = loss

    def forward(self, last, x, y, training=False):
        """(L_i, ŷ) from z = X W + b: g is applied once, by the loss."""
        per_sample, last.a = self.loss.forward_from_logits(y, last.forward_z(x))
        return per_sample, last.a

    def backward(self, last, y, y_hat):
        """dJ/d(input of the last layer) from dJ/dz = (ŷ - y) / n."""
        return last.backward_z(self.loss.backward_from_logits(y, y_hat))


def objective_for(loss, last_layer):
    """:class:`LossOnLogits` when ``loss`` computes from the logits of ``last_layer``'s activation, else
    :class:`LossOnOutputs`."""
    activation = getattr(last_layer, "activation", None)
    fuses = (loss.fuses_with is not None and not loss.from_logits and activation is not None
             and activation.function is loss.fuses_with.function and hasattr(last_layer, "forward_z"))
    return LossOnLogits(loss) if fuses else LossOnOutputs(loss)
