"""Waiting for a figure's first picture: a blank canvas is no "before" to compare a redraw with."""
from __future__ import annotations

import io
import time

from labdriver import changed_pixels, figure_snapshots


def drawn_fraction(png: bytes) -> float:
    """Share of a picture's pixels that differ from its most common colour (0 for a blank canvas)."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.uint32)
    packed = (rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2]).ravel()
    if packed.size == 0:
        return 0.0
    return 1.0 - np.bincount(np.unique(packed, return_inverse=True)[1]).max() / packed.size


def settled_snapshots(page, cell, timeout_ms: int = 20_000, min_drawn: float = 0.005) -> dict:
    """:func:`figure_snapshots` once every figure in the cell is drawn (not blank) and unchanged between two
    looks 300 ms apart. Under load a canvas's first picture can arrive late; a "before" picture taken
    earlier is blank, and the late first draw then looks like a redraw caused by the next key press."""
    deadline = time.monotonic() + timeout_ms / 1000
    last = figure_snapshots(cell)
    while time.monotonic() < deadline:
        page.wait_for_timeout(300)
        now = figure_snapshots(cell)
        drawn = all(drawn_fraction(png) >= min_drawn for png in now["canvases"])
        same = len(now["canvases"]) == len(last["canvases"]) and now["imgs"] == last["imgs"] and all(
            changed_pixels(a, b) == 0 for a, b in zip(last["canvases"], now["canvases"]))
        if drawn and same:
            return now
        last = now
    raise AssertionError(f"the figures did not settle within {timeout_ms / 1000:.0f} s "
                         f"(drawn: {[round(drawn_fraction(p), 4) for p in last['canvases']]})")
