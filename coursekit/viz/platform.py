"""Where the notebook runs: what a front-end needs before the first explorer is shown.

Google Colab renders only its own widgets until ``google.colab.output.enable_custom_widget_manager()``
has been called; ipympl's canvas (``%matplotlib widget``) is a custom widget. :func:`prepare_front_end`
calls it once per kernel, when the kernel is Colab's (``google.colab`` imported, as it is in every
Colab kernel from the start), and does nothing anywhere else (JupyterLab, Binder, a hub, VS Code).

Where custom widgets cannot render -- Colab when that call failed, or a front-end without ipympl's
extension, named by setting the environment variable ``COURSEKIT_EXPLORERS=png`` before the kernel
starts (or ``os.environ[...]`` before the first explorer) -- :func:`custom_widgets_render` is False and
the explorers show their figure as an inline PNG in an ``ipywidgets.Output``, which the sliders redraw.
"""

from __future__ import annotations

import os
import sys

_prepared = False
_custom_widgets = True

#: The environment variable that asks for PNG explorers everywhere (value ``png``).
ENV_VARIABLE = "COURSEKIT_EXPLORERS"


def in_colab() -> bool:
    """Whether this kernel is a Google Colab one."""
    return "google.colab" in sys.modules


def prepare_front_end() -> None:
    """Turn on Colab's custom widget manager once (the first explorer calls this); never raises."""
    global _prepared, _custom_widgets
    if _prepared:
        return
    _prepared = True
    if not in_colab():
        return
    try:
        from google.colab import output
        output.enable_custom_widget_manager()
    except Exception:       # an old Colab without it: the explorers fall back to their PNG view
        _custom_widgets = False


def custom_widgets_render() -> bool:
    """Whether ipympl's canvas (a custom widget) can render here; False means: use PNG explorers."""
    choice = os.environ.get(ENV_VARIABLE, "").strip().lower()
    if choice not in ("", "png", "widget"):
        raise ValueError(f"{ENV_VARIABLE} must be 'png' or 'widget' (or unset); received {choice!r}")
    return _custom_widgets and choice != "png"
