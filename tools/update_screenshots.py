"""Copy the README's explorer screenshots from the browser suite's results, trimmed and 640 px wide.

    python -m pytest tests/browser -m browser -q      # writes test-results/browser/
    python tools/update_screenshots.py                # -> docs/img/*.png
    python tools/update_screenshots.py path/to/test-results/browser

Each picture is a cell's output in JupyterLab after the suite moved its controls (``cellNN_after.png``),
or a live widget's picture (``cellNN_widget.png``). Run it after an explorer's look changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 640

#: docs/img name -> (the suite's folder for the notebook, the screenshot in it)
SHOTS = {
    "01_perceptron": ("notebooks_01_perceptron", "cell09_after.png"),
    "02_activations": ("notebooks_02_activation_functions", "cell05_after.png"),
    "03_network": ("notebooks_03_building_networks", "cell18_after.png"),
    "04_loss": ("notebooks_04_loss", "cell13_after.png"),
    "05_landscape": ("notebooks_05_gradient_descent", "cell20_after.png"),
    "06_backprop": ("notebooks_06_backpropagation", "cell09_after.png"),
    "07_learning_rate": ("notebooks_07_learning_rates_and_optimizers", "cell05_after.png"),
    "07_optimizer_race": ("notebooks_07_learning_rates_and_optimizers", "cell09_after.png"),
    "08_minibatches": ("notebooks_08_mini_batches", "cell09_after.png"),
    "09_dropout": ("notebooks_09_overfitting_and_regularization", "cell09_after.png"),
    "09_early_stopping": ("notebooks_09_overfitting_and_regularization", "cell16_after.png"),
    "10_live_training": ("notebooks_10_review_digits", "cell11_widget.png"),
}


def trimmed(image: Image.Image, margin: int = 8) -> Image.Image:
    """The picture without the white space around its content (a few pixels of margin kept)."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    ink = (np.abs(rgb - 255).max(axis=2) > 10)
    rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    if not rows.size:
        return image
    top, bottom = max(0, rows[0] - margin), min(rgb.shape[0], rows[-1] + 1 + margin)
    left, right = max(0, cols[0] - margin), min(rgb.shape[1], cols[-1] + 1 + margin)
    return image.crop((left, top, right, bottom))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    source = Path(argv[0]) if argv else ROOT / "test-results" / "browser"
    missing = [f"{folder}/{name}" for folder, name in SHOTS.values() if not (source / folder / name).exists()]
    if missing:
        print(f"not found in {source} (run the browser suite first): {', '.join(missing)}")
        return 1
    for target, (folder, name) in SHOTS.items():
        image = trimmed(Image.open(source / folder / name))
        height = round(image.height * WIDTH / image.width)
        out = ROOT / "docs" / "img" / f"{target}.png"
        image.resize((WIDTH, height), Image.LANCZOS).convert("RGB").save(out, optimize=True)
        print(f"{out.relative_to(ROOT)}  {WIDTH}x{height}  <- {folder}/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
