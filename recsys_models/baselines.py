"""Baselines that ignore the sequence: the same scores for every prefix."""

import numpy as np


class ConstantScores:
    """
    Gives the same scores to every sequence.

    Parameters
    ----------
    scores: array-like, shape (num_items,)
        For example item counts (popularity).
    """

    def __init__(self, scores):
        self.scores = np.asarray(scores, dtype=np.float64)
        if self.scores.ndim != 1:
            raise ValueError(f'scores must be one value per item (1-dimensional), got shape {self.scores.shape}.')

    def predict(self, sequence):
        """spotlight's interface: one sequence -> the scores of every item."""
        return self.scores.copy()

    def predict_sequences(self, prefixes):
        """(n, L) prefixes -> the scores, once per prefix."""
        return np.tile(self.scores, (len(prefixes), 1))


def item_counts(sequences, num_items):
    """How often each item appears in ``sequences`` (any shape of item ids); padding counts 0."""
    counts = np.bincount(np.asarray(sequences).ravel(), minlength=num_items)
    counts[0] = 0
    return counts
