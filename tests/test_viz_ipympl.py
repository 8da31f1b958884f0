"""The explorers' ipympl canvas, in a subprocess (importing ipympl switches matplotlib's backend for the
whole process, and the other tests draw with Agg).

An explorer draws while it is built. Frames sent to the browser before the explorer is displayed made
ipympl's front end paint a revoked image ("Error setting state: Failed to execute 'drawImage'" in the
browser console, once per explorer; tests/browser checks the console). Before display the canvas sends
nothing; after display every draw is sent, whole.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json
from coursekit.viz import perceptron_explorer
e = perceptron_explorer()
canvas = e.fig.canvas
frames = []
real_send = canvas.send
canvas.send = lambda content, buffers=None: (frames.append(len(buffers or [])), buffers and pngs.append(bytes(buffers[0])),
                                             real_send(content, buffers))
pngs = []
canvas.draw()                                      # built, not displayed: no frame leaves the kernel
before = sum(frames)
box = e.widget                                     # displayed: a complete first image with the display
first_image = canvas._data_url[:22]
canvas._handle_message(None, {"type": "initialized"}, None)    # the browser view connected
e.controls["w1"].value = 2.5
e.fig.canvas.draw()
import io
from PIL import Image
last = Image.open(io.BytesIO(pngs[-1]))
print(json.dumps({"interactive": e.interactive, "before": before, "after": sum(frames) - before,
                  "first_image": first_image, "mode": canvas._image_mode, "frame_size": list(last.size),
                  "canvas_size": list(canvas.get_width_height(physical=True)),
                  "opaque": bool(min(last.convert("RGBA").getchannel("A").getextrema()) == 255)}))
"""


def test_no_frames_before_display_and_whole_frames_after(repo_root):
    env = dict(os.environ, MPLBACKEND="module://ipympl.backend_nbagg")
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=repo_root, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["interactive"] is True
    assert result["before"] == 0, result
    assert result["after"] >= 1, result
    assert result["first_image"] == "data:image/png;base64,", result
    # a whole frame (not a difference image on transparent black), the canvas's size
    assert result["mode"] == "full" and result["opaque"], result
    assert result["frame_size"] == result["canvas_size"], result


COALESCE = r"""
import json
from coursekit.viz import perceptron_explorer
e = perceptron_explorer()
box = e.widget
canvas = e.fig.canvas
canvas._handle_message(None, {"type": "initialized"}, None)    # a browser view is connected
calls, sent = [], []
real_update = e.update
e.update = lambda: (calls.append(e.value("w1")), real_update())
canvas.send = lambda content, buffers=None: sent.append("frame" if buffers else json.loads(content["data"])["type"])
for value in (0.5, 1.0, 1.5, 2.0, 2.5):               # five key presses while a frame is on its way
    e.controls["w1"].value = value
before_request = list(calls)
canvas._handle_message(None, {"type": "draw"}, None)     # the view asks for its next frame
after_request = list(calls)
canvas._handle_message(None, {"type": "draw"}, None)     # nothing changed since: no second update
print(json.dumps({"before": before_request, "after": after_request, "final": list(calls), "sent": sent,
                  "line_w1": "w1 = 2.5" in e.description()}))
"""


def test_control_changes_faster_than_frames_coalesce_to_the_latest(repo_root):
    env = dict(os.environ, MPLBACKEND="module://ipympl.backend_nbagg")
    out = subprocess.run([sys.executable, "-c", COALESCE], cwd=repo_root, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["before"] == [], result                 # no update per key press...
    assert result["after"] == [2.5], result               # ...one, with the latest value, per frame
    assert result["final"] == [2.5], result
    assert result["sent"].count("frame") == 2 and result["sent"][:5] == ["draw"] * 5, result
    assert result["line_w1"], result
