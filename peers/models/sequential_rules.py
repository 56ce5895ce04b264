"""
Sequential rules (SR; Ludewig and Jannach, "Evaluation of session-based recommendation
algorithms", 2018): an item's rules count the items that followed it in the training
histories, weighted by how far after it they came.
"""

import itertools
import time

import numpy as np
import scipy.sparse as sp

from recsys_models.protocol import CANNOT_RANK, fit_and_validation_users, user_histories

from ..scoring import SequenceScorer, mrr_plain_and_seen_last

# weight of a rule by the distance d >= 1 between its two items
RULE_WEIGHTS = {
    'same': lambda d: 1.0,
    'linear': lambda d: max(1.0 - 0.1 * d, 0.0),
    'div': lambda d: 1.0 / d,
    'quadratic': lambda d: 1.0 / d ** 2,
}
# weight of the k-th latest item of a prefix (k >= 1) when its rules are summed
PREFIX_DECAY = {
    'last': lambda k: 1.0 if k == 1 else 0.0,
    'linear': lambda k: max(1.0 - 0.1 * (k - 1), 0.0),
    'div': lambda k: 1.0 / k,
    'quadratic': lambda k: 1.0 / k ** 2,
}
RULES_GRID = {'steps': (2, 5, 10, 20), 'weighting': tuple(RULE_WEIGHTS), 'pruning': (0, 20)}


def sequential_rules(train, steps, weighting, pruning):
    """
    The rule matrix: ``rules[a, b]`` sums ``RULE_WEIGHTS[weighting](d)`` over every time when
    b follows a at distance ``d <= steps`` in a training user's history.

    Parameters
    ----------
    train: Interactions
        The training users' interactions (ordered by time within each user).
    steps: int
        The longest distance that makes a rule.
    weighting: str
        A key of ``RULE_WEIGHTS``.
    pruning: int
        Keep only the ``pruning`` strongest rules of each item (0: keep all).

    Returns
    -------
    scipy.sparse.csr_matrix, shape (num_items, num_items)
    """
    rows, cols, values = [], [], []
    for items in user_histories(train):
        for distance in range(1, min(steps, len(items) - 1) + 1):
            rows.append(items[:-distance])
            cols.append(items[distance:])
            values.append(np.full(len(items) - distance, RULE_WEIGHTS[weighting](distance)))
    if not rows:
        return sp.csr_matrix((train.num_items, train.num_items))
    rules = sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(train.num_items, train.num_items))
    rules.sum_duplicates()
    return keep_strongest(rules, pruning) if pruning else rules


def keep_strongest(matrix, keep):
    """``matrix`` (CSR) with only the ``keep`` largest entries of each row (ties: the first)."""
    matrix = matrix.tocsr()
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end - start > keep:
            values = matrix.data[start:end]
            values[np.argsort(-values, kind='stable')[keep:]] = 0.0
    matrix.eliminate_zeros()
    return matrix


def rules_scorer(rules, prefix_decay):
    """
    Score every item by the rules of the prefix's items, the k-th latest weighted by
    ``PREFIX_DECAY[prefix_decay](k)`` ('last': the latest item's rules only, classic SR);
    the padding id scores ``CANNOT_RANK``.
    """
    def score(prefixes):
        scores = np.zeros((len(prefixes), rules.shape[1]))
        for k in range(1, prefixes.shape[1] + 1):
            weight = PREFIX_DECAY[prefix_decay](k)
            if weight:
                scores += weight * rules[prefixes[:, -k]].toarray()
        scores[:, 0] = CANNOT_RANK
        return scores
    return SequenceScorer(score)


def fit_sequential_rules(train, seed):
    """
    The SR peer: the rule and prefix settings (``RULES_GRID`` x ``PREFIX_DECAY``, 128) searched
    by plain MRR on validation users carved from ``train``, then refitted on all of ``train``.

    Returns
    -------
    (SequenceScorer, float, dict)
        The scorer, the final fit's seconds, and the chosen setting with its validation MRR
        and the search's seconds.
    """
    fit, valid = fit_and_validation_users(train, seed)
    start = time.perf_counter()
    scores = []
    for values in itertools.product(*RULES_GRID.values()):
        setting = dict(zip(RULES_GRID, values))
        rules = sequential_rules(fit, **setting)
        for decay in PREFIX_DECAY:
            plain, _ = mrr_plain_and_seen_last(rules_scorer(rules, decay), valid)
            scores.append((plain, {**setting, 'prefix_decay': decay}))
    search_seconds = time.perf_counter() - start
    best_mrr, best = max(scores, key=lambda pair: pair[0])
    start = time.perf_counter()
    rules = sequential_rules(train, best['steps'], best['weighting'], best['pruning'])
    seconds = time.perf_counter() - start
    return rules_scorer(rules, best['prefix_decay']), seconds, {
        'chosen': best, 'validation_mrr': best_mrr, 'search_s': search_seconds}
