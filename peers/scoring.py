"""
How a peer is scored: test RMSE with predictions clipped to the rating scale, and the test
MRR of the next item, plain and with the seen items ranked last.
"""

import numpy as np

from spotlight_compat.evaluation import sequence_mrr_score


def clipped_rmse(predictions, ratings):
    """Test RMSE with predictions clipped to the rating scale [1, 5]."""
    return float(np.sqrt(np.mean((np.clip(predictions, 1.0, 5.0) - ratings) ** 2)))


class SequenceScorer:
    """
    Wrap ``score(prefixes) -> (n, num_items)`` as the ``predict`` / ``predict_sequences``
    model that ``sequence_mrr_score`` takes. An item the peer cannot rank scores
    ``recsys_models.protocol.CANNOT_RANK``.
    """

    def __init__(self, score):
        self._score = score

    def predict_sequences(self, prefixes):
        """(n, L) left-padded prefixes -> (n, num_items) scores of the next item."""
        return self._score(np.asarray(prefixes))

    def predict(self, sequence):
        """One prefix -> the scores of every item (spotlight's interface)."""
        return self._score(np.asarray(sequence)[None, :])[0]


def mrr_plain_and_seen_last(scorer, test):
    """
    The mean reciprocal rank of each test window's last item given the items before it.

    Returns
    -------
    (float, float)
        The plain MRR and the MRR with the seen items (the prefix's own) ranked last.
    """
    return (float(sequence_mrr_score(scorer, test).mean()),
            float(sequence_mrr_score(scorer, test, exclude_preceding=True).mean()))
