"""
Features of users and movies: MovieLens's side information and "who rated what".

The Macau MF (``bayesian``) and the myFM peers (``benchmarks/peers.py``) read the same
features from here.
"""

import numpy as np
import scipy.sparse as sp

AGE_EDGES = (18, 25, 35, 45, 50, 56)                # MovieLens 1M's age groups
YEAR_EDGES = (1950, 1960, 1970, 1980, 1990, 1995)   # release periods


def one_hot(labels, known):
    """
    Sparse one-hot of ``labels``, one category per row.

    Parameters
    ----------
    labels: array-like, shape (n,)
        Any sortable labels.
    known: array-like of bool, shape (n,)
        Rows where it is False (unknown label) stay empty.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, number of distinct labels)
    """
    labels, known = np.asarray(labels), np.asarray(known, dtype=bool)
    if labels.shape != known.shape:
        raise ValueError(f'labels and known must have the same shape, got {labels.shape} and {known.shape}.')
    categories, codes = np.unique(labels, return_inverse=True)
    rows = np.flatnonzero(known)
    return sp.csr_matrix((np.ones(len(rows)), (rows, codes[rows])), shape=(len(labels), len(categories)))


def user_side_features(users):
    """
    Age group, gender and occupation one-hots, one row per user id.

    Parameters
    ----------
    users: UserFeatures
        From ``get_movielens_user_features``; rows with age 0 (the padding id) stay empty.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (num_users, n_features)
    """
    known = np.asarray(users.age) > 0
    age_group = np.searchsorted(AGE_EDGES, users.age, side='right')
    return sp.hstack([one_hot(age_group, known),
                      one_hot(np.asarray(users.gender) == 'F', known)[:, 1:],
                      one_hot(np.asarray(users.occupation, dtype=str), known)]).tocsr()


def item_side_features(items):
    """
    Genre flags and the release period's one-hot, one row per item id.

    Parameters
    ----------
    items: ItemFeatures
        From ``get_movielens_item_features``; year 0 means unknown.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (num_items, n_features)
    """
    period = np.searchsorted(YEAR_EDGES, items.year, side='right')
    return sp.hstack([sp.csr_matrix(np.asarray(items.genres, dtype=float)),
                      one_hot(period, np.asarray(items.year) > 0)]).tocsr()


def rated_matrix(interactions):
    """Who rated what: a (num_users, num_items) 0/1 CSR matrix (a repeated pair counts once)."""
    rated = sp.csr_matrix((np.ones(len(interactions)), (interactions.user_ids, interactions.item_ids)),
                          shape=(interactions.num_users, interactions.num_items))
    rated.data[:] = 1.0
    return rated


def implicit_features(interactions, power):
    """
    Who rated what, from both sides, each row scaled by its count ** -``power``.

    Returns
    -------
    (scipy.sparse.csr_matrix, scipy.sparse.csr_matrix)
        Users x items and items x users.
    """
    rated = rated_matrix(interactions)

    def scaled(matrix):
        counts = np.asarray(matrix.sum(1)).ravel()
        return (sp.diags(np.where(counts > 0, np.maximum(counts, 1) ** -power, 0.0)) @ matrix).tocsr()

    return scaled(rated), scaled(rated.T.tocsr())
