"""Factorization models for explicit feedback."""
