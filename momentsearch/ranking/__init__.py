"""Scoring and fusion: pure numpy over arrays of per-channel scores."""
