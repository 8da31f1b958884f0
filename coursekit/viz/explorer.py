"""The base of every explorer: a matplotlib figure plus ipywidgets controls, updated in place.

An explorer builds its figure once; moving a control calls :meth:`Explorer.update`, which changes the
artists' data (``set_data``, ``set_array``, ...) and redraws. Nothing is re-created per slider move.

Two display modes, chosen from the active matplotlib backend:

* ``%matplotlib widget`` (ipympl): the figure's canvas is itself a widget; redraws go to the browser
  directly (fastest, about 100 ms from key press to pixels).
* any other backend (inline, or Agg in tests): the figure is rendered to PNG into an ``ipywidgets.Image``.

Either way, displaying an explorer also stores a static PNG in the notebook, so a saved notebook
reads on GitHub and nbviewer. Errors raised while updating (a diverging run, say) are shown in the
widget's message line instead of as a traceback.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
from matplotlib.figure import Figure


def ipympl_active() -> bool:
    """True when ``%matplotlib widget`` / ``%matplotlib ipympl`` is the current backend."""
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend == "widget"


def figure_to_png(fig, dpi=None) -> bytes:
    """Render a figure to PNG bytes (Agg)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


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

        from .platform import prepare_front_end
        prepare_front_end()                 # Colab: its custom widget manager, before the first widget
        self._widgets = widgets
        self.interactive = ipympl_active()
        if self.interactive:
            # An ipympl canvas of our own, not registered with pyplot: pyplot keeps every figure it made
            # until closed and warns past 20, and a course notebook shows more explorers than that.
            from ipympl.backend_nbagg import FigureManager

            self.fig = Figure(figsize=figsize)
            canvas = _explorer_canvas_class()(self.fig)
            FigureManager(canvas, 0)
            self.fig.canvas.header_visible = False
            self.fig.canvas.toolbar_position = "right"
            self.fig.canvas.resizable = False
        else:
            self.fig = Figure(figsize=figsize, dpi=90)
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(self.fig)
        self.axes = self.fig.subplots(nrows, ncols, squeeze=False, **subplot_kw).ravel()
        self.ax = self.axes[0]
        self.controls = {}
        self.message = widgets.HTML(value="")
        self._image = None if self.interactive else widgets.Image(format="png")
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
        """Run :meth:`update` and redraw; any error becomes a message in the widget, not a traceback."""
        try:
            self.update()
        except Exception as error:  # noqa: BLE001 - shown to the student instead of a traceback
            self.show_message(f"{type(error).__name__}: {error}", kind="error")
        self.redraw()

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
                self._image.value = figure_to_png(self.fig)

    def png(self) -> bytes:
        """The current picture as PNG bytes."""
        return figure_to_png(self.fig)

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
            self._box = self._widgets.VBox([self.control_box(), figure, self.message])
            if not self.interactive:
                self._image.value = figure_to_png(self.fig)
        return self._box

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data)
        data["image/png"] = self.png()               # the static picture kept in the saved notebook
        data["text/plain"] = f"<{type(self).__name__}: {self.title}>"
        return data

    def __repr__(self):
        return f"<{type(self).__name__}: {self.title}>"


#: zlib level of the PNG frames sent to the browser: level 3 encodes a 900 x 400 frame in about half
#: the time of Pillow's default 6 (13 against 26 ms for the optimizer race), for 10 % more bytes.
PNG_LEVEL = 3


def _explorer_canvas_class():
    """ipympl's Canvas, with three changes for explorers (each found by the browser suite, tests/browser).

    * No frames before display. An explorer draws while it is built (its first picture, the frozen
      background). ipympl sends every draw to the browser's model of the canvas, which exists from the
      moment the canvas does; frames arriving back to back revoke each other's image before it loads, and
      the model's next size update then paints a broken image ("Error setting state: Failed to execute
      'drawImage'" in the browser console, once per explorer). Nothing is shown before display anyway:
      the first picture goes with the display itself (``_repr_mimebundle_``).
    * Every frame whole. ipympl sends only the pixels that changed since the kernel's last frame, and a
      view that missed a frame (drawn before it connected, as Run All does) then composes later frames
      on a blank picture: only the moving parts ever show.
    * Frames compressed at :data:`PNG_LEVEL`: whole frames at Pillow's default level took a quarter of
      the 100 ms from a key press to new pixels.
    """
    if not _EXPLORER_CANVAS:
        from ipympl.backend_nbagg import Canvas
        from PIL import Image

        class ExplorerCanvas(Canvas):
            shown = False

            def send_binary(self, data):
                if self.shown:
                    super().send_binary(data)

            def get_diff_image(self):
                """The current picture as a whole PNG frame (None if it was already sent)."""
                if not self._png_is_old:
                    return None
                pixels = np.asarray(self.get_renderer().buffer_rgba())
                self.set_image_mode("full")
                self._last_buff = pixels.view(np.uint32).squeeze(2).copy()   # ipympl's data URL uses it
                self._force_full = self._png_is_old = False
                with io.BytesIO() as png:
                    Image.fromarray(pixels).save(png, format="png", compress_level=PNG_LEVEL)
                    return png.getvalue()

        _EXPLORER_CANVAS.append(ExplorerCanvas)
    return _EXPLORER_CANVAS[0]


_EXPLORER_CANVAS = []


