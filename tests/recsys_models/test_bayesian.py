"""recsys_models.bayesian: Bayesian MF and Macau MF."""

import numpy as np
import pytest

from tests.helpers import unique_pair_ratings
from recsys_models import bayesian
from recsys_models.features import one_hot
from spotlight_compat.cross_validation import random_train_test_split
from spotlight_compat.interactions import Interactions


def side_features(interactions, rng):
    return (one_hot(rng.randint(3, size=interactions.num_users), np.ones(interactions.num_users, bool)),
            one_hot(rng.randint(4, size=interactions.num_items), np.ones(interactions.num_items, bool)))


def test_macau_mf_refuses_repeated_pairs():
    repeated = Interactions(np.array([1, 1, 2]), np.array([3, 3, 4]), ratings=np.array([4.0, 5.0, 1.0]))
    side = one_hot(np.zeros(3), np.ones(3, bool)), one_hot(np.zeros(5), np.ones(5, bool))
    with pytest.raises(ValueError, match='one rating per'):
        bayesian.MacauMF(**bayesian.MACAU, seed=0).fit(repeated, *side)


def test_macau_mf_checks_its_side_features_and_burn_in():
    ratings = unique_pair_ratings()
    user_side, item_side = side_features(ratings, np.random.RandomState(0))
    with pytest.raises(ValueError, match='user_side must have one row per id'):
        bayesian.MacauMF(**bayesian.MACAU, seed=0).fit(ratings, user_side[:5], item_side)
    with pytest.raises(ValueError, match='burn_in'):
        bayesian.MacauMF(**dict(bayesian.MACAU, n_sweeps=5, burn_in=5), seed=0).fit(ratings, user_side, item_side)
    with pytest.raises(ValueError, match='burn_in'):
        bayesian.BayesianMF(**dict(bayesian.BPMF, n_iter=3, burn_in=3), random_state=np.random.RandomState(0)).fit(ratings)


def test_bayesian_models_are_deterministic_and_learn():
    ratings = unique_pair_ratings()
    train, valid = random_train_test_split(ratings, test_percentage=0.1, random_state=np.random.RandomState(0))
    user_side, item_side = side_features(train, np.random.RandomState(1))
    fits = {'bpmf': [], 'macau': []}
    for _ in range(2):
        fits['bpmf'].append(bayesian.BayesianMF(**dict(bayesian.BPMF, n_iter=12),
                                                random_state=np.random.RandomState(0)).fit(train))
        fits['macau'].append(bayesian.MacauMF(**dict(bayesian.MACAU, n_sweeps=8, burn_in=2), seed=0)
                             .fit(train, user_side, item_side))
    for name, (first, second) in fits.items():
        predicted = first.predict(valid.user_ids, valid.item_ids)
        np.testing.assert_array_equal(predicted, second.predict(valid.user_ids, valid.item_ids), err_msg=name)
        assert predicted.min() >= 1 and predicted.max() <= 5, name
        fitted = first.predict(train.user_ids, train.item_ids)
        assert np.sqrt(np.mean((fitted - train.ratings) ** 2)) < np.std(train.ratings), name


def test_truncated_normal_stays_in_its_interval_even_in_the_far_tail():
    rng = np.random.default_rng(0)
    mean = np.array([0.0, 0.0, -30.0, 0.0])
    low, high = np.array([-1.0, 2.0, 5.0, -np.inf]), np.array([1.0, np.inf, 6.0, -3.0])
    draws = np.array([bayesian.truncated_normal(mean, np.ones(4), low, high, rng) for _ in range(200)])
    assert np.all(draws >= low) and np.all(draws <= high) and np.all(np.isfinite(draws))
    assert abs(draws[:, 0].mean()) < 0.15  # symmetric interval, symmetric draws
