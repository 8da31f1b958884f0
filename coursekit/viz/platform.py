"""Where the notebook runs: what a front-end needs before the first explorer is shown.

Google Colab renders only its own widgets until ``google.colab.output.enable_custom_widget_manager()``
has been called; ipympl's canvas (``%matplotlib widget``) is a custom widget. :func:`prepare_front_end`
calls it once per kernel, when the kernel is Colab's (``google.colab`` imported, as it is in every
Colab kernel from the start), and does nothing anywhere else (JupyterLab, Binder, a hub, VS Code).
"""

from __future__ import annotations

import sys

_prepared = False


def in_colab() -> bool:
    """Whether this kernel is a Google Colab one."""
    return "google.colab" in sys.modules


def prepare_front_end() -> None:
    """Turn on Colab's custom widget manager once (the first explorer calls this); never raises."""
    global _prepared
    if _prepared:
        return
    _prepared = True
    if not in_colab():
        return
    try:
        from google.colab import output
        output.enable_custom_widget_manager()
    except Exception:       # an old Colab without it: the explorers fall back to their PNG view
        pass
