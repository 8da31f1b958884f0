"""Pictures and explorers: matplotlib figure builders and ipywidgets that update them in place.

Import explorers from here, e.g. ``from coursekit.viz import perceptron_explorer``. The math core never
imports this package.
"""

from .explorer import Explorer, ipympl_active  # noqa: F401
from .style import CLASS_COLORS, CLASS_MARKERS, LABELS, OKABE_ITO, scatter_classes  # noqa: F401
