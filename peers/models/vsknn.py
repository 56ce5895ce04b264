"""
V-SKNN (Ludewig and Jannach, 2018; session-rec's ``VMContextKNN`` with its defaults): the
training users' windows of 10 are the sessions; a prefix's nearest sessions vote for the
items they contain.
"""

import time

import numpy as np
import scipy.sparse as sp

from recsys_models.protocol import CANNOT_RANK, WINDOW

from ..scoring import SequenceScorer

NEIGHBOURS = 100  # session-rec's default k


def fit_vsknn(train, seed, neighbours=NEIGHBOURS):
    """
    The V-SKNN peer (nothing to tune; ``seed`` is unused: it is deterministic).

    A prefix's items weigh position / length (the latest 1); its similarity to a session is
    the summed weight of their shared items over the prefix length; of the ``neighbours``
    most similar sessions, each adds its similarity, divided by how far back (1 = the latest
    item) the prefix's most recent item that it shares lies, to every item it contains.

    Returns
    -------
    (SequenceScorer, float, dict)
        The scorer, the seconds to index the sessions, and no extra record.
    """
    start = time.perf_counter()
    sessions = train.to_sequence(max_sequence_length=WINDOW).sequences
    member = np.zeros((len(sessions), train.num_items), dtype=bool)
    np.put_along_axis(member, sessions.astype(np.int64), True, axis=1)
    member[:, 0] = False
    member_sparse = sp.csr_matrix(member, dtype=np.float64)
    seconds = time.perf_counter() - start
    k = min(neighbours, len(sessions))

    def score(prefixes):
        prefixes = prefixes.astype(np.int64)
        lengths = np.count_nonzero(prefixes, axis=1)
        position = np.arange(1, prefixes.shape[1] + 1)[None, :] - (prefixes.shape[1] - lengths)[:, None]
        weights = np.where(prefixes > 0, position, 0) / np.maximum(lengths, 1)[:, None] ** 2
        query = sp.csr_matrix((weights.ravel(), (np.repeat(np.arange(len(prefixes)), prefixes.shape[1]),
                                                 prefixes.ravel())),
                              shape=(len(prefixes), train.num_items))
        similarity = np.asarray((query @ member_sparse.T).todense())
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weight = np.take_along_axis(similarity, nearest, axis=1)
        decay = np.zeros_like(weight)
        for back in range(prefixes.shape[1], 0, -1):  # the latest shared item wins
            shared = member[nearest, prefixes[:, -back][:, None]] & (prefixes[:, -back] > 0)[:, None]
            decay[shared] = 1.0 / back
        rows = np.repeat(np.arange(len(prefixes)), k)
        contribution = sp.csr_matrix(((weight * decay).ravel(), (rows, nearest.ravel())),
                                     shape=(len(prefixes), len(sessions)))
        scores = np.asarray((contribution @ member_sparse).todense())
        scores[:, 0] = CANNOT_RANK
        return scores
    return SequenceScorer(score), seconds, {}
