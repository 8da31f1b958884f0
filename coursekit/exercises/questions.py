"""Questions beside the explorers: numbers with a tolerance, choices, predict-then-check.

(Filled in by the questions work of issue 13.)
"""

from __future__ import annotations

EXERCISES: list = []
