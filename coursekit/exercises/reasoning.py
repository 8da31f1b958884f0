"""Code exercises that need reasoning, not transcription.

(Filled in by the reasoning work of issue 13.)
"""

from __future__ import annotations

EXERCISES: list = []
