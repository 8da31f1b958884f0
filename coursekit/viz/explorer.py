"""The base of every explorer: a matplotlib figure plus ipywidgets controls, updated in place.

An explorer builds its figure once; moving a control calls :meth:`Explorer.update`, which changes the
artists' data (``set_data``, ``set_array``, ...) and redraws. Nothing is re-created per slider move.

Two display modes, chosen from the active matplotlib backend and the front-end:

* ``%matplotlib widget`` (ipympl): the figure's canvas is itself a widget; redraws go to the browser
  directly (fastest, about 100 ms from key press to pixels).
* anywhere custom widgets cannot render -- any other backend (inline, or Agg in tests), Colab without
  its custom widget manager, or ``COURSEKIT_EXPLORERS=png`` (:mod:`coursekit.viz.platform`) -- the
  figure is rendered to an inline PNG inside an ``ipywidgets.Output``, which every front-end that shows
  ipywidgets' own controls also shows; the sliders still redraw it.

Either way, displaying an explorer also stores a static PNG in the notebook, so a saved notebook
reads on GitHub and nbviewer, with a text description as its ``alt`` (:mod:`coursekit.viz.describe`);
the live explorer carries the same description as a label for screen readers. Errors raised while updating (a diverging run, say) are shown in the
widget's message line instead of as a traceback.
"""

from __future__ import annotations

import base64
import io

import matplotlib
from matplotlib.figure import Figure

from .describe import describe_figure, hidden_label_html
from .frozen import freeze_background  # noqa: F401  (explorers import it from here)


def ipympl_active() -> bool:
    """True when ``%matplotlib widget`` / ``%matplotlib ipympl`` is the current backend."""
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend == "widget"


