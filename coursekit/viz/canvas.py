"""The explorers' ipympl canvas: ipympl's ``Canvas`` with the changes the browser suite asked for.

Imported only under ``%matplotlib widget`` (importing ipympl switches matplotlib's backend for the whole
process), so the class is made on first use by :func:`explorer_canvas_class`.
"""

from __future__ import annotations

import io

import numpy as np

#: zlib level of the PNG frames sent to the browser: level 3 encoded a 900 x 400 frame in about half
#: the time of Pillow's default 6 (13 against 26 ms for the optimizer race), for 10 % more bytes; level 1
#: a 760 x 320 frame in 7.4 against 8.7 ms (optimizer race; 7.9 against 10.2 ms for the perceptron),
#: for 8-10 % more bytes. Dropping the alpha channel gained under 1 ms and is not done. ipympl's difference
#: frames (only changed pixels) were measured too, encode time full against difference: perceptron 12 vs
#: 28 ms (its decision image changes everywhere), optimizer race 15 vs 11 ms, landscape 7.7 vs 5.5 ms: at
#: most 4 ms gained, and a view that misses one composes the next on a blank picture; not kept.
PNG_LEVEL = 1


def explorer_canvas_class():
    """ipympl's Canvas, with four changes for explorers (each found by the browser suite, tests/browser).

    * No frames before display. An explorer draws while it is built (its first picture, the frozen
      background). ipympl sends every draw to the browser's model of the canvas, which exists from the
      moment the canvas does; frames arriving back to back revoke each other's image before it loads, and
      the model's next size update then paints a broken image ("Error setting state: Failed to execute
      'drawImage'" in the browser console, once per explorer). Nothing is shown before display anyway:
      the first picture goes with the display itself (``_repr_mimebundle_``).
    * Every frame whole. ipympl sends only the pixels that changed since the kernel's last frame, and a
      view that missed a frame (drawn before it connected, as Run All does) then composes later frames
      on a blank picture: only the moving parts ever show.
    * A pending update runs when the view asks for a frame (``handle_draw``), not at every control change
      (:meth:`Explorer.refresh`): the view asks for the next frame only once the last one arrived, so
      control changes that arrive meanwhile are computed once, with their latest values.
    * Frames compressed at :data:`PNG_LEVEL`: whole frames at Pillow's default level took a quarter of
      the 100 ms from a key press to new pixels.
    """
    if not _EXPLORER_CANVAS:
        from ipympl.backend_nbagg import Canvas
        from PIL import Image

        class ExplorerCanvas(Canvas):
            shown = False
            explorer = None

            def handle_draw(self, event):
                if self.explorer is not None and self.explorer.stale:
                    self.explorer.update_now()
                self.draw()

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


