"""recsys_models.protocol: validation splits with one seed rule, training windows, histories."""

import numpy as np

from tests.helpers import random_interactions
from recsys_models import protocol
from spotlight_compat.cross_validation import random_train_test_split, user_based_train_test_split
from spotlight_compat.interactions import Interactions


def test_validation_ratings_split_the_training_ratings_with_the_offset_seed():
    train = random_interactions(n=400)
    fit, valid = protocol.validation_ratings(train, seed=3)
    assert len(fit) + len(valid) == len(train) and len(valid) == 20
    expected_fit, _ = random_train_test_split(train, test_percentage=0.05, random_state=np.random.RandomState(1003))
    np.testing.assert_array_equal(fit.user_ids, expected_fit.user_ids)
    again, _ = protocol.validation_ratings(train, seed=3)
    np.testing.assert_array_equal(again.item_ids, fit.item_ids)
    other, _ = protocol.validation_ratings(train, seed=4)
    assert not np.array_equal(other.item_ids, fit.item_ids)


def test_validation_users_are_disjoint_and_not_the_outer_splits_shuffle():
    data = random_interactions(num_users=200, n=3000)
    train, _ = user_based_train_test_split(data, random_state=np.random.RandomState(0))
    fit, valid = protocol.validation_users(train, seed=0)
    assert not set(fit.user_ids) & set(valid.user_ids)
    assert set(fit.user_ids) | set(valid.user_ids) == set(train.user_ids)
    # the same random state as the outer split would pick its test users, absent here
    _, same_state = user_based_train_test_split(train, test_percentage=0.1, random_state=np.random.RandomState(0))
    assert len(valid) > 0 and len(same_state) == 0


def test_training_windows_overlap_by_the_step():
    history = Interactions(np.zeros(20, int), np.arange(1, 21), timestamps=np.arange(20))
    windows = protocol.training_windows(history)
    assert windows.shape[1] == protocol.WINDOW
    # the latest window first, then one every WINDOW_STEP = 5 items earlier, the first left-padded
    assert windows.tolist() == [list(range(11, 21)), list(range(6, 16)), list(range(1, 11)),
                                [0] * 5 + list(range(1, 6))]
    # the test's format: no overlap
    assert protocol.evaluation_sequences(history).sequences.tolist() == [list(range(11, 21)), list(range(1, 11))]


def test_user_histories_are_in_time_order():
    interactions = Interactions(np.array([2, 1, 2, 1, 2]), np.array([5, 4, 3, 2, 1]),
                                timestamps=np.array([3, 9, 1, 2, 2]))
    histories = protocol.user_histories(interactions)
    assert [h.tolist() for h in histories] == [[2, 4], [3, 1, 5]]
