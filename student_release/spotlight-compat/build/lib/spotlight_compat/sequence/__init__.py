"""Sequence models for implicit feedback (next-item prediction)."""
