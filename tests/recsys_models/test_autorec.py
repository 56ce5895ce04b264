"""recsys_models.autorec: I-AutoRec."""

import numpy as np

from recsys_models.autorec import AUTOREC, AutoRecRatings
from spotlight_compat.cross_validation import random_train_test_split
from spotlight_compat.interactions import Interactions


def test_autorec_learns_taste_groups_and_is_deterministic():
    # 40 users and 30 movies in two taste groups: 5 stars within a group, 1 across
    rng = np.random.RandomState(0)
    cells = rng.choice(40 * 30, size=700, replace=False)
    users, items = cells // 30, cells % 30
    stars = np.where(users % 2 == items % 2, 5.0, 1.0).astype(np.float32)
    train, valid = random_train_test_split(Interactions(users, items, ratings=stars), test_percentage=0.2,
                                           random_state=np.random.RandomState(0))
    fits = [AutoRecRatings(**dict(AUTOREC, n_epochs=60), seed=0).fit(train) for _ in range(2)]
    predicted = fits[0].predict(valid.user_ids, valid.item_ids)
    np.testing.assert_array_equal(predicted, fits[1].predict(valid.user_ids, valid.item_ids))
    assert np.sqrt(np.mean((predicted - valid.ratings) ** 2)) < 0.5  # the global mean scores about 2


def test_autorec_gives_an_unrated_movie_the_mean_rating():
    ratings = Interactions(np.array([0, 1, 2]), np.array([0, 1, 1]), ratings=np.array([2.0, 4.0, 3.0]), num_items=3)
    autorec = AutoRecRatings(**dict(AUTOREC, hidden=4, n_epochs=1), seed=0).fit(ratings)
    np.testing.assert_allclose(autorec.predict(np.array([0]), np.array([2])), [3.0])


def test_autorec_counts_a_zero_star_rating_as_rated():
    # a scale that includes 0 (e.g. 0-5 stars): the 0 is a rating, not a missing entry
    ratings = Interactions(np.array([0, 1]), np.array([0, 1]), ratings=np.array([0.0, 4.0]))
    autorec = AutoRecRatings(**dict(AUTOREC, hidden=4, n_epochs=1), seed=0).fit(ratings)
    assert autorec.rated_items.tolist() == [True, True]