# -- optional speed-up: draw the static part of a figure once ---------------------------------------
class _FrozenGroup:
    """The pictures of one frozen figure and the static artists they stand in for."""

    def __init__(self, hidden):
        self.hidden, self.pictures, self.thawed = hidden, [], False

    def thaw(self):
        if self.thawed:
            return
        self.thawed = True
        for artist in self.hidden:
            artist.set_visible(True)
        for picture in self.pictures:
            picture.set_visible(False)


def _make_frozen_picture(fig, group, size, x, y, rgba, zorder):
    from matplotlib.artist import Artist

    class FrozenPicture(Artist):
        """Paints a saved picture of static artists, with its lower-left corner at (x, y) canvas pixels.

        If the canvas size no longer matches (a HiDPI ipympl canvas, a resized figure), it gives the static
        artists back to matplotlib and asks for a redraw, so the figure stays complete and is simply drawn
        the ordinary (slower) way."""

        def __init__(self):
            super().__init__()
            self.group = group
            self.set_zorder(zorder)

        def draw(self, renderer):
            if not self.get_visible():
                return
            if (int(renderer.height), int(renderer.width)) != size:
                self.thaw()
                fig.canvas.draw_idle()
                return
            gc = renderer.new_gc()
            renderer.draw_image(gc, x, y, rgba[::-1])
            gc.restore()

        def thaw(self):
            self.group.thaw()

    picture = FrozenPicture()
    group.pictures.append(picture)
    return picture


def _draw_order(ax):
    """An Axes' children in the order Axes.draw paints them: its patch, then the rest by zorder (stable)."""
    children = [child for child in ax.get_children() if child is not ax.patch]
    return [ax.patch] + sorted(children, key=lambda artist: artist.zorder)


def _figure_level(fig):
    return [*fig.texts, *fig.lines, *fig.images, *fig.patches, *fig.legends]


def _render_alone(fig, shown):
    """The canvas's RGBA pixels with only the artists ``shown`` drawn (transparent elsewhere)."""
    everything = [fig.patch, *_figure_level(fig)] + [child for ax in fig.axes for child in ax.get_children()]
    switched = [artist for artist in everything if artist not in shown and artist.get_visible()]
    for artist in switched:
        artist.set_visible(False)
    try:
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba()).copy()
    finally:
        for artist in switched:
            artist.set_visible(True)


def freeze_background(fig, dynamic):
    """Render the static artists once, as pictures, and paint those on later draws.

    A full Agg draw spends most of its time on ticks, labels and contour lines that never change while
    a slider moves. After this call ``fig.canvas.draw()`` paints stored pictures of those and draws only
    the ``dynamic`` artists (lines, markers, titles that an update changes). Axis limits and the static
    artists must then stay as they are; call again (or ``thaw()`` the returned artist) otherwise.

    The layering is matplotlib's own: static artists that matplotlib draws before every dynamic one of
    their Axes go into one background picture; those it draws after a dynamic one (a legend, a curve
    above a moving shaded band, grid lines above a moving image) go into transparent pictures drawn right
    after that dynamic artist. So a frozen figure looks the same as the figure drawn the ordinary way
    (``tests/test_viz_frozen.py`` compares them pixel by pixel).

    Returns the background picture (``.thaw()`` restores ordinary drawing). ``None`` entries in
    ``dynamic`` (artists an explorer has not created yet) are ignored.
    """
    dynamic = {artist for artist in dynamic if artist is not None}
    for artist in getattr(fig, "_coursekit_frozen", []):
        artist.thaw()
        artist.remove()
    background = [artist for artist in [fig.patch, *_figure_level(fig)]
                  if artist.get_visible() and artist not in dynamic]
    layers = []                                   # (Axes, the dynamic artist they follow, static artists)
    for ax in fig.axes:
        # split the Axes' draw order at each dynamic artist: the static run before the first one joins the
        # background, each later run becomes a layer drawn right after the dynamic artist before it
        after, band = None, []
        for artist in [*_draw_order(ax), None]:             # None closes the last run
            if artist is None or artist in dynamic:
                if band:
                    if after is None:
                        background.extend(band)
                    else:
                        layers.append((ax, after, band))
                after, band = artist, []
            elif artist.get_visible():
                band.append(artist)

    pixels = _render_alone(fig, set(background))
    size = pixels.shape[:2]
    overlays = []
    for ax, after, band in layers:
        rgba = _render_alone(fig, set(band))
        rows, cols = np.nonzero(rgba[:, :, 3].any(axis=1))[0], np.nonzero(rgba[:, :, 3].any(axis=0))[0]
        if rows.size:
            top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            overlays.append((ax, after, left, size[0] - bottom, rgba[top:bottom, left:right].copy()))

    hidden = background + [artist for _, _, band in layers for artist in band]
    for artist in hidden:
        artist.set_visible(False)
    group = _FrozenGroup(hidden)
    frozen = [_make_frozen_picture(fig, group, size, 0, 0, pixels, -1e9)]
    fig.add_artist(frozen[0])
    for ax, after, x, y, rgba in overlays:
        picture = _make_frozen_picture(fig, group, size, x, y, rgba, after.zorder)
        ax.add_artist(picture)                   # drawn in the Axes' order, right after ``after``
        picture.set_clip_path(None)
        frozen.append(picture)
    fig._coursekit_frozen = frozen
    return frozen[0]
