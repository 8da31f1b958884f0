"""Freezing a figure's static part: draw ticks, labels and contours once, as pictures, and only the moving
artists on every slider move (:func:`freeze_background`)."""

from __future__ import annotations

import weakref

import numpy as np


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



def _split_static(fig, dynamic):
    """The static artists in matplotlib's draw order: those drawn before every dynamic one (the background)
    and, per Axes, each later run of them with the dynamic artist it follows: ``(background, layers)``."""
    background = [artist for artist in [fig.patch, *_figure_level(fig)]
                  if artist.get_visible() and artist not in dynamic]
    layers = []                                   # (Axes, the dynamic artist they follow, static artists)
    for ax in fig.axes:
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
    return background, layers


def _cropped(rgba):
    """``(left, bottom, pixels)`` of the smallest box holding every non-transparent pixel, or None."""
    rows, cols = np.nonzero(rgba[:, :, 3].any(axis=1))[0], np.nonzero(rgba[:, :, 3].any(axis=0))[0]
    if not rows.size:
        return None
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return left, rgba.shape[0] - bottom, rgba[top:bottom, left:right].copy()


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
    for artist in frozen_pictures(fig):
        artist.thaw()
        artist.remove()
    background, layers = _split_static(fig, dynamic)
    pixels = _render_alone(fig, set(background))
    size = pixels.shape[:2]
    overlays = [(ax, after, _cropped(_render_alone(fig, set(band)))) for ax, after, band in layers]

    hidden = background + [artist for _, _, band in layers for artist in band]
    for artist in hidden:
        artist.set_visible(False)
    group = _FrozenGroup(hidden)
    frozen = [_make_frozen_picture(fig, group, size, 0, 0, pixels, -1e9)]
    fig.add_artist(frozen[0])
    for ax, after, crop in overlays:
        if crop is None:
            continue
        picture = _make_frozen_picture(fig, group, size, *crop, after.zorder)
        ax.add_artist(picture)                   # drawn in the Axes' order, right after ``after``
        picture.set_clip_path(None)
        frozen.append(picture)
    _FROZEN[fig] = frozen
    return frozen[0]


#: The frozen pictures of each figure (background first), kept beside the figure rather than on it.
_FROZEN = weakref.WeakKeyDictionary()


def frozen_pictures(fig) -> list:
    """The pictures :func:`freeze_background` put in ``fig`` (background first); ``[]`` if none."""
    return list(_FROZEN.get(fig, []))
