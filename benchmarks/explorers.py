"""One update of every explorer (compute + Agg redraw), median of repeats: ``python -m benchmarks.explorers``.

The explorers are timed in two files, one per half of the lecture (``explorers_part1.py``: perceptron
to backpropagation; ``explorers_part2.py``: learning rate to live training). This runs both and prints
one table with the 50 ms target; ``python -m benchmarks`` includes the same section.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):                       # python benchmarks/explorers.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import main as run_benchmarks  # noqa: E402

if __name__ == "__main__":
    sys.exit(run_benchmarks(["--only", "explorers", *sys.argv[1:]]))
