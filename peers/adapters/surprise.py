"""Surprise (scikit-surprise): SVD tuned on validation ratings, SVD++ and KNNBaseline."""

import itertools
import time

import numpy as np

from recsys_models.protocol import validation_ratings

from ..scoring import clipped_rmse

SVD_GRID = {'n_factors': (20, 50, 100), 'n_epochs': (20, 50),
            'lr_all': (0.005, 0.01), 'reg_all': (0.02, 0.05, 0.1)}


def trainset(interactions):
    """``interactions`` as a Surprise ``Trainset`` on the 1-5 scale (ids as given)."""
    import pandas as pd
    from surprise import Dataset, Reader
    frame = pd.DataFrame({'user': interactions.user_ids.tolist(),
                          'item': interactions.item_ids.tolist(),
                          'rating': interactions.ratings.astype(float).tolist()})
    return Dataset.load_from_df(frame, Reader(rating_scale=(1, 5))).build_full_trainset()


def fit_algorithm(algorithm, train):
    """
    Fit a Surprise ``algorithm`` on ``train``.

    Returns
    -------
    (callable, float)
        ``predict(users, items) -> ratings`` (unclipped) and the fit's seconds.
    """
    data = trainset(train)
    start = time.perf_counter()
    algorithm.fit(data)
    seconds = time.perf_counter() - start

    def predict(users, items):
        return np.array([algorithm.predict(u, i, clip=False).est
                         for u, i in zip(users.tolist(), items.tolist())])
    return predict, seconds


def fit_svd_tuned(train, seed):
    """Surprise SVD, its 36-setting grid searched on a random 5 % of the training ratings,
    refitted on all of them; returns ``(predict, seconds, {'chosen', 'validation_rmse',
    'search_s'})``."""
    from surprise import SVD
    fit, valid = validation_ratings(train, seed)
    start = time.perf_counter()
    scores = []
    for values in itertools.product(*SVD_GRID.values()):
        setting = dict(zip(SVD_GRID, values))
        predict, _ = fit_algorithm(SVD(random_state=seed, **setting), fit)
        scores.append((clipped_rmse(predict(valid.user_ids, valid.item_ids), valid.ratings), setting))
    search_seconds = time.perf_counter() - start
    best_rmse, best = min(scores, key=lambda pair: pair[0])
    predict, seconds = fit_algorithm(SVD(random_state=seed, **best), train)
    return predict, seconds, {'chosen': best, 'validation_rmse': best_rmse,
                              'search_s': search_seconds}


def fit_knn_baseline(train, seed):
    """Surprise KNNBaseline, item-based, pearson_baseline similarity, other defaults;
    returns ``(predict, seconds, {})``."""
    from surprise import KNNBaseline
    algorithm = KNNBaseline(sim_options={'name': 'pearson_baseline', 'user_based': False},
                            verbose=False)
    predict, seconds = fit_algorithm(algorithm, train)
    return predict, seconds, {}


def fit_svdpp(train, seed):
    """Surprise SVDpp with its defaults; returns ``(predict, seconds, {})``."""
    from surprise import SVDpp
    predict, seconds = fit_algorithm(SVDpp(random_state=seed), train)
    return predict, seconds, {}
