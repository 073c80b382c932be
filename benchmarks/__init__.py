"""Reproducible performance scripts; each prints its figures (run them, do not import them in tests)."""
