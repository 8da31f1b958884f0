"""Pictures and explorers: matplotlib figure builders and ipywidgets that update them in place.

Import explorers from here, e.g. ``from coursekit.viz import perceptron_explorer``. The math core never
imports this package.
"""

from .explorer import Explorer, ipympl_active  # noqa: F401
from .style import CLASS_COLORS, CLASS_MARKERS, LABELS, OKABE_ITO, scatter_classes  # noqa: F401
from .learning_rate import learning_rate_explorer  # noqa: F401
from .optimizers import optimizer_race  # noqa: F401
from .minibatch import minibatch_explorer  # noqa: F401
from .dropout import dropout_explorer  # noqa: F401
from .early_stopping import early_stopping_explorer, replay_early_stopping  # noqa: F401
from .training import TrainingMonitor, live_training_explorer  # noqa: F401
from .perceptron import perceptron_explorer  # noqa: F401
from .activations import activation_explorer  # noqa: F401
from .network import network_explorer  # noqa: F401
from .loss import loss_explorer  # noqa: F401
from .landscape import landscape_explorer  # noqa: F401
from .backprop import backprop_explorer  # noqa: F401
from .vanishing import vanishing_gradient_explorer  # noqa: F401
