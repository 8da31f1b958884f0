"""Shared pytest configuration for all of coursekit's tests.

Keep this file small: a suite's own fixtures belong in that suite's folder
(e.g. ``tests/browser/conftest.py``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding pyproject.toml)."""
    return REPO_ROOT
