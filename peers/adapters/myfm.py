"""myFM's Bayesian factorisation machine (Gibbs sampling) over feature blocks."""

import time

import numpy as np
import scipy.sparse as sp

from recsys_models.features import implicit_features, item_side_features, user_side_features
from spotlight_compat.datasets.movielens import get_movielens_item_features, get_movielens_user_features

SWEEPS = 512


def side_information(num_users, num_items):
    """
    The side information the Macau MF reads (``recsys_models.features``), one row per id:
    users' age group, gender and occupation; movies' genres and release period.

    Raises
    ------
    ValueError
        When the ids do not match MovieLens 100K's.
    """
    users, items = get_movielens_user_features(), get_movielens_item_features()
    if len(users.age) != num_users or len(items.year) != num_items:
        raise ValueError(f"side information covers {len(users.age)} users and {len(items.year)} "
                         f"items, the ratings {num_users} and {num_items}: load both from "
                         "MovieLens 100K.")
    return user_side_features(users), item_side_features(items)


def myfm_fit(features):
    """
    The fit function of a myFM Bayesian FM (rank 10, ``SWEEPS`` sweeps) over the user and
    item one-hot blocks plus ``features`` ('implicit': who rated what, 'side': the side
    information), one prior group per block.
    """
    def fit(train, seed):
        import myfm
        user_blocks = [sp.identity(train.num_users, format='csr')]
        item_blocks = [sp.identity(train.num_items, format='csr')]
        if 'implicit' in features:
            rated, raters = implicit_features(train, power=0.5)
            user_blocks.append(rated)
            item_blocks.append(raters)
        if 'side' in features:
            user_side, item_side = side_information(train.num_users, train.num_items)
            user_blocks.append(user_side)
            item_blocks.append(item_side)
        user_matrix = sp.hstack(user_blocks).tocsr()
        item_matrix = sp.hstack(item_blocks).tocsr()
        grouping = [group for group, block in enumerate(user_blocks + item_blocks)
                    for _ in range(block.shape[1])]
        model = myfm.MyFMRegressor(rank=10, random_seed=seed)
        start = time.perf_counter()
        model.fit(sp.csr_matrix((len(train.user_ids), 0)), train.ratings.astype(np.float64),
                  X_rel=[myfm.RelationBlock(train.user_ids, user_matrix),
                         myfm.RelationBlock(train.item_ids, item_matrix)],
                  n_iter=SWEEPS, grouping=grouping)
        seconds = time.perf_counter() - start

        def predict(users, items):
            return model.predict(sp.csr_matrix((len(users), 0)),
                                 X_rel=[myfm.RelationBlock(users, user_matrix),
                                        myfm.RelationBlock(items, item_matrix)])
        return predict, seconds, {}
    return fit
