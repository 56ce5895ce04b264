"""
Item-item models: a prefix is read as a bag of items weighted by recency (the last item
counts 1, the one before it d, then d^2, ...) and scored through one weight per pair of
items. ``EASE`` learns which items go together; ``SequentialRidge`` learns what comes next.
"""

import numpy as np
import scipy.sparse as sp

from spotlight_compat.interactions import order_by_user_then_time

from .features import rated_matrix
from .protocol import CANNOT_RANK, WINDOW, user_histories

def recency_profiles(prefixes, num_items, recency_decay):
    """Each prefix (n, length) as a sparse (n, num_items) bag of items: the last item weighs 1,
    the one before it ``recency_decay``, and so on; padding weighs nothing."""
    n, length = prefixes.shape
    weights = np.tile(recency_decay ** np.arange(length - 1, -1, -1), n) * (prefixes.ravel() != 0)
    return sp.csr_matrix((weights, (np.repeat(np.arange(n), length), prefixes.ravel())), shape=(n, num_items))


EASE_SETTINGS = dict(l2=1000.0, recency_decay=0.65)


class EASE:
    """
    EASE (Steck, 2019): item-item weights in closed form from the users' item sets; a prefix
    is scored as its recency-weighted bag of items times the weights.

    Parameters
    ----------
    l2: float
        The ridge penalty lambda.
    recency_decay: float
        A prefix's last item weighs 1, the one before it ``recency_decay``, ...
    """

    def __init__(self, l2, recency_decay):
        self.l2, self.recency_decay = l2, recency_decay

    def fit(self, interactions):
        """Learn B = I - P diag(1 / diag P), P = (X^T X + l2 I)^-1, from ``interactions``; returns self."""
        X = rated_matrix(interactions)  # a user who rated an item twice still counts once
        P = np.linalg.inv((X.T @ X).toarray() + self.l2 * np.eye(X.shape[1]))
        self.B = -P / np.diag(P)
        np.fill_diagonal(self.B, 0.0)
        return self

    def predict_sequences(self, prefixes):
        """(n, L) prefixes -> (n, num_items) scores; the padding id scores ``CANNOT_RANK``."""
        scores = np.asarray(recency_profiles(np.asarray(prefixes), self.B.shape[0], self.recency_decay) @ self.B)
        scores[:, 0] = CANNOT_RANK  # the padding id is not an item
        return scores

    def predict(self, sequence):
        """spotlight's interface: one sequence -> the scores of every item."""
        return self.predict_sequences(np.atleast_2d(sequence))[0]


SEQUENTIAL_RIDGE = dict(l2=1000.0, recency_decay=0.8, horizon=5, horizon_decay=0.5)


def next_item_examples(histories, num_items, length, horizon, horizon_decay):
    """
    Every position of every history (but the first) as one training example: its prefix, the
    (up to) ``length`` items before it, left-padded with 0 as the test prefixes are, and its
    targets, the item there and the ``horizon - 1`` after it, weighted 1, horizon_decay, ...
    Returns the prefixes (examples x length) and the targets (sparse, examples x items).
    """
    prefixes, rows, cols, vals, offset = [], [], [], [], 0
    for items in histories:
        padded = np.concatenate([np.zeros(length, dtype=items.dtype), items])
        positions = np.arange(1, len(items))
        prefixes.append(padded[positions[:, None] + np.arange(length)])
        for k in range(min(horizon, len(positions))):
            rows.append(offset + positions[:len(positions) - k] - 1)
            cols.append(items[1 + k:])
            vals.append(np.full(len(positions) - k, horizon_decay ** k))
        offset += len(positions)
    targets = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                            shape=(offset, num_items))
    return np.concatenate(prefixes), targets


class SequentialRidge:
    """
    Ridge regression of the next ``horizon`` items (weighted 1, horizon_decay, ...) on the
    recency-weighted bag of the ``length`` items before them, over every position of every
    training history.

    Parameters
    ----------
    l2: float
        The ridge penalty.
    recency_decay: float
        As for ``EASE``.
    horizon: int
        How many items after a prefix are its targets.
    horizon_decay: float
        The weight of each further target.
    length: int, optional
        Items in a prefix (the test's 9).
    """

    def __init__(self, l2, recency_decay, horizon, horizon_decay, length=WINDOW - 1):
        self.l2, self.recency_decay = l2, recency_decay
        self.horizon, self.horizon_decay, self.length = horizon, horizon_decay, length

    def fit(self, interactions):
        """Solve B = (X^T X + l2 I)^-1 X^T Y over the histories of ``interactions``; returns self."""
        prefixes, Y = next_item_examples(user_histories(interactions), interactions.num_items,
                                         self.length, self.horizon, self.horizon_decay)
        X = recency_profiles(prefixes, interactions.num_items, self.recency_decay)
        gram = (X.T @ X).toarray() + self.l2 * np.eye(interactions.num_items)
        self.B = np.linalg.solve(gram, (X.T @ Y).toarray())
        return self

    def predict_sequences(self, prefixes):
        """(n, L) prefixes -> (n, num_items) scores of their last ``length`` items; padding ``CANNOT_RANK``."""
        prefixes = np.asarray(prefixes)[:, -self.length:]
        scores = np.asarray(recency_profiles(prefixes, self.B.shape[0], self.recency_decay) @ self.B)
        scores[:, 0] = CANNOT_RANK  # the padding id is not an item
        return scores

    def predict(self, sequence):
        """spotlight's interface: one sequence -> the scores of every item."""
        return self.predict_sequences(np.atleast_2d(sequence))[0]


def session_ease(interactions, gap=60, l2=300.0, recency_decay=0.65):
    """
    EASE on rating sessions: a user's ratings split where more than ``gap`` seconds pass.
    Tried in the blend search (``benchmarks.search_blend``) and not kept.

    Returns
    -------
    EASE
        Fitted on the sessions as if each were a user.
    """
    order = order_by_user_then_time(interactions.user_ids, interactions.timestamps)
    users, items, times = (a[order] for a in (interactions.user_ids, interactions.item_ids, interactions.timestamps))
    session = np.cumsum(np.r_[True, (users[1:] != users[:-1]) | (np.diff(times) > gap)]) - 1
    sessions = type(interactions)(session, items, timestamps=times, num_users=int(session[-1]) + 1,
                                  num_items=interactions.num_items)
    return EASE(l2, recency_decay).fit(sessions)