def figure_to_png(fig, dpi=None) -> bytes:
    """Render a figure to PNG bytes (Agg)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


#: The widest picture an explorer draws, in pixels. JupyterLab's output area is about 800 px wide on a
#: 1280 x 800 laptop screen with the file browser open (the browser suite measures it): wider figures are
#: drawn at a lower dpi, so they keep their layout and simply come out smaller (and their frames cheaper).
MAX_WIDTH_PX = 760


def explorer_dpi(figsize, dpi) -> float:
    """``dpi``, lowered where a figure ``figsize[0]`` inches wide would exceed :data:`MAX_WIDTH_PX`."""
    return min(dpi, MAX_WIDTH_PX / figsize[0])


def _wrap_rows(box, box_class):
    """Let every row of controls in ``box`` wrap onto a next line in a narrow output area, not run past it."""
    if not isinstance(box, box_class):
        return
    if type(box).__name__ == "HBox" and not box.layout.flex_flow:
        box.layout.flex_flow = "row wrap"
    for child in box.children:
        _wrap_rows(child, box_class)


class Explorer:
    """Base class: subclasses create artists in ``__init__`` and change them in :meth:`update`.

    Parameters
    ----------
    figsize : tuple
        Figure size in inches.
    title : str
        Shown in the text representation (and the saved notebook).
    """

    title = "explorer"

    def __init__(self, figsize=(6.4, 4.0), nrows=1, ncols=1, **subplot_kw):
        import ipywidgets as widgets

        from .platform import custom_widgets_render, prepare_front_end
        prepare_front_end()                 # Colab: its custom widget manager, before the first widget
        self._widgets = widgets
        self.interactive = ipympl_active() and custom_widgets_render()
        if self.interactive:
            # An ipympl canvas of our own, not registered with pyplot: pyplot keeps every figure it made
            # until closed and warns past 20, and a course notebook shows more explorers than that.
            from ipympl.backend_nbagg import FigureManager

            from .canvas import explorer_canvas_class

            self.fig = Figure(figsize=figsize, dpi=explorer_dpi(figsize, matplotlib.rcParams["figure.dpi"]))
            canvas = explorer_canvas_class()(self.fig)
            canvas.explorer = self                    # its frame requests run a pending update first
            FigureManager(canvas, 0)
            self.fig.canvas.header_visible = False
            # no pan/zoom toolbar: it took 40 px of the width, and a frozen background cannot follow a zoom
            self.fig.canvas.toolbar_visible = False
            self.fig.canvas.toolbar_position = "right"
            self.fig.canvas.resizable = False
        else:
            self.fig = Figure(figsize=figsize, dpi=explorer_dpi(figsize, 90))
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(self.fig)
        self.axes = self.fig.subplots(nrows, ncols, squeeze=False, **subplot_kw).ravel()
        self.ax = self.axes[0]
        self.controls = {}
        self.stale = False
        self.message = widgets.HTML(value="")
        self._image = None if self.interactive else widgets.Output()
        self._box = None

    # -- controls -----------------------------------------------------------------------------
    def add_control(self, name, widget, observe=True):
        """Register a control; a change of its value triggers :meth:`refresh`."""
        self.controls[name] = widget
        if observe:
            widget.observe(lambda change: self.refresh(), names="value")
        return widget

    def value(self, name):
        return self.controls[name].value

    # -- drawing ------------------------------------------------------------------------------
    def update(self):
        """Recompute and set the artists' data from the controls. Subclasses override."""

    def refresh(self):
        """Run :meth:`update` and redraw; any error becomes a message in the widget, not a traceback.

        With a browser view of the ipympl canvas, the update waits for the view's next frame request
        (ipympl's view asks for one frame at a time): slider moves that arrive faster than frames are
        drawn coalesce to the latest values, computed once, so nothing backs up under load and the
        picture catches up within one frame after the slider stops (:mod:`coursekit.viz.canvas`).
        """
        canvas = self.fig.canvas
        if self.interactive and self._box is not None and not getattr(canvas, "syncing_data_url", True):
            self.stale = True
            canvas.draw_idle()
            return
        self.update_now()
        self.redraw()

    def update_now(self):
        """Run :meth:`update` at once (if controls changed since the last frame, for the canvas)."""
        self.stale = False
        try:
            self.update()
        except Exception as error:  # noqa: BLE001 - shown to the student instead of a traceback
            self.show_message(f"{type(error).__name__}: {error}", kind="error")

    def show_message(self, text, kind="info"):
        colour = {"info": "#555555", "warning": "#B35900", "error": "#B00020"}[kind]
        self.message.value = f'<span style="color:{colour}">{text}</span>' if text else ""

    def redraw(self):
        if self.interactive:
            canvas = self.fig.canvas
            if getattr(canvas, "syncing_data_url", False) and self._box is not None:
                # Displayed, but no browser view has connected yet (Run All runs on). ipympl would store
                # this draw's *difference* image, unprefixed, as the view's first picture; store a
                # complete one instead. The view asks for a full redraw when it connects.
                canvas._repr_mimebundle_()
            else:
                canvas.draw_idle()
        else:
            self.fig.canvas.draw()
            if self._box is not None:
                self._show_png()

    def _show_png(self):
        """Replace the Output's picture (one state update; no IPython needed, so tests run it too)."""
        self._image.outputs = ({"output_type": "display_data", "metadata": {"image/png": {"alt": self.description()}},
                                "data": {"image/png": base64.b64encode(self.png()).decode("ascii"),
                                         "text/plain": repr(self)}},)

    def png(self) -> bytes:
        """The current picture as PNG bytes."""
        return figure_to_png(self.fig)

    def description(self) -> str:
        """What the explorer shows, in words: its figure's title, panels and axes, and its controls."""
        controls = [f"{getattr(widget, 'description', '') or name} = {widget.value}"
                    for name, widget in self.controls.items() if hasattr(widget, "value")]
        text = f"Interactive explorer: {describe_figure(self.fig, self.title)}"
        return text + (" Controls: " + ", ".join(controls) + "." if controls else "")

    # -- display ------------------------------------------------------------------------------
    def control_box(self):
        """The controls laid out above the figure; subclasses may arrange them differently."""
        return self._widgets.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"})

    @property
    def widget(self):
        """The ipywidgets box: controls, the figure, and a message line."""
        if self._box is None:
            if self.interactive:
                # ipympl 0.10 keeps the figure's first image as an unprefixed base64 string when the figure
                # was drawn before it is displayed (as explorers do); the browser then shows an empty box
                # until a full redraw. The canvas's own display hook stores a proper data URL first
                # (found by the browser suite: tests/browser).
                self.fig.canvas.shown = True
                self.fig.canvas._repr_mimebundle_()
            figure = self.fig.canvas if self.interactive else self._image
            label = self._widgets.HTML(value=hidden_label_html(self.description()),
                                       layout={"height": "0px", "margin": "0px", "overflow": "hidden"})
            controls = self.control_box()
            _wrap_rows(controls, self._widgets.Box)
            self._box = self._widgets.VBox([label, controls, figure, self.message])
            self._box.add_class("coursekit-explorer")
            if not self.interactive:
                self._show_png()
        return self._box

    def _repr_mimebundle_(self, include=None, exclude=None):
        box = self.widget
        if hasattr(box, "_repr_mimebundle_"):
            bundle = box._repr_mimebundle_(include=include, exclude=exclude) or {}
        else:                          # ipywidgets 7 (Colab's) displays widgets with this view reference
            bundle = {"application/vnd.jupyter.widget-view+json":
                      {"version_major": 2, "version_minor": 0, "model_id": box.model_id}}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data)
        data["image/png"] = self.png()               # the static picture kept in the saved notebook
        data["text/plain"] = f"<{type(self).__name__}: {self.title}>"
        return data, {"image/png": {"alt": self.description()}}

    def __repr__(self):
        return f"<{type(self).__name__}: {self.title}>"
