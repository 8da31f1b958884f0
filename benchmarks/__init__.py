"""coursekit's benchmarks against scikit-learn and PyTorch: ``python -m benchmarks`` (not part of pytest)."""
