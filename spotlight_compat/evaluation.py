"""
Evaluation metrics, with spotlight's definitions.

``sequence_mrr_score`` scores a model either row by row through
``model.predict(sequence)``, as spotlight does, or, when the model offers
``predict_sequences(prefixes)`` (one call scoring a 2-D array of prefixes),
in batches, with the same values.
"""

import numpy as np
import scipy.stats as st

from . import _checks
from ._ids import check_in_range
from .interactions import Interactions, SequenceInteractions

FLOAT_MAX = np.finfo(np.float32).max


def rmse_score(model, test):
    """
    Root mean squared error of ``model.predict(test.user_ids, test.item_ids)``
    against ``test.ratings``.

    Raises
    ------
    ValueError
        When ``test`` is not a non-empty ``Interactions`` with ratings.
    """
    if not isinstance(test, Interactions):
        raise ValueError(f'test must be an Interactions object, got {type(test).__name__}.')
    if test.ratings is None:
        raise ValueError('rmse_score needs test interactions with ratings.')
    if len(test) == 0:
        raise ValueError('test is empty: the RMSE of no ratings is undefined.')
    predictions = model.predict(test.user_ids, test.item_ids)
    return np.sqrt(((test.ratings - predictions) ** 2).mean())


def _reciprocal_ranks_per_row(model, prefixes, targets, exclude_preceding):
    mrrs = np.empty(len(prefixes))
    for i in range(len(prefixes)):
        predictions = -model.predict(prefixes[i])
        _check_scored(targets[i:i + 1], predictions.shape[-1])
        if exclude_preceding:
            predictions[prefixes[i]] = FLOAT_MAX
        mrrs[i] = 1.0 / st.rankdata(predictions)[targets[i]]
    return mrrs


def reciprocal_ranks(scores, prefixes, targets, exclude_preceding=False):
    """
    Reciprocal rank of each target among its row of scores.

    Ties take the average rank, as ``scipy.stats.rankdata`` does; with
    ``exclude_preceding`` the items of each prefix (padding included) rank last.

    Parameters
    ----------
    scores: array, shape (n, num_items)
    prefixes: int array, shape (n, length)
    targets: int array, shape (n,)
    exclude_preceding: bool

    Returns
    -------
    array of float64, shape (n,)
    """
    # Ranking ascending negated scores (spotlight's way) equals ranking descending scores.
    scores = np.asarray(scores)
    _check_scored(targets, scores.shape[1])
    if exclude_preceding:
        scores = scores.copy()
        np.put_along_axis(scores, prefixes.astype(np.int64), -FLOAT_MAX, axis=1)
    target_scores = np.take_along_axis(scores, targets.astype(np.int64)[:, None], axis=1)
    better = np.count_nonzero(scores > target_scores, axis=1)
    tied = np.count_nonzero(scores == target_scores, axis=1)
    return 1.0 / (better + (tied + 1) / 2.0)


def _check_scored(targets, num_scores):
    check_in_range('the last column of test.sequences', targets, num_scores,
                   f"the model's {num_scores} scores per sequence")


def sequence_mrr_score(model, test, exclude_preceding=False, batch_size=1024):
    """
    Mean reciprocal rank of the last item of each test sequence, given the
    items before it.

    Every one of ``test.num_items`` items is ranked (padding id 0 included).

    Parameters
    ----------
    model: fitted model
        Must offer ``predict(sequence)`` returning one score per item; if it also
        offers ``predict_sequences(prefixes)``, scoring is batched.
    test: SequenceInteractions
    exclude_preceding: bool, optional
        Rank the items already in the prefix last.
    batch_size: int, optional
        Rows scored per ``predict_sequences`` call.

    Returns
    -------
    array of np.float64, shape (num_sequences,)
        The reciprocal rank of each row; ``.mean()`` is the MRR.

    Raises
    ------
    ValueError
        When ``test`` is not ``SequenceInteractions`` (or has sequences of length 0),
        ``batch_size`` is not a positive integer or ``exclude_preceding`` not a bool.
    """
    if not isinstance(test, SequenceInteractions):
        raise ValueError(f'test must be SequenceInteractions, got {type(test).__name__}; '
                         'call test.to_sequence() first.')
    if test.max_sequence_length < 1:
        raise ValueError('test sequences have length 0: there is no item to predict.')
    batch_size = _checks.positive_int('batch_size', batch_size)
    exclude_preceding = _checks.flag('exclude_preceding', exclude_preceding)
    prefixes = test.sequences[:, :-1]
    targets = test.sequences[:, -1]
    if not hasattr(model, 'predict_sequences'):
        return _reciprocal_ranks_per_row(model, prefixes, targets, exclude_preceding)
    chunks = []
    for start in range(0, len(prefixes), batch_size):
        rows = slice(start, start + batch_size)
        scores = np.asarray(model.predict_sequences(prefixes[rows]))
        chunks.append(reciprocal_ranks(scores, prefixes[rows], targets[rows], exclude_preceding))
    return np.concatenate(chunks) if chunks else np.empty(0)
