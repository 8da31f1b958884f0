"""A stand-in for Colab's ``google.colab`` package (tests only): what coursekit calls, and nothing else."""
