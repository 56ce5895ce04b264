"""
Evaluation metrics, with spotlight's definitions: ``mrr_score``,
``precision_recall_score``, ``sequence_mrr_score``,
``sequence_precision_recall_score`` and ``rmse_score``.

``sequence_mrr_score`` scores a model either row by row through
``model.predict(sequence)``, as spotlight does, or, when the model offers
``predict_sequences(prefixes)`` (one call scoring a 2-D array of prefixes),
in batches, with the same values.
"""

import numpy as np
import scipy.sparse as sp
import scipy.stats as st

from . import _checks
from ._ids import check_in_range
from .interactions import Interactions, SequenceInteractions

FLOAT_MAX = np.finfo(np.float32).max


def rmse_score(model, test):
    """
    Root mean squared error of ``model.predict(test.user_ids, test.item_ids)``
    against ``test.ratings``, as spotlight's ``rmse_score``.

    Parameters
    ----------
    model: fitted model
        ``model.predict(user_ids, item_ids)`` must return one prediction per pair.
    test: Interactions
        With ratings.

    Returns
    -------
    float

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


def _check_test(test, kind=Interactions, hint='', name='test'):
    if not isinstance(test, kind):
        raise ValueError(f'{name} must be {kind.__name__}{hint}, got {type(test).__name__}.')


def _user_item_matrix(value, name, hint=''):
    """
    ``value`` (``Interactions`` or a scipy sparse users x items matrix, such as the
    sum of two ``tocsr()``: spotlight reads either through ``tocsr()``) as a CSR matrix.
    """
    if not (isinstance(value, Interactions) or sp.issparse(value)):
        raise ValueError(f'{name} must be Interactions or a scipy.sparse matrix{hint}, '
                         f'got {type(value).__name__}.')
    if sp.issparse(value) and value.ndim != 2:
        raise ValueError(f'{name} must be a 2-D (users x items) matrix, got shape '
                         f'{value.shape}.')
    return sp.csr_matrix(value.tocsr())


def _user_rows(model, test, train):
    """
    For each user with test interactions, in user order: the user id, the
    negated scores of every item with the training items set to ``FLOAT_MAX``
    (ranked last, as spotlight does), and the user's test items.
    """
    test = _user_item_matrix(test, 'test')
    train = None if train is None else _user_item_matrix(train, 'train', ' or None')
    for user_id in np.flatnonzero(np.diff(test.indptr)):
        predictions = -np.asarray(model.predict(int(user_id)))
        if train is not None and user_id < train.shape[0]:
            predictions[train[user_id].indices] = FLOAT_MAX
        yield user_id, predictions, test[user_id].indices


def _average_ranks(values, targets):
    """``scipy.stats.rankdata(values)[targets]`` (ties averaged) without ranking every value."""
    ordered = np.sort(values)
    below = np.searchsorted(ordered, values[targets], side='left')
    up_to = np.searchsorted(ordered, values[targets], side='right')
    return (below + up_to + 1) / 2.0


def mrr_score(model, test, train=None):
    """
    Mean reciprocal rank of each test user's test items among all items.

    Parameters
    ----------
    model: fitted model
        ``model.predict(user_id)`` must score every item.
    test: Interactions or scipy.sparse matrix
        A users x items matrix (such as ``test.tocsr() + validation.tocsr()``) is read
        as spotlight reads one: each row's stored entries are that user's test items.
    train: Interactions or scipy.sparse matrix, optional
        Its items are ranked last for their user (spotlight's exclusion of known items).

    Returns
    -------
    np.ndarray of np.float64, shape (number of users with test interactions,)
        For each such user, in user order, the mean of ``1 / rank`` over their test
        items (ties take the average rank).

    Raises
    ------
    ValueError
        When ``test`` (or ``train``) is neither ``Interactions`` nor a 2-D scipy
        sparse matrix.
    """
    return np.array([(1.0 / _average_ranks(predictions, items)).mean()
                     for _, predictions, items in _user_rows(model, test, train)])


def _precision_recall(top, targets, k):
    """Precision and recall of the first ``k`` items of ``top`` against ``targets``."""
    hits = len(set(top[:k].tolist()) & set(np.asarray(targets).tolist()))
    return hits / len(top[:k]), hits / len(targets)


def _check_ks(k):
    ks = np.atleast_1d(np.asarray(k))
    if ks.ndim != 1 or not ks.size:
        raise ValueError(f'k must be a positive integer or a list of them, got {k!r}.')
    return [_checks.positive_int('k', int(value) if value.dtype.kind in 'iu' else value)
            for value in ks]


def precision_recall_score(model, test, train=None, k=10):
    """
    Precision@k and recall@k of each test user's top-k items.

    Parameters
    ----------
    model: fitted model
        ``model.predict(user_id)`` must score every item.
    test: Interactions or scipy.sparse matrix
        As for ``mrr_score``.
    train: Interactions or scipy.sparse matrix, optional
        Its items are ranked last for their user.
    k: int or list of int, optional

    Returns
    -------
    (precision, recall): np.ndarray of float
        Shape (num_test_users,) for a scalar ``k``, (num_test_users, len(k)) for a
        list (spotlight squeezes a one-element list to a vector; here a list always
        gives a column per element).

    Raises
    ------
    ValueError
        When ``test``/``train`` are neither ``Interactions`` nor a scipy sparse
        matrix, or ``k`` holds a non-positive value.
    """
    ks = _check_ks(k)
    rows = [[_precision_recall(predictions.argsort(), items, x) for x in ks]
            for _, predictions, items in _user_rows(model, test, train)]
    scores = np.array(rows, dtype=np.float64).reshape(len(rows), len(ks), 2)
    if np.isscalar(k):
        return scores[:, 0, 0], scores[:, 0, 1]
    return scores[:, :, 0], scores[:, :, 1]


def sequence_precision_recall_score(model, test, k=10, exclude_preceding=False):
    """
    Precision@k and recall@k of the last ``k`` items of each test sequence,
    predicted from the items before them.

    The ``k`` top-scored items (``argsort`` of the negated scores, as spotlight)
    are compared with the set of the last ``k`` items; both scores divide the
    hits by ``k``, so they are equal.

    Parameters
    ----------
    model: fitted model
        ``model.predict(sequence)`` must score every item.
    test: SequenceInteractions
    k: int, optional
        Smaller than the sequence length.
    exclude_preceding: bool, optional
        Rank the items of the prefix last.

    Returns
    -------
    (precision, recall): np.ndarray of float, shape (num_sequences,) each

    Raises
    ------
    ValueError
        When ``test`` is not ``SequenceInteractions`` or ``k`` is not a positive
        integer below the sequence length.
    """
    _check_test(test, SequenceInteractions, ' (call test.to_sequence() first)')
    k = _checks.positive_int('k', k)
    exclude_preceding = _checks.flag('exclude_preceding', exclude_preceding)
    if k >= test.max_sequence_length:
        raise ValueError(f'k={k} leaves no prefix in sequences of length '
                         f'{test.max_sequence_length}; use a smaller k.')
    prefixes, targets = test.sequences[:, :-k], test.sequences[:, -k:]
    scores = np.empty((len(prefixes), 2))
    for i, prefix in enumerate(prefixes):
        predictions = -np.asarray(model.predict(prefix))
        if exclude_preceding:
            predictions[prefix] = FLOAT_MAX
        scores[i] = _precision_recall(predictions.argsort()[:k], targets[i], k)
    return scores[:, 0], scores[:, 1]
