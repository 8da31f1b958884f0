"""Create ``coursekit/data/digits.npz`` from scikit-learn's bundled copy of the UCI digits.

Run once from the repository root (scikit-learn is needed here only, never by coursekit)::

    python tools/make_digits_npz.py

The data are the 1797 8x8 images of the test set of the UCI *Optical Recognition of Handwritten
Digits* data set (E. Alpaydin and C. Kaynak, 1998; https://doi.org/10.24432/C50P49), licensed
CC BY 4.0 -- the same copy that ``sklearn.datasets.load_digits`` ships.

The archive holds two arrays, ``images`` (1797, 8, 8) uint8 with pixel values 0..16 and ``labels``
(1797,) uint8 with values 0..9, compressed. The zip entries carry a fixed timestamp so that running
the script again writes a byte-identical file (no spurious git diff).
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "coursekit" / "data" / "digits.npz"


def main() -> int:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.asarray(bunch.images)
    labels = np.asarray(bunch.target)
    if images.shape != (1797, 8, 8) or labels.shape != (1797,):
        raise SystemExit(f"unexpected shapes: images {images.shape}, labels {labels.shape}")
    if not (np.array_equal(images, np.round(images)) and images.min() >= 0 and images.max() <= 16):
        raise SystemExit("pixel values are not integers in 0..16")
    if set(np.unique(labels).tolist()) != set(range(10)):
        raise SystemExit(f"labels are not 0..9: {np.unique(labels)}")
    if not np.array_equal(images.reshape(len(images), -1), bunch.data):
        raise SystemExit("images and data disagree")

    arrays = {"images": images.astype(np.uint8), "labels": labels.astype(np.uint8)}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(OUT, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buffer.getvalue(), compresslevel=9)

    # Read it back the way coursekit does and compare.
    with np.load(OUT) as npz:
        assert np.array_equal(npz["images"], images) and np.array_equal(npz["labels"], labels)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): images {images.shape}, labels {labels.shape}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
