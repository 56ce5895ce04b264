import numpy as np
import pytest

from conftest import random_interactions
from spotlight_compat.cross_validation import (random_train_test_split, shuffle_interactions,
                                               user_based_train_test_split)


def rows(interactions):
    return sorted(zip(interactions.user_ids.tolist(), interactions.item_ids.tolist(),
                      interactions.ratings.tolist(), interactions.timestamps.tolist()))


@pytest.mark.parametrize('split', [random_train_test_split, user_based_train_test_split])
@pytest.mark.parametrize('percentage', [0.0, 0.2, 0.5, 1.0])
def test_split_is_a_partition(split, percentage):
    data = random_interactions()
    train, test = split(data, test_percentage=percentage, random_state=np.random.RandomState(3))
    assert len(train) + len(test) == len(data)
    assert rows(train) + rows(test) != [] and sorted(rows(train) + rows(test)) == rows(data)
    for part in (train, test):
        assert (part.num_users, part.num_items) == (data.num_users, data.num_items)


def test_random_split_sizes():
    train, test = random_train_test_split(random_interactions(n=1000), test_percentage=0.25,
                                          random_state=np.random.RandomState(0))
    assert (len(train), len(test)) == (750, 250)


def test_user_based_split_shares_no_user():
    train, test = user_based_train_test_split(random_interactions(num_users=200, n=3000),
                                              random_state=np.random.RandomState(1))
    assert len(test) > 0
    assert not set(train.user_ids) & set(test.user_ids)


@pytest.mark.parametrize('split', [random_train_test_split, user_based_train_test_split])
def test_same_seed_same_split(split):
    data = random_interactions()
    first = split(data, random_state=np.random.RandomState(7))
    second = split(data, random_state=np.random.RandomState(7))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.user_ids, b.user_ids)
        np.testing.assert_array_equal(a.item_ids, b.item_ids)


def test_shuffle_keeps_rows():
    data = random_interactions()
    assert rows(shuffle_interactions(data, np.random.RandomState(0))) == rows(data)


def test_bad_percentage_and_type():
    with pytest.raises(ValueError, match='test_percentage must lie in'):
        random_train_test_split(random_interactions(), test_percentage=1.5)
    with pytest.raises(TypeError, match='Expected an Interactions object'):
        user_based_train_test_split([1, 2, 3])
